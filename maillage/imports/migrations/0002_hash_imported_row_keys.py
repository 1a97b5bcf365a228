"""ImportedRow.key keeps an HMAC of the row's key, no longer the key fields in clear (issue 13).

The existing keys are hashed exactly as `pipeline.core.protect_key` now hashes the keys of a
file, so importing an earlier file again still finds its rows (idempotent). Not reversible.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations

KEY_DERIVATION = b"maillage.imports.ImportedRow.key:"  # as in pipeline.core
BATCH = 2_000


def _protect(raw: str, secret: bytes) -> str:
    return "h:" + hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest()


def hash_keys(apps, schema_editor):
    ImportedRow = apps.get_model("imports", "ImportedRow")
    salt = getattr(settings, "IMPORT_KEY_SALT", "")
    secret = (
        salt.encode() if salt else hashlib.sha256(KEY_DERIVATION + settings.SECRET_KEY.encode()).digest()
    )
    rows = ImportedRow.objects.exclude(key__startswith="h:").only("pk", "key").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        for row in batch:
            row.key = _protect(row.key, secret)
        ImportedRow.objects.bulk_update(batch, ["key"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial")]

    operations = [migrations.RunPython(hash_keys, migrations.RunPython.noop, elidable=False)]
