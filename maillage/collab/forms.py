"""HTML forms of the network's life; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    AttendanceStatus,
    Audience,
    DecisionMethod,
    GroupMember,
    JoinPolicy,
    MemberStatus,
)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    public_description = forms.CharField(
        label=_("Public description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(label=_("Shown on the public site"), required=False)
    join_policy = forms.ChoiceField(label=_("Joining"), choices=JoinPolicy.choices)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M"],
        required=False,
    )
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item to discuss"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    internal = forms.BooleanField(
        label=_("Internal to the group (never published)"), required=False
    )


def _members(meeting):
    return GroupMember.objects.filter(
        group=meeting.group, status=MemberStatus.ACTIVE
    ).select_related("user")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.full_name or obj.user.email


class AttendanceForm(forms.Form):
    member = MemberChoiceField(label=_("Member"), queryset=GroupMember.objects.none())
    status = forms.ChoiceField(label=_("Attendance"), choices=AttendanceStatus.choices)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _members(meeting)


class ItemMinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes of this item"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.ChoiceField(label=_("How it was taken"), choices=DecisionMethod.choices)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=255)
    owner = MemberChoiceField(label=_("Owner"), queryset=GroupMember.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, meeting, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = _members(meeting)
        if members is not None:  # read once for every item's form of a page
            field.choices = [("", field.empty_label)] + [
                (member.pk, field.label_from_instance(member)) for member in members
            ]


class PublishForm(forms.Form):
    audience = forms.ChoiceField(label=_("Publish to"), choices=Audience.choices)


class AmendForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("What you changed"), max_length=500, required=False)


class BudgetImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX file"))


class PoolingEntryForm(forms.Form):
    structure = forms.ModelChoiceField(label=_("Structure"), queryset=None)
    direction = forms.ChoiceField(label=_("Offer or need"), choices=())
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, structures, **kwargs):
        from .models import PoolingDirection, PoolingKind

        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["direction"].choices = PoolingDirection.choices
        self.fields["kind"].choices = PoolingKind.choices
