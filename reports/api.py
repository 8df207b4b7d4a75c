"""REST endpoints of the reports: the dashboard figures of a node (for other government systems
and big screens), cached and with ETags, and the summaries (read-only)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.views import APIView

from communities.models import Node
from core.api import ScopedSerializerMixin
from reports.cache import dashboard_json
from reports.filters import SummaryFilterSet
from reports.models import Summary
from reports.serializers import DashboardQuerySerializer, DashboardSerializer, SummarySerializer


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


class DashboardView(APIView):
    """The 三有一化 figures of a node and year, of each of its children, and a five-year trend."""

    @extend_schema(
        summary="Dashboard figures of a node and year",
        description=(
            "The same figures as the dashboard page: for the node, its totals in the year and the four years "
            "before (`totals`), and each child's figures in the year (`children`, for drill-down). Money and "
            "areas are decimal strings; percentages have one decimal place and are null when their base is 0.\n\n"
            "Responses carry an `ETag`; send it back in `If-None-Match` to get `304 Not Modified` while the "
            "figures are unchanged. Figures are cached and the cache is cleared when data under the node change. "
            "A node outside the caller's scope answers 404."
        ),
        parameters=[
            OpenApiParameter("code", str, OpenApiParameter.PATH, description="12-digit division code of the node"),
            OpenApiParameter("year", int, description="the year; this year when left out"),
            OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False,
                             description="an ETag from an earlier response"),
        ],
        responses={200: DashboardSerializer, 304: OpenApiResponse(description="Not modified"),
                   404: OpenApiResponse(description="No such node in the caller's scope")},
    )
    def get(self, request, code):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        node = get_object_or_404(Node.objects.visible_to(request.user), code=code)
        year = query.validated_data.get("year") or timezone.localdate().year
        body, etag = dashboard_json(node=node, year=year)
        if _matches(request.headers.get("If-None-Match", ""), etag):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
        response["Vary"] = "Authorization, Cookie"
        return response


@extend_schema_view(
    list=extend_schema(summary="Year-end summaries of nodes in the caller's scope"),
    retrieve=extend_schema(summary="One year-end summary with its text"),
)
class SummaryViewSet(ScopedSerializerMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SummarySerializer
    filterset_class = SummaryFilterSet

    def get_queryset(self):
        return Summary.objects.visible_to(self.request.user).select_related("node").order_by("-year", "node__code", "-version")
