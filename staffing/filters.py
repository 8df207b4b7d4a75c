"""One FilterSet per model: the web list, the API and the Excel export share it."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.filters import lean_choices, street_choices
from communities.models import Level, Node
from core.filters import BaseFilterSet, SearchFilter, WithinFilter, YesNoFilter, scoped_nodes
from staffing.models import (
    Appointment,
    Attendance,
    Cadre,
    CourseKind,
    Education,
    EmploymentForm,
    Gender,
    Post,
    RecognitionKind,
    RecognitionLevel,
    RecruitmentChannel,
    Recognition,
    SelectionMethod,
    ServiceType,
    TrainingCourse,
    Volunteer,
    VolunteerTeam,
    Welfare,
)
from staffing.selectors import active_on
from core.forms import CommunityChoiceField


class CommunityFilter(django_filters.ModelChoiceFilter):
    field_class = CommunityChoiceField


COMMUNITY_CHOICES_MAX = 300


def community_choices(request):
    """Communities to offer, labelled "街道 / 社区": those of the chosen street, or all in scope
    when few enough (a district's 148); a province-wide user picks a street first. A community
    chosen elsewhere (``?community=<id>`` from a panel link) stays offered. Same queries
    whatever the size of the scope."""
    qs = scoped_nodes(request, Level.COMMUNITY).only("id", "code", "name", "level", "parent", "parent__name")
    if request is None:
        return qs
    street = request.GET.get("street")
    if street and street.isdigit():
        parent = Node.objects.filter(pk=street).only("code", "level").first()
        if parent is not None:
            return qs.filter(code__startswith=parent.prefix)
    few_enough = ~Exists(qs.order_by().values("pk")[COMMUNITY_CHOICES_MAX : COMMUNITY_CHOICES_MAX + 1])
    community = request.GET.get("community")
    if community and community.isdigit():
        return qs.filter(Q(pk=community) | few_enough)
    return qs.filter(few_enough)


def organizer_choices(request):
    return lean_choices(scoped_nodes(request))


AGE_BANDS = [("18-30", _("30 or younger")), ("31-40", "31–40"), ("41-50", "41–50"), ("51-60", "51–60"), ("61-75", _("over 60"))]
STATUS_CHOICES = [("active", _("in post")), ("ended", _("no longer in post"))]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band_q(value: str, birth_field: str) -> Q:
    low, high = (int(x) for x in value.split("-"))
    today = timezone.localdate()
    return Q(**{f"{birth_field}__lte": _years_before(today, low), f"{birth_field}__gt": _years_before(today, high + 1)})


class AgeBandFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", AGE_BANDS)
        kwargs.setdefault("label", _("age band"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(age_band_q(value, self.field_name))


class CadreFilterSet(BaseFilterSet):
    q = SearchFilter()
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community = CommunityFilter(queryset=community_choices, label=_("community"))
    post = django_filters.ChoiceFilter(choices=Post.choices, method="filter_post", label=_("current post"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("status"))
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("education"))
    age_band = AgeBandFilter(field_name="birth_date")
    employment_form = django_filters.ChoiceFilter(
        choices=EmploymentForm.choices, method="filter_employment_form", label=_("employment form")
    )
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("gender"))
    is_party_member = YesNoFilter(label=_("party member"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("full name"))
    birth_date = django_filters.DateFilter(label=_("birth date"))
    party_join_date = django_filters.DateFilter(label=_("party join date"))

    class Meta:
        model = Cadre
        fields = ["q", "street", "community", "post", "status", "education", "age_band", "employment_form"]

    @staticmethod
    def _active(**extra):
        return Exists(
            Appointment.objects.filter(active_on(timezone.localdate()), cadre=OuterRef("pk"), **extra)
        )

    def filter_post(self, qs, name, value):
        return qs.filter(self._active(post=value)) if value else qs

    def filter_employment_form(self, qs, name, value):
        return qs.filter(self._active(employment_form=value)) if value else qs

    def filter_status(self, qs, name, value):
        if value == "active":
            return qs.filter(self._active())
        if value == "ended":
            return qs.exclude(self._active())
        return qs


class AppointmentFilterSet(BaseFilterSet):
    q = SearchFilter()
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community = CommunityFilter(queryset=community_choices, field_name="cadre__community", label=_("community"))
    post = django_filters.ChoiceFilter(choices=Post.choices, label=_("post"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("status"))
    education = django_filters.ChoiceFilter(choices=Education.choices, field_name="cadre__education", label=_("education"))
    age_band = AgeBandFilter(field_name="cadre__birth_date")
    employment_form = django_filters.ChoiceFilter(choices=EmploymentForm.choices, label=_("employment form"))
    recruitment_channel = django_filters.ChoiceFilter(choices=RecruitmentChannel.choices, label=_("recruitment channel"))
    selection_method = django_filters.ChoiceFilter(choices=SelectionMethod.choices, label=_("selection method"))
    cadre = django_filters.NumberFilter(field_name="cadre_id", label=_("cadre"))
    start_date = django_filters.DateFromToRangeFilter(label=_("start date"))
    end_date = django_filters.DateFromToRangeFilter(label=_("end date"))
    appointed_by = django_filters.CharFilter(lookup_expr="icontains", label=_("appointed by"))
    note = django_filters.CharFilter(lookup_expr="icontains", label=_("note"))

    class Meta:
        model = Appointment
        fields = ["q", "street", "community", "post", "status", "education", "age_band", "employment_form"]

    def filter_status(self, qs, name, value):
        on = timezone.localdate()
        if value == "active":
            return qs.filter(active_on(on))
        if value == "ended":
            return qs.filter(end_date__lt=on)
        return qs


class TrainingCourseFilterSet(BaseFilterSet):
    q = SearchFilter()
    within = WithinFilter(queryset=organizer_choices, label=_("organizer within"))
    kind = django_filters.ChoiceFilter(choices=CourseKind.choices, label=_("course kind"))
    year = django_filters.NumberFilter(field_name="start_date", lookup_expr="year", label=_("year"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("course name"))
    organizer = django_filters.NumberFilter(field_name="organizer_id", label=_("organizer"))
    start_date = django_filters.DateFromToRangeFilter(label=_("start date"))
    end_date = django_filters.DateFromToRangeFilter(label=_("end date"))
    hours = django_filters.RangeFilter(label=_("class hours"))
    location = django_filters.CharFilter(lookup_expr="icontains", label=_("location"))

    class Meta:
        model = TrainingCourse
        fields = ["q", "within", "kind", "year"]


class CadreRelatedFilterSet(BaseFilterSet):
    """Filters shared by records attached to a cadre."""

    q = SearchFilter()
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community = CommunityFilter(queryset=community_choices, field_name="cadre__community", label=_("community"))
    education = django_filters.ChoiceFilter(choices=Education.choices, field_name="cadre__education", label=_("education"))
    age_band = AgeBandFilter(field_name="cadre__birth_date")
    cadre = django_filters.NumberFilter(field_name="cadre_id", label=_("cadre"))


class AttendanceFilterSet(CadreRelatedFilterSet):
    course = django_filters.NumberFilter(field_name="course_id", label=_("training course"))
    year = django_filters.NumberFilter(field_name="course__start_date", lookup_expr="year", label=_("year"))
    kind = django_filters.ChoiceFilter(choices=CourseKind.choices, field_name="course__kind", label=_("course kind"))
    completed = YesNoFilter(label=_("completed"))
    note = django_filters.CharFilter(lookup_expr="icontains", label=_("note"))

    class Meta:
        model = Attendance
        fields = ["q", "street", "community", "year", "kind", "completed", "education", "age_band"]


class WelfareFilterSet(CadreRelatedFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    allowance = django_filters.RangeFilter(label=_("allowance or salary"))
    pension = django_filters.RangeFilter(label=_("pension insurance"))
    medical = django_filters.RangeFilter(label=_("medical insurance"))
    unemployment = django_filters.RangeFilter(label=_("unemployment insurance"))

    class Meta:
        model = Welfare
        fields = ["q", "street", "community", "year", "education", "age_band"]


class RecognitionFilterSet(CadreRelatedFilterSet):
    kind = django_filters.ChoiceFilter(choices=RecognitionKind.choices, label=_("kind"))
    level = django_filters.ChoiceFilter(choices=RecognitionLevel.choices, label=_("level"))
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label=_("year"))
    title = django_filters.CharFilter(lookup_expr="icontains", label=_("award or new post"))
    date = django_filters.DateFromToRangeFilter(label=_("date"))
    granted_by = django_filters.CharFilter(lookup_expr="icontains", label=_("granted by"))

    class Meta:
        model = Recognition
        fields = ["q", "street", "community", "kind", "level", "year"]


class VolunteerTeamFilterSet(BaseFilterSet):
    q = SearchFilter()
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community = CommunityFilter(queryset=community_choices, label=_("community"))
    service_type = django_filters.ChoiceFilter(choices=ServiceType.choices, label=_("service type"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("team name"))
    founded_on = django_filters.DateFromToRangeFilter(label=_("founded on"))
    leader = django_filters.CharFilter(lookup_expr="icontains", label=_("team leader"))

    class Meta:
        model = VolunteerTeam
        fields = ["q", "street", "community", "service_type"]


class VolunteerFilterSet(BaseFilterSet):
    q = SearchFilter()
    street = WithinFilter(queryset=street_choices, label=_("street"))
    community = CommunityFilter(queryset=community_choices, field_name="team__community", label=_("community"))
    team = django_filters.NumberFilter(field_name="team_id", label=_("volunteer team"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("gender"))
    is_party_member = YesNoFilter(label=_("party member"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("full name"))
    joined_on = django_filters.DateFromToRangeFilter(label=_("joined on"))
    skills = django_filters.CharFilter(lookup_expr="icontains", label=_("skills"))

    class Meta:
        model = Volunteer
        fields = ["q", "street", "community", "gender", "is_party_member"]
