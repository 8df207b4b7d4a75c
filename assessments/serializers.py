from rest_framework import serializers

from assessments.models import Event, Indicator, Result, Run, Scheme, Score
from core.templatetags.sanqi import person


class SchemeSerializer(serializers.ModelSerializer):
    locked = serializers.BooleanField(read_only=True)
    source = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.all(), required=False, allow_null=True, write_only=True)

    class Meta:
        model = Scheme
        fields = ["id", "district", "year", "name", "excellent_from", "good_from", "pass_from", "locked", "source"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # the districts whose schemes the caller reads (as scheme_list)
            from assessments.selectors import scheme_districts

            self.fields["district"].queryset = scheme_districts(user=request.user)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "scheme", "parent", "position", "name", "weight", "method", "scored_by", "rule", "params", "description"]


class RunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True, help_text="running | finished")

    class Meta:
        model = Run
        fields = ["id", "scheme", "state", "total", "done", "percent", "chunk_size", "started", "finished"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer):
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    maximum = serializers.DecimalField(source="indicator.weight", max_digits=6, decimal_places=2, read_only=True)
    adjusted_by = serializers.CharField(read_only=True, allow_null=True, help_text="who adjusted the score (login name); null if nobody")
    adjusted_by_name = serializers.SerializerMethodField(help_text="who adjusted the score, by display name (李录入)")
    scored_by = serializers.CharField(source="indicator.scored_by", read_only=True,
                                      help_text="manual indicators: street | district; blank for automatic ones")

    class Meta:
        model = Score
        fields = ["id", "indicator", "indicator_name", "maximum", "scored_by", "computed", "final", "evidence",
                  "adjusted_by", "adjusted_by_name", "adjusted_at", "adjust_reason"]
        read_only_fields = fields

    def get_adjusted_by_name(self, obj) -> str | None:
        return person(obj.adjusted_by) if obj.adjusted_by_id else None


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    actor_name = serializers.SerializerMethodField(help_text="who took the step, by display name")
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)

    class Meta:
        model = Event
        fields = ["action", "from_state", "to_state", "actor", "actor_name", "when", "comment"]

    def get_actor_name(self, obj) -> str:
        return person(obj.actor)


class ResultSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    street = serializers.CharField(source="community.parent.name", read_only=True)
    grade = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True, help_text="draft | submitted | returned | approved")

    class Meta:
        model = Result
        fields = ["id", "scheme", "community", "community_name", "street", "year", "state", "version",
                  "computed_total", "final_total", "grade", "comment"]
        read_only_fields = fields


class ResultDetailSerializer(ResultSerializer):
    scores = ScoreSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(ResultSerializer.Meta):
        fields = ResultSerializer.Meta.fields + ["scores", "events"]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["submit", "approve", "return", "reopen"])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(required=False, allow_null=True)


class AdjustSerializer(serializers.Serializer):
    final = serializers.DecimalField(max_digits=6, decimal_places=2)
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField(required=False, allow_null=True)


class TreeItemSerializer(serializers.Serializer):
    """One indicator of :func:`assessments.services.scheme_tree`, with its children (same shape)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    method = serializers.CharField()
    scored_by = serializers.CharField(allow_blank=True, help_text="manual indicators: street | district")
    rule = serializers.CharField(allow_blank=True)
    params = serializers.JSONField()
    description = serializers.CharField(allow_blank=True)
    children = serializers.ListField(child=serializers.DictField(), help_text="indicators of the same shape")


class RankingRowSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    community_name = serializers.CharField()
    street = serializers.CharField()
    final_total = serializers.DecimalField(max_digits=6, decimal_places=2)
    district_rank = serializers.IntegerField()
    street_rank = serializers.IntegerField()
    grade = serializers.CharField()
    state = serializers.CharField()


class ResumeSerializer(serializers.Serializer):
    queued_chunks = serializers.IntegerField(help_text="chunks queued again")


class StartSerializer(serializers.Serializer):
    chunk_size = serializers.IntegerField(required=False, min_value=1, max_value=5000, default=200)


class CopySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class BulkRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(required=False, allow_null=True, help_text="the version you read; omit to skip the check")


class BulkTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["submit", "approve", "return"])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="required to return")
    results = BulkRowSerializer(many=True, allow_empty=False)


class BulkOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="ok | conflict | invalid | forbidden | missing")
    message = serializers.CharField()
    community_name = serializers.CharField(source="community")
    state = serializers.CharField(help_text="the result's state after this request")
    version = serializers.IntegerField(allow_null=True)


class BulkReportSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BulkOutcomeSerializer(many=True)
