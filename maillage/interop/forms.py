from django import forms
from django.utils.translation import gettext_lazy as _

MAX_FILE_SIZE = 20 * 1024 * 1024


class ImportForm(forms.Form):
    """Two data·inclusion files, at least one of them."""

    structures_file = forms.FileField(
        label=_("Structures file (JSON)"),
        required=False,
        help_text=_("A JSON array of data·inclusion structures (schema v1)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    services_file = forms.FileField(
        label=_("Services file (JSON)"),
        required=False,
        help_text=_("A JSON array of data·inclusion services (schema v1)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean(self):
        cleaned = super().clean()
        files = [cleaned.get("structures_file"), cleaned.get("services_file")]
        if not any(files) and not self.errors:
            raise forms.ValidationError(_("Choose a structures file, a services file, or both."))
        for name in ("structures_file", "services_file"):
            file = cleaned.get(name)
            if file is not None and file.size > MAX_FILE_SIZE:
                self.add_error(name, _("This file is larger than 20 MB."))
        return cleaned
