from rest_framework.routers import DefaultRouter

from venues.api import AreaStandardViewSet, VenueComplianceViewSet, VenueFigureViewSet, VenueViewSet

app_name = "venues-api"
router = DefaultRouter()
router.register("venues", VenueViewSet, basename="venue")
router.register("venue-standards", AreaStandardViewSet, basename="areastandard")
router.register("venue-figures", VenueFigureViewSet, basename="venuefigure")
router.register("venue-compliance", VenueComplianceViewSet, basename="venuecompliance")
urlpatterns = router.urls
