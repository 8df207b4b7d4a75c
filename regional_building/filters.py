"""One FilterSet per model: the page, the API and the Excel export share it."""

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.filters import lean_choices, street_choices
from communities.models import Level, Node, PartyOrgForm
from core.filters import BaseFilterSet, SearchFilter, WithinFilter, YesNoFilter, scoped_nodes
from regional_building.models import (
    Agreement,
    AgreementStatus,
    Claim,
    CommitmentCategory,
    CommitmentStatus,
    CommitteeMember,
    Commitment,
    ConferenceLevel,
    ConferenceMember,
    Feedback,
    Fulfilment,
    JointConference,
    Meeting,
    MemberRegistration,
    MemberRole,
    PostCategory,
    RegistrationStatus,
    ResidentUnit,
    ServicePost,
    UnitKind,
)

EXPIRY_WINDOW_DAYS = 90


def community_choices(request):
    return lean_choices(scoped_nodes(request, Level.COMMUNITY))


class CommunityChoiceField(django_filters.fields.ModelChoiceField):
    """Communities labelled "街道 / 社区": a district's 148 communities stay readable. The street
    names come from one query per dropdown, whatever the number of communities."""

    def label_from_instance(self, obj):
        if not hasattr(self, "_street_names"):
            codes = {c.code[:9] + "000" for c in self.queryset}
            self._street_names = dict(Node.objects.filter(code__in=codes).values_list("code", "name"))
        street = self._street_names.get(obj.code[:9] + "000")
        return f"{street} / {obj.name}" if street else obj.name


class CommunityFilter(WithinFilter):
    field_class = CommunityChoiceField


class NodeFilters(BaseFilterSet):
    q = SearchFilter()
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community = CommunityFilter(queryset=community_choices, label=_("community"))


class ResidentUnitFilterSet(NodeFilters):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("unit kind"))
    party_org_form = django_filters.ChoiceFilter(choices=PartyOrgForm.choices, label=_("party organization form"))
    credit_code = django_filters.CharFilter(label=_("unified social credit code"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("unit name"))
    party_member_count__gte = django_filters.NumberFilter(field_name="party_member_count", lookup_expr="gte", label=_("party members at least"))

    class Meta:
        model = ResidentUnit
        fields = ["q", "street", "community", "kind", "party_org_form"]


class JointConferenceFilterSet(NodeFilters):
    level = django_filters.ChoiceFilter(choices=ConferenceLevel.choices, label=_("conference level"))

    class Meta:
        model = JointConference
        fields = ["q", "street", "level"]


class ConferenceMemberFilterSet(NodeFilters):
    conference = django_filters.NumberFilter(field_name="conference_id", label=_("joint conference"))
    unit = django_filters.NumberFilter(field_name="unit_id", label=_("resident unit"))
    role = django_filters.ChoiceFilter(choices=MemberRole.choices, label=_("role"))

    class Meta:
        model = ConferenceMember
        fields = ["street", "role"]


class CommitteeMemberFilterSet(NodeFilters):
    conference = django_filters.NumberFilter(field_name="conference_id", label=_("joint conference"))

    class Meta:
        model = CommitteeMember
        fields = ["q", "street"]


class MeetingFilterSet(NodeFilters):
    conference = django_filters.NumberFilter(field_name="conference_id", label=_("joint conference"))
    year = django_filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("year"))
    held_on__gte = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("held from"))
    held_on__lte = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("held until"))
    has_minutes = YesNoFilter(method="filter_minutes", label=_("minutes attached"))

    class Meta:
        model = Meeting
        fields = ["q", "street", "year", "has_minutes"]

    def filter_minutes(self, qs, name, value):
        if value is None:
            return qs
        return qs.exclude(minutes="") if value else qs.filter(minutes="")


class AgreementFilterSet(NodeFilters):
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, method="filter_status", label=_("agreement status"))
    expiring = YesNoFilter(method="filter_expiring", label=_("expiring within 90 days"))
    unit = django_filters.NumberFilter(field_name="unit_id", label=_("resident unit"))
    signed_year = django_filters.NumberFilter(field_name="signed_on", lookup_expr="year", label=_("year signed"))

    class Meta:
        model = Agreement
        fields = ["q", "street", "community", "status", "expiring"]

    def filter_status(self, qs, name, value):
        return qs.with_status().filter(status_value=value) if value else qs

    def filter_expiring(self, qs, name, value):
        if value is None:
            return qs
        today = timezone.localdate()
        window = dict(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS),
                      valid_from__lte=today, terminated_on__isnull=True)
        return qs.filter(**window) if value else qs.exclude(**window)


class CommitmentFilterSet(NodeFilters):
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices, method="filter_status", label=_("fulfilment status"))
    category = django_filters.ChoiceFilter(choices=CommitmentCategory.choices, label=_("commitment category"))
    agreement = django_filters.NumberFilter(field_name="agreement_id", label=_("joint-building agreement"))
    due_year = django_filters.NumberFilter(field_name="due_on", lookup_expr="year", label=_("year due"))

    class Meta:
        model = Commitment
        fields = ["q", "street", "community", "status", "category", "due_year"]

    def filter_status(self, qs, name, value):
        return qs.with_status().filter(status_value=value) if value else qs


class FulfilmentFilterSet(NodeFilters):
    commitment = django_filters.NumberFilter(field_name="commitment_id", label=_("commitment"))
    year = django_filters.NumberFilter(field_name="done_on", lookup_expr="year", label=_("year"))

    class Meta:
        model = Fulfilment
        fields = ["q", "street", "community", "year"]


class MemberRegistrationFilterSet(NodeFilters):
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices, label=_("registration status"))
    year = django_filters.NumberFilter(field_name="registered_on", lookup_expr="year", label=_("year registered"))
    work_unit = django_filters.NumberFilter(field_name="work_unit_id", label=_("work unit (registered)"))

    class Meta:
        model = MemberRegistration
        fields = ["q", "street", "community", "status", "year"]


class ServicePostFilterSet(NodeFilters):
    category = django_filters.ChoiceFilter(choices=PostCategory.choices, label=_("service category"))
    year = django_filters.NumberFilter(field_name="offered_on", lookup_expr="year", label=_("year offered"))

    class Meta:
        model = ServicePost
        fields = ["q", "street", "community", "category", "year"]


class ClaimFilterSet(NodeFilters):
    post = django_filters.NumberFilter(field_name="post_id", label=_("service post"))
    by_unit = YesNoFilter(field_name="unit", lookup_expr="isnull", exclude=True, label=_("claimed by a unit"))
    year = django_filters.NumberFilter(field_name="claimed_on", lookup_expr="year", label=_("year claimed"))

    class Meta:
        model = Claim
        fields = ["q", "street", "community", "by_unit", "year"]


class FeedbackFilterSet(NodeFilters):
    year = django_filters.NumberFilter(label=_("year"))
    quarter = django_filters.ChoiceFilter(choices=[(1, _("Q1")), (2, _("Q2")), (3, _("Q3")), (4, _("Q4"))], label=_("quarter"))
    registration = django_filters.NumberFilter(field_name="registration_id", label=_("in-service member"))

    class Meta:
        model = Feedback
        fields = ["q", "street", "community", "year", "quarter"]
