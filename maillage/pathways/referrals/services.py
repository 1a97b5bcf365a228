"""Referrals between structures: the closed loop (sent → answered → first meeting → closed)."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.french import fill
from maillage.core.states import move, started

from .. import identity, visibility
from ..choices import partner_structures
from ..common import (
    StaleRecordError,
    claim_version,
    name_key,
    refuse_anonymised,
    refuse_foreign_project,
    refuse_future,
    require,
)
from ..models import (
    Consent,
    ConsentMethod,
    ConsentScope,
    Person,
    Referral,
    ReferralOrigin,
    ReferralStatus,
)
from ..notifications import notify as notifications
from ..persons.services import ensure_accompaniment, touch_activity
from ..states import REFERRAL_STATES, REFERRAL_UNANSWERED


def _move(referral: Referral, to_status: str, *, user, note: str = "", at=None) -> None:
    """Change the status if the state machine allows it, and log the transition (the caller
    saves the referral with the other fields the answer sets)."""
    at = at or timezone.now()
    move(REFERRAL_STATES, referral, to_status, by=user, at=at, note=note, save=False)
    referral.status_changed_at = at


def _check_target(from_structure, to_structure, to_offer) -> None:
    """A referral goes to a structure of a network the sender belongs to (the choices of the
    referral forms and of the API: `choices.referral_targets`)."""
    if not partner_structures([from_structure.pk]).filter(pk=to_structure.pk).exists():
        raise ValidationError(
            {
                "to_structure": fill(
                    _(
                        "%(structure)s is in none of the networks of %(sender)s: choose a "
                        "structure of one of your networks."
                    ),
                    structure=to_structure.name,
                    sender=from_structure.name,
                )
            },
            code="outside_networks",
        )
    if to_offer is not None and to_offer.structure_id != to_structure.pk:
        raise ValidationError({"to_offer": _("This offer belongs to another structure.")})


@transaction.atomic
def refer_person(
    *,
    person: Person,
    from_structure,
    user,
    to_structure,
    to_offer=None,
    project=None,
    reason: str = "",
    shared_info: str = "",
    sent_at: datetime | None = None,
) -> Referral:
    """Send the person to another structure. Their data travel only with their consent."""
    require(user, "track_persons", from_structure)
    require(user, "view_person", person)
    refuse_anonymised([person])
    if to_structure.pk == from_structure.pk:
        raise ValidationError(
            {"to_structure": _("A structure cannot refer a person to itself.")}, code="self"
        )
    _check_target(from_structure, to_structure, to_offer)
    refuse_foreign_project(project, person)
    if Referral.objects.filter(
        person=person, to_structure=to_structure, status__in=REFERRAL_UNANSWERED
    ).exists():
        raise ValidationError(
            {"to_structure": _("This person already has a referral waiting at this structure.")},
            code="duplicate",
        )
    at = sent_at or timezone.now()
    referral = Referral(
        person=person,
        project=project,
        origin=ReferralOrigin.STRUCTURE,
        from_structure=from_structure,
        from_user=user,
        to_structure=to_structure,
        to_offer=to_offer,
        reason=reason.strip(),
        shared_info=shared_info.strip() if person.shares_with_network else "",
        shares_person_data=person.shares_with_network,
        sent_at=at,
        status_changed_at=at,
    )
    referral.full_clean()
    referral.save()
    started(REFERRAL_STATES, referral, by=user, at=at)
    visibility.forget(person)
    notifications.referral_sent(referral)
    return referral


@transaction.atomic
def refer_from_contact_request(*, contact_request) -> Referral:
    """A visitor asked a structure to contact them: a person and a referral from the public site.

    The visitor gave their data to that structure only: the referral carries them, and the
    consent ticked on the form becomes the person's consent to be contacted by that structure
    (its text as shown, and its date); no network-wide consent is recorded.
    """
    if hasattr(contact_request, "referral"):
        return contact_request.referral
    person = Person(
        first_name=contact_request.first_name,
        last_name=contact_request.last_name,
        email=contact_request.email,
        phone=contact_request.phone,
        postal_code=contact_request.postal_code,
    )
    person.name_key = name_key(person.first_name, person.last_name)
    # The public form asks for a first name only: the last name may come later.
    person.full_clean(exclude=["last_name"] if not person.last_name else None)
    person.save()
    identity.refresh_keys(person)
    at = contact_request.created_at or timezone.now()
    referral = Referral.objects.create(
        person=person,
        origin=ReferralOrigin.PUBLIC_FORM,
        to_structure=contact_request.structure,
        to_offer=contact_request.offer,
        reason=contact_request.message,
        shares_person_data=True,
        contact_request=contact_request,
        sent_at=at,
        status_changed_at=at,
    )
    Consent.objects.create(
        person=person,
        scope=ConsentScope.CONTACT,
        method=ConsentMethod.ONLINE,
        given_at=contact_request.consent_given_at,
        text=contact_request.consent_text,
        structure=contact_request.structure,
    )
    started(REFERRAL_STATES, referral, by=None, at=at)
    notifications.contact_request_received(referral)
    return referral


@transaction.atomic
def mark_referral_received(*, referral: Referral, user, at: datetime | None = None) -> Referral:
    """The receiving structure opened the referral: the sender sees it was read."""
    require(user, "answer_referral", referral)
    if referral.status == ReferralStatus.SENT:
        _move(referral, ReferralStatus.RECEIVED, user=user, at=at)
        referral.save(update_fields=["status", "status_changed_at"])
    return referral


def _answer(
    referral: Referral, to_status: str, *, user, note: str, expected_version, at=None
) -> None:
    require(user, "answer_referral", referral)
    claim_version(referral, expected_version)
    _move(referral, to_status, user=user, note=note, at=at)
    referral.answered_at = referral.answered_at or referral.status_changed_at


@transaction.atomic
def accept_referral(
    *,
    referral: Referral,
    user,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Referral:
    """`at` (scripts, the generator) dates the answer in the past; default: now."""
    _answer(
        referral,
        ReferralStatus.ACCEPTED,
        user=user,
        note=note,
        expected_version=expected_version,
        at=at,
    )
    referral.save()
    notifications.referral_answered(referral)
    return referral


@transaction.atomic
def decline_referral(
    *,
    referral: Referral,
    user,
    reason,
    note: str = "",
    share_reason_with_person: bool = False,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Referral:
    if reason is None:
        raise ValidationError({"decline_reason": _("Choose why the referral is declined.")})
    if reason.requires_note and not note.strip():
        raise ValidationError({"decline_note": _("Say in a few words why it is declined.")})
    _answer(
        referral,
        ReferralStatus.DECLINED,
        user=user,
        note=note,
        expected_version=expected_version,
        at=at,
    )
    referral.decline_reason = reason
    referral.decline_note = note.strip()
    referral.reason_shared_with_person = share_reason_with_person
    referral.closed_at = referral.status_changed_at
    referral.save()
    notifications.referral_answered(referral)
    return referral


@transaction.atomic
def redirect_referral(
    *,
    referral: Referral,
    user,
    to_structure,
    to_offer=None,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Referral:
    """The receiving structure sends the person on to a better-placed one (the new referral)."""
    if to_structure.pk == referral.to_structure_id:
        raise ValidationError(
            {"to_structure": _("Choose another structure than your own.")}, code="self"
        )
    _check_target(referral.to_structure, to_structure, to_offer)
    _answer(
        referral,
        ReferralStatus.REDIRECTED,
        user=user,
        note=note,
        expected_version=expected_version,
        at=at,
    )
    at = referral.status_changed_at
    onward = Referral(
        person=referral.person,
        project=referral.project,
        origin=ReferralOrigin.STRUCTURE,
        from_structure=referral.to_structure,
        from_user=user,
        to_structure=to_structure,
        to_offer=to_offer,
        reason=note.strip(),
        shared_info=referral.shared_info,
        shares_person_data=referral.shares_person_data and referral.person.shares_with_network,
        sent_at=at,
        status_changed_at=at,
    )
    onward.full_clean()
    onward.save()
    started(REFERRAL_STATES, onward, by=user, at=at)
    referral.redirected_to = onward
    referral.closed_at = at
    referral.save()
    visibility.forget(referral.person)
    notifications.referral_answered(referral)
    notifications.referral_sent(onward)
    return onward


def identity_matches(person: Person, *, first_name: str, last_name: str, birth_date=None) -> bool:
    """Whether what the person told the receiving structure matches the referred record."""
    if name_key(first_name, last_name) != person.name_key:
        return False
    return person.birth_date is None or birth_date is None or birth_date == person.birth_date


@transaction.atomic
def record_first_meeting(
    *,
    referral: Referral,
    user,
    met_on: date,
    identity: dict | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Referral:
    """The person came. An anonymous orientation is matched here, from what the person says."""
    require(user, "answer_referral", referral)
    refuse_future(met_on, "first_meeting_on")
    if met_on < referral.sent_at.date():
        raise ValidationError(
            {"first_meeting_on": _("The first meeting cannot be before the referral was sent.")}
        )
    person = referral.person
    if referral.is_anonymous and referral.matched_at is None:
        if not identity or not identity_matches(person, **identity):
            raise ValidationError(
                _(
                    "The name (and birth date) you entered do not match the person referred to "
                    "you. Check the spelling with the person."
                ),
                code="no_match",
            )
        referral.matched_at = at or timezone.now()
    if referral.status == ReferralStatus.ACCEPTED:
        claim_version(referral, expected_version)
    else:
        # Meeting the person answers the referral: accept it on the way.
        _answer(
            referral,
            ReferralStatus.ACCEPTED,
            user=user,
            note="",
            expected_version=expected_version,
            at=at,
        )
    _move(referral, ReferralStatus.FIRST_MEETING, user=user, at=at)
    referral.first_meeting_on = met_on
    referral.save()
    ensure_accompaniment(person=person, structure=referral.to_structure, started_on=met_on)
    touch_activity(person, met_on)
    notifications.referral_answered(referral)
    return referral


@transaction.atomic
def close_referral(
    *,
    referral: Referral,
    user,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Referral:
    require(user, "answer_referral", referral)
    claim_version(referral, expected_version)
    _move(referral, ReferralStatus.CLOSED, user=user, note=note, at=at)
    referral.closed_at = referral.status_changed_at
    referral.save()
    return referral


@transaction.atomic
def cancel_referral(
    *,
    referral: Referral,
    user,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Referral:
    require(user, "cancel_referral", referral)
    claim_version(referral, expected_version)
    _move(referral, ReferralStatus.CANCELLED, user=user, note=note, at=at)
    referral.closed_at = referral.status_changed_at
    referral.save()
    return referral


def expiry_delay() -> timedelta:
    return timedelta(days=settings.REFERRAL_EXPIRY_DAYS)


def reminder_delay() -> timedelta:
    return timedelta(days=settings.REFERRAL_REMINDER_DAYS)


def expire_referrals(*, now: datetime | None = None) -> list[Referral]:
    """Referrals unanswered after the delay expire; the sender is told. Returns them."""
    now = now or timezone.now()
    expired = []
    due = Referral.objects.filter(
        status__in=REFERRAL_UNANSWERED, sent_at__lte=now - expiry_delay()
    ).select_related("person", "to_structure", "from_structure")
    for referral in due:
        try:
            with transaction.atomic():
                # An answer saved since the list was read wins: that referral no longer expires.
                claim_version(referral, referral.version)
                _move(referral, ReferralStatus.EXPIRED, user=None, at=now)
                referral.closed_at = now
                referral.save(update_fields=["status", "status_changed_at", "closed_at"])
                notifications.referral_expired(referral)
        except StaleRecordError:
            continue
        expired.append(referral)
    return expired


def remind_unanswered_referrals(*, now: datetime | None = None) -> list[Referral]:
    """One reminder per referral still unanswered after the reminder delay."""
    now = now or timezone.now()
    due = Referral.objects.filter(
        status__in=REFERRAL_UNANSWERED,
        reminder_sent_at__isnull=True,
        sent_at__lte=now - reminder_delay(),
        sent_at__gt=now - expiry_delay(),
    ).select_related("person", "to_structure")
    reminded = []
    for referral in due:
        with transaction.atomic():
            Referral.objects.filter(pk=referral.pk).update(reminder_sent_at=now)
            referral.reminder_sent_at = now
            notifications.referral_reminder(referral)
        reminded.append(referral)
    return reminded
