"""Base classes of the REST API: scope, token permissions, pagination and errors.

Every viewset derives from :class:`ScopedModelViewSet`: its queryset is narrowed with
``visible_to`` (a record outside the scope is a 404), writes need the change scope, and the
writes themselves go through the app's services, which check the scope again when saving.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, viewsets

from core.contention import retry_once
from core.masking import personal_fields, record_if_unmasked
from core.scope import Action


class ScopedModelViewSet(viewsets.ModelViewSet):
    """CRUD over a scoped model; ``service_*`` are the app's write services.

    ``create_service(actor=..., **fields)``, ``update_service(actor=..., <model_name>=obj, **fields)``
    and ``delete_service(actor=..., <model_name>=obj)``.
    """

    create_service = None
    update_service = None
    delete_service = None

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            model = type(obj)
            if not model.objects.restrict(self.request.user, Action.CHANGE).filter(pk=obj.pk).exists():
                raise exceptions.PermissionDenied(_("You may read this record but not change it."))
        return obj

    def _entity(self):
        return self.queryset.model._meta.model_name

    # Writes run through core.contention.retry_once: a deadlock is retried once, then a 503.
    def perform_create(self, serializer):
        serializer.instance = retry_once(type(self).create_service, actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = retry_once(
            type(self).update_service, actor=self.request.user, **{self._entity(): serializer.instance},
            **serializer.validated_data, refresh=(serializer.instance,),
        )

    def perform_destroy(self, instance):
        retry_once(type(self).delete_service, actor=self.request.user, **{self._entity(): instance}, refresh=(instance,))

    def finalize_response(self, request, response, *args, **kwargs):
        """Record, in one insert, every record of this viewset's model whose personal data the
        response carries unmasked (list, retrieve, create, update and any custom action)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        model = self.queryset.model if self.queryset is not None else None
        if model is not None and personal_fields(model) and getattr(response, "status_code", 500) < 300:
            ids = shown_ids(getattr(response, "data", None), personal_fields(model))
            if ids:
                record_if_unmasked(user=request.user, objects=list(model._base_manager.filter(pk__in=ids)), channel="api")
        return response

    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            exc = exceptions.PermissionDenied(str(exc))
        return super().handle_exception(exc)


def shown_ids(data, fields) -> list:
    """The ids of the records in a response body (one record, a page or a plain list) that
    carry any of ``fields`` with a value."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    items = data if isinstance(data, list) else [data]
    return [
        item["id"]
        for item in items
        if isinstance(item, dict) and item.get("id") is not None and any(item.get(f) for f in fields)
    ]
