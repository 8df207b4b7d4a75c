from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Level, Node
from core.forms import BootstrapFormMixin
from core.masking import can_see_personal_data, mask_id_number, mask_phone
from core.scope import Action, scope_q
from staffing.filters import CommunityChoiceField
from staffing.models import Appointment, Attendance, Cadre, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from staffing.personal import is_masked_copy
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


class StaffingForm(BootstrapFormMixin, forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class CadreForm(StaffingForm):
    community = CommunityChoiceField(queryset=Node.objects.none(), label=_("community"))

    class Meta:
        model = Cadre
        fields = ["community", "name", "gender", "birth_date", "education", "is_party_member", "party_join_date", "phone", "id_number"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["community"].queryset = editable_communities(user)
        self.stored = {}
        if self.instance.pk and not can_see_personal_data(user):
            # Never put the raw value in the page of someone who may not see it; the masked
            # value sent back unchanged keeps the stored one.
            self.stored = {"id_number": self.instance.id_number, "phone": self.instance.phone}
            self.initial["id_number"] = mask_id_number(self.instance.id_number)
            self.initial["phone"] = mask_phone(self.instance.phone)
        self.fields["id_number"].help_text = _("18 characters; checked against the birth date and gender.")

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if is_masked_copy(value, self.stored.get("id_number"), mask_id_number):
            return self.stored["id_number"]
        return value

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if is_masked_copy(value, self.stored.get("phone"), mask_phone):
            return self.stored["phone"]
        return value


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
