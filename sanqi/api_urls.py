from django.urls import include, path
from rest_framework.routers import DefaultRouter

from communities.api import CommunityViewSet, NodeViewSet

communities_router = DefaultRouter()
communities_router.register("nodes", NodeViewSet, basename="node")
communities_router.register("communities", CommunityViewSet, basename="community")

urlpatterns = [
    path("", include((communities_router.urls, "communities-api"))),
]
