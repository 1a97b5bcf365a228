"""Each shipped instrument filled in, its scores checked against values computed by hand."""

from decimal import Decimal as D

import pytest
import yaml

from maillage.assessments.loading import shipped_files
from maillage.assessments.scoring import Answer, check_answer, items_by_key, score

NA = Answer(None, True)


def content_of(code):
    (path,) = [p for p in shipped_files() if p.stem == code]
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fill(content, values):
    """Every answer goes through the same check as the pages and the API."""
    items = items_by_key(content)
    answers = {}
    for key, value in values.items():
        answers[key] = check_answer(items[key], value if value is NA else Answer(value))
    return score(content, answers)


def test_ess_self_assessment():
    scores = fill(
        content_of("ess-self-assessment"),
        {
            "gov-shared-decisions": 3,
            "gov-members-voice": NA,  # leaves the denominator: the criterion is 3, not 1.5
            "gov-information": 2,
            "col-carriers": 4,
            "col-group-size": 12,  # a number that is not scored
            "su-needs-identified": 3,
            "su-measured": True,
            "eco-resources": ["sales", "public", "volunteering"],
            "eco-balance": 2,
            "eco-surplus": 4,
            "ter-partners": 1,
            "ter-jobs": 2,
            "coop-pooling": 3,
            "coop-networks": 4,
            "coop-notes": "Un local partagé avec deux associations.",
        },
    )
    assert scores.criteria["gov-decisions"] == D("3.00")
    assert scores.sections["governance"] == D("2.50")  # (3 + 2) / 2
    assert scores.criteria["su-needs"] == D("2.00")  # (3 + 1) / 2
    assert scores.criteria["eco-mix"] == D("3.00")  # sum of three chosen resources
    assert scores.sections["economic-model"] == D("3.00")  # (3 + (2 + 4) / 2) / 2
    assert scores.sections["territory"] == D("1.50")
    assert scores.sections["cooperation"] == D("3.50")  # the notes are not scored
    # Sections weighted 2,1,2,1,1,1: (2.5*2 + 4 + 2*2 + 3 + 1.5 + 3.5) / 8 = 21 / 8
    assert scores.total == D("2.63")


def test_incubator_admission_grid():
    scores = fill(
        content_of("incubator-admission"),
        {
            "adm-motivation-chosen": 4,
            "adm-availability-time": 2,
            "adm-offer-clear": 3,
            "adm-market-known": 2,
            "adm-utility-need": 4,
        },
    )
    assert scores.sections["person"] == D("3.33")  # (4*2 + 2*1) / 3
    assert scores.sections["project"] == D("2.33")  # (3*1 + 2*2) / 3
    assert scores.sections["ess-fit"] == D("4.00")
    # (10/3 * 1 + 7/3 * 2 + 4 * 1) / 4 = 3
    assert scores.total == D("3.00")


def test_missions_and_principles_positioning():
    positions = {
        "mission-activity": 2,
        "mission-pathways": -1,
        "mission-animation": 0,
        "principle-cooperation": 1,
        "principle-coconstruction": 1,
        "principle-transversality": 0,
        "principle-decompartmentalisation": -2,
        "principle-strategic-vision": 2,
        "principle-foresight": 1,
        "principle-representation": -1,
        "principle-participation": 0,
    }
    scores = fill(
        content_of("dts-missions-principles"),
        {f"{key}-position": value for key, value in positions.items()}
        | {"mission-activity-evidence": "Trois activités créées en 2025."},
    )
    assert scores.criteria["mission-pathways"] == D("-1.00")
    assert scores.sections["missions"] == D("0.33")  # 1 / 3
    assert scores.sections["principles"] == D("0.25")  # 2 / 8
    assert scores.total == D("0.29")  # (1/3 + 1/4) / 2 = 7/24


def test_sustainable_development_appraisal():
    scores = fill(
        content_of("sustainable-development-appraisal"),
        {
            "pe-jobs": 1.5,
            "pe-proximity": 0.5,
            "pe-local-resources": NA,
            "pe-plurality": 2,
            "ss-vulnerable": -1,
            "ss-job-quality": 1,
            "ss-skills": 0.5,
            "env-waste": -0.5,
            "gp-coconstruction": 2,
            "gp-dialogue": 1,
            "gp-anchoring": 2,
        },
    )
    assert scores.criteria["pe-local-jobs"] == D("1.00")  # (1.5 + 0.5) / 2, N/A left out
    assert scores.sections["plural-economy"] == D("1.50")
    assert scores.sections["social-solidarity"] == D("-0.13")  # (-1 + 0.75) / 2 = -0.125
    assert scores.criteria["env-resources"] is None  # nothing answered: no score, not zero
    assert scores.sections["environment"] == D("-0.50")
    assert scores.sections["participatory-governance"] == D("1.75")
    assert scores.total == D("0.66")  # (1.5 - 0.125 - 0.5 + 1.75) / 4 = 0.65625


def test_shared_diagnostic():
    scores = fill(
        content_of("project-shared-diagnostic"),
        {
            "diag-motivation-origin": "mixed",
            "diag-motivation-level": 3,
            "diag-skills-trade": 4,
            "diag-skills-management": 1,
            "diag-constraints-level": 2,
            "diag-hours": 20,
            "diag-market-need": 3,
            "diag-market-model": 2,
            "diag-resources-level": 1,
            "diag-collective-group": NA,
            "diag-governance-level": 3,
            "diag-notes": "Statut à choisir entre SCOP et association.",
        },
    )
    assert scores.criteria["diag-motivation"] == D("2.75")  # (2.5 + 3) / 2
    assert scores.sections["diag-person"] == D("2.42")  # (2.75 + 2.5 + 2) / 3
    assert scores.sections["diag-project"] == D("1.75")  # (2.5 + 1) / 2
    assert scores.criteria["diag-collective-dimension"] is None
    assert scores.sections["diag-collective"] == D("3.00")
    assert scores.total == D("2.39")  # (29/12 + 21/12 + 36/12) / 3 = 86/36


@pytest.mark.parametrize(
    ("code", "expected_items"),
    [
        ("ess-self-assessment", 15),
        ("incubator-admission", 5),
        ("dts-missions-principles", 22),
        ("sustainable-development-appraisal", 40),
        ("project-shared-diagnostic", 12),
    ],
)
def test_shipped_instruments_hold_their_items(code, expected_items):
    assert len(items_by_key(content_of(code))) == expected_items
