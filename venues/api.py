from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from communities.models import Node
from core.api import ScopedModelViewSet
from core.api_auth import StandardPagination
from core.panels import selected_year
from venues.filters import AreaStandardFilterSet, VenueFilterSet
from venues.models import AreaStandard, Venue
from venues.selectors import compliance_rows, venue_figures
from venues.serializers import AreaStandardSerializer, VenueSerializer
from venues.services import (
    areastandard_create,
    areastandard_delete,
    areastandard_update,
    venue_create,
    venue_delete,
    venue_update,
)


@extend_schema_view(list=extend_schema(summary="Community venues in the caller's scope"))
class VenueViewSet(ScopedModelViewSet):
    queryset = Venue.objects.select_related("community")
    serializer_class = VenueSerializer
    filterset_class = VenueFilterSet
    create_service = venue_create
    update_service = venue_update
    delete_service = venue_delete


@extend_schema_view(list=extend_schema(summary="Floor-area standards set in the caller's scope"))
class AreaStandardViewSet(ScopedModelViewSet):
    queryset = AreaStandard.objects.select_related("node")
    serializer_class = AreaStandardSerializer
    filterset_class = AreaStandardFilterSet
    create_service = areastandard_create
    update_service = areastandard_update
    delete_service = areastandard_delete


NODE_AND_YEAR = [
    OpenApiParameter("node", OpenApiTypes.INT, description="id of a division in scope; all of the scope when absent"),
    OpenApiParameter("year", OpenApiTypes.INT, description="the year; the current one when absent"),
]


def _node(request):
    value = request.query_params.get("node")
    if not value:
        return None
    if not value.isdigit():
        raise exceptions.ValidationError({"node": [_("Give the id of a division.")]})
    return get_object_or_404(Node.objects.visible_to(request.user), pk=value)


class VenueFigureViewSet(viewsets.ViewSet):
    """Venue figures of a division and year: compliance rate, areas, investment, halls, rooms."""

    @extend_schema(parameters=NODE_AND_YEAR, responses=OpenApiTypes.OBJECT)
    def list(self, request):
        node = _node(request)
        figures = venue_figures(user=request.user, node=node, year=selected_year(request))
        body = figures.as_dict()
        body["node"] = {"id": node.pk, "code": node.code, "name": node.name} if node else None
        return Response(body)


class VenueComplianceViewSet(viewsets.ViewSet):
    """Each community's area standard, where it comes from, its area and whether it complies."""

    @extend_schema(
        parameters=[*NODE_AND_YEAR, OpenApiParameter("below_standard", OpenApiTypes.BOOL)],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        rows = compliance_rows(user=request.user, node=_node(request), year=selected_year(request))
        if request.query_params.get("below_standard") in ("true", "1"):
            rows = [r for r in rows if r.complies is False]
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([self.row(r) for r in page])

    @staticmethod
    def row(r) -> dict:
        return {
            "community": r.community.pk,
            "community_code": r.community.code,
            "community_name": r.community.name,
            "households": r.community.households,
            "standard": r.standard.pk if r.standard else None,
            "standard_year": r.standard.year if r.standard else None,
            "standard_set_by": r.standard.node.name if r.standard else None,
            "standard_set_by_code": r.standard.node.code if r.standard else None,
            "standard_description": r.standard.describe() if r.standard else None,
            "required_area": str(r.required_area) if r.required_area is not None else None,
            "built_area": str(r.built_area),
            "complies": r.complies,
        }
