"""The password policy (等保 8.1.4.1): expiry with a warning, history, forced change.

Settings (from the environment, see sanqi/settings.py):
``SANQI_PASSWORD_MAX_AGE_DAYS`` (90; 0 = never expires), ``SANQI_PASSWORD_WARN_DAYS`` (14),
``SANQI_PASSWORD_HISTORY`` (5: the last five passwords cannot be used again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def profile_of(user):
    """The user's profile, created on first need (accounts made before this app, or by
    ``createsuperuser``, have none yet)."""
    from accounts.models import Profile

    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _created = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def password_changed_at(user) -> datetime | None:
    from accounts.models import Profile

    try:
        changed = user.profile.password_changed
    except Profile.DoesNotExist:
        changed = None
    return changed or user.date_joined


def password_expires_at(user) -> datetime | None:
    days = settings.SANQI_PASSWORD_MAX_AGE_DAYS
    changed = password_changed_at(user)
    if not days or changed is None:
        return None
    return changed + timedelta(days=days)


def password_expired(user, now: datetime | None = None) -> bool:
    expires = password_expires_at(user)
    return expires is not None and (now or timezone.now()) >= expires


def days_until_expiry(user, now: datetime | None = None) -> int | None:
    """Whole days left when the expiry is within the warning period, else ``None``."""
    expires = password_expires_at(user)
    if expires is None:
        return None
    left = expires - (now or timezone.now())
    if left > timedelta(days=settings.SANQI_PASSWORD_WARN_DAYS):
        return None
    return max(left.days, 0)


def must_change_password(user) -> str | None:
    """Why the user must change the password before anything else, or ``None``."""
    from accounts.models import Profile

    try:
        forced = user.profile.must_change_password
    except Profile.DoesNotExist:
        forced = False
    if forced:
        return _("Your password was set by an administrator: choose your own password before you continue.")
    if password_expired(user):
        return _("Your password has expired: choose a new password before you continue.")
    return None


class PasswordHistoryValidator:
    """Refuses any of the user's last ``SANQI_PASSWORD_HISTORY`` passwords and, when a password
    is set (by any path: the pages, the Excel import, Django admin, ``set_password``), records it
    and restarts the expiry period."""

    def _recent(self, user):
        from accounts.models import PasswordHistory

        keep = settings.SANQI_PASSWORD_HISTORY
        if user is None or user.pk is None or keep <= 0:
            return []
        return list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:keep])

    def validate(self, password, user=None):
        if user is None:
            return
        keep = settings.SANQI_PASSWORD_HISTORY
        hashes = self._recent(user)
        if user.pk is not None and user.password and user.has_usable_password():
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "This password was used recently; the last %(n)d password cannot be used again.",
                    "This password was used recently; the last %(n)d passwords cannot be used again.",
                    keep,
                )
                % {"n": keep},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        from accounts.models import PasswordHistory

        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = settings.SANQI_PASSWORD_HISTORY
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[max(keep, 1):]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        # An update, not save(): the policy's bookkeeping is not a change for the change log.
        from accounts.models import Profile

        profile = profile_of(user)
        profile.password_changed = timezone.now()
        Profile.objects.filter(pk=profile.pk).update(password_changed=profile.password_changed)

    def get_help_text(self):
        keep = settings.SANQI_PASSWORD_HISTORY
        return ngettext(
            "Your password cannot be the same as your last %(n)d password.",
            "Your password cannot be the same as any of your last %(n)d passwords.",
            keep,
        ) % {"n": keep}
