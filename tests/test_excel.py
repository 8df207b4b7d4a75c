"""Excel round trip and every bad upload: each gets a clear Chinese message and saves nothing."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Node
from communities.sheets import CommunitySheet
from core.downloads import content_disposition, export_name
from core.excel import neutralise

IMPORT_URL = reverse("communities:community_import")
LIST_URL = reverse("communities:community_list")


def xlsx_upload(wb, name="communities.xlsx"):
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def template_workbook(client):
    response = client.get(IMPORT_URL, {"template": 1})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.getvalue()))


def row(code, name, street_code, **kw):
    values = {
        "区划代码": code, "社区名称": name, "所属街道代码": street_code, "所属街道名称": "", "社区类型": "商品房小区",
        "城市社区": "是", "常住人口": 5000, "流动人口": 300, "户数": 1800, "党员数": 120, "党组织形式": "党支部",
        "地址": "兰州市城关区", "办公电话": "0931-1234567",
    }
    values.update(kw)
    return values


def fill(wb, rows):
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for r in rows:
        ws.append([r.get(h) for h in headers])
    return wb


def node_state():
    return list(Node.objects.order_by("code").values_list("code", "name", "households", "parent_id"))


def upload(client, f):
    return client.post(IMPORT_URL, {"file": f})


@pytest.mark.django_db
def test_template_has_dropdowns_and_chinese_headers(login, tree, personas):
    wb = template_workbook(login(personas.street_clerk))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["区划代码", "社区名称", "所属街道代码"]
    validations = ws.data_validations.dataValidation
    assert len(validations) == 4  # street (by name), community type, urban yes/no, party organization form
    lists = wb["选项"]
    assert lists.sheet_state == "hidden"
    assert "党委" in [c.value for c in lists[ "C"] if c.value] or "党委" in [c.value for col in lists.iter_cols() for c in col]


@pytest.mark.django_db
def test_upload_creates_and_updates_all_or_nothing(login, tree, personas):
    client = login(personas.street_clerk)
    wb = fill(template_workbook(client), [
        row("620102001010", "新一社区", "620102001000"),
        row("620102001011", "新二社区", "620102001000", 户数=2222),
        row("620102001001", "南关社区", "620102001000", 户数=9999),  # existing: update
    ])
    response = upload(client, xlsx_upload(wb))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Node.objects.get(code="620102001011").households == 2222
    assert Node.objects.get(code="620102001001").households == 9999
    assert Node.objects.get(code="620102001010").history.first().history_user == personas.street_clerk


@pytest.mark.django_db
def test_round_trip_export_then_upload_changes_nothing(login, tree, personas):
    client = login(personas.street_clerk)
    Node.objects.filter(pk=tree.community_a2.pk).update(name="=HYPERLINK(\"http://x\")社区")
    exported = client.get(LIST_URL, {"export": "xlsx"})
    assert exported.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(exported.getvalue()))
    ws = wb.worksheets[0]
    codes = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert codes == ["620102001001", "620102001002"]  # only the clerk's street
    names = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names[1].startswith("'=")  # formula neutralised
    before = node_state()
    response = upload(client, xlsx_upload(wb))
    assert response.status_code == 302
    assert node_state() == before


@pytest.mark.django_db
def test_export_follows_the_filters(login, tree, personas):
    client = login(personas.district_reviewer)
    exported = client.get(LIST_URL, {"export": "xlsx", "street": tree.street_b.pk})
    ws = openpyxl.load_workbook(io.BytesIO(exported.getvalue())).worksheets[0]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["620102002001"]


@pytest.mark.django_db
def test_list_export_streams_a_styled_workbook(login, tree, personas):
    response = login(personas.district_reviewer).get(LIST_URL, {"export": "xlsx"})
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == content_disposition(export_name(personas.district_reviewer, CommunitySheet.title))
    ws = openpyxl.load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    assert [c.value for c in ws[1]] == [c.title for c in CommunitySheet(personas.district_reviewer).columns]  # with 版本
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == CommunitySheet.columns[0].width
    codes = sorted(r[0] for r in ws.iter_rows(min_row=2, values_only=True))
    assert codes == sorted(Node.objects.filter(level=5, code__startswith="620102").values_list("code", flat=True))


def test_xlsx_stream_sends_bytes_before_reading_every_row_and_keeps_types():
    import datetime
    from decimal import Decimal

    from core.excel import STREAM_BATCH, xlsx_stream

    read = []

    def rows():
        for n in range(STREAM_BATCH * 40):
            read.append(n)
            yield [f"社区{n}<&>", n, Decimal("12.50"), datetime.date(2025, 6, 1), None, n % 2 == 0, "'=x"]

    chunks = xlsx_stream("名单", ["名称", "序号", "金额", "日期", "空", "是否", "公式"], [20] * 7, rows())
    first = next(chunks)
    assert first and len(read) < STREAM_BATCH * 40  # the download began before the last row was read
    data = first + b"".join(chunks)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.max_row == STREAM_BATCH * 40 + 1
    assert [c.value for c in ws[3]] == ["社区1<&>", 1, 12.5, datetime.datetime(2025, 6, 1), None, False, "'=x"]
    assert ws["D3"].number_format == "yyyy-mm-dd"


def test_xlsx_stream_goes_on_in_a_new_sheet_past_the_row_limit():
    from core.excel import XLSX_MAX_ROWS, xlsx_stream

    assert XLSX_MAX_ROWS == 1_048_576  # Excel's limit, header included
    data = b"".join(xlsx_stream("名单", ["序号"], [10], ([n] for n in range(25)), max_rows=10))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["名单", "名单（续2）", "名单（续3）"]
    assert [ws.max_row for ws in wb.worksheets] == [10, 10, 8]  # each with its header row
    values = [v for ws in wb.worksheets for (v,) in ws.iter_rows(min_row=2, values_only=True)]
    assert values == list(range(25)) and {ws["A1"].value for ws in wb.worksheets} == {"序号"}


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_neutralise(value):
    assert neutralise(value).startswith("'")
    assert neutralise("南关社区") == "南关社区" and neutralise(-5) == -5


def assert_rejected(response, *fragments):
    assert response.status_code == 400
    body = response.content.decode()
    assert "未保存任何数据" in body
    for fragment in fragments:
        assert fragment in body, fragment
    return body


@pytest.mark.django_db
def test_bad_rows_are_reported_by_row_and_column_and_nothing_saved(login, tree, personas):
    client = login(personas.street_clerk)
    before = node_state()
    wb = fill(template_workbook(client), [
        row("620102001010", "好社区", "620102001000"),  # row 2: fine, but must not be saved
        row("62010200101X", "坏代码", "620102001000"),  # row 3
        row("620102001012", "重复", "620102001000"),  # row 4
        row("620102001012", "重复", "620102001000"),  # row 5: duplicate of row 4
        row("620102002010", "越权", "620102002000"),  # row 6: neighbour street
        row("620102001013", "坏类型", "620102001000", 社区类型="别墅区", 户数="很多"),  # row 7
        row("620102002001", "偷改", "620102001000"),  # row 8: existing code of the neighbour street
    ])
    body = assert_rejected(upload(client, xlsx_upload(wb)))
    assert node_state() == before
    report = body[body.index('id="import-errors"'):]
    assert "<td>3</td>" in report and "区划代码必须是12位数字" in report
    assert "<td>5</td>" in report and "重复出现" in report
    assert "<td>6</td>" in report and "不在您可录入的范围内" in report
    assert "<td>7</td>" in report and "“别墅区”不是可选值" in report and "“很多”不是整数" in report
    assert "<td>8</td>" in report and "管辖范围以外" in report


@pytest.mark.django_db
def test_wrong_headers(login, tree, personas):
    wb = openpyxl.Workbook()
    wb.active.append(["代码", "名字"])
    wb.active.append(["620102001010", "x"])
    assert_rejected(upload(login(personas.street_clerk), xlsx_upload(wb)), "表头与模板不一致", "缺少列", "多出的列")


@pytest.mark.django_db
def test_not_an_xlsx(login, tree, personas):
    client = login(personas.street_clerk)
    assert_rejected(upload(client, SimpleUploadedFile("a.xlsx", "区划代码,名称\n1,2".encode())), "不是 Excel 工作簿")
    fake_zip = io.BytesIO()
    with zipfile.ZipFile(fake_zip, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert_rejected(upload(client, SimpleUploadedFile("b.xlsx", fake_zip.getvalue())), "不是 Excel 工作簿")


@pytest.mark.django_db
def test_file_over_the_size_limit(login, tree, personas, settings):
    settings.SANQI_UPLOAD_MAX_BYTES = 10_000
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * 20_000)
    assert_rejected(upload(login(personas.street_clerk), big), "超过了", "上限")


@pytest.mark.django_db
def test_zip_bomb_is_refused_before_reading(login, tree, personas, settings, monkeypatch):
    settings.SANQI_UPLOAD_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))  # 50 MB of zeros, ~50 KB packed
    assert len(bomb.getvalue()) < 200_000

    def fail(*args, **kwargs):
        raise AssertionError("openpyxl must not be called on a zip bomb")

    monkeypatch.setattr("core.excel.openpyxl.load_workbook", fail)
    assert_rejected(upload(login(personas.street_clerk), SimpleUploadedFile("bomb.xlsx", bomb.getvalue())), "压缩炸弹")


def test_openpyxl_parses_through_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML is True


@pytest.mark.django_db
def test_empty_sheet(login, tree, personas):
    client = login(personas.street_clerk)
    assert_rejected(upload(client, xlsx_upload(template_workbook(client))), "没有数据行")


@pytest.mark.django_db
def test_viewer_cannot_upload(login, tree, personas):
    client = login(personas.viewer)
    assert client.get(IMPORT_URL).status_code == 403


def test_sheet_columns_match_form_fields():
    from communities.forms import CommunityForm

    importable = {c.name for c in CommunitySheet.columns if c.importable}
    assert importable == set(CommunityForm._meta.fields)
