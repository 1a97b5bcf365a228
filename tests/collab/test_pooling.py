"""Pooling: offers and needs matched within the network, shared job posts with each
structure's share, arrangements with parties, dates and terms (issue 22)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.collab import selectors, services
from maillage.collab.models import PoolingEntry


def _admin_of(structure):
    from tests.factories import StructureMembershipFactory

    return StructureMembershipFactory(structure=structure, admin=True).user


def test_needs_meet_offers_of_the_same_kind_within_the_network(world, login):
    first_admin = world.facilitator  # admin of the first structure
    offer = services.post_pooling_entry(
        network=world.network,
        structure=world.first,
        direction="offer",
        kind="premises",
        title="Salle de réunion le mardi",
        by=first_admin,
    )
    need = services.post_pooling_entry(
        network=world.network,
        structure=world.second,
        direction="need",
        kind="premises",
        title="Une salle pour nos ateliers",
        by=world.member,
    )
    services.post_pooling_entry(
        network=world.network,
        structure=world.second,
        direction="need",
        kind="skills",
        title="Compétences en paie",
        by=world.member,
    )
    assert list(selectors.matches_for(need, world.member)) == [offer]
    assert not selectors.pooling_visible_to(world.stranger).exists()
    page = login(world.outsider).get(reverse("collab:pooling")).content.decode()
    assert "Une salle pour nos ateliers" in page and "Salle de réunion le mardi" in page
    arrangement = services.arrange(
        offer=offer,
        need=need,
        starts_on=datetime.date(2027, 1, 5),
        ends_on=datetime.date(2027, 6, 30),
        terms="Le mardi matin, 50 € par mois",
        by=world.member,
    )
    assert (arrangement.offer.structure, arrangement.need.structure) == (world.first, world.second)
    assert not PoolingEntry.objects.filter(pk__in=[offer.pk, need.pk], is_open=True).exists()
    with pytest.raises(ValidationError):  # already arranged
        services.arrange(
            offer=offer,
            need=need,
            starts_on=datetime.date(2027, 1, 5),
            terms="Encore",
            by=world.member,
        )


def test_a_shared_job_post_carries_each_structures_share_up_to_100_percent(world):
    post = services.post_pooling_entry(
        network=world.network,
        structure=world.first,
        direction="offer",
        kind="job_post",
        title="Chargé·e de mission mutualisé·e",
        description="Animer les groupes de travail",
        by=world.facilitator,
    )
    services.set_job_shares(
        entry=post, shares=[(world.first, 60), (world.second, 40)], by=world.facilitator
    )
    with pytest.raises(ValidationError):
        services.set_job_shares(
            entry=post, shares=[(world.first, 70), (world.second, 40)], by=world.facilitator
        )
    with pytest.raises(ValidationError):
        services.set_job_shares(entry=post, shares=[(world.elsewhere, 10)], by=world.facilitator)
    assert sorted(post.shares.values_list("percent", flat=True)) == [40, 60]
