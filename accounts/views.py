"""系统管理 and 个人中心 pages. Every list and object goes through the selectors: an account
outside the viewer's subtree is a 404, a page outside their duties a 403."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from core.pagination import paginate
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django_otp import login as otp_login
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import services
from accounts.filters import AccountFilterSet, FailureFilterSet, LoginFilterSet
from accounts.forms import AccountForm, OwnPasswordChangeForm, ProfileForm, ResetPasswordForm, RoleForm, TokenForm
from accounts.otp import confirmed_device, otp_required_for, pending_device, qr_svg, secret_b32
from accounts.models import DivisionImport, LoginSession
from accounts.policy import days_until_expiry, password_expires_at, profile_of
from accounts.selectors import (
    account_events_visible_to,
    lockouts_visible_to,
    login_failures_visible_to,
    login_records_visible_to,
    recent_logins_of,
)
from accounts.sheets import AccountSheet, FailureSheet, LoginSheet
from communities.models import Level, Node
from core.forms import BootstrapFormMixin, CommunityChoiceField
from core.masking import can_see_personal_data, mask_phone, record_if_unmasked
from core.models import Assignment
from core.scope import Action, scope_prefixes, scope_q
from core.security import client_ip
from core.views import ObjectImportView, add_validation_error, querystring_without, refusal_text

User = get_user_model()


def holds(user, *actions) -> bool:
    return user.is_superuser or any(scope_prefixes(user, a) for a in actions)


class DutyRequiredMixin(LoginRequiredMixin):
    """A page for holders of one of ``duties`` (in some part of the hierarchy); 403 otherwise."""

    duties: tuple = (Action.ADMINISTER,)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not holds(request.user, *self.duties):
            raise PermissionDenied(_("This page is for system, security or audit administrators."))
        return super().dispatch(request, *args, **kwargs)


def _page(request, qs, per_page=50):
    page = paginate(request, qs, per_page)
    return {"page_obj": page, "object_list": page.object_list, "querystring": querystring_without(request, "page"),
            "export_querystring": querystring_without(request, "page", "export")}


# ---- 个人中心 ----
class ProfileView(LoginRequiredMixin, View):
    template_name = "accounts/profile.html"

    def context(self, request, form):
        user = request.user
        ok, failed = recent_logins_of(user)
        return {
            "form": form,
            "profile": profile_of(user),
            "assignments": Assignment.objects.filter(user=user).select_related("node", "node__parent").order_by("node__code"),
            "logins": ok,
            "failures": failed,
            "expires": password_expires_at(user),
            "expires_in": days_until_expiry(user),
            "has_otp": confirmed_device(user) is not None,
        }

    def get(self, request):
        user = request.user
        form = ProfileForm(initial={"name": f"{user.last_name}{user.first_name}", "phone": profile_of(user).phone})
        return render(request, self.template_name, self.context(request, form))

    def post(self, request):
        form = ProfileForm(request.POST)
        if form.is_valid():
            user = request.user
            user.first_name, user.last_name = form.cleaned_data["name"], ""
            user.save(update_fields=["first_name", "last_name"])
            profile = profile_of(user)
            profile.phone = form.cleaned_data["phone"]
            profile._history_user = user
            profile.save()
            messages.success(request, _("Your profile was saved."))
            return HttpResponseRedirect(reverse("accounts:profile"))
        return render(request, self.template_name, self.context(request, form))


class PasswordChangeView(LoginRequiredMixin, View):
    template_name = "accounts/password_change.html"

    def get(self, request):
        return render(request, self.template_name, {"form": OwnPasswordChangeForm(request.user)})

    def post(self, request):
        form = OwnPasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            services.password_change_own(
                user=request.user, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"], ip=client_ip(request),
            )
            old_key = request.session.session_key
            update_session_auth_hash(request, request.user)  # a new session key: follow it
            LoginSession.objects.filter(session_key=old_key, ended__isnull=True).update(
                session_key=request.session.session_key
            )
            request.session.pop("sanqi_expiry_warned", None)
            messages.success(request, _("Your password was changed."))
            return HttpResponseRedirect(reverse("accounts:profile"))
        return render(request, self.template_name, {"form": form})


# ---- 账号管理 ----
class AccountListView(DutyRequiredMixin, View):
    def get(self, request):
        qs = services.manageable_accounts(request.user).select_related("profile__node").order_by("username")
        filterset = AccountFilterSet(request.GET or None, queryset=qs, request=request)
        if request.GET.get("export") == "xlsx":
            return AccountSheet(request.user).export_response(filterset.qs)
        context = {"filterset": filterset, "title": _("Accounts")}
        context.update(_page(request, filterset.qs.prefetch_related("assignments__node")))
        return render(request, "accounts/user_list.html", context)


def _account(request, pk):
    return get_object_or_404(services.manageable_accounts(request.user).select_related("profile__node"), pk=pk)


def phone_masked_for(viewer, account) -> bool:
    """An account's phone is masked for viewers without ``core.view_personal_data``, except
    for its owner."""
    return viewer.pk != account.pk and not can_see_personal_data(viewer)


def phone_of(viewer, account, profile) -> str:
    """An account's phone as ``viewer`` may see it; an unmasked view of someone else's is recorded."""
    if phone_masked_for(viewer, account):
        return mask_phone(profile.phone)
    if viewer.pk != account.pk:
        record_if_unmasked(user=viewer, objects=[profile], channel="page")
    return profile.phone


class AccountDetailView(DutyRequiredMixin, View):
    def get(self, request, pk, role_form=None):
        account = _account(request, pk)
        ok, failed = recent_logins_of(account)
        profile = profile_of(account)
        context = {
            "account": account,
            "profile": profile,
            "phone": phone_of(request.user, account, profile),
            "assignments": Assignment.objects.filter(user=account).select_related("node").order_by("node__code"),
            "role_form": role_form or RoleForm(user=request.user),
            "reset_form": ResetPasswordForm(),
            "events": account.account_events.select_related("actor").order_by("-when")[:20],
            "logins": ok,
            "failures": failed,
            "is_self": account.pk == request.user.pk,
            "has_otp": confirmed_device(account) is not None,
        }
        return render(request, "accounts/user_detail.html", context)


class AccountEditView(DutyRequiredMixin, View):
    template_name = "accounts/user_edit.html"

    def render_form(self, request, form, account=None):
        return render(request, self.template_name, {"form": form, "account": account})

    def get(self, request, pk=None):
        account = _account(request, pk) if pk else None
        initial = {}
        if account is not None:
            profile = profile_of(account)
            initial = {"username": account.username, "name": f"{account.last_name}{account.first_name}",
                       "node": profile.node_id, "phone": phone_of(request.user, account, profile), "email": account.email}
        form = AccountForm(user=request.user, editing=account is not None, initial=initial,
                           stored_phone=self.masked_phone(request, account))
        return self.render_form(request, form, account)

    @staticmethod
    def masked_phone(request, account):
        """The stored phone when the form shows it masked to this editor, else ``None``."""
        if account is None or not phone_masked_for(request.user, account):
            return None
        return profile_of(account).phone or None

    def post(self, request, pk=None):
        account = _account(request, pk) if pk else None
        form = AccountForm(request.POST, user=request.user, editing=account is not None,
                           initial={"username": account.username} if account else {},
                           stored_phone=self.masked_phone(request, account))
        if form.is_valid():
            data = form.cleaned_data
            try:
                if account is None:
                    account = services.account_create(
                        actor=request.user, username=data["username"], name=data["name"], node=data["node"],
                        password=data["password"], phone=data["phone"], email=data["email"], ip=client_ip(request),
                    )
                else:
                    services.account_update(
                        actor=request.user, user=account, name=data["name"], node=data["node"], phone=data["phone"],
                        email=data["email"], ip=client_ip(request),
                    )
            except ValidationError as exc:
                add_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved account %(name)s.") % {"name": account.username})
                return HttpResponseRedirect(reverse("accounts:user_detail", args=[account.pk]))
        return self.render_form(request, form, account)


class AccountActionView(DutyRequiredMixin, View):
    """POST-only actions on one account: enable, disable, reset password, grant, revoke."""

    def post(self, request, pk, action, assignment_pk=None):
        account = _account(request, pk)
        ip = client_ip(request)
        try:
            if action == "disable":
                services.account_set_active(actor=request.user, user=account, active=False, ip=ip)
                messages.success(request, _("Account %(name)s disabled; its sessions were ended.") % {"name": account.username})
            elif action == "enable":
                services.account_set_active(actor=request.user, user=account, active=True, ip=ip)
                messages.success(request, _("Account %(name)s enabled.") % {"name": account.username})
            elif action == "reset":
                form = ResetPasswordForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors.get("password"))
                services.account_reset_password(actor=request.user, user=account, password=form.cleaned_data["password"], ip=ip)
                messages.success(request, _("Password of %(name)s reset; it must be changed at the next login.") % {"name": account.username})
            elif action == "grant":
                form = RoleForm(request.POST, user=request.user)
                if not form.is_valid():
                    raise ValidationError([f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()])
                services.role_grant(actor=request.user, user=account, node=form.cleaned_data["node"],
                                    role=form.cleaned_data["role"], ip=ip)
                messages.success(request, _("Role granted."))
            elif action == "otp_reset":
                services.otp_remove(actor=request.user, user=account, ip=ip)
                messages.success(request, _("The authenticator app of %(name)s was removed; it can enrol a new one.") % {"name": account.username})
            elif action == "revoke":
                assignment = get_object_or_404(Assignment, pk=assignment_pk, user=account)
                services.role_revoke(actor=request.user, assignment=assignment, ip=ip)
                messages.success(request, _("Role revoked."))
            else:
                raise PermissionDenied(_("Unknown action."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[account.pk]))


class AccountImportView(ObjectImportView):
    sheet_class = AccountSheet
    list_url = "accounts:user_list"
    title = gettext_lazy("Upload accounts from Excel")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super(ObjectImportView, self).dispatch(request, *args, **kwargs)
        if not holds(request.user, Action.ADMINISTER):
            raise PermissionDenied(_("This page is for system, security or audit administrators."))
        return super(ObjectImportView, self).dispatch(request, *args, **kwargs)


# ---- 登录记录, 在线用户, 安全策略, 操作日志 ----
class LoginListView(DutyRequiredMixin, View):
    duties = (Action.ADMINISTER, Action.SECURE, Action.AUDIT)

    def get(self, request):
        services.end_idle_sessions()
        failures = request.GET.get("tab") == "failures"
        if failures:
            filterset = FailureFilterSet(request.GET or None, queryset=login_failures_visible_to(request.user), request=request)
            sheet = FailureSheet
        else:
            filterset = LoginFilterSet(request.GET or None, queryset=login_records_visible_to(request.user), request=request)
            sheet = LoginSheet
        if request.GET.get("export") == "xlsx":
            return sheet(request.user).export_response(filterset.qs)
        context = {"filterset": filterset, "failures": failures, "title": _("Login records")}
        context.update(_page(request, filterset.qs))
        return render(request, "accounts/login_list.html", context)


class SessionListView(DutyRequiredMixin, View):
    duties = (Action.ADMINISTER, Action.SECURE)

    def get(self, request):
        services.end_idle_sessions()
        qs = services.sessions_manageable_by(request.user).select_related("user", "access_log").order_by("-started")
        context = {"title": _("Online users"), "current_key": request.session.session_key}
        context.update(_page(request, qs))
        return render(request, "accounts/session_list.html", context)


class SessionLogoutView(DutyRequiredMixin, View):
    duties = (Action.ADMINISTER, Action.SECURE)

    def post(self, request, pk):
        login_session = get_object_or_404(services.sessions_manageable_by(request.user), pk=pk)
        try:
            services.session_force_logout(actor=request.user, login_session=login_session, ip=client_ip(request))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)s was logged out.") % {"name": login_session.user.username})
        return HttpResponseRedirect(reverse("accounts:session_list"))


class SecurityView(DutyRequiredMixin, View):
    """安全策略: the policy in force (set by the deployment) and the current lockouts."""

    duties = (Action.ADMINISTER, Action.SECURE)

    def get(self, request):
        from django.conf import settings

        policy = [
            (_("Password length"), _("at least 10 characters, not common, not all digits, not like the user name")),
            (_("Password expiry"), _("%(n)d days") % {"n": settings.SANQI_PASSWORD_MAX_AGE_DAYS}
             if settings.SANQI_PASSWORD_MAX_AGE_DAYS else _("never")),
            (_("Warning before expiry"), _("%(n)d days") % {"n": settings.SANQI_PASSWORD_WARN_DAYS}),
            (_("Passwords remembered"), str(settings.SANQI_PASSWORD_HISTORY)),
            (_("Lockout after failures"), str(settings.AXES_FAILURE_LIMIT)),
            (_("Lockout duration"), _("%(n)d minutes") % {"n": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}),
            (_("Idle timeout"), _("%(n)d minutes") % {"n": settings.SESSION_COOKIE_AGE // 60}),
            (_("Audit records kept"), _("%(n)d days, then archived") % {"n": settings.SANQI_AUDIT_RETENTION_DAYS}),
            (_("Separation of duties"), _("one account may combine them") if settings.SANQI_ALLOW_COMBINED_DUTIES
             else _("one duty per account")),
        ]
        context = {"title": _("Security policy"), "policy": policy,
                   "lockouts": lockouts_visible_to(request.user)[:200],
                   "can_unlock": holds(request.user, Action.SECURE)}
        return render(request, "accounts/security.html", context)

    def post(self, request):
        if not holds(request.user, Action.SECURE):
            raise PermissionDenied(_("Only a security administrator clears lockouts."))
        attempt = get_object_or_404(lockouts_visible_to(request.user), pk=request.POST.get("attempt"))
        services.lockout_clear(actor=request.user, attempt=attempt, ip=client_ip(request))
        messages.success(request, _("The lockout of %(name)s was cleared.") % {"name": attempt.username})
        return HttpResponseRedirect(reverse("accounts:security"))


class EventListView(DutyRequiredMixin, View):
    duties = (Action.ADMINISTER, Action.AUDIT)

    def get(self, request):
        context = {"title": _("Account administration log")}
        context.update(_page(request, account_events_visible_to(request.user)))
        return render(request, "accounts/event_list.html", context)


# ---- second factor (TOTP) ----
class OtpSetupView(LoginRequiredMixin, View):
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code."""

    template_name = "accounts/otp_setup.html"

    def context(self, request, form):
        device = confirmed_device(request.user)
        pending = None if device else pending_device(request.user)
        return {"form": form, "device": device, "secret": secret_b32(pending) if pending else "",
                "required": otp_required_for(request.user)}

    def get(self, request):
        return render(request, self.template_name, self.context(request, TokenForm()))

    def post(self, request):
        if request.POST.get("remove"):
            if otp_required_for(request.user):
                messages.error(request, _("Your role requires a second factor; it cannot be removed."))
            else:
                services.otp_remove(actor=request.user, user=request.user, ip=client_ip(request))
                messages.success(request, _("The authenticator app was removed."))
            return HttpResponseRedirect(reverse("accounts:otp_setup"))
        form = TokenForm(request.POST)
        if form.is_valid():
            device = pending_device(request.user)
            if device.verify_token(form.cleaned_data["token"].strip()):
                services.otp_confirm(actor=request.user, device=device, ip=client_ip(request))
                otp_login(request, device)
                messages.success(request, _("The authenticator app is set up; logins now ask for its code."))
                return HttpResponseRedirect(reverse("accounts:profile"))
            form.add_error("token", _("The code is wrong or has expired; enter the one shown now."))
        return render(request, self.template_name, self.context(request, form))


class OtpQrView(LoginRequiredMixin, View):
    """The QR code of the device being enrolled, as SVG (an image, so no inline markup)."""

    def get(self, request):
        if confirmed_device(request.user) is not None:
            raise Http404
        response = HttpResponse(qr_svg(pending_device(request.user).config_url), content_type="image/svg+xml")
        response["Cache-Control"] = "no-store"
        return response


class OtpVerifyView(LoginRequiredMixin, View):
    template_name = "accounts/otp_verify.html"

    def get(self, request):
        if request.user.is_verified() or confirmed_device(request.user) is None:
            return HttpResponseRedirect(reverse("core:home"))
        return render(request, self.template_name, {"form": TokenForm()})

    def post(self, request):
        device = confirmed_device(request.user)
        if device is None:
            return HttpResponseRedirect(reverse("core:home"))
        form = TokenForm(request.POST)
        if form.is_valid():
            if device.verify_token(form.cleaned_data["token"].strip()):
                otp_login(request, device)
                return HttpResponseRedirect(reverse("core:home"))
            services.otp_failed(user=request.user, ip=client_ip(request))
            form.add_error("token", _("The code is wrong or has expired; enter the one shown now."))
        return render(request, self.template_name, {"form": form})


# ---- 区划导入 (统计用区划代码) ----
class DivisionUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("division code table (.csv or .xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "form-control"


def _rows_of(record):
    from accounts.divisions import Row

    return [Row(*r) for r in record.rows]


class DivisionImportView(DutyRequiredMixin, View):
    template_name = "accounts/division_import.html"

    def imports(self, request):
        qs = DivisionImport.objects.select_related("created_by").defer("rows")
        return qs if request.user.is_superuser else qs.filter(created_by=request.user)

    def get(self, request):
        return render(request, self.template_name, {"form": DivisionUploadForm(), "imports": self.imports(request)[:20]})

    def post(self, request):
        from accounts.divisions import read_table
        from core.excel import UploadError

        form = DivisionUploadForm(request.POST, request.FILES)
        problems = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows, problems = read_table(upload)
            except UploadError as exc:
                problems = [(0, str(exc))]
            else:
                if not problems and not rows:
                    problems = [(0, _("The sheet has no data rows."))]
            if not problems:
                record = DivisionImport.objects.create(
                    created_by=request.user, filename=upload.name[:200],
                    rows=[[r.line, r.code, r.name, r.klass] for r in rows],
                )
                return HttpResponseRedirect(reverse("accounts:division_preview", args=[record.pk]))
        return render(request, self.template_name, {"form": form, "problems": problems,
                                                    "imports": self.imports(request)[:20]}, status=400 if problems else 200)


class DivisionPreviewView(DutyRequiredMixin, View):
    template_name = "accounts/division_preview.html"
    shown = 200

    def record(self, request, pk):
        qs = DivisionImport.objects.all() if request.user.is_superuser else DivisionImport.objects.filter(created_by=request.user)
        return get_object_or_404(qs, pk=pk)

    def render_plan(self, request, record, plan, status=200):
        lists = {k: getattr(plan, k)[: self.shown] for k in ("new", "renamed", "moved", "urban_changed", "vanished", "restored")}
        return render(request, self.template_name, {"record": record, "plan": plan, "lists": lists,
                                                    "counts": plan.counts, "shown": self.shown}, status=status)

    def get(self, request, pk):
        from accounts.divisions import compute_plan

        record = self.record(request, pk)
        return self.render_plan(request, record, compute_plan(actor=request.user, rows=_rows_of(record)))

    def post(self, request, pk):
        from accounts.divisions import apply_plan

        record = self.record(request, pk)
        if record.applied:
            messages.info(request, _("This table was already applied."))
            return HttpResponseRedirect(reverse("accounts:division_preview", args=[record.pk]))
        plan = apply_plan(actor=request.user, rows=_rows_of(record))
        if plan.errors:
            return self.render_plan(request, record, plan, status=400)
        DivisionImport.objects.filter(pk=record.pk).update(applied=timezone.now(), summary=plan.counts)
        messages.success(
            request,
            _("Division codes applied: %(new)d new, %(renamed)d renamed, %(moved)d moved, %(vanished)d flagged as vanished.")
            % plan.counts,
        )
        return HttpResponseRedirect(reverse("accounts:division_import"))


class MergeForm(BootstrapFormMixin, forms.Form):
    source = CommunityChoiceField(label=gettext_lazy("community merged away (撤)"), queryset=Node.objects.none())
    target = CommunityChoiceField(label=gettext_lazy("community it joins (并入)"), queryset=Node.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Node.objects.filter(level=Level.COMMUNITY, vanished__isnull=True).select_related("parent").order_by("code")
        if not user.is_superuser:
            qs = qs.filter(scope_q(user, Action.ADMINISTER))
        self.fields["source"].queryset = self.fields["target"].queryset = qs


class CommunityMergeView(DutyRequiredMixin, View):
    """撤并: every record of one community moves to another, in one transaction, with history."""

    template_name = "accounts/community_merge.html"

    def get(self, request):
        from accounts.divisions import merge_preview

        form = MergeForm(request.GET or None, user=request.user)
        preview = merge_preview(source=form.cleaned_data["source"]) if form.is_bound and form.is_valid() else None
        return render(request, self.template_name, {"form": form, "preview": preview})

    def post(self, request):
        from accounts.divisions import community_merge

        form = MergeForm(request.POST, user=request.user)
        if form.is_valid():
            source, target = form.cleaned_data["source"], form.cleaned_data["target"]
            try:
                moved = community_merge(actor=request.user, source=source, target=target)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, refusal_text(exc))
            else:
                messages.success(
                    request,
                    _("%(source)s was merged into %(target)s: %(n)d records moved; %(source)s is kept, flagged, for the record.")
                    % {"source": source.name, "target": target.name, "n": sum(moved.values())},
                )
                return HttpResponseRedirect(target.get_absolute_url())
        return render(request, self.template_name, {"form": form, "preview": None}, status=400)


# ---- 区划维护: cities, districts and streets in the portal; 拆分 of a community ----
class DivisionForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("division code"), max_length=12, min_length=12,
                           help_text=gettext_lazy("12 digits. Its leading digits name the parent: changing them moves the division, and every division below it takes the new prefix."))
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _administered_nodes(user):
    from accounts.divisions import ADMINISTERED_LEVELS

    qs = Node.objects.filter(level__in=ADMINISTERED_LEVELS)
    return qs if user.is_superuser else qs.filter(scope_q(user, Action.ADMINISTER))


class DivisionListView(DutyRequiredMixin, View):
    """The cities, districts and streets an administrator keeps, with what lies below each."""

    def get(self, request):
        from django.db.models import Count, Q

        qs = _administered_nodes(request.user).select_related("parent").order_by("code")
        q = (request.GET.get("q") or "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
        level = request.GET.get("level")
        if level in {str(lv.value) for lv in Level}:
            qs = qs.filter(level=int(level))
        qs = qs.annotate(n_children=Count("children"))
        context = {"title": _("Divisions"), "q": q, "level": level,
                   "levels": [(lv.value, lv.label) for lv in (Level.CITY, Level.COUNTY, Level.TOWNSHIP)]}
        context.update(_page(request, qs))
        return render(request, "accounts/division_list.html", context)


class DivisionEditView(DutyRequiredMixin, View):
    """New (no pk) or rename / re-code (pk) a city, district or street. A new code whose
    prefix moves divisions below it is confirmed on a second page that says how many."""

    template_name = "accounts/division_edit.html"

    def node(self, request, pk):
        return get_object_or_404(_administered_nodes(request.user), pk=pk) if pk else None

    def get(self, request, pk=None):
        node = self.node(request, pk)
        initial = {"code": node.code, "name": node.name, "version": node.version} if node else {}
        return render(request, self.template_name, {"form": DivisionForm(initial=initial), "node": node})

    def post(self, request, pk=None):
        from accounts.divisions import division_create, division_update, move_preview
        from core.versioning import Conflict

        node = self.node(request, pk)
        form = DivisionForm(request.POST)
        preview = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                if node is None:
                    saved = division_create(actor=request.user, code=data["code"], name=data["name"])
                    messages.success(request, _("%(name)s was created.") % {"name": saved.name})
                else:
                    if data["code"] != node.code and not request.POST.get("confirm"):
                        preview = move_preview(node=node, code=data["code"])
                        if preview["parent"] is not None:
                            return render(request, self.template_name, {"form": form, "node": node, "preview": preview})
                    saved = division_update(actor=request.user, node=node, name=data["name"], code=data["code"],
                                            version=data.get("version"))
                    messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("accounts:division_list") + f"?q={saved.code}")
            except Conflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
        return render(request, self.template_name, {"form": form, "node": node}, status=400)


class SplitForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("code of the new community"), max_length=12, min_length=12)
    name = forms.CharField(label=gettext_lazy("name of the new community"), max_length=100)


class CommunitySplitView(DutyRequiredMixin, View):
    """拆分: a new community beside an existing one, with the records chosen to move to it."""

    template_name = "accounts/community_split.html"

    def source(self, request):
        qs = Node.objects.filter(level=Level.COMMUNITY, vanished__isnull=True).select_related("parent")
        if not request.user.is_superuser:
            qs = qs.filter(scope_q(request.user, Action.ADMINISTER))
        pk = request.POST.get("source") or request.GET.get("source")
        return qs, (get_object_or_404(qs, pk=pk) if pk and str(pk).isdigit() else None)

    def context(self, request, form, source, qs, chosen=None):
        from accounts.divisions import split_candidates

        field = CommunityChoiceField(queryset=qs.order_by("code"), label=gettext_lazy("community to split"))
        chosen = chosen or set()
        candidates = [
            (key, kind, [(row, f"{key}:{row.pk}", f"{key}:{row.pk}" in chosen) for row in rows])
            for key, kind, rows in (split_candidates(source=source) if source else [])
        ]
        return {"form": form, "source": source, "choices": field.choices, "candidates": candidates}

    def get(self, request):
        qs, source = self.source(request)
        return render(request, self.template_name, self.context(request, SplitForm(), source, qs))

    def post(self, request):
        from accounts.divisions import community_split

        qs, source = self.source(request)
        form = SplitForm(request.POST)
        chosen = set(request.POST.getlist("record"))
        if source is None:
            form.add_error(None, _("Choose the community to split."))
        elif form.is_valid():
            records: dict = {}
            for item in chosen:
                key, _sep, pk = item.rpartition(":")
                if key and pk.isdigit():
                    records.setdefault(key, []).append(int(pk))
            for key in request.POST.getlist("all"):
                records[key] = "all"
            try:
                new, moved = community_split(actor=request.user, source=source, code=form.cleaned_data["code"],
                                             name=form.cleaned_data["name"], records=records)
            except ValidationError as exc:
                add_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(new)s was split off %(source)s: %(n)d records moved.")
                                 % {"new": new.name, "source": source.name, "n": sum(moved.values())})
                return HttpResponseRedirect(new.get_absolute_url())
        return render(request, self.template_name, self.context(request, form, source, qs, chosen), status=400)
