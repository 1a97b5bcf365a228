from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReviewDecision


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the sheets"), required=False, max_length=200)
    family = forms.CharField(required=False, widget=forms.HiddenInput)
    tag = forms.CharField(required=False, widget=forms.HiddenInput)
    stage = forms.CharField(required=False, widget=forms.HiddenInput)
    structure = forms.CharField(required=False, widget=forms.HiddenInput)


class SheetCreateForm(forms.Form):
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

    def __init__(self, *args, families, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = families
        self.fields["structure"].queryset = structures


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
