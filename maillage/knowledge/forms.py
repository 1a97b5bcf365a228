from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReviewDecision


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the sheets"), required=False, max_length=200)
    family = forms.CharField(required=False, widget=forms.HiddenInput)
    tag = forms.CharField(required=False, widget=forms.HiddenInput)
    stage = forms.CharField(required=False, widget=forms.HiddenInput)
    structure = forms.CharField(required=False, widget=forms.HiddenInput)


def _multiple(label, help_text=""):
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=None,
        required=False,
        help_text=help_text,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


class SubjectFields(forms.Form):
    """What a sheet is about: Maillage's objects of its network (and the shared instruments)."""

    stages = _multiple(_("Stages of the pathway"))
    structures = _multiple(_("Structures"))
    offers = _multiple(_("Offers"))
    instruments = _multiple(_("Assessment instruments"))
    working_groups = _multiple(_("Working groups"))

    def set_subject_choices(self, network):
        from maillage.assessments.models import Instrument
        from maillage.collab.models import WorkingGroup
        from maillage.directory.models import Offer, Stage, Structure

        self.fields["stages"].queryset = Stage.objects.filter(network=network)
        self.fields["structures"].queryset = Structure.objects.filter(networks=network).order_by(
            "name"
        )
        self.fields["offers"].queryset = (
            Offer.objects.filter(structure__networks=network)
            .select_related("structure")
            .order_by("structure__name", "title")
            .distinct()
        )
        self.fields["instruments"].queryset = Instrument.objects.order_by("code")
        self.fields["working_groups"].queryset = WorkingGroup.objects.filter(network=network)
        self.fields["offers"].label_from_instance = lambda offer: (
            f"{offer.structure.name} · {offer.title}"
        )


class SubjectsForm(SubjectFields):
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_subject_choices(network)


class SheetCreateForm(SubjectFields):
    family = forms.ModelChoiceField(label=_("Family"), queryset=None)
    structure = forms.ModelChoiceField(label=_("Written for the structure"), queryset=None)
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("For example I-C-2-a."))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Refer to another sheet by its code: [[I-C-2-a]] or [[method-for:I-C-2-a]]."),
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    is_public = forms.BooleanField(label=_("Public once validated"), required=False, initial=True)
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, families, structures, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = families
        self.fields["structure"].queryset = structures
        self.set_subject_choices(network)
        # The subject fields after the text.
        self.order_fields(
            ["family", "structure", "code", "title", "body", "tags", "is_public", "review_by"]
        )


class VersionForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Refer to another sheet by its code: [[I-C-2-a]] or [[method-for:I-C-2-a]]."),
    )


class CommentForm(forms.Form):
    quote = forms.CharField(
        label=_("Passage"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Copy the passage of the text you comment on."),
    )
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    archive = forms.FileField(
        label=_("Zip of Markdown files"),
        help_text=_("One .md file per sheet, with its front matter (code, title, family, links)."),
    )
    dry_run = forms.BooleanField(label=_("Dry run (change nothing)"), required=False, initial=True)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image, office document or text file."),
    )


class FamilyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"), max_length=80, help_text=_("In the addresses, e.g. methodes.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    code_pattern = forms.CharField(
        label=_("Code pattern"),
        max_length=200,
        help_text=_("A regular expression every code of the family matches, e.g. I-C-2-a."),
    )
    quorum = forms.IntegerField(
        label=_("Validations needed"),
        min_value=1,
        max_value=20,
        help_text=_("How many reviewers of other structures must validate a version."),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("Unticked: only the network's members read it."),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False)


class LinkTypeForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Written in the texts: [[code:I-C-2-a]]. It cannot change afterwards."),
    )
    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("Read from the sheet, e.g. Method for.")
    )
    inverse_label = forms.CharField(
        label=_("Label read backwards"),
        max_length=100,
        help_text=_("Read from the sheet it points to, e.g. Relies on the method."),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False)
