"""API authentication by a structure's token: `Authorization: Bearer mlg_xxxxxxxx.<secret>`.

The request then acts as the token's user with their roles narrowed to the token's structure
(`rules.restrict_roles_to_structure`): everything else (rules, selectors, services) is unchanged.
Browser sessions keep working beside it (DRF's SessionAuthentication, with CSRF).
"""

import hmac

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from maillage.accounts.rules import forget_roles, restrict_roles_to_structure, roles_of

from .models import ApiToken
from .tokens.services import hash_key, mark_api_token_used, split_key

KEYWORD = "Bearer"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the key after 'Bearer', in one piece."))
        try:
            raw_key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        return self.authenticate_key(raw_key)

    def authenticate_key(self, raw_key: str):
        invalid = exceptions.AuthenticationFailed(_("This API key is not valid."))
        parts = split_key(raw_key)
        if parts is None:
            raise invalid
        token = ApiToken.objects.select_related("user", "structure").filter(prefix=parts[0]).first()
        if token is None or not hmac.compare_digest(token.key_hash, hash_key(raw_key)):
            raise invalid
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        user = token.user
        if not user.is_active:
            raise invalid
        forget_roles(user)
        if token.structure_id not in roles_of(user).staff_of:
            # Its author left the structure: the token died with their membership.
            raise invalid
        restrict_roles_to_structure(user, token.structure_id)
        mark_api_token_used(token)
        return user, token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "structureToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A structure's API token, created by a structure admin on the token page "
                "(/suivi/structures/<slug>/jetons/), sent as `Authorization: Bearer <key>`. "
                "The call acts as the token's author, with their rights in that structure only."
            ),
        }
