"""The API of acts (with their attendance list) and outcomes."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers

from maillage.accounts.rules import roles_of
from maillage.directory.models import LegalForm, Offer, OfferSession, Structure

from ..acts.services import ACT_FIELDS, OUTCOME_FIELDS
from ..api_base import (
    PERSON_FILTER_HELP,
    STRUCTURE_HELP,
    PathwaysViewSet,
    PersonRowsFilter,
    VersionedUpdateMixin,
    VersionField,
    VisiblePersonField,
    VisibleProjectField,
    acting_structure,
    code_field,
    crud_schema,
    request_user,
    uuid_field,
)
from ..models import Act, ActParticipant, ActType, Outcome, OutcomeType
from ..visibility import participations_visible_to
from . import selectors, services


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
        if act.structure_id not in roles_of(request_user(self)).staff_of:
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
        seen = participations_visible_to(self.request.user).filter(
            act_id=OuterRef("pk"), person__uuid=value
        )
        return queryset.filter(Exists(seen))


class OutcomeFilter(PersonRowsFilter):
    class Meta:
        model = Outcome
        fields = []


@crud_schema(
    "professional act",
    "Professional acts",
    update=True,
    create="Record an individual or collective act",
)
class ActViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Acts of your structures, and acts of others with persons who share with the network."""

    serializer_class = ActSerializer
    filterset_class = ActFilter
    rows = staticmethod(selectors.acts_for_api)

    def create_object(self, data):
        return services.record_act(
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
        act = services.update_act(
            act=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            persons=persons,
            absent={person.pk for person in data.get("absent", [])} if persons else None,
            **fields,
        )
        serializer.instance = self.reloaded(act)


@crud_schema("outcome", "Outcomes", update=True, create="Record an outcome (where a pathway led)")
class OutcomeViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Outcomes of persons you may see."""

    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter
    rows = staticmethod(selectors.outcomes_for_api)

    def create_object(self, data):
        return services.record_outcome(
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
        outcome = services.update_outcome(
            outcome=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            **fields,
        )
        serializer.instance = self.reloaded(outcome)
