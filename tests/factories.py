"""Test data factories, one place for the whole suite."""

import factory
from django.utils.text import slugify

from maillage.accounts.demo import DEMO_PASSWORD
from maillage.accounts.models import (
    NetworkRole,
    NetworkRoleKind,
    StructureMembership,
    StructureRole,
    User,
)
from maillage.directory.models import LegalForm, Network, Structure

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
    legal_form = LegalForm.ASSOCIATION
    city = "Marseille"

    @factory.post_generation
    def networks(self, create, extracted, **kwargs):
        if create and extracted:
            self.networks.add(*extracted)


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


__all__ = [
    "DEMO_PASSWORD",
    "PASSWORD",
    "NetworkFactory",
    "NetworkRoleFactory",
    "StructureFactory",
    "StructureMembershipFactory",
    "UserFactory",
]
