from django.urls import path
from rest_framework.routers import DefaultRouter

from reports.api import DashboardView, SummaryViewSet

app_name = "reports-api"
router = DefaultRouter()
router.register("reports/summaries", SummaryViewSet, basename="summary")
urlpatterns = [
    path("reports/dashboard/<str:code>/", DashboardView.as_view(), name="dashboard"),
    *router.urls,
]
