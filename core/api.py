"""Base classes of the REST API: scope, token permissions, pagination and errors.

Every viewset derives from :class:`ScopedModelViewSet`: its queryset is narrowed with
``visible_to`` (a record outside the scope is a 404), writes need the change scope, and the
writes themselves go through the app's services, which check the scope again when saving.

Concurrency (core.versioning): a versioned record's representation carries its ``version`` and
its GET answers an ``ETag``; PUT/PATCH with ``If-Match`` answer 412 when the record moved on, a
body ``version`` that is not the current one 409; a PATCH writes only the fields it sent.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, relations, serializers, status, viewsets
from rest_framework.response import Response

from core import versioning
from core.contention import retry_once
from core.masking import mask_field, personal_fields, record_if_unmasked
from core.scope import Action


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record has been changed by someone else since the version named in If-Match; "
                       "read it again (GET) and send its new ETag.")
    default_code = "precondition_failed"


class VersionConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record has been changed by someone else since the version you sent; read it again.")
    default_code = "conflict"


class PersonalFieldsSerializerMixin:
    """A masked personal value (phone, ID number) sent back as the client was shown it keeps the
    stored value. "Shown" is judged against the version the client says it read (``If-Match`` or
    the body's ``version``, from the history) and otherwise against the current record; any other
    masked value reaches the field's format check and is refused, never stored."""

    def to_internal_value(self, data):
        personal = getattr(self.Meta.model, "personal_fields", ()) or ()
        if self.instance is not None and personal and hasattr(data, "get"):
            shown = self.context.get("shown_instance") or self.instance
            for name in personal:
                value = data.get(name)
                if isinstance(value, str) and "*" in value and value.strip() == mask_field(name, getattr(shown, name, "")):
                    data = data.copy()
                    data[name] = getattr(self.instance, name)
        return super().to_internal_value(data)


class VersionedReadMixin:
    """The ``version`` field and the ``ETag`` of a viewset of a versioned model that is read
    here but changed only through actions (an assessment result moves by ``transition``): it
    offers no PUT or PATCH."""

    def _versioned(self) -> bool:
        return versioning.is_versioned(self.queryset.model)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self._versioned():
            target = getattr(serializer, "child", serializer)
            if "version" not in target.fields:
                target.fields["version"] = serializers.IntegerField(
                    required=False, min_value=0,
                    help_text=_("The version read (answered by GET); a stale one is refused with 409."),
                )
        return serializer

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        if self._versioned():
            response["ETag"] = versioning.etag(instance)
        return response


class VersionedViewSetMixin(VersionedReadMixin):
    """ETag, If-Match (412) and body version (409) for a viewset of a versioned model; a PATCH
    passes on only the fields it was sent. Update through :meth:`versioned_update`."""

    _expected_version = None
    _expected_from_header = False

    def _read_expected_version(self, request, instance) -> None:
        accepted = versioning.parse_if_match(request.headers.get("If-Match"))
        if accepted is not None:
            if accepted != "*" and instance.version not in accepted:
                raise PreconditionFailed()
            self._expected_version, self._expected_from_header = instance.version, True
        elif isinstance(request.data, dict) and request.data.get("version") not in (None, ""):
            try:
                self._expected_version = int(request.data["version"])
            except (TypeError, ValueError):
                raise exceptions.ValidationError({"version": [_("A whole number is required.")]}) from None
            if self._expected_version != instance.version:
                raise VersionConflict()

    def update(self, request, *args, **kwargs):
        if not self._versioned():
            return super().update(request, *args, **kwargs)
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self._read_expected_version(request, instance)
        context = self.get_serializer_context()
        context["shown_instance"] = versioning.snapshot_at(instance, self._expected_version) or instance
        serializer = self.get_serializer(instance, data=request.data, partial=partial, context=context)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        response = Response(serializer.data)
        response["ETag"] = versioning.etag(serializer.instance)
        return response

    def versioned_update(self, service, *, refresh=(), **kwargs):
        """Call an update service with the version the client stated (through
        ``core.contention.retry_once``); a conflict found under the lock answers as the check
        before it would have (412 for If-Match, else 409)."""
        kwargs.pop("version", None)
        if self._expected_version is not None:
            kwargs["version"] = self._expected_version
        try:
            return retry_once(service, refresh=refresh, **kwargs)
        except versioning.Conflict:
            raise (PreconditionFailed() if self._expected_from_header else VersionConflict()) from None


def scope_related_choices(serializer, user) -> None:
    """Narrow every writable relation field that would offer a whole table (its queryset has no
    filter) to the rows ``user`` may see: its choices (the browsable API's ``<select>``s) and
    the ids it accepts. A serializer that narrows a field itself (to the change scope, to the
    courses open to the user…) keeps its own narrowing."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    for field in serializer.fields.values():
        if isinstance(field, relations.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.BaseSerializer):
            scope_related_choices(field, user)
        elif isinstance(field, relations.RelatedField) and not field.read_only and field.queryset is not None:
            queryset = field.queryset.all()  # a manager, for the fields ModelSerializer makes
            if not queryset.query.where and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)


class ScopedSerializerMixin:
    """Every API view's serializers offer and accept related records in the caller's scope only
    (see :func:`scope_related_choices`); the sweep (tests/test_sweep.py) checks each API view
    has it."""

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        scope_related_choices(serializer, self.request.user)
        return serializer


class ScopedModelViewSet(ScopedSerializerMixin, VersionedViewSetMixin, viewsets.ModelViewSet):
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

    def _as_listed(self, instance):
        """The saved record as the list and detail read it (with the queryset's annotations,
        e.g. a team's ``member_count``), so that a write answers in the documented shape."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance

    # Writes run through core.contention.retry_once: a deadlock is retried once, then a 503.
    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        fields.pop("version", None)
        serializer.instance = self._as_listed(retry_once(type(self).create_service, actor=self.request.user, **fields))

    def perform_update(self, serializer):
        serializer.instance = self._as_listed(self.versioned_update(
            type(self).update_service, actor=self.request.user, **{self._entity(): serializer.instance},
            **serializer.validated_data, refresh=(serializer.instance,),
        )
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
