"""Accounts in Excel: the bulk import template (all or nothing, row report) and the exports
of accounts and login records."""

import dataclasses

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AccountEvent, Profile
from accounts.services import DELEGABLE_ROLES, account_create, role_grant
from communities.models import Node
from core.excel import Column, Sheet
from core.fields import validate_phone
from core.masking import can_see_personal_data, mask_phone, record_unmasked_views
from core.models import Assignment, Role
from core.scope import Action, node_in_scope

User = get_user_model()


def _phone(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.phone if profile is not None else ""


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def end_label(access_log) -> str:
    """How the session a login opened ended (logout, idle timeout, forced), or blank if open."""
    session = getattr(access_log, "login_session", None)
    if session is not None and session.end_reason:
        return str(session.get_end_reason_display())
    return str(_("logged out")) if access_log.logout_time else ""


class AccountSheet(Sheet):
    title = gettext_lazy("accounts")
    key = "username"
    round_trip = False
    round_trip_exception = "creates accounts only: user names are never reused and passwords are never exported"
    columns = [
        Column("username", gettext_lazy("user name"), required=True, width=16),
        Column("name", gettext_lazy("full name"), required=True, width=12, export=lambda u: f"{u.last_name}{u.first_name}"),
        Column(
            "node", gettext_lazy("division code"), kind="node", scope_action="administer", required=True, width=16,
            export=lambda u: u.profile.node.code if getattr(u, "profile", None) and u.profile.node_id else "",
            help=gettext_lazy("12 digits: the division the account belongs to; the role is given there"),
        ),
        Column(
            "node_name", gettext_lazy("division"), width=18, importable=False,
            export=lambda u: u.profile.node.name if getattr(u, "profile", None) and u.profile.node_id else "",
        ),
        Column("role", gettext_lazy("role"), kind="choice", choices=Role, required=True, width=12,
               export=lambda u: "、".join(str(a.get_role_display()) for a in u.assignments.all())),
        Column("phone", gettext_lazy("mobile phone"), width=14, export=lambda u: _phone(u)),
        Column("email", gettext_lazy("e-mail"), width=20),
        Column("password", gettext_lazy("initial password"), required=True, width=16, export=lambda u: "",
               help=gettext_lazy("the user must change it at the first login")),
        Column("is_active", gettext_lazy("enabled"), kind="bool", width=8, importable=False),
        Column("last_login", gettext_lazy("last login"), width=18, importable=False, export=lambda u: _local(u.last_login)),
    ]
    instructions = [
        gettext_lazy("One new account per row. The first row is the header: keep it as it is."),
        gettext_lazy("The account gets the role on its division; the division must lie in the part of the hierarchy you administer."),
        gettext_lazy("User names are never reused: a row naming an existing account is refused."),
        gettext_lazy("If any row has an error, nothing is saved: correct the rows listed in the report and upload again."),
    ]

    def __init__(self, user):
        super().__init__(user)
        self._nodes: dict = {}
        self._taken: set[str] = set()
        self.show_personal = can_see_personal_data(user)
        if not self.show_personal:  # phones masked (core.masking), as on the account pages
            self.columns = [dataclasses.replace(c, export=lambda u: mask_phone(_phone(u))) if c.name == "phone" else c
                            for c in self.columns]

    def node(self, code: str):
        if code not in self._nodes:
            self._nodes[code] = Node.objects.filter(code=code).first()
        return self._nodes[code]

    def lookup_existing(self, keys):
        # Names are compared without case: “Li” and “li” are the same person to a clerk.
        lowered = [k.lower() for k in keys]
        taken = User.objects.annotate(lname=Lower("username")).filter(lname__in=lowered)
        self._taken = set(taken.values_list("lname", flat=True))
        return {u.username: u for u in User.objects.filter(username__in=keys)}

    def check_existing(self, existing):
        return _("The user name %(name)s is taken (names are never reused).") % {"name": existing.username}

    def prepare_row(self, data, existing):
        errors = {}
        code = str(data.get("node") or "")
        node = self.node(code) if code else None
        if node is None or not (self.user.is_superuser or node_in_scope(self.user, node, Action.ADMINISTER)):
            errors["node"] = [
                _("Division %(code)s does not exist or lies outside the part of the hierarchy you administer.")
                % {"code": code}
            ]
        try:
            validate_phone(str(data.get("phone") or ""))
        except ValidationError as exc:
            errors["phone"] = exc.messages
        role = data.get("role")
        if role and not self.user.is_superuser and role not in DELEGABLE_ROLES:
            errors["role"] = [_("Only the system superuser grants the security administrator and auditor roles.")]
        username = str(data.get("username") or "")
        if username.lower() in self._taken:
            errors["username"] = [_("The user name %(name)s is taken (names are never reused).") % {"name": username}]
        candidate = User(username=username, first_name=str(data.get("name") or ""))
        try:
            candidate.clean_fields(exclude=["password", "first_name", "last_name", "email"])
        except ValidationError as exc:
            errors.setdefault("username", []).extend(exc.message_dict.get("username", []))
        try:
            validate_password(str(data.get("password") or ""), candidate)
        except ValidationError as exc:
            errors["password"] = exc.messages
        return ({**data, "node": node} if not errors else None), errors

    def save_row(self, prepared, existing):
        user = account_create(
            actor=self.user, username=prepared["username"], name=prepared["name"], node=prepared["node"],
            password=str(prepared["password"]), phone=str(prepared.get("phone") or ""),
            email=str(prepared.get("email") or ""), kind=AccountEvent.Kind.IMPORTED,
        )
        role_grant(actor=self.user, user=user, node=prepared["node"], role=prepared["role"])
        return "created"

    def export_response(self, queryset):
        if self.show_personal:  # every exported phone is an unmasked view: one insert
            profiles = Profile.objects.filter(user__in=queryset.values("pk")).select_related("user")
            record_unmasked_views(user=self.user, objects=profiles, fields=["phone"], channel="export")
        return super().export_response(
            queryset.select_related("profile__node").prefetch_related(
                Prefetch("assignments", queryset=Assignment.objects.all())
            )
        )


class LoginSheet(Sheet):
    title = gettext_lazy("login records")
    key = "username"
    columns = [
        Column("attempt_time", gettext_lazy("login time"), width=20, export=lambda r: _local(r.attempt_time)),
        Column("username", gettext_lazy("user name"), width=16),
        Column("ip_address", gettext_lazy("IP address"), width=16),
        Column("user_agent", gettext_lazy("user agent"), width=40),
        Column("logout_time", gettext_lazy("logout time"), width=20, export=lambda r: _local(r.logout_time)),
        Column("end", gettext_lazy("how it ended"), width=12, export=lambda r: end_label(r)),
    ]


class FailureSheet(Sheet):
    title = gettext_lazy("failed logins")
    key = "username"
    columns = [
        Column("attempt_time", gettext_lazy("time"), width=20, export=lambda r: _local(r.attempt_time)),
        Column("username", gettext_lazy("user name"), width=16),
        Column("ip_address", gettext_lazy("IP address"), width=16),
        Column("user_agent", gettext_lazy("user agent"), width=40),
        Column("locked_out", gettext_lazy("locked out"), kind="bool", width=8),
    ]
