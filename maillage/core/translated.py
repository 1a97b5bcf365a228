"""Content in the reader's language: the network's own texts (stages, offers, structures'
statements) in French, with an English version where one is written.

A model lists its `translated_fields`; each has a twin `<field>_en` (blank when not written).
Templates read `obj.tr.<field>`: the English twin when the interface is in English and the twin
is written, else the French text. Forms and services keep working on the French field and its
twin as two plain fields, so nothing is ever saved in the wrong one (see docs/architecture.md,
"Translated content").
"""

from django.utils.translation import get_language

SOURCE_LANGUAGE = "fr"


def reader_language() -> str:
    return (get_language() or SOURCE_LANGUAGE).split("-")[0]


class Localised:
    """`obj`'s translated fields read in the active language (attribute access)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name: str):
        obj = self._obj
        if name in getattr(obj, "translated_fields", ()):
            language = reader_language()
            if language != SOURCE_LANGUAGE:
                value = getattr(obj, f"{name}_{language}", "")
                if value:
                    return value
        return getattr(obj, name)


class TranslatedContent:
    """Mixin of the models with translated content fields."""

    translated_fields: tuple[str, ...] = ()

    @property
    def tr(self) -> Localised:
        return Localised(self)
