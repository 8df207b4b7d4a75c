from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from communities.models import Node
from core.api import ScopedModelViewSet
from funding.filters import AllocationFilterSet, ExpenditureFilterSet, StandardFilterSet
from funding.models import Allocation, Expenditure, Standard
from funding.selectors import node_funds
from funding.serializers import AllocationSerializer, ExpenditureSerializer, StandardSerializer
from funding.services import (
    allocation_create,
    allocation_delete,
    allocation_update,
    expenditure_create,
    expenditure_delete,
    expenditure_update,
    standard_create,
    standard_delete,
    standard_update,
)


@extend_schema_view(list=extend_schema(summary="Funding standards set on nodes in the caller's scope"))
class StandardViewSet(ScopedModelViewSet):
    queryset = Standard.objects.select_related("node")
    serializer_class = StandardSerializer
    filterset_class = StandardFilterSet
    create_service = standard_create
    update_service = standard_update
    delete_service = standard_delete


@extend_schema_view(list=extend_schema(summary="Funds allocated to communities in the caller's scope"))
class AllocationViewSet(ScopedModelViewSet):
    queryset = Allocation.objects.select_related("community", "community__parent")
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilterSet
    create_service = allocation_create
    update_service = allocation_update
    delete_service = allocation_delete


@extend_schema_view(list=extend_schema(summary="Spending of communities in the caller's scope"))
class ExpenditureViewSet(ScopedModelViewSet):
    queryset = Expenditure.objects.select_related("community", "community__parent")
    serializer_class = ExpenditureSerializer
    filterset_class = ExpenditureFilterSet
    create_service = expenditure_create
    update_service = expenditure_update
    delete_service = expenditure_delete


def _money(value):
    return None if value is None else f"{value:.2f}"


def community_json(c):
    s = c.standard
    return {
        "id": c.community.pk,
        "code": c.community.code,
        "name": c.community.name,
        "street": c.community.parent.name if c.community.parent_id else None,
        "allocated": _money(c.allocated),
        "allocated_by_category": {k: _money(v) for k, v in c.by_category.items()},
        "spent": _money(c.spent),
        "party_spent": _money(c.party_spent),
        "balance": _money(c.balance),
        "party_share_percent": _money(c.party_share),
        "standard": None if s is None else {
            "id": s.pk, "set_on": s.node.name, "set_on_code": s.node.code, "inherited": c.standard_inherited,
            "office_amount": _money(s.office_amount), "party_amount": _money(s.party_amount),
            "total_amount": _money(s.effective_total),
        },
        "meets_standard": c.meets_standard,
    }


class FiguresViewSet(viewsets.ViewSet):
    """Funding figures of a node for a year: totals by category and by source, spending,
    balance, compliance with the applicable standards, party-work share, and one row per
    community. A constant number of queries whatever the size of the node."""

    @extend_schema(
        summary="Funding figures of a node (community, street, district…) for a year",
        parameters=[
            OpenApiParameter("node", OpenApiTypes.STR, description="node id or 12-digit division code", required=True),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("below_standard", OpenApiTypes.BOOL, description="list only communities below standard"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        key = request.query_params.get("node", "")
        if not key.isdigit():
            raise exceptions.ValidationError({"node": [_("Give a node id or a 12-digit division code.")]})
        lookup = Q(code=key) if len(key) == 12 else Q(pk=int(key))
        node = get_object_or_404(Node.objects.visible_to(request.user), lookup)
        year = request.query_params.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
        funds = node_funds(user=request.user, node=node, year=year)
        rows = funds.below if request.query_params.get("below_standard") in ("1", "true", "True") else funds.communities
        return Response(
            {
                "node": {"id": node.pk, "code": node.code, "name": node.name, "level": node.level},
                "year": year,
                "community_count": funds.community_count,
                "with_standard": funds.with_standard,
                "meeting_standard": funds.meeting,
                "compliance_rate_percent": _money(funds.compliance_rate),
                "allocated": _money(funds.allocated),
                "allocated_by_category": {k: _money(v) for k, v in funds.by_category.items()},
                "allocated_by_source": {k: _money(v) for k, v in funds.by_source.items()},
                "spent": _money(funds.spent),
                "party_spent": _money(funds.party_spent),
                "balance": _money(funds.balance),
                "party_share_percent": _money(funds.party_share),
                "communities": [community_json(c) for c in rows],
            }
        )
