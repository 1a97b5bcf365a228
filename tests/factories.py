"""Test data factories, one place for the whole suite."""

import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from maillage.accounts.demo import DEMO_PASSWORD
from maillage.accounts.models import (
    NetworkRole,
    NetworkRoleKind,
    StructureMembership,
    StructureRole,
    User,
)
from maillage.core.text import normalise
from maillage.directory.models import (
    ContactRequest,
    Network,
    Offer,
    OfferFormat,
    OfferSession,
    Stage,
    Structure,
    Territory,
    TerritoryKind,
)
from maillage.pathways import identity
from maillage.pathways.models import (
    Accompaniment,
    ActType,
    Application,
    Consent,
    ConsentMethod,
    ConsentScope,
    Person,
    PersonNote,
    Referral,
    ReferralOrigin,
)

PASSWORD = "Un-mot-de-passe-solide-42"


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Réseau {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Structure {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    legal_form_id = "association"
    city = "Marseille"
    summary = factory.LazyAttribute(lambda o: f"Accompagnement proposé par {o.name}.")
    search_text = factory.LazyAttribute(lambda o: normalise(f"{o.name} {o.city} {o.summary}"))

    @factory.post_generation
    def networks(self, create, extracted, **kwargs):
        if create and extracted:
            self.networks.add(*extracted)


class TerritoryFactory(factory.django.DjangoModelFactory):
    """A commune of the Bouches-du-Rhône by default; traits for the other kinds."""

    class Meta:
        model = Territory
        django_get_or_create = ["kind", "code"]

    kind = TerritoryKind.COMMUNE
    code = factory.Sequence(lambda n: f"13{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    region_code = "93"
    departement_code = "13"
    search_name = factory.LazyAttribute(lambda o: normalise(o.name))

    class Params:
        departement = factory.Trait(
            kind=TerritoryKind.DEPARTEMENT, code="13", name="Bouches-du-Rhône"
        )
        region = factory.Trait(
            kind=TerritoryKind.REGION,
            code="93",
            name="Provence-Alpes-Côte d'Azur",
            departement_code="",
        )


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    network = factory.SubFactory(NetworkFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Étape {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    questions = "Par où commencer ?\nQui peut m'aider ?"


class OfferFactory(factory.django.DjangoModelFactory):
    """An offer on one stage of a network its structure belongs to (both made when not given)."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    title = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "Un accompagnement collectif pour avancer sur son projet."
    format = factory.LazyFunction(lambda: OfferFormat.objects.get(code="workshop"))
    duration = "3 journées"
    capacity = 10
    search_text = factory.LazyAttribute(
        lambda o: normalise(f"{o.title} {o.summary} {o.structure.name}")
    )

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted:
            for stage in extracted:
                self.structure.networks.add(stage.network)
            self.stages.set(extracted)
            return
        network = self.structure.networks.first()
        if network is None:
            network = NetworkFactory()
            self.structure.networks.add(network)
        stage = network.stages.first() or StageFactory(network=network)
        self.stages.set([stage])

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)


class OfferSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferSession

    offer = factory.SubFactory(OfferFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=2))
    place = "Marseille"
    capacity = 10


class ContactRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactRequest

    structure = factory.SubFactory(StructureFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"visiteur{n}@exemple.test")
    message = "Je voudrais être rappelé pour parler de mon projet."
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_text = "J'accepte d'être contacté."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)

    class Params:
        platform_admin = factory.Trait(is_superuser=True, is_staff=True)


class StructureMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructureMembership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = StructureRole.ADVISOR

    class Params:
        admin = factory.Trait(role=StructureRole.STRUCTURE_ADMIN)


class NetworkRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkRole

    user = factory.SubFactory(UserFactory)
    network = factory.SubFactory(NetworkFactory)
    role = NetworkRoleKind.COORDINATOR

    class Params:
        funder = factory.Trait(role=NetworkRoleKind.FUNDER)


# --- Pathways (rows built directly, for worlds; tests of rules go through the services) ---------


class PersonFactory(factory.django.DjangoModelFactory):
    """A person; `accompanied_by=[structure, …]` adds the accompaniments."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = datetime.date(1990, 5, 17)
    birth_year = factory.LazyAttribute(lambda o: o.birth_date.year if o.birth_date else None)
    name_key = factory.LazyAttribute(lambda o: normalise(f"{o.last_name} {o.first_name}"))
    email = factory.Sequence(lambda n: f"porteur{n}@exemple.test")

    class Params:
        sharing = factory.Trait(shares_with_network=True)

    @factory.post_generation
    def accompanied_by(self, create, structures, **kwargs):
        for structure in structures or []:
            Accompaniment.objects.create(
                person=self, structure=structure, started_on=datetime.date(2025, 1, 6)
            )
        if structures:
            self.created_by_structure = structures[0]
            Person.objects.filter(pk=self.pk).update(created_by_structure=structures[0])

    @factory.post_generation
    def consents(self, create, scopes, **kwargs):
        for scope in scopes or []:
            Consent.objects.create(
                person=self, scope=scope, method=ConsentMethod.WRITTEN, given_at=timezone.now()
            )
        if scopes and ConsentScope.NETWORK_SHARING in scopes:
            self.shares_with_network = True
            Person.objects.filter(pk=self.pk).update(shares_with_network=True)

    @factory.post_generation
    def identity_keys(self, create, extracted, **kwargs):
        # As the person services do: the network identity keys of the duplicate check.
        if create:
            identity.refresh_keys(self)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    origin = ReferralOrigin.STRUCTURE
    from_structure = factory.SubFactory(StructureFactory)
    to_structure = factory.SubFactory(StructureFactory)
    shares_person_data = factory.LazyAttribute(lambda o: o.person.shares_with_network)
    sent_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyAttribute(lambda o: o.sent_at)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    person = factory.SubFactory(PersonFactory)
    offer = factory.SubFactory(OfferFactory)
    structure = factory.LazyAttribute(lambda o: o.offer.structure)
    submitted_on = factory.LazyFunction(timezone.localdate)
    status_changed_at = factory.LazyFunction(timezone.now)


class PersonNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonNote

    person = factory.SubFactory(PersonFactory)
    structure = factory.SubFactory(StructureFactory)
    body = "A suivre : rappeler après le comité."


def act_type(code: str = "individual_interview") -> ActType:
    return ActType.objects.get(code=code)


__all__ = [
    "DEMO_PASSWORD",
    "PASSWORD",
    "ApplicationFactory",
    "ContactRequestFactory",
    "NetworkFactory",
    "NetworkRoleFactory",
    "OfferFactory",
    "OfferSessionFactory",
    "PersonFactory",
    "PersonNoteFactory",
    "ReferralFactory",
    "StageFactory",
    "StructureFactory",
    "StructureMembershipFactory",
    "TerritoryFactory",
    "UserFactory",
    "act_type",
]
