"""The API of applications: record one, change its status along the state machine."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from maillage.directory.models import Offer, OfferSession, Structure

from ..api_base import (
    VERSIONED_CHANGE,
    PathwaysViewSet,
    PersonRowsFilter,
    ReferralTargetField,
    ReferralTargetOfferField,
    VersionField,
    VisiblePersonField,
    VisibleProjectField,
    VisibleReferralField,
    code_field,
    crud_schema,
    uuid_field,
    versioned_responses,
)
from ..models import Application, ApplicationStatus, EndReason, NoNextStepReason, Referral
from . import selectors, services


class ApplicationSerializer(serializers.ModelSerializer):
    person = VisiblePersonField()
    project = VisibleProjectField(required=False, allow_null=True)
    offer = uuid_field(Offer, help_text="uuid of the offer (its structure receives it).")
    session = uuid_field(OfferSession, required=False, allow_null=True)
    structure = uuid_field(Structure, read_only=True, help_text="The offer's structure.")
    next_step_referral = uuid_field(Referral, read_only=True, allow_null=True)
    no_next_step_reason = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    end_reason = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    submitted_on = serializers.DateField(required=False, help_text="Default: today.")

    class Meta:
        model = Application
        fields = [
            "uuid",
            "person",
            "project",
            "offer",
            "session",
            "structure",
            "status",
            "submitted_on",
            "status_changed_at",
            "decided_at",
            "next_step_referral",
            "no_next_step_reason",
            "no_next_step_note",
            "end_reason",
            "end_note",
            "version",
        ]
        read_only_fields = [
            "status",
            "status_changed_at",
            "decided_at",
            "no_next_step_note",
            "end_note",
            "version",
        ]


class ApplicationTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, help_text="The new status.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField(required=True)
    next_step_referral = VisibleReferralField(
        required=False,
        allow_null=True,
        help_text="For 'not_selected': uuid of a referral of the person already sent.",
    )
    refer_to_structure = ReferralTargetField(
        required=False,
        allow_null=True,
        help_text=(
            "For 'not_selected': refer the person to this structure in the same call (one "
            "sharing a network with the offer's structure)."
        ),
    )
    refer_to_offer = ReferralTargetOfferField(required=False, allow_null=True)
    referral_reason = serializers.CharField(required=False, allow_blank=True, default="")
    no_next_step_reason = code_field(
        NoNextStepReason,
        required=False,
        allow_null=True,
        help_text="For 'not_selected' without a referral: why there is no next step.",
    )
    no_next_step_note = serializers.CharField(required=False, allow_blank=True, default="")
    end_reason = code_field(
        EndReason, required=False, allow_null=True, help_text="For 'dropped_out'."
    )
    end_note = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationFilter(PersonRowsFilter):
    status = filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = Application
        fields = []


@crud_schema("application", "Applications", create="Record an application to an offer")
class ApplicationViewSet(PathwaysViewSet):
    """Applications of persons you may see; the offer's structure decides them."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    rows = staticmethod(selectors.applications_for_api)

    def create_object(self, data):
        return services.submit_application(
            person=data["person"],
            offer=data["offer"],
            user=self.request.user,
            session=data.get("session"),
            project=data.get("project"),
            submitted_on=data.get("submitted_on"),
        )

    @extend_schema(
        summary="Change the status of an application",
        description=(
            "Follows the application's state machine. 'not_selected' needs a next step: "
            "`next_step_referral`, `refer_to_structure` (a referral sent in the same call) or "
            "`no_next_step_reason`; otherwise 400. " + VERSIONED_CHANGE
        ),
        request=ApplicationTransitionSerializer,
        responses=versioned_responses(ApplicationSerializer),
        tags=["pathways"],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, uuid=None):
        application = self.get_object()
        data = self.action_data(ApplicationTransitionSerializer, sender=application.structure)
        application = services.change_application_status(
            application=application,
            user=request.user,
            to_status=data["status"],
            note=data["note"],
            expected_version=data["version"],
            next_step_referral=data.get("next_step_referral"),
            refer_to_structure=data.get("refer_to_structure"),
            refer_to_offer=data.get("refer_to_offer"),
            referral_reason=data["referral_reason"],
            no_next_step_reason=data.get("no_next_step_reason"),
            no_next_step_note=data["no_next_step_note"],
            end_reason=data.get("end_reason"),
            end_note=data["end_note"],
        )
        return self.respond(application)
