"""Applicants per place: applications to the sessions starting in the period, over their places.

One statement: the sessions of the scope's offers (with a capacity) starting in either period,
each with its number of applications from persons who count.
"""

from collections import Counter

from django.db.models import Count, OuterRef, Subquery

from maillage.directory.models import OfferSession
from maillage.pathways.models import Application

from ..numbers import PLACES, ratio
from .family import Family
from .figures import CURRENT, Raw, ordered


class Sessions(Family):
    name = "sessions"
    codes = ("applicants_per_place",)

    def fetches(self):
        return [self.fetch_sessions]

    def fetch_sessions(self):
        s = self.scope
        applicants = (
            Application.objects.filter(session_id=OuterRef("pk"))
            .filter(s.person_in("person_id"))
            .order_by()
            .values("session_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        sessions = (
            OfferSession.objects.filter(
                offer__structure_id__in=s.structure_ids,
                starts_on__gte=self.start,
                starts_on__lte=self.cur.date_to,
                capacity__gt=0,
            )
            .filter(s.offer_q())
            .annotate(n=Subquery(applicants))
            .values_list("starts_on", "offer_id", "offer__structure_id", "capacity", "n")
            .order_by()
        )
        self.sessions = list(sessions)
        self.session_rows = self.in_periods(self.sessions)

    def in_periods(self, sessions) -> list[tuple]:
        return [
            (p, offer, structure, capacity, n or 0)
            for starts, offer, structure, capacity, n in sessions
            for p, f in enumerate(self.periods)
            if f.date_from <= starts <= f.date_to
        ]

    def take(self, source):
        self.sessions = source.sessions
        self.session_rows = self.in_periods(self.sessions)

    def build(self):
        for period in range(len(self.periods)):
            places, applicants = Counter(), Counter()
            for p, offer, structure, capacity, n in self.session_rows:
                if p != period:
                    continue
                for key in ("all", ("offer", offer), ("structure", structure)):
                    places[key] += capacity
                    applicants[key] += n

            def per_place(key, places=places, applicants=applicants):
                value = ratio(applicants[key], places[key], PLACES["ratio"])
                return Raw(value, applicants[key])

            breakdowns = {}
            if period == CURRENT:
                for dimension in ("offer", "structure"):
                    keys = Counter({k[1]: 1 for k in places if k != "all" and k[0] == dimension})
                    order = self.scope.network_structure_ids if dimension == "structure" else None
                    breakdowns[dimension] = [
                        (k, per_place((dimension, k))) for k, _n in ordered(dimension, keys, order)
                    ]
            self.put(period, "applicants_per_place", per_place("all"), breakdowns)
