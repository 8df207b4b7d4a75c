"""等保 8.1.4.3: every login success, failure, lockout, logout and idle timeout is on record
(django-axes plus the session link), readable in scope, exportable; 在线用户 with forced
logout; audit records immutable everywhere and archived, never dropped."""

import gzip
import io
import json
from datetime import timedelta

import openpyxl
import pytest
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.archive import archive_old_records
from accounts.models import AccountEvent, AuditArchive, LoginSession
from accounts.services import end_idle_sessions
from core.models import PersonalDataAccess

PASSWORD = "Test-pass-2026!"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130 SanqiTest"


def browser_login(username, password=PASSWORD, ip="10.1.2.3"):
    client = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


@pytest.mark.django_db
def test_success_failure_lockout_logout_and_idle_timeout_are_recorded(tree, personas, admins):
    clerk_client, _ = browser_login("street_clerk")
    log = AccessLog.objects.get(username="street_clerk")
    assert log.ip_address == "10.1.2.3" and log.user_agent == UA and log.logout_time is None
    session = LoginSession.objects.get(access_log=log)
    assert session.user == personas.street_clerk and session.ended is None
    clerk_client.post(reverse("logout"))
    session.refresh_from_db(), log.refresh_from_db()
    assert session.end_reason == "logout" and log.logout_time is not None
    # failures, then the lockout
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser_login("community_clerk", "wrong-password")
    failures = AccessFailureLog.objects.filter(username="community_clerk")
    assert failures.count() == settings.AXES_FAILURE_LIMIT and failures.filter(locked_out=True).exists()
    assert all(f.user_agent == UA and f.ip_address == "10.1.2.3" for f in failures)
    # idle timeout: the session expires without a logout
    browser_login("neighbour_clerk")
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
    assert end_idle_sessions() == 1
    idle = LoginSession.objects.get(user=personas.neighbour_clerk)
    assert idle.end_reason == "idle" and idle.access_log.logout_time == idle.ended
    assert end_idle_sessions() == 0  # running again changes nothing


@pytest.mark.django_db
def test_logout_removes_the_session_data(tree, personas):
    """剩余信息保护: nothing of the session stays on the server after logout."""
    client, _ = browser_login("street_clerk")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_login_records_in_scope_filter_and_export(login, tree, personas, admins):
    browser_login("street_clerk")
    browser_login("neighbour_clerk")
    browser_login("street_clerk", "wrong", ip="10.9.9.9")
    browser_login("no_such_user", "wrong")
    client = login(admins.street_admin)
    page = client.get(reverse("accounts:login_list")).content.decode()
    assert "street_clerk" in page and "neighbour_clerk" not in page and UA in page
    failures = client.get(reverse("accounts:login_list") + "?tab=failures").content.decode()
    assert "10.9.9.9" in failures and "no_such_user" not in failures
    # the auditor of the district sees both streets, filters by user and exports the same rows
    client = login(admins.auditor)
    page = client.get(reverse("accounts:login_list")).content.decode()
    assert "street_clerk" in page and "neighbour_clerk" in page
    filtered = client.get(reverse("accounts:login_list") + "?username=neighbour").content.decode()
    assert "neighbour_clerk" in filtered and "street_clerk" not in filtered
    export = client.get(reverse("accounts:login_list") + "?username=neighbour&export=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.getvalue())).active.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["neighbour_clerk"] and rows[0][2] == "10.1.2.3" and rows[0][3] == UA
    export = client.get(reverse("accounts:login_list") + "?tab=failures&export=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.getvalue())).active.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["street_clerk"]  # unknown names belong to no division


@pytest.mark.django_db
def test_login_list_queries_do_not_grow_with_rows(login, tree, personas, admins, django_assert_max_num_queries):
    for _ in range(30):
        browser_login("street_clerk")
    client = login(admins.district_admin)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("accounts:login_list")).status_code == 200


@pytest.mark.django_db
def test_session_stays_online_after_changing_the_password(login, tree, personas, admins):
    client, _ = browser_login("street_clerk")
    new = "Another-pass-2027!"
    client.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert client.get(reverse("core:home")).status_code == 200
    assert end_idle_sessions() == 0
    page = login(admins.street_admin).get(reverse("accounts:session_list")).content.decode()
    assert "street_clerk" in page


@pytest.mark.django_db
def test_online_users_and_forced_logout(login, tree, personas, admins):
    clerk_client, _ = browser_login("street_clerk")
    neighbour_client, _ = browser_login("neighbour_clerk")
    admin_client = login(admins.street_admin)
    page = admin_client.get(reverse("accounts:session_list")).content.decode()
    assert "street_clerk" in page and "neighbour_clerk" not in page
    neighbour_session = LoginSession.objects.get(user=personas.neighbour_clerk)
    # a session outside the subtree: 404, and it stays open
    assert admin_client.post(reverse("accounts:session_logout", args=[neighbour_session.pk])).status_code == 404
    assert neighbour_client.get(reverse("core:home")).status_code == 200
    own = LoginSession.objects.get(user=personas.street_clerk)
    assert admin_client.post(reverse("accounts:session_logout", args=[own.pk])).status_code == 302
    home = clerk_client.get(reverse("core:home"))
    assert home.status_code == 302 and "/login/" in home["Location"]
    own.refresh_from_db()
    assert own.end_reason == "forced" and own.access_log.logout_time is not None
    assert AccountEvent.objects.filter(kind="forced_logout", target=personas.street_clerk, actor=admins.street_admin).exists()
    # the security administrator of the district may do it too; the auditor may not even look
    assert login(admins.security).get(reverse("accounts:session_list")).status_code == 200
    assert login(admins.auditor).get(reverse("accounts:session_list")).status_code == 403


@pytest.mark.django_db
def test_security_admin_sees_policy_and_clears_a_lockout(login, tree, personas, admins):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser_login("street_clerk", "wrong-password")
    assert browser_login("street_clerk")[1].status_code == 429
    client = login(admins.security)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "90 天" in page and "street_clerk" in page
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="street_clerk")
    # the administrator sees the lockout, but only the security administrator clears it (三员分立)
    assert login(admins.street_admin).post(reverse("accounts:security"), {"attempt": attempt.pk}).status_code == 403
    client = login(admins.security)  # (the login fixture shares one client)
    assert client.post(reverse("accounts:security"), {"attempt": attempt.pk}).status_code == 302
    assert browser_login("street_clerk")[1].status_code == 302
    assert AccessFailureLog.objects.filter(username="street_clerk", locked_out=True).exists()  # the record stays
    assert AccountEvent.objects.filter(kind="unlocked", target=personas.street_clerk).exists()


@pytest.mark.django_db
def test_audit_records_cannot_be_changed_or_deleted_in_django_admin_or_code(login, tree, personas, admins):
    browser_login("street_clerk")
    browser_login("street_clerk", "wrong")
    event = AccountEvent.objects.create(target=personas.street_clerk, kind="changed")
    client = login(personas.admin)
    for model, obj in (("accesslog", AccessLog.objects.first()), ("accessfailurelog", AccessFailureLog.objects.first()),
                       ("accountevent", event)):
        app = "accounts" if model == "accountevent" else "axes"
        assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{app}_{model}_delete", args=[obj.pk])).status_code == 403, model
        change = client.post(reverse(f"admin:{app}_{model}_change", args=[obj.pk]), {"username": "forged"})
        assert change.status_code == 403, model
    assert client.get(reverse("admin:core_personaldataaccess_changelist")).status_code == 200
    assert AccessLog.objects.filter(username="street_clerk").exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        event.delete()
    event.detail = "forged"
    with pytest.raises(PermissionDenied):
        event.save()


@pytest.mark.django_db
def test_old_audit_records_are_archived_not_dropped(settings, tmp_path, tree, personas, admins):
    settings.SANQI_AUDIT_ARCHIVE_DIR = tmp_path
    browser_login("street_clerk")
    browser_login("street_clerk", "wrong")
    event = AccountEvent.objects.create(target=personas.street_clerk, kind="changed")
    long_ago = timezone.now() - timedelta(days=settings.SANQI_AUDIT_RETENTION_DAYS + 5)
    AccessLog.objects.update(attempt_time=long_ago)
    AccessFailureLog.objects.update(attempt_time=long_ago)
    LoginSession.objects.update(started=long_ago)
    AccountEvent.objects.filter(pk=event.pk).update(when=long_ago)
    AccountEvent.objects.create(target=personas.street_clerk, kind="enabled")  # recent: stays
    done = archive_old_records()
    assert done == {"login_sessions": 1, "access_log": 1, "access_failure_log": 1, "account_events": 1}
    assert not AccessLog.objects.exists() and not AccessFailureLog.objects.exists()
    assert list(AccountEvent.objects.values_list("kind", flat=True)) == ["enabled"]
    archive = AuditArchive.objects.get(kind="access_log")
    with gzip.open(archive.path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    assert rows[0]["username"] == "street_clerk" and rows[0]["user_agent"] == UA
    import hashlib

    assert hashlib.sha256(open(archive.path, "rb").read()).hexdigest() == archive.sha256
    assert archive_old_records() == {}  # nothing more to archive
    assert PersonalDataAccess.objects.count() == 0


def test_retention_is_never_below_180_days():
    assert settings.SANQI_AUDIT_RETENTION_DAYS >= 180
    assert "archive-audit-records" in settings.CELERY_BEAT_SCHEDULE
