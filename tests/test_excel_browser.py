"""A street clerk's Excel journey in a real browser (issue 15): download the roster template,
fill ID numbers the way Excel stores them when typed into a General cell (a number that shows
as 6.20102E+17) and as text, upload, read the report, fix and upload again; then export the
list, edit a row and add one, and upload the export back. The clerk may not see personal data:
the export's ID numbers and phones are masked and come back as "unchanged".

Screenshots land in var/screenshots/excel-*.png for review.
"""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from staffing.models import Cadre
from tests.browser import chromium_browser, login_as, page, screenshot, url  # noqa: F401
from tests.staffing.conftest import id_for

pytestmark = pytest.mark.browser


def headers_of(ws) -> list[str]:
    return [c.value for c in ws[1]]


def put(ws, row: int, **values):
    headers = headers_of(ws)
    for title, value in values.items():
        ws.cell(row=row, column=headers.index(title) + 1, value=value)


def person(name, born, code, id_value, phone):
    return {"社区代码": code, "姓名": name, "性别": "女", "出生日期": born.isoformat(), "学历": "大学本科", "党员": "是",
            "入党时间": f"{born.year + 22}-07-01", "手机号码": phone, "身份证号码": id_value}


def download(page, link_name: str, tmp_path, name: str):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = tmp_path / name
    info.value.save_as(path)
    return path


def upload(page, path):
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传").click()


def test_template_fill_upload_then_export_edit_reupload(transactional_db, live_server, tree, personas, page, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    login_as(page, live_server, personas.street_clerk)
    page.goto(url(live_server, reverse("staffing:cadre_import")))
    template = download(page, "下载模板", tmp_path, "template.xlsx")
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    # The template's ID column is Text, and its community column offers the street's communities by name.
    id_letter = openpyxl.utils.get_column_letter(headers_of(ws).index("身份证号码") + 1)
    assert ws.column_dimensions[id_letter].number_format == "@"
    li, wang = date(1980, 1, 1), date(1982, 5, 6)
    li_id, wang_id = id_for(li, "F"), id_for(wang, "F")
    # Row 2 as Excel stores an 18-digit number typed into a General cell: a float, 6.20102E+17.
    put(ws, 2, **person("李丽", li, "南关社区", float(li_id), 13900001111))
    # Row 3 typed as text, the community by its code; but 姓名 forgotten and a phone of "139".
    put(ws, 3, **person(None, wang, "620102001002", wang_id, "139"))
    wb.save(tmp_path / "filled.xlsx")
    upload(page, tmp_path / "filled.xlsx")

    report = page.locator("#import-errors")
    expect(report).to_be_visible()
    expect(report).to_contain_text("设置为文本格式后重新输入")
    expect(report).to_contain_text("6.20102E+17")
    expect(report).not_to_contain_text("校验位")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(3)  # row 2's ID, row 3's name and phone: all in one report
    expect(rows.filter(has_text="姓名")).to_have_count(1)
    expect(rows.filter(has_text="手机号码")).to_have_count(1)
    screenshot(page, "excel-1-report")
    assert not Cadre.objects.exists()

    # Fixed as the report says: the ID typed again into the Text cell, the name, a full phone.
    put(ws, 2, 身份证号码=li_id)
    put(ws, 3, 姓名="王芳", 手机号码="13900002222")
    wb.save(tmp_path / "fixed.xlsx")
    upload(page, tmp_path / "fixed.xlsx")
    expect(page.locator(".alert-success")).to_contain_text("新建 2 条")
    assert dict(Cadre.objects.values_list("name", "community__name")) == {"李丽": "南关社区", "王芳": "北关社区"}

    # Export → edit → re-upload: masked IDs and phones left as exported; one name changed, one row added.
    page.goto(url(live_server, reverse("staffing:cadre_list")))
    exported = openpyxl.load_workbook(download(page, "导出 Excel", tmp_path, "export.xlsx"))
    ws = exported.worksheets[0]
    headers = headers_of(ws)
    masked = [ws.cell(row=r, column=headers.index("身份证号码") + 1).value for r in (2, 3)]
    assert all("*" in value for value in masked)
    row_of_li = next(r for r in (2, 3) if ws.cell(row=r, column=headers.index("姓名") + 1).value == "李丽")
    put(ws, row_of_li, 姓名="李丽华")
    zhao = date(1990, 9, 9)
    zhao_id = id_for(zhao, "F")
    put(ws, 4, **person("赵敏", zhao, "北关社区", zhao_id, "13900003333"))
    exported.save(tmp_path / "edited.xlsx")
    page.goto(url(live_server, reverse("staffing:cadre_import")))
    upload(page, tmp_path / "edited.xlsx")
    expect(page.locator(".alert-success")).to_contain_text("新建 1 条")
    expect(page.locator(".alert-success")).to_contain_text("更新 1 条")
    screenshot(page, "excel-2-roundtrip")
    stored = dict(Cadre.objects.values_list("name", "id_number"))
    assert stored == {"李丽华": li_id, "王芳": wang_id, "赵敏": zhao_id}  # no masked value stored
    assert Cadre.objects.get(name="李丽华").phone == "13900001111"
