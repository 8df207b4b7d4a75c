from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.models import Level, Node
from core.api import PersonalFieldsSerializerMixin
from core.masking import can_see_personal_data, mask_id_number, mask_phone
from core.scope import Action, scope_q
from staffing.models import Appointment, Attendance, Cadre, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from staffing.selectors import courses_open_to


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class CadreSerializer(PersonalFieldsSerializerMixin, serializers.ModelSerializer):
    """``id_number`` and ``phone`` are masked for clients without ``core.view_personal_data``;
    the viewset records each unmasked view. Sending the masked value back as it was shown keeps the
    stored one (core.api.PersonalFieldsSerializerMixin)."""

    community = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    community_name = serializers.CharField(source="community.name", read_only=True)
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    education_display = serializers.CharField(source="get_education_display", read_only=True)
    age = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cadre
        fields = [
            "id", "community", "community_name", "name", "gender", "gender_display", "birth_date", "age",
            "education", "education_display", "is_party_member", "party_join_date", "phone", "id_number",
            "created", "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]
        extra_kwargs = {"id_number": {"validators": []}}  # uniqueness: the model's message, via the service

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        self.fields["community"].queryset = Node.objects.filter(level=Level.COMMUNITY).filter(scope_q(user, Action.CHANGE))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not can_see_personal_data(_user(self)):
            data["id_number"] = mask_id_number(instance.id_number)
            data["phone"] = mask_phone(instance.phone)
        return data

    def validate_id_number(self, value):
        return (value or "").strip().upper()


class CadreRelatedSerializer(serializers.ModelSerializer):
    cadre = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.none())
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    community = serializers.IntegerField(source="cadre.community_id", read_only=True)
    community_name = serializers.CharField(source="cadre.community.name", read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = Cadre.objects.editable_by(_user(self))


class AppointmentSerializer(CadreRelatedSerializer):
    post_display = serializers.CharField(source="get_post_display", read_only=True)
    employment_form_display = serializers.CharField(source="get_employment_form_display", read_only=True)
    recruitment_channel_display = serializers.CharField(source="get_recruitment_channel_display", read_only=True)
    selection_method_display = serializers.CharField(source="get_selection_method_display", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id", "cadre", "cadre_name", "community", "community_name", "post", "post_display", "start_date",
            "end_date", "is_active", "employment_form", "employment_form_display", "recruitment_channel",
            "recruitment_channel_display", "selection_method", "selection_method_display", "appointed_by", "note",
            "created", "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]


class TrainingCourseSerializer(serializers.ModelSerializer):
    organizer = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    organizer_name = serializers.CharField(source="organizer.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1)

    class Meta:
        model = TrainingCourse
        fields = ["id", "name", "kind", "kind_display", "organizer", "organizer_name", "start_date", "end_date", "hours",
                  "location", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = Node.objects.filter(scope_q(_user(self), Action.CHANGE))

    def validate_hours(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("Training hours must be greater than 0."))
        return value


class AttendanceSerializer(CadreRelatedSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=TrainingCourse.objects.none())
    course_name = serializers.CharField(source="course.name", read_only=True)
    hours = serializers.DecimalField(source="course.hours", max_digits=6, decimal_places=1, read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "course", "course_name", "hours", "cadre", "cadre_name", "community", "community_name",
                  "completed", "note", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]
        validators = []  # the pair's uniqueness: the model's Chinese message, via the service

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_open_to(_user(self))


class WelfareSerializer(CadreRelatedSerializer):
    total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Welfare
        fields = ["id", "cadre", "cadre_name", "community", "community_name", "year", "allowance", "pension", "medical",
                  "unemployment", "total", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]
        validators = []


class RecognitionSerializer(CadreRelatedSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Recognition
        fields = ["id", "cadre", "cadre_name", "community", "community_name", "kind", "kind_display", "title", "level",
                  "level_display", "date", "granted_by", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]


class VolunteerTeamSerializer(serializers.ModelSerializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    community_name = serializers.CharField(source="community.name", read_only=True)
    service_type_display = serializers.CharField(source="get_service_type_display", read_only=True)
    member_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = VolunteerTeam
        fields = ["id", "name", "community", "community_name", "service_type", "service_type_display", "founded_on",
                  "leader", "member_count", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Node.objects.filter(level=Level.COMMUNITY).filter(scope_q(_user(self), Action.CHANGE))


class VolunteerSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=VolunteerTeam.objects.none())
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Volunteer
        fields = ["id", "team", "team_name", "name", "gender", "is_party_member", "joined_on", "skills", "created",
                  "last_updated"]
        read_only_fields = ["created", "last_updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = VolunteerTeam.objects.editable_by(_user(self))


class FiguresQuerySerializer(serializers.Serializer):
    node = serializers.IntegerField(help_text=_("id of any node the caller may see"))
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
