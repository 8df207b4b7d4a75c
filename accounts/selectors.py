"""Reads of accounts and login records, each narrowed to the viewer's duties and subtree."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from functools import reduce
from operator import or_

from django.db.models import Q

from core.scope import Action, scope_q

User = get_user_model()

LOGIN_READERS = (Action.ADMINISTER, Action.SECURE, Action.AUDIT)


def _duty_q(viewer, actions, path: str) -> Q:
    parts = [scope_q(viewer, action, path) for action in actions]
    if any(not p for p in parts):  # an empty Q: unrestricted
        return Q()
    return reduce(or_, parts)


def accounts_in_duty(viewer, actions=LOGIN_READERS):
    """Accounts whose home division lies where the viewer holds one of ``actions``."""
    if viewer.is_superuser:
        return User.objects.all()
    return User.objects.filter(_duty_q(viewer, actions, "profile__node"))


def login_records_visible_to(viewer):
    """django-axes' successful logins (with logout time and how the session ended)."""
    from axes.models import AccessLog

    qs = AccessLog.objects.select_related("login_session").order_by("-attempt_time", "-id")
    if viewer.is_superuser:
        return qs
    return qs.filter(username__in=accounts_in_duty(viewer).values("username"))


def login_failures_visible_to(viewer):
    """django-axes' failed logins and lockouts. Failures naming no known account are seen by
    the superuser only (they belong to no division)."""
    from axes.models import AccessFailureLog

    qs = AccessFailureLog.objects.order_by("-attempt_time", "-id")
    if viewer.is_superuser:
        return qs
    return qs.filter(username__in=accounts_in_duty(viewer).values("username"))


def lockouts_visible_to(viewer):
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.order_by("-attempt_time")
    if viewer.is_superuser:
        return qs
    return qs.filter(username__in=accounts_in_duty(viewer, (Action.SECURE, Action.ADMINISTER)).values("username"))


def account_events_visible_to(viewer):
    from accounts.models import AccountEvent

    qs = AccountEvent.objects.select_related("actor", "target", "node").order_by("-when", "-id")
    if viewer.is_superuser:
        return qs
    return qs.filter(_duty_q(viewer, (Action.ADMINISTER, Action.AUDIT), "node"))


def recent_logins_of(user, limit: int = 10):
    from axes.models import AccessFailureLog, AccessLog

    ok = list(AccessLog.objects.filter(username=user.get_username()).select_related("login_session").order_by("-attempt_time")[:limit])
    failed = list(AccessFailureLog.objects.filter(username=user.get_username()).order_by("-attempt_time")[:limit])
    return ok, failed
