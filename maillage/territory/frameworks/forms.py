from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.assessments.models import Instrument
from maillage.reporting.catalogue import INDICATORS

from ..models import MeasurementKind, ScoreAggregate, ScorePart


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class IndicatorForm(forms.Form):
    criterion = forms.ChoiceField(label=_("Criterion"))
    name = forms.CharField(label=_("Name of the indicator"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        required=False,
        help_text=_(
            "Names the indicator in spreadsheets of values; made from the name if left empty."
        ),
    )
    kind = forms.ChoiceField(label=_("Measurement"), choices=MeasurementKind.choices)
    report_code = forms.ChoiceField(
        label=_("Figure of Maillage's report"),
        required=False,
        help_text=_("For a computed indicator only."),
    )
    instrument = forms.ModelChoiceField(
        label=_("Instrument of the assessments"),
        queryset=Instrument.objects.order_by("code"),
        required=False,
        help_text=_("For an indicator measured by an assessment's score only."),
    )
    score_part = forms.ChoiceField(
        label=_("Score"), choices=[("", "—"), *ScorePart.choices], required=False
    )
    score_key = forms.SlugField(
        label=_("Key of the section or criterion"),
        max_length=80,
        required=False,
        help_text=_("As the instrument's file names it (e.g. governance)."),
    )
    aggregate = forms.ChoiceField(
        label=_("Over a period's assessments"),
        choices=[("", "—"), *ScoreAggregate.choices],
        required=False,
    )
    unit = forms.CharField(label=_("Unit"), max_length=60, required=False)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=12, decimal_places=2)
    source = forms.CharField(label=_("Source"), max_length=255, required=False)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [
            (str(c.pk), f"{c.dimension.name} — {c.name}") for c in criteria
        ]
        self.fields["report_code"].choices = [("", "—")] + [
            (item.code, item.label) for item in INDICATORS
        ]


class MeasurementForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class ValuesFileForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet of values (XLSX, ODS or CSV)"),
        help_text=_("Columns: indicator code, period (the year), value, comment."),
    )


class DefinitionFileForm(forms.Form):
    file = forms.FileField(
        label=_("Framework file (YAML or JSON)"),
        help_text=_("As a framework's “Definition (YAML)” link writes it."),
    )
