"""Links each login that django-axes recorded to its session, and records how it ended."""

from hashlib import sha256

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone


@receiver(user_logged_in, dispatch_uid="sanqi_login_session")
def open_login_session(sender, request, user, **kwargs):
    from axes.models import AccessLog

    from accounts.models import LoginSession

    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.create()
    key = session.session_key
    digest = sha256(key.encode()).hexdigest()
    log = AccessLog.objects.filter(session_hash=digest, username=user.get_username()).order_by("-id").first()
    LoginSession.objects.update_or_create(session_key=key, defaults={"user": user, "access_log": log})


@receiver(user_logged_out, dispatch_uid="sanqi_logout_session")
def close_login_session(sender, request, user, **kwargs):
    from accounts.models import LoginSession

    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        LoginSession.objects.filter(session_key=key, ended__isnull=True).update(
            ended=timezone.now(), end_reason=LoginSession.End.LOGOUT
        )
