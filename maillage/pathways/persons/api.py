"""The API of persons and projects (see `api_base.py` for who may call it and how)."""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from maillage.directory.models import LegalForm, Stage, Structure, Territory, TerritoryKind

from ..access import log_person_access, log_person_reads
from ..api_base import (
    PERSON_FILTER_HELP,
    STRUCTURE_HELP,
    CodeField,
    PathwaysViewSet,
    VersionedUpdateMixin,
    VersionField,
    VisiblePersonField,
    acting_structure,
    code_field,
    crud_schema,
    request_user,
    uuid_field,
)
from ..models import Person, PersonAccess, Project, Sector, Situation
from ..persons.services import PERSON_FIELDS, PROJECT_FIELDS
from ..visibility import project_links_visible_to
from . import selectors, services


class NetworkMatchSerializer(serializers.Serializer):
    structures = serializers.ListField(
        child=serializers.CharField(),
        help_text="Names of the structures of your network that accompany this person.",
    )


class DuplicateSignalSerializer(serializers.Serializer):
    """What the person page's duplicate check tells an advisor, for an API client."""

    visible = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="uuids of records you may already see that are probably the same person "
        "(similar name and birth year, same e-mail or same phone): consider updating one of "
        "them, or merging, instead of keeping two records.",
    )
    network = NetworkMatchSerializer(
        many=True,
        help_text="The same person recorded by another structure of your network, who "
        "consented to network sharing: only the structures are named.",
    )
    ask_person = serializers.BooleanField(
        help_text="True when the person probably matches someone known elsewhere in the "
        "network who did not consent to network sharing: nothing else is told. Ask the person "
        "whether they have been accompanied by another structure of the network; with their "
        "consent to network sharing, the records can be linked."
    )


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
    duplicates = serializers.SerializerMethodField(
        help_text="Only in the answer to a creation (null otherwise): the duplicate check "
        "made before recording the person, with the rule of the person page "
        "(docs/network-identity.md). The person is recorded in every case."
    )

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
            "duplicates",
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

    @extend_schema_field(DuplicateSignalSerializer(allow_null=True))
    def get_duplicates(self, person):
        return getattr(person, "duplicate_signal", None)


def duplicate_signal(user, data) -> dict:
    """The duplicate check of the person page (`probable_duplicates`, then `network_matches`
    and its consent rule) on the data of a person about to be recorded."""
    probe = {name: data.get(name) or "" for name in ("first_name", "last_name", "email", "phone")}
    probe["birth_date"] = data.get("birth_date")
    visible = selectors.probable_duplicates(user, **probe)
    elsewhere = selectors.network_matches(user, **probe)
    return {
        "visible": [str(person.uuid) for person in visible],
        "network": [{"structures": person.accompanying} for person in elsewhere.shared],
        "ask_person": elsewhere.ask,
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
            str(person.uuid) for person in selectors.listed_persons(request_user(self), project)
        ]
        return data


class ProjectFilter(filters.FilterSet):
    person = filters.UUIDFilter(method="filter_person", help_text=PERSON_FILTER_HELP)

    class Meta:
        model = Project
        fields = []

    def filter_person(self, queryset, name, value):
        """The projects seen through this person (as on their page), not through another."""
        links = project_links_visible_to(self.request.user).filter(
            project_id=OuterRef("pk"), person__uuid=value
        )
        return queryset.filter(Exists(links))


@crud_schema("person", "Persons", update=True)
class PersonViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Persons followed by your structures or referred to them with their consent.

    Reading one is logged. Creating one makes your structure accompany them.
    """

    serializer_class = PersonSerializer
    rows = staticmethod(selectors.persons_for_api)

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
        signal = duplicate_signal(self.request.user, fields)
        person = services.create_person(structure=structure, user=self.request.user, **fields)
        person.duplicate_signal = signal
        return person

    def perform_create(self, serializer):
        person = self.create_object(dict(serializer.validated_data))
        serializer.instance = self.reloaded(person)
        serializer.instance.duplicate_signal = person.duplicate_signal

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        fields = {name: value for name, value in data.items() if name in PERSON_FIELDS}
        person = services.update_person(
            person=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            **fields,
        )
        serializer.instance = self.reloaded(person)


@crud_schema("project", "Projects", update=True)
class ProjectViewSet(VersionedUpdateMixin, PathwaysViewSet):
    """Projects carried by persons you may see."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    rows = staticmethod(selectors.projects_for_api)

    def create_object(self, data):
        structure = acting_structure(self.request, data.pop("structure", None))
        fields = {name: value for name, value in data.items() if name in PROJECT_FIELDS}
        return services.create_project(
            structure=structure, user=self.request.user, persons=data["persons"], **fields
        )

    def update_object(self, serializer):
        data = dict(serializer.validated_data)
        fields = {name: value for name, value in data.items() if name in PROJECT_FIELDS}
        project = services.update_project(
            project=serializer.instance,
            user=self.request.user,
            expected_version=data["version"],
            persons=data.get("persons"),
            **fields,
        )
        serializer.instance = self.reloaded(project)
