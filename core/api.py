"""Base classes of the REST API: scope, token permissions, pagination and errors.

Every viewset derives from :class:`ScopedModelViewSet`: its queryset is narrowed with
``visible_to`` (a record outside the scope is a 404), writes need the change scope, and the
writes themselves go through the app's services, which check the scope again when saving.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, viewsets

from core.contention import retry_once
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

    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            exc = exceptions.PermissionDenied(str(exc))
        return super().handle_exception(exc)
