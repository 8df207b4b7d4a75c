import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scope import ScopedQuerySet


class Role(models.TextChoices):
    ENTRY = "entry", _("data entry clerk")
    REVIEWER = "reviewer", _("reviewer")
    VIEWER = "viewer", _("viewer")
    # Delegated administration (三员分立): accounts and hierarchy, security, audit.
    ADMIN = "admin", _("administrator")
    SECURITY = "security", _("security administrator")
    AUDITOR = "auditor", _("auditor")


# The three duties of 三员分立; one account holds at most one unless SANQI_ALLOW_COMBINED_DUTIES.
DUTY_ROLES = (Role.ADMIN, Role.SECURITY, Role.AUDITOR)


class Assignment(models.Model):
    """A user's role on one node of the hierarchy; it covers that node's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    node = models.ForeignKey(
        "communities.Node", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("node")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    # Granting and revoking roles is in the change log (who, when, on which node).
    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "node"
    audit_actions = ("administer",)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["user", "node", "role"], name="unique_assignment")]
        ordering = ["node__code", "role"]
        permissions = [("view_personal_data", _("Can see ID numbers and phone numbers unmasked"))]

    def __str__(self):
        return f"{self.user} · {self.node} · {self.get_role_display()}"

    def change_log_name(self) -> str:
        from core.audit import person_name

        return f"{person_name(self.user)} · {self.node.name} · {self.get_role_display()}"


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A REST client's token. Only its hash is stored; the key is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    read_only = models.BooleanField(_("read only"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    def set_key(self, key: str | None = None) -> str:
        key = key or secrets.token_hex(20)
        self.key_hash = hash_token(key)
        self.key_prefix = key[:8]
        return key


class PersonalDataAccess(models.Model):
    """Who saw which personal data unmasked, when, and through which channel (page/API/export)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("user"))
    when = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(_("record"), max_length=200)
    fields = models.CharField(_("fields"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-when"]

    def __str__(self):
        return f"{self.user} · {self.object_repr} · {self.when:%Y-%m-%d %H:%M}"


class RecycleEntryQuerySet(models.QuerySet):
    def restrict(self, user) -> "RecycleEntryQuerySet":
        """Entries a user may see and restore: deletions within the subtrees they review
        (system administrators: all). Clerks and viewers restore nothing."""
        from functools import reduce
        from operator import or_

        from core.scope import Action, scope_prefixes

        prefixes = scope_prefixes(user, Action.REVIEW)
        if prefixes is None:
            return self.all()
        if not prefixes:
            return self.none()
        return self.filter(reduce(or_, (models.Q(node_code__startswith=prefix) for prefix in prefixes)))


class RecycleEntry(models.Model):
    """A deleted record and everything its deletion took with it (回收站), kept for
    ``SANQI_RECYCLE_BIN_DAYS`` days so that it can be restored whole (see ``core.recycle``)."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, verbose_name=_("kind"))
    object_id = models.BigIntegerField(_("record id"))
    object_repr = models.CharField(_("record"), max_length=200)
    # The node of the deleted record, by code: it scopes the entry even once the node is gone.
    node_code = models.CharField(_("node code"), max_length=12, db_index=True)
    node_name = models.CharField(_("node"), max_length=100, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("deleted by")
    )
    deleted_at = models.DateTimeField(_("deleted at"), db_index=True)
    # {"app_label.model_name": count} of every record removed, the deleted one included.
    counts = models.JSONField(_("records removed"), default=dict)
    # Every removed row as Django's "python" serialization, in restore order (parents first).
    data = models.JSONField(default=list)

    objects = RecycleEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("recycle bin entry")
        verbose_name_plural = _("recycle bin entries")
        ordering = ["-deleted_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="recycle_object_idx")]

    def __str__(self):
        return f"{self.object_repr} ({self.deleted_at:%Y-%m-%d %H:%M})"
