"""Pages of the assessments app: the list, an assessment (answers, scores, radar and table), a
comparison, and the committee's screens (score alone, consensus, decision)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from maillage.accounts.rules import can, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Structure
from maillage.pathways.models import Application, ApplicationStatus, NoNextStepReason

from . import committees, services
from .comparisons import compare
from .models import (
    Committee,
    CommitteeStatus,
    Review,
    ReviewState,
    in_language,
)
from .radar import Axis, radar_svg
from .scoring import Answer, criteria_of, criterion_bounds
from .selectors import (
    answers_of,
    appraisals_visible_to,
    assessments_visible_to,
    current_versions,
    scores_of,
)


def _require(user, action, obj=None):
    if not can(user, action, obj):
        raise PermissionDenied(action)


def home(request):
    _require(request.user, "access_assessments")
    committee_list = Committee.objects.filter(members=request.user).select_related(
        "offer_session__offer"
    )
    return render(
        request,
        "assessments/home.html",
        {
            "assessments": assessments_visible_to(request.user)[:100],
            "versions": current_versions(),
            "committees": committee_list,
            "appraisals": appraisals_visible_to(request.user)[:50],
        },
    )


def parse_answers(post, content) -> dict:
    """`{item_key: Answer}` from a form: `item-<key>` (several for a multiple choice) and
    `na-<key>` for "not applicable". Unanswered items are left out."""
    answers = {}
    for section in content["sections"]:
        for criterion in section["criteria"]:
            for item in criterion["items"]:
                key = item["key"]
                if post.get(f"na-{key}"):
                    answers[key] = Answer(None, True)
                    continue
                if item["type"] == "multiple_choice":
                    values = post.getlist(f"item-{key}")
                    if values:
                        answers[key] = Answer(values)
                    continue
                value = post.get(f"item-{key}", "").strip()
                if value != "":
                    answers[key] = Answer(value)
    return answers


def _form_sections(content, answers: dict, errors: dict, posted=None):
    """The instrument as the form shows it: each item with its current value and error."""
    sections = []
    for section in content["sections"]:
        criteria = []
        for criterion in section["criteria"]:
            items = []
            for item in criterion["items"]:
                key = item["key"]
                answer = answers.get(key)
                if posted is not None:
                    raw = (
                        posted.getlist(f"item-{key}")
                        if item["type"] == "multiple_choice"
                        else posted.get(f"item-{key}", "")
                    )
                    value, na = raw, bool(posted.get(f"na-{key}"))
                else:
                    value = answer.value if answer else None
                    na = bool(answer and answer.not_applicable)
                items.append(_field(item, value, na, errors.get(key)))
            criteria.append(
                {
                    "title": in_language(criterion["title"]),
                    "items": items,
                    "priority": criterion.get("priority", False),
                }
            )
        sections.append({"title": in_language(section["title"]), "criteria": criteria})
    return sections


def _field(item, value, na, error):
    kind = item["type"]
    options = []
    if kind == "scale":
        options = [
            (str(level["value"]), f"{level['value']} — {in_language(level['label'])}")
            for level in item["levels"]
        ]
    elif kind == "cursor" and not item.get("continuous"):
        low, high = in_language(item["poles"]["low"]), in_language(item["poles"]["high"])
        options = [
            ("-2", f"-2 ({low})"),
            ("-1", "-1"),
            ("0", "0"),
            ("1", "+1"),
            ("2", f"+2 ({high})"),
        ]
    elif kind == "yes_no":
        options = [("yes", _("Yes")), ("no", _("No"))]
        value = {True: "yes", False: "no"}.get(value, value)
    elif kind in ("single_choice", "multiple_choice"):
        options = [(c["key"], in_language(c["label"])) for c in item["choices"]]
    selected = (
        [str(v) for v in value]
        if isinstance(value, list)
        else ["" if value is None else str(value)]
    )
    return {
        "key": item["key"],
        "type": kind,
        "text": in_language(item["text"]),
        "help": in_language(item.get("help")),
        "options": options,
        "selected": selected,
        "value": "" if value is None or isinstance(value, list) else str(value),
        "unit": in_language(item.get("unit")),
        "min": item.get("min", -2),
        "max": item.get("max", 2),
        "poles": (in_language(item["poles"]["low"]), in_language(item["poles"]["high"]))
        if kind == "cursor"
        else ("", ""),
        "allows_na": item.get("not_applicable", False),
        "na": na,
        "error": error or "",
        "priority": item.get("priority", False),
    }


def _score_table(content, scores):
    rows = []
    for section in content["sections"]:
        for criterion in section["criteria"]:
            bounds = criterion_bounds(criterion)
            rows.append(
                {
                    "section": in_language(section["title"]),
                    "label": in_language(criterion["title"]),
                    "score": scores.criteria[criterion["key"]],
                    "range": (
                        _("%(low)s to %(high)s")
                        % {"low": number_format(bounds[0]), "high": number_format(bounds[1])}
                        if bounds
                        else ""
                    ),
                    "priority": criterion.get("priority", False),
                }
            )
    return rows


SPREAD_LEFT, SPREAD_RIGHT, SPREAD_ROW = 260, 620, 34


def _spread_chart(rows) -> dict | None:
    """The committee's spread drawn: per criterion, a dot per member's score on the
    criterion's range and a bar at the median (coordinates for the SVG of the template)."""
    width = SPREAD_RIGHT - SPREAD_LEFT
    drawn = []
    for row in rows:
        strip = row.strip()
        if strip is None:
            continue
        drawn.append(
            {
                "row": row,
                "y": 24 + len(drawn) * SPREAD_ROW,
                "dots": [
                    {"x": SPREAD_LEFT + width * at / 100, "member": m} for at, m in strip["dots"]
                ],
                "median_x": None
                if strip["median"] is None
                else SPREAD_LEFT + width * strip["median"] / 100,
                "low": strip["low"],
                "high": strip["high"],
            }
        )
    if not drawn:
        return None
    return {
        "rows": drawn,
        "height": 24 + len(drawn) * SPREAD_ROW,
        "left": SPREAD_LEFT,
        "right": SPREAD_RIGHT,
    }


def _radar_of(title, content, series):
    axes = []
    for criterion in criteria_of(content):
        bounds = criterion_bounds(criterion) or (None, None)
        axes.append(Axis(in_language(criterion["title"]), *bounds))
    return radar_svg(
        title,
        axes,
        [
            (name, [scores.criteria[c["key"]] for c in criteria_of(content)])
            for name, scores in series
        ],
    )


def detail(request, uuid):
    assessment = get_object_or_404(assessments_visible_to(request.user), uuid=uuid)
    content = assessment.version.content
    may_change = can(request.user, "change_assessment", assessment) and (
        assessment.status == "draft"
    )
    errors, posted = {}, None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied("change_assessment")
        try:
            if request.POST.get("submit"):
                services.submit_assessment(assessment=assessment, user=request.user)
            else:
                services.record_answers(
                    assessment=assessment,
                    user=request.user,
                    answers=parse_answers(request.POST, content),
                )
            messages.success(request, _("The answers are saved."))
            return redirect("assessments:detail", uuid=assessment.uuid)
        except ValidationError as error:
            errors = (
                {k: " ".join(v) for k, v in error.message_dict.items()}
                if hasattr(error, "error_dict")
                else {"__all__": " ".join(error.messages)}
            )
            posted = request.POST
    scores = scores_of(assessment)
    others = (
        assessments_visible_to(request.user)
        .filter(version__instrument__family=assessment.version.instrument.family)
        .exclude(pk=assessment.pk)
    )
    others = [a for a in others if a.subject == assessment.subject][:10]
    return render(
        request,
        "assessments/detail.html",
        {
            **_plan_context(request.user, assessment, scores),
            "assessment": assessment,
            "scores": scores,
            "table": _score_table(content, scores),
            "radar": _radar_of(str(assessment), content, [(str(assessment), scores)]),
            "sections": _form_sections(content, answers_of(assessment), errors, posted),
            "errors": errors,
            "general_error": errors.get("__all__", ""),
            "may_change": may_change,
            "others": others,
        },
        status=400 if errors else 200,
    )


def comparison(request, uuid, other):
    visible = assessments_visible_to(request.user)
    before = get_object_or_404(visible, uuid=uuid)
    after = get_object_or_404(visible, uuid=other)
    if before.version.instrument.family != after.version.instrument.family:
        raise PermissionDenied("compare")
    if after.assessed_on < before.assessed_on:
        before, after = after, before
    result = compare(before, after)
    axes = [Axis(c.label, c.low, c.high) for c in result.changes]
    radar = radar_svg(
        _("Before and after"),
        axes,
        [
            (
                _("Before (%(date)s)") % {"date": before.assessed_on},
                [c.before for c in result.changes],
            ),
            (
                _("After (%(date)s)") % {"date": after.assessed_on},
                [c.after for c in result.changes],
            ),
        ],
    )
    return render(
        request,
        "assessments/comparison.html",
        {"before": before, "after": after, "result": result, "radar": radar},
    )


# --- Committees ----------------------------------------------------------------------------------


def _committee(request, uuid) -> Committee:
    committee = get_object_or_404(
        Committee.objects.select_related("offer_session__offer", "version"), uuid=uuid
    )
    if not (
        can(request.user, "sit_on_committee", committee)
        or can(request.user, "chair_committee", committee)
    ):
        raise PermissionDenied("sit_on_committee")
    return committee


def _application(committee, application_uuid) -> Application:
    return get_object_or_404(
        Application.objects.select_related("person"),
        uuid=application_uuid,
        session_id=committee.offer_session_id,
    )


def committee(request, uuid):
    committee = _committee(request, uuid)
    if request.method == "POST" and request.POST.get("open"):
        committees.open_discussion(committee=committee, user=request.user)
        return redirect("assessments:committee", uuid=committee.uuid)
    applications = list(
        Application.objects.filter(session_id=committee.offer_session_id)
        .select_related("person")
        .order_by("pk")
    )
    states = dict(
        Review.objects.filter(committee=committee, member=request.user).values_list(
            "application_id", "state"
        )
    )
    rows = [
        {
            "application": application,
            "state": ReviewState(states.get(application.pk, ReviewState.DRAFT)).label,
            "may_see": committees.may_see_scores(committee, application, request.user),
        }
        for application in applications
    ]
    return render(
        request,
        "assessments/committee.html",
        {
            "committee": committee,
            "rows": rows,
            "is_chair": can(request.user, "chair_committee", committee),
            "scoring": committee.status == CommitteeStatus.SCORING,
        },
    )


def committee_score(request, uuid, application):
    committee = _committee(request, uuid)
    application = _application(committee, application)
    content = committee.version.content
    review = Review.objects.filter(
        committee=committee, application=application, member=request.user
    ).first()
    errors, posted = {}, None
    if request.method == "POST":
        try:
            if request.POST.get("abstain"):
                committees.abstain(
                    committee=committee,
                    application=application,
                    user=request.user,
                    reason=request.POST.get("reason", ""),
                )
            else:
                committees.record_scores(
                    committee=committee,
                    application=application,
                    user=request.user,
                    answers=parse_answers(request.POST, content),
                )
                if request.POST.get("submit"):
                    committees.submit_review(
                        committee=committee, application=application, user=request.user
                    )
            return redirect("assessments:committee", uuid=committee.uuid)
        except ValidationError as error:
            errors = (
                {k: " ".join(v) for k, v in error.message_dict.items()}
                if hasattr(error, "error_dict")
                else {"__all__": " ".join(error.messages)}
            )
            posted = request.POST
    answers = (
        {
            s.item.key: Answer(s.value, s.not_applicable)
            for s in review.scores.select_related("item")
        }
        if review
        else {}
    )
    return render(
        request,
        "assessments/committee_score.html",
        {
            "committee": committee,
            "application": application,
            "sections": _form_sections(content, answers, errors, posted),
            "general_error": errors.get("__all__", "") or errors.get("reason", ""),
            "state": review.get_state_display() if review else ReviewState.DRAFT.label,
        },
        status=400 if errors else 200,
    )


def committee_consensus(request, uuid, application):
    committee = _committee(request, uuid)
    application = _application(committee, application)
    is_chair = can(request.user, "chair_committee", committee)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("criterion"):
                committees.record_agreed_value(
                    committee=committee,
                    application=application,
                    criterion_key=request.POST["criterion"],
                    value=request.POST.get("value", "").replace(",", "."),
                    reason=request.POST.get("reason", ""),
                    user=request.user,
                )
            else:
                next_step = {}
                structure_id = request.POST.get("refer_to_structure")
                if structure_id:
                    next_step["refer_to_structure"] = get_object_or_404(Structure, pk=structure_id)
                    next_step["referral_reason"] = request.POST.get("referral_reason", "")
                reason_id = request.POST.get("no_next_step_reason")
                if reason_id:
                    next_step["no_next_step_reason"] = get_object_or_404(
                        NoNextStepReason, pk=reason_id
                    )
                    next_step["no_next_step_note"] = request.POST.get("no_next_step_note", "")
                committees.decide(
                    committee=committee,
                    application=application,
                    user=request.user,
                    status=request.POST.get("status", ""),
                    **next_step,
                )
            return redirect(
                "assessments:committee_consensus",
                uuid=committee.uuid,
                application=application.uuid,
            )
        except ValidationError as failure:
            error = " ".join(failure.messages)
    rows = committees.consensus_for(committee, application, request.user)
    network_ids = list(committee.structure.networks.values_list("pk", flat=True))
    return render(
        request,
        "assessments/committee_consensus.html",
        {
            "committee": committee,
            "application": application,
            "rows": rows,
            "spread_chart": _spread_chart(rows),
            "members": rows[0].scores if rows else [],
            "is_chair": is_chair,
            "discussion": committee.status == CommitteeStatus.DISCUSSION,
            "error": error,
            "decisions": [
                (s.value, s.label)
                for s in (
                    ApplicationStatus.SELECTED,
                    ApplicationStatus.WAITLISTED,
                    ApplicationStatus.NOT_SELECTED,
                )
            ],
            "partners": Structure.objects.filter(networks__in=network_ids)
            .exclude(pk=committee.structure_id)
            .distinct()
            .order_by("name"),
            "no_next_step_reasons": NoNextStepReason.objects.filter(is_active=True),
            "staff": bool(roles_of(request.user).staff_of),
        },
        status=400 if error else 200,
    )


def cohort(request, session, family):
    """A session's cohort before and after: per criterion, the distribution of changes, the
    median change and the share who progressed, with the radar of the medians."""
    from maillage.directory.models import OfferSession

    from .comparisons import before_after_pairs, compare_cohort

    offer_session = get_object_or_404(OfferSession.objects.select_related("offer"), uuid=session)
    pairs = before_after_pairs(
        assessments_visible_to(request.user).filter(
            offer_session=offer_session, version__instrument__family=family
        )
    )
    if not pairs:
        raise PermissionDenied("cohort")
    rows = compare_cohort(pairs)
    radar = radar_svg(
        _("Before and after"),
        [Axis(row.label, row.low, row.high) for row in rows],
        [
            (_("Median before"), [row.median_before for row in rows]),
            (_("Median after"), [row.median_after for row in rows]),
        ],
    )
    return render(
        request,
        "assessments/cohort.html",
        {"offer_session": offer_session, "rows": rows, "radar": radar, "pairs": len(pairs)},
    )


def create(request):
    """Open an assessment: an instrument, a subject (one of the user's structures, or a project
    the user sees), a context."""
    from django.utils.dateparse import parse_date

    from maillage.pathways.visibility import projects_visible_to

    from .models import Context, InstrumentVersion, SubjectKind

    _require(request.user, "access_assessments")
    staff = sorted(roles_of(request.user).staff_of)
    structures = list(Structure.objects.filter(pk__in=staff).order_by("name"))
    projects = list(projects_visible_to(request.user).order_by("title")[:200])
    subjects = [(f"structure:{s.pk}", s.name) for s in structures] + [
        (f"project:{p.pk}", p.title) for p in projects
    ]
    versions = list(current_versions())
    error = ""
    if request.method == "POST":
        try:
            version = get_object_or_404(InstrumentVersion, pk=request.POST.get("version") or 0)
            kind, _sep, pk = request.POST.get("subject", "").partition(":")
            if kind == "structure":
                subject_kind, subject = (
                    SubjectKind.STRUCTURE,
                    next(s for s in structures if str(s.pk) == pk),
                )
            elif kind == "project":
                subject_kind, subject = (
                    SubjectKind.PROJECT,
                    next(p for p in projects if str(p.pk) == pk),
                )
            else:
                raise ValidationError(_("Choose what the assessment is about."))
            structure = next(
                (s for s in structures if str(s.pk) == request.POST.get("structure")),
                structures[0] if len(structures) == 1 else None,
            )
            assessment = services.create_assessment(
                version=version,
                subject_kind=subject_kind,
                subject=subject,
                context=request.POST.get("context", ""),
                structure=structure,
                user=request.user,
                title=request.POST.get("title", ""),
                assessed_on=parse_date(request.POST.get("assessed_on", "")),
            )
            return redirect("assessments:detail", uuid=assessment.uuid)
        except StopIteration:
            error = _("Choose what the assessment is about.")
        except ValidationError as failure:
            error = " ".join(failure.messages)
    return render(
        request,
        "assessments/create.html",
        {
            "versions": versions,
            "subjects": subjects,
            "structures": structures,
            "contexts": Context.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


def export_xlsx(request, uuid):
    """An assessment as a workbook: the scores per criterion (the radar's table) and every
    answer."""
    from io import BytesIO

    from django.http import HttpResponse
    from openpyxl import Workbook

    from .definition import iter_items

    assessment = get_object_or_404(assessments_visible_to(request.user), uuid=uuid)
    content = assessment.version.content
    scores = scores_of(assessment)
    answers = answers_of(assessment)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Scores")[:31]
    sheet.append([_("Section"), _("Criterion"), _("Score"), _("Range")])
    for row in _score_table(content, scores):
        score = float(row["score"]) if row["score"] is not None else None
        sheet.append([row["section"], row["label"], score, row["range"]])
    sheet.append([_("Overall"), "", float(scores.total) if scores.total is not None else None])
    answers_sheet = workbook.create_sheet(_("Answers")[:31])
    answers_sheet.append([_("Criterion"), _("Item"), _("Answer"), _("Score")])
    for _section, criterion, item in iter_items(content):
        answer = answers.get(item["key"])
        if answer is None:
            shown = ""
        elif answer.not_applicable:
            shown = _("Not applicable")
        elif isinstance(answer.value, list):
            shown = ", ".join(answer.value)
        else:
            shown = answer.value
        item_score = scores.items[item["key"]]
        answers_sheet.append(
            [
                in_language(criterion["title"]),
                in_language(item["text"]),
                shown,
                float(item_score) if item_score is not None else None,
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{assessment.uuid}.xlsx"'
    return response


# --- Collective appraisal sessions ---------------------------------------------------------------


def appraisal_create(request):
    """Open a collective appraisal session: an instrument with cursors, a subject, the people
    present."""
    from maillage.directory.models import Network
    from maillage.pathways.visibility import projects_visible_to

    from .appraisals import axes_of, open_appraisal
    from .forms import AppraisalForm
    from .models import SubjectKind

    _require(request.user, "access_assessments")
    roles = roles_of(request.user)
    structures = list(Structure.objects.filter(pk__in=sorted(roles.staff_of)).order_by("name"))
    networks = list(
        Network.objects.filter(pk__in=sorted(roles.coordinator_of)).order_by("name")
    ) + list(
        Network.objects.filter(structures__in=structures)
        .exclude(pk__in=sorted(roles.coordinator_of))
        .distinct()
        .order_by("name")
    )
    projects = list(projects_visible_to(request.user).order_by("title")[:200])
    subjects = {
        **{f"structure:{s.pk}": (SubjectKind.STRUCTURE, s) for s in structures},
        **{f"project:{p.pk}": (SubjectKind.PROJECT, p) for p in projects},
        **{f"network:{n.pk}": (SubjectKind.NETWORK, n) for n in networks},
    }
    versions = [v for v in current_versions() if axes_of(v.content)]
    people_networks = {n.pk for n in networks}
    candidates = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(structure_memberships__structure__in=structures)
            | Q(structure_memberships__structure__networks__in=people_networks)
            | Q(network_roles__network__in=people_networks)
        )
        .exclude(pk=request.user.pk)
        .distinct()
        .order_by("full_name", "email")
    )
    form = AppraisalForm(
        request.POST or None,
        versions=versions,
        subjects=[(key, f"{subject} ({kind.label})") for key, (kind, subject) in subjects.items()],
        structures=structures,
        candidates=candidates,
        initial={"structure": structures[0].pk if structures else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, subject = subjects[data["subject"]]
        try:
            appraisal = open_appraisal(
                version=next(v for v in versions if str(v.pk) == data["version"]),
                subject_kind=kind,
                subject=subject,
                user=request.user,
                participants=list(data["participants"]),
                structure=next((s for s in structures if str(s.pk) == data["structure"]), None),
                title=data["title"],
                held_on=data["held_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"subject_kind": "subject"})
        else:
            return redirect("assessments:appraisal", uuid=appraisal.uuid)
    return render(
        request,
        "assessments/appraisal_create.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _appraisal(request, uuid):
    return get_object_or_404(appraisals_visible_to(request.user), uuid=uuid)


def _board_context(request, appraisal, number=None):
    """The board after argument `number` (now when None): the axes by pillar, the radar of the
    criteria and the log of arguments up to there."""
    from .appraisals import board, positions_after
    from .scoring import score

    arguments = list(appraisal.arguments.select_related("speaker", "item").order_by("number"))
    if number is not None:
        arguments = [a for a in arguments if a.number <= number]
    positions = positions_after(appraisal, number)
    sections = board(appraisal, positions)
    every_axis = {axis.key: axis.position for section in sections for axis in section["axes"]}
    scores = score(
        appraisal.version.content,
        {key: Answer(float(value)) for key, value in every_axis.items()},
    )
    title = str(appraisal)
    return {
        "appraisal": appraisal,
        "sections": sections,
        "radar": _radar_of(title, appraisal.version.content, [(title, scores)]),
        "arguments": arguments,
        "live": appraisal.status == "open" and number is None,
    }


def appraisal(request, uuid):
    """The session's board, live for everyone in the room (htmx polls the board; without
    JavaScript, reload the page); the facilitator's forms record arguments, flag priorities and
    close the session."""
    from .appraisals import (
        axes_of,
        close_appraisal,
        earlier_sessions,
        flag_priority,
        record_argument,
    )
    from .forms import ArgumentForm, PriorityForm

    appraisal = _appraisal(request, uuid)
    facilitating = can(request.user, "facilitate_appraisal", appraisal) and (
        appraisal.status == "open"
    )
    people = (
        get_user_model()
        .objects.filter(Q(pk=appraisal.facilitator_id) | Q(pk__in=appraisal.participants.all()))
        .order_by("full_name", "email")
    )
    axes = [("", "—")] + [
        (item["key"], in_language(item["text"])) for item in axes_of(appraisal.version.content)
    ]
    action = request.POST.get("action") if request.method == "POST" else None
    argument_form = ArgumentForm(
        request.POST if action == "argument" else None, people=people, axes=axes
    )
    priority_form = PriorityForm(
        request.POST if action in ("priority", "unpriority") else None,
        axes=axes,
        prefix="priority",
    )
    status = 200
    if action:
        if not facilitating:
            raise PermissionDenied("facilitate_appraisal")
        try:
            if action == "argument":
                if argument_form.is_valid():
                    data = argument_form.cleaned_data
                    argument = record_argument(
                        appraisal=appraisal,
                        user=request.user,
                        speaker=data["speaker"],
                        side=data["side"],
                        axis=data["axis"],
                        text=data["text"],
                        amount=data["amount"],
                    )
                    messages.success(
                        request, _("Argument %(number)s recorded.") % {"number": argument.number}
                    )
                    return redirect("assessments:appraisal", uuid=appraisal.uuid)
            elif action in ("priority", "unpriority"):
                if priority_form.is_valid():
                    flag_priority(
                        appraisal=appraisal,
                        user=request.user,
                        axis=priority_form.cleaned_data["axis"],
                        priority=action == "priority",
                    )
                    return redirect("assessments:appraisal", uuid=appraisal.uuid)
            elif action == "close":
                close_appraisal(appraisal=appraisal, user=request.user)
                messages.success(request, _("The session is closed: its result is recorded."))
                return redirect("assessments:appraisal", uuid=appraisal.uuid)
        except ValidationError as error:
            target = priority_form if action in ("priority", "unpriority") else argument_form
            add_service_errors(target, error)
        status = 400
    context = _board_context(request, appraisal)
    earlier = []
    if appraisal.result_id:
        earlier = [
            other
            for other in earlier_sessions(appraisal, appraisals_visible_to(request.user))
            if other.result_id
            and assessments_visible_to(request.user).filter(pk=other.result_id).exists()
        ]
    context.update(
        {
            "facilitating": facilitating,
            "people": people,
            "argument_form": argument_form,
            "priority_form": priority_form,
            "earlier": earlier,
            "result_visible": bool(
                appraisal.result_id
                and assessments_visible_to(request.user).filter(pk=appraisal.result_id).exists()
            ),
        }
    )
    return render(request, "assessments/appraisal.html", context, status=status)


def appraisal_board(request, uuid):
    """The board alone, for htmx to poll (the page itself shows the same without JavaScript)."""
    appraisal = _appraisal(request, uuid)
    return render(request, "assessments/_appraisal_board.html", _board_context(request, appraisal))


def appraisal_replay(request, uuid):
    """The board as it stood after argument N (`?apres=N`, 0: before the first one)."""
    appraisal = _appraisal(request, uuid)
    count = appraisal.arguments.count()
    try:
        number = max(0, min(count, int(request.GET.get("apres", count))))
    except ValueError:
        number = count
    context = _board_context(request, appraisal, number)
    context.update(
        {
            "number": number,
            "count": count,
            "current": context["arguments"][-1] if number else None,
            "previous": number - 1 if number > 0 else None,
            "next": number + 1 if number < count else None,
        }
    )
    return render(request, "assessments/appraisal_replay.html", context)


# --- Shared diagnostic → plan --------------------------------------------------------------------


def _plan_context(user, assessment, scores) -> dict:
    """The weak criteria of a project's diagnostic, which became plan steps, the forms to make
    the others steps, and what the plan did with the steps of earlier diagnostics."""
    from maillage.pathways.choices import staff_structures
    from maillage.pathways.visibility import persons_visible_to

    from .diagnostics import plan_follow_up, weak_criteria
    from .models import PlanStepLink, SubjectKind

    if assessment.subject_kind != SubjectKind.PROJECT:
        return {"weak": [], "follow_up": [], "carriers": [], "plan_structures": []}
    carriers = [
        person
        for person in persons_visible_to(user).filter(
            pk__in=assessment.project.persons.values("pk")
        )
        if can(user, "change_person", person)
    ]
    linked = {
        link.criterion.key: link
        for link in PlanStepLink.objects.filter(assessment=assessment).select_related(
            "criterion", "step"
        )
    }
    weak = [{**row, "link": linked.get(row["key"])} for row in weak_criteria(assessment, scores)]
    return {
        "weak": weak,
        "follow_up": plan_follow_up(assessment, user),
        "carriers": carriers,
        "plan_structures": staff_structures(user),
    }


def to_plan(request, uuid):
    """POST: a weak criterion of the diagnostic becomes a step of a carrier's plan."""
    from django.utils.dateparse import parse_date

    from maillage.pathways.choices import staff_structures
    from maillage.pathways.visibility import persons_visible_to

    from .diagnostics import criterion_to_plan_step

    if request.method != "POST":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["POST"])
    assessment = get_object_or_404(assessments_visible_to(request.user), uuid=uuid)
    person = get_object_or_404(persons_visible_to(request.user), pk=request.POST.get("person") or 0)
    structures = staff_structures(request.user)
    responsible = next(
        (s for s in structures if str(s.pk) == request.POST.get("responsible_structure")), None
    )
    try:
        if responsible is None:
            raise ValidationError(_("Choose the structure responsible for the step."))
        criterion_to_plan_step(
            assessment=assessment,
            criterion_key=request.POST.get("criterion", ""),
            person=person,
            user=request.user,
            structure=responsible,
            action=request.POST.get("action", ""),
            responsible_structure=responsible,
            target_date=parse_date(request.POST.get("target_date") or ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The step is added to the plan."))
    return redirect("assessments:detail", uuid=assessment.uuid)


PDF_STYLESHEET = "maillage/css/reports_pdf.css"


def assessment_pdf_html(assessment) -> str:
    """The assessment for print: its radar and the score table (the table carries every
    figure)."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    content = assessment.version.content
    scores = scores_of(assessment)
    return render_to_string(
        "assessments/pdf.html",
        {
            "assessment": assessment,
            "scores": scores,
            "table": _score_table(content, scores),
            "radar": _radar_of(str(assessment), content, [(str(assessment), scores)]),
            "generated_on": timezone.localdate(),
        },
    )


def export_pdf(request, uuid):
    """An assessment as an A4 PDF: the radar and the score table."""
    from django.http import HttpResponse

    from maillage.core.pdf import write_pdf

    assessment = get_object_or_404(assessments_visible_to(request.user), uuid=uuid)
    pdf = write_pdf(
        assessment_pdf_html(assessment),
        base_url=request.build_absolute_uri("/"),
        stylesheet=PDF_STYLESHEET,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{assessment.uuid}.pdf"'
    return response


def committee_create(request):
    """Set up an admission committee on an offer session of one of the user's structures."""
    from maillage.directory.models import OfferSession

    from .forms import CommitteeForm
    from .models import InstrumentVersion

    _require(request.user, "access_assessments")
    staff = sorted(roles_of(request.user).staff_of)
    grids = [v.pk for v in current_versions() if "accompaniment" in v.content["subjects"]]
    form = CommitteeForm(
        request.POST or None,
        sessions=OfferSession.objects.filter(offer__structure__in=staff)
        .select_related("offer")
        .order_by("-starts_on"),
        versions=InstrumentVersion.objects.filter(pk__in=grids).order_by("title_fr"),
        people=get_user_model()
        .objects.filter(is_active=True, structure_memberships__structure__in=staff)
        .distinct()
        .order_by("full_name", "email"),
        initial={"chair": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            committee = committees.create_committee(
                offer_session=data["offer_session"],
                version=data["version"],
                chair=data["chair"],
                members=list(data["members"]),
                user=request.user,
                held_on=data["held_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The committee is set up."))
            return redirect("assessments:committee", uuid=committee.uuid)
    return render(
        request,
        "assessments/committee_create.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
