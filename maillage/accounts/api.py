from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .rules import roles_of


class RolesSerializer(serializers.Serializer):
    is_platform_admin = serializers.BooleanField()
    advisor_of = serializers.ListField(child=serializers.IntegerField())
    structure_admin_of = serializers.ListField(child=serializers.IntegerField())
    coordinator_of = serializers.ListField(child=serializers.IntegerField())
    funder_of = serializers.ListField(child=serializers.IntegerField())


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    language = serializers.CharField()
    roles = RolesSerializer()


@extend_schema(responses=MeSerializer, summary="The logged-in user and their roles (ids)")
@api_view(["GET"])
def me(request):
    roles = roles_of(request.user)
    data = {
        "email": request.user.email,
        "full_name": request.user.full_name,
        "language": request.user.language,
        "roles": {
            "is_platform_admin": roles.is_platform_admin,
            "advisor_of": sorted(roles.advisor_of),
            "structure_admin_of": sorted(roles.admin_of),
            "coordinator_of": sorted(roles.coordinator_of),
            "funder_of": sorted(roles.funder_of),
        },
    }
    return Response(MeSerializer(data).data)
