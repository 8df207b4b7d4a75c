"""Accounts: the profile an administrator keeps for each user, password history, the
administration log and the link between a login (django-axes' AccessLog) and its session.

Login successes, failures, lockouts and logouts are recorded by django-axes (AccessLog,
AccessFailureLog, AccessAttempt); this app adds only what axes does not know: which session
a login opened and how it ended (logout, idle timeout, forced logout).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import PhoneField
from core.scope import ScopedQuerySet


class Profile(models.Model):
    """What the portal keeps about an account beyond Django's user: the node it belongs to
    (which administrators may manage it), phone, and the password policy state."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="profile", verbose_name=_("user")
    )
    node = models.ForeignKey(
        "communities.Node",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home division"),
        help_text=_("The part of the hierarchy whose administrators manage this account."),
    )
    phone = PhoneField(_("mobile phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)
    password_changed = models.DateTimeField(_("password last changed"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["password_changed"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "node"
    audit_actions = ("administer",)
    # masked for readers without core.view_personal_data (pages, export, change log); the
    # account's owner always sees their own (accounts.views.phone_of)
    personal_fields = ("phone",)

    class Meta:
        verbose_name = _("account profile")
        verbose_name_plural = _("account profiles")

    def __str__(self):
        return self.user.get_username()

    def change_log_name(self) -> str:
        from core.audit import person_name

        return person_name(self.user)

    @property
    def name(self) -> str:  # what the change log calls the record
        return self.user.get_username()


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so that the last few cannot be used again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(max_length=128)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]


class AppendOnly(models.Model):
    """An audit record: created once, never changed or deleted through the application (only
    the archiving task removes rows, in bulk, after writing them to the archive)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied(_("Audit records cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("Audit records cannot be deleted."))


class AccountEvent(AppendOnly):
    """One administration action on an account: who did what to whom, when, from where."""

    class Kind(models.TextChoices):
        CREATED = "created", _("account created")
        CHANGED = "changed", _("account changed")
        DISABLED = "disabled", _("account disabled")
        ENABLED = "enabled", _("account enabled")
        PASSWORD_RESET = "password_reset", _("password reset")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        ROLE_GRANTED = "role_granted", _("role granted")
        ROLE_REVOKED = "role_revoked", _("role revoked")
        FORCED_LOGOUT = "forced_logout", _("forced logout")
        UNLOCKED = "unlocked", _("lockout cleared")
        IMPORTED = "imported", _("account imported")
        OTP_ENROLLED = "otp_enrolled", _("authenticator app set up")
        OTP_REMOVED = "otp_removed", _("authenticator app removed")
        OTP_FAILED = "otp_failed", _("wrong second-factor code")

    when = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_events", verbose_name=_("account")
    )
    node = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("division")
    )
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "node"

    class Meta:
        verbose_name = _("account administration record")
        verbose_name_plural = _("account administration records")
        ordering = ["-when", "-id"]

    def __str__(self):
        return f"{self.when:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.target_id}"


class LoginSession(models.Model):
    """The session a successful login opened (the AccessLog row axes wrote for it) and how it
    ended, so that 在线用户 can list and end sessions and idle timeouts are on record."""

    class End(models.TextChoices):
        LOGOUT = "logout", _("logged out")
        IDLE = "idle", _("idle timeout")
        FORCED = "forced", _("forced logout")

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    access_log = models.OneToOneField(
        "axes.AccessLog", on_delete=models.SET_NULL, null=True, related_name="login_session"
    )
    started = models.DateTimeField(_("login time"), auto_now_add=True, db_index=True)
    ended = models.DateTimeField(_("end time"), null=True, blank=True, db_index=True)
    end_reason = models.CharField(_("how it ended"), max_length=10, choices=End.choices, blank=True)

    class Meta:
        ordering = ["-started"]


class AuditArchive(models.Model):
    """A batch of audit records older than the retention period, written to a file before the
    rows were removed from the live tables: what, how many, where, and the file's checksum."""

    created = models.DateTimeField(_("archived at"), auto_now_add=True)
    kind = models.CharField(_("records"), max_length=40)
    count = models.PositiveIntegerField(_("number of records"))
    oldest = models.DateTimeField(_("oldest record"))
    newest = models.DateTimeField(_("newest record"))
    path = models.CharField(_("archive file"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["-created"]


class DivisionImport(models.Model):
    """An uploaded 统计用区划代码 table: its rows, kept between the preview and the decision
    to apply it, and the record of who applied what when."""

    created = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    filename = models.CharField(_("file"), max_length=200)
    rows = models.JSONField(default=list)  # [[line, code, name, class], …]
    applied = models.DateTimeField(_("applied at"), null=True, blank=True)
    summary = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("division code table import")
        verbose_name_plural = _("division code table imports")
        ordering = ["-created"]
