"""Forms of the public site (filters and search): GET forms, never writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Audience, OfferFormat
from .territories import read_visitor_place


class MapFilterForm(forms.Form):
    territory = forms.CharField(
        label=_("Commune or postal code"),
        required=False,
        max_length=100,
        help_text=_("E.g. Marseille, 13001 or 13055."),
    )
    audience = forms.ModelChoiceField(
        label=_("Audience"),
        queryset=Audience.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
        empty_label=_("All audiences"),
    )
    format = forms.ModelChoiceField(
        label=_("Format"),
        queryset=OfferFormat.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
        empty_label=_("All formats"),
    )
    free = forms.BooleanField(label=_("Free of charge only"), required=False)
    upcoming = forms.BooleanField(label=_("With an upcoming session"), required=False)

    def clean_territory(self):
        text = self.cleaned_data["territory"].strip()
        if not text:
            return None
        reading = read_visitor_place(text)
        territory = reading.territory
        if reading.ambiguity:
            # Shown under the field: what the code was read as, and its other reading.
            self.fields["territory"].help_text = reading.ambiguity
        if territory is None:
            raise forms.ValidationError(
                _("No commune matches “%(text)s”: check the spelling or type a postal code."),
                params={"text": text},
                code="unknown_territory",
            )
        return territory

    def filters(self) -> selectors.MapFilters:
        """The filters to apply; fields with errors are ignored (the page says why)."""
        if not self.is_bound:
            return selectors.MapFilters()
        self.is_valid()  # fills cleaned_data with the fields that are valid, and only those
        data = self.cleaned_data
        return selectors.MapFilters(
            territory=data.get("territory"),
            audience=data.get("audience"),
            format=data.get("format"),
            free_only=bool(data.get("free")),
            upcoming_only=bool(data.get("upcoming")),
        )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the directory"), max_length=200, required=False)
