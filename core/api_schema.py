"""The OpenAPI schema class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``): drf-spectacular's, with
the errors every operation may answer documented, so that a client (and schemathesis,
tests/test_schemathesis.py) finds each status code and body it gets in the schema.

A module of its own: the views of core.api_docs are API views, whose classes need this one.
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from core import versioning

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="why, in the language of the request (Chinese by default)")


# A 400's body names the fields at fault: {"field": ["message", …], "non_field_errors": […]}
# (nested for nested fields), or {"detail": "…"} for a body that cannot be read.
VALIDATION_ERRORS = {"type": "object", "additionalProperties": True,
                     "description": 'the messages by field: {"field": ["message"]}, or {"detail": "…"}'}


class AutoSchema(openapi.AutoSchema):
    """The errors the API answers (core.api_auth.exception_handler), on every operation that may
    answer them, unless the operation documents its own:

    - 401 without valid credentials, 403 for a persona who may not (a read-only token's write, a
      clerk's review action), 404 for a record outside the caller's scope or missing (the same
      answer: in the path, a filter or the body), and for a page beyond the last;
    - 400 for invalid input: a body, or a query parameter;
    - 409 and 412 for a stale ``version`` or ``If-Match`` (core.versioning), and 409 for an
      action that conflicts with the record's state (``answers_conflicts`` on the view);
    - 503 for a write that met contention twice (core.contention.retry_once)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for code, response in self._errors().items():
                if code not in responses:
                    responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _errors(self) -> dict[str, OpenApiResponse]:
        error = ErrorSerializer
        errors = {
            "401": OpenApiResponse(error, "No valid token or session."),
            "403": OpenApiResponse(error, "The caller may not do this (e.g. a read-only token writing)."),
            "404": OpenApiResponse(error, "No such record in the caller's scope (or no such page)."),
        }
        write = self.method in WRITE_METHODS
        if write or self._get_filter_parameters() or self._get_pagination_parameters() or self.get_override_parameters():
            errors["400"] = OpenApiResponse(VALIDATION_ERRORS, "Invalid input; the messages say what to correct.")
        if write and (self._versioned_update() or getattr(self.view, "answers_conflicts", False)):
            errors["409"] = OpenApiResponse(error, "The record changed since the version sent, or the action "
                                                   "conflicts with its state.")
        if write and self._versioned_update():
            errors["412"] = OpenApiResponse(error, "The record changed since the ETag sent in If-Match.")
        if write:
            errors["503"] = OpenApiResponse(error, "Busy: the write met contention twice; try again shortly "
                                                   "(Retry-After).")
        return errors

    def _versioned_update(self) -> bool:
        queryset = getattr(self.view, "queryset", None)
        return self.method in ("PUT", "PATCH") and queryset is not None and versioning.is_versioned(queryset.model)
