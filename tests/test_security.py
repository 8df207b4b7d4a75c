import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import ApiToken

PRODUCTION_ENV = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "sanqi.example.gov.cn"}


def manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_the_development_secret():
    result = manage("check", env={"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_cookies_are_secure():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "True"], result.stderr


@pytest.mark.django_db
def test_login_page_is_chinese_and_logs_in(tree, personas):
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page and "登录" in page
    response = client.post(reverse("login"), {"username": "street_clerk", "password": "Test-pass-2026!"})
    assert response.status_code == 302
    assert "酒泉路街道" in client.get(reverse("core:home")).content.decode()


@pytest.mark.django_db
def test_lockout_after_repeated_failures(tree, personas):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "street_clerk", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "street_clerk", "password": "Test-pass-2026!"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # another user from the same address is not locked out
    assert Client().post(reverse("login"), {"username": "viewer", "password": "Test-pass-2026!"}).status_code == 302


@pytest.mark.django_db
def test_session_expires_when_idle(login, tree, personas):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 3600
    client = login(personas.street_clerk)
    assert client.get(reverse("core:home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("password", ["12345678", "password123", "abc"])
def test_weak_passwords_are_refused_in_chinese(password):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert any("密码" in m for m in exc.value.messages)


@pytest.mark.django_db
def test_forms_need_csrf(tree, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.street_clerk)
    response = client.post(reverse("communities:community_add"), {"code": "620102001009"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_expired_and_unknown_tokens_are_refused(api, tree, personas):
    ApiToken.objects.update(expires=timezone.now() - timedelta(minutes=1))
    url = reverse("communities-api:community-list")
    response = api(token=personas.read_token).get(url)
    assert response.status_code == 401 and "过期" in response.json()["detail"]
    assert api(token="not-a-token").get(url).status_code == 401


@pytest.mark.django_db
def test_token_is_stored_hashed(personas):
    assert not ApiToken.objects.filter(key_hash=personas.read_token).exists()


@pytest.mark.django_db
def test_openapi_schema_and_docs_use_vendored_assets(api, client, personas):
    schema = api(token=personas.read_token).get(reverse("schema"))
    assert schema.status_code == 200 and b"/api/v1/communities/" in schema.content
    client.force_login(personas.viewer)
    docs = client.get(reverse("api-docs")).content.decode()
    assert "drf_spectacular_sidecar" in docs and "cdn" not in docs.lower()
