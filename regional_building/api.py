from dataclasses import asdict

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from communities.models import Node
from core.api import ScopedModelViewSet
from core.panels import selected_year
from regional_building import filters as f
from regional_building import models as m
from regional_building import serializers as s
from regional_building import services as sv
from regional_building.selectors import node_figures


def viewset(model, queryset, serializer, filterset):
    name = model._meta.model_name
    return type(
        f"{model.__name__}ViewSet",
        (ScopedModelViewSet,),
        {
            "__doc__": f"{model._meta.verbose_name_plural} in the caller's scope.",
            "queryset": queryset,
            "serializer_class": serializer,
            "filterset_class": filterset,
            "create_service": getattr(sv, f"{name}_create"),
            "update_service": getattr(sv, f"{name}_update"),
            "delete_service": getattr(sv, f"{name}_delete"),
        },
    )


ResidentUnitViewSet = viewset(m.ResidentUnit, m.ResidentUnit.objects.select_related("node"), s.ResidentUnitSerializer, f.ResidentUnitFilterSet)
JointConferenceViewSet = viewset(m.JointConference, m.JointConference.objects.select_related("node"), s.JointConferenceSerializer, f.JointConferenceFilterSet)
ConferenceMemberViewSet = viewset(m.ConferenceMember, m.ConferenceMember.objects.select_related("unit"), s.ConferenceMemberSerializer, f.ConferenceMemberFilterSet)
CommitteeMemberViewSet = viewset(m.CommitteeMember, m.CommitteeMember.objects.all(), s.CommitteeMemberSerializer, f.CommitteeMemberFilterSet)
MeetingViewSet = viewset(m.Meeting, m.Meeting.objects.prefetch_related("attendees"), s.MeetingSerializer, f.MeetingFilterSet)
AgreementViewSet = viewset(m.Agreement, m.Agreement.objects.select_related("node", "unit").with_status(), s.AgreementSerializer, f.AgreementFilterSet)
CommitmentViewSet = viewset(m.Commitment, m.Commitment.objects.with_status(), s.CommitmentSerializer, f.CommitmentFilterSet)
FulfilmentViewSet = viewset(m.Fulfilment, m.Fulfilment.objects.all(), s.FulfilmentSerializer, f.FulfilmentFilterSet)
MemberRegistrationViewSet = viewset(m.MemberRegistration, m.MemberRegistration.objects.select_related("work_unit"), s.MemberRegistrationSerializer, f.MemberRegistrationFilterSet)
ServicePostViewSet = viewset(m.ServicePost, m.ServicePost.objects.annotate(n_claims=Count("claims")).order_by("-offered_on", "-id"), s.ServicePostSerializer, f.ServicePostFilterSet)
ClaimViewSet = viewset(m.Claim, m.Claim.objects.select_related("member", "unit"), s.ClaimSerializer, f.ClaimFilterSet)
FeedbackViewSet = viewset(m.Feedback, m.Feedback.objects.all(), s.FeedbackSerializer, f.FeedbackFilterSet)


class FiguresViewSet(viewsets.ViewSet):
    """一化 figures of one node (street, community, district…) and one year."""

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, required=True, description="node id"),
            OpenApiParameter("year", OpenApiTypes.INT, description="year (default: this year)"),
        ],
        responses=s.FiguresSerializer,
    )
    def list(self, request):
        node_id = request.query_params.get("node", "")
        if not node_id.isdigit():
            raise exceptions.ValidationError({"node": [_("Give the id of a division in your scope.")]})
        node = get_object_or_404(Node.objects.visible_to(request.user), pk=node_id)
        figures = node_figures(node=node, year=selected_year(request), user=request.user)
        return Response(s.FiguresSerializer({"node": node.pk, "node_name": node.name, **asdict(figures)}).data)
