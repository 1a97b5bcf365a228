"""Managing teams: a structure's staff (its administrators) and a network's roles (coordinators).

Objects are fetched through querysets already limited to what the user may manage, so a user who
may not gets a 404, never someone else's team.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from maillage.core.exports import csv_response
from maillage.core.forms import add_service_errors
from maillage.core.french import fill

from . import selectors, services
from .forms import AddMemberForm, StaffRoleForm
from .models import NetworkRoleKind, StructureRole
from .rules import can


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _managed_structure(request, slug):
    return get_object_or_404(selectors.structures_whose_staff_user_manages(request.user), slug=slug)


def _managed_network(request, slug):
    return get_object_or_404(selectors.networks_whose_roles_user_manages(request.user), slug=slug)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_member(request, form, add):
    """On a valid POST, call the `add` service; return its result, or None (errors on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return add(**form.cleaned_data, added_by=request.user, base_url=_base_url(request))
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def structure_team(request, slug):
    structure = _managed_structure(request, slug)
    form = AddMemberForm(request.POST or None, role_choices=StructureRole.choices)
    membership = _add_member(request, form, partial(services.add_staff_member, structure=structure))
    if membership is not None:
        messages.success(
            request, _("%(person)s has been added to the team.") % {"person": membership.user}
        )
        return redirect("accounts:structure_team", slug=structure.slug)
    return render(
        request,
        "accounts/structure_team.html",
        {
            "structure": structure,
            "members": selectors.staff_of_structure(structure),
            "form": form,
            "role_choices": StructureRole.choices,
            "manages_api_tokens": can(request.user, "manage_api_tokens", structure),
        },
    )


@require_POST
def structure_member_role(request, slug, pk):
    structure = _managed_structure(request, slug)
    membership = get_object_or_404(selectors.staff_of_structure(structure), pk=pk)
    form = StaffRoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_staff_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, fill(_("The role of %(person)s has been changed."), person=membership.user)
            )
    else:
        messages.error(request, _("Choose one of the roles offered in the list."))
    return redirect("accounts:structure_team", slug=structure.slug)


def _confirm_then_remove(request, *, remove, done_message, question, back_url, slug):
    """GET asks for confirmation; POST calls the `remove` service and goes back to the team."""
    if request.method != "POST":
        return render(
            request,
            "accounts/confirm_removal.html",
            {"title": question, "back_url": back_url, "slug": slug},
        )
    try:
        remove()
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, done_message)
    return redirect(back_url, slug=slug)


def structure_member_remove(request, slug, pk):
    structure = _managed_structure(request, slug)
    membership = get_object_or_404(selectors.staff_of_structure(structure), pk=pk)
    return _confirm_then_remove(
        request,
        remove=partial(services.remove_staff_member, membership=membership),
        done_message=_("%(person)s is no longer in the team.") % {"person": membership.user},
        question=fill(
            _("Remove %(person)s from the team of %(place)s?"),
            person=membership.user,
            place=structure.name,
        ),
        back_url="accounts:structure_team",
        slug=structure.slug,
    )


@require_safe
def structure_team_csv(request, slug):
    structure = _managed_structure(request, slug)
    return _roles_csv(f"equipe-{structure.slug}.csv", selectors.staff_of_structure(structure))


def network_team(request, slug):
    network = _managed_network(request, slug)
    form = AddMemberForm(request.POST or None, role_choices=NetworkRoleKind.choices)
    network_role = _add_member(request, form, partial(services.add_network_member, network=network))
    if network_role is not None:
        messages.success(
            request,
            _("%(person)s now has the role %(role)s.")
            % {"person": network_role.user, "role": network_role.get_role_display()},
        )
        return redirect("accounts:network_team", slug=network.slug)
    return render(
        request,
        "accounts/network_team.html",
        {"network": network, "members": selectors.members_of_network(network), "form": form},
    )


def network_member_remove(request, slug, pk):
    network = _managed_network(request, slug)
    network_role = get_object_or_404(selectors.members_of_network(network), pk=pk)
    names = {
        "role": network_role.get_role_display(),
        "person": network_role.user,
        "place": network.name,
    }
    return _confirm_then_remove(
        request,
        remove=partial(services.remove_network_member, network_role=network_role),
        done_message=_("%(person)s no longer has the role %(role)s.") % names,
        question=fill(_("Remove the role %(role)s of %(person)s in %(place)s?"), **names),
        back_url="accounts:network_team",
        slug=network.slug,
    )


@require_safe
def network_team_csv(request, slug):
    network = _managed_network(request, slug)
    return _roles_csv(f"roles-{network.slug}.csv", selectors.members_of_network(network))


def _roles_csv(filename, roles):
    """People and their roles (structure memberships or network roles) as a CSV download."""
    return csv_response(
        filename,
        [_("Name"), _("E-mail address"), _("Role"), _("Added on")],
        (
            (
                role.user.full_name,
                role.user.email,
                role.get_role_display(),
                timezone.localtime(role.created_at).date().isoformat(),
            )
            for role in roles
        ),
    )
