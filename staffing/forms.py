from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Level, Node
from core.forms import BootstrapFormMixin, PersonalFieldsFormMixin
from core.scope import Action, scope_q
from staffing.filters import CommunityChoiceField
from staffing.models import Appointment, Attendance, Cadre, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from staffing.selectors import courses_open_to

class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.community.parent.name} / {obj.community.name} / {obj.name}"


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.community.name} / {obj.name}"


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_level_display()}）"


def editable_communities(user):
    return Node.objects.filter(level=Level.COMMUNITY).filter(scope_q(user, Action.CHANGE)).select_related("parent")


def editable_cadres(user):
    return Cadre.objects.editable_by(user).select_related("community", "community__parent")


class StaffingForm(PersonalFieldsFormMixin, BootstrapFormMixin, forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
        self.mask_personal_fields(user)


class CadreForm(StaffingForm):
    community = CommunityChoiceField(queryset=Node.objects.none(), label=_("community"))

    class Meta:
        model = Cadre
        fields = ["community", "name", "gender", "birth_date", "education", "is_party_member", "party_join_date", "phone", "id_number"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["community"].queryset = editable_communities(user)
        # Never put the raw value in the page of someone who may not see it (StaffingForm masks
        # it); the masked value sent back as it was shown keeps the stored one.
        if not self.personal_masked:
            self.fields["id_number"].help_text = _("18 characters; checked against the birth date and gender.")

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").strip().upper()


class AppointmentForm(StaffingForm):
    cadre = CadreChoiceField(queryset=Cadre.objects.none(), label=_("cadre"))

    class Meta:
        model = Appointment
        fields = ["cadre", "post", "start_date", "end_date", "employment_form", "recruitment_channel", "selection_method", "appointed_by", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["cadre"].queryset = editable_cadres(user)


class TrainingCourseForm(StaffingForm):
    organizer = NodeChoiceField(queryset=Node.objects.none(), label=_("organizer"))

    class Meta:
        model = TrainingCourse
        fields = ["name", "kind", "organizer", "start_date", "end_date", "hours", "location"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organizer"].queryset = Node.objects.filter(scope_q(user, Action.CHANGE)).filter(level__gte=Level.COUNTY)


class AttendanceForm(StaffingForm):
    cadre = CadreChoiceField(queryset=Cadre.objects.none(), label=_("cadre"))

    class Meta:
        model = Attendance
        fields = ["course", "cadre", "completed", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["course"].queryset = courses_open_to(user)
        self.fields["cadre"].queryset = editable_cadres(user)


class WelfareForm(StaffingForm):
    cadre = CadreChoiceField(queryset=Cadre.objects.none(), label=_("cadre"))

    class Meta:
        model = Welfare
        fields = ["cadre", "year", "allowance", "pension", "medical", "unemployment"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["cadre"].queryset = editable_cadres(user)


class RecognitionForm(StaffingForm):
    cadre = CadreChoiceField(queryset=Cadre.objects.none(), label=_("cadre"))

    class Meta:
        model = Recognition
        fields = ["cadre", "kind", "title", "level", "date", "granted_by"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["cadre"].queryset = editable_cadres(user)


class VolunteerTeamForm(StaffingForm):
    community = CommunityChoiceField(queryset=Node.objects.none(), label=_("community"))

    class Meta:
        model = VolunteerTeam
        fields = ["name", "community", "service_type", "founded_on", "leader"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["community"].queryset = editable_communities(user)


class VolunteerForm(StaffingForm):
    team = TeamChoiceField(queryset=VolunteerTeam.objects.none(), label=_("volunteer team"))

    class Meta:
        model = Volunteer
        fields = ["team", "name", "gender", "is_party_member", "joined_on", "skills"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["team"].queryset = VolunteerTeam.objects.editable_by(user).select_related("community")


class CadresField(forms.ModelMultipleChoiceField):
    """The cadres picked on the batch page (checkboxes); a cadre the user may not edit is not a
    choice, so it is refused like a number that does not exist."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.community.name} / {obj.name}"


class AttendanceBatchForm(BootstrapFormMixin, forms.Form):
    """批量登记: one course, many cadres."""

    course = forms.ModelChoiceField(queryset=TrainingCourse.objects.none(), label=_("training course"))
    cadres = CadresField(queryset=Cadre.objects.none(), label=_("cadres"),
                         error_messages={"required": _("Choose at least one cadre.")})
    completed = forms.BooleanField(label=_("completed"), required=False, initial=True)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_open_to(user).select_related("organizer")
        self.fields["cadres"].queryset = editable_cadres(user)
