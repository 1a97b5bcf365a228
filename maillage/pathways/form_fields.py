"""Pieces the pathways' forms share: date widget, choice fields, the structure the user acts for.

Forms only parse input and offer the choices the user may make; the services decide and raise
translated errors, which `maillage.core.forms.add_service_errors` shows on the form.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Structure

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def refuse_future(value, message):
    """The date itself, or the error `message` when it is after today."""
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


class StructureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, structure):
        return structure.name


class StructureChoiceMixin:
    """A `structure` select when the user works in several structures; else it is implied.

    The form calls `setup_structure(structures)` with the structures the user may act for;
    the select comes first, since it frames the rest of the form.
    """

    structure_label = _("On behalf of")
    structure_help = _("The structure you act for.")

    def setup_structure(self, structures):
        self.structures = list(structures)
        if len(self.structures) > 1:
            self.fields["structure"] = StructureChoiceField(
                label=self.structure_label,
                queryset=Structure.objects.filter(
                    pk__in=[structure.pk for structure in self.structures]
                ).order_by("name"),
                help_text=self.structure_help,
            )
            self.order_fields(["structure"])

    def chosen_structure(self):
        if "structure" in self.fields:
            return self.cleaned_data["structure"]
        return self.structures[0] if self.structures else None


class VersionedForm(forms.Form):
    """Carries the version of the record the page showed (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, offer):
        return f"{offer.structure.name} — {offer.title}"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session):
        return _("%(offer)s — from %(start)s to %(end)s") % {
            "offer": session.offer.title,
            "start": session.starts_on.strftime("%d/%m/%Y"),
            "end": session.ends_on.strftime("%d/%m/%Y"),
        }


class PersonChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, person):
        return person.display_name
