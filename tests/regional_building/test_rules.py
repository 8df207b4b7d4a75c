"""Status derivations, every refusal of the issue, attachments, masking, scope and filters."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import PersonalDataAccess
from regional_building import models as m
from regional_building import services as sv
from regional_building.codes import make_credit_code, validate_credit_code
from tests.regional_building import factories as fx

D = datetime.date
TODAY = timezone.localdate()


# ---- status derivations ----

@pytest.mark.parametrize(
    "valid_from,valid_until,terminated,expected",
    [
        (D(2020, 1, 1), D(2099, 1, 1), None, "in_force"),
        (D(2020, 1, 1), D(2020, 12, 31), None, "expired"),
        (D(2098, 1, 1), D(2099, 1, 1), None, "pending"),
        (D(2020, 1, 1), D(2099, 1, 1), D(2021, 1, 1), "terminated"),
        (D(2020, 1, 1), D(2020, 12, 31), D(2020, 6, 1), "terminated"),  # termination wins over the dates
    ],
)
@pytest.mark.django_db
def test_agreement_status_from_dates_unless_terminated(tree, valid_from, valid_until, terminated, expected):
    u = fx.unit(tree.street_a)
    agr = fx.agreement(tree.street_a, u, D(2019, 12, 1), valid_from, valid_until, terminated_on=terminated,
                       termination_reason="解除" if terminated else "")
    assert agr.status_on() == expected
    assert m.Agreement.objects.with_status().get(pk=agr.pk).status == expected  # the SQL agrees


@pytest.mark.django_db
def test_agreement_status_on_the_boundary_days(tree):
    agr = fx.agreement(tree.street_a, fx.unit(tree.street_a), D(2025, 1, 1), D(2025, 1, 1), D(2025, 12, 31))
    assert agr.status_on(D(2024, 12, 31)) == "pending"
    assert agr.status_on(D(2025, 1, 1)) == "in_force"
    assert agr.status_on(D(2025, 12, 31)) == "in_force"
    assert agr.status_on(D(2026, 1, 1)) == "expired"
    assert m.Agreement.objects.with_status(D(2025, 12, 31)).get().status == "in_force"
    assert m.Agreement.objects.with_status(D(2026, 1, 1)).get().status == "expired"


@pytest.mark.django_db
def test_commitment_status_kept_due_overdue(tree):
    agr = fx.agreement(tree.street_a, fx.unit(tree.street_a), D(2025, 1, 1), D(2025, 1, 1), D(2027, 1, 1))
    kept = fx.commitment(agr, D(2025, 3, 1))
    fx.fulfilment(kept, D(2025, 3, 5))  # late, but kept
    overdue = fx.commitment(agr, D(2025, 3, 1))
    due = fx.commitment(agr, D(2025, 9, 1))
    today = D(2025, 6, 1)
    assert [c.status_on(today) for c in (kept, overdue, due)] == ["kept", "overdue", "due"]
    by_pk = {c.pk: c.status for c in m.Commitment.objects.with_status(today)}
    assert by_pk == {kept.pk: "kept", overdue.pk: "overdue", due.pk: "due"}
    assert due.status_on(D(2025, 9, 1)) == "due" and due.status_on(D(2025, 9, 2)) == "overdue"


# ---- refusals ----

@pytest.mark.django_db
def test_validity_ending_before_it_starts_is_refused(tree, personas, login, api):
    u = fx.unit(tree.street_a)
    with pytest.raises(ValidationError) as exc:
        sv.agreement_create(actor=personas.street_clerk, title="倒置协议", node=tree.street_a, unit=u,
                            signed_on=D(2025, 1, 1), valid_from=D(2025, 6, 1), valid_until=D(2025, 5, 1))
    assert "有效期止不能早于有效期起" in str(exc.value.message_dict["valid_until"])
    data = {"title": "倒置协议", "node": tree.street_a.pk, "unit": u.pk, "signed_on": "2025-01-01",
            "valid_from": "2025-06-01", "valid_until": "2025-05-01"}
    page = login(personas.street_clerk).post(reverse("regional_building:agreement_add"), data)
    assert page.status_code == 200 and "有效期止不能早于有效期起" in page.content.decode()
    response = api(token=personas.write_token).post(reverse("regional_building-api:agreement-list"), data, format="json")
    assert response.status_code == 400 and "有效期止不能早于有效期起" in response.json()["valid_until"][0]
    assert not m.Agreement.objects.exists()


@pytest.mark.django_db
def test_fulfilment_before_signing_is_refused(tree, personas, login):
    agr = fx.agreement(tree.street_a, fx.unit(tree.street_a), D(2025, 3, 1), D(2025, 3, 1), D(2026, 3, 1))
    c = fx.commitment(agr, D(2025, 9, 1))
    with pytest.raises(ValidationError) as exc:
        sv.fulfilment_create(actor=personas.street_clerk, commitment=c, done_on=D(2025, 2, 28), what_was_done="提前")
    assert "履行日期不能早于协议签订日期（2025-03-01）" in exc.value.message_dict["done_on"][0]
    page = login(personas.street_clerk).post(
        reverse("regional_building:fulfilment_add"), {"commitment": c.pk, "done_on": "2025-02-28", "what_was_done": "提前"}
    )
    assert "履行日期不能早于协议签订日期" in page.content.decode()
    assert not m.Fulfilment.objects.exists()
    sv.fulfilment_create(actor=personas.street_clerk, commitment=c, done_on=D(2025, 3, 1), what_was_done="当天")


@pytest.mark.django_db
def test_same_member_twice_in_one_community_while_active_is_refused(tree, personas, api):
    fields = dict(name="刘洋", phone="13993112345", work_unit_name="兰州大学", community=tree.community_a1,
                  registered_on=D(2025, 3, 1))
    first = sv.memberregistration_create(actor=personas.street_clerk, **fields)
    with pytest.raises(ValidationError) as exc:
        sv.memberregistration_create(actor=personas.street_clerk, **{**fields, "name": " 刘洋 "})
    assert "刘洋已在本社区报到（2025-03-01起）" in exc.value.message_dict["name"][0]
    response = api(token=personas.write_token).post(
        reverse("regional_building-api:memberregistration-list"),
        {**fields, "community": tree.community_a1.pk, "registered_on": "2025-04-01"}, format="json",
    )
    assert response.status_code == 400, response.content
    assert "已在本社区报到" in str(response.json()), response.json()
    # Another community is fine; so is the same one once the first registration is revoked.
    sv.memberregistration_create(actor=personas.street_clerk, **{**fields, "community": tree.community_a2})
    sv.memberregistration_revoke(actor=personas.street_clerk, memberregistration=first, revoked_on=D(2025, 5, 1), reason="搬家")
    sv.memberregistration_create(actor=personas.street_clerk, **{**fields, "registered_on": D(2025, 6, 1)})
    assert m.MemberRegistration.objects.filter(community=tree.community_a1, status="registered").count() == 1


@pytest.mark.django_db
def test_revoking_needs_a_reason(tree, personas):
    reg = fx.registration(tree.community_a1)
    with pytest.raises(ValidationError) as exc:
        sv.memberregistration_update(actor=personas.street_clerk, memberregistration=reg, status="revoked")
    assert "请填写撤销报到的原因" in str(exc.value) and "请填写撤销日期" in str(exc.value)


@pytest.mark.django_db
def test_claims_beyond_capacity_are_refused(tree, personas, login):
    post = fx.post(tree.community_a1, capacity=2)
    regs = [fx.registration(tree.community_a1) for _ in range(3)]
    for reg in regs[:2]:
        sv.claim_create(actor=personas.street_clerk, post=post, member=reg, claimed_on=D(2025, 4, 1), hours=2)
    with pytest.raises(ValidationError) as exc:
        sv.claim_create(actor=personas.street_clerk, post=post, member=regs[2], claimed_on=D(2025, 4, 1), hours=2)
    assert "已认领满：可认领数为2，已有2次认领" in exc.value.message_dict["post"][0]
    page = login(personas.street_clerk).post(
        reverse("regional_building:claim_add"),
        {"post": post.pk, "member": regs[2].pk, "claimed_on": "2025-04-01", "hours": "1"},
    )
    assert "已认领满" in page.content.decode()
    assert post.claims.count() == 2
    with pytest.raises(ValidationError) as exc:
        sv.servicepost_update(actor=personas.street_clerk, servicepost=post, capacity=1)
    assert "可认领数不能低于此数" in exc.value.message_dict["capacity"][0]


@pytest.mark.django_db
def test_claim_needs_exactly_one_claimant_of_the_posts_community(tree, personas):
    post = fx.post(tree.community_a1)
    elsewhere = fx.registration(tree.community_a2)
    u = fx.unit(tree.street_a)
    with pytest.raises(ValidationError) as exc:
        sv.claim_create(actor=personas.street_clerk, post=post, claimed_on=D(2025, 4, 1))
    assert "二者必须且只能选择一个" in str(exc.value)
    with pytest.raises(ValidationError):
        sv.claim_create(actor=personas.street_clerk, post=post, member=elsewhere, unit=u, claimed_on=D(2025, 4, 1))
    with pytest.raises(ValidationError) as exc:
        sv.claim_create(actor=personas.street_clerk, post=post, member=elsewhere, claimed_on=D(2025, 4, 1))
    assert "社区不同" in str(exc.value)


def test_credit_code_checksum():
    good = make_credit_code("91620102MA7Y3P2K1")
    validate_credit_code(good)
    validate_credit_code("91350100M000100Y43")  # a published real-world example
    for bad, words in [
        (good[:-1] + ("0" if good[-1] != "0" else "1"), "校验位错误"),
        (good[:17], "应为18位，当前为17位"),
        ("91620102MA7Y3P2KIO", "不能包含I、O"),
    ]:
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(bad)
        assert words in exc.value.messages[0], bad


@pytest.mark.django_db
def test_bad_credit_code_gets_a_clear_message_on_the_page(tree, personas, login):
    code = make_credit_code("91620102MA7Y3P2K1")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    page = login(personas.street_clerk).post(
        reverse("regional_building:residentunit_add"),
        {"name": "错码单位", "kind": "school", "credit_code": wrong, "node": tree.street_a.pk, "party_member_count": 0},
    )
    assert page.status_code == 200 and f"校验位错误（应为{code[-1]}）" in page.content.decode()
    assert not m.ResidentUnit.objects.exists()


@pytest.mark.django_db
def test_unit_outside_the_street_cannot_sign(tree, personas):
    with pytest.raises(ValidationError) as exc:
        sv.agreement_create(actor=personas.admin, title="跨街道", node=tree.street_a, unit=fx.unit(tree.street_b),
                            signed_on=D(2025, 1, 1), valid_from=D(2025, 1, 1), valid_until=D(2026, 1, 1))
    assert "不在同一街道" in str(exc.value)


@pytest.mark.django_db
def test_conference_level_must_match_its_node(tree, personas):
    with pytest.raises(ValidationError) as exc:
        sv.jointconference_create(actor=personas.street_clerk, name="错层", level="community", node=tree.street_a)
    assert "社区党建联席分会应隶属于社区" in str(exc.value)


@pytest.mark.django_db
def test_only_member_units_attend(tree, personas):
    conf = fx.conference(tree.street_a)
    member_unit, stranger = fx.unit(tree.street_a, name="成员单位甲"), fx.unit(tree.street_a, name="非成员乙")
    fx.member(conf, member_unit)
    with pytest.raises(ValidationError) as exc:
        sv.meeting_create(actor=personas.street_clerk, conference=conf, held_on=D(2025, 3, 1), topics="议题",
                          attendees=[member_unit, stranger])
    assert "非成员乙不是成员单位" in str(exc.value)
    meeting = sv.meeting_create(actor=personas.street_clerk, conference=conf, held_on=D(2025, 3, 1), topics="议题",
                                attendees=[member_unit])
    assert list(meeting.attendees.all()) == [member_unit]


# ---- attachments ----

def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def post_meeting(client, conf, upload):
    return client.post(
        reverse("regional_building:meeting_add"),
        {"conference": conf.pk, "held_on": "2025-03-01", "topics": "带附件的会议", "resolutions": "", "minutes": upload},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content,message",
    [
        ("纪要.exe", b"MZ\x90\x00", "附件只能是PDF、Word（.docx）、JPG或PNG文件"),
        ("纪要.txt", b"hello", "附件只能是PDF、Word（.docx）、JPG或PNG文件"),
        ("纪要.pdf", b"MZ\x90\x00 an executable renamed", "的内容不是PDF文件"),
        ("纪要.png", b"%PDF-1.4 a pdf renamed to png", "的内容不是PNG文件"),
        ("纪要.docx", b"PK\x03\x04 not really a zip", "的内容不是DOCX文件"),
        ("纪要.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), "附件不能超过10 MB"),
    ],
)
def test_attachment_of_wrong_type_or_too_large_is_refused(tree, personas, login, private_media, name, content, message):
    conf = fx.conference(tree.street_a)
    page = post_meeting(login(personas.street_clerk), conf, SimpleUploadedFile(name, content))
    assert page.status_code == 200 and message in page.content.decode()
    assert not m.Meeting.objects.exists()
    assert not any(private_media.rglob("*.*")) if private_media.exists() else True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content",
    [("纪要.pdf", b"%PDF-1.7\n..."), ("签到.jpg", b"\xff\xd8\xff\xe0JFIF"), ("照片.PNG", b"\x89PNG\r\n\x1a\n...."), ("纪要.docx", None)],
)
def test_good_attachment_is_stored_privately_and_downloaded_through_scope(tree, personas, login, private_media, name, content):
    conf = fx.conference(tree.street_a)
    content = content or docx_bytes()
    response = post_meeting(login(personas.street_clerk), conf, SimpleUploadedFile(name, content))
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = m.Meeting.objects.get()
    assert meeting.minutes_name == name
    stored = private_media / meeting.minutes.name
    assert stored.exists() and stored.read_bytes() == content
    assert name not in meeting.minutes.name  # stored under a random name
    detail = login(personas.street_clerk).get(meeting.get_absolute_url()).content.decode()
    assert reverse("regional_building:meeting_minutes", args=[meeting.pk]) in detail and "/media/" not in detail
    download = login(personas.street_clerk).get(reverse("regional_building:meeting_minutes", args=[meeting.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"] and download["X-Content-Type-Options"] == "nosniff"
    assert login(personas.neighbour_clerk).get(reverse("regional_building:meeting_minutes", args=[meeting.pk])).status_code == 404


@pytest.mark.django_db
def test_anonymous_cannot_download_minutes(client, tree, personas, login, private_media):
    conf = fx.conference(tree.street_a)
    post_meeting(login(personas.street_clerk), conf, SimpleUploadedFile("纪要.pdf", b"%PDF-1.4"))
    client.logout()
    meeting = m.Meeting.objects.get()
    response = client.get(reverse("regional_building:meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---- scope: street-level records are the street's ----

@pytest.mark.django_db
def test_community_clerk_sees_their_community_not_the_streets_records(tree, personas, login, api):
    street_unit = fx.unit(tree.street_a, name="街道级单位")
    street_agr = fx.agreement(tree.street_a, street_unit, title="街道级协议")
    community_agr = fx.agreement(tree.community_a1, fx.unit(tree.community_a1, name="社区级单位"), title="社区级协议")
    sibling_agr = fx.agreement(tree.community_a2, fx.unit(tree.community_a2, name="北关单位"), title="北关协议")
    client = login(personas.community_clerk)
    page = client.get(reverse("regional_building:agreement_list")).content.decode()
    assert "社区级协议" in page and "街道级协议" not in page and "北关协议" not in page
    assert client.get(street_agr.get_absolute_url()).status_code == 404
    assert client.get(sibling_agr.get_absolute_url()).status_code == 404
    ids = {r["id"] for r in api(personas.community_clerk).get(reverse("regional_building-api:agreement-list")).json()["results"]}
    assert ids == {community_agr.pk}
    with pytest.raises(PermissionDenied):
        sv.agreement_create(actor=personas.community_clerk, title="越级", node=tree.street_a, unit=street_unit,
                            signed_on=D(2025, 1, 1), valid_from=D(2025, 1, 1), valid_until=D(2026, 1, 1))
    # The street clerk sees both levels of their street.
    page = login(personas.street_clerk).get(reverse("regional_building:agreement_list")).content.decode()
    assert "社区级协议" in page and "街道级协议" in page and "北关协议" in page


# ---- masking ----

@pytest.mark.django_db
def test_contact_phone_masked_without_permission(tree, personas, login, api, django_user_model):
    unit = fx.unit(tree.street_a, contact_phone="13912345678")
    reg = fx.registration(tree.community_a1, phone="13887654321")
    client = login(personas.street_clerk)
    for url in (reverse("regional_building:residentunit_list"), unit.get_absolute_url(),
                reverse("regional_building:memberregistration_list"), reg.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "13912345678" not in body and "13887654321" not in body, url
    assert "139****5678" in client.get(unit.get_absolute_url()).content.decode()
    row = api(personas.street_clerk).get(reverse("regional_building-api:residentunit-detail", args=[unit.pk])).json()
    assert row["contact_phone"] == "139****5678"
    export = client.get(reverse("regional_building:residentunit_list") + "?export=xlsx")
    assert b"13912345678" not in _xlsx_text(export.getvalue())
    edit = client.get(reverse("regional_building:memberregistration_edit", args=[reg.pk])).content.decode()
    assert "13887654321" not in edit and "138****4321" in edit
    # Saving the form with the masked value keeps the stored number.
    client.post(reverse("regional_building:memberregistration_edit", args=[reg.pk]), {
        "name": reg.name, "phone": "138****4321", "work_unit_name": reg.work_unit_name, "community": tree.community_a1.pk,
        "registered_on": "2025-03-05", "status": "registered"})
    reg.refresh_from_db()
    assert reg.phone == "13887654321"

    personas.street_clerk.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    privileged = django_user_model.objects.get(pk=personas.street_clerk.pk)
    client = login(privileged)
    assert "13912345678" in client.get(unit.get_absolute_url()).content.decode()
    assert PersonalDataAccess.objects.filter(user=privileged, object_id=unit.pk, channel="page").exists()
    assert "13912345678" in client.get(reverse("regional_building:residentunit_list")).content.decode()


def _xlsx_text(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))


# ---- filters ----

@pytest.mark.django_db
def test_agreements_expiring_within_90_days_and_overdue_commitments(tree, personas, login, api):
    u = fx.unit(tree.street_a)
    soon = fx.agreement(tree.street_a, u, TODAY - datetime.timedelta(days=300), TODAY - datetime.timedelta(days=300),
                        TODAY + datetime.timedelta(days=30), title="即将到期协议")
    fx.agreement(tree.street_a, u, TODAY - datetime.timedelta(days=300), TODAY - datetime.timedelta(days=300),
                 TODAY + datetime.timedelta(days=200), title="长期协议")
    fx.agreement(tree.street_a, u, TODAY - datetime.timedelta(days=300), TODAY - datetime.timedelta(days=300),
                 TODAY + datetime.timedelta(days=30), title="已终止协议", terminated_on=TODAY - datetime.timedelta(days=1),
                 termination_reason="解除")
    client = login(personas.street_clerk)
    page = client.get(reverse("regional_building:agreement_list"), {"expiring": "true"}).content.decode()
    assert "即将到期协议" in page and "长期协议" not in page and "已终止协议" not in page
    assert "90天内到期" in page and 'href="?expiring=true"' in page and "90天内到期的协议" in page
    api_ids = {r["id"] for r in api(personas.street_clerk).get(reverse("regional_building-api:agreement-list"), {"expiring": "true"}).json()["results"]}
    assert api_ids == {soon.pk}
    late = fx.commitment(soon, TODAY - datetime.timedelta(days=5), description="逾期承诺")
    fx.commitment(soon, TODAY + datetime.timedelta(days=5), description="未到期承诺")
    kept = fx.commitment(soon, TODAY - datetime.timedelta(days=5), description="已履行承诺")
    fx.fulfilment(kept, TODAY - datetime.timedelta(days=6))
    page = client.get(reverse("regional_building:commitment_list"), {"status": "overdue"}).content.decode()
    assert "逾期承诺" in page and "未到期承诺" not in page and "已履行承诺" not in page
    assert 'href="?status=overdue"' in page and "逾期未履行的承诺" in page
    rows = api(personas.street_clerk).get(reverse("regional_building-api:commitment-list"), {"status": "overdue"}).json()["results"]
    assert [r["id"] for r in rows] == [late.pk] and rows[0]["status_display"] == "已逾期"
    status = {r["title"]: r["status"] for r in api(personas.street_clerk).get(reverse("regional_building-api:agreement-list"), {"status": "terminated"}).json()["results"]}
    assert status == {"已终止协议": "terminated"}


@pytest.mark.django_db
def test_every_list_exports_to_excel(tree, personas, login, hand_data):
    from regional_building.urls import SEGMENTS

    client = login(personas.district_reviewer)
    for name in SEGMENTS:
        response = client.get(reverse(f"regional_building:{name}_list") + "?export=xlsx")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), name
        assert len(_xlsx_text(response.getvalue())) > 100


@pytest.mark.django_db
def test_detail_pages_show_history_and_children(tree, personas, login, hand_data):
    agr = hand_data["a1"]
    sv.agreement_update(actor=personas.street_clerk, agreement=agr, notes="增补条款")
    body = login(personas.district_reviewer).get(agr.get_absolute_url()).content.decode()
    assert "变更历史" in body and "street_clerk" in body and "增补条款" in body
    assert "开展一次党日活动" in body and "已逾期" in body and "已履行" in body


@pytest.mark.django_db
def test_feedback_shows_the_quarters_hours_for_the_work_unit(tree, personas, login):
    unit = fx.unit(tree.street_a, name="兰州银行酒泉路支行")
    reg = fx.registration(tree.community_a1, work_unit=unit, work_unit_name="")
    post = fx.post(tree.community_a1, offered_on=D(2025, 1, 1))
    fx.claim(post, member=reg, claimed_on=D(2025, 4, 2), hours="3.5")
    fx.claim(post, member=reg, claimed_on=D(2025, 6, 30), hours=2)
    fx.claim(post, member=reg, claimed_on=D(2025, 7, 1), hours=9)
    feedback = fx.feedback(reg, year=2025, quarter=2)
    assert feedback.quarter_hours() == 5.5
    body = login(personas.street_clerk).get(feedback.get_absolute_url()).content.decode()
    assert "兰州银行酒泉路支行" in body and "5.5" in body and "本季度服务时长" in body


@pytest.mark.django_db
def test_community_filter_is_labelled_street_slash_community(tree, personas, login):
    body = login(personas.district_reviewer).get(reverse("regional_building:memberregistration_list")).content.decode()
    assert "酒泉路街道 / 南关社区" in body and "张掖路街道 / 中山社区" in body


@pytest.mark.django_db(transaction=True)
def test_edit_form_names_the_minutes_without_a_media_url_and_can_clear_them(tree, personas, login, private_media):
    conf = fx.conference(tree.street_a)
    client = login(personas.street_clerk)
    post_meeting(client, conf, SimpleUploadedFile("三月纪要.pdf", b"%PDF-1.4"))
    meeting = m.Meeting.objects.get()
    stored = private_media / meeting.minutes.name
    edit = client.get(reverse("regional_building:meeting_edit", args=[meeting.pk])).content.decode()
    assert "三月纪要.pdf" in edit and "/media/" not in edit and meeting.minutes.name not in edit
    response = client.post(reverse("regional_building:meeting_edit", args=[meeting.pk]), {
        "conference": conf.pk, "held_on": "2025-03-01", "topics": "带附件的会议", "minutes-clear": "on",
        "version": meeting.version})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert not meeting.minutes and meeting.minutes_name == ""
    assert not stored.exists()  # the cleared file is removed once the change is committed
