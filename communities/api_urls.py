from rest_framework.routers import DefaultRouter

from communities.api import CommunityViewSet, NodeViewSet

app_name = "communities-api"
router = DefaultRouter()
router.register("nodes", NodeViewSet, basename="node")
router.register("communities", CommunityViewSet, basename="community")
urlpatterns = router.urls
