"""docs/indicators.md, written from the catalogue (so that the page and the data never differ).

    .venv/bin/python -m maillage.reporting.docs      (rewrites docs/indicators.md)

`tests/reporting/test_catalogue.py` fails while the file differs from `markdown()`.
"""

from pathlib import Path

from django.utils import translation

from .catalogue import DIMENSIONS, GENERAL_RULES, INDICATORS, OVERLAPPING, UNITS

PATH = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"
GROUPS = {
    "persons": "People accompanied",
    "acts": "Professional acts",
    "applications": "Applications and selection",
    "referrals": "Referrals and the closed loop",
    "outcomes": "Outcomes",
    "wandering": "Wandering (errance)",
}


def markdown() -> str:
    from .masking import masking_rule_text

    with translation.override("en"):
        lines = [
            "# Report indicators",
            "",
            "Generated from `maillage/reporting/indicators/indicators.json` by "
            "`python -m maillage.reporting.docs`; do not edit by hand. Every figure of a report "
            "(page, JSON, XLSX, CSV, PDF) is one of these, computed by "
            "`maillage.reporting.selectors.build_report` and checked against an independent "
            "reading of the raw tables in `tests/reporting/test_indicators.py`. The French "
            "texts shown to users are in the same data file.",
            "",
            "## Rules every indicator follows",
            "",
            *[f"- {rule}" for rule in GENERAL_RULES],
            "",
            "## Privacy",
            "",
            masking_rule_text(),
            "",
            "Who reads small counts: a structure's administrators, on their own structure's "
            "report. Everyone else who may read a report (coordinators, funders) reads it masked.",
            "",
        ]
        group = None
        for item in INDICATORS:
            if item.group != group:
                group = item.group
                lines += [f"## {GROUPS[group]}", ""]
            lines += [
                f"### {item.label_en} (`{item.code}`)",
                "",
                f"*{item.label_fr}* — unit: {UNITS[item.unit]}",
                "",
                item.definition_en,
                "",
                f"**Formula.** {item.formula_en}",
                "",
            ]
            if item.part_of:
                parent, dimension, _key = item.part_of
                lines += [f"One row of `{parent}` by {DIMENSIONS[dimension].lower()}.", ""]
            if item.breakdowns:
                parts = []
                for dimension in item.breakdowns:
                    note = (
                        " (a person may count in several rows)"
                        if (
                            item.code,
                            dimension,
                        )
                        in OVERLAPPING
                        else ""
                    )
                    parts.append(f"{DIMENSIONS[dimension].lower()}{note}")
                lines += [f"**Breakdowns.** {', '.join(parts)}.", ""]
        return "\n".join(lines).rstrip() + "\n"


def main() -> None:  # pragma: no cover - a maintenance script
    import django

    django.setup()
    PATH.write_text(markdown(), encoding="utf-8")
    print(f"Wrote {PATH}")


if __name__ == "__main__":  # pragma: no cover
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    main()
