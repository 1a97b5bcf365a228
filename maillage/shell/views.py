"""The pages of the shell: the site's home and the language switch."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from maillage.accounts import services as account_services
from maillage.core.forms import LanguageForm
from maillage.core.middleware import remember_language
from maillage.directory import selectors as directory_selectors
from maillage.directory.views import render_network_home


@login_not_required
@require_safe
def home(request):
    """The site's home: the home of the network it presents (the largest), else a welcome."""
    network = directory_selectors.default_network()
    if network is not None:
        return render_network_home(request, network)
    return render(request, "core/home.html", {"networks": []})


@login_not_required
@require_POST
def set_language(request):
    """Switch the interface language; remembered in a cookie and, once logged in, on the account."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            account_services.set_user_language(user=request.user, language=language)
        remember_language(response, language)
    return response
