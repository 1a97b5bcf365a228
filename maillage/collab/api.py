"""Read-only API of working groups and meetings (/api/v1/groups/, /api/v1/meetings/).

Lists start from the same selectors as the pages and feeds: `group_visible_to`,
`meeting_visible_to`; the agenda of a meeting is given only to those who read its internals,
and never its internal items to anyone else."""

from django.urls import reverse
from rest_framework import serializers, viewsets

from maillage.accounts.rules import can
from maillage.directory.api import Pagination

from . import selectors
from .models import Meeting, WorkingGroup


class GroupSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()
    purpose = serializers.SerializerMethodField()

    class Meta:
        model = WorkingGroup
        fields = ["uuid", "network", "name", "purpose", "public_description", "join_policy", "url"]

    def get_url(self, group) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("collab:group", kwargs={"uuid": group.uuid})
        )

    def get_purpose(self, group) -> str:
        user = self.context["request"].user
        return group.purpose if can(user, "collab_view_group_internals", group) else ""


class AgendaItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    internal = serializers.BooleanField()


class MeetingSerializer(serializers.ModelSerializer):
    group = serializers.UUIDField(source="group.uuid", read_only=True)
    url = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["uuid", "group", "title", "starts_at", "ends_at", "place", "url", "agenda"]

    def get_url(self, meeting) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("collab:meeting", kwargs={"uuid": meeting.uuid})
        )

    def get_agenda(self, meeting) -> list[dict]:
        user = self.context["request"].user
        if not can(user, "collab_view_group_internals", meeting.group):
            return []
        return AgendaItemSerializer(meeting.items.all(), many=True).data


class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GroupSerializer
    pagination_class = Pagination
    lookup_field = "uuid"

    def get_queryset(self):
        return selectors.group_visible_to(self.request.user).order_by("name", "pk")


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer
    pagination_class = Pagination
    lookup_field = "uuid"

    def get_queryset(self):
        return (
            selectors.meeting_visible_to(self.request.user)
            .prefetch_related("items")
            .order_by("-starts_at", "pk")
        )
