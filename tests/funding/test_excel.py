"""Excel: templates with dropdowns, all-or-nothing uploads with a row report (including an
upload of spending that would overdraw), and export of the filtered list."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import Allocation, Expenditure
from tests.funding.conftest import YEAR, D, allocate, spend


def template(client, name):
    response = client.get(reverse(name), {"template": 1})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.getvalue()))


def upload(client, name, wb, rows):
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for r in rows:
        ws.append([r.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return client.post(reverse(name), {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})


def allocation_row(code, amount, **kw):
    return {"社区代码": code, "预算年度": YEAR, "经费类别": "办公经费", "经费来源": "区财政", "金额（元）": amount,
            "到账日期": f"{YEAR}-03-01", "文号": "城财行〔2025〕12号", **kw}


def spending_row(code, amount, **kw):
    return {"社区代码": code, "支出日期": f"{YEAR}-06-01", "支出类别": "水电费", "金额（元）": amount,
            "用途": "上半年水电费", "凭证号": "V", **kw}


@pytest.mark.django_db
def test_templates_have_chinese_headers_and_dropdowns(login, tree, personas):
    client = login(personas.street_clerk)
    wb = template(client, "funding:allocation_import")
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["记录编号", "社区代码", "社区名称", "所属街道名称"] and "经费来源" in headers
    choices = wb["选项"]
    listed = {cell.value for col in choices.iter_cols() for cell in col}
    assert {"区财政", "部门转移（费随事转）", "党建工作经费"} <= listed
    assert len(ws.data_validations.dataValidation) == 3  # the community by name, and two fixed choices
    wb = template(client, "funding:expenditure_import")
    assert {"党建活动", "书报费"} <= {c.value for col in wb["选项"].iter_cols() for c in col}


@pytest.mark.django_db
def test_allocation_upload_saves_every_row(login, tree, personas):
    client = login(personas.street_clerk)
    response = upload(client, "funding:allocation_import", template(client, "funding:allocation_import"), [
        allocation_row(tree.community_a1.code, 15000),
        allocation_row(tree.community_a2.code, "5000.5", 经费类别="党建工作经费", 经费来源="党费"),
    ])
    assert response.status_code == 302
    assert sorted(Allocation.objects.values_list("amount", flat=True)) == [D("5000.50"), D(15000)]
    assert Allocation.objects.get(community=tree.community_a2).source == "party_dues"


@pytest.mark.django_db
def test_bad_rows_are_reported_and_nothing_is_saved(login, tree, personas):
    client = login(personas.street_clerk)
    response = upload(client, "funding:allocation_import", template(client, "funding:allocation_import"), [
        allocation_row(tree.community_a1.code, 15000),
        allocation_row(tree.community_a1.code, -3),
        allocation_row(tree.community_a1.code, "1.234"),
        allocation_row(tree.community_b1.code, 100),  # neighbour's community
        allocation_row(tree.street_a.code, 100),  # a street, not a community
        allocation_row(tree.community_a1.code, 100, 经费来源="银行贷款"),
    ])
    assert response.status_code == 400
    report = response.content.decode().split('id="import-errors"')[1]
    for row, text in [(3, "不能为负"), (4, "2 位"), (5, "620102002001"), (6, "620102001000"), (7, "银行贷款")]:
        assert f"<td>{row}</td>" in report and text in report, (row, text)
    assert not Allocation.objects.exists()


@pytest.mark.django_db
def test_spending_upload_that_would_overdraw_is_refused_as_a_whole(login, tree, personas):
    allocate(tree.community_a1, "1000.00")
    client = login(personas.street_clerk)
    response = upload(client, "funding:expenditure_import", template(client, "funding:expenditure_import"), [
        spending_row(tree.community_a1.code, 400),
        spending_row(tree.community_a1.code, 500),
        spending_row(tree.community_a1.code, 200),  # 1,100 in all: this row overdraws
    ])
    assert response.status_code == 400
    report = response.content.decode().split('id="import-errors"')[1]
    assert "<td>4</td>" in report and "余额为¥100.00" in report
    assert not Expenditure.objects.exists()
    response = upload(client, "funding:expenditure_import", template(client, "funding:expenditure_import"), [
        spending_row(tree.community_a1.code, 400), spending_row(tree.community_a1.code, 600),
    ])
    assert response.status_code == 302 and Expenditure.objects.count() == 2


@pytest.mark.django_db
def test_export_of_the_filtered_list_round_trips(login, tree, personas):
    allocate(tree.community_a1, 15000)
    allocate(tree.community_a2, 15000)
    allocate(tree.community_a1, 777, year=YEAR - 1)
    allocate(tree.community_b1, 15000)
    spend(tree.community_a1, 100)
    client = login(personas.street_clerk)
    response = client.get(reverse("funding:allocation_list"), {"year": YEAR, "export": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    headers = rows[0]
    assert len(rows) == 3  # two of street A's, this year; not street B's, not last year's
    assert {r[headers.index("社区名称")] for r in rows[1:]} == {"南关社区", "北关社区"}
    assert {r[headers.index("金额（元）")] for r in rows[1:]} == {15000}
    # The exported file, changed and uploaded, updates the records it names.
    wb = openpyxl.Workbook()
    wb.active.append(list(headers))
    for r in rows[1:]:
        r = list(r)
        if r[headers.index("社区名称")] == "北关社区":
            r[headers.index("金额（元）")] = 16000
        wb.active.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(reverse("funding:allocation_import"), {"file": SimpleUploadedFile("e.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    assert Allocation.objects.get(community=tree.community_a2).amount == D(16000)
    assert Allocation.objects.count() == 4
    spent = client.get(reverse("funding:expenditure_list"), {"export": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(spent.getvalue())).worksheets[0]
    assert [c.value for c in ws[2]][5:7] == ["水电费", 100]


@pytest.mark.django_db
def test_a_record_number_outside_the_scope_is_refused(login, tree, personas):
    theirs = allocate(tree.community_b1, 15000)
    client = login(personas.street_clerk)
    response = upload(client, "funding:allocation_import", template(client, "funding:allocation_import"), [
        allocation_row(tree.community_a1.code, 1, 记录编号=theirs.pk),
    ])
    assert response.status_code == 400 and "不在您可编辑的区划范围内" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.community == tree.community_b1 and theirs.amount == D(15000)


@pytest.mark.django_db
def test_standards_upload_and_export(login, tree, personas):
    from funding.models import Standard

    client = login(personas.street_clerk)
    wb = template(client, "funding:standard_import")
    response = upload(client, "funding:standard_import", wb, [
        {"区划代码": tree.street_a.code, "年度": YEAR, "每个社区办公经费": 15000, "每个社区党建工作经费": 5000},
        {"区划代码": tree.community_a1.code, "年度": YEAR, "每个社区党建工作经费": 3000, "每个社区工作经费合计": 5000,
         "依据文件": "-城组发〔2025〕1号"},
    ])
    assert response.status_code == 302, response.content.decode()[-3000:]
    own = Standard.objects.get(node=tree.community_a1)
    assert (own.office_amount, own.party_amount, own.effective_total) == (D(0), D(3000), D(5000))
    response = upload(client, "funding:standard_import", template(client, "funding:standard_import"), [
        {"区划代码": tree.district.code, "年度": YEAR, "每个社区办公经费": 1},  # above the clerk's street
        {"区划代码": tree.street_a.code, "年度": YEAR + 1, "每个社区办公经费": 10, "每个社区工作经费合计": 5},
    ])
    report = response.content.decode().split('id="import-errors"')[1]
    assert response.status_code == 400 and "620102000000" in report and "合计不能少于" in report
    assert Standard.objects.count() == 2
    export = client.get(reverse("funding:standard_list"), {"export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(export.getvalue())).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and "'-城组发〔2025〕1号" in [r[rows[0].index("依据文件")] for r in rows]


@pytest.mark.django_db
def test_compliance_export_follows_the_filters(login, hand_data, personas):
    client = login(personas.district_reviewer)
    response = client.get(reverse("funding:compliance"), {"year": YEAR, "status": "below", "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == "北关社区" and rows[1][-1] == "未达标" and rows[1][-2] == "城关区"
    assert rows[1][3] == 12000 and rows[1][5] == 17000
