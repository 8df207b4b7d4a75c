from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import views
from rest_framework.response import Response

from communities.models import Node
from core.api import ScopedModelViewSet
from staffing import services
from staffing.filters import (
    AppointmentFilterSet,
    AttendanceFilterSet,
    CadreFilterSet,
    RecognitionFilterSet,
    TrainingCourseFilterSet,
    VolunteerFilterSet,
    VolunteerTeamFilterSet,
    WelfareFilterSet,
)
from staffing.models import Appointment, Attendance, Cadre, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from staffing.selectors import staffing_figures
from staffing.serializers import (
    AppointmentSerializer,
    AttendanceSerializer,
    CadreSerializer,
    FiguresQuerySerializer,
    RecognitionSerializer,
    TrainingCourseSerializer,
    VolunteerSerializer,
    VolunteerTeamSerializer,
    WelfareSerializer,
)


@extend_schema_view(list=extend_schema(summary="Community cadres in the caller's scope (ID numbers and phones masked without permission)"))
class CadreViewSet(ScopedModelViewSet):
    queryset = Cadre.objects.select_related("community")
    serializer_class = CadreSerializer
    filterset_class = CadreFilterSet
    create_service = services.cadre_create
    update_service = services.cadre_update
    delete_service = services.cadre_delete

    # Unmasked views are recorded by ScopedModelViewSet.finalize_response, as for every model.


CADRE_RELATED = ("cadre", "cadre__community")


class AppointmentViewSet(ScopedModelViewSet):
    queryset = Appointment.objects.select_related(*CADRE_RELATED)
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilterSet
    create_service = services.appointment_create
    update_service = services.appointment_update
    delete_service = services.appointment_delete


class TrainingCourseViewSet(ScopedModelViewSet):
    queryset = TrainingCourse.objects.select_related("organizer")
    serializer_class = TrainingCourseSerializer
    filterset_class = TrainingCourseFilterSet
    create_service = services.trainingcourse_create
    update_service = services.trainingcourse_update
    delete_service = services.trainingcourse_delete


class AttendanceViewSet(ScopedModelViewSet):
    queryset = Attendance.objects.select_related("course", *CADRE_RELATED)
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilterSet
    create_service = services.attendance_create
    update_service = services.attendance_update
    delete_service = services.attendance_delete


class WelfareViewSet(ScopedModelViewSet):
    queryset = Welfare.objects.select_related(*CADRE_RELATED)
    serializer_class = WelfareSerializer
    filterset_class = WelfareFilterSet
    create_service = services.welfare_create
    update_service = services.welfare_update
    delete_service = services.welfare_delete


class RecognitionViewSet(ScopedModelViewSet):
    queryset = Recognition.objects.select_related(*CADRE_RELATED)
    serializer_class = RecognitionSerializer
    filterset_class = RecognitionFilterSet
    create_service = services.recognition_create
    update_service = services.recognition_update
    delete_service = services.recognition_delete


class VolunteerTeamViewSet(ScopedModelViewSet):
    queryset = VolunteerTeam.objects.select_related("community").annotate(member_count=Count("members")).order_by("community__code", "name", "id")
    serializer_class = VolunteerTeamSerializer
    filterset_class = VolunteerTeamFilterSet
    create_service = services.volunteerteam_create
    update_service = services.volunteerteam_update
    delete_service = services.volunteerteam_delete


class VolunteerViewSet(ScopedModelViewSet):
    queryset = Volunteer.objects.select_related("team")
    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilterSet
    create_service = services.volunteer_create
    update_service = services.volunteer_update
    delete_service = services.volunteer_delete


class FiguresView(views.APIView):
    """有人管事 figures of one node (any level the caller may see) and year."""

    @extend_schema(
        summary="Staffing figures of a node and year",
        parameters=[OpenApiParameter("node", int, required=True), OpenApiParameter("year", int)],
        responses={200: dict},
    )
    def get(self, request):
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        node = get_object_or_404(Node.objects.visible_to(request.user), pk=query.validated_data["node"])
        year = query.validated_data.get("year") or timezone.localdate().year
        return Response(staffing_figures(node=node, year=year).as_dict())
