"""The one way a view puts a service's refusal on its form (issue 14)."""

from django import forms
from django.core.exceptions import ValidationError

from maillage.core.forms import add_service_errors


class AttendanceForm(forms.Form):
    occurred_on = forms.DateField(required=False)
    attendees = forms.CharField(required=False)


def checked_form():
    form = AttendanceForm(data={})
    assert form.is_valid()
    return form


def test_each_message_goes_on_the_field_it_names_or_above_the_form():
    form = checked_form()
    add_service_errors(
        form,
        ValidationError(
            {
                "occurred_on": "This date is in the future.",
                "persons": "Choose at least one person.",
                "structure": "You may not act for this structure.",
            }
        ),
        aliases={"persons": "attendees"},
    )
    assert form.errors["occurred_on"] == ["This date is in the future."]
    assert form.errors["attendees"] == ["Choose at least one person."]
    assert form.non_field_errors() == ["You may not act for this structure."]


def test_an_error_without_a_field_is_shown_above_the_form():
    form = checked_form()
    add_service_errors(form, ValidationError("This referral was answered in the meantime."))
    assert form.non_field_errors() == ["This referral was answered in the meantime."]
    assert not form.is_valid()
