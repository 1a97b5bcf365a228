"""Read API of instruments and assessments (/api/v1/instruments/, /api/v1/assessments/), and the
recording of an assessment's answers (refused with each reason, as on the page).

Who: the staff of a structure and the network coordinators (`access_assessments`); assessments
are those of `assessments_visible_to(user)`, the pages' selector: one the caller may not see
answers 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from maillage.accounts.rules import can
from maillage.directory.api import Pagination

from . import services
from .models import Assessment, Instrument, InstrumentVersion
from .scoring import Answer
from .selectors import assessments_visible_to, scores_of


class UsesAssessments(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and can(
            request.user, "access_assessments"
        )


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstrumentVersion
        fields = ["number", "title_fr", "title_en", "loaded_at", "content"]


class InstrumentSerializer(serializers.ModelSerializer):
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = ["code", "family", "versions"]


class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InstrumentSerializer
    permission_classes = [UsesAssessments]
    pagination_class = Pagination
    lookup_field = "code"
    queryset = Instrument.objects.prefetch_related("versions").order_by("code")


class AssessmentSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="version.instrument.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    structure = serializers.UUIDField(source="structure.uuid", read_only=True, allow_null=True)
    subject = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "uuid",
            "instrument",
            "version",
            "subject_kind",
            "subject",
            "context",
            "structure",
            "title",
            "assessed_on",
            "status",
            "answers",
            "scores",
        ]

    def get_subject(self, assessment) -> str:
        subject = assessment.subject
        return str(getattr(subject, "uuid", None) or getattr(subject, "slug", "") or subject.pk)

    def get_answers(self, assessment) -> dict:
        return {
            row.item.key: {"value": row.value, "not_applicable": row.not_applicable}
            for row in assessment.answers.select_related("item")
        }

    def get_scores(self, assessment) -> dict:
        scores = scores_of(assessment)

        def plain(values):
            return {k: (str(v) if v is not None else None) for k, v in values.items()}

        return {
            "criteria": plain(scores.criteria),
            "sections": plain(scores.sections),
            "total": str(scores.total) if scores.total is not None else None,
        }


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text='{"item key": value, or {"not_applicable": true}, …}', allow_empty=False
    )


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer
    permission_classes = [UsesAssessments]
    pagination_class = Pagination
    lookup_field = "uuid"

    def get_queryset(self):
        return assessments_visible_to(self.request.user)

    @extend_schema(request=AnswersSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, uuid=None):
        assessment = self.get_object()
        data = AnswersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = {}
        for key, raw in data.validated_data["answers"].items():
            if isinstance(raw, dict) and raw.get("not_applicable"):
                answers[key] = Answer(None, True)
            else:
                answers[key] = Answer(raw)
        services.record_answers(assessment=assessment, user=request.user, answers=answers)
        return Response(AssessmentSerializer(assessment).data)
