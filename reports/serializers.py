"""Shapes of the reports API: the dashboard figures (documented for the OpenAPI schema; the
response itself is served from the cache as ready JSON), and the summaries (read-only)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports.figures import AGE_BANDS, GRADES, RECORD_FAMILIES
from reports.models import Summary
from staffing.models import Education


class DashboardQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    help_text=_("the year; this year when left out"))


# A figure of a family with no record for the node in the year is null (未录入), never 0.
UNRECORDED = "null when none of its family's records exists for the node in the year (未录入)"
_NULLABLE = {name for _counts, names in RECORD_FAMILIES.values() for name in names}


def _figure_fields():
    def count(name):
        if name in _NULLABLE:
            return {"min_value": 0, "allow_null": True, "help_text": UNRECORDED}
        return {"min_value": 0, "help_text": ""}

    fields = {
        name: serializers.IntegerField(**count(name))
        for name in [
            "communities", "party_members", "cadres", "age_sum", "college", "one_shoulder", "funds_with_standard",
            "funds_meeting", "area_with_standard", "area_meeting", "agreements_in_force", "commitments_due",
            "commitments_kept", "commitments_overdue", "members_registered", "meetings_held", "assessed",
            *[f"age_{band}" for band, _lo, _hi in AGE_BANDS], *[f"education_{e.value}" for e in Education],
            *[f"grade_{g}" for g in GRADES],
        ]
    }
    money = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": True}
    rate = {"max_digits": 5, "decimal_places": 1, "coerce_to_string": True, "allow_null": True,
            "help_text": "percent, null when the base is 0"}
    fields.update(
        working_funds=serializers.DecimalField(**money, allow_null=True,
                                               help_text=f"yuan received in the working categories; {UNRECORDED}"),
        built_area=serializers.DecimalField(**money, allow_null=True,
                                            help_text=f"㎡ of completed venues at the year's end; {UNRECORDED}"),
        funds_per_community=serializers.DecimalField(**money, allow_null=True),
        average_age=serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=True, allow_null=True),
        college_share=serializers.DecimalField(**rate),
        one_shoulder_share=serializers.DecimalField(**rate),
        funds_compliance_rate=serializers.DecimalField(**rate),
        area_compliance_rate=serializers.DecimalField(**rate),
        commitments_kept_rate=serializers.DecimalField(**rate),
    )
    return fields


FiguresSerializer = type("DashboardFiguresSerializer", (serializers.Serializer,), _figure_fields())


class DashboardNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(help_text="1 province, 2 city, 3 district, 4 street, 5 community")
    level_label = serializers.CharField(help_text="the level's name in the language of the request")


class DashboardChildSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = FiguresSerializer()


class DashboardSerializer(serializers.Serializer):
    node = DashboardNodeSerializer()
    child_level_label = serializers.CharField(help_text="the children's level name; empty for a community")
    year = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField(), help_text="the five years of the trend, oldest first")
    totals = serializers.DictField(child=FiguresSerializer(), help_text="the node's figures by year (keys: years)")
    children = DashboardChildSerializer(many=True, help_text="the figures of each child node in the year (drill-down)")


class SummarySerializer(serializers.ModelSerializer):
    node_code = serializers.CharField(source="node.code", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)

    class Meta:
        model = Summary
        fields = ["id", "node_code", "node_name", "year", "version", "state", "title", "blocks", "created",
                  "finalised_at"]
        read_only_fields = fields
