from rest_framework.routers import SimpleRouter

from core.recycle_api import RecycleEntryViewSet

app_name = "core-api"
router = SimpleRouter()  # no root view: the first app's router answers /api/v1/
router.register("recycle-bin", RecycleEntryViewSet, basename="recycleentry")
urlpatterns = router.urls
