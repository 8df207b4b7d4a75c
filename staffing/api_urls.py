from django.urls import path
from rest_framework.routers import DefaultRouter

from staffing import api

app_name = "staffing-api"
router = DefaultRouter()
router.register("staffing/cadres", api.CadreViewSet, basename="cadre")
router.register("staffing/appointments", api.AppointmentViewSet, basename="appointment")
router.register("staffing/training-courses", api.TrainingCourseViewSet, basename="trainingcourse")
router.register("staffing/attendances", api.AttendanceViewSet, basename="attendance")
router.register("staffing/welfare", api.WelfareViewSet, basename="welfare")
router.register("staffing/recognitions", api.RecognitionViewSet, basename="recognition")
router.register("staffing/volunteer-teams", api.VolunteerTeamViewSet, basename="volunteerteam")
router.register("staffing/volunteers", api.VolunteerViewSet, basename="volunteer")
urlpatterns = [path("staffing/figures/", api.FiguresView.as_view(), name="figures"), *router.urls]
