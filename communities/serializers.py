from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from communities.models import Level, Node, require_community_code
from core.scope import Action, scope_q


class NodeSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Node
        fields = ["id", "code", "name", "level", "level_display", "parent", "parent_code", "last_updated"]
        read_only_fields = fields


class CommunitySerializer(serializers.ModelSerializer):
    """A community with its facts. ``parent`` accepts only streets the client may enter data in."""

    parent = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    parent_name = serializers.CharField(source="parent.name", read_only=True)
    community_type_display = serializers.CharField(source="get_community_type_display", read_only=True)
    party_org_form_display = serializers.CharField(source="get_party_org_form_display", read_only=True)

    class Meta:
        model = Node
        fields = [
            "id", "code", "name", "parent", "parent_name", "community_type", "community_type_display", "is_urban",
            "resident_population", "floating_population", "households", "party_members", "party_org_form",
            "party_org_form_display", "address", "phone", "created", "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]
        extra_kwargs = {"community_type": {"required": True, "allow_blank": False}, "party_org_form": {"required": True, "allow_blank": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["parent"].queryset = Node.objects.filter(level=Level.TOWNSHIP).filter(scope_q(user, Action.CHANGE))

    def validate_code(self, value):
        try:
            return require_community_code(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)
