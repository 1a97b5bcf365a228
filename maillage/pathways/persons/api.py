"""The pathways API: persons, projects, applications, referrals, acts and outcomes.

Who may call it: the staff (advisors, structure admins) of at least one structure, with their
browser session (CSRF token on writes) or a structure's API token (`Authorization: Bearer`, see
`authentication.py`), which narrows the caller's rights to that structure. Anyone else is refused
on every endpoint: 401 without credentials, 403 for coordinators, funders and platform admins
(they never see a named person).

Reads go through `api_selectors`, which start from the record kinds' `<record>_visible_to(user)`
selectors (the person page and the exports use the same): a row the caller may not see answers
404, exactly as a row that does not exist. Opening a person's record is logged (`PersonAccess`,
channel "api"), refused attempts included, and so is each person of a page of the list.

Writes go through `services` only. A rule a service refuses is a 400 with field errors (see
`maillage.core.api_errors`), a forbidden move a 403. Every change of an existing record (PUT,
PATCH, the status actions) states the `version` it read, in the body: missing, a 400; stale
(someone saved the record since), a 409 whose body holds `current_version`. Of two concurrent
changes made from the same version exactly one succeeds (the services' conditional UPDATE).
Applications and referrals change status through their actions (`/transition/`, `/accept/`…);
acts and outcomes are recorded, not edited.
"""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from maillage.accounts.rules import can, roles_of
from maillage.directory.api import Pagination
from maillage.directory.models import Structure

from .. import api_selectors
from ..access import log_person_access, log_person_reads
from ..acts import services as act_services
from ..acts.services import ACT_FIELDS, OUTCOME_FIELDS
from ..api_serializers import (
    ActSerializer,
    ApplicationSerializer,
    ApplicationTransitionSerializer,
    OutcomeSerializer,
    PersonSerializer,
    ProjectSerializer,
    ReferralDeclineSerializer,
    ReferralFirstMeetingSerializer,
    ReferralNoteSerializer,
    ReferralRedirectSerializer,
    ReferralSerializer,
    require_version,
)
from ..applications import services as application_services
from ..common import StaleRecordError
from ..models import (
    Act,
    Application,
    ApplicationStatus,
    Outcome,
    Person,
    PersonAccess,
    Project,
    Referral,
    ReferralStatus,
)
from ..referrals import services as referral_services
from . import selectors
from . import services as person_services
from .services import PERSON_FIELDS, PROJECT_FIELDS

# --- Access ------------------------------------------------------------------------------------


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


# --- Filters -----------------------------------------------------------------------------------

PERSON_FILTER_HELP = "uuid of a person: their rows only."


class PersonRowsFilter(filters.FilterSet):
    person = filters.UUIDFilter(field_name="person__uuid", help_text=PERSON_FILTER_HELP)


class ProjectFilter(filters.FilterSet):
    person = filters.UUIDFilter(method="filter_person", help_text=PERSON_FILTER_HELP)

    class Meta:
        model = Project
        fields = []

    def filter_person(self, queryset, name, value):
        """The projects seen through this person (as on their page), not through another."""
        links = selectors.project_links_visible_to(self.request.user).filter(
            project_id=OuterRef("pk"), person__uuid=value
        )
        return queryset.filter(Exists(links))


class ApplicationFilter(PersonRowsFilter):
    status = filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = Application
        fields = []


class ReferralFilter(PersonRowsFilter):
    status = filters.ChoiceFilter(choices=ReferralStatus.choices)
    direction = filters.ChoiceFilter(
        choices=[("sent", "sent"), ("received", "received")],
        method="filter_direction",
        help_text="'sent' by your structures, or 'received' by them.",
    )

    class Meta:
        model = Referral
        fields = []

    def filter_direction(self, queryset, name, value):
        staff = roles_of(self.request.user).staff_of
        field = "from_structure_id__in" if value == "sent" else "to_structure_id__in"
        return queryset.filter(**{field: staff})


class ActFilter(filters.FilterSet):
    person = filters.UUIDFilter(method="filter_person", help_text=PERSON_FILTER_HELP)
    since = filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", help_text="Acts on or after this date."
    )

    class Meta:
        model = Act
        fields = []

    def filter_person(self, queryset, name, value):
        """The acts where the caller sees this person's participation (as on their page)."""
        seen = selectors.participations_visible_to(self.request.user).filter(
            act_id=OuterRef("pk"), person__uuid=value
        )
        return queryset.filter(Exists(seen))


class OutcomeFilter(PersonRowsFilter):
    class Meta:
        model = Outcome
        fields = []


# --- Views -------------------------------------------------------------------------------------


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
    # The api_selectors function that gives the rows the caller may see.
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


def _schema(name: str, plural: str, *, update: bool = False, create: str | None = None):
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


@_schema("person", "Persons", update=True)
class PersonViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Persons followed by your structures or referred to them with their consent.

    Reading one is logged. Creating one makes your structure accompany them.
    """

    serializer_class = PersonSerializer
    rows = staticmethod(api_selectors.persons)

    def paginate_queryset(self, queryset):
        """Each page of the list is a read of every person on it: one access each (bulk)."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            log_person_reads(user=self.request.user, persons=page, channel=PersonAccess.Channel.API)
        return page

    def get_object(self):
        try:
            person = super().get_object()
        except Http404:
            hidden = Person.objects.filter(uuid=self.kwargs["uuid"]).first()
            if hidden is not None:
                log_person_access(
                    person=hidden,
                    user=self.request.user,
                    channel=PersonAccess.Channel.API,
                    granted=False,
                )
            raise
        log_person_access(
            person=person, user=self.request.user, channel=PersonAccess.Channel.API, granted=True
        )
        return person

    def create_object(self, data):
        structure = acting_structure(self.request, data.pop("structure", None))
        fields = {name: value for name, value in data.items() if name in PERSON_FIELDS}
        return person_services.create_person(structure=structure, user=self.request.user, **fields)

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        fields = {name: value for name, value in data.items() if name in PERSON_FIELDS}
        person = person_services.update_person(
            person=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            **fields,
        )
        serializer.instance = self.reloaded(person)


@_schema("project", "Projects", update=True)
class ProjectViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Projects carried by persons you may see."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    rows = staticmethod(api_selectors.projects)

    def create_object(self, data):
        structure = acting_structure(self.request, data.pop("structure", None))
        fields = {name: value for name, value in data.items() if name in PROJECT_FIELDS}
        return person_services.create_project(
            structure=structure, user=self.request.user, persons=data["persons"], **fields
        )

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        fields = {name: value for name, value in data.items() if name in PROJECT_FIELDS}
        project = person_services.update_project(
            project=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            persons=data.get("persons"),
            **fields,
        )
        serializer.instance = self.reloaded(project)


@_schema("application", "Applications", create="Record an application to an offer")
class ApplicationViewSet(PathwaysViewSet):
    """Applications of persons you may see; the offer's structure decides them."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    rows = staticmethod(api_selectors.applications)

    def create_object(self, data):
        return application_services.submit_application(
            person=data["person"],
            offer=data["offer"],
            user=self.request.user,
            session=data.get("session"),
            project=data.get("project"),
            submitted_on=data.get("submitted_on"),
        )

    @extend_schema(
        summary="Change the status of an application",
        description=(
            "Follows the application's state machine. 'not_selected' needs a next step: "
            "`next_step_referral`, `refer_to_structure` (a referral sent in the same call) or "
            "`no_next_step_reason`; otherwise 400. " + VERSIONED_CHANGE
        ),
        request=ApplicationTransitionSerializer,
        responses=versioned_responses(ApplicationSerializer),
        tags=["pathways"],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, uuid=None):
        application = self.get_object()
        data = self.action_data(ApplicationTransitionSerializer, sender=application.structure)
        application = application_services.change_application_status(
            application=application,
            user=request.user,
            to_status=data["status"],
            note=data["note"],
            expected_version=data["version"],
            next_step_referral=data.get("next_step_referral"),
            refer_to_structure=data.get("refer_to_structure"),
            refer_to_offer=data.get("refer_to_offer"),
            referral_reason=data["referral_reason"],
            no_next_step_reason=data.get("no_next_step_reason"),
            no_next_step_note=data["no_next_step_note"],
            end_reason=data.get("end_reason"),
            end_note=data["end_note"],
        )
        return self.respond(application)


def _referral_action(summary: str, request_serializer):
    return extend_schema(
        summary=summary,
        description=VERSIONED_CHANGE,
        request=request_serializer,
        responses=versioned_responses(ReferralSerializer),
        tags=["pathways"],
    )


@_schema("referral", "Referrals", create="Refer a person to another structure")
class ReferralViewSet(PathwaysViewSet):
    """Referrals sent or received by your structures: the closed loop.

    The person is named (`person` not null) only when you may see them.
    """

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    rows = staticmethod(api_selectors.referrals)

    def create_object(self, data):
        return referral_services.refer_person(
            person=data["person"],
            from_structure=acting_structure(self.request, data.get("structure")),
            user=self.request.user,
            to_structure=data["to_structure"],
            to_offer=data.get("to_offer"),
            project=data.get("project"),
            reason=data.get("reason", ""),
            shared_info=data.get("shared_info", ""),
        )

    @_referral_action("Accept a referral (receiving structure)", ReferralNoteSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, uuid=None):
        data = self.action_data(ReferralNoteSerializer)
        referral = referral_services.accept_referral(
            referral=self.get_object(),
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action("Decline a referral, with a reason", ReferralDeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, uuid=None):
        data = self.action_data(ReferralDeclineSerializer)
        referral = referral_services.decline_referral(
            referral=self.get_object(),
            user=request.user,
            reason=data["decline_reason"],
            note=data["decline_note"],
            share_reason_with_person=data["share_reason_with_person"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action(
        "Redirect a referral to a better-placed structure (answers the original one)",
        ReferralRedirectSerializer,
    )
    @action(detail=True, methods=["post"])
    def redirect(self, request, uuid=None):
        referral = self.get_object()
        data = self.action_data(ReferralRedirectSerializer, sender=referral.to_structure)
        referral_services.redirect_referral(
            referral=referral,
            user=request.user,
            to_structure=data["to_structure"],
            to_offer=data.get("to_offer"),
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action(
        "Record the first meeting (an anonymous orientation is matched with the name given)",
        ReferralFirstMeetingSerializer,
    )
    @action(detail=True, methods=["post"], url_path="first-meeting", url_name="first-meeting")
    def first_meeting(self, request, uuid=None):
        data = self.action_data(ReferralFirstMeetingSerializer)
        identity = None
        if data["first_name"] or data["last_name"]:
            identity = {
                "first_name": data["first_name"],
                "last_name": data["last_name"],
                "birth_date": data["birth_date"],
            }
        referral = referral_services.record_first_meeting(
            referral=self.get_object(),
            user=request.user,
            met_on=data["first_meeting_on"],
            identity=identity,
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action("Close a referral (receiving structure)", ReferralNoteSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, uuid=None):
        data = self.action_data(ReferralNoteSerializer)
        referral = referral_services.close_referral(
            referral=self.get_object(),
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action("Cancel a referral (sending structure)", ReferralNoteSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, uuid=None):
        data = self.action_data(ReferralNoteSerializer)
        referral = referral_services.cancel_referral(
            referral=self.get_object(),
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)


@_schema(
    "professional act",
    "Professional acts",
    update=True,
    create="Record an individual or collective act",
)
class ActViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Acts of your structures, and acts of others with persons who share with the network."""

    serializer_class = ActSerializer
    filterset_class = ActFilter
    rows = staticmethod(api_selectors.acts)

    def create_object(self, data):
        return act_services.record_act(
            structure=acting_structure(self.request, data.get("structure")),
            user=self.request.user,
            act_type=data["act_type"],
            occurred_on=data["occurred_on"],
            duration_minutes=data["duration_minutes"],
            persons=data["persons"],
            absent={person.pk for person in data.get("absent", [])},
            offer=data.get("offer"),
            session=data.get("session"),
            title=data.get("title", ""),
            notes=data.get("notes", ""),
        )

    def update_object(self, serializer):
        """Correct an act of your structure (a new `persons` list replaces the attendance)."""
        data = dict(serializer.validated_data)
        fields = {name: value for name, value in data.items() if name in ACT_FIELDS}
        persons = data.get("persons")
        act = act_services.update_act(
            act=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            persons=persons,
            absent={person.pk for person in data.get("absent", [])} if persons else None,
            **fields,
        )
        serializer.instance = self.reloaded(act)


@_schema("outcome", "Outcomes", update=True, create="Record an outcome (where a pathway led)")
class OutcomeViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Outcomes of persons you may see."""

    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter
    rows = staticmethod(api_selectors.outcomes)

    def create_object(self, data):
        return act_services.record_outcome(
            person=data["person"],
            structure=acting_structure(self.request, data.get("structure")),
            user=self.request.user,
            outcome_type=data["outcome_type"],
            occurred_on=data["occurred_on"],
            legal_form=data.get("legal_form"),
            details=data.get("details", ""),
            project=data.get("project"),
        )

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        fields = {name: value for name, value in data.items() if name in OUTCOME_FIELDS}
        outcome = act_services.update_outcome(
            outcome=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            **fields,
        )
        serializer.instance = self.reloaded(outcome)
