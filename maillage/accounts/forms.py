from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import StructureRole, User

WRONG_CREDENTIALS = _(
    "Wrong e-mail address or password. Check both, or reset your password with the link below."
)


class LoginForm(auth_forms.AuthenticationForm):
    """Login by e-mail. One message for every failure: it never tells whether an e-mail exists."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": WRONG_CREDENTIALS,
        # Inactive accounts get the very same answer as wrong passwords.
        "inactive": WRONG_CREDENTIALS,
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        # Unlike Django's form, invited people who never chose a password can ask for a link.
        return User.objects.filter(email__iexact=email.strip(), is_active=True)


class AccountForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["full_name", "language"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("A person without an account receives an e-mail to choose a password."),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, role_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StructureRole.choices)
