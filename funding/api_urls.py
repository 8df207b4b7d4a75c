from rest_framework.routers import DefaultRouter

from funding.api import AllocationViewSet, ExpenditureViewSet, FiguresViewSet, StandardViewSet

app_name = "funding-api"
router = DefaultRouter()
router.register("funding/standards", StandardViewSet, basename="standard")
router.register("funding/allocations", AllocationViewSet, basename="allocation")
router.register("funding/expenditures", ExpenditureViewSet, basename="expenditure")
router.register("funding/figures", FiguresViewSet, basename="figures")
urlpatterns = router.urls
