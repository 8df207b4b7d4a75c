"""Pieces the REST framework settings name (authentication, permission, pagination, errors).

Kept apart from ``core.api`` because DRF imports them while ``rest_framework.views`` loads.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, pagination, permissions

from core.contention import RETRY_AFTER_SECONDS, Busy
from core.models import ApiToken, hash_token
from core.scope import Action, scope_prefixes


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) against hashed :class:`ApiToken` keys."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.expires and token.expires <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        if token.last_used is None or now - token.last_used > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class StandardPagination(pagination.PageNumberPagination):
    """Page numbers with an exact count, or the planner's estimate above 100,000 rows
    (``count_is_estimate``: true); ``?cursor=`` switches to keyset pagination
    (core.pagination.KeysetPagination), whose cost does not grow with the depth of the page."""

    page_size_query_param = "page_size"
    max_page_size = 500

    @property
    def django_paginator_class(self):
        from core.pagination import EstimatedCountPaginator

        return EstimatedCountPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = None
        if "cursor" in request.query_params:
            from core.pagination import KeysetPagination

            self.keyset = KeysetPagination()
            return self.keyset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        response = super().get_paginated_response(data)
        response.data["count_is_estimate"] = self.page.paginator.estimated
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_estimate"] = {"type": "boolean"}
        return schema


def _read_only_refusal(request):
    """Why this caller may not write at all: a read-only token, or a user with no part of the
    hierarchy to enter or review data in (a viewer); ``None`` when they may write somewhere."""
    if isinstance(request.auth, ApiToken) and request.auth.read_only:
        return _("This token is read-only and cannot change data.")
    if all(scope_prefixes(request.user, action) == [] for action in (Action.CHANGE, Action.REVIEW)):
        return _("You have no part of the hierarchy to enter data in.")
    return None


def _raise_if_not_visible(view) -> None:
    """On a record's URL, a record the caller may not see is a 404 whatever they try with it,
    so that a refusal to write never confirms that a foreign record exists."""
    get_queryset = getattr(view, "get_queryset", None)
    lookup_field = getattr(view, "lookup_field", None)
    if get_queryset is None or lookup_field is None:
        return
    value = view.kwargs.get(getattr(view, "lookup_url_kwarg", None) or lookup_field)
    if value is None:
        return
    try:
        visible = get_queryset().filter(**{lookup_field: value}).exists()
    except (TypeError, ValueError, DjangoValidationError):
        visible = False
    if not visible:
        raise exceptions.NotFound()


class ScopedPermission(permissions.BasePermission):
    """Authenticated users only; a caller who may not write anywhere may only read (403), and
    on a record they may not see, a write is a 404 like a read."""

    message = _("Authentication credentials were not provided.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method not in permissions.SAFE_METHODS:
            refusal = _read_only_refusal(request)
            if refusal is not None:
                _raise_if_not_visible(view)
                self.message = refusal
                return False
        return True


def exception_handler(exc, context):
    if isinstance(exc, Http404):  # "No Node matches the given query." would leak model names, in English
        exc = exceptions.NotFound()
    if isinstance(exc, Busy):  # contention outlived a retry: try again shortly (docs/concurrency.md)
        exc = exceptions.APIException(str(exc.messages[0]))
        exc.status_code, exc.wait = 503, RETRY_AFTER_SECONDS
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
