"""A structure's API tokens: its administrators list, create and revoke them.

The key of a new token is shown once, in the answer to the form that created it, and never
stored: only its hash is kept (services/tokens.py).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from maillage.accounts.rules import can
from maillage.core.forms import add_service_errors
from maillage.directory.models import Structure

from ..models import ApiToken
from . import services


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("The software that will use it, e.g. 'CRM of the reception desk'."),
    )


def _managed_structure(request, slug) -> Structure:
    structure = get_object_or_404(Structure, slug=slug)
    if not can(request.user, "manage_api_tokens", structure):
        raise PermissionDenied
    return structure


def api_tokens(request, slug):
    structure = _managed_structure(request, slug)
    form = ApiTokenForm(request.POST or None)
    new_token = raw_key = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, raw_key = services.create_api_token(
                structure=structure, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(structure=structure).select_related("user")
    context = {
        "structure": structure,
        "tokens": tokens,
        "form": form,
        "new_token": new_token,
        "raw_key": raw_key,
    }
    return render(request, "pathways/tokens/list.html", context)


@require_POST
def api_token_revoke(request, slug, pk):
    structure = _managed_structure(request, slug)
    token = get_object_or_404(ApiToken.objects.filter(structure=structure), pk=pk)
    services.revoke_api_token(token=token, user=request.user)
    messages.success(
        request,
        gettext("The token “%(name)s” is revoked: programs using it are refused from now on.")
        % {"name": token.name},
    )
    return redirect("pathways:api_tokens", slug=structure.slug)
