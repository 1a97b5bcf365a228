"""The demo network's instruments (the shipped files, loaded as `load_instruments` would: unchanged
files load nothing) and one example: APEAS's ESS self-assessment, answered and submitted by its
advisor, so that the assessments pages show a radar and scores at first sight. Idempotent."""

import datetime

from maillage.accounts.models import User
from maillage.directory.models import Structure

from . import services
from .loading import load_paths, shipped_files
from .models import Assessment, Context, InstrumentVersion, Item, ItemType, SubjectKind
from .scoring import Answer

ADVISOR = "conseil.apeas@demo.maillage.test"


def load_demo(demo) -> None:
    load_paths(shipped_files())
    structure = Structure.objects.filter(slug="apeas").first()
    user = User.objects.filter(email=ADVISOR).first()
    version = (
        InstrumentVersion.objects.filter(instrument__code="ess-self-assessment")
        .order_by("-number")
        .first()
    )
    if structure is None or user is None or version is None:
        return
    if Assessment.objects.filter(version=version, structure=structure).exists():
        return
    assessment = services.create_assessment(
        version=version,
        subject_kind=SubjectKind.STRUCTURE,
        subject=structure,
        context=Context.SELF,
        user=user,
        structure=structure,
        title="Auto-évaluation 2026",
        assessed_on=datetime.date(2026, 10, 15),
    )
    answers = {}
    for index, item in enumerate(Item.objects.filter(version=version).order_by("pk")):
        if item.type == ItemType.SCALE:
            levels = [level["value"] for level in item.spec["levels"]]
            answers[item.key] = Answer(value=levels[(index * 3 + 1) % len(levels)])
    services.record_answers(assessment=assessment, user=user, answers=answers)
    services.submit_assessment(assessment=assessment, user=user)
