from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Level, Node
from core.forms import BootstrapFormMixin
from core.scope import Action, scope_q
from venues.models import AreaStandard, Venue
from venues.services import STANDARD_FIELDS, VENUE_FIELDS
from core.forms import CommunityChoiceField


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} / {obj.name}（{obj.get_level_display()}）" if obj.parent_id else obj.name


def community_choices(user):
    return (
        Node.objects.filter(level=Level.COMMUNITY)
        .filter(scope_q(user, Action.CHANGE))
        .select_related("parent")
        .only("id", "name", "code", "parent__name")
        .order_by("code")
    )


class VenueForm(BootstrapFormMixin, forms.ModelForm):
    community = CommunityChoiceField(queryset=Node.objects.none(), label=_("community (street / community)"))

    class Meta:
        model = Venue
        fields = VENUE_FIELDS
        widgets = {"completion_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = community_choices(user)
        self.fields["completion_date"].help_text = _("Required for a completed venue; it cannot lie in the future.")


class AreaStandardForm(BootstrapFormMixin, forms.ModelForm):
    node = NodeChoiceField(queryset=Node.objects.none(), label=_("set by"))

    class Meta:
        model = AreaStandard
        fields = STANDARD_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["node"].queryset = (
            Node.objects.filter(scope_q(user, Action.CHANGE)).select_related("parent").order_by("code")
        )
        self.fields["node"].help_text = _(
            "Every community below this division without a nearer standard of its own is held to it."
        )
