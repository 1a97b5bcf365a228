"""The public orientation "Where is my project at?": from a visitor's answers to a suggested
stage and the offers that fit, each with the reason it was suggested.

The questions are data (referentials/orientation.json). Everything here is a pure function of
the answers and of objects already loaded (no query), so it is tested without a database.
"""

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core import signing
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from maillage.core.french import fill

QUESTIONNAIRE_FILE = Path(__file__).with_name("referentials") / "orientation.json"
PLACE = "place"
PLACE_MAX_LENGTH = 100
REASON_SEPARATOR = " · "
_SIGNING_SALT = "maillage.directory.orientation.answers"


def _in_english() -> bool:
    return (get_language() or "fr").startswith("en")


@dataclass(frozen=True)
class Answer:
    code: str
    label_fr: str
    label_en: str
    signals: Mapping[str, int] = field(default_factory=dict)
    audiences: tuple[str, ...] = ()
    reason_fr: str = ""
    reason_en: str = ""
    # "I don't know": says nothing about the visitor's audiences.
    unsure: bool = False

    @property
    def label(self) -> str:
        return self.label_en if _in_english() else self.label_fr

    @property
    def reason(self) -> str:
        return self.reason_en if _in_english() else self.reason_fr


@dataclass(frozen=True)
class Question:
    code: str
    text_fr: str
    text_en: str
    kind: str = "choice"
    help_fr: str = ""
    help_en: str = ""
    answers: tuple[Answer, ...] = ()

    @property
    def text(self) -> str:
        return self.text_en if _in_english() else self.text_fr

    @property
    def help(self) -> str:
        return self.help_en if _in_english() else self.help_fr

    @property
    def is_place(self) -> bool:
        return self.kind == PLACE

    def answer(self, code: str) -> Answer | None:
        return next((answer for answer in self.answers if answer.code == code), None)


@functools.cache
def questionnaire(path: Path = QUESTIONNAIRE_FILE) -> tuple[Question, ...]:
    """The questions, read once from the data file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    questions = []
    for entry in data["questions"]:
        answers = tuple(
            Answer(
                code=a["code"],
                label_fr=a["label_fr"],
                label_en=a["label_en"],
                signals=dict(a.get("signals", {})),
                audiences=tuple(a.get("audiences", ())),
                reason_fr=a.get("reason_fr", ""),
                reason_en=a.get("reason_en", ""),
                unsure=a.get("unsure", False),
            )
            for a in entry.get("answers", ())
        )
        questions.append(
            Question(
                code=entry["code"],
                text_fr=entry["text_fr"],
                text_en=entry["text_en"],
                kind=entry.get("kind", "choice"),
                help_fr=entry.get("help_fr", ""),
                help_en=entry.get("help_en", ""),
                answers=answers,
            )
        )
    return tuple(questions)


def _questions_by_code() -> dict[str, Question]:
    return {question.code: question for question in questionnaire()}


# --- Answers -----------------------------------------------------------------------------------


def answers_from(data: Mapping) -> dict[str, str]:
    """The valid answers found in `data` (a QueryDict or a dict): unknown codes are dropped."""
    answers = {}
    for question in questionnaire():
        value = data.get(question.code)
        if not isinstance(value, str):
            continue
        value = value.strip()
        if question.is_place:
            if value:
                answers[question.code] = value[:PLACE_MAX_LENGTH]
        elif question.answer(value) is not None:
            answers[question.code] = value
    return answers


def chosen_answers(answers: Mapping[str, str]) -> list[tuple[Question, Answer]]:
    questions = _questions_by_code()
    chosen = []
    for code, value in answers.items():
        question = questions.get(code)
        answer = question.answer(value) if question else None
        if answer is not None:
            chosen.append((question, answer))
    return chosen


def readable_answers(answers: Mapping[str, str]) -> list[tuple[str, str]]:
    """(question, answer) as a person reads them, in the questionnaire's order."""
    rows = []
    for question in questionnaire():
        value = answers.get(question.code)
        if not value:
            continue
        if question.is_place:
            rows.append((question.text, value))
        elif (answer := question.answer(value)) is not None:
            rows.append((question.text, answer.label))
    return rows


def answers_token(*, network_slug: str, answers: Mapping[str, str]) -> str:
    """The answers, signed, to carry them from the results to the contact form."""
    return signing.dumps({"n": network_slug, "a": dict(answers)}, salt=_SIGNING_SALT, compress=True)


def answers_from_token(token: str) -> tuple[str, dict[str, str]] | None:
    """(network slug, answers) from a token made by `answers_token`, or None when not valid."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SIGNING_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), dict):
        return None
    return str(data.get("n", "")), answers_from(data["a"])


# --- The suggested stage -----------------------------------------------------------------------


def stage_scores(answers: Mapping[str, str]) -> dict[str, int]:
    """Points per stage slug, added up over the answers."""
    scores: dict[str, int] = {}
    for _question, answer in chosen_answers(answers):
        for slug, points in answer.signals.items():
            scores[slug] = scores.get(slug, 0) + points
    return scores


def suggested_stage(answers: Mapping[str, str], stages: Sequence):
    """The stage (of `stages`, in pathway order) with most points; on a tie, the earlier one.
    With no signal at all, the first stage: the door everyone may knock at."""
    if not stages:
        return None
    scores = stage_scores(answers)
    best = max(stages, key=lambda stage: (scores.get(stage.slug, 0), -stages.index(stage)))
    return best if scores.get(best.slug, 0) > 0 else stages[0]


def neighbours(stage, stages: Sequence) -> list:
    """The stages just before and after `stage`, the earlier first."""
    index = list(stages).index(stage)
    return [stages[i] for i in (index - 1, index + 1) if 0 <= i < len(stages)]


# --- The visitor's audiences -------------------------------------------------------------------


@dataclass
class Profile:
    """What the answers say about the visitor's audiences (data·inclusion 'publics' codes)."""

    audiences: set[str] = field(default_factory=set)
    # Audiences the visitor said they are not (they chose another answer to the question).
    not_audiences: set[str] = field(default_factory=set)
    reasons: dict[str, str] = field(default_factory=dict)


def visitor_profile(answers: Mapping[str, str]) -> Profile:
    profile = Profile()
    for question, answer in chosen_answers(answers):
        if answer.unsure:
            continue
        for other in question.answers:
            profile.not_audiences.update(other.audiences)
        profile.audiences.update(answer.audiences)
        for code in answer.audiences:
            profile.reasons[code] = answer.reason
    profile.not_audiences -= profile.audiences
    return profile


OPEN_TO_ALL = "tous-publics"


@dataclass(frozen=True)
class AudienceFit:
    fits: bool
    reason: str = ""
    # The offer is meant for one of the visitor's audiences (not only open to all).
    targeted: bool = False


def audience_fit(audiences: Sequence, profile: Profile) -> AudienceFit:
    """Whether an offer reserved to `audiences` (Audience rows) is for this visitor, and why."""
    codes = {audience.code for audience in audiences}
    matched = [code for code in sorted(codes & profile.audiences) if profile.reasons.get(code)]
    if matched:
        return AudienceFit(True, ", ".join(profile.reasons[code] for code in matched), True)
    if not codes or OPEN_TO_ALL in codes:
        return AudienceFit(True, _("open to everyone"))
    if codes <= profile.not_audiences:
        return AudienceFit(False)
    labels = ", ".join(a.label for a in audiences if a.code not in profile.not_audiences)
    return AudienceFit(True, _("for: %(audiences)s") % {"audiences": labels})


# --- The suggested offers ----------------------------------------------------------------------


@dataclass
class Suggestion:
    offer: object
    stage: object
    reasons: list[str]
    targeted: bool = False

    @property
    def reason(self) -> str:
        return REASON_SEPARATOR.join(self.reasons)


def _declares_territory(offer) -> bool:
    return bool(offer.territories.all() or offer.structure.territories.all())


def _suggest(offer, stage, *, neighbouring: bool, profile: Profile, place: str):
    fit = audience_fit(list(offer.audiences.all()), profile)
    if not fit.fits:
        return None
    if neighbouring:
        reasons = [_("Neighbouring stage: %(stage)s") % {"stage": stage.name}]
    else:
        reasons = [_("For your stage: %(stage)s") % {"stage": stage.name}]
    reasons.append(fit.reason)
    if place and _declares_territory(offer):
        reasons.append(fill(_("serves %(place)s"), place=place))
    next_session_on = getattr(offer, "next_session_on", None)
    if next_session_on:
        reasons.append(_("session on %(date)s") % {"date": date_format(next_session_on, "j F")})
    return Suggestion(offer=offer, stage=stage, reasons=reasons, targeted=fit.targeted)


def _sort_key(suggestion: Suggestion):
    offer = suggestion.offer
    next_session_on = getattr(offer, "next_session_on", None)
    return (
        not suggestion.targeted,
        next_session_on is None,
        next_session_on or 0,
        offer.structure.name.lower(),
        offer.title.lower(),
    )


def suggest_offers(
    offers: Sequence, *, stage, stages: Sequence, profile: Profile, place: str = ""
) -> tuple[list[Suggestion], bool]:
    """The offers of `stage` that fit the visitor, each with its reasons; when none fits, those
    of the neighbouring stages. Returns (suggestions, whether they come from neighbours).

    `offers` come with their stages (of this network), audiences and territories prefetched,
    and already limited to the visitor's territory when they gave one.
    """

    def on(target, neighbouring):
        found = []
        for offer in offers:
            if any(s.pk == target.pk for s in offer.stages.all()):
                suggestion = _suggest(
                    offer, target, neighbouring=neighbouring, profile=profile, place=place
                )
                if suggestion is not None:
                    found.append(suggestion)
        return found

    suggestions = on(stage, False)
    if suggestions:
        return sorted(suggestions, key=_sort_key), False
    seen = set()
    for neighbour in neighbours(stage, stages):
        for suggestion in sorted(on(neighbour, True), key=_sort_key):
            if suggestion.offer.pk not in seen:
                seen.add(suggestion.offer.pk)
                suggestions.append(suggestion)
    return suggestions, True
