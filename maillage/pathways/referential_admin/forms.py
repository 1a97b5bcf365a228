from django import forms
from django.utils.translation import gettext_lazy as _


class ReferentialEntryForm(forms.Form):
    label_fr = forms.CharField(label=_("Label in French"), max_length=200)
    label_en = forms.CharField(
        label=_("Label in English"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the French label."),
    )

    def __init__(self, *args, extra_fields=(), model=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in extra_fields:
            self.fields[name] = model._meta.get_field(name).formfield()
