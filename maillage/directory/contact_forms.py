"""The public "be contacted" form, with its spam protection: a honeypot field that people never
see, and a signed timestamp that refuses a form sent within seconds or after a day."""

import time

from django import forms
from django.core import signing
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maillage.core.french import fill

from .models import phone_validator

MIN_SECONDS = 3
MAX_AGE_SECONDS = 24 * 3600
_SIGNING_SALT = "maillage.directory.contact.form"

postal_code_validator = RegexValidator(
    r"^[0-9]{5}$", _("A postal code has five digits, e.g. 13001.")
)


def form_token(*, now: float | None = None) -> str:
    """A signed mark of when the form was shown."""
    return signing.dumps({"t": now if now is not None else time.time()}, salt=_SIGNING_SALT)


def token_problem(token: str, *, now: float | None = None) -> str | None:
    """Why a form with this token must be refused, or None when it is fine."""
    now = now if now is not None else time.time()
    try:
        shown_at = float(signing.loads(token or "", salt=_SIGNING_SALT)["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return gettext("The form could not be checked. Please send it again.")
    if now - shown_at > MAX_AGE_SECONDS:
        return gettext(
            "This form was opened more than a day ago. Check your details and send it again."
        )
    if now - shown_at < MIN_SECONDS:
        return gettext("The form was sent too quickly. Wait a few seconds and send it again.")
    return None


def consent_text(structure_name: str) -> str:
    return fill(
        gettext(
            "I agree that %(structure)s keeps these details to contact me about my project. "
            "Only its team sees them, and I can ask for them to be deleted at any time."
        ),
        structure=structure_name,
    )


class TelInput(forms.TextInput):
    input_type = "tel"


class ContactRequestForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        help_text=_("Optional."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Give an e-mail address, a phone number, or both."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        help_text=_("E.g. 06 12 34 56 78."),
        widget=TelInput(attrs={"autocomplete": "tel"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=5,
        required=False,
        validators=[postal_code_validator],
        help_text=_("Optional: it helps the structure suggest a place near you."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=2000,
        required=False,
        help_text=_("A few words about your project and when you can be reached. Optional."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick this box so that the structure may contact you.")},
    )
    # Honeypot: hidden from people by CSS; robots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # Rendered by the template from `form.token` (a bound field would show the stale value).
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_text = consent_text(structure.name)
        self.fields["consent"].label = self.consent_text
        # The timestamp to show: the one sent back while still usable, else a fresh one.
        submitted = self.data.get(self.add_prefix("form_token"), "") if self.is_bound else ""
        usable = submitted and token_problem(submitted, now=time.time() + MIN_SECONDS) is None
        self.token = submitted if usable else form_token()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                gettext("The request could not be sent. Please send it again."),
                code="honeypot",
            )
        problem = token_problem(self.data.get(self.add_prefix("form_token"), ""))
        if problem:
            raise forms.ValidationError(problem, code="token")
        if "email" in cleaned and "phone" in cleaned and not (cleaned["email"] or cleaned["phone"]):
            self.add_error(
                "email",
                forms.ValidationError(
                    gettext(
                        "Give an e-mail address or a phone number so that the structure can "
                        "reach you."
                    ),
                    code="no_contact",
                ),
            )
        return cleaned

    def request_fields(self) -> dict:
        """The fields of the contact request, for `services.create_contact_request`."""
        return {
            name: self.cleaned_data[name]
            for name in ("first_name", "last_name", "email", "phone", "postal_code", "message")
        }


class InboxFilterForm(forms.Form):
    """The advisors' inbox: which requests to list (GET)."""

    ALL = "all"

    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("new", _("New requests")),
            ("handled", _("Handled requests")),
            (ALL, _("All requests")),
        ],
    )

    def selected_status(self) -> str:
        """A ContactRequestStatus value, or "" for all; new requests by default."""
        status = self.cleaned_data.get("status") if self.is_valid() else ""
        status = status or "new"
        return "" if status == self.ALL else status
