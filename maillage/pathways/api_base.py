"""What the pathways API shares: access, the base viewset, versions, fields naming records.

The endpoints are in each feature's `api.py` (persons and projects, applications, referrals,
acts and outcomes), routed by `api_urls.py`.

Who may call it: the staff (advisors, structure admins) of at least one structure, with their
browser session (CSRF token on writes) or a structure's API token (`Authorization: Bearer`, see
`authentication.py`), which narrows the caller's rights to that structure. Anyone else is refused
on every endpoint: 401 without credentials, 403 for coordinators, funders and platform admins
(they never see a named person).

Reads go through each feature's `selectors.<records>_for_api(user)`, which start from the record
kinds' `<record>_visible_to(user)` (`visibility.py`; the person page and the exports use the
same) and only add joins: a row the caller may not see answers 404, exactly as a row that does
not exist. Opening a person's record is logged (`PersonAccess`,
channel "api"), refused attempts included, and so is each person of a page of the list.

Writes go through `services` only. A rule a service refuses is a 400 with field errors (see
`maillage.core.api_errors`), a forbidden move a 403. Every change of an existing record (PUT,
PATCH, the status actions) states the `version` it read, in the body: missing, a 400; stale
(someone saved the record since), a 409 whose body holds `current_version`. Of two concurrent
changes made from the same version exactly one succeeds (the services' conditional UPDATE).
Applications and referrals change status through their actions (`/transition/`, `/accept/`…);
acts and outcomes are recorded, not edited.

Conventions: objects are named by their `uuid` (never a sequential id), referentials (act types,
outcome types, reasons, situations, sectors, legal forms) by their stable `code`, communes by
their INSEE code, stages by their id (as in the directory API). A person the caller may not see
is never named: where a row points to one, the field is null.
"""

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from maillage.accounts.rules import can, roles_of
from maillage.core.pagination import IdsFirstPaginator
from maillage.directory.api import Pagination as DirectoryPagination
from maillage.directory.models import Structure

from . import choices
from .common import StaleRecordError
from .persons.selectors import projects_for_api
from .referrals.selectors import referrals_for_api
from .visibility import persons_visible_to


class Pagination(DirectoryPagination):
    """The page's rows are found by their ids first, then read with their joins (issue 18)."""

    django_paginator_class = IdsFirstPaginator


class TracksPersons(permissions.BasePermission):
    """Staff of a structure (with a token: of the token's structure)."""

    message = _("The pathways API is for the staff of the network's structures.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and can(
            request.user, "access_pathways"
        )


def acting_structure(request, structure: Structure | None) -> Structure:
    """The structure a write is made for: the one given, or the caller's only one."""
    staff = roles_of(request.user).staff_of
    if structure is not None:
        if structure.pk not in staff:
            raise serializers.ValidationError(
                {"structure": [_("You may not act for this structure.")]}
            )
        return structure
    if len(staff) == 1:
        return Structure.objects.get(pk=next(iter(staff)))
    raise serializers.ValidationError(
        {"structure": [_("You work for several structures: say which one this is for.")]}
    )


PERSON_FILTER_HELP = "uuid of a person: their rows only."


class PersonRowsFilter(filters.FilterSet):
    person = filters.UUIDFilter(field_name="person__uuid", help_text=PERSON_FILTER_HELP)


class PathwaysViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [TracksPersons]
    lookup_field = "uuid"
    lookup_value_converter = "uuid"
    pagination_class = Pagination
    filter_backends = [filters.DjangoFilterBackend]
    # The feature selector (`<records>_for_api`) that gives the rows the caller may see.
    rows = None

    def get_queryset(self):
        return self.rows(self.request.user)

    def reloaded(self, obj):
        """The row as the caller reads it (annotations, prefetches), after a service wrote it."""
        return self.get_queryset().get(pk=obj.pk)

    def perform_create(self, serializer):
        serializer.instance = self.reloaded(self.create_object(dict(serializer.validated_data)))

    def create_object(self, data):
        raise NotImplementedError

    def respond(self, obj, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.reloaded(obj)).data, status=code)

    def action_data(self, serializer_class, **context):
        serializer = serializer_class(
            data=self.request.data, context={**self.get_serializer_context(), **context}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def handle_exception(self, exc):
        """A stale version is a 409 (see `api_errors`) that also says the version saved now."""
        response = super().handle_exception(exc)
        if isinstance(exc, StaleRecordError) and isinstance(response.data, dict):
            response.data["current_version"] = exc.current_version
        return response


class ConflictSerializer(serializers.Serializer):
    """The body of a 409: the record was saved by someone else since the caller read it."""

    version = serializers.ListField(child=serializers.CharField(), help_text="What happened.")
    current_version = serializers.IntegerField(
        allow_null=True, help_text="The version saved now: read the record again, then retry."
    )


VERSIONED_CHANGE = (
    "Send the `version` you read in the body: a missing one is refused with 400, a stale one "
    "with 409 (the body gives `current_version`)."
)


def versioned_responses(serializer_class):
    return {
        200: serializer_class,
        409: OpenApiResponse(
            ConflictSerializer, description="Someone saved the record since you read it."
        ),
    }


def crud_schema(name: str, plural: str, *, update: bool = False, create: str | None = None):
    views = {
        "list": extend_schema(summary=f"{plural} you may see", tags=["pathways"]),
        "retrieve": extend_schema(summary=f"One {name}", tags=["pathways"]),
        "create": extend_schema(summary=create or f"Record a {name}", tags=["pathways"]),
    }
    if update:
        views["update"] = extend_schema(
            summary=f"Replace a {name}", description=VERSIONED_CHANGE, tags=["pathways"]
        )
        views["partial_update"] = extend_schema(
            summary=f"Change a {name}", description=VERSIONED_CHANGE, tags=["pathways"]
        )
    return extend_schema_view(**views)


class VersionedUpdateMixin(mixins.UpdateModelMixin):
    """PUT and PATCH state the version read (400 without it, 409 when stale)."""

    def perform_update(self, serializer):
        require_version(serializer.validated_data)
        self.update_object(serializer)

    def update_object(self, serializer):
        raise NotImplementedError


VERSION_HELP = (
    "Optimistic locking: the `version` of the record you read. Required to change a record "
    "(PUT, PATCH and every action such as accept, decline, transition): without it the call is "
    "refused with 400. When someone saved the record since, the change is refused with "
    "409 Conflict, whose body gives the `current_version`: read the record again, then retry. "
    "Ignored when creating a record."
)


VERSION_REQUIRED = _(
    "Send the version of the record you read (field “version”): it is required to change it."
)


STRUCTURE_HELP = (
    "uuid of the structure you act for. Needed only when you work for several structures; "
    "with a token, the token's structure."
)


class CodeField(serializers.SlugRelatedField):
    """A row written and read as its code (a referential, a commune).

    A code holding a NUL character is refused as a field error before it reaches the database
    (PostgreSQL cannot query text with NUL in it: that was a 500). UUIDs need no such care: a
    string that is not one never reaches the query.
    """

    def to_internal_value(self, data):
        if isinstance(data, str):
            ProhibitNullCharactersValidator()(data)
        return super().to_internal_value(data)


def code_field(model, **kwargs):
    """A referential written and read as its stable code."""
    return CodeField(slug_field="code", queryset=model.objects.filter(is_active=True), **kwargs)


def uuid_field(model, **kwargs):
    """A directory object (structure, offer, session) written and read as its uuid."""
    if kwargs.get("read_only"):
        return serializers.SlugRelatedField(slug_field="uuid", **kwargs)
    return serializers.SlugRelatedField(slug_field="uuid", queryset=model.objects.all(), **kwargs)


def request_user(field):
    return field.context["request"].user


@extend_schema_field(OpenApiTypes.UUID)
class VisiblePersonField(serializers.SlugRelatedField):
    """A person, by uuid, among those the caller may see (any other: "does not exist")."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        # One person is looked up: the rule as a subquery, not the caseload read whole.
        return persons_visible_to(request_user(self))


@extend_schema_field(OpenApiTypes.UUID)
class VisibleProjectField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return projects_for_api(request_user(self))


@extend_schema_field(OpenApiTypes.UUID)
class VisibleReferralField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return referrals_for_api(request_user(self))


class VersionField(serializers.IntegerField):
    """The version the caller read. Required by the action serializers; on the record
    serializers (create and update) the view requires it for updates (`require_version`)."""

    def __init__(self, *, required=False, **kwargs):
        super().__init__(
            required=required,
            min_value=1,
            help_text=VERSION_HELP,
            error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
            **kwargs,
        )


def require_version(validated_data) -> int:
    """The version an update states, or a 400 saying it is required."""
    version = validated_data.get("version")
    if version is None:
        raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
    return version


def referral_targets_of(field):
    """The structures the caller may refer a person to, as the web forms offer them: those
    sharing a network with the sending structure when the view knows it (`sender` in the
    context: a redirection, an application's next step), else with any of the caller's
    structures (the service then checks the sending structure itself)."""
    sender = field.context.get("sender")
    if sender is not None:
        return choices.partner_structures([sender.pk])
    return choices.referral_targets(request_user(field))


@extend_schema_field(OpenApiTypes.UUID)
class ReferralTargetField(serializers.SlugRelatedField):
    """A structure a referral may go to (the choices of the web form; any other: "does not
    exist")."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return referral_targets_of(self)


@extend_schema_field(OpenApiTypes.UUID)
class ReferralTargetOfferField(serializers.SlugRelatedField):
    """A published offer of a structure a referral may go to (as the web form offers)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return choices.published_offers_of(referral_targets_of(self))
