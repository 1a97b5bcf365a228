"""Every write on sheets: drafts (with optimistic locking), the validation workflow, links.

Keyword-only arguments, one transaction each, `ValidationError` with translated messages.
"""

import datetime
import difflib
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.rules import can, roles_of
from maillage.core.personal_data import folded
from maillage.core.states import StateMachine, move, started
from maillage.directory.models import Network, Structure

from . import rendering
from .models import (
    BrokenReference,
    Comment,
    Family,
    LinkType,
    Review,
    ReviewDecision,
    Sheet,
    SheetLink,
    SheetVersion,
    Tag,
    VersionStatus,
)

VERSIONS = StateMachine(
    transitions={
        VersionStatus.DRAFT: frozenset({VersionStatus.PROPOSED}),
        VersionStatus.PROPOSED: frozenset(
            {VersionStatus.UNDER_REVIEW, VersionStatus.VALIDATED, VersionStatus.SENT_BACK}
        ),
        VersionStatus.UNDER_REVIEW: frozenset({VersionStatus.VALIDATED, VersionStatus.SENT_BACK}),
        VersionStatus.SENT_BACK: frozenset({VersionStatus.PROPOSED}),
    },
    initial=frozenset({VersionStatus.DRAFT}),
    choices=VersionStatus,
    log_model="knowledge.VersionStatusLog",
    log_link="version",
)

# The network's referential of link types, created with its first sheet (labels in French,
# the language of the network's texts; a coordinator may rename them).
DEFAULT_LINK_TYPES = [
    ("see-also", "Voir aussi", "Citée par"),
    ("method-for", "Méthode pour", "S'appuie sur la méthode"),
    ("example-of", "Exemple de", "Illustrée par"),
    ("builds-on", "Prolonge", "Prolongée par"),
    ("contradicts", "Contredit", "Contredite par"),
]

WRITABLE = {VersionStatus.DRAFT, VersionStatus.SENT_BACK, VersionStatus.VALIDATED}


class StaleVersion(ValidationError):
    """A save based on an old version: refused, with what changed since (a unified diff)."""

    def __init__(self, *, based_on: int, latest: SheetVersion, title: str, body: str):
        self.latest = latest
        self.diff = text_diff(
            latest.body,
            body,
            before=_("version %(number)s (saved meanwhile)") % {"number": latest.number},
            after=_("your text"),
        )
        super().__init__(
            _(
                "Someone saved version %(latest)s while you were editing version %(based_on)s. "
                "Your text was not saved: compare it with theirs below, then save again."
            )
            % {"latest": latest.number, "based_on": based_on},
            code="stale_version",
        )


def text_diff(old: str, new: str, *, before: str = "", after: str = "") -> str:
    """A unified diff of two texts, line by line."""
    return "".join(
        difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            (new or "").splitlines(keepends=True),
            fromfile=before,
            tofile=after,
        )
    )


# --- Referentials -------------------------------------------------------------------------------


@transaction.atomic
def ensure_link_types(*, network: Network) -> dict[str, LinkType]:
    """The network's types of link, the default ones created when missing."""
    existing = {t.code: t for t in LinkType.objects.filter(network=network)}
    missing = [
        LinkType(network=network, code=code, label=label, inverse_label=inverse, position=index)
        for index, (code, label, inverse) in enumerate(DEFAULT_LINK_TYPES)
        if code not in existing
    ]
    if missing:
        LinkType.objects.bulk_create(missing)
        existing = {t.code: t for t in LinkType.objects.filter(network=network)}
    return existing


@transaction.atomic
def upsert_family(
    *,
    network: Network,
    slug: str,
    name: str,
    description: str = "",
    code_pattern: str = "",
    is_public: bool = True,
    quorum: int = 2,
    position: int = 0,
) -> Family:
    family = Family.objects.filter(network=network, slug=slug).first() or Family(
        network=network, slug=slug
    )
    family.name = name
    family.description = description
    if code_pattern:
        family.code_pattern = code_pattern
    family.is_public = is_public
    family.quorum = quorum
    family.position = position
    try:
        re.compile(family.code_pattern)
    except re.error as error:
        raise ValidationError(
            {"code_pattern": _("This pattern is not a valid regular expression.")}
        ) from error
    family.full_clean()
    family.save()
    return family


def _tags(network: Network, labels) -> list[Tag]:
    from django.utils.text import slugify

    tags = []
    for label in labels:
        label = label.strip()
        if not label:
            continue
        tag, _created = Tag.objects.get_or_create(
            network=network, slug=slugify(label)[:80] or "tag", defaults={"label": label}
        )
        tags.append(tag)
    return tags


def check_code(family: Family, code: str) -> None:
    if not re.fullmatch(family.code_pattern, code or ""):
        raise ValidationError(
            {
                "code": _(
                    "The code “%(code)s” does not follow the pattern of the family %(family)s."
                )
                % {"code": code, "family": family.name}
            }
        )


# --- Sheets and versions ------------------------------------------------------------------------


@transaction.atomic
def create_sheet(
    *,
    user,
    family: Family,
    code: str,
    title: str,
    body: str = "",
    structure: Structure,
    is_public: bool = True,
    tags=(),
    stages=(),
    structures=(),
    offers=(),
    review_by: datetime.date | None = None,
    check_permission: bool = True,
) -> Sheet:
    """A new sheet, with its first version as a draft."""
    network = family.network
    if check_permission and not (
        structure.pk in roles_of(user).staff_of and can(user, "write_sheets", network)
    ):
        raise PermissionDenied
    code = (code or "").strip()
    check_code(family, code)
    if Sheet.objects.filter(network=network, code=code).exists():
        raise ValidationError({"code": _("Another sheet of this network has this code.")})
    sheet = Sheet(
        network=network,
        family=family,
        code=code,
        title=title.strip(),
        is_public=is_public,
        structure=structure,
        review_by=review_by,
    )
    sheet.full_clean()
    sheet.save()
    sheet.tags.set(_tags(network, tags))
    sheet.stages.set(stages)
    sheet.structures.set(structures)
    sheet.offers.set(offers)
    if user is not None:
        sheet.authors.add(user)
    version = SheetVersion.objects.create(
        sheet=sheet, number=1, title=sheet.title, body=body, author=user
    )
    started(VERSIONS, version, by=user)
    refresh_text_links(sheet=sheet, text=body)
    refresh_references_to(sheet=sheet)
    _refresh_search(sheet)
    return sheet


def latest_version(sheet: Sheet) -> SheetVersion:
    return sheet.versions.order_by("-number").first()


@transaction.atomic
def save_version(
    *, user, sheet: Sheet, based_on: int, title: str, body: str, check_permission: bool = True
) -> SheetVersion:
    """Save the text as a new version (every version is kept).

    Optimistic locking: `based_on` is the number of the version the author started from; if
    another version was saved since, the save is refused with the diff (`StaleVersion`).
    """
    if check_permission and not can(user, "edit_sheet", sheet):
        raise PermissionDenied
    Sheet.objects.select_for_update().filter(pk=sheet.pk).first()  # one save at a time
    latest = latest_version(sheet)
    if latest.number != based_on:
        raise StaleVersion(based_on=based_on, latest=latest, title=title, body=body)
    if latest.status not in WRITABLE:
        raise ValidationError(
            _("This version is being reviewed: withdraw it or wait for the reviewers' decision."),
            code="under_review",
        )
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A sheet needs a title.")})
    version = SheetVersion.objects.create(
        sheet=sheet, number=latest.number + 1, title=title, body=body, author=user
    )
    started(VERSIONS, version, by=user)
    if user is not None:
        sheet.authors.add(user)
    if sheet.published_id is None:
        sheet.title = title
        sheet.save(update_fields=["title", "updated_at"])
    refresh_text_links(sheet=sheet, text=body)
    return version


@transaction.atomic
def propose_version(*, user, version: SheetVersion) -> SheetVersion:
    """The authors submit the version to the reviewers."""
    if not can(user, "edit_sheet", version.sheet):
        raise PermissionDenied
    if version.pk != latest_version(version.sheet).pk:
        raise ValidationError(_("Only the latest version can be proposed."))
    move(VERSIONS, version, VersionStatus.PROPOSED, by=user)
    return version


def reviewer_structure(user, sheet: Sheet) -> Structure | None:
    """The structure a reviewer speaks for: one they work in, in the sheet's network, other than
    the author structure."""
    staff_of = roles_of(user).staff_of - {sheet.structure_id}
    return (
        Structure.objects.filter(pk__in=staff_of, networks=sheet.network_id).order_by("pk").first()
    )


def _reviewable(user, version: SheetVersion) -> Structure:
    if not can(user, "review_sheet", version.sheet):
        raise PermissionDenied
    structure = reviewer_structure(user, version.sheet)
    if structure is None:
        raise ValidationError(
            _("Reviewers work in another structure of the network than the author's.")
        )
    if version.status not in (VersionStatus.PROPOSED, VersionStatus.UNDER_REVIEW):
        raise ValidationError(_("This version is not proposed for review."), code="not_proposed")
    return structure


@transaction.atomic
def comment_passage(
    *, user, version: SheetVersion, quote: str, body: str, start: int | None = None
) -> Comment:
    """A reviewer's (or an author's) comment on a passage of the text: the quoted passage and
    its offsets in the Markdown. Without `start`, the first occurrence of the passage."""
    sheet = version.sheet
    if can(user, "review_sheet", sheet):
        _reviewable(user, version)
        if version.status == VersionStatus.PROPOSED:
            move(VERSIONS, version, VersionStatus.UNDER_REVIEW, by=user)
    elif not can(user, "edit_sheet", sheet):
        raise PermissionDenied
    quote = (quote or "").strip()
    if not quote:
        raise ValidationError({"quote": _("Quote the passage you comment on.")})
    if not (body or "").strip():
        raise ValidationError({"body": _("Write your comment.")})
    if start is None:
        start = version.body.find(quote)
    if start < 0 or version.body[start : start + len(quote)] != quote:
        raise ValidationError({"quote": _("This passage is not in the text of this version.")})
    return Comment.objects.create(
        version=version, author=user, quote=quote, start=start, end=start + len(quote), body=body
    )


@transaction.atomic
def review_version(*, user, version: SheetVersion, decision: str, comment: str = "") -> Review:
    """A reviewer validates the version or sends it back. Once the family's quorum of
    validations is reached the version is published; one sending back returns it to the
    authors."""
    structure = _reviewable(user, version)
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("Choose to validate or to send back.")})
    if decision == ReviewDecision.SEND_BACK and not comment.strip():
        raise ValidationError({"comment": _("Say why you send the version back.")})
    if Review.objects.filter(version=version, reviewer=user).exists():
        raise ValidationError(_("You already reviewed this version."))
    review = Review.objects.create(
        version=version, reviewer=user, structure=structure, decision=decision, comment=comment
    )
    if version.status == VersionStatus.PROPOSED:
        move(VERSIONS, version, VersionStatus.UNDER_REVIEW, by=user)
    if decision == ReviewDecision.SEND_BACK:
        version.decided_at = timezone.now()
        move(VERSIONS, version, VersionStatus.SENT_BACK, by=user, note=comment)
        return review
    validations = version.reviews.filter(decision=ReviewDecision.VALIDATE).count()
    if validations >= version.sheet.family.quorum:
        publish_version(version=version, by=user)
    return review


def publish_version(*, version: SheetVersion, by=None) -> None:
    """The version becomes the one readers see (the previous validated one stays in history)."""
    version.decided_at = timezone.now()
    move(VERSIONS, version, VersionStatus.VALIDATED, by=by)
    sheet = version.sheet
    sheet.published = version
    sheet.title = version.title
    sheet.save(update_fields=["published", "title", "updated_at"])
    _refresh_search(sheet)


@transaction.atomic
def set_review_by(*, user, sheet: Sheet, review_by: datetime.date | None) -> Sheet:
    if not can(user, "edit_sheet", sheet):
        raise PermissionDenied
    sheet.review_by = review_by
    sheet.save(update_fields=["review_by", "updated_at"])
    return sheet


# --- Links --------------------------------------------------------------------------------------


def refresh_text_links(*, sheet: Sheet, text: str) -> list[str]:
    """The links written in the text ([[CODE]]) become the sheet's text links; the codes no
    sheet has are recorded as broken references (shown to the authors). Returns those codes."""
    refs = rendering.references(text)
    types = ensure_link_types(network=sheet.network)
    codes = {ref.code for ref in refs}
    targets = dict(
        Sheet.objects.filter(network=sheet.network_id, code__in=codes).values_list("code", "pk")
    )
    wanted = {
        (targets[ref.code], types.get(ref.type_code, types[rendering.SEE_ALSO]).pk)
        for ref in refs
        if ref.code in targets and targets[ref.code] != sheet.pk
    }
    SheetLink.objects.filter(source=sheet, from_text=True).delete()
    SheetLink.objects.bulk_create(
        [
            SheetLink(source=sheet, target_id=target, link_type_id=type_id, from_text=True)
            for target, type_id in sorted(wanted)
        ],
        ignore_conflicts=True,
    )
    broken = sorted(codes - set(targets))
    BrokenReference.objects.filter(sheet=sheet).delete()
    BrokenReference.objects.bulk_create([BrokenReference(sheet=sheet, code=c) for c in broken])
    return broken


def refresh_references_to(*, sheet: Sheet) -> None:
    """A new sheet mends the references other sheets wrote to its code before it existed."""
    for source in Sheet.objects.filter(
        network=sheet.network_id, broken_references__code=sheet.code
    ).distinct():
        refresh_text_links(sheet=source, text=latest_version(source).body)


@transaction.atomic
def add_link(*, user, source: Sheet, target: Sheet, link_type: LinkType) -> SheetLink:
    if not can(user, "edit_sheet", source):
        raise PermissionDenied
    if source.network_id != target.network_id or link_type.network_id != source.network_id:
        raise ValidationError(_("Both sheets and the type of link belong to one network."))
    if source.pk == target.pk:
        raise ValidationError(_("A sheet does not link to itself."))
    link, _created = SheetLink.objects.get_or_create(
        source=source, target=target, link_type=link_type, from_text=False
    )
    return link


# --- Search text --------------------------------------------------------------------------------


def _refresh_search(sheet: Sheet) -> None:
    """The folded text the search reads: code and title; the published body only (drafts are
    never searchable)."""
    body = sheet.published.body if sheet.published_id else ""
    Sheet.objects.filter(pk=sheet.pk).update(
        search_title=folded(f"{sheet.code} {sheet.code.replace('-', ' ')} {sheet.title}"),
        search_body=folded(body),
    )
