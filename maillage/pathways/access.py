"""The access log of persons' records: every read (page, API, export), granted or refused."""

from .models import Person, PersonAccess


def log_person_access(
    *,
    person: Person,
    user,
    channel: str,
    granted: bool,
    requested_by: str = "",
    requester_name: str = "",
) -> PersonAccess:
    """Record that `user` opened (or was refused) `person`'s record through `channel`.

    A right-of-access export also records who asked for it (`requested_by`, `requester_name`).
    No transaction of its own: a refused read is logged even when the request then fails.
    """
    return PersonAccess.objects.create(
        person=person,
        user=user if user is not None and user.is_authenticated else None,
        channel=channel,
        granted=granted,
        requested_by=requested_by,
        requester_name=requester_name,
    )


def log_person_reads(*, user, persons, channel: str) -> int:
    """Record one granted read per person of a list (API page, CSV export): one bulk insert.

    `persons` are Person objects or their ids.
    """
    user = user if user is not None and user.is_authenticated else None
    ids = [getattr(person, "pk", person) for person in persons]
    rows = [PersonAccess(person_id=pk, user=user, channel=channel, granted=True) for pk in ids]
    PersonAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
