"""Apply French translations from JSON files to locale/fr and fill locale/en (msgstr = msgid).

Prints the French entries still missing, so that `make test` does not find them first.
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(paths: list[str]) -> int:
    french: dict[str, str] = {}
    for path in paths:
        if Path(path).is_file():  # an unmatched shell glob stays as it is: skip it
            french.update(json.loads(Path(path).read_text(encoding="utf-8")))
    fr = polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po"))
    for entry in fr:
        if entry.msgid in french and not entry.msgid_plural:
            entry.msgstr = french[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif entry.msgid_plural and entry.msgid in french:
            forms = french[entry.msgid]
            forms = forms if isinstance(forms, list) else [forms, forms]
            entry.msgstr_plural = {0: forms[0], 1: forms[1]}
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    fr.save()
    en = polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))
    for entry in en:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    en.save()
    missing = [e.msgid for e in fr if not e.translated() or "fuzzy" in e.flags]
    for msgid in missing:
        print(f"missing French: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
