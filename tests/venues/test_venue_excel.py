"""The venue sheet: template with dropdowns, all-or-nothing upload with a row report, filtered export."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.venues.conftest import make_venue
from venues.models import Venue

IMPORT_URL = reverse("venues:venue_import")
LIST_URL = reverse("venues:venue_list")


def template(client):
    response = client.get(IMPORT_URL, {"template": 1})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.getvalue()))


def row(community_code, name, **kw):
    values = {
        "场所编号": None, "社区代码": community_code, "场所名称": name, "场所地址": "兰州市城关区", "使用面积（㎡）": 320,
        "取得方式": "新建", "建设状态": "已建成", "竣工日期": "2010-06-01", "投资（元）": 500000, "一门式服务大厅": "是",
        "党务": "是", "劳动保障": "否", "电脑": 5, "电视": 1,
    }
    values.update(kw)
    return values


def upload(client, wb, rows):
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for r in rows:
        ws.append([r.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile("venues.xlsx", buffer.getvalue())})


def state():
    return list(Venue.objects.order_by("pk").values_list("pk", "name", "usable_area", "status"))


@pytest.mark.django_db
def test_template_headers_and_dropdowns(login, tree, personas):
    wb = template(login(personas.street_clerk))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers[:8] == ["场所编号", "社区代码", "社区名称", "场所名称", "场所地址", "使用面积（㎡）", "取得方式", "建设状态"]
    assert "社区党校/市民学校" in headers and "LED显示屏" in headers
    validations = wb.worksheets[0].data_validations.dataValidation
    assert len(validations) == 1 + 2 + 1 + 9  # community by name, acquisition, status, service hall, nine rooms
    choices = [c.value for col in wb["选项"].iter_cols() for c in col if c.value]
    assert {"开发商无偿提供", "辖区单位提供", "政府购置", "租赁", "规划", "在建", "已建成"} <= set(choices)


@pytest.mark.django_db
def test_upload_creates_and_updates(login, tree, personas):
    existing = make_venue(tree.community_a1, name="南关旧房")
    client = login(personas.street_clerk)
    response = upload(client, template(client), [
        row(tree.community_a1.code, "南关新中心", 党务="是"),
        row(tree.community_a2.code, "北关在建楼", 建设状态="在建", 竣工日期=None, 取得方式="扩建"),
        row(tree.community_a1.code, "南关旧房", 场所编号=existing.pk, **{"使用面积（㎡）": 188.5, "取得方式": "租赁"}),
    ])
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Venue.objects.get(name="南关新中心")
    assert created.usable_area == Decimal("320.00") and created.has_service_hall and created.room_party_affairs
    assert not created.room_labour and created.computers == 5 and created.investment == Decimal("500000.00")
    assert Venue.objects.get(name="北关在建楼").status == "under_construction"
    existing.refresh_from_db()
    assert existing.usable_area == Decimal("188.50") and existing.acquisition == "rented"
    assert existing.history.first().history_user == personas.street_clerk


@pytest.mark.django_db
def test_upload_with_bad_rows_saves_nothing_and_reports_each(login, tree, personas):
    neighbour = make_venue(tree.community_b1, name="中山用房")
    client = login(personas.street_clerk)
    before = state()
    response = upload(client, template(client), [
        row(tree.community_a1.code, "好的一行"),
        row(tree.community_a1.code, "负面积", **{"使用面积（㎡）": -10}),
        row(tree.community_a1.code, "未来竣工", 竣工日期="2999-01-01"),
        row(tree.community_a1.code, "缺竣工日期", 竣工日期=None),
        row(tree.community_b1.code, "邻街社区"),
        row(tree.community_a1.code, "邻街编号", 场所编号=neighbour.pk),
        row(tree.community_a1.code, "坏选项", 取得方式="抢占"),
        row(tree.community_a1.code, "三位小数", **{"投资（元）": "10.005"}),
    ])
    assert response.status_code == 400
    body = response.content.decode()
    report = body.split('id="import-errors"', 1)[1]
    for expected in ["面积不能为负数", "不能晚于今天", "已建成的场所必须填写竣工日期", "620102002001",
                     f"场所编号 {neighbour.pk} 不存在", "不是可选值", "小数不超过 2 位"]:
        assert expected in report, expected
    for number in range(3, 10):
        assert f"<td>{number}</td>" in report, number
    assert "<td>2</td>" not in report  # the good row is not reported
    assert state() == before


@pytest.mark.django_db
def test_export_follows_the_filters_and_round_trips(login, tree, personas):
    make_venue(tree.community_a1, "260.00", name="南关中心")
    make_venue(tree.community_a2, "90.00", name="北关小屋", acquisition="rented")
    make_venue(tree.community_b1, name="中山用房")
    client = login(personas.district_reviewer)
    response = client.get(LIST_URL, {"acquisition": "rented", "export": "xlsx"})
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("场所编号", "社区代码", "社区名称", "场所名称")
    assert [r[3] for r in rows[1:]] == ["北关小屋"]
    assert rows[1][6] == "租赁" and Decimal(str(rows[1][5])) == Decimal("90")
    # The export, uploaded back unchanged by the street clerk, changes nothing.
    clerk = login(personas.street_clerk)
    export = clerk.get(LIST_URL, {"export": "xlsx"})
    before = state()
    response = clerk.post(IMPORT_URL, {"file": SimpleUploadedFile("back.xlsx", export.getvalue())})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert state() == before


@pytest.mark.django_db
def test_export_neutralises_formulas(login, tree, personas):
    make_venue(tree.community_a1, name="=HYPERLINK(\"http://x\")", completed=date(2010, 1, 1))
    response = login(personas.street_clerk).get(LIST_URL, {"export": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    assert ws.cell(row=2, column=4).value.startswith("'=")


STANDARD_IMPORT_URL = reverse("venues:areastandard_import")


@pytest.mark.django_db
def test_standard_sheet_round_trip_and_refusals(login, tree, personas):
    from tests.venues.conftest import make_standard
    from venues.models import AreaStandard

    client = login(personas.street_clerk)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(STANDARD_IMPORT_URL, {"template": 1}).content))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["标准编号", "制定单位代码", "制定单位", "年度"]

    def send(rows):
        book = openpyxl.load_workbook(io.BytesIO(client.get(STANDARD_IMPORT_URL, {"template": 1}).content))
        sheet = book.worksheets[0]
        for r in rows:
            sheet.append([r.get(h) for h in headers])
        buffer = io.BytesIO()
        book.save(buffer)
        return client.post(STANDARD_IMPORT_URL, {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())})

    make_standard(tree.street_a, 2012)
    response = send([
        {"制定单位代码": tree.street_a.code, "年度": 2013, "最低面积（㎡）": 300, "每百户面积（㎡）": 30},
        {"制定单位代码": tree.street_a.code, "年度": 2012, "最低面积（㎡）": 200},  # already set for 2012
        {"制定单位代码": tree.district.code, "年度": 2013, "最低面积（㎡）": 200},  # outside the clerk's part
        {"制定单位代码": tree.street_a.code, "年度": 2014, "最低面积（㎡）": -1},
    ])
    assert response.status_code == 400
    report = response.content.decode().split('id="import-errors"', 1)[1]
    assert "已有2012年的面积标准" in report and tree.district.code in report and "面积不能为负数" in report
    assert AreaStandard.objects.count() == 1
    response = send([{"制定单位代码": tree.street_a.code, "年度": 2013, "最低面积（㎡）": 300, "每百户面积（㎡）": 30}])
    assert response.status_code == 302
    assert AreaStandard.objects.get(year=2013).describe() == "每100户30㎡，且不少于300㎡"
    export = client.get(reverse("venues:areastandard_list"), {"year": 2013, "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(export.getvalue())).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == tree.street_a.code and rows[1][3] == 2013


@pytest.mark.django_db
def test_exported_standards_with_an_inherited_one_upload_back(login, tree, personas):
    from tests.venues.conftest import make_standard
    from venues.models import AreaStandard

    make_standard(tree.district, 2010)
    make_standard(tree.street_a, 2010, "250.00")
    client = login(personas.street_clerk)
    export = client.get(reverse("venues:areastandard_list"), {"export": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(export.getvalue()))
    assert wb.worksheets[0].max_row == 3  # the district's standard comes along, read-only
    before = list(AreaStandard.objects.values_list("pk", "minimum_area"))
    buffer = io.BytesIO()
    wb.save(buffer)
    assert client.post(STANDARD_IMPORT_URL, {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())}).status_code == 302
    ws = wb.worksheets[0]
    for r in range(2, 4):
        if ws.cell(row=r, column=2).value == tree.district.code:
            ws.cell(row=r, column=5).value = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(STANDARD_IMPORT_URL, {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())})
    assert response.status_code == 400 and "不在您可录入的范围内" in response.content.decode()
    assert list(AreaStandard.objects.values_list("pk", "minimum_area")) == before
