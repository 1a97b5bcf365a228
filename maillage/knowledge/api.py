"""Read API of the sheets: what `sheet_visible_to` lets the caller read, in its shown version."""

from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from maillage.directory.api import Pagination

from . import selectors
from .models import Sheet


class SheetSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    family = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    # What the sheet is about, among the directory's public objects.
    stages = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    structures = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    version = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    validated_at = serializers.DateTimeField(source="published.decided_at", default=None)
    body = serializers.SerializerMethodField()

    class Meta:
        model = Sheet
        fields = [
            "network",
            "code",
            "title",
            "family",
            "tags",
            "stages",
            "structures",
            "is_public",
            "version",
            "status",
            "validated_at",
            "body",
        ]

    def get_version(self, sheet) -> int | None:
        return sheet.published.number if sheet.published_id else None

    def get_status(self, sheet) -> str:
        return sheet.published.status if sheet.published_id else "draft"

    def get_body(self, sheet) -> str:
        # The validated text only: drafts stay on the members' pages.
        return sheet.published.body if sheet.published_id else ""


class SheetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SheetSerializer
    permission_classes = [AllowAny]
    pagination_class = Pagination

    def get_queryset(self):
        params = self.request.query_params
        return selectors.sheet_list(
            self.request.user,
            family=params.get("family"),
            tag=params.get("tag"),
            stage=params.get("stage"),
            structure=params.get("structure"),
        ).prefetch_related("stages", "structures")
