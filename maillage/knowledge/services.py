"""Every write on sheets: drafts (with optimistic locking), the validation workflow, links.

Keyword-only arguments, one transaction each, `ValidationError` with translated messages.
"""

import datetime
import difflib
import re

from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
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


# Words of the knowledge base's own addresses (/fiches/<network>/<word>/): a sheet coded so
# could never be reached.
RESERVED_CODES = frozenset({"nouvelle", "importer", "referentiel", "classeur", "familles"})


def reserved_code_error(code: str):
    if (code or "").lower() in RESERVED_CODES:
        return _("The code “%(code)s” is a word of the site's addresses: choose another.") % {
            "code": code
        }
    return None


def check_code(family: Family, code: str) -> None:
    if reserved := reserved_code_error(code):
        raise ValidationError({"code": reserved})
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
    instruments=(),
    working_groups=(),
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
    check_subjects(
        network=network,
        stages=stages,
        structures=structures,
        offers=offers,
        working_groups=working_groups,
    )
    sheet.save()
    sheet.tags.set(_tags(network, tags))
    sheet.stages.set(stages)
    sheet.structures.set(structures)
    sheet.offers.set(offers)
    sheet.instruments.set(instruments)
    sheet.working_groups.set(working_groups)
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


# --- Attachments --------------------------------------------------------------------------------

# The files a sheet may carry: extension -> (content type, how the file starts). Office files are
# zips; text files must be UTF-8. Anything else (HTML, SVG, executables…) is refused.
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "odp": ("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
    "md": ("text/markdown", ()),
}
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def attachment_max_bytes() -> int:
    from django.conf import settings

    return getattr(settings, "KNOWLEDGE_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)


def _attachment_version(sheet: Sheet) -> int:
    """The version an attachment added (or removed) now goes with: the draft being written, or
    the next one when the latest is validated. Refused while a version is being reviewed."""
    latest = latest_version(sheet)
    if latest.status in (VersionStatus.DRAFT, VersionStatus.SENT_BACK):
        return latest.number
    if latest.status == VersionStatus.VALIDATED:
        return latest.number + 1
    raise ValidationError(
        _("This version is being reviewed: its attachments change with the next version."),
        code="under_review",
    )


def check_attachment(*, name: str, content: bytes) -> tuple[str, str]:
    """The cleaned file name and its content type, or a translated ValidationError."""
    from django.template.defaultfilters import filesizeformat
    from django.utils.text import get_valid_filename

    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    extension = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _("Files of this type are not accepted. Accepted: %(types)s.")
                % {"types": ", ".join(sorted(ATTACHMENT_TYPES))}
            },
            code="type",
        )
    limit = attachment_max_bytes()
    if len(content) > limit:
        raise ValidationError(
            {
                "file": _("The file is too big (at most %(limit)s).")
                % {"limit": filesizeformat(limit)}
            },
            code="size",
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    content_type, magics = ATTACHMENT_TYPES[extension]
    if magics and not content.startswith(magics):
        raise ValidationError(
            {
                "file": _("The content of the file does not match its extension (.%(ext)s).")
                % {"ext": extension}
            },
            code="content",
        )
    if not magics:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" in text:
            raise ValidationError(
                {"file": _("A text file must be written in UTF-8.")}, code="content"
            )
    try:
        cleaned = get_valid_filename(base)
    except SuspiciousFileOperation:  # a name Django cannot clean is replaced
        cleaned = f"fichier.{extension}"
    if len(cleaned) > 120:
        cleaned = f"{cleaned[:110].rsplit('.', 1)[0]}.{extension}"
    return cleaned, content_type


@transaction.atomic
def add_attachment(*, user, sheet: Sheet, name: str, content: bytes, check_permission: bool = True):
    """Attach a file to the sheet's next text (see `Attachment`)."""
    from django.core.files.base import ContentFile

    from .models import Attachment

    if check_permission and not can(user, "edit_sheet", sheet):
        raise PermissionDenied
    Sheet.objects.select_for_update().filter(pk=sheet.pk).first()
    cleaned, content_type = check_attachment(name=name, content=content)
    number = _attachment_version(sheet)
    if sheet.attachments.filter(name=cleaned, removed_in__isnull=True).exists():
        raise ValidationError(
            {"file": _("This sheet already has a file named %(name)s.") % {"name": cleaned}},
            code="duplicate",
        )
    attachment = Attachment(
        sheet=sheet,
        name=cleaned,
        size=len(content),
        content_type=content_type,
        added_in=number,
        added_by=user,
    )
    # Written last, once every check passed (the row is saved with it).
    attachment.file.save(cleaned, ContentFile(content), save=True)
    return attachment


@transaction.atomic
def remove_attachment(*, user, attachment, check_permission: bool = True) -> None:
    """Take the file off the sheet's next text. A file no validated version ever showed is
    deleted; one a validated version shows stays with that version until the next is validated."""
    sheet = attachment.sheet
    if check_permission and not can(user, "edit_sheet", sheet):
        raise PermissionDenied
    Sheet.objects.select_for_update().filter(pk=sheet.pk).first()
    if attachment.removed_in is not None:
        return
    number = _attachment_version(sheet)
    published = sheet.published.number if sheet.published_id else 0
    if published < attachment.added_in:
        attachment.delete()  # its file goes once committed (signals.py)
        return
    attachment.removed_in = number
    attachment.save(update_fields=["removed_in"])


# --- Links to Maillage's objects ----------------------------------------------------------------


def check_subjects(
    *, network: Network, stages=(), structures=(), offers=(), working_groups=()
) -> None:
    """The stages, structures, offers and working groups a sheet is about belong to its network
    (assessment instruments are shared by every network)."""
    errors = {}
    if any(stage.network_id != network.pk for stage in stages):
        errors["stages"] = _("Choose stages of the network of the sheet.")
    member_structures = set(Structure.objects.filter(networks=network).values_list("pk", flat=True))
    if any(structure.pk not in member_structures for structure in structures):
        errors["structures"] = _("Choose structures of the network of the sheet.")
    if any(offer.structure_id not in member_structures for offer in offers):
        errors["offers"] = _("Choose offers of structures of the network of the sheet.")
    if any(group.network_id != network.pk for group in working_groups):
        errors["working_groups"] = _("Choose working groups of the network of the sheet.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_sheet_subjects(
    *,
    user,
    sheet: Sheet,
    stages=(),
    structures=(),
    offers=(),
    instruments=(),
    working_groups=(),
    tags=None,
    review_by: datetime.date | None = None,
    check_permission: bool = True,
) -> Sheet:
    """What the sheet is about (Maillage's objects), its tags and its "review by" date."""
    if check_permission and not can(user, "edit_sheet", sheet):
        raise PermissionDenied
    check_subjects(
        network=sheet.network,
        stages=stages,
        structures=structures,
        offers=offers,
        working_groups=working_groups,
    )
    sheet.stages.set(stages)
    sheet.structures.set(structures)
    sheet.offers.set(offers)
    sheet.instruments.set(instruments)
    sheet.working_groups.set(working_groups)
    if tags is not None:
        sheet.tags.set(_tags(sheet.network, tags))
    if sheet.review_by != review_by:
        sheet.review_by = review_by
        sheet.save(update_fields=["review_by", "updated_at"])
    return sheet


# --- The network's referential: families and types of link -------------------------------------


@transaction.atomic
def save_family(
    *,
    user,
    network: Network,
    family: Family | None = None,
    slug: str,
    name: str,
    description: str = "",
    code_pattern: str,
    is_public: bool,
    quorum: int,
    position: int = 0,
) -> Family:
    """Create or change a family of the network (its admins: `manage_knowledge`)."""
    if not can(user, "manage_knowledge", network):
        raise PermissionDenied
    errors = {}
    slug = (slug or "").strip()
    if family is not None and family.network_id != network.pk:
        raise PermissionDenied
    if (
        Family.objects.filter(network=network, slug=slug)
        .exclude(pk=family.pk if family else None)
        .exists()
    ):
        errors["slug"] = _("Another family of this network has this short name.")
    if not (name or "").strip():
        errors["name"] = _("A family needs a name.")
    try:
        compiled = re.compile(code_pattern or "")
    except re.error:
        errors["code_pattern"] = _("This pattern is not a valid regular expression.")
    else:
        if not code_pattern or compiled.fullmatch(""):
            errors["code_pattern"] = _("The pattern must refuse an empty code.")
    if quorum is None or quorum < 1:
        errors["quorum"] = _("At least one validation is needed.")
    if errors:
        raise ValidationError(errors)
    if family is not None and code_pattern != family.code_pattern:
        wrong = [
            code
            for code in family.sheets.values_list("code", flat=True)
            if not re.fullmatch(code_pattern, code)
        ]
        if wrong:
            raise ValidationError(
                {
                    "code_pattern": _(
                        "Sheets of this family have codes the new pattern refuses: %(codes)s."
                    )
                    % {"codes": ", ".join(sorted(wrong)[:10])}
                }
            )
    family = family or Family(network=network)
    family.slug = slug
    family.name = name.strip()
    family.description = description
    family.code_pattern = code_pattern
    family.is_public = is_public
    family.quorum = quorum
    family.position = position
    family.full_clean()
    family.save()
    return family


@transaction.atomic
def save_link_type(
    *,
    user,
    network: Network,
    link_type: LinkType | None = None,
    code: str,
    label: str,
    inverse_label: str,
    position: int = 0,
) -> LinkType:
    """Create or rename a type of link of the network, with its label read both ways."""
    if not can(user, "manage_knowledge", network):
        raise PermissionDenied
    if link_type is not None and link_type.network_id != network.pk:
        raise PermissionDenied
    code = (code or "").strip()
    errors = {}
    if link_type is not None and code != link_type.code:
        # Texts write [[type:CODE]]: a type's code, once used, does not change.
        errors["code"] = _("The code of a type of link cannot change (texts use it).")
    elif (
        LinkType.objects.filter(network=network, code=code)
        .exclude(pk=link_type.pk if link_type else None)
        .exists()
    ):
        errors["code"] = _("Another type of link of this network has this code.")
    if not (label or "").strip():
        errors["label"] = _("Say how the link reads from the sheet.")
    if not (inverse_label or "").strip():
        errors["inverse_label"] = _("Say how the link reads from the sheet it points to.")
    if errors:
        raise ValidationError(errors)
    link_type = link_type or LinkType(network=network, code=code)
    link_type.label = label.strip()
    link_type.inverse_label = inverse_label.strip()
    link_type.position = position
    link_type.full_clean()
    link_type.save()
    return link_type


# --- Review-by reminders ------------------------------------------------------------------------


def remind_review_due(*, on: datetime.date | None = None) -> int:
    """E-mail the authors of every sheet whose "review by" date has come, once per date.
    Returns how many e-mails were sent."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from .selectors import sheets_due_for_review

    due = [s for s in sheets_due_for_review(on=on) if s.reminded_for != s.review_by]
    by_author: dict = {}
    for sheet in due:
        for author in sheet.authors.all():
            if author.email and author.is_active:
                by_author.setdefault(author, []).append(sheet)
    site = settings.SITE_URL.rstrip("/")
    for author, sheets in by_author.items():
        with translation.override(getattr(author, "language", None) or "fr"):
            items = [
                (
                    sheet,
                    site
                    + reverse(
                        "knowledge:sheet",
                        kwargs={"network": sheet.network.slug, "code": sheet.code},
                    ),
                )
                for sheet in sheets
            ]
            body = render_to_string("knowledge/email/review_due.txt", {"items": items})
            send_mail(
                _("[Maillage] Sheets to review: %(count)s") % {"count": len(sheets)},
                body,
                None,
                [author.email],
            )
    for sheet in due:
        Sheet.objects.filter(pk=sheet.pk).update(reminded_for=sheet.review_by)
    return len(by_author)
