"""Import and export of sheets as Markdown files with a YAML front matter.

One file per sheet, `<code>.md`:

    ---
    code: I-A-1
    title: L'accueil
    family: pratiques
    structure: apeas
    public: true
    tags:
    - accueil
    links:
    - type: method-for
      code: I-B-2
    stages: [accueil]                 # what the sheet is about (slugs; only when some)
    structures: [apeas]
    offers: [apeas/permanence]        # structure/offer
    instruments: [ess-autodiagnostic] # codes of the assessment instruments
    working_groups: [Accueil]         # names of the network's working groups
    attachments: [grille.pdf]         # files, in the folder <code>/ beside the .md file
    ---
    The text, in Markdown, with [[references]].

An import is all-or-nothing, with a dry run; errors name the file and the line (a duplicate
code, a link or reference to a code that exists nowhere, a family unknown…). Exporting what was
imported gives back the same files.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage.directory.models import Network, Structure

from . import rendering, services
from .models import Attachment, Family, LinkType, Sheet, SheetLink, SheetVersion

FRONT = "---\n"
FIELDS = (
    "code",
    "title",
    "family",
    "structure",
    "public",
    "tags",
    "links",
    "stages",
    "structures",
    "offers",
    "instruments",
    "working_groups",
    "attachments",
)
SUBJECTS = ("stages", "structures", "offers", "instruments", "working_groups")


@dataclass
class ImportError_:
    file: str
    line: int
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    errors: list[ImportError_] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Parsed:
    file: str
    meta: dict
    body: str
    body_line: int  # the line of the file where the body starts
    lines: list[str]

    def line_of(self, key: str, value: str = "") -> int:
        """The line (1-based) of a key of the front matter, or of a value under it."""
        for index, line in enumerate(self.lines[: self.body_line - 1], start=1):
            if (value and value in line) or (not value and line.startswith(f"{key}:")):
                return index
        return 1


# --- Export -------------------------------------------------------------------------------------


def subject_keys(sheet: Sheet) -> dict[str, list[str]]:
    """What the sheet is about, as the keys the front matter writes (prefetched)."""
    return {
        "stages": sorted(stage.slug for stage in sheet.stages.all()),
        "structures": sorted(structure.slug for structure in sheet.structures.all()),
        "offers": sorted(f"{offer.structure.slug}/{offer.slug}" for offer in sheet.offers.all()),
        "instruments": sorted(instrument.code for instrument in sheet.instruments.all()),
        "working_groups": sorted(group.name for group in sheet.working_groups.all()),
    }


def sheet_markdown(
    sheet: Sheet,
    version,
    links: list[SheetLink],
    tags: list[str],
    subjects: dict[str, list[str]] | None = None,
    attachments: list[str] = (),
) -> str:
    meta = {
        "code": sheet.code,
        "title": version.title,
        "family": sheet.family.slug,
        "structure": sheet.structure.slug,
        "public": sheet.is_public,
        "tags": tags,
        "links": [{"type": link.link_type.code, "code": link.target.code} for link in links],
    }
    # Only the keys with a value: a sheet about nothing writes none of them.
    meta.update({key: values for key, values in (subjects or {}).items() if values})
    if attachments:
        meta["attachments"] = list(attachments)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    body = version.body if version.body.endswith("\n") or not version.body else version.body + "\n"
    return f"{FRONT}{front}{FRONT}{body}"


def _family_sheets(family: Family) -> list[Sheet]:
    return list(
        Sheet.objects.filter(family=family)
        .select_related("family", "structure")
        .prefetch_related(
            "tags",
            "stages",
            "structures",
            "offers__structure",
            "instruments",
            "working_groups",
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(removed_in__isnull=True).order_by("name"),
                to_attr="current_attachments",
            ),
        )
        .order_by("code")
    )


def export_files(family: Family, *, sheets: list[Sheet] | None = None) -> dict[str, str]:
    """Every sheet of the family (its latest version) as `{filename: text}`."""
    sheets = sheets if sheets is not None else _family_sheets(family)
    latest = {}
    for version in SheetVersion.objects.filter(sheet__in=sheets).order_by("number"):
        latest[version.sheet_id] = version
    links: dict[int, list[SheetLink]] = {}
    for link in (
        SheetLink.objects.filter(source__in=sheets, from_text=False)
        .select_related("link_type", "target")
        .order_by("link_type__position", "target__code")
    ):
        links.setdefault(link.source_id, []).append(link)
    return {
        f"{sheet.code}.md": sheet_markdown(
            sheet,
            latest[sheet.pk],
            links.get(sheet.pk, []),
            sorted(tag.label for tag in sheet.tags.all()),
            subject_keys(sheet),
            [attachment.name for attachment in sheet.current_attachments],
        )
        for sheet in sheets
    }


def export_zip(family: Family) -> bytes:
    """The family's folder: one .md per sheet, and each sheet's files in a folder named by its
    code (the files of its next version)."""
    sheets = _family_sheets(family)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in export_files(family, sheets=sheets).items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            archive.writestr(info, text.encode())
        for sheet in sheets:
            for attachment in sheet.current_attachments:
                info = zipfile.ZipInfo(
                    f"{sheet.code}/{attachment.name}", date_time=(2000, 1, 1, 0, 0, 0)
                )
                with attachment.file.open("rb") as handle:
                    archive.writestr(info, handle.read())
    return buffer.getvalue()


# --- Import -------------------------------------------------------------------------------------


def parse(file: str, text: str, errors: list[ImportError_]) -> Parsed | None:
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not text.startswith(FRONT):
        errors.append(
            ImportError_(file, 1, _("The file does not start with a front matter (---)."))
        )
        return None
    try:
        end = lines.index("---", 1)
    except ValueError:
        errors.append(ImportError_(file, 1, _("The front matter is not closed (---).")))
        return None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        errors.append(ImportError_(file, line, _("The front matter is not valid YAML.")))
        return None
    if not isinstance(meta, dict):
        errors.append(ImportError_(file, 2, _("The front matter is not valid YAML.")))
        return None
    return Parsed(file, meta, "\n".join(lines[end + 1 :]), end + 2, lines)


MAX_ARCHIVE_MEMBERS = 2000


def read_zip(data: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """The .md files of the archive by name, and the other files by `<code>/<name>` (a sheet's
    attachments), whatever folder the archive puts them all in."""
    files, blobs = {}, {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in sorted(archive.namelist()) if not n.startswith("__MACOSX")]
        markdown = [n for n in names if n.endswith(".md") and not n.endswith("/")]
        root = markdown[0].rsplit("/", 1)[0] + "/" if markdown and "/" in markdown[0] else ""
        limit = services.attachment_max_bytes()
        for name in names[:MAX_ARCHIVE_MEMBERS]:
            if name.endswith("/"):
                continue
            relative = name[len(root) :] if name.startswith(root) else name
            if relative.endswith(".md") and "/" not in relative:
                files[relative] = archive.read(name).decode("utf-8")
            elif relative.count("/") == 1:
                info = archive.getinfo(name)
                # Too big: kept as one byte too many, refused by the attachment check.
                blobs[relative] = (
                    archive.read(name) if info.file_size <= limit else b"\0" * (limit + 1)
                )
    return files, blobs


def import_zip(*, network: Network, user, data: bytes, dry_run: bool = True) -> ImportReport:
    try:
        files, blobs = read_zip(data)
    except (zipfile.BadZipFile, UnicodeDecodeError):
        report = ImportReport(dry_run=dry_run)
        report.errors.append(ImportError_("", 0, _("This is not a zip of Markdown files.")))
        return report
    return import_files(network=network, user=user, files=files, blobs=blobs, dry_run=dry_run)


def _subject_lookup(network: Network) -> dict[str, dict]:
    """Every key the front matter may name, per kind of subject (a few queries)."""
    from maillage.assessments.models import Instrument
    from maillage.collab.models import WorkingGroup
    from maillage.directory.models import Offer, Stage

    return {
        "stages": {s.slug: s for s in Stage.objects.filter(network=network)},
        "structures": {s.slug: s for s in Structure.objects.filter(networks=network)},
        "offers": {
            f"{o.structure.slug}/{o.slug}": o
            for o in Offer.objects.filter(structure__networks=network).select_related("structure")
        },
        "instruments": {i.code: i for i in Instrument.objects.all()},
        "working_groups": {g.name: g for g in WorkingGroup.objects.filter(network=network)},
    }


SUBJECT_ERRORS = {
    "stages": gettext_lazy("Unknown stage of this network: %(key)s."),
    "structures": gettext_lazy("Unknown structure of this network: %(key)s."),
    "offers": gettext_lazy("Unknown offer of this network (structure/offer): %(key)s."),
    "instruments": gettext_lazy("Unknown assessment instrument: %(key)s."),
    "working_groups": gettext_lazy("Unknown working group of this network: %(key)s."),
}


def _check_lists(item: Parsed, errors: list[ImportError_], subjects: dict, blobs: dict) -> None:
    code = str(item.meta.get("code") or "").strip()
    for key in (*SUBJECTS, "attachments"):
        values = item.meta.get(key) or []
        if not isinstance(values, list):
            errors.append(ImportError_(item.file, item.line_of(key), _("A list is expected here.")))
            continue
        for value in values:
            value = str(value)
            if key == "attachments":
                content = blobs.get(f"{code}/{value}")
                if content is None:
                    errors.append(
                        ImportError_(
                            item.file,
                            item.line_of("", value),
                            _("The file %(name)s is not in the folder %(code)s/.")
                            % {"name": value, "code": code},
                        )
                    )
                    continue
                try:
                    services.check_attachment(name=value, content=content)
                except ValidationError as error:
                    errors.append(
                        ImportError_(item.file, item.line_of("", value), " ".join(error.messages))
                    )
            elif value not in subjects[key]:
                errors.append(
                    ImportError_(
                        item.file, item.line_of("", value), SUBJECT_ERRORS[key] % {"key": value}
                    )
                )


def import_files(
    *,
    network: Network,
    user,
    files: dict[str, str],
    blobs: dict[str, bytes] | None = None,
    dry_run: bool = True,
) -> ImportReport:
    """Check every file, then (unless a dry run, and only without any error) write them all."""
    report = ImportReport(dry_run=dry_run)
    errors = report.errors
    parsed = [p for name, text in sorted(files.items()) if (p := parse(name, text, errors))]
    families = {f.slug: f for f in Family.objects.filter(network=network)}
    structures = {s.slug: s for s in Structure.objects.filter(networks=network)}
    types = set(LinkType.objects.filter(network=network).values_list("code", flat=True)) | {
        code for code, _label, _inverse in services.DEFAULT_LINK_TYPES
    }
    existing = set(Sheet.objects.filter(network=network).values_list("code", flat=True))
    subjects = _subject_lookup(network)
    blobs = blobs or {}
    seen: dict[str, str] = {}
    for item in parsed:
        meta = item.meta
        _check_lists(item, errors, subjects, blobs)
        unknown = sorted(set(meta) - set(FIELDS))
        for key in unknown:
            errors.append(
                ImportError_(
                    item.file, item.line_of(key), _("Unknown field “%(field)s”.") % {"field": key}
                )
            )
        code = str(meta.get("code") or "").strip()
        if not code:
            errors.append(ImportError_(item.file, 2, _("The code is missing.")))
            continue
        if code in seen:
            errors.append(
                ImportError_(
                    item.file,
                    item.line_of("code"),
                    _("The code %(code)s is already used by %(file)s.")
                    % {"code": code, "file": seen[code]},
                )
            )
        seen[code] = item.file
        if not str(meta.get("title") or "").strip():
            errors.append(ImportError_(item.file, 2, _("The title is missing.")))
        family = families.get(str(meta.get("family") or ""))
        if family is None:
            errors.append(
                ImportError_(
                    item.file, item.line_of("family"), _("Unknown family of this network.")
                )
            )
        elif reserved := services.reserved_code_error(code):
            errors.append(ImportError_(item.file, item.line_of("code"), reserved))
        elif not re.fullmatch(family.code_pattern, code):
            errors.append(
                ImportError_(
                    item.file,
                    item.line_of("code"),
                    _("The code does not follow the pattern of its family."),
                )
            )
        if meta.get("structure") and meta["structure"] not in structures:
            errors.append(
                ImportError_(
                    item.file, item.line_of("structure"), _("Unknown structure of this network.")
                )
            )
    known = existing | set(seen)
    for item in parsed:
        for link in item.meta.get("links") or []:
            target = str((link or {}).get("code", "")) if isinstance(link, dict) else ""
            kind = str((link or {}).get("type", "")) if isinstance(link, dict) else ""
            if target not in known:
                errors.append(
                    ImportError_(
                        item.file,
                        item.line_of("", f"code: {target}") if target else item.line_of("links"),
                        _("Link to a missing code: %(code)s.") % {"code": target or "∅"},
                    )
                )
            elif kind not in types:
                errors.append(
                    ImportError_(
                        item.file,
                        item.line_of("", f"type: {kind}") if kind else item.line_of("links"),
                        _("Unknown type of link: %(type)s.") % {"type": kind or "∅"},
                    )
                )
        for ref in rendering.references(item.body):
            if ref.code not in known:
                errors.append(
                    ImportError_(
                        item.file,
                        item.body_line + ref.line - 1,
                        _("Reference to a missing code: %(code)s.") % {"code": ref.code},
                    )
                )
    if errors or dry_run:
        report.created = sorted(c for c in seen if c not in existing)
        report.updated = sorted(c for c in seen if c in existing)
        return report
    try:
        _write(
            network=network,
            user=user,
            parsed=parsed,
            families=families,
            structures=structures,
            subjects=subjects,
            blobs=blobs,
            report=report,
        )
    except ValidationError as error:
        report.created, report.updated, report.unchanged = [], [], []
        errors.append(ImportError_("", 0, " ".join(error.messages)))
    return report


@transaction.atomic
def _write(*, network, user, parsed, families, structures, subjects, blobs, report) -> None:
    default_structure = Structure.objects.filter(networks=network).order_by("name").first()
    sheets = {}
    for item in parsed:
        meta = item.meta
        code = str(meta["code"]).strip()
        title = str(meta["title"]).strip()
        sheet = Sheet.objects.filter(network=network, code=code).first()
        structure = structures.get(meta.get("structure")) or default_structure
        if sheet is None:
            sheet = services.create_sheet(
                user=user,
                family=families[meta["family"]],
                code=code,
                title=title,
                body=item.body,
                structure=structure,
                is_public=bool(meta.get("public", True)),
                tags=[str(t) for t in meta.get("tags") or []],
                check_permission=False,
            )
            report.created.append(code)
        else:
            latest = services.latest_version(sheet)
            if latest.title == title and latest.body == item.body:
                report.unchanged.append(code)
            else:
                services.save_version(
                    user=user,
                    sheet=sheet,
                    based_on=latest.number,
                    title=title,
                    body=item.body,
                    check_permission=False,
                )
                report.updated.append(code)
        sheets[code] = sheet
        about = {
            key: [subjects[key][str(value)] for value in meta.get(key) or []] for key in SUBJECTS
        }
        if any(about.values()) or any(getattr(sheet, key).exists() for key in SUBJECTS):
            services.set_sheet_subjects(
                user=user, sheet=sheet, review_by=sheet.review_by, check_permission=False, **about
            )
        _sync_attachments(user=user, sheet=sheet, names=meta.get("attachments") or [], blobs=blobs)
    types = services.ensure_link_types(network=network)
    for item in parsed:
        source = sheets[str(item.meta["code"]).strip()]
        SheetLink.objects.filter(source=source, from_text=False).delete()
        for link in item.meta.get("links") or []:
            target = sheets.get(link["code"]) or Sheet.objects.get(
                network=network, code=link["code"]
            )
            SheetLink.objects.get_or_create(
                source=source, target=target, link_type=types[link["type"]], from_text=False
            )
        services.refresh_text_links(sheet=source, text=item.body)
    if not report.ok:
        raise ValidationError(_("The import was cancelled."))


def _sync_attachments(*, user, sheet: Sheet, names: list, blobs: dict[str, bytes]) -> None:
    """The sheet's next version carries exactly the listed files (same name and content kept)."""
    wanted = {str(name): blobs[f"{sheet.code}/{name}"] for name in names}
    for attachment in Attachment.objects.filter(sheet=sheet, removed_in__isnull=True):
        content = wanted.get(attachment.name)
        if content is not None:
            with attachment.file.open("rb") as handle:
                if handle.read() == content:
                    del wanted[attachment.name]
                    continue
        services.remove_attachment(user=user, attachment=attachment, check_permission=False)
    for name, content in sorted(wanted.items()):
        services.add_attachment(
            user=user, sheet=sheet, name=name, content=content, check_permission=False
        )
