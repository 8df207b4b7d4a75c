from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.models import Level, Node
from core.scope import Action, scope_q
from venues.models import AreaStandard, Venue
from venues.services import STANDARD_FIELDS, VENUE_FIELDS


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class VenueSerializer(serializers.ModelSerializer):
    """A venue. ``community`` accepts only communities the client may enter data in."""

    community = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    community_code = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    acquisition_display = serializers.CharField(source="get_acquisition_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Venue
        fields = ["id", *VENUE_FIELDS, "community_code", "community_name", "acquisition_display", "status_display",
                  "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]
        extra_kwargs = {
            "usable_area": {"error_messages": {"min_value": _("An area cannot be negative.")}},
            "investment": {"error_messages": {"min_value": _("An amount cannot be negative.")}},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Node.objects.filter(level=Level.COMMUNITY).filter(
            scope_q(_user(self), Action.CHANGE)
        )


class AreaStandardSerializer(serializers.ModelSerializer):
    node = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    node_code = serializers.CharField(source="node.code", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = AreaStandard
        fields = ["id", *STANDARD_FIELDS, "node_code", "node_name", "description", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]
        validators = []  # the model's own check gives the Chinese message (see AreaStandard.unique_error_message)
        extra_kwargs = {
            "minimum_area": {"error_messages": {"min_value": _("An area cannot be negative.")}},
            "area_per_100_households": {"error_messages": {"min_value": _("An area cannot be negative.")}},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.filter(scope_q(_user(self), Action.CHANGE))
