"""Reports built by hand, as `selectors.build_report` returns them, for the tests of the screens
and files (charts, XLSX, CSV, PDF) that must not depend on how the figures are computed."""

import datetime

from maillage.reporting.report import (
    Breakdown,
    Figure,
    Flow,
    IndicatorResult,
    MonthActs,
    Report,
    ReportFilters,
)
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
    act_type,
)

MASKED = Figure(value=None, display="<5", masked=True)


def count(value: int, *, masked_reader: bool = True) -> Figure:
    """A count as a masked reader (coordinator, funder) or a structure admin gets it."""
    if masked_reader and 1 <= value <= 4:
        return MASKED
    return Figure(value=value, display=str(value))


def sample_report(*, masked: bool = True, network=None) -> Report:
    """Every kind of table, with some counts from 1 to 4 (masked when `masked`)."""

    def c(value):
        return count(value, masked_reader=masked)

    network = network or NetworkFactory.build(name="Réseau test", slug="reseau-test")
    filters = ReportFilters(
        network=network,
        date_from=datetime.date(2024, 11, 1),
        date_to=datetime.date(2025, 10, 31),
    )
    indicators = {
        "persons_accompanied": IndicatorResult(
            code="persons_accompanied",
            label="Personnes accompagnées",
            definition="Personnes présentes à au moins un acte de la période.",
            formula="Nombre de personnes distinctes présentes aux actes de la période.",
            unit="persons",
            value=c(37),
            previous=c(29),
            breakdowns=(
                Breakdown(
                    "gender",
                    "Genre",
                    (("Femme", c(20)), ("Homme", c(15)), ("Non précisé", c(2))),
                ),
                Breakdown("structure", "Structure", (("Intermade", c(30)), ("APEAS", c(7)))),
            ),
        ),
        "loop_closure_rate": IndicatorResult(
            code="loop_closure_rate",
            label="Taux de bouclage des orientations",
            definition="Part des orientations dont la structure d'origine connaît la suite.",
            formula="Orientations closes sur orientations envoyées, en pourcentage.",
            unit="percent",
            value=Figure(62.5, "62,5 %"),
            previous=Figure(50.0, "50,0 %"),
        ),
        "declined_twice": IndicatorResult(
            code="declined_twice",
            label="Personnes refusées deux fois ou plus",
            definition="Personnes dont au moins deux orientations ont été déclinées.",
            formula="Nombre de personnes avec deux refus ou plus.",
            unit="persons",
            value=c(3),
            previous=c(8),
            breakdowns=(Breakdown("gender", "Genre", (("Femme", c(3)), ("Homme", c(0)))),),
        ),
    }
    months = tuple(
        MonthActs(
            month=datetime.date(2024 + (10 + i) // 12, (10 + i) % 12 + 1, 1),
            acts=c(10 + 7 * i if i != 3 else 2),
            hours=Figure(12.5 + i, f"{12.5 + i:.1f}".replace(".", ",")) if i != 3 else c(2),
        )
        for i in range(12)
    )
    return Report(
        filters=filters,
        masked=masked,
        indicators=indicators,
        flows=(
            Flow("APEAS", "Intermade", c(12)),
            Flow("Intermade", "APEAS", c(6)),
            Flow("Intermade", "Place", c(2)),
            Flow("Place", "Intermade", c(9)),
        ),
        funnel=(
            ("Accueil", c(80)),
            ("Émergence", c(40)),
            ("Faisabilité", c(18)),
            ("Test d'activité", c(3)),
        ),
        acts_per_month=months,
        outcomes_by_type=(
            ("Activité créée", c(9)),
            ("Réorientation", c(6)),
            ("Arrêt accompagné", c(4)),
        ),
    )


def empty_report() -> Report:
    network = NetworkFactory.build(name="Réseau vide", slug="reseau-vide")
    return Report(
        filters=ReportFilters(
            network=network,
            date_from=datetime.date(2025, 1, 1),
            date_to=datetime.date(2025, 12, 31),
        ),
        masked=True,
    )


class ReportWorld:
    pass


def build_report_world() -> ReportWorld:
    """Réseau test in the database: seven people met at Intermade and three at APEAS in March
    2025 (a count coordinators and funders read "<5"), and one reader of each kind."""
    from maillage.pathways.acts import services as act_services
    from maillage.pathways.persons import services as person_services

    w = ReportWorld()
    w.network = NetworkFactory(name="Réseau test", slug="reseau-test")
    w.other_network = NetworkFactory(name="Autre réseau", slug="autre-reseau")
    w.intermade = StructureFactory(name="Intermade", slug="intermade", networks=[w.network])
    w.apeas = StructureFactory(name="APEAS", slug="apeas", networks=[w.network])
    StructureFactory(name="Ailleurs", slug="ailleurs", networks=[w.other_network])
    w.coordinator = NetworkRoleFactory(network=w.network).user
    w.funder = NetworkRoleFactory(network=w.network, funder=True).user
    w.other_funder = NetworkRoleFactory(network=w.other_network, funder=True).user
    w.admin = StructureMembershipFactory(structure=w.intermade, admin=True).user
    w.advisor = StructureMembershipFactory(structure=w.intermade).user
    apeas_advisor = StructureMembershipFactory(structure=w.apeas).user
    for structure, user, count in ((w.intermade, w.advisor, 7), (w.apeas, apeas_advisor, 3)):
        for index in range(count):
            person = person_services.create_person(
                structure=structure,
                user=user,
                first_name=f"Prénom{index}",
                last_name=f"{structure.name}Nom{index}",
            )
            act_services.record_act(
                structure=structure,
                user=user,
                act_type=act_type("individual_interview"),
                occurred_on=datetime.date(2025, 3, 10),
                duration_minutes=60,
                persons=[person],
            )
    return w
