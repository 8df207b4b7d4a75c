from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Level, Node, require_community_code
from core.forms import BootstrapFormMixin
from core.scope import Action, scope_q


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} / {obj.name}（{obj.code[:9]}）" if obj.parent_id else obj.name


class CommunityForm(BootstrapFormMixin, forms.ModelForm):
    """A community's place in the hierarchy and its facts. Parents offered: streets the user
    may enter data in; the service checks the scope again when saving."""

    parent = ParentChoiceField(queryset=Node.objects.none(), label=_("street/township"))

    class Meta:
        model = Node
        fields = [
            "code", "name", "parent", "community_type", "is_urban", "resident_population", "floating_population",
            "households", "party_members", "party_org_form", "address", "phone",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["parent"].queryset = (
            Node.objects.filter(level=Level.TOWNSHIP).filter(scope_q(user, Action.CHANGE)).select_related("parent")
        )
        self.fields["code"].help_text = _("12-digit statistical division code; its first 9 digits are the street's.")
        self.fields["community_type"].required = True
        self.fields["party_org_form"].required = True

    def clean_code(self):
        return require_community_code(self.cleaned_data["code"])
