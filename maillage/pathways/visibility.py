"""Who sees which person (DOMAIN §5), written once for rules (one person) and querysets (many).

An advisor or structure admin sees a person when their structure accompanies the person, or when
a referral carrying the person's data reached their structure and the person still shares with
the network (or wrote to that structure themselves from the public site). Nobody else does:
coordinators, funders and platform admins never see a named person.

`structures_seeing(person)` and `persons_visible_to(user)` are the two faces of the same rule;
tests/pathways/test_visibility.py checks that they always agree.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from maillage.accounts.rules import roles_of

from .models import Accompaniment, Person, Referral, ReferralOrigin

_SEEING = "_maillage_seeing_structures"
_ACCOMPANYING = "_maillage_accompanying_structures"


def _referral_grants_sight() -> Q:
    """The referrals through which the receiving structure sees the person."""
    return Q(shares_person_data=True) & (
        Q(origin=ReferralOrigin.PUBLIC_FORM) | Q(person__shares_with_network=True)
    )


def accompanying_structures(person: Person) -> frozenset[int]:
    """Ids of the structures that accompany the person (cached on the object)."""
    cached = getattr(person, _ACCOMPANYING, None)
    if cached is None:
        cached = frozenset(
            Accompaniment.objects.filter(person=person).values_list("structure_id", flat=True)
        )
        setattr(person, _ACCOMPANYING, cached)
    return cached


def structures_seeing(person: Person) -> frozenset[int]:
    """Ids of the structures whose staff may open the person's record (cached on the object)."""
    if person.merged_into_id:
        return frozenset()
    cached = getattr(person, _SEEING, None)
    if cached is None:
        through_referrals = set(
            Referral.objects.filter(Q(person=person) & _referral_grants_sight()).values_list(
                "to_structure_id", flat=True
            )
        )
        cached = accompanying_structures(person) | frozenset(through_referrals)
        setattr(person, _SEEING, cached)
    return cached


def forget(person: Person) -> None:
    """Drop the cached structure sets after a change of accompaniments, referrals or consent."""
    for attr in (_SEEING, _ACCOMPANYING):
        if hasattr(person, attr):
            delattr(person, attr)


def visible_persons_condition(structure_ids) -> Q:
    """A filter on Person: seen by at least one of `structure_ids`."""
    accompanied = Accompaniment.objects.filter(
        person=OuterRef("pk"), structure_id__in=structure_ids
    )
    referred = Referral.objects.filter(
        Q(person=OuterRef("pk"), to_structure_id__in=structure_ids) & _referral_grants_sight()
    )
    return Q(merged_into__isnull=True) & (Q(Exists(accompanied)) | Q(Exists(referred)))


def persons_visible_to(user) -> QuerySet[Person]:
    """The persons `user` may see; empty for anyone who is not staff of a structure."""
    staff = roles_of(user).staff_of
    if not staff:
        return Person.objects.none()
    return Person.objects.filter(visible_persons_condition(sorted(staff)))
