from rest_framework import serializers

from communities.models import Level, Node
from core.scope import Action, scope_q
from funding.models import Allocation, Expenditure, Standard


def _actor(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class StandardSerializer(serializers.ModelSerializer):
    node = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    node_name = serializers.CharField(source="node.name", read_only=True)
    node_code = serializers.CharField(source="node.code", read_only=True)
    effective_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id", "node", "node_name", "node_code", "year", "office_amount", "party_amount", "total_amount",
            "effective_total", "basis", "created", "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.filter(scope_q(_actor(self), Action.CHANGE))


class CommunityRecordSerializer(serializers.ModelSerializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Node.objects.none())
    community_name = serializers.CharField(source="community.name", read_only=True)
    community_code = serializers.CharField(source="community.code", read_only=True)
    street_name = serializers.CharField(source="community.parent.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Node.objects.filter(level=Level.COMMUNITY).filter(
            scope_q(_actor(self), Action.CHANGE)
        )


class AllocationSerializer(CommunityRecordSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id", "community", "community_name", "community_code", "street_name", "year", "category",
            "category_display", "source", "source_display", "amount", "received_on", "document_number", "note",
            "created", "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]


class ExpenditureSerializer(CommunityRecordSerializer):
    class Meta:
        model = Expenditure
        fields = [
            "id", "community", "community_name", "community_code", "street_name", "spent_on", "year", "category",
            "category_display", "amount", "purpose", "voucher_number", "created", "last_updated",
        ]
        read_only_fields = ["year", "created", "last_updated"]
