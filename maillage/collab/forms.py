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


# --- Events and representation ------------------------------------------------------------------


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=())
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
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(
        label=_("Shown on the public calendar"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        from .models import EventKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EventKind.choices


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class RepresentativeForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=None)
    structures = forms.ModelMultipleChoiceField(
        label=_("Structures represented"),
        queryset=None,
        help_text=_("Select one or several structures (Ctrl or Cmd + click)."),
    )
    slot = forms.CharField(label=_("Time slot"), max_length=100, required=False)

    def __init__(self, *args, people, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["structures"].queryset = structures


class EventDocumentForm(forms.Form):
    title = forms.CharField(label=_("Document"), max_length=200)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")


# --- Budgets ------------------------------------------------------------------------------------


class BudgetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    is_public = forms.BooleanField(
        label=_("Readable by the public"),
        required=False,
        help_text=_("Visitors of the public site may then read this budget."),
    )


class BudgetCreateForm(BudgetForm):
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    group = forms.ModelChoiceField(
        label=_("Working group"),
        queryset=None,
        required=False,
        empty_label=_("The whole network"),
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.label}"


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        meeting = obj.item.meeting
        return f"{meeting.group.name}, {meeting.starts_at:%d/%m/%Y} · {obj.text[:80]}"


class BudgetLineForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("For example 1, 1.2, 2."))
    label = forms.CharField(label=_("Label"), max_length=200)
    parent = LineChoiceField(
        label=_("Sub-line of"), queryset=None, required=False, empty_label=_("None (a main line)")
    )
    planned = forms.DecimalField(label=_("Planned"), min_value=0, max_digits=12, decimal_places=2)
    committed = forms.DecimalField(
        label=_("Committed"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    actual = forms.DecimalField(
        label=_("Actual"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    decision = DecisionChoiceField(
        label=_("Approved by the decision"),
        queryset=None,
        required=False,
        empty_label=_("Not approved yet"),
    )

    def __init__(self, *args, budget, line=None, **kwargs):
        from .models import BudgetLine, Decision

        super().__init__(*args, **kwargs)
        lines = BudgetLine.objects.filter(budget=budget).order_by("code")
        if line is not None:
            lines = lines.exclude(pk=line.pk)
        self.fields["parent"].queryset = lines
        self.fields["decision"].queryset = (
            Decision.objects.filter(item__meeting__group__network_id=budget.network_id)
            .select_related("item__meeting__group")
            .order_by("-item__meeting__starts_at", "pk")
        )


class ContributionForm(forms.Form):
    structure = forms.ModelChoiceField(label=_("Structure"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    amount = forms.DecimalField(label=_("Value"), min_value=0, max_digits=12, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    quantity = forms.DecimalField(
        label=_("Quantity (days)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=1,
        help_text=_("For staff days: how many days."),
    )
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args, structures, **kwargs):
        from .models import ContributionKind

        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["kind"].choices = ContributionKind.choices


# --- Pooling ------------------------------------------------------------------------------------


class ArrangementForm(forms.Form):
    counterpart = forms.ModelChoiceField(label=_("With"), queryset=None)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    terms = forms.CharField(
        label=_("Terms"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What each party brings, how often, what it costs."),
    )

    def __init__(self, *args, matches, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["counterpart"]
        field.queryset = matches
        field.label_from_instance = lambda entry: f"{entry.structure.name} · {entry.title}"


class JobPostForm(forms.Form):
    """The job description and one share field per structure of the network."""

    description = forms.CharField(
        label=_("Job description"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.structures = list(structures)
        for structure in self.structures:
            self.fields[f"share_{structure.pk}"] = forms.IntegerField(
                label=_("Share carried by %(name)s (%%)") % {"name": structure.name},
                min_value=0,
                max_value=100,
                required=False,
            )

    def shares(self):
        return [
            (structure, self.cleaned_data[f"share_{structure.pk}"])
            for structure in self.structures
            if self.cleaned_data.get(f"share_{structure.pk}")
        ]
