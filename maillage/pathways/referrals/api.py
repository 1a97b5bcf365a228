"""The API of referrals: send one, and the receiving structure's answers (accept, decline…)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from maillage.accounts.rules import roles_of
from maillage.directory.models import Structure

from ..api_base import (
    STRUCTURE_HELP,
    VERSIONED_CHANGE,
    PathwaysViewSet,
    PersonRowsFilter,
    ReferralTargetField,
    ReferralTargetOfferField,
    VersionField,
    VisiblePersonField,
    VisibleProjectField,
    acting_structure,
    code_field,
    crud_schema,
    request_user,
    uuid_field,
    versioned_responses,
)
from ..models import DeclineReason, Referral, ReferralStatus
from . import selectors, services


@extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
class ReferredPersonField(VisiblePersonField):
    """Required when referring; null in the answers when the caller may not see the person."""


class ReferralSerializer(serializers.ModelSerializer):
    person = ReferredPersonField(
        help_text="uuid of the person; null when you may not see them (anonymous orientation)."
    )
    project = VisibleProjectField(required=False, allow_null=True)
    from_structure = uuid_field(Structure, read_only=True, allow_null=True)
    to_structure = ReferralTargetField(
        help_text="uuid of a structure sharing a network with the sending structure."
    )
    to_offer = ReferralTargetOfferField(
        required=False, allow_null=True, help_text="A published offer of that structure."
    )
    decline_reason = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    redirected_to = uuid_field(Referral, read_only=True, allow_null=True)
    structure = uuid_field(
        Structure, write_only=True, required=False, help_text="Sending structure. " + STRUCTURE_HELP
    )

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "person",
            "project",
            "origin",
            "from_structure",
            "to_structure",
            "to_offer",
            "reason",
            "shared_info",
            "shares_person_data",
            "status",
            "sent_at",
            "status_changed_at",
            "answered_at",
            "first_meeting_on",
            "closed_at",
            "decline_reason",
            "decline_note",
            "reason_shared_with_person",
            "redirected_to",
            "version",
            "structure",
        ]
        read_only_fields = [
            "origin",
            "shares_person_data",
            "status",
            "sent_at",
            "status_changed_at",
            "answered_at",
            "first_meeting_on",
            "closed_at",
            "decline_note",
            "reason_shared_with_person",
            "version",
        ]

    def to_representation(self, referral):
        data = super().to_representation(referral)
        if not selectors.shows_person(request_user(self), referral):
            data["person"] = None
            data["project"] = None
        return data


class ReferralNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField(required=True)


class ReferralDeclineSerializer(serializers.Serializer):
    decline_reason = code_field(DeclineReason)
    decline_note = serializers.CharField(required=False, allow_blank=True, default="")
    share_reason_with_person = serializers.BooleanField(required=False, default=False)
    version = VersionField(required=True)


class ReferralRedirectSerializer(serializers.Serializer):
    to_structure = ReferralTargetField(
        help_text="The better-placed structure (sharing a network with yours)."
    )
    to_offer = ReferralTargetOfferField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField(required=True)


class ReferralFirstMeetingSerializer(serializers.Serializer):
    first_meeting_on = serializers.DateField()
    first_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="For an anonymous orientation: the name the person gave, to match the record.",
    )
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    version = VersionField(required=True)


class ReferralFilter(PersonRowsFilter):
    status = filters.ChoiceFilter(choices=ReferralStatus.choices)
    direction = filters.ChoiceFilter(
        choices=[("sent", "sent"), ("received", "received")],
        method="filter_direction",
        help_text="'sent' by your structures, or 'received' by them.",
    )

    class Meta:
        model = Referral
        fields = []

    def filter_direction(self, queryset, name, value):
        staff = roles_of(self.request.user).staff_of
        field = "from_structure_id__in" if value == "sent" else "to_structure_id__in"
        return queryset.filter(**{field: staff})


def _referral_action(summary: str, request_serializer):
    return extend_schema(
        summary=summary,
        description=VERSIONED_CHANGE,
        request=request_serializer,
        responses=versioned_responses(ReferralSerializer),
        tags=["pathways"],
    )


@crud_schema("referral", "Referrals", create="Refer a person to another structure")
class ReferralViewSet(PathwaysViewSet):
    """Referrals sent or received by your structures: the closed loop.

    The person is named (`person` not null) only when you may see them.
    """

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    rows = staticmethod(selectors.referrals_for_api)

    def create_object(self, data):
        return services.refer_person(
            person=data["person"],
            from_structure=acting_structure(self.request, data.get("structure")),
            user=self.request.user,
            to_structure=data["to_structure"],
            to_offer=data.get("to_offer"),
            project=data.get("project"),
            reason=data.get("reason", ""),
            shared_info=data.get("shared_info", ""),
        )

    @_referral_action("Accept a referral (receiving structure)", ReferralNoteSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, uuid=None):
        data = self.action_data(ReferralNoteSerializer)
        referral = services.accept_referral(
            referral=self.get_object(),
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action("Decline a referral, with a reason", ReferralDeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, uuid=None):
        data = self.action_data(ReferralDeclineSerializer)
        referral = services.decline_referral(
            referral=self.get_object(),
            user=request.user,
            reason=data["decline_reason"],
            note=data["decline_note"],
            share_reason_with_person=data["share_reason_with_person"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action(
        "Redirect a referral to a better-placed structure (answers the original one)",
        ReferralRedirectSerializer,
    )
    @action(detail=True, methods=["post"])
    def redirect(self, request, uuid=None):
        referral = self.get_object()
        data = self.action_data(ReferralRedirectSerializer, sender=referral.to_structure)
        services.redirect_referral(
            referral=referral,
            user=request.user,
            to_structure=data["to_structure"],
            to_offer=data.get("to_offer"),
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action(
        "Record the first meeting (an anonymous orientation is matched with the name given)",
        ReferralFirstMeetingSerializer,
    )
    @action(detail=True, methods=["post"], url_path="first-meeting", url_name="first-meeting")
    def first_meeting(self, request, uuid=None):
        data = self.action_data(ReferralFirstMeetingSerializer)
        identity = None
        if data["first_name"] or data["last_name"]:
            identity = {
                "first_name": data["first_name"],
                "last_name": data["last_name"],
                "birth_date": data["birth_date"],
            }
        referral = services.record_first_meeting(
            referral=self.get_object(),
            user=request.user,
            met_on=data["first_meeting_on"],
            identity=identity,
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action("Close a referral (receiving structure)", ReferralNoteSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, uuid=None):
        data = self.action_data(ReferralNoteSerializer)
        referral = services.close_referral(
            referral=self.get_object(),
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)

    @_referral_action("Cancel a referral (sending structure)", ReferralNoteSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, uuid=None):
        data = self.action_data(ReferralNoteSerializer)
        referral = services.cancel_referral(
            referral=self.get_object(),
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
        )
        return self.respond(referral)
