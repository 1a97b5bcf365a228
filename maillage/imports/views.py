"""The import screens of an advisor: home (history, upload, template files), mapping, dry run,
progress, result.

Thin views over `forms`, `services` and `selectors`. A run is always fetched through
`selectors.runs_for(user)`, so a run of another structure is a 404. Each screen belongs to a
status of the run; opening the wrong one redirects to the right one (`run_detail` does it too).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from maillage.accounts.rules import can
from maillage.core.exports import csv_response
from maillage.core.forms import add_service_errors
from maillage.pathways.choices import staff_structures

from . import selectors, services, template_files
from .forms import DuplicatesForm, MappingForm, UploadForm, ValuesForm
from .mapping import unmapped_columns
from .models import Entity, ImportStatus

PAGE_SIZE = 30
# The dry-run page shows this many errors, warnings and duplicates; the rest are in the report.
SHOWN_ROWS = 200
SHOWN_DUPLICATES = 100
PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 30
PERSONS_SHOWN = 20

IN_PROGRESS = (ImportStatus.ANALYSING, ImportStatus.IMPORTING)
MAPPABLE = (ImportStatus.UPLOADED, ImportStatus.READY, ImportStatus.REFUSED)
DRY_RUN_DONE = (ImportStatus.READY, ImportStatus.REFUSED)
FINISHED = (ImportStatus.IMPORTED, ImportStatus.UNDONE, ImportStatus.FAILED)


def _import_structures(user) -> list:
    """The structures the user may import into; a 403 when there is none."""
    structures = [s for s in staff_structures(user) if can(user, "import_records", s)]
    if not structures:
        raise PermissionDenied
    return structures


def _run_or_404(request, uuid):
    _import_structures(request.user)
    return get_object_or_404(selectors.runs_for(request.user), uuid=uuid)


def run_url(run) -> str:
    """The screen that fits the run's status."""
    if run.status == ImportStatus.UPLOADED:
        name = "imports:mapping"
    elif run.status in IN_PROGRESS:
        name = "imports:progress"
    elif run.status in DRY_RUN_DONE:
        name = "imports:dry_run"
    else:
        name = "imports:result"
    return reverse(name, kwargs={"uuid": run.uuid})


def _errors_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Home: history, upload, template files ------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def home(request):
    structures = _import_structures(request.user)
    saved = [
        (structure, saved_mapping.entity, saved_mapping.name)
        for structure in structures
        for saved_mapping in selectors.saved_mappings(structure)
    ]
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        structures=structures,
        saved_mappings=saved,
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.upload(
                structure=form.chosen_structure(),
                entity=form.cleaned_data["entity"],
                user=request.user,
                uploaded_file=form.cleaned_data["file"],
                sheet=form.cleaned_data["sheet"],
                mapping_name=form.cleaned_data.get("mapping_name", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("imports:mapping", uuid=run.uuid)

    shown = None
    if len(structures) > 1:
        shown = next((s for s in structures if s.slug == request.GET.get("structure")), None)
    runs = selectors.runs_for(request.user, structure=shown)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "run": run,
            "can_undo": selectors.can_undo(run),
            "counts": [value for _label, value in _counts(run)] if run.counts else None,
        }
        for run in page.object_list
    ]
    context = {
        "form": form,
        "structures": structures,
        "shown_structure": shown,
        "page": page,
        "rows": rows,
        "templates": [
            {"entity": code, "label": label}
            for code, label in Entity.choices
            if code in template_files.entities()
        ],
    }
    return render(request, "imports/home.html", context, status=400 if form.errors else 200)


@require_safe
def template_file(request, entity, file_format):
    structures = _import_structures(request.user)
    if entity not in template_files.entities() or file_format not in template_files.FORMATS:
        raise Http404
    return template_files.response(
        entity, file_format, structure_ids=[structure.pk for structure in structures]
    )


# --- One run -----------------------------------------------------------------------------------


@require_safe
def run_detail(request, uuid):
    return redirect(run_url(_run_or_404(request, uuid)))


@require_http_methods(["GET", "HEAD", "POST"])
def mapping(request, uuid):
    """Which column holds which field; submitting runs the dry run."""
    run = _run_or_404(request, uuid)
    if run.status not in MAPPABLE:
        return redirect(run_url(run))
    preview = selectors.preview(run, rows=PREVIEW_ROWS)
    fields = selectors.fields_for(run.entity)
    form = MappingForm(
        request.POST or None,
        fields=fields,
        header=preview.header,
        mapping=run.mapping,
        without_identifier=run.without_identifier,
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.set_mapping(
                run=run,
                user=request.user,
                mapping=form.mapping(),
                save_as=form.name_to_save(),
                without_identifier=form.cleaned_data["without_identifier"],
            )
            run = services.start_analyse(run=run, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.name_to_save():
                messages.success(
                    request,
                    _("The mapping “%(name)s” is saved for the next files.")
                    % {"name": form.name_to_save()},
                )
            return redirect(run_url(run))
    context = {
        "run": run,
        "form": form,
        "preview": preview,
        # A table of hundreds of columns is of no use to read: the first ones, and how many more.
        "preview_header": preview.header[:PREVIEW_COLUMNS],
        "preview_rows": [(line, cells[:PREVIEW_COLUMNS]) for line, cells in preview.rows],
        "hidden_columns": max(0, len(preview.header) - PREVIEW_COLUMNS),
    }
    return render(request, "imports/mapping.html", context, status=400 if form.errors else 200)


def _shown_duplicates(run) -> list[dict]:
    """The duplicates listed on the page: those still to answer first, then the others."""
    unresolved = selectors.unresolved_duplicates(run)
    waiting = {id(entry) for entry in unresolved}
    answered = [entry for entry in run.duplicates if id(entry) not in waiting]
    return (unresolved + answered)[:SHOWN_DUPLICATES]


def _problems(entries) -> list[dict]:
    return [
        {
            "line": entry.get("line") or "",
            "column": entry.get("column") or "",
            "value": entry.get("value") or "",
            "reason": entry.get("reason") or "",
        }
        for entry in entries[:SHOWN_ROWS]
    ]


def _values_form(run, data=None):
    if not run.unknown_values:
        return None
    return ValuesForm(
        data,
        entries=run.unknown_values,
        mapping_name=run.mapping_name,
        default_name=Entity(run.entity).label,
    )


def _dry_run_context(run, form=None, values_form=None):
    unresolved = selectors.unresolved_duplicates(run)
    if form is None and run.duplicates:
        form = DuplicatesForm(
            duplicates=_shown_duplicates(run), decisions=run.duplicate_decisions or {}
        )
    counts = run.counts or {}
    header = (run.preview or {}).get("header") or []
    return {
        "values_form": values_form or _values_form(run),
        "unmapped_columns": unmapped_columns(header, run.mapping),
        "identifier_columns": run.identifier_columns,
        "identifier_field": selectors.identifier_field(run.entity).label,
        "run": run,
        "counts": _counts(run),
        "error_count": counts.get("errors", len(run.errors)),
        "warning_count": counts.get("warnings", len(run.warnings)),
        "errors": _problems(run.errors),
        "warnings": _problems(run.warnings),
        "duplicates_form": form,
        "unresolved_count": len(unresolved),
        "duplicates_count": len(run.duplicates),
        "may_import": selectors.may_import(run),
        "shown_rows": SHOWN_ROWS,
    }


def _counts(run) -> list[tuple[str, int]]:
    counts = run.counts or {}
    return [
        (_("Rows created"), counts.get("created", 0)),
        (_("Rows updated"), counts.get("updated", 0)),
        (_("Rows unchanged"), counts.get("unchanged", 0)),
        (_("Rows skipped"), counts.get("skipped", 0)),
    ]


@require_safe
def dry_run(request, uuid):
    """What the import would do: counts, errors, warnings, duplicates to resolve."""
    run = _run_or_404(request, uuid)
    if run.status not in DRY_RUN_DONE:
        return redirect(run_url(run))
    return render(request, "imports/dry_run.html", _dry_run_context(run))


@require_POST
def duplicates(request, uuid):
    """The advisor's answers for the probable duplicates: the same person, or a new one."""
    run = _run_or_404(request, uuid)
    if run.status not in DRY_RUN_DONE:
        return redirect(run_url(run))
    form = DuplicatesForm(
        request.POST, duplicates=_shown_duplicates(run), decisions=run.duplicate_decisions or {}
    )
    if form.is_valid():
        try:
            run = services.resolve_duplicates(
                run=run, user=request.user, decisions=form.decisions()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your answers about the duplicates are saved."))
            return redirect(run_url(run))
    return render(request, "imports/dry_run.html", _dry_run_context(run, form), status=400)


@require_POST
def map_values(request, uuid):
    """The advisor's answers for values of referential columns that match no entry: kept with
    the saved mapping, then the dry run again."""
    run = _run_or_404(request, uuid)
    if run.status not in DRY_RUN_DONE:
        return redirect(run_url(run))
    form = _values_form(run, request.POST)
    if form is not None and form.is_valid():
        try:
            run = services.map_values(
                run=run,
                user=request.user,
                answers=form.answers(),
                save_as=form.cleaned_data["save_as"],
            )
            run = services.start_analyse(run=run, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your answers are kept with the mapping “%(name)s”: the file was read again.")
                % {"name": run.mapping_name},
            )
            return redirect(run_url(run))
    if form is None:
        return redirect(run_url(run))
    context = _dry_run_context(run, values_form=form)
    return render(request, "imports/dry_run.html", context, status=400)


@require_POST
def confirm_no_identifier(request, uuid):
    """The advisor confirms that the file has no identifier of its rows: the dry run again."""
    run = _run_or_404(request, uuid)
    if run.status not in DRY_RUN_DONE:
        return redirect(run_url(run))
    try:
        run = services.confirm_no_identifier(run=run, user=request.user)
        run = services.start_analyse(run=run, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
    return redirect(run_url(run))


@require_POST
def commit(request, uuid):
    run = _run_or_404(request, uuid)
    if run.status != ImportStatus.READY:
        messages.error(
            request,
            _("This file cannot be imported in its current state: follow the page's directions."),
        )
        return redirect(run_url(run))
    try:
        run = services.start_commit(run=run, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
        return redirect("imports:dry_run", uuid=run.uuid)
    if run.status == ImportStatus.REFUSED:
        messages.error(
            request,
            _(
                "The records changed since the dry run and the file now has errors: nothing was "
                "imported. Correct the file and send it again."
            ),
        )
    return redirect(run_url(run))


# --- Progress ----------------------------------------------------------------------------------


def _progress_context(run):
    return {
        "run": run,
        "stale": services.is_stale(run),
        "stale_minutes": int(services.stale_after().total_seconds() // 60),
        "done": run.progress_done,
        "total": run.progress_total,
        "percent": round(100 * run.progress_done / run.progress_total) if run.progress_total else 0,
    }


@require_safe
def progress(request, uuid):
    """While a task reads or imports the file; htmx refreshes the bar, a link does without JS."""
    run = _run_or_404(request, uuid)
    if run.status not in IN_PROGRESS:
        return redirect(run_url(run))
    return render(request, "imports/progress.html", _progress_context(run))


@require_safe
def progress_fragment(request, uuid):
    """The progress bar alone (htmx polls it); once the task ends, the browser goes on."""
    run = _run_or_404(request, uuid)
    if run.status not in IN_PROGRESS:
        if request.htmx:
            return HttpResponseClientRedirect(run_url(run))
        return redirect(run_url(run))
    return render(request, "imports/_progress.html", _progress_context(run))


# --- Result, error report, undo ----------------------------------------------------------------


@require_safe
def result(request, uuid):
    run = _run_or_404(request, uuid)
    if run.status not in FINISHED:
        return redirect(run_url(run))
    context = {
        "run": run,
        "counts": _counts(run),
        "can_undo": selectors.can_undo(run),
        "persons": selectors.persons_touched(run, request.user, limit=PERSONS_SHOWN),
        "persons_shown": PERSONS_SHOWN,
        "person_list_url": reverse("pathways:person_list"),
    }
    return render(request, "imports/result.html", context)


@require_safe
def error_report(request, uuid):
    run = _run_or_404(request, uuid)
    header, rows = selectors.error_report_rows(run)
    stamp = timezone.localtime(run.created_at).strftime("%Y-%m-%d-%H%M")
    return csv_response(f"rapport-import-{run.entity}-{stamp}.csv", header, rows)


@require_POST
def undo(request, uuid):
    run = _run_or_404(request, uuid)
    try:
        services.undo(run=run, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
    else:
        messages.success(
            request,
            _("The import of “%(file)s” is undone: what it created is deleted.")
            % {"file": run.file_name},
        )
    return redirect("imports:result", uuid=run.uuid)


@require_POST
def retry(request, uuid):
    """A run that failed, or stopped responding, goes back to its mapping (and dry run)."""
    run = _run_or_404(request, uuid)
    try:
        run = services.retry(run=run, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
    return redirect(run_url(run))


@require_POST
def cancel(request, uuid):
    """Abandon a run that imported nothing: the run and its file are deleted."""
    run = _run_or_404(request, uuid)
    try:
        services.cancel(run=run, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
        return redirect(run_url(run))
    messages.success(
        request,
        _("The import of “%(file)s” is abandoned: its file is deleted.") % {"file": run.file_name},
    )
    return redirect("imports:home")
