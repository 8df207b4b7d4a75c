"""Delegated administration (系统管理) as each persona: an administrator manages accounts of
their subtree only, grants roles there only, never superuser rights nor their own roles;
三员分立; every change logged; the auditor reads and changes nothing."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AccountEvent, Profile
from accounts.services import account_create, account_update, role_grant
from core.models import Assignment, Role

User = get_user_model()
GOOD = "Initial-pass-88!"


def new_account(client, node, username="new_clerk", password=GOOD):
    return client.post(
        reverse("accounts:user_add"),
        {"username": username, "name": "新录入员", "node": node.pk, "phone": "13900000000", "email": "", "password": password},
    )


@pytest.mark.django_db
def test_street_admin_creates_an_account_in_own_street_only(login, tree, admins):
    client = login(admins.street_admin)
    assert client.get(reverse("accounts:user_add")).status_code == 200
    response = new_account(client, tree.community_a1)
    assert response.status_code == 302
    user = User.objects.get(username="new_clerk")
    assert user.profile.node == tree.community_a1 and user.profile.must_change_password
    assert AccountEvent.objects.filter(target=user, kind="created", actor=admins.street_admin).exists()
    # the neighbouring street is not even offered; posting it anyway is refused, nothing saved
    form_page = client.get(reverse("accounts:user_add")).content.decode()
    assert "张掖路街道" not in form_page
    response = new_account(client, tree.street_b, username="sneaky")
    assert response.status_code == 200 and not User.objects.filter(username="sneaky").exists()
    with pytest.raises(ValidationError):
        account_create(actor=admins.street_admin, username="sneaky", name="x", node=tree.street_b, password=GOOD)
    assert not User.objects.filter(username="sneaky").exists()


@pytest.mark.django_db
def test_accounts_outside_the_subtree_are_404_and_not_listed(login, tree, personas, admins):
    client = login(admins.street_admin)
    listing = client.get(reverse("accounts:user_list")).content.decode()
    assert "street_clerk" in listing and "community_clerk" in listing
    assert "neighbour_clerk" not in listing and "district_reviewer" not in listing and ">admin<" not in listing
    neighbour = personas.neighbour_clerk
    for url in (
        reverse("accounts:user_detail", args=[neighbour.pk]),
        reverse("accounts:user_edit", args=[neighbour.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for action in ("disable", "reset", "grant"):
        assert client.post(reverse("accounts:user_action", args=[neighbour.pk, action]), {"password": GOOD}).status_code == 404
    assert User.objects.get(pk=neighbour.pk).is_active
    # the superuser account is outside every administrator's scope too
    assert client.get(reverse("accounts:user_detail", args=[personas.admin.pk])).status_code == 404
    # the district administrator sees both streets
    listing = login(admins.district_admin).get(reverse("accounts:user_list")).content.decode()
    assert "neighbour_clerk" in listing and "street_clerk" in listing


@pytest.mark.django_db
def test_roles_only_on_nodes_of_the_subtree_never_above(login, tree, personas, admins):
    clerk = personas.community_clerk
    client = login(admins.street_admin)
    url = reverse("accounts:user_action", args=[clerk.pk, "grant"])
    assert client.post(url, {"node": tree.community_a2.pk, "role": Role.REVIEWER}).status_code == 302
    assert Assignment.objects.filter(user=clerk, node=tree.community_a2, role=Role.REVIEWER).exists()
    # 管理员 above the admin's node (the district) or on the neighbouring street: refused
    for node in (tree.district, tree.street_b, tree.city):
        client.post(url, {"node": node.pk, "role": Role.ADMIN})
        assert not Assignment.objects.filter(user=clerk, node=node).exists(), node
        with pytest.raises(ValidationError):
            role_grant(actor=admins.street_admin, user=clerk, node=node, role=Role.ADMIN)
    # 管理员 on the own street is delegable
    role_grant(actor=admins.street_admin, user=clerk, node=tree.street_a, role=Role.ADMIN)
    # security administrator and auditor come from the superuser only
    with pytest.raises(ValidationError):
        role_grant(actor=admins.street_admin, user=personas.street_clerk, node=tree.street_a, role=Role.AUDITOR)
    assert AccountEvent.objects.filter(target=clerk, kind="role_granted").count() == 2


@pytest.mark.django_db
def test_admin_cannot_change_own_roles_or_make_a_superuser(login, tree, personas, admins):
    me = admins.street_admin
    with pytest.raises(PermissionDenied):
        role_grant(actor=me, user=me, node=tree.community_a1, role=Role.ENTRY)
    client = login(me)
    own = Assignment.objects.get(user=me)
    response = client.post(reverse("accounts:role_revoke", args=[me.pk, own.pk]))
    assert response.status_code == 302 and Assignment.objects.filter(pk=own.pk).exists()
    assert client.post(reverse("accounts:user_action", args=[me.pk, "disable"])).status_code == 302
    assert User.objects.get(pk=me.pk).is_active
    # no form field or role makes a superuser or staff member; posting one is ignored
    client.post(reverse("accounts:user_edit", args=[personas.street_clerk.pk]),
                {"name": "李", "node": tree.street_a.pk, "is_superuser": "on", "is_staff": "on"})
    clerk = User.objects.get(pk=personas.street_clerk.pk)
    assert not clerk.is_superuser and not clerk.is_staff
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()


@pytest.mark.django_db
def test_disable_enable_and_reset_are_logged_and_never_delete(login, tree, personas, admins):
    clerk = personas.street_clerk
    client = login(admins.street_admin)
    client.post(reverse("accounts:user_action", args=[clerk.pk, "disable"]))
    assert not User.objects.get(pk=clerk.pk).is_active
    from django.test import Client

    refused = Client().post(reverse("login"), {"username": clerk.username, "password": "Test-pass-2026!"})
    assert refused.status_code == 200  # a disabled account cannot log in
    client.post(reverse("accounts:user_action", args=[clerk.pk, "enable"]))
    assert User.objects.get(pk=clerk.pk).is_active
    client.post(reverse("accounts:user_action", args=[clerk.pk, "reset"]), {"password": "Reset-by-admin-1!"})
    assert User.objects.get(pk=clerk.pk).check_password("Reset-by-admin-1!")
    assert Profile.objects.get(user=clerk).must_change_password
    kinds = list(AccountEvent.objects.filter(target=clerk).order_by("when", "id").values_list("kind", flat=True))
    assert kinds == ["disabled", "enabled", "password_reset"]
    # there is no delete anywhere: not in the portal, not in Django admin
    admin_client = login(personas.admin)
    assert admin_client.get(reverse("admin:auth_user_delete", args=[clerk.pk])).status_code == 403
    # and a user name is never taken twice, whatever the case
    with pytest.raises(ValidationError):
        account_create(actor=personas.admin, username="STREET_CLERK", name="x", node=tree.street_a, password=GOOD)


@pytest.mark.django_db
def test_role_changes_are_in_the_change_log_of_the_part(login, tree, personas, admins):
    role_grant(actor=admins.street_admin, user=personas.community_clerk, node=tree.community_a2, role=Role.VIEWER)
    page = login(admins.auditor).get(reverse("core:changelog")).content.decode()
    assert "北关社区" in page and "查看员" in page
    # the neighbouring street's clerk (no duty on street A) does not see it
    page = login(personas.neighbour_clerk).get(reverse("core:changelog")).content.decode()
    assert "北关社区" not in page


@pytest.mark.django_db
def test_separation_of_duties(settings, tree, personas, admins):
    superuser = personas.admin
    with pytest.raises(ValidationError):
        role_grant(actor=superuser, user=admins.auditor, node=tree.district, role=Role.SECURITY)
    with pytest.raises(ValidationError):
        role_grant(actor=superuser, user=admins.district_admin, node=tree.street_a, role=Role.AUDITOR)
    settings.SANQI_ALLOW_COMBINED_DUTIES = True
    role_grant(actor=superuser, user=admins.auditor, node=tree.district, role=Role.SECURITY)
    assert Assignment.objects.filter(user=admins.auditor, role=Role.SECURITY).exists()


@pytest.mark.django_db
def test_auditor_reads_logs_and_cannot_change_anything(login, tree, personas, admins):
    client = login(admins.auditor)
    assert client.get(reverse("accounts:login_list")).status_code == 200
    assert client.get(reverse("accounts:login_list") + "?tab=failures").status_code == 200
    assert client.get(reverse("accounts:event_list")).status_code == 200
    assert client.get(reverse("core:changelog")).status_code == 200
    clerk = personas.street_clerk
    for url in (reverse("accounts:user_list"), reverse("accounts:user_add"), reverse("accounts:user_import"),
                reverse("accounts:session_list"), reverse("accounts:user_detail", args=[clerk.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("accounts:user_action", args=[clerk.pk, "disable"])).status_code == 403
    assert User.objects.get(pk=clerk.pk).is_active
    # nor any domain data: no view scope at all
    assert client.get(reverse("communities:community_detail", args=[tree.community_a1.pk])).status_code == 404
    assert client.get(reverse("communities:community_add")).status_code == 403


@pytest.mark.django_db
def test_menu_shows_system_administration_to_duties_only(login, tree, personas, admins):
    assert "系统管理" in login(admins.street_admin).get(reverse("core:home")).content.decode()
    assert "系统管理" not in login(personas.street_clerk).get(reverse("core:home")).content.decode()


def sheet(rows, header=None):
    from accounts.sheets import AccountSheet

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header or [c.title for c in AccountSheet.columns])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("accounts.xlsx", buffer.getvalue())


def row(username, code, role="录入员", password=GOOD):
    return [username, "王五", code, "", role, "13700000000", "", password, "", ""]


@pytest.mark.django_db
def test_bulk_import_all_or_nothing_with_a_row_report(login, tree, personas, admins):
    client = login(admins.street_admin)
    template = client.get(reverse("accounts:user_import") + "?template=1")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    bad = sheet([
        row("clerk_a1", tree.community_a1.code),
        row("clerk_b1", tree.community_b1.code),           # neighbouring street
        row("street_clerk", tree.street_a.code),            # taken
        row("clerk_x", tree.street_a.code, role="管理员", password="123"),  # weak password
        row("clerk_y", tree.street_a.code, role="审计员"),  # not delegable
    ])
    response = client.post(reverse("accounts:user_import"), {"file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    for needle in ("620102002001", "street_clerk", "已被使用", "密码", "安全管理员和审计员角色只能由系统超级管理员授予"):
        assert needle in page, needle
    assert not User.objects.filter(username__in=["clerk_a1", "clerk_b1", "clerk_x", "clerk_y"]).exists()
    good = sheet([row("clerk_a1", tree.community_a1.code), row("clerk_a2", tree.community_a2.code, role="审核员")])
    response = client.post(reverse("accounts:user_import"), {"file": good})
    assert response.status_code == 302
    a1 = User.objects.get(username="clerk_a1")
    assert a1.profile.must_change_password and a1.profile.node == tree.community_a1
    assert Assignment.objects.filter(user__username="clerk_a2", node=tree.community_a2, role=Role.REVIEWER).exists()
    assert AccountEvent.objects.filter(kind="imported").count() == 2
    # the export lists the accounts of the part, without passwords
    export = client.get(reverse("accounts:user_list") + "?export=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(export.getvalue()))
    names = [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)]
    assert "clerk_a1" in names and "neighbour_clerk" not in names
    assert all(not r[7] for r in wb.active.iter_rows(min_row=2, values_only=True))


@pytest.mark.django_db
def test_clerk_without_duty_gets_403_on_every_system_page(login, tree, personas, admins):
    client = login(personas.street_clerk)
    for name in ("user_list", "user_add", "user_import", "login_list", "session_list", "security", "event_list"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 403, name


@pytest.mark.django_db
def test_account_phones_are_masked_for_administrators_without_the_permission(login, tree, personas, admins):
    """An administrator without core.view_personal_data sees account phones masked on the
    detail and edit pages and in the export; the masked value posted back keeps the stored
    number, another masked value is refused; the owner sees their own phone."""
    from core.models import PersonalDataAccess
    from tests.generic import page_form_data

    clerk = personas.community_clerk
    Profile.objects.filter(user=clerk).update(phone="13987654321")
    client = login(admins.street_admin)
    detail = client.get(reverse("accounts:user_detail", args=[clerk.pk])).content.decode()
    assert "139****4321" in detail and "13987654321" not in detail
    edit = client.get(reverse("accounts:user_edit", args=[clerk.pk]))
    data = page_form_data(edit)
    assert data["phone"] == "139****4321"
    data["name"] = "改名录入员"
    assert client.post(reverse("accounts:user_edit", args=[clerk.pk]), data).status_code == 302
    clerk.refresh_from_db()
    assert clerk.first_name == "改名录入员" and clerk.profile.phone == "13987654321"
    data["phone"] = "139****0000"
    refused = client.post(reverse("accounts:user_edit", args=[clerk.pk]), data)
    assert refused.status_code == 200 and "打码" in refused.content.decode()
    assert Profile.objects.get(user=clerk).phone == "13987654321"
    exported = client.get(reverse("accounts:user_list"), {"export": "xlsx"})
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(exported.getvalue())).active.iter_rows(values_only=True)
             for c in row]
    assert "139****4321" in cells and "13987654321" not in cells
    assert not PersonalDataAccess.objects.exists()
    # the change log masks an account's new number too (the auditor has no permission either)
    account_update(actor=admins.district_admin, user=clerk, name="改名录入员", node=tree.community_a1,
                   phone="13911112222")
    changelog = login(admins.auditor).get(reverse("core:changelog")).content.decode()
    assert "139****2222" in changelog and "13911112222" not in changelog and "13987654321" not in changelog
    # the owner's own profile page shows their own number
    own = login(clerk).get(reverse("accounts:profile")).content.decode()
    assert "13911112222" in own
