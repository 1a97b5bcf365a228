from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _

from maillage.core.middleware import remember_language

from . import selectors, services
from .forms import AccountForm, LoginForm, PasswordResetForm
from .landing import landing_url


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Without a safe `next`, each role lands on its place (`landing.landing_url`)."""
        return landing_url(self.request.user)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


def account(request):
    """The logged-in user's page: who they are, their roles, their preferences."""
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_account_preferences(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
        )
        # Confirm in the language just chosen.
        translation.activate(request.user.language)
        messages.success(request, _("Your preferences have been saved."))
        response = redirect("accounts:account")
        remember_language(response, request.user.language)
        return response
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "memberships": selectors.structure_memberships_of(request.user),
            "network_roles": selectors.network_roles_of(request.user),
            "managed_structures": selectors.structures_whose_staff_user_manages(request.user),
            "managed_networks": selectors.networks_whose_roles_user_manages(request.user),
        },
    )
