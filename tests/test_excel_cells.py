"""What Excel does to the cells people type (issue 15, Excel): ID numbers, phones and codes are
Text in templates and exports, a number Excel made of them is explained instead of failing the
check digit, every problem of every row comes in one report, a phone of "139" is refused on
every channel, and divisions can be named by name (drop-down) or by code."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Node
from core.excel import Column, parse_identifier
from staffing.models import Cadre
from tests.conftest import make_node
from tests.staffing.conftest import id_for, make_cadre

ROSTER_IMPORT = reverse("staffing:cadre_import")
ROSTER_LIST = reverse("staffing:cadre_list")
FIX = "设置为文本格式后重新输入"


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.getvalue()))


def upload(client, url, wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return client.post(url, {"file": SimpleUploadedFile("sheet.xlsx", buffer.getvalue())})


def problems(response) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in response.context["result"].errors]


def roster_row(wb, **values):
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    row = 2
    while any(c.value is not None for c in ws[row]):
        row += 1
    for name, value in values.items():
        ws.cell(row=row, column=headers.index(name) + 1, value=value)
    return wb


def person(**extra):
    born = date(1980, 1, 1)
    values = {"社区代码": "620102001001", "姓名": "李丽", "性别": "女", "出生日期": born.isoformat(), "学历": "大学本科",
              "党员": "是", "入党时间": "2002-07-01", "手机号码": "13800001234", "身份证号码": id_for(born, "F")}
    values.update(extra)
    return values


# ---- cells ----

ID = Column("id_number", "身份证号码")
PHONE = Column("phone", "手机号码")
CODE = Column("community", "社区", kind="node")


def test_columns_know_their_text_numbers_by_name():
    assert (ID.identifier, PHONE.identifier, CODE.identifier) == ("id_number", "phone", "code")
    assert Column("credit_code", "x").identifier == "code" and Column("name", "x").identifier == ""
    assert Column("amount", "x", kind="decimal").identifier == ""


@pytest.mark.parametrize("raw", [620102198001011234.0, 6.20102e17, "6.20102E+17", "6.20102198001011E+17", "620102198001011234.0"])
def test_an_id_number_excel_made_a_number_of_says_what_happened(raw):
    with pytest.raises(ValueError) as caught:
        parse_identifier(raw, ID)
    message = str(caught.value)
    assert FIX in message and "15" in message and "身份证号码" in message
    assert "E+17" in message or str(raw) in message  # as Excel shows it


@pytest.mark.parametrize("raw,expected", [
    (620102001001, "620102001001"), (620102001001.0, "620102001001"), ("620102001001.0", "620102001001"),
    (13912345678, "13912345678"), ("62010219800101123X", "62010219800101123X"), ("0931-8888888", "0931-8888888"),
])
def test_a_number_that_lost_nothing_is_taken_back(raw, expected):
    column = PHONE if str(expected).startswith(("139", "0931")) else CODE
    assert parse_identifier(raw, column) == expected


def test_a_phone_with_decimals_is_explained():
    with pytest.raises(ValueError) as caught:
        parse_identifier(1391234.5, PHONE)
    assert FIX in str(caught.value)


# ---- templates and exports ----

@pytest.mark.django_db
def test_template_and_export_keep_ids_phones_and_codes_as_text(login, tree, personas):
    client = login(personas.street_clerk)
    make_cadre(tree.community_a1, "王建国", date(1980, 3, 1), phone="13912345678")
    wb = workbook(client.get(ROSTER_IMPORT, {"template": 1}))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for title in ("身份证号码", "手机号码", "社区代码"):
        letter = openpyxl.utils.get_column_letter(headers.index(title) + 1)
        assert ws.column_dimensions[letter].number_format == "@", title
    assert ws.column_dimensions["E"].number_format != "@"  # a date column stays as it was
    exported = workbook(client.get(ROSTER_LIST, {"export": "xlsx"})).worksheets[0]
    row = {h: c for h, c in zip(headers, exported[2])}
    for title in ("身份证号码", "手机号码", "社区代码"):
        assert row[title].number_format == "@" and isinstance(row[title].value, str), title


@pytest.mark.django_db
def test_template_offers_the_communities_in_scope_by_name_from_a_hidden_range(login, tree, personas):
    for n in range(40):  # together well over Excel's 255 characters for an inline list
        make_node(f"6201020010{n + 10:02d}", f"第{n + 1}个很长名字的示范社区", tree.street_a)
    wb = workbook(login(personas.street_clerk).get(ROSTER_IMPORT, {"template": 1}))
    ws = wb.worksheets[0]
    community = next(dv for dv in ws.data_validations.dataValidation if "B2" in str(dv.sqref))
    assert community.formula1.startswith("'选项'!$") and not community.showErrorMessage  # a code may be typed too
    lists = wb["选项"]
    column = community.formula1.split("!$")[1].split("$")[0]
    offered = [c.value for c in lists[column] if c.value]
    assert "南关社区" in offered and "北关社区" in offered and "第40个很长名字的示范社区" in offered
    assert "中山社区" not in offered and "西湖社区" not in offered  # other streets
    assert len("、".join(offered)) > 255


# ---- uploads ----

@pytest.mark.django_db
def test_every_problem_of_every_row_in_one_report(login, tree, personas):
    client = login(personas.street_clerk)
    wb = workbook(client.get(ROSTER_IMPORT, {"template": 1}))
    roster_row(wb, **person(姓名=None, 身份证号码=6.20102198001011e17, 手机号码="139"))
    roster_row(wb, **person(姓名="赵六", 性别="不详", 社区代码="620102002001", 身份证号码="6.20102E+17"))
    response = upload(client, ROSTER_IMPORT, wb)
    assert response.status_code == 400
    found = problems(response)
    by_row = {}
    for row, column, message in found:
        by_row.setdefault(row, {})[column] = message
    assert set(by_row[2]) == {"姓名", "身份证号码", "手机号码"}, found
    assert FIX in by_row[2]["身份证号码"] and "校验位" not in by_row[2]["身份证号码"]
    assert set(by_row[3]) == {"性别", "社区代码", "身份证号码"}, found
    assert not Cadre.objects.exists()


@pytest.mark.django_db
def test_text_cells_and_names_are_accepted(login, tree, personas):
    client = login(personas.street_clerk)
    wb = workbook(client.get(ROSTER_IMPORT, {"template": 1}))
    roster_row(wb, **person(社区代码="北关社区", 手机号码=13912345678))
    roster_row(wb, **person(姓名="孙七", 社区代码="南关社区（620102001001）", 身份证号码=id_for(date(1981, 2, 2), "F"), 出生日期="1981-02-02"))
    response = upload(client, ROSTER_IMPORT, wb)
    assert response.status_code == 302, problems(response)
    assert dict(Cadre.objects.values_list("name", "community__name")) == {"李丽": "北关社区", "孙七": "南关社区"}
    assert Cadre.objects.get(name="李丽").phone == "13912345678"


@pytest.mark.django_db
def test_an_ambiguous_community_name_is_explained(login, tree, personas):
    make_node("620102001003", "南关社区", tree.street_a)
    client = login(personas.street_clerk)
    wb = workbook(client.get(ROSTER_IMPORT, {"template": 1}))
    assert "南关社区（620102001003）" in [c.value for col in wb["选项"].iter_cols() for c in col]
    roster_row(wb, **person(社区代码="南关社区"))
    response = upload(client, ROSTER_IMPORT, wb)
    assert response.status_code == 400
    [(row, column, message)] = problems(response)
    assert (row, column) == (2, "社区代码") and "620102001001" in message and "620102001003" in message


# ---- one phone validator on every channel ----

@pytest.mark.django_db
def test_a_three_digit_phone_is_refused_by_upload_form_and_api(login, api, tree, personas):
    client = login(personas.street_clerk)
    wb = workbook(client.get(ROSTER_IMPORT, {"template": 1}))
    roster_row(wb, **person(手机号码="139"))
    response = upload(client, ROSTER_IMPORT, wb)
    assert response.status_code == 400 and [c for _r, c, _m in problems(response)] == ["手机号码"]
    cadre = make_cadre(tree.community_a1, "王建国", date(1980, 3, 1), phone="13912345678")
    response = api(personas.street_clerk).patch(reverse("staffing-api:cadre-detail", args=[cadre.pk]), {"phone": "139"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    # the personal centre and the account pages share the validator
    response = client.post(reverse("accounts:profile"), {"name": "李录入", "phone": "139"})
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    from accounts.models import Profile

    assert not Profile.objects.filter(phone="139").exists()
    assert Cadre.objects.get(pk=cadre.pk).phone == "13912345678"
