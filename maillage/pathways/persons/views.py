"""Advisors' pages of the pathways app: the home, persons and what hangs on them.

Thin views over `forms`, `services` and `selectors`. A person page asks `rules` first: a refused
read is logged (PersonAccess, granted=False) and answered 403; a granted read is logged too.
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maillage.accounts.rules import can
from maillage.core.dates import spreadsheet_date
from maillage.core.exports import csv_response
from maillage.core.forms import add_service_errors

from ..choices import staff_structures
from ..models import Consent, ConsentScope, Person, Project
from ..view_helpers import person_or_403, person_url, require_pathways
from . import selectors, services
from .forms import (
    ConsentForm,
    NoteForm,
    PersonCreateForm,
    PersonForm,
    PersonSearchForm,
    ProjectForm,
)

PAGE_SIZE = 50


def _require_pathways(request) -> list:
    require_pathways(request.user)
    return staff_structures(request.user)


# --- Home --------------------------------------------------------------------------------------


@require_safe
def home(request):
    """The advisor's home: caseload, referrals both ways, sessions, quiet persons, news."""
    _require_pathways(request)
    context = {
        "home": selectors.advisor_home(request.user),
        "links": {
            "referral_inbox": reverse("pathways:referral_inbox"),
            "notifications": reverse("pathways:notifications"),
            "act_create": reverse("pathways:act_create"),
        },
    }
    return render(request, "pathways/home.html", context)


# --- Persons -----------------------------------------------------------------------------------


@require_safe
def person_list(request):
    _require_pathways(request)
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    persons = selectors.search_persons(request.user, query)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "pathways/persons/list.html", {"form": form, "page": page, "query": query}
    )


@require_safe
def person_list_csv(request):
    _require_pathways(request)
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    # Reading the rows logs each person of the file (channel export).
    exported = selectors.persons_export(request.user, query)
    header = [
        _("Last name"),
        _("First name"),
        _("Birth date"),
        _("E-mail address"),
        _("Phone"),
        _("Postal code"),
        _("Situation"),
        _("Last activity"),
    ]
    rows = (
        [
            person.last_name,
            person.first_name,
            spreadsheet_date(person.birth_date),
            person.email,
            person.phone,
            person.postal_code,
            person.situation.label if person.situation else "",
            spreadsheet_date(person.last_activity_on),
        ]
        for person in exported
    )
    return csv_response("personnes.csv", header, rows)


@require_http_methods(["GET", "HEAD", "POST"])
def person_create(request):
    """A new person; probable duplicates are shown first, before anything is saved."""
    structures = _require_pathways(request)
    form = PersonCreateForm(request.POST or None, user=request.user, structures=structures)
    duplicates, elsewhere, signature = [], None, ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signature = form.duplicate_signature()
        probe = {name: data[name] for name in PROBE_FIELDS}
        if request.POST.get("link"):
            return _link_known_person(request, form, probe)
        if request.POST.get("confirm") != signature:
            duplicates = selectors.probable_duplicates(request.user, **probe)
            if not duplicates:
                # The same person known elsewhere in the network: told by consent only.
                elsewhere = selectors.network_matches(request.user, **probe) or None
        if not duplicates and not elsewhere:
            try:
                person = _create_person(request, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(person)s is recorded.") % {"person": person})
                return redirect(person_url(person))
    context = {
        "form": form,
        "duplicates": duplicates,
        "elsewhere": elsewhere,
        "signature": signature,
    }
    return render(request, "pathways/persons/create.html", context)


PROBE_FIELDS = ("first_name", "last_name", "birth_date", "email", "phone")


def _link_known_person(request, form, probe):
    """The advisor links the person known elsewhere (who shares with the network) instead of
    recording them again; only a person the same check proposed for this input may be linked."""
    shared = selectors.network_matches(request.user, **probe).shared
    person = next((p for p in shared if str(p.uuid) == request.POST["link"]), None)
    if person is None:
        raise Http404
    services.accompany_known_person(
        person=person, structure=form.chosen_structure(), user=request.user
    )
    messages.success(
        request, _("%(person)s is now accompanied by your structure.") % {"person": person}
    )
    return redirect(person_url(person))


def _create_person(request, form):
    structure = form.chosen_structure()
    with transaction.atomic():
        person = services.create_person(
            structure=structure, user=request.user, **form.person_fields()
        )
        if form.cleaned_data["share_with_network"]:
            services.give_consent(
                person=person,
                user=request.user,
                structure=structure,
                scope=ConsentScope.NETWORK_SHARING,
                method=form.cleaned_data["consent_method"],
            )
    return person


@require_safe
def person_detail(request, uuid):
    merged = Person.objects.filter(uuid=uuid, merged_into__isnull=False).first()
    if merged is not None and can(request.user, "view_person", merged.merged_into):
        return redirect(person_url(merged.merged_into))  # an old link to a merged duplicate
    person = person_or_403(request, uuid)
    page = selectors.person_page(request.user, person)
    # An erased person accepts nothing new (the services refuse it): no action is offered.
    may_record = not person.is_anonymised
    may_change = may_record and can(request.user, "change_person", person)
    context = {
        "page": page,
        "person": person,
        "may_change": may_change,
        "may_record": may_record,
        "actions": {
            "refer": may_record
            and reverse("pathways:referral_create", kwargs={"uuid": person.uuid}),
            "apply": may_record
            and reverse("pathways:application_create", kwargs={"uuid": person.uuid}),
            "record_act": may_record
            and reverse("pathways:person_act_create", kwargs={"uuid": person.uuid}),
            "export_json": can(request.user, "export_person_data", person)
            and reverse("pathways:person_export_json", kwargs={"uuid": person.uuid}),
            "export_pdf": can(request.user, "export_person_data", person)
            and reverse("pathways:person_export_pdf", kwargs={"uuid": person.uuid}),
            "erase": may_record
            and can(request.user, "erase_person", person)
            and reverse("pathways:person_erase", kwargs={"uuid": person.uuid}),
            "merge": may_change and reverse("pathways:person_merge", kwargs={"uuid": person.uuid}),
        },
    }
    return render(request, "pathways/persons/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def person_edit(request, uuid):
    """Identity and contact, with optimistic locking: a stale save keeps the input."""
    person = person_or_403(request, uuid, "change_person")
    # The form works on a copy: the page keeps the saved name while the input is corrected.
    form = PersonForm(request.POST or None, instance=copy.copy(person), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                person=form.instance,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **form.person_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The record is saved."))
            return redirect(person_url(person))
    return render(request, "pathways/persons/edit.html", {"form": form, "person": person})


# --- Consents and notes ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def consent_add(request, uuid):
    person = person_or_403(request, uuid, "change_person")
    form = ConsentForm(request.POST or None, structures=staff_structures(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.give_consent(
                person=person,
                user=request.user,
                structure=form.chosen_structure(),
                scope=form.cleaned_data["scope"],
                method=form.cleaned_data["method"],
                proof=form.cleaned_data["proof"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect(person_url(person))
    return render(request, "pathways/persons/consent_form.html", {"form": form, "person": person})


@require_POST
def consent_withdraw(request, uuid, pk):
    person = person_or_403(request, uuid, "change_person")
    consent = get_object_or_404(Consent, person=person, pk=pk)
    consent.person = person
    try:
        services.withdraw_consent(consent=consent, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The consent “%(scope)s” is withdrawn.") % {"scope": consent.get_scope_display()},
        )
    return redirect(person_url(person))


@require_http_methods(["GET", "HEAD", "POST"])
def note_add(request, uuid):
    person = person_or_403(request, uuid)
    form = NoteForm(request.POST or None, structures=staff_structures(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_note(
                person=person,
                structure=form.chosen_structure(),
                user=request.user,
                body=form.cleaned_data["body"],
                is_shared=form.cleaned_data["is_shared"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The note is saved."))
            return redirect(person_url(person))
    return render(request, "pathways/persons/note_form.html", {"form": form, "person": person})


# --- The shared plan ---------------------------------------------------------------------------


# --- Projects and outcomes ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def project_create(request, uuid):
    person = person_or_403(request, uuid)
    form = ProjectForm(
        request.POST or None,
        user=request.user,
        structures=staff_structures(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.create_project(
                structure=form.chosen_structure(),
                user=request.user,
                persons=[person],
                **form.project_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is recorded."))
            return redirect(person_url(person))
    context = {"form": form, "person": person, "project": None}
    return render(request, "pathways/persons/project_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def project_edit(request, uuid):
    project = get_object_or_404(Project, uuid=uuid)
    persons = list(project.persons.all())
    if not persons:
        raise PermissionDenied
    for person in persons:
        person_or_403(request, person.uuid)
    person = persons[0]
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(
                project=project,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **form.project_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect(person_url(person))
    context = {"form": form, "person": person, "project": project}
    return render(request, "pathways/persons/project_form.html", context)
