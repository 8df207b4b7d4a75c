"""Templates and all-or-nothing uploads for units, registrations and claims."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from regional_building import models as m
from regional_building.sheets import ClaimSheet, MemberRegistrationSheet, ResidentUnitSheet
from tests.regional_building import factories as fx


def workbook(sheet_class, user, rows) -> SimpleUploadedFile:
    headers = [c.title for c in sheet_class(user).columns]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("upload.xlsx", buffer.getvalue())


def upload(client, name, file):
    return client.post(reverse(f"regional_building:{name}_import"), {"file": file})


@pytest.mark.django_db
def test_templates_download_with_dropdowns(login, tree, personas):
    client = login(personas.street_clerk)
    for name in ("residentunit", "memberregistration", "claim"):
        response = client.get(reverse(f"regional_building:{name}_import") + "?template=1")
        assert response.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
        assert wb.worksheets[0].max_row == 1 and "说明" in wb.sheetnames[-1] or len(wb.sheetnames) >= 2
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(client.get(
        reverse("regional_building:residentunit_import") + "?template=1").content)).worksheets[0][1]]
    assert "统一社会信用代码" in headers and "单位类别" in headers


@pytest.mark.django_db
def test_unit_upload_creates_and_updates(login, tree, personas):
    existing = fx.unit(tree.street_a, name="旧名称")
    rows = [
        {"单位名称": "城关区第一人民医院", "单位类别": "医院", "统一社会信用代码": fx.credit_code(700001),
         "所在街道/社区区划代码": tree.community_a1.code, "党组织形式": "党委", "党员人数": 85, "联系电话": "0931-8123456"},
        {"单位名称": "新名称", "单位类别": "国有企业", "统一社会信用代码": existing.credit_code,
         "所在街道/社区区划代码": tree.street_a.code, "党员人数": 30},
    ]
    response = upload(login(personas.street_clerk), "residentunit", workbook(ResidentUnitSheet, personas.street_clerk, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    existing.refresh_from_db()
    assert existing.name == "新名称"
    assert m.ResidentUnit.objects.get(credit_code=fx.credit_code(700001)).node == tree.community_a1


@pytest.mark.django_db
def test_unit_upload_with_one_bad_row_saves_nothing(login, tree, personas):
    good = fx.credit_code(700002)
    rows = [
        {"单位名称": "好单位", "单位类别": "学校", "统一社会信用代码": good, "所在街道/社区区划代码": tree.street_a.code},
        {"单位名称": "错码单位", "单位类别": "学校", "统一社会信用代码": good[:-1] + ("0" if good[-1] != "0" else "1"),
         "所在街道/社区区划代码": tree.street_a.code},
        {"单位名称": "越权单位", "单位类别": "学校", "统一社会信用代码": fx.credit_code(700003),
         "所在街道/社区区划代码": tree.street_b.code},
    ]
    response = upload(login(personas.street_clerk), "residentunit", workbook(ResidentUnitSheet, personas.street_clerk, rows))
    body = response.content.decode()
    assert response.status_code == 400
    assert "校验位错误" in body and "620102002000不是您可录入数据的街道或社区" in body
    assert not m.ResidentUnit.objects.exists()


@pytest.mark.django_db
def test_registration_upload_refuses_duplicates_in_the_file_and_saves_nothing(login, tree, personas):
    unit = fx.unit(tree.street_a)
    row = {"党员姓名": "王芳", "联系电话": "13900001111", "工作单位统一社会信用代码": unit.credit_code,
           "居住社区区划代码": tree.community_a1.code, "报到日期": "2025-03-01"}
    other = {**row, "党员姓名": "李娜", "联系电话": "13900002222", "工作单位统一社会信用代码": "", "工作单位（其他）": "兰州大学"}
    response = upload(login(personas.street_clerk), "memberregistration",
                      workbook(MemberRegistrationSheet, personas.street_clerk, [row, other, row]))
    assert response.status_code == 400
    assert "王芳已在本社区报到" in response.content.decode()
    assert not m.MemberRegistration.objects.exists()
    response = upload(login(personas.street_clerk), "memberregistration",
                      workbook(MemberRegistrationSheet, personas.street_clerk, [row, other]))
    assert response.status_code == 302
    assert set(m.MemberRegistration.objects.values_list("name", flat=True)) == {"王芳", "李娜"}
    assert m.MemberRegistration.objects.get(name="王芳").work_unit == unit


@pytest.mark.django_db
def test_claim_upload_beyond_capacity_saves_nothing(login, tree, personas):
    post = fx.post(tree.community_a1, capacity=2)
    regs = [fx.registration(tree.community_a1) for _ in range(3)]
    unit = fx.unit(tree.street_a)
    rows = [{"服务岗位编号": post.pk, "党员报到编号": r.pk, "认领日期": "2025-04-01", "服务时长（小时）": 2} for r in regs]
    response = upload(login(personas.street_clerk), "claim", workbook(ClaimSheet, personas.street_clerk, rows))
    assert response.status_code == 400 and "已认领满" in response.content.decode()
    assert not m.Claim.objects.exists()
    rows = rows[:1] + [{"服务岗位编号": post.pk, "认领单位统一社会信用代码": unit.credit_code, "认领日期": "2025-04-02",
                        "服务时长（小时）": "3.5"}]
    response = upload(login(personas.street_clerk), "claim", workbook(ClaimSheet, personas.street_clerk, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert post.claims.count() == 2 and post.claims.get(unit=unit).hours == 3.5


@pytest.mark.django_db
def test_exported_registrations_upload_back_unchanged(login, tree, personas):
    fx.registration(tree.community_a1, name="赵敏", phone="13912340000")
    client = login(personas.street_clerk)
    exported = client.get(reverse("regional_building:memberregistration_list") + "?export=xlsx")
    response = upload(client, "memberregistration", SimpleUploadedFile("back.xlsx", exported.getvalue()))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert m.MemberRegistration.objects.get().phone == "13912340000"  # the masked export did not overwrite it
