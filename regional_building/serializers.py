from django.urls import reverse
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.api import PersonalFieldsSerializerMixin
from core.masking import can_see_personal_data, mask_phone
from regional_building import models as m
from regional_building.forms import scope_related_fields


class ScopedSerializer(PersonalFieldsSerializerMixin, serializers.ModelSerializer):
    """Relation fields accept only records in the client's scope (an out-of-scope id is a 400);
    personal fields are masked for clients without ``core.view_personal_data``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        scope_related_fields(self.fields, self.Meta.model._meta.model_name, getattr(request, "user", None))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        personal = getattr(self.Meta.model, "personal_fields", ())
        if personal and not can_see_personal_data(getattr(request, "user", None)):
            for name in personal:
                if name in data:
                    data[name] = mask_phone(data[name])
        return data


class ResidentUnitSerializer(ScopedSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)

    class Meta:
        model = m.ResidentUnit
        fields = ["id", "name", "kind", "kind_display", "credit_code", "node", "node_name", "party_org_form",
                  "party_member_count", "contact_person", "contact_phone", "address", "last_updated"]
        read_only_fields = ["last_updated"]


class JointConferenceSerializer(ScopedSerializer):
    node_name = serializers.CharField(source="node.name", read_only=True)

    class Meta:
        model = m.JointConference
        fields = ["id", "name", "level", "node", "node_name", "established_on", "notes", "last_updated"]
        read_only_fields = ["last_updated"]


class ConferenceMemberSerializer(ScopedSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = m.ConferenceMember
        fields = ["id", "conference", "unit", "unit_name", "role", "term_start", "term_end"]


class CommitteeMemberSerializer(ScopedSerializer):
    class Meta:
        model = m.CommitteeMember
        fields = ["id", "conference", "person_name", "unit", "post", "unit_post", "term_start", "term_end"]


class MeetingSerializer(ScopedSerializer):
    minutes_url = serializers.SerializerMethodField()

    class Meta:
        model = m.Meeting
        fields = ["id", "conference", "held_on", "topics", "resolutions", "attendees", "minutes_name", "minutes_url",
                  "last_updated"]
        read_only_fields = ["minutes_name", "last_updated"]

    def get_minutes_url(self, obj) -> str | None:
        """The scoped download (never a public media URL); minutes are uploaded through the page."""
        return reverse("regional_building:meeting_minutes", args=[obj.pk]) if obj.minutes else None


class AgreementSerializer(ScopedSerializer):
    status = serializers.CharField(source="status.value", read_only=True)
    status_display = serializers.CharField(source="status.label", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)

    class Meta:
        model = m.Agreement
        fields = ["id", "title", "node", "node_name", "unit", "unit_name", "signed_on", "valid_from", "valid_until",
                  "terminated_on", "termination_reason", "status", "status_display", "notes", "last_updated"]
        read_only_fields = ["last_updated"]


class CommitmentSerializer(ScopedSerializer):
    status = serializers.CharField(source="status.value", read_only=True)
    status_display = serializers.CharField(source="status.label", read_only=True)

    class Meta:
        model = m.Commitment
        fields = ["id", "agreement", "category", "description", "due_on", "status", "status_display"]


class FulfilmentSerializer(ScopedSerializer):
    class Meta:
        model = m.Fulfilment
        fields = ["id", "commitment", "done_on", "what_was_done", "evidence"]


class MemberRegistrationSerializer(ScopedSerializer):
    work_unit_display = serializers.CharField(read_only=True)

    class Meta:
        model = m.MemberRegistration
        fields = ["id", "name", "phone", "work_unit", "work_unit_name", "work_unit_display", "community",
                  "registered_on", "status", "revoked_on", "revoke_reason", "last_updated"]
        read_only_fields = ["last_updated"]


class ServicePostSerializer(ScopedSerializer):
    claim_count = serializers.SerializerMethodField()

    class Meta:
        model = m.ServicePost
        fields = ["id", "community", "title", "category", "capacity", "claim_count", "offered_on", "description",
                  "last_updated"]
        read_only_fields = ["last_updated"]

    def get_claim_count(self, obj) -> int:
        annotated = getattr(obj, "n_claims", None)
        return annotated if annotated is not None else obj.claims.count()


class ClaimSerializer(ScopedSerializer):
    claimant = serializers.CharField(read_only=True)

    class Meta:
        model = m.Claim
        fields = ["id", "post", "member", "unit", "claimant", "claimed_on", "hours", "notes"]


class FeedbackSerializer(ScopedSerializer):
    class Meta:
        model = m.Feedback
        fields = ["id", "registration", "year", "quarter", "assessment", "sent_on"]


@extend_schema_serializer(many=False)  # one object, though the figures are served as a ViewSet's list
class FiguresSerializer(serializers.Serializer):
    node = serializers.IntegerField()
    node_name = serializers.CharField()
    year = serializers.IntegerField()
    meetings_held = serializers.IntegerField()
    agreements_in_force = serializers.IntegerField()
    commitments_due = serializers.IntegerField()
    commitments_kept = serializers.IntegerField()
    commitments_overdue = serializers.IntegerField()
    commitments_pending = serializers.IntegerField()
    members_registered = serializers.IntegerField()
    members_active = serializers.IntegerField()
    posts_offered = serializers.IntegerField()
    posts_claimed = serializers.IntegerField()
    claims = serializers.IntegerField()
    service_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
