"""Referential rows from data files.

Each app declares `REFERENTIALS = {"app_label.Model": Path(".../file.json")}` in its `apps.py`
config; after every migrate (and every test flush) the missing codes are created. Existing rows
are never overwritten: what a coordinator relabelled stays as they left it.

A file is a JSON array of objects with `code`, `label_fr`, `label_en` and any other field of the
model (e.g. `di_types`).
"""

import json
from pathlib import Path

from django.apps import apps


def sync_file(model_label: str, path: Path, *, using: str = "default") -> int:
    """Create the rows of `path` whose code is missing; return how many were created."""
    model = apps.get_model(model_label)
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    existing = set(model._default_manager.using(using).values_list("code", flat=True))
    new = [
        model(position=index, **entry)
        for index, entry in enumerate(entries, start=1)
        if entry["code"] not in existing
    ]
    model._default_manager.using(using).bulk_create(new)
    return len(new)


def sync_referentials(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: sync the referentials declared by the app that was migrated."""
    for model_label, path in getattr(sender, "REFERENTIALS", {}).items():
        sync_file(model_label, path, using=using)
