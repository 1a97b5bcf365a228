"""Assessment test data (rows built directly; tests of rules go through the services)."""

import datetime

from maillage.assessments.loading import load_paths, shipped_files
from maillage.assessments.models import Assessment, Context, InstrumentVersion, SubjectKind
from maillage.pathways.models import Project
from tests.factories import PersonFactory, StructureFactory


def shipped(code: str) -> InstrumentVersion:
    """One shipped instrument, loaded (the others are not: cheaper)."""
    (path,) = [p for p in shipped_files() if p.stem == code]
    (loaded,) = load_paths([path])
    return loaded.version


def project_of(structure, *, sharing=False) -> Project:
    person = PersonFactory(accompanied_by=[structure], shares_with_network=sharing)
    project = Project.objects.create(title="Épicerie solidaire", created_by_structure=structure)
    project.persons.add(person)
    return project


_NEW = object()


def make_assessment(*, version, structure=_NEW, project=None, context=Context.SELF, **fields):
    if structure is _NEW:
        structure = StructureFactory()
    if project is None and "subject_kind" not in fields:
        project = project_of(structure)
    if project is not None:
        fields.setdefault("subject_kind", SubjectKind.PROJECT)
        fields["project"] = project
    return Assessment.objects.create(
        version=version,
        structure=structure,
        context=context,
        assessed_on=fields.pop("assessed_on", datetime.date(2026, 3, 2)),
        **fields,
    )


TINY = """\
code: tiny
family: tiny
version: 1
title:
  fr: Petite grille
  en: Small grid
subjects:
  - project
  - structure
  - network
  - accompaniment
scoring: mean
sections:
  - key: s1
    title:
      fr: Section
      en: Section
    scoring: mean
    criteria:
      - key: c1
        title:
          fr: Critère
          en: Criterion
        scoring: mean
        items:
          - key: i1
            type: scale
            text:
              fr: Niveau
              en: Level
            levels:
              - value: 1
                label:
                  fr: Bas
                  en: Low
              - value: 4
                label:
                  fr: Haut
                  en: High
"""


def tiny_version() -> InstrumentVersion:
    from maillage.assessments.loading import load_instruments

    (loaded,) = load_instruments(files=[("tiny.yaml", TINY)])
    return loaded.version


def make_committee(*, structure, chair, members, version=None, session=None):
    from maillage.assessments.models import Committee
    from tests.factories import OfferFactory, OfferSessionFactory

    session = session or OfferSessionFactory(offer=OfferFactory(structure=structure))
    committee = Committee.objects.create(
        offer_session=session,
        structure=structure,
        version=version or tiny_version(),
        chair=chair,
        held_on=datetime.date(2026, 3, 2),
    )
    committee.members.set(members)
    return committee


def page_world(*, structure, session, application, advisor, admin) -> dict:
    """What tests/pages.py scans: a diagnostic and its follow-up, a committee with a score."""
    from maillage.assessments import committees

    version = shipped("project-shared-diagnostic")
    project = project_of(structure)
    before = make_assessment(
        version=version,
        structure=structure,
        project=project,
        context=Context.BEFORE,
        offer_session=session,
        title="Diagnostic d'entrée",
    )
    after = make_assessment(
        version=version,
        structure=structure,
        project=project,
        context=Context.AFTER,
        offer_session=session,
        title="Diagnostic de sortie",
        assessed_on=datetime.date(2026, 6, 1),
    )
    committee = committees.create_committee(
        offer_session=session,
        version=shipped("incubator-admission"),
        chair=admin,
        members=[advisor],
        user=admin,
    )
    committees.submit_review(committee=committee, application=application, user=advisor)
    return {
        "assessment": before,
        "assessment_after": after,
        "committee": committee,
        "appraisal": appraisal_world(structure=structure, facilitator=advisor, others=[admin]),
    }


def appraisal_world(*, structure, facilitator, others):
    """An open collective appraisal session of `structure` with one argument."""
    from maillage.assessments import appraisals
    from maillage.assessments.models import Side
    from tests.factories import StructureMembershipFactory

    third = StructureMembershipFactory(structure=structure).user
    appraisal = appraisals.open_appraisal(
        version=shipped("sustainable-development-appraisal"),
        subject_kind=SubjectKind.STRUCTURE,
        subject=structure,
        structure=structure,
        user=facilitator,
        participants=[*others, third],
        title="Appréciation développement durable",
    )
    appraisals.record_argument(
        appraisal=appraisal,
        user=facilitator,
        speaker=third,
        side=Side.FOR,
        axis="pe-jobs",
        text="Deux emplois créés sur place.",
        amount="0.5",
    )
    return appraisal
