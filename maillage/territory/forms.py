from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Structure

from .models import (
    RESOURCE_FIELDS,
    ActorKind,
    ActorLevel,
    ProfileProposal,
    RelationNature,
    RelationObject,
)

SCORES = [
    (0, _("0 — none")),
    (1, _("1 — weak")),
    (2, _("2 — medium")),
    (3, _("3 — strong")),
]


class ActorForm(forms.Form):
    name = forms.CharField(label=_("Name of the actor"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActorKind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=ActorLevel.choices)
    structure = forms.ModelChoiceField(
        label=_("Structure in the directory"),
        queryset=Structure.objects.none(),
        required=False,
        help_text=_("When the actor is a structure of the network's directory."),
    )

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        if system.structure_id:
            networks = system.structure.networks.all()
            queryset = Structure.objects.filter(networks__in=networks).distinct()
        else:
            queryset = system.network.structures.all()
        self.fields["structure"].queryset = queryset.order_by("name")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = ProfileProposal
        fields = ["references", "practices", *RESOURCE_FIELDS, "resources_note"]
        widgets = {
            "references": forms.Textarea(attrs={"rows": 3}),
            "practices": forms.Textarea(attrs={"rows": 3}),
            "resources_note": forms.Textarea(attrs={"rows": 2}),
            **{name: forms.Select(choices=SCORES) for name in RESOURCE_FIELDS},
        }


class RelationForm(forms.Form):
    nature = forms.ChoiceField(
        label=_("Dominant nature"),
        choices=[("", _("No relation")), *RelationNature.choices],
        required=False,
    )
    object = forms.ChoiceField(
        label=_("Object of the relation"),
        choices=[("", _("No relation")), *RelationObject.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
