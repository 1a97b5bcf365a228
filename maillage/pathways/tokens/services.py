"""API tokens of a structure: created with a key shown once (only its hash is kept), revoked.

A key reads `mlg_xxxxxxxx.<secret>`: the part before the dot is the token's visible prefix (how
the token page and the logs name it), the whole key is hashed with SHA-256. The secret has 256
bits of entropy, so a plain (unsalted) hash is enough and lets a request find its token by the
prefix in one query.
"""

import hashlib
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..common import require
from ..models import ApiToken

KEY_PREFIX = "mlg_"
SEPARATOR = "."
PREFIX_SHAPE = re.compile(re.escape(KEY_PREFIX) + "[0-9a-f]+")


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def split_key(raw_key: str) -> tuple[str, str] | None:
    """The prefix and secret of a key, or None when it is not shaped like one of ours."""
    prefix, separator, secret = raw_key.partition(SEPARATOR)
    # Hex digits only after "mlg_": anything else (a NUL character, which PostgreSQL refuses in
    # a query) is not one of ours, and is not looked up.
    if not separator or not PREFIX_SHAPE.fullmatch(prefix) or not secret:
        return None
    return prefix, secret


@transaction.atomic
def create_api_token(*, structure, user, name: str) -> tuple[ApiToken, str]:
    """A new token acting as `user` for `structure`; returns it with the raw key (shown once)."""
    require(user, "manage_api_tokens", structure)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the token after the software that will use it.")})
    while True:
        prefix = KEY_PREFIX + secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw_key = f"{prefix}{SEPARATOR}{secrets.token_urlsafe(32)}"
    token = ApiToken(
        structure=structure, user=user, name=name, prefix=prefix, key_hash=hash_key(raw_key)
    )
    token.full_clean()
    token.save()
    return token, raw_key


@transaction.atomic
def revoke_api_token(*, token: ApiToken, user) -> ApiToken:
    """The token stops working at once (idempotent); the row stays for the record."""
    require(user, "manage_api_tokens", token.structure)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def mark_api_token_used(token: ApiToken, *, every_seconds: int = 60) -> None:
    """Remember when the token was last used, writing at most once a minute."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= every_seconds:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
