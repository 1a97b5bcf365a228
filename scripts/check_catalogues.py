"""Compare the interface strings of the code with the committed catalogues.

Usage: check_catalogues.py COMMITTED_LOCALE_DIR EXTRACTED_LOCALE_DIR
Exits 1, listing the differences, when a string of the code is missing from a catalogue or a
catalogue keeps a string the code no longer has.
"""

import sys
from pathlib import Path

import polib


def keys(path: Path) -> set[tuple]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in polib.pofile(str(path)) if not e.obsolete}


def main(committed: Path, extracted: Path) -> int:
    problems = []
    for new in sorted(extracted.glob("*/LC_MESSAGES/*.po")):
        name = new.relative_to(extracted)
        old = committed / name
        old_keys = keys(old) if old.exists() else set()
        new_keys = keys(new)
        missing, unused = new_keys - old_keys, old_keys - new_keys
        problems += [f"locale/{name}: missing {key[1]!r}" for key in sorted(missing, key=str)]
        problems += [f"locale/{name}: no longer used {key[1]!r}" for key in sorted(unused, key=str)]
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
