"""The recycle bin in the REST API: ``/api/v1/recycle-bin/`` lists the entries the user may
restore (reviewers and administrators; others 403, foreign entries 404) and
``POST /api/v1/recycle-bin/{id}/restore/`` restores one whole (409 with the reasons when it
conflicts). Deletes themselves are each model's ``DELETE``, which lands in the bin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedSerializerMixin
from core.models import RecycleEntry
from core.contention import retry_once
from core.recycle import expires_at, may_restore, recycle_entry_restore, restorable_entries


class RecycleEntrySerializer(serializers.ModelSerializer):
    model = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()
    deleted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    expires_at = serializers.SerializerMethodField()

    class Meta:
        model = RecycleEntry
        fields = ["id", "model", "kind", "object_id", "object_repr", "node_code", "node_name", "deleted_by",
                  "deleted_at", "expires_at", "counts"]

    def get_model(self, entry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    def get_kind(self, entry) -> str:
        model = entry.content_type.model_class()
        return str(model._meta.verbose_name) if model else ""

    def get_expires_at(self, entry) -> str:
        return serializers.DateTimeField().to_representation(expires_at(entry))


class RestoredSerializer(serializers.Serializer):
    model = serializers.CharField()
    id = serializers.IntegerField()
    repr = serializers.CharField()


class RestoreConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="what cannot be restored; nothing was changed")
    problems = serializers.ListField(child=serializers.CharField(), help_text="each conflict, in a sentence")


class RecycleEntryViewSet(ScopedSerializerMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RecycleEntrySerializer
    queryset = RecycleEntry.objects.none()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not may_restore(request.user):
            raise exceptions.PermissionDenied(_("Only a reviewer or a system administrator can restore deleted records."))

    def get_queryset(self):
        qs = restorable_entries(self.request.user).select_related("content_type", "deleted_by")
        return qs if self.action == "restore" else qs.defer("data")

    @extend_schema(request=None, responses={200: RestoredSerializer,
                                            409: OpenApiResponse(RestoreConflictSerializer, "a conflict; nothing was restored")})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        entry = self.get_object()
        try:
            restored = retry_once(recycle_entry_restore, actor=request.user, entry=entry)
        except ValidationError as exc:
            return Response({"detail": exc.messages[0], "problems": exc.messages[1:]}, status=status.HTTP_409_CONFLICT)
        return Response({"model": type(restored)._meta.label_lower, "id": restored.pk, "repr": str(restored)})
