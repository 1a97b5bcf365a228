"""Pages of the knowledge base: thin, every read from `selectors`, every write in `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from maillage.accounts.rules import can, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, Structure

from . import binder as binder_module
from . import graph as graph_module
from . import selectors, services, transfer
from .forms import (
    AttachmentForm,
    CommentForm,
    FamilyForm,
    ImportForm,
    LinkTypeForm,
    ReviewForm,
    SearchForm,
    SheetCreateForm,
    SubjectsForm,
    VersionForm,
)
from .models import Family, LinkType, Sheet, VersionStatus


def _sheet(request, network: str, code: str) -> Sheet:
    return get_object_or_404(
        selectors.sheet_visible_to(request.user).select_related("network", "family", "published"),
        network__slug=network,
        code=code,
    )


def _url(sheet: Sheet, name: str = "sheet") -> str:
    return reverse(f"knowledge:{name}", kwargs={"network": sheet.network.slug, "code": sheet.code})


@login_not_required
@require_safe
def index(request):
    form = SearchForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    filters = {key: data.get(key) or None for key in ("family", "tag", "stage", "structure")}
    query = data.get("q") or ""
    if query:
        sheets = selectors.search_sheets(request.user, query, **filters)
    else:
        sheets = selectors.sheet_list(request.user, **filters)
    families = list(selectors.families_visible_to(request.user).select_related("network"))
    mine = list(selectors.sheets_of_author(request.user)) if request.user.is_authenticated else []
    networks = list(Network.objects.filter(pk__in={f.network_id for f in families}))
    writable = [network for network in networks if can(request.user, "write_sheets", network)]
    managed = [network for network in networks if can(request.user, "manage_knowledge", network)]
    listed = list(sheets[:200])
    listed_networks = {item.network_id for item in listed}
    stages, structures = selectors.filter_choices(networks)
    return render(
        request,
        "knowledge/index.html",
        {
            "form": form,
            "query": query,
            "filters": filters,
            "sheets": listed,
            "families": families,
            "stages": stages,
            "structures": structures,
            "mine": mine,
            "writable_networks": writable,
            "managed_networks": managed,
            # A binder of chosen sheets is made from a list of one network's sheets.
            "chosen_network": listed[0].network if len(listed_networks) == 1 else None,
        },
    )


@login_not_required
@require_safe
def sheet(request, network, code):
    item = _sheet(request, network, code)
    shown = selectors.version_shown(request.user, item)
    member = selectors.is_member_reader(request.user, item)
    latest = item.versions.order_by("-number").first() if member else None
    if shown is None:
        raise Http404
    can_edit = can(request.user, "edit_sheet", item)
    return render(
        request,
        "knowledge/sheet.html",
        {
            "attachments": selectors.attachments_in(item, shown.number),
            "current_attachments": selectors.current_attachments(item) if can_edit else [],
            "attachment_form": AttachmentForm() if can_edit else None,
            "subjects": selectors.subjects_of(request.user, item),
            "sheet": item,
            "shown": shown,
            "html": selectors.render_version(request.user, shown),
            "latest": latest if latest and latest.pk != shown.pk else None,
            "validations": selectors.validations_of(item.published),
            "backlinks": selectors.backlinks(request.user, item),
            "links": selectors.outgoing_links(request.user, item),
            "broken": list(item.broken_references.all())
            if can(request.user, "edit_sheet", item)
            else [],
            "can_edit": can_edit,
            "can_review": can(request.user, "review_sheet", item),
            "member": member,
            "tags": list(item.tags.all()),
        },
    )


def _member_sheet(request, network, code) -> Sheet:
    item = _sheet(request, network, code)
    if not can(request.user, "view_sheet_drafts", item):
        raise Http404
    return item


@require_safe
def versions(request, network, code):
    item = _member_sheet(request, network, code)
    history = selectors.versions_of(item)
    numbers = [v.number for v in history]
    diff = ""
    a = request.GET.get("a", "")
    b = request.GET.get("b", "")
    if a.isdigit() and b.isdigit() and int(a) in numbers and int(b) in numbers:
        by_number = {v.number: v for v in history}
        diff = services.text_diff(
            by_number[int(a)].body,
            by_number[int(b)].body,
            before=f"v{a}",
            after=f"v{b}",
        )
    return render(
        request,
        "knowledge/versions.html",
        {"sheet": item, "history": history, "diff": diff, "a": a, "b": b},
    )


def create(request, network):
    network = get_object_or_404(Network, slug=network)
    if not can(request.user, "write_sheets", network):
        raise PermissionDenied
    families = Family.objects.filter(network=network)
    structures = Structure.objects.filter(pk__in=roles_of(request.user).staff_of, networks=network)
    form = SheetCreateForm(
        request.POST or None, families=families, structures=structures, network=network
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_sheet(
                user=request.user,
                family=data["family"],
                structure=data["structure"],
                code=data["code"],
                title=data["title"],
                body=data["body"],
                is_public=data["is_public"],
                tags=data["tags"].split(","),
                review_by=data["review_by"],
                stages=data["stages"],
                structures=data["structures"],
                offers=data["offers"],
                instruments=data["instruments"],
                working_groups=data["working_groups"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_url(item))
    return render(request, "knowledge/create.html", {"form": form, "network": network})


def edit(request, network, code):
    item = _sheet(request, network, code)
    if not can(request.user, "edit_sheet", item):
        raise PermissionDenied
    latest = item.versions.order_by("-number").first()
    form = VersionForm(
        request.POST or None,
        initial={"based_on": latest.number, "title": latest.title, "body": latest.body},
    )
    diff = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_version(
                user=request.user,
                sheet=item,
                based_on=data["based_on"],
                title=data["title"],
                body=data["body"],
            )
        except services.StaleVersion as stale:
            diff = stale.diff
            form.add_error(None, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Version saved."))
            return redirect(_url(item))
    return render(
        request,
        "knowledge/edit.html",
        {"form": form, "sheet": item, "latest": latest, "diff": diff},
    )


@require_POST
def propose(request, network, code):
    item = _sheet(request, network, code)
    try:
        services.propose_version(user=request.user, version=services.latest_version(item))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The version is proposed to the reviewers."))
    return redirect(_url(item))


def review(request, network, code):
    item = _member_sheet(request, network, code)
    version = services.latest_version(item)
    comment_form = CommentForm(prefix="comment")
    review_form = ReviewForm(prefix="review")
    if request.method == "POST":
        try:
            if "comment-quote" in request.POST:
                comment_form = CommentForm(request.POST, prefix="comment")
                if comment_form.is_valid():
                    services.comment_passage(
                        user=request.user, version=version, **comment_form.cleaned_data
                    )
                    messages.success(request, _("Comment added."))
                    return redirect(_url(item, "review"))
            else:
                review_form = ReviewForm(request.POST, prefix="review")
                if review_form.is_valid():
                    services.review_version(
                        user=request.user, version=version, **review_form.cleaned_data
                    )
                    messages.success(request, _("Review recorded."))
                    return redirect(_url(item))
        except ValidationError as error:
            add_service_errors(
                comment_form if "comment-quote" in request.POST else review_form, error
            )
    reviewable = version.status in (VersionStatus.PROPOSED, VersionStatus.UNDER_REVIEW)
    return render(
        request,
        "knowledge/review.html",
        {
            "sheet": item,
            "version": version,
            "html": selectors.render_version(request.user, version),
            "comments": list(version.comments.select_related("author")),
            "reviews": list(version.reviews.select_related("reviewer", "structure")),
            "comment_form": comment_form,
            "review_form": review_form,
            "can_review": reviewable and can(request.user, "review_sheet", item),
        },
    )


def _family(request, network, family) -> Family:
    return get_object_or_404(
        selectors.families_visible_to(request.user).select_related("network"),
        network__slug=network,
        slug=family,
    )


@login_not_required
@require_safe
def binder(request, network, family):
    item = _family(request, network, family)
    made = binder_module.make_binder(request.user, item)
    pdf = binder_module.binder_pdf(made, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="classeur-{item.slug}.pdf"'
    return response


@login_not_required
@require_safe
def binder_page(request, network, family):
    """The family's binder as one HTML page (cover, contents, every sheet, anchors)."""
    item = _family(request, network, family)
    made = binder_module.make_binder(request.user, item)
    return HttpResponse(binder_module.binder_html(made, html_page=True))


def _chosen(request, network):
    network = get_object_or_404(Network, slug=network)
    codes = [code for code in request.GET.getlist("code") if code][:500]
    made = binder_module.make_binder(request.user, network=network, codes=codes)
    if not made.items:
        raise Http404
    return made


@login_not_required
@require_safe
def chosen_binder(request, network):
    """A binder of chosen sheets (`?code=…&code=…`), as a PDF or (`?format=html`) one page."""
    made = _chosen(request, network)
    if request.GET.get("format") == "html":
        return HttpResponse(binder_module.binder_html(made, html_page=True))
    pdf = binder_module.binder_pdf(made, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="classeur.pdf"'
    return response


@require_safe
def export(request, network, family):
    item = _family(request, network, family)
    if not can(request.user, "manage_knowledge", item.network):
        raise PermissionDenied
    response = HttpResponse(transfer.export_zip(item), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="fiches-{item.slug}.zip"'
    return response


def import_sheets(request, network):
    network = get_object_or_404(Network, slug=network)
    if not can(request.user, "manage_knowledge", network):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = transfer.import_zip(
            network=network,
            user=request.user,
            data=form.cleaned_data["archive"].read(),
            dry_run=form.cleaned_data["dry_run"],
        )
    return render(
        request, "knowledge/import.html", {"form": form, "network": network, "report": report}
    )


@login_not_required
@require_safe
def graph(request, network, family):
    item = _family(request, network, family)
    data = graph_module.family_graph(request.user, item)
    return render(request, "knowledge/graph.html", {"family": item, "graph": data})


# --- Attachments --------------------------------------------------------------------------------


@require_POST
def attachment_add(request, network, code):
    item = _sheet(request, network, code)
    if not can(request.user, "edit_sheet", item):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        limit = services.attachment_max_bytes()
        try:
            services.add_attachment(
                user=request.user,
                sheet=item,
                name=upload.name,
                content=upload.read(limit + 1),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("File attached."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(_url(item) + "#attachments-title")


@require_POST
def attachment_remove(request, network, code, uuid):
    item = _sheet(request, network, code)
    attachment = get_object_or_404(item.attachments, uuid=uuid)
    try:
        services.remove_attachment(user=request.user, attachment=attachment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("File removed from the next version."))
    return redirect(_url(item) + "#attachments-title")


@login_not_required
@require_safe
def attachment_download(request, network, code, uuid):
    item = _sheet(request, network, code)
    attachment = get_object_or_404(selectors.attachment_visible_to(request.user, item), uuid=uuid)
    # Files are small (`services.attachment_max_bytes`): read whole, the file closed at once.
    with attachment.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    if not (item.is_public and item.family.is_public and item.published_id):
        response["Cache-Control"] = "private, no-store"
    return response


# --- What the sheet is about --------------------------------------------------------------------


def subjects(request, network, code):
    item = _sheet(request, network, code)
    if not can(request.user, "edit_sheet", item):
        raise PermissionDenied
    current = selectors.subjects_of(request.user, item)
    initial = {key: [obj.pk for obj in objs] for key, objs in current.items()}
    # Groups the reader cannot see are kept as they are.
    initial["working_groups"] = list(item.working_groups.values_list("pk", flat=True))
    initial["tags"] = ", ".join(tag.label for tag in item.tags.all())
    initial["review_by"] = item.review_by
    form = SubjectsForm(request.POST or None, network=item.network, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_sheet_subjects(
                user=request.user,
                sheet=item,
                stages=data["stages"],
                structures=data["structures"],
                offers=data["offers"],
                instruments=data["instruments"],
                working_groups=data["working_groups"],
                tags=data["tags"].split(","),
                review_by=data["review_by"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_url(item))
    return render(request, "knowledge/subjects.html", {"form": form, "sheet": item})


# --- The network's referential: families and types of link -------------------------------------


def _managed_network(request, network) -> Network:
    network = get_object_or_404(Network, slug=network)
    if not can(request.user, "manage_knowledge", network):
        raise PermissionDenied
    return network


@require_safe
def referential(request, network):
    network = _managed_network(request, network)
    families, types = selectors.referential_of(network)
    return render(
        request,
        "knowledge/referential.html",
        {"network": network, "families": families, "link_types": types},
    )


def family_edit(request, network, family=None):
    network = _managed_network(request, network)
    item = get_object_or_404(Family, network=network, slug=family) if family else None
    initial = (
        {
            "name": item.name,
            "slug": item.slug,
            "description": item.description,
            "code_pattern": item.code_pattern,
            "quorum": item.quorum,
            "is_public": item.is_public,
            "position": item.position,
        }
        if item
        else {"code_pattern": Family._meta.get_field("code_pattern").default, "quorum": 2}
    )
    form = FamilyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_family(
                user=request.user,
                network=network,
                family=item,
                slug=data["slug"],
                name=data["name"],
                description=data["description"],
                code_pattern=data["code_pattern"],
                is_public=data["is_public"],
                quorum=data["quorum"],
                position=data["position"] or 0,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Family saved."))
            return redirect("knowledge:referential", network=network.slug)
    return render(
        request, "knowledge/family_form.html", {"form": form, "network": network, "family": item}
    )


def link_type_edit(request, network, code=None):
    network = _managed_network(request, network)
    item = get_object_or_404(LinkType, network=network, code=code) if code else None
    initial = (
        {
            "code": item.code,
            "label": item.label,
            "inverse_label": item.inverse_label,
            "position": item.position,
        }
        if item
        else {}
    )
    form = LinkTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_link_type(
                user=request.user,
                network=network,
                link_type=item,
                code=data["code"],
                label=data["label"],
                inverse_label=data["inverse_label"],
                position=data["position"] or 0,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Type of link saved."))
            return redirect("knowledge:referential", network=network.slug)
    return render(
        request,
        "knowledge/link_type_form.html",
        {"form": form, "network": network, "link_type": item},
    )


# --- Open data ----------------------------------------------------------------------------------


@login_not_required
@require_safe
def open_data(request):
    """The public sheets as links (CSV): network, code, title, family, validated on, address."""
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="fiches.csv"'
    writer = csv.writer(response)
    writer.writerow(["network", "code", "title", "family", "validated_on", "url"])
    for item in selectors.open_data_sheets().iterator(chunk_size=500):
        writer.writerow(
            [
                item.network.slug,
                item.code,
                item.title,
                item.family.slug,
                item.published.decided_at.date().isoformat() if item.published.decided_at else "",
                request.build_absolute_uri(_url(item)),
            ]
        )
    return response
