"""Serializers of the pathways API (api.py): shapes only, no writes (those are services').

Conventions: objects are named by their `uuid` (never a sequential id), referentials (act types,
outcome types, reasons, situations, sectors, legal forms) by their stable `code`, communes by
their INSEE code, stages by their id (as in the directory API). A person the caller may not see
is never named: where a row points to one, the field is null.
"""

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from maillage.accounts.rules import roles_of
from maillage.directory.models import (
    LegalForm,
    Offer,
    OfferSession,
    Stage,
    Structure,
    Territory,
    TerritoryKind,
)

from . import api_selectors
from .models import (
    Act,
    ActParticipant,
    ActType,
    Application,
    ApplicationStatus,
    DeclineReason,
    EndReason,
    NoNextStepReason,
    Outcome,
    OutcomeType,
    Person,
    Project,
    Referral,
    Sector,
    Situation,
)
from .referrals import selectors as workflow_selectors

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


# --- Fields ------------------------------------------------------------------------------------


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


def _user(field):
    return field.context["request"].user


@extend_schema_field(OpenApiTypes.UUID)
class VisiblePersonField(serializers.SlugRelatedField):
    """A person, by uuid, among those the caller may see (any other: "does not exist")."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return api_selectors.persons(_user(self))


@extend_schema_field(OpenApiTypes.UUID)
class VisibleProjectField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return api_selectors.projects(_user(self))


@extend_schema_field(OpenApiTypes.UUID)
class VisibleReferralField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return api_selectors.referrals(_user(self))


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


def _referral_targets(field):
    """The structures the caller may refer a person to, as the web forms offer them: those
    sharing a network with the sending structure when the view knows it (`sender` in the
    context: a redirection, an application's next step), else with any of the caller's
    structures (the service then checks the sending structure itself)."""
    sender = field.context.get("sender")
    if sender is not None:
        return workflow_selectors.partner_structures([sender.pk])
    return workflow_selectors.referral_targets(_user(field))


@extend_schema_field(OpenApiTypes.UUID)
class ReferralTargetField(serializers.SlugRelatedField):
    """A structure a referral may go to (the choices of the web form; any other: "does not
    exist")."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return _referral_targets(self)


@extend_schema_field(OpenApiTypes.UUID)
class ReferralTargetOfferField(serializers.SlugRelatedField):
    """A published offer of a structure a referral may go to (as the web form offers)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def get_queryset(self):
        return workflow_selectors.published_offers_of(_referral_targets(self))


# --- Persons and projects ----------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    commune = CodeField(
        slug_field="code",
        queryset=Territory.objects.filter(kind=TerritoryKind.COMMUNE),
        required=False,
        allow_null=True,
        help_text="INSEE code of the commune.",
    )
    situation = code_field(Situation, required=False, allow_null=True)
    structure = uuid_field(Structure, write_only=True, required=False, help_text=STRUCTURE_HELP)
    is_anonymised = serializers.BooleanField(
        read_only=True, help_text="The person's data were erased (GDPR): the record is kept."
    )
    version = VersionField()

    class Meta:
        model = Person
        fields = [
            "uuid",
            "first_name",
            "last_name",
            "birth_date",
            "birth_year",
            "gender",
            "email",
            "phone",
            "postal_code",
            "commune",
            "situation",
            "priority_neighbourhood",
            "shares_with_network",
            "is_anonymised",
            "last_activity_on",
            "version",
            "structure",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "birth_year",
            "shares_with_network",
            "last_activity_on",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "shares_with_network": {
                "help_text": "The person agreed to share their record within the network."
            }
        }


class ProjectSerializer(serializers.ModelSerializer):
    persons = VisiblePersonField(
        many=True, help_text="uuids of the persons carrying it (those you may see)."
    )
    sector = code_field(Sector, required=False, allow_null=True)
    envisaged_legal_form = code_field(LegalForm, required=False, allow_null=True)
    current_stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        allow_null=True,
        help_text="id of a stage (see /api/v1/stages/).",
    )
    structure = uuid_field(Structure, write_only=True, required=False, help_text=STRUCTURE_HELP)
    version = VersionField()

    class Meta:
        model = Project
        fields = [
            "uuid",
            "title",
            "description",
            "kind",
            "persons",
            "sector",
            "envisaged_legal_form",
            "current_stage",
            "version",
            "structure",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, project):
        data = super().to_representation(project)
        # Only the carriers the caller sees the project through (the person page's rule).
        data["persons"] = [
            str(person.uuid) for person in api_selectors.listed_persons(_user(self), project)
        ]
        return data


# --- Applications ------------------------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    person = VisiblePersonField()
    project = VisibleProjectField(required=False, allow_null=True)
    offer = uuid_field(Offer, help_text="uuid of the offer (its structure receives it).")
    session = uuid_field(OfferSession, required=False, allow_null=True)
    structure = uuid_field(Structure, read_only=True, help_text="The offer's structure.")
    next_step_referral = uuid_field(Referral, read_only=True, allow_null=True)
    no_next_step_reason = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    end_reason = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    submitted_on = serializers.DateField(required=False, help_text="Default: today.")

    class Meta:
        model = Application
        fields = [
            "uuid",
            "person",
            "project",
            "offer",
            "session",
            "structure",
            "status",
            "submitted_on",
            "status_changed_at",
            "decided_at",
            "next_step_referral",
            "no_next_step_reason",
            "no_next_step_note",
            "end_reason",
            "end_note",
            "version",
        ]
        read_only_fields = [
            "status",
            "status_changed_at",
            "decided_at",
            "no_next_step_note",
            "end_note",
            "version",
        ]


class ApplicationTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, help_text="The new status.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField(required=True)
    next_step_referral = VisibleReferralField(
        required=False,
        allow_null=True,
        help_text="For 'not_selected': uuid of a referral of the person already sent.",
    )
    refer_to_structure = ReferralTargetField(
        required=False,
        allow_null=True,
        help_text=(
            "For 'not_selected': refer the person to this structure in the same call (one "
            "sharing a network with the offer's structure)."
        ),
    )
    refer_to_offer = ReferralTargetOfferField(required=False, allow_null=True)
    referral_reason = serializers.CharField(required=False, allow_blank=True, default="")
    no_next_step_reason = code_field(
        NoNextStepReason,
        required=False,
        allow_null=True,
        help_text="For 'not_selected' without a referral: why there is no next step.",
    )
    no_next_step_note = serializers.CharField(required=False, allow_blank=True, default="")
    end_reason = code_field(
        EndReason, required=False, allow_null=True, help_text="For 'dropped_out'."
    )
    end_note = serializers.CharField(required=False, allow_blank=True, default="")


# --- Referrals ---------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
class ReferredPersonField(VisiblePersonField):
    """Required when referring; null in the answers when the caller may not see the person."""


class ReferralSerializer(serializers.ModelSerializer):
    person = ReferredPersonField(
        help_text="uuid of the person; null when you may not see them (anonymous orientation)."
    )
    project = VisibleProjectField(required=False, allow_null=True)
    from_structure = uuid_field(Structure, read_only=True, allow_null=True)
    to_structure = ReferralTargetField(
        help_text="uuid of a structure sharing a network with the sending structure."
    )
    to_offer = ReferralTargetOfferField(
        required=False, allow_null=True, help_text="A published offer of that structure."
    )
    decline_reason = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    redirected_to = uuid_field(Referral, read_only=True, allow_null=True)
    structure = uuid_field(
        Structure, write_only=True, required=False, help_text="Sending structure. " + STRUCTURE_HELP
    )

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "person",
            "project",
            "origin",
            "from_structure",
            "to_structure",
            "to_offer",
            "reason",
            "shared_info",
            "shares_person_data",
            "status",
            "sent_at",
            "status_changed_at",
            "answered_at",
            "first_meeting_on",
            "closed_at",
            "decline_reason",
            "decline_note",
            "reason_shared_with_person",
            "redirected_to",
            "version",
            "structure",
        ]
        read_only_fields = [
            "origin",
            "shares_person_data",
            "status",
            "sent_at",
            "status_changed_at",
            "answered_at",
            "first_meeting_on",
            "closed_at",
            "decline_note",
            "reason_shared_with_person",
            "version",
        ]

    def to_representation(self, referral):
        data = super().to_representation(referral)
        if not api_selectors.shows_person(_user(self), referral):
            data["person"] = None
            data["project"] = None
        return data


class ReferralNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField(required=True)


class ReferralDeclineSerializer(serializers.Serializer):
    decline_reason = code_field(DeclineReason)
    decline_note = serializers.CharField(required=False, allow_blank=True, default="")
    share_reason_with_person = serializers.BooleanField(required=False, default=False)
    version = VersionField(required=True)


class ReferralRedirectSerializer(serializers.Serializer):
    to_structure = ReferralTargetField(
        help_text="The better-placed structure (sharing a network with yours)."
    )
    to_offer = ReferralTargetOfferField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField(required=True)


class ReferralFirstMeetingSerializer(serializers.Serializer):
    first_meeting_on = serializers.DateField()
    first_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="For an anonymous orientation: the name the person gave, to match the record.",
    )
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    version = VersionField(required=True)


# --- Acts and outcomes -------------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = ActParticipant
        fields = ["person", "attended"]


class ActSerializer(serializers.ModelSerializer):
    act_type = code_field(ActType)
    structure = uuid_field(Structure, required=False, help_text=STRUCTURE_HELP)
    offer = uuid_field(Offer, required=False, allow_null=True)
    session = uuid_field(OfferSession, required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(help_text="More than zero.")
    persons = VisiblePersonField(
        many=True,
        write_only=True,
        help_text="uuids of everyone invited (one for an individual act).",
    )
    absent = VisiblePersonField(
        many=True,
        write_only=True,
        required=False,
        help_text="uuids of the invited persons who did not come (kept on the attendance list).",
    )
    participants = ParticipantSerializer(
        many=True,
        read_only=True,
        source="visible_participants",
        help_text="The attendance list (the persons you may see).",
    )
    version = VersionField()

    class Meta:
        model = Act
        fields = [
            "uuid",
            "act_type",
            "structure",
            "offer",
            "session",
            "occurred_on",
            "duration_minutes",
            "is_collective",
            "title",
            "notes",
            "persons",
            "absent",
            "participants",
            "created_at",
            "version",
        ]
        read_only_fields = ["is_collective", "created_at"]
        extra_kwargs = {"notes": {"help_text": "Seen only by the staff of the act's structure."}}

    def validate(self, attrs):
        persons = {person.pk for person in attrs.get("persons", [])}
        if any(person.pk not in persons for person in attrs.get("absent", [])):
            raise serializers.ValidationError(
                {"absent": [_("Every absent person must be among the persons invited.")]}
            )
        return attrs

    def to_representation(self, act):
        data = super().to_representation(act)
        if act.structure_id not in roles_of(_user(self)).staff_of:
            data["notes"] = ""
        return data


class OutcomeSerializer(serializers.ModelSerializer):
    person = VisiblePersonField()
    project = VisibleProjectField(required=False, allow_null=True)
    structure = uuid_field(Structure, required=False, help_text=STRUCTURE_HELP)
    outcome_type = code_field(OutcomeType)
    legal_form = code_field(
        LegalForm, required=False, allow_null=True, help_text="For an activity created."
    )
    version = VersionField()

    class Meta:
        model = Outcome
        fields = [
            "uuid",
            "person",
            "project",
            "structure",
            "outcome_type",
            "occurred_on",
            "legal_form",
            "details",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at"]
