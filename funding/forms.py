from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Level, Node
from core.forms import BootstrapFormMixin
from core.scope import Action, scope_q
from funding.models import ZERO, Allocation, Expenditure, Standard
from core.forms import CommunityChoiceField, NodeChoiceField


def editable_communities(user):
    return (
        Node.objects.filter(level=Level.COMMUNITY)
        .filter(scope_q(user, Action.CHANGE))
        .select_related("parent")
        .order_by("code")
    )


class StandardForm(BootstrapFormMixin, forms.ModelForm):
    node = NodeChoiceField(queryset=Node.objects.none(), label=_("set on"))

    class Meta:
        model = Standard
        fields = ["node", "year", "office_amount", "party_amount", "total_amount", "basis"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["node"].queryset = Node.objects.filter(scope_q(user, Action.CHANGE)).order_by("code")
        self.fields["node"].help_text = _("Every community under this node is held to the standard unless a nearer node sets its own.")
        for name in ("office_amount", "party_amount"):
            self.fields[name].required = False

    def _amount_or_zero(self, name):
        value = self.cleaned_data.get(name)
        return ZERO if value is None else value

    def clean_office_amount(self):
        return self._amount_or_zero("office_amount")

    def clean_party_amount(self):
        return self._amount_or_zero("party_amount")


class AllocationForm(BootstrapFormMixin, forms.ModelForm):
    community = CommunityChoiceField(queryset=Node.objects.none(), label=_("community"))

    class Meta:
        model = Allocation
        fields = ["community", "year", "category", "source", "amount", "received_on", "document_number", "note"]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = editable_communities(user)


class ExpenditureForm(BootstrapFormMixin, forms.ModelForm):
    community = CommunityChoiceField(queryset=Node.objects.none(), label=_("community"))

    class Meta:
        model = Expenditure
        fields = ["community", "spent_on", "category", "amount", "purpose", "voucher_number"]
        widgets = {"spent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = editable_communities(user)
