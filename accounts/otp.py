"""Second factor (等保 8.1.4.1 d, 两种以上鉴别技术): TOTP through django-otp.

Each user may enrol an authenticator app (QR code rendered as SVG on the server by the
``qrcode`` package, nothing from a CDN). Once enrolled, every login asks for the six-digit
code before anything else. ``SANQI_OTP_REQUIRED`` makes enrolment compulsory for the
superuser, administrators (管理员, 安全管理员, 审计员) and reviewers (审核员).
"""

from __future__ import annotations

import io

from django.conf import settings

from core.models import Role

REQUIRED_ROLES = (Role.ADMIN, Role.SECURITY, Role.AUDITOR, Role.REVIEWER)


def confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_required_for(user) -> bool:
    if not settings.SANQI_OTP_REQUIRED:
        return False
    from core.models import Assignment

    return user.is_superuser or Assignment.objects.filter(user=user, role__in=REQUIRED_ROLES).exists()


def pending_device(user):
    """The device being enrolled (unconfirmed), created with a fresh secret on first need."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(text: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def secret_b32(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
