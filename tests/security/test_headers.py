"""Issue 12, finding 7: a strict Content-Security-Policy and a Permissions-Policy on every
response when DEBUG is off; pages carry no inline script, event handler or style for the policy
to forbid; the OpenAPI schema and its docs page are closed to anonymous users unless a
setting opens them (and closed by default in production)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_security import PRODUCTION_ENV, manage

# Production settings but plain static storage: the manifest needs a collectstatic run.
PROBE = """
import json
from django.conf import settings
from django.test import Client, override_settings
plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
c = Client(HTTP_HOST="sanqi.example.gov.cn")
out = {}
with override_settings(STORAGES=plain):
    for url in ("/login/", "/api/schema/", "/api/docs/"):
        r = c.get(url, secure=True)
        out[url] = {"status": r.status_code, "csp": r.get("Content-Security-Policy", ""),
                    "pp": r.get("Permissions-Policy", ""), "location": r.get("Location", "")}
print("PROBE" + json.dumps(out))
"""


def production_probe(**env):
    result = manage("shell", "-c", PROBE, env={**PRODUCTION_ENV, **env})
    line = [x for x in result.stdout.splitlines() if x.startswith("PROBE")]
    assert line, result.stdout + result.stderr
    return json.loads(line[-1][len("PROBE"):])


def directives(policy: str) -> dict:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_production_sends_a_strict_csp_and_a_permissions_policy():
    login = production_probe()["/login/"]
    assert login["status"] == 200
    csp = directives(login["csp"])
    assert csp.get("default-src") == ["'self'"], login["csp"]
    assert csp.get("script-src") == ["'self'"], login["csp"]
    assert csp.get("style-src") == ["'self'"], login["csp"]
    assert csp.get("object-src") == ["'none'"] and csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("base-uri") == ["'self'"] and csp.get("form-action") == ["'self'"]
    assert "unsafe" not in login["csp"]
    assert "camera=()" in login["pp"] and "geolocation=()" in login["pp"] and "microphone=()" in login["pp"]


def test_production_closes_schema_and_docs_to_anonymous_users():
    probe = production_probe()
    assert probe["/api/schema/"]["status"] in (401, 403), probe
    assert probe["/api/docs/"]["status"] == 302 and "/login/" in probe["/api/docs/"]["location"], probe


def test_a_setting_opens_schema_and_docs_in_production():
    probe = production_probe(SANQI_API_DOCS_ANONYMOUS="1")
    assert probe["/api/schema/"]["status"] == 200 and probe["/api/docs/"]["status"] == 200, probe


@pytest.mark.django_db
def test_closed_docs_still_serve_signed_in_users_and_tokens(client, api, personas, settings):
    settings.SANQI_API_DOCS_ANONYMOUS = False
    assert client.get(reverse("schema")).status_code in (401, 403)
    assert client.get(reverse("api-docs")).status_code == 302
    assert api(token=personas.read_token).get(reverse("schema")).status_code == 200
    client.force_login(personas.viewer)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "<script>" not in body and "<style>" not in body  # the initialiser is a separate script
    script = re.search(r'<script src="([^"]*\?script[^"]*)"', body)
    assert script, body
    assert client.get(script.group(1).replace("&amp;", "&")).status_code == 200


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_templates_have_nothing_inline_that_the_policy_forbids():
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for what, pattern in INLINE.items():
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not offenders, "\n".join(offenders)
