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
from django.utils.translation import gettext as _

from maillage.directory.models import Network, Structure

from . import rendering, services
from .models import Family, LinkType, Sheet, SheetLink, SheetVersion

FRONT = "---\n"
FIELDS = ("code", "title", "family", "structure", "public", "tags", "links")


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


def sheet_markdown(sheet: Sheet, version, links: list[SheetLink], tags: list[str]) -> str:
    meta = {
        "code": sheet.code,
        "title": version.title,
        "family": sheet.family.slug,
        "structure": sheet.structure.slug,
        "public": sheet.is_public,
        "tags": tags,
        "links": [{"type": link.link_type.code, "code": link.target.code} for link in links],
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    body = version.body if version.body.endswith("\n") or not version.body else version.body + "\n"
    return f"{FRONT}{front}{FRONT}{body}"


def export_files(family: Family) -> dict[str, str]:
    """Every sheet of the family (its latest version) as `{filename: text}`."""
    sheets = list(
        Sheet.objects.filter(family=family)
        .select_related("family", "structure")
        .prefetch_related("tags")
        .order_by("code")
    )
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
        )
        for sheet in sheets
    }


def export_zip(family: Family) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in export_files(family).items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            archive.writestr(info, text.encode())
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


def read_zip(data: bytes) -> dict[str, str]:
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith(".md") and not name.startswith("__MACOSX"):
                files[name.rsplit("/", 1)[-1]] = archive.read(name).decode("utf-8")
    return files


def import_zip(*, network: Network, user, data: bytes, dry_run: bool = True) -> ImportReport:
    try:
        files = read_zip(data)
    except (zipfile.BadZipFile, UnicodeDecodeError):
        report = ImportReport(dry_run=dry_run)
        report.errors.append(ImportError_("", 0, _("This is not a zip of Markdown files.")))
        return report
    return import_files(network=network, user=user, files=files, dry_run=dry_run)


def import_files(
    *, network: Network, user, files: dict[str, str], dry_run: bool = True
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
    seen: dict[str, str] = {}
    for item in parsed:
        meta = item.meta
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
            report=report,
        )
    except ValidationError as error:
        report.created, report.updated, report.unchanged = [], [], []
        errors.append(ImportError_("", 0, " ".join(error.messages)))
    return report


@transaction.atomic
def _write(*, network, user, parsed, families, structures, report) -> None:
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
