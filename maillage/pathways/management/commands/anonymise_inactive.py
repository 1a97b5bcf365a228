"""GDPR retention: anonymise the persons without any activity for RETENTION_MONTHS (cron).

    30 3 * * 0  cd /srv/maillage && .venv/bin/python manage.py anonymise_inactive

A person's latest activity is `last_activity_on` (acts, applications, referrals, outcomes keep
it up to date), else the day the record was created. `--dry-run` lists who would be anonymised
(pseudonymous id, last activity, structures) and changes nothing.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from maillage.pathways.gdpr.services import anonymise_person
from maillage.pathways.models import Person


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the last day of the month when it has fewer)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate_day in range(day.day, 0, -1):
        try:
            return datetime.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)


def inactive_persons(months: int, *, today: datetime.date | None = None):
    """Persons not anonymised nor merged whose latest activity is older than `months`."""
    cutoff = months_before(today or timezone.localdate(), months)
    start_of_cutoff = timezone.make_aware(
        datetime.datetime.combine(cutoff, datetime.time.min), timezone.get_current_timezone()
    )
    return (
        Person.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
        .filter(
            Q(last_activity_on__lt=cutoff)
            | Q(last_activity_on__isnull=True, created_at__lt=start_of_cutoff)
        )
        .prefetch_related("accompaniments__structure")
        .order_by("last_activity_on", "created_at", "pk")
    )


class Command(BaseCommand):
    help = "Anonymise the persons without activity for RETENTION_MONTHS months (GDPR retention)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="Inactivity before anonymisation, in months "
            f"(default: RETENTION_MONTHS = {settings.RETENTION_MONTHS}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the persons concerned; change nothing."
        )

    def handle(self, *args, months=None, dry_run=False, **options):
        months = months if months is not None else settings.RETENTION_MONTHS
        persons = list(inactive_persons(months))
        if dry_run:
            for person in persons:
                last = person.last_activity_on or timezone.localdate(person.created_at)
                structures = ", ".join(
                    sorted(a.structure.name for a in person.accompaniments.all())
                )
                self.stdout.write(f"{person.public_id}\t{last.isoformat()}\t{structures}")
            self.stdout.write(
                f"{len(persons)} person(s) without activity for {months} months "
                "would be anonymised (dry run: nothing changed)."
            )
            return
        for person in persons:
            anonymise_person(
                person=person,
                user=None,
                reason=f"Retention: no activity for {months} months",
            )
        self.stdout.write(f"{len(persons)} person(s) anonymised (no activity for {months} months).")
