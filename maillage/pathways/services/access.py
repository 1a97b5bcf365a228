"""The access log of persons' records: every read (page, API, export), granted or refused."""

from ..models import Person, PersonAccess


def log_person_access(*, person: Person, user, channel: str, granted: bool) -> PersonAccess:
    """Record that `user` opened (or was refused) `person`'s record through `channel`.

    No transaction of its own: a refused read is logged even when the request then fails.
    """
    return PersonAccess.objects.create(
        person=person,
        user=user if user is not None and user.is_authenticated else None,
        channel=channel,
        granted=granted,
    )
