"""Errors of the API: a rule a service refuses is a 400 with field errors, never a 500.

Services raise Django's `ValidationError` (translated messages, keyed by field when they can) and
`PermissionDenied`. This handler turns the former into the same shape as a serializer's errors:
`{"field": ["message"], "non_field_errors": [...]}`, and the latter into a 403 with DRF's
translated message (not the name of the rule).
A stale record (optimistic locking) is a 409 Conflict, with the message under `version`.
A JSON body nested too deeply for the parser is a 400 like any malformed body (`JSONParser`).
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, parsers, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def validation_error_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """The messages of a Django ValidationError as DRF field errors (those that name no field
    under "non_field_errors")."""
    key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        return {
            (key if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {key: list(error.messages)}


def as_api_error(error: DjangoValidationError) -> exceptions.APIException:
    """The DRF exception to raise for a Django ValidationError from a service."""
    if getattr(error, "code", None) == "stale":
        return Conflict({"version": list(error.messages)})
    return exceptions.ValidationError(validation_error_detail(error))


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        # Services raise it with the name of the rule refused ("track_persons"): the caller reads
        # DRF's translated sentence instead.
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class JSONParser(parsers.JSONParser):
    """DRF's parser, but a body nested deeper than Python's recursion limit (`[[[[…`) is a
    ParseError (400), not a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError() from None
