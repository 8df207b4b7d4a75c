from rest_framework.routers import DefaultRouter

from assessments.api import IndicatorViewSet, ResultViewSet, RunViewSet, SchemeViewSet, ScoreViewSet

app_name = "assessments-api"
router = DefaultRouter()
router.register("assessments/schemes", SchemeViewSet, basename="scheme")
router.register("assessments/indicators", IndicatorViewSet, basename="indicator")
router.register("assessments/runs", RunViewSet, basename="run")
router.register("assessments/results", ResultViewSet, basename="result")
router.register("assessments/scores", ScoreViewSet, basename="score")
urlpatterns = router.urls
