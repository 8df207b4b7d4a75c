"""Writes of delegated administration (系统管理). Each takes the acting user and refuses,
with a Chinese message, anything outside the actor's administration scope:

- an administrator (管理员 on a node) manages the accounts whose home division lies in that
  subtree and grants roles only on nodes of it;
- nobody grants superuser rights here, and nobody changes their own roles or disables
  themselves;
- 三员分立: no account holds two of 管理员 / 安全管理员 / 审计员 unless
  ``SANQI_ALLOW_COMBINED_DUTIES`` is set;
- the duties 安全管理员 and 审计员 are granted by the system's superuser only (so an
  administrator cannot appoint the people who check on them).

Every change writes an :class:`AccountEvent` (and the profile/assignment history).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccountEvent, LoginSession, Profile
from accounts.policy import profile_of
from core.models import DUTY_ROLES, Assignment, Role
from core.scope import Action, clear_scope_cache, node_in_scope, scope_q

User = get_user_model()

# Roles an administrator may grant on nodes of their subtree; the superuser grants any.
DELEGABLE_ROLES = (Role.ENTRY, Role.REVIEWER, Role.VIEWER, Role.ADMIN)
ADMIN_ACTIONS = (Action.ADMINISTER,)


def _deny_outside() -> PermissionDenied:
    return PermissionDenied(_("This account lies outside the part of the hierarchy you administer."))


def manageable_accounts(actor):
    """Accounts the actor administers: home division in the actor's 管理员 subtree."""
    qs = User.objects.all()
    if actor.is_superuser:
        return qs
    return qs.filter(scope_q(actor, Action.ADMINISTER, "profile__node"))


def check_manageable(*, actor, user) -> None:
    if actor.pk == user.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot administer your own account; another administrator must."))
    if not manageable_accounts(actor).filter(pk=user.pk).exists():
        raise _deny_outside()
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a system superuser can change a superuser account."))


def check_node(*, actor, node) -> None:
    if node is None:
        if not actor.is_superuser:
            raise ValidationError({"node": _("Choose the division the account belongs to.")})
        return
    if not node_in_scope(actor, node, Action.ADMINISTER):
        raise ValidationError(
            {"node": _("%(node)s lies outside the part of the hierarchy you administer.") % {"node": node}}
        )


def _event(*, actor, user, kind, detail="", ip=None, node=None) -> AccountEvent:
    if node is None:
        node = profile_of(user).node
    return AccountEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        target=user,
        node=node,
        kind=kind,
        detail=detail[:300],
        ip_address=ip or None,
    )


def _check_username(username: str, exclude_pk=None) -> None:
    # Accounts are disabled, never deleted, so a unique name is never reused.
    clash = User.objects.filter(username__iexact=username)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"username": _("The user name %(name)s is taken (names are never reused).") % {"name": username}})


@transaction.atomic
def account_create(
    *, actor, username: str, name: str, node, password: str, phone: str = "", email: str = "", ip=None,
    kind: str = AccountEvent.Kind.CREATED,
):
    """A new account in the actor's subtree; it must change the password at first login."""
    username = (username or "").strip()
    check_node(actor=actor, node=node)
    _check_username(username)
    user = User(username=username, first_name=(name or "").strip(), last_name="", email=email or "")
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError({k: v for k, v in exc.message_dict.items()}) from exc
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    profile = profile_of(user)
    profile.node, profile.phone, profile.must_change_password = node, phone or "", True
    profile._history_user = actor
    profile.save()
    _event(actor=actor, user=user, kind=kind, ip=ip, node=node, detail=f"{username} · {node or ''}")
    return user


@transaction.atomic
def account_update(*, actor, user, name: str, node, phone: str = "", email: str = "", ip=None):
    check_manageable(actor=actor, user=user)
    check_node(actor=actor, node=node)
    user = User.objects.select_for_update().get(pk=user.pk)
    profile = profile_of(user)
    before = (user.first_name, user.last_name, user.email, profile.node_id, profile.phone)
    user.first_name, user.last_name, user.email = (name or "").strip(), "", email or ""
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "email"])
    profile.node, profile.phone = node, phone or ""
    if before != (user.first_name, user.last_name, user.email, profile.node_id, profile.phone):
        profile._history_user = actor
        profile.save()
        _event(actor=actor, user=user, kind=AccountEvent.Kind.CHANGED, ip=ip, node=node)
    return user


def _end_sessions(user, reason) -> int:
    """Delete the user's live sessions and record how they ended; returns how many."""
    from axes.models import AccessLog

    now = timezone.now()
    open_ = LoginSession.objects.filter(user=user, ended__isnull=True)
    keys = list(open_.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    AccessLog.objects.filter(login_session__in=open_, logout_time__isnull=True).update(logout_time=now)
    return open_.update(ended=now, end_reason=reason)


@transaction.atomic
def account_set_active(*, actor, user, active: bool, ip=None):
    check_manageable(actor=actor, user=user)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        _end_sessions(user, LoginSession.End.FORCED)
    _event(actor=actor, user=user, kind=AccountEvent.Kind.ENABLED if active else AccountEvent.Kind.DISABLED, ip=ip)
    return user


@transaction.atomic
def account_reset_password(*, actor, user, password: str, ip=None):
    """Set a password chosen by the administrator; the user must change it at next login."""
    check_manageable(actor=actor, user=user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    Profile.objects.filter(user=user).update(must_change_password=True)
    _end_sessions(user, LoginSession.End.FORCED)
    _event(actor=actor, user=user, kind=AccountEvent.Kind.PASSWORD_RESET, ip=ip)
    return user


@transaction.atomic
def password_change_own(*, user, old_password: str, new_password: str, ip=None):
    """The user changes their own password (the form checks the old one and the rules)."""
    user.set_password(new_password)
    user.save()
    Profile.objects.filter(user=user).update(must_change_password=False)
    _event(actor=user, user=user, kind=AccountEvent.Kind.PASSWORD_CHANGED, ip=ip)
    return user


def check_duties(*, user, role: str) -> None:
    if settings.SANQI_ALLOW_COMBINED_DUTIES or role not in DUTY_ROLES:
        return
    held = set(Assignment.objects.filter(user=user, role__in=DUTY_ROLES).values_list("role", flat=True))
    held.discard(role)
    if held:
        raise ValidationError(
            {
                "role": _(
                    "Separation of duties: %(user)s already holds %(held)s; an account may hold only one of "
                    "administrator, security administrator and auditor."
                )
                % {"user": user.get_username(), "held": "、".join(str(Role(r).label) for r in sorted(held))}
            }
        )


@transaction.atomic
def role_grant(*, actor, user, node, role: str, ip=None) -> Assignment:
    if user.pk == actor.pk:
        raise PermissionDenied(_("You cannot change your own roles; another administrator must."))
    check_manageable(actor=actor, user=user)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not actor.is_superuser and role not in DELEGABLE_ROLES:
        raise ValidationError(
            {"role": _("Only the system superuser grants the security administrator and auditor roles.")}
        )
    if node is None or not (actor.is_superuser or node_in_scope(actor, node, Action.ADMINISTER)):
        raise ValidationError(
            {"node": _("You can grant roles only on divisions of the part of the hierarchy you administer.")}
        )
    check_duties(user=user, role=role)
    assignment, created = Assignment.objects.get_or_create(user=user, node=node, role=role)
    if created:
        clear_scope_cache(user)
        _event(
            actor=actor, user=user, kind=AccountEvent.Kind.ROLE_GRANTED, ip=ip,
            detail=f"{node.name}（{node.code}）· {Role(role).label}",
        )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: Assignment, ip=None) -> None:
    user = assignment.user
    if user.pk == actor.pk:
        raise PermissionDenied(_("You cannot change your own roles; another administrator must."))
    check_manageable(actor=actor, user=user)
    if not (actor.is_superuser or node_in_scope(actor, assignment.node, Action.ADMINISTER)):
        raise PermissionDenied(_("This role lies outside the part of the hierarchy you administer."))
    if not actor.is_superuser and assignment.role not in DELEGABLE_ROLES:
        raise PermissionDenied(_("Only the system superuser grants the security administrator and auditor roles."))
    detail = f"{assignment.node.name}（{assignment.node.code}）· {assignment.get_role_display()}"
    assignment._history_user = actor
    assignment.delete()
    clear_scope_cache(user)
    _event(actor=actor, user=user, kind=AccountEvent.Kind.ROLE_REVOKED, ip=ip, detail=detail)


def sessions_manageable_by(actor):
    """Open login sessions of accounts the actor administers or secures."""
    qs = LoginSession.objects.filter(ended__isnull=True, session_key__in=Session.objects.filter(
        expire_date__gt=timezone.now()).values("session_key"))
    if actor.is_superuser:
        return qs
    from accounts.selectors import _duty_q

    return qs.filter(_duty_q(actor, (Action.ADMINISTER, Action.SECURE), "user__profile__node"))


@transaction.atomic
def session_force_logout(*, actor, login_session: LoginSession, ip=None) -> None:
    if not sessions_manageable_by(actor).filter(pk=login_session.pk).exists():
        raise _deny_outside()
    if login_session.user_id == actor.pk:
        raise PermissionDenied(_("Use “Log out” to end your own session."))
    from axes.models import AccessLog

    now = timezone.now()
    Session.objects.filter(session_key=login_session.session_key).delete()
    if login_session.access_log_id:
        AccessLog.objects.filter(pk=login_session.access_log_id, logout_time__isnull=True).update(logout_time=now)
    LoginSession.objects.filter(pk=login_session.pk).update(ended=now, end_reason=LoginSession.End.FORCED)
    _event(actor=actor, user=login_session.user, kind=AccountEvent.Kind.FORCED_LOGOUT, ip=ip)


def end_idle_sessions(now=None) -> int:
    """Record as idle timeouts the logins whose session expired (or was cleared) without a
    logout; the logout time is when the session expired. Run by the beat task and before the
    login records are shown. Returns how many were closed."""
    from axes.models import AccessLog
    from django.db.models import DateTimeField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce, Least

    now = now or timezone.now()
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    with transaction.atomic():
        stale = LoginSession.objects.select_for_update().filter(ended__isnull=True).exclude(session_key__in=live)
        ids = list(stale.values_list("pk", flat=True))
        if not ids:
            return 0
        expired_at = Session.objects.filter(session_key=OuterRef("session_key")).values("expire_date")[:1]
        LoginSession.objects.filter(pk__in=ids).update(
            ended=Least(Coalesce(Subquery(expired_at), Value(now, output_field=DateTimeField())), Value(now, output_field=DateTimeField())), end_reason=LoginSession.End.IDLE
        )
        ended = LoginSession.objects.filter(access_log=OuterRef("pk")).values("ended")[:1]
        AccessLog.objects.filter(login_session__pk__in=ids, logout_time__isnull=True).update(logout_time=Subquery(ended))
    return len(ids)


@transaction.atomic
def lockout_clear(*, actor, attempt, ip=None) -> None:
    """Clear a lockout (django-axes' failure counter); the failures stay in the failure log."""
    user = User.objects.filter(username=attempt.username).first()
    attempt.delete()
    if user is not None:
        _event(actor=actor, user=user, kind=AccountEvent.Kind.UNLOCKED, ip=ip, detail=attempt.ip_address or "")


@transaction.atomic
def otp_confirm(*, actor, device, ip=None) -> None:
    """The device being enrolled becomes the user's second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _event(actor=actor, user=device.user, kind=AccountEvent.Kind.OTP_ENROLLED, ip=ip)


@transaction.atomic
def otp_remove(*, actor, user, ip=None) -> None:
    """Remove a user's authenticator (their own choice, or an administrator's after a lost
    phone: then the user enrols again at the next login if the role requires it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if actor.pk != user.pk:
        check_manageable(actor=actor, user=user)
    if TOTPDevice.objects.filter(user=user).delete()[0]:
        _event(actor=actor, user=user, kind=AccountEvent.Kind.OTP_REMOVED, ip=ip)


def otp_failed(*, user, ip=None) -> None:
    """A wrong second-factor code is on record like a failed login (django-otp also slows
    down repeated failures on the device)."""
    _event(actor=user, user=user, kind=AccountEvent.Kind.OTP_FAILED, ip=ip)
