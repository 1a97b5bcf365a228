"""Reads of the referrals: the inbox of the user's structures, and the API's list.

Who sees which referral, and whether its person is named, is `visibility.referrals_visible_to`
(it annotates `person_visible`); these only filter it and add the joins each page needs, so
that lists cost a fixed number of queries whatever their length.
"""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from maillage.accounts.rules import can, roles_of

from ..access import log_person_reads
from ..models import PersonAccess, Referral
from ..states import REFERRAL_UNANSWERED
from ..visibility import persons_visible_to, referrals_visible_to

RECEIVED = "received"
SENT = "sent"

# What the inbox and its file show of each referral. Read whole, each row built eight model
# instances of every column (the persons', structures' and offers' texts included), a third of
# the page's time (issue 18).
INBOX_JOINS = ("person", "from_structure", "to_structure", "to_offer", "decline_reason")
INBOX_COLUMNS = (
    "uuid",
    "sent_at",
    "status",
    "answered_at",
    "first_meeting_on",
    *INBOX_JOINS,
    "person__first_name",
    "person__last_name",
    "from_structure__name",
    "to_structure__name",
    "to_offer__title",
    "decline_reason__label_fr",
    "decline_reason__label_en",
)


def referral_inbox(user, *, box: str = RECEIVED, status: str = "") -> QuerySet[Referral]:
    """Referrals received by (or sent by) the user's structures.

    Received ones that still wait for an answer come first; then the most recent first.
    """
    staff = sorted(roles_of(user).staff_of)
    referrals = (
        referrals_visible_to(user, of_structures=True)
        .select_related(None)
        .select_related(*INBOX_JOINS)
        .only(*INBOX_COLUMNS)
    )
    if box == SENT:
        referrals = referrals.filter(from_structure_id__in=staff).order_by("-sent_at", "-pk")
    else:
        referrals = referrals.filter(to_structure_id__in=staff).annotate(
            waiting=Case(
                When(status__in=REFERRAL_UNANSWERED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        referrals = referrals.order_by("waiting", "-sent_at", "-pk")
    if status:
        referrals = referrals.filter(status=status)
    return referrals


def visible_person_ids(user, person_ids) -> frozenset[int]:
    """Which of these persons the user may see by name (one query for a whole list)."""
    ids = {pk for pk in person_ids if pk is not None}
    if not ids:
        return frozenset()
    return frozenset(persons_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def mark_visible_persons(user, referrals) -> list:
    """The referrals, each with `shows_person` set (from the selector's `person_visible`)."""
    referrals = list(referrals)
    for referral in referrals:
        referral.shows_person = bool(referral.person_visible)
    return referrals


def referral_inbox_export(user, *, box: str = RECEIVED, status: str = "") -> list[Referral]:
    """The referrals of the inbox's file, each with `shows_person`.

    Each person the file names is a read of their record: it is logged here (channel export),
    so that whatever serves the file, the access log has it.
    """
    referrals = mark_visible_persons(user, referral_inbox(user, box=box, status=status))
    log_person_reads(
        user=user,
        persons={referral.person_id for referral in referrals if referral.shows_person},
        channel=PersonAccess.Channel.EXPORT,
    )
    return referrals


def referrals_for_api(user) -> QuerySet[Referral]:
    """With `person_visible` annotated by the selector: the person is named only then."""
    return referrals_visible_to(user).select_related("project", "redirected_to")


def shows_person(user, referral: Referral) -> bool:
    visible = getattr(referral, "person_visible", None)
    if visible is None:
        visible = can(user, "view_person", referral.person)
    return visible
