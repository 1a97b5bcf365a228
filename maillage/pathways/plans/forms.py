"""Forms of the shared plan: its steps, each an offer or an action of a partner structure."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Offer, Structure

from ..choices import network_ids_of
from ..form_fields import DATE_WIDGET, OfferChoiceField, StructureChoiceMixin
from ..models import PlanStepStatus


class PlanForm(StructureChoiceMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_structure(structures)


class PlanStepForm(forms.Form):
    # The step already in the plan this row shows (kept in place when saved), if any.
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    offer = OfferChoiceField(label=_("Offer"), queryset=None, required=False)
    action = forms.CharField(
        label=_("Or an action"),
        max_length=300,
        required=False,
        help_text=_("When the step is not an offer, e.g. 'prepare the business plan'."),
    )
    responsible_structure = forms.ModelChoiceField(label=_("Responsible structure"), queryset=None)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("Status"), choices=PlanStepStatus.choices, initial=PlanStepStatus.PLANNED
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        partners = Structure.objects.filter(networks__in=network_ids_of(user)).distinct()
        self.fields["responsible_structure"].queryset = partners.order_by("name")
        self.fields["offer"].queryset = (
            Offer.objects.filter(structure__in=partners)
            .select_related("structure")
            .order_by("structure__name", "title")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("offer") and not (cleaned.get("action") or "").strip():
            raise ValidationError(_("Choose an offer or describe the action."))
        return cleaned

    def step(self) -> dict:
        data = self.cleaned_data
        step = {
            "offer": data["offer"],
            "action": (data["action"] or "").strip(),
            "responsible_structure": data["responsible_structure"],
            "target_date": data["target_date"],
            "status": data["status"],
        }
        if data.get("id"):
            step["id"] = data["id"]
        return step


PlanStepFormSet = forms.formset_factory(PlanStepForm, extra=2, can_delete=True)
