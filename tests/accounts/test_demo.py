import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_demo_has_the_three_duties_of_the_district_and_they_work(settings):
    settings.DEBUG = True  # the demo loads on development and demo servers only
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    for username in ("district_admin", "district_security", "district_auditor"):
        assert username in text
    client = Client()
    assert client.post(reverse("login"), {"username": "district_admin", "password": "Sanqi@2026"}).status_code == 302
    listing = client.get(reverse("accounts:user_list") + "?q=clerk").content.decode()
    assert "street_clerk" in listing and "neighbour_clerk" in listing  # both streets are in 城关区
    auditor = Client()
    auditor.post(reverse("login"), {"username": "district_auditor", "password": "Sanqi@2026"})
    assert auditor.get(reverse("accounts:login_list")).status_code == 200
    assert "district_admin" in auditor.get(reverse("accounts:login_list")).content.decode()
    assert auditor.get(reverse("accounts:user_list")).status_code == 403
