from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from communities.models import Node
from core.fields import validate_phone
from core.forms import BootstrapFormMixin, NodeChoiceField
from core.masking import mask_phone
from core.models import Role
from core.scope import Action, scope_q


def administered_nodes(user):
    """Divisions the user administers (the whole tree for the superuser), for dropdowns."""
    qs = Node.objects.all() if user.is_superuser else Node.objects.filter(scope_q(user, Action.ADMINISTER))
    return qs.order_by("code")


class OwnPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    """Django's form (old password, new twice, every validator incl. the password history)."""


class AccountForm(BootstrapFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("user name"), max_length=150, regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and . @ + - _ only; cannot be changed or reused later."),
    )
    name = forms.CharField(label=_("full name"), max_length=150)
    node = NodeChoiceField(label=_("home division"), queryset=Node.objects.none())
    phone = forms.CharField(label=_("mobile phone"), max_length=30, required=False, validators=[validate_phone])
    email = forms.EmailField(label=_("e-mail"), required=False)
    password = forms.CharField(
        label=_("initial password"), strip=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("The user must change it at the first login."),
    )

    def __init__(self, *args, user, editing=False, stored_phone=None, **kwargs):
        """``stored_phone``: the account's phone when the editor sees it masked (no
        ``core.view_personal_data``); the masked value sent back unchanged keeps it."""
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = administered_nodes(user)
        self.stored_phone = stored_phone
        if stored_phone:  # the masked value is recognised (clean_phone) before the format check
            self.fields["phone"].help_text = _("Shown masked; leave it as it is to keep the stored value.")
            self.fields["phone"].validators = []
        if editing:
            del self.fields["password"]
            self.fields["username"].disabled = True
            self.fields["username"].required = False

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        if self.stored_phone and value == mask_phone(self.stored_phone):
            return self.stored_phone  # left as shown
        validate_phone(value)  # a masked value: "enter the full number or leave it as it was shown"
        return value


class RoleForm(BootstrapFormMixin, forms.Form):
    node = NodeChoiceField(label=_("division"), queryset=Node.objects.none())
    role = forms.ChoiceField(label=_("role"))

    def __init__(self, *args, user, **kwargs):
        from accounts.services import DELEGABLE_ROLES

        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.all().order_by("code") if user.is_superuser else Node.objects.filter(
            scope_q(user, Action.ADMINISTER)
        ).order_by("code")
        roles = Role.choices if user.is_superuser else [(r.value, r.label) for r in DELEGABLE_ROLES]
        self.fields["role"].choices = roles


class ResetPasswordForm(BootstrapFormMixin, forms.Form):
    password = forms.CharField(
        label=_("new password"), strip=False, widget=forms.PasswordInput,
        help_text=password_validation.password_validators_help_text_html(),
    )


class ProfileForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("full name"), max_length=150)
    phone = forms.CharField(label=_("mobile phone"), max_length=30, required=False, validators=[validate_phone])


class TokenForm(BootstrapFormMixin, forms.Form):
    token = forms.RegexField(
        label=_("six-digit code"), regex=r"^\s*\d{6}\s*$", max_length=8,
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
