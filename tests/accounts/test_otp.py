"""Second factor (TOTP): enrolment with a server-rendered QR code, the code asked at every
login once enrolled, compulsory for administrators and reviewers when configured, reset by
an administrator, wrong codes on record."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccountEvent

PASSWORD = "Test-pass-2026!"


def code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def signed_in(username):
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def enrol(client, user):
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200 and "otp-qr" in page.content.decode()
    qr = client.get(reverse("accounts:otp_qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content[:100] and qr["Cache-Control"] == "no-store"
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("accounts:otp_setup"), {"token": "000000" if code(device) != "000000" else "111111"}).status_code == 200
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    # django-otp throttles a device after a failure (1 s, 2 s, 4 s…); the test does not wait
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(reverse("accounts:otp_setup"), {"token": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


@pytest.mark.django_db
def test_enrolled_user_must_enter_the_code_at_every_login(tree, personas):
    clerk = personas.street_clerk
    device = enrol(signed_in("street_clerk"), clerk)
    assert AccountEvent.objects.filter(target=clerk, kind="otp_enrolled").exists()
    client = signed_in("street_clerk")
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:otp_verify")
    assert client.get("/api/v1/communities/").status_code == 403
    response = client.post(reverse("accounts:otp_verify"), {"token": "12345"})
    assert response.status_code == 200 and "六位" in response.content.decode()
    wrong = code(device, offset=10)
    assert client.post(reverse("accounts:otp_verify"), {"token": wrong}).status_code == 200
    assert AccountEvent.objects.filter(target=clerk, kind="otp_failed").exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    # the code used to enrol cannot be replayed; the next one (within the tolerance) is accepted
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device)}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device, offset=1)}).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.django_db
def test_required_for_administrators_and_reviewers_when_configured(settings, tree, personas, admins):
    settings.SANQI_OTP_REQUIRED = True
    # a clerk is not asked
    assert signed_in("street_clerk").get(reverse("core:home")).status_code == 200
    for username, user in (("district_reviewer", personas.district_reviewer), ("street_admin", admins.street_admin)):
        client = signed_in(username)
        response = client.get(reverse("core:home"))
        assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup"), username
        enrol(client, user)
        assert client.get(reverse("core:home")).status_code == 200
    # cannot remove it while required
    client = signed_in("street_admin")
    device = TOTPDevice.objects.get(user=admins.street_admin)
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device, offset=1)}).status_code == 302
    client.post(reverse("accounts:otp_setup"), {"remove": "1"})
    assert TOTPDevice.objects.filter(user=admins.street_admin).exists()


@pytest.mark.django_db
def test_administrator_resets_a_lost_authenticator_in_scope_only(login, tree, personas, admins):
    enrol(signed_in("street_clerk"), personas.street_clerk)
    enrol(signed_in("neighbour_clerk"), personas.neighbour_clerk)
    client = login(admins.street_admin)
    assert client.post(reverse("accounts:user_action", args=[personas.neighbour_clerk.pk, "otp_reset"])).status_code == 404
    assert TOTPDevice.objects.filter(user=personas.neighbour_clerk).exists()
    assert client.post(reverse("accounts:user_action", args=[personas.street_clerk.pk, "otp_reset"])).status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.street_clerk).exists()
    assert AccountEvent.objects.filter(target=personas.street_clerk, kind="otp_removed", actor=admins.street_admin).exists()
    assert signed_in("street_clerk").get(reverse("core:home")).status_code == 200  # no code asked any more


@pytest.mark.django_db
def test_user_may_remove_own_optional_authenticator(tree, personas):
    client = signed_in("street_clerk")
    enrol(client, personas.street_clerk)
    client.post(reverse("accounts:otp_setup"), {"remove": "1"})
    assert not TOTPDevice.objects.filter(user=personas.street_clerk).exists()
