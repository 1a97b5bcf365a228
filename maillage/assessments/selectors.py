"""Reads of the assessments app: the one visibility rule, scores, comparisons' inputs."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from maillage.accounts.rules import roles_of
from maillage.directory.models import Network
from maillage.pathways.models import Project
from maillage.pathways.visibility import accompaniments_visible_to, projects_visible_to

from . import scoring
from .models import Answer, Appraisal, Assessment, InstrumentVersion, SubjectKind


def assessments_visible_to(user) -> QuerySet[Assessment]:
    """The assessments `user` may read (pages, API, exports all start here).

    The subject's rules decide:
    - a project or a person's accompaniment: the user must see the project (the accompaniment)
      by the pathways' rule, and the assessment must be their structure's, unless the person
      consented to share with the network: a diagnostic crosses structures only then;
    - a structure, an offer session's cohort: the staff of the structure that made it, of the
      assessed structure, of the session's offer; the coordinators of a network of the maker;
    - the network: its coordinators and the staff of its structures.
    Funders see no assessment (they read reports); nobody sees another's drafts.
    """
    condition = _subject_visibility(user, appraisal=False)
    if condition is None:
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(pk__in=Assessment.objects.filter(condition).values("pk"))
        .select_related("version__instrument", "structure", "project", "subject_structure")
        .order_by("-assessed_on", "-pk")
    )


def _subject_visibility(user, *, appraisal: bool) -> Q | None:
    """Who may read a record about a subject (an assessment, an appraisal): the Q on the
    record's subject fields, or None when the user reads none. An appraisal has no
    accompaniment nor cohort subject."""
    roles = roles_of(user)
    staff = sorted(roles.staff_of)
    coordinated = sorted(roles.coordinator_of)
    if not staff and not coordinated:
        return None
    condition = Q(pk__in=[])
    if staff:
        mine = Q(structure_id__in=staff)
        seen_projects = projects_visible_to(user).filter(pk=OuterRef("project_id"))
        sharing_carriers = Q(
            Exists(
                Project.persons.through.objects.filter(
                    project_id=OuterRef("project_id"), person__shares_with_network=True
                )
            )
        )
        condition |= (
            Q(subject_kind=SubjectKind.PROJECT) & Exists(seen_projects) & (mine | sharing_carriers)
        )
        if appraisal:
            condition |= Q(subject_kind=SubjectKind.STRUCTURE) & (
                mine | Q(subject_structure_id__in=staff)
            )
        else:
            seen_accompaniments = accompaniments_visible_to(user).filter(
                pk=OuterRef("accompaniment_id")
            )
            condition |= (
                Q(subject_kind=SubjectKind.ACCOMPANIMENT)
                & Exists(seen_accompaniments)
                & (mine | Q(accompaniment__person__shares_with_network=True))
            )
            condition |= Q(subject_kind__in=[SubjectKind.STRUCTURE, SubjectKind.SESSION]) & (
                mine
                | Q(subject_structure_id__in=staff)
                | Q(offer_session__offer__structure_id__in=staff)
            )
        condition |= Q(subject_kind=SubjectKind.NETWORK) & Q(
            network__in=Network.objects.filter(structures__in=staff)
        )
    if coordinated:
        condition |= Q(subject_kind=SubjectKind.NETWORK, network_id__in=coordinated)
        condition |= Q(
            subject_kind__in=[SubjectKind.STRUCTURE, SubjectKind.SESSION],
            structure__networks__in=coordinated,
        )
    return condition


def answers_of(assessment: Assessment) -> dict[str, scoring.Answer]:
    return {
        key: scoring.Answer(value, not_applicable)
        for key, value, not_applicable in Answer.objects.filter(assessment=assessment).values_list(
            "item__key", "value", "not_applicable"
        )
    }


def scores_of(assessment: Assessment) -> scoring.Scores:
    return scoring.score(assessment.version.content, answers_of(assessment))


def current_versions() -> QuerySet[InstrumentVersion]:
    """The latest version of every instrument (what a new assessment is made with)."""
    later = InstrumentVersion.objects.filter(
        instrument_id=OuterRef("instrument_id"), number__gt=OuterRef("number")
    )
    return (
        InstrumentVersion.objects.filter(~Exists(later))
        .select_related("instrument")
        .order_by("instrument__code")
    )


def appraisals_visible_to(user) -> QuerySet[Appraisal]:
    """The collective appraisal sessions `user` may read: by the subject's rules (as for
    assessments), and always the people who were in the room."""
    if not user.is_authenticated:
        return Appraisal.objects.none()
    condition = Q(facilitator=user) | Q(participants=user)
    subject = _subject_visibility(user, appraisal=True)
    if subject is not None:
        condition |= subject
    return (
        Appraisal.objects.filter(pk__in=Appraisal.objects.filter(condition).values("pk"))
        .select_related(
            "version__instrument", "structure", "project", "subject_structure", "network"
        )
        .order_by("-held_on", "-pk")
    )
