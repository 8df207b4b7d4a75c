from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from communities.filters import CommunityFilterSet, NodeFilterSet
from communities.models import Level, Node
from communities.serializers import CommunitySerializer, NodeSerializer
from communities.services import node_create, node_delete, node_update
from core.api import ScopedModelViewSet, ScopedSerializerMixin


@extend_schema_view(list=extend_schema(summary="Divisions of every level in the caller's scope"))
class NodeViewSet(ScopedSerializerMixin, viewsets.ReadOnlyModelViewSet):
    """The hierarchy, every level; read-only (the tree's upper levels are kept by administrators)."""

    queryset = Node.objects.select_related("parent")
    serializer_class = NodeSerializer
    filterset_class = NodeFilterSet

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


@extend_schema_view(list=extend_schema(summary="Communities in the caller's scope, with their facts"))
class CommunityViewSet(ScopedModelViewSet):
    queryset = Node.objects.filter(level=Level.COMMUNITY).select_related("parent")
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet
    create_service = node_create
    update_service = node_update
    delete_service = node_delete
