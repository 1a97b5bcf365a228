"""Forms of the import screens: they parse and check input; `services` read files and save.

The upload form asks for the structure only when the user works in several; the mapping form has
one select per field of the entity, listing the file's columns; the values form one select per
value of a referential column that matches no entry (the closest entries first); the
duplicates form one choice per line of the file that looks like a person already recorded.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from maillage.pathways.form_fields import StructureChoiceMixin

from .models import Entity

NOT_IN_FILE = ""
NEW_PERSON = "new"


class UploadForm(StructureChoiceMixin, forms.Form):
    """A file to import: what it holds, and optionally the saved mapping to apply."""

    entity = forms.ChoiceField(
        label=_("What the file holds"),
        choices=Entity.choices,
        help_text=_("One file per kind of record: import the persons before their acts."),
    )
    file = forms.FileField(
        label=_("File to import"),
        help_text=_("A CSV, XLSX (Excel) or ODS (LibreOffice) file."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,.ods,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                "application/vnd.oasis.opendocument.spreadsheet"
            }
        ),
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty: choose a file with a header row and data rows."),
        },
    )
    sheet = forms.CharField(
        label=_("Sheet (optional)"),
        max_length=100,
        required=False,
        help_text=_(
            "For a workbook with one sheet per kind of record: the name of the sheet to read. "
            "Leave empty to read the first sheet."
        ),
    )
    mapping_name = forms.ChoiceField(
        label=_("Saved mapping (optional)"),
        required=False,
        help_text=_(
            "The columns of the file are matched from their headers; a mapping your structure "
            "saved before can be applied instead."
        ),
    )

    def __init__(self, *args, structures, saved_mappings=(), **kwargs):
        """`saved_mappings`: (structure, entity, name) of the mappings the structures kept."""
        super().__init__(*args, **kwargs)
        self.setup_structure(structures)
        several = len(self.structures) > 1
        entity_labels = dict(Entity.choices)
        choices = [("", _("None: match the columns from their headers"))]
        for structure, entity, name in saved_mappings:
            label = f"{entity_labels.get(entity, entity)} — {name}"
            if several:
                label = f"{structure.name} — {label}"
            choices.append((name, label))
        self.fields["mapping_name"].choices = choices
        if len(choices) == 1:
            del self.fields["mapping_name"]

    def clean_sheet(self):
        return " ".join(self.cleaned_data["sheet"].split())


class MappingForm(forms.Form):
    """For each field of the entity, the column of the file that holds it (or none)."""

    without_identifier = forms.BooleanField(
        label=_("This file has no identifier of its rows"),
        required=False,
        help_text=_(
            "Tick it when no column holds your own number or reference of each row: the rows "
            "are then recognised by their content (person, date, type…)."
        ),
    )
    save = forms.BooleanField(label=_("Save this mapping for the next files"), required=False)
    save_as = forms.CharField(
        label=_("Name of the saved mapping"),
        max_length=100,
        required=False,
        help_text=_("For example: “Acts file of the reception desk”."),
    )

    def __init__(self, *args, fields, header, mapping, without_identifier=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["without_identifier"].initial = without_identifier
        columns = [(NOT_IN_FILE, _("— Not in the file —"))] + [
            (column, column) for column in dict.fromkeys(header) if column
        ]
        self.specs = list(fields)
        mapped = {}
        for spec in self.specs:
            name = self.field_name(spec.code)
            mapped[name] = forms.ChoiceField(
                label=spec.label,
                required=False,
                choices=columns,
                initial=mapping.get(spec.code, NOT_IN_FILE),
                help_text=spec.help,
            )
            mapped[name].is_required_field = spec.required
        # The fields of the entity first, then saving the mapping.
        self.fields = {**mapped, **self.fields}

    @staticmethod
    def field_name(code: str) -> str:
        return f"column_{code}"

    def column_fields(self):
        return [self[self.field_name(spec.code)] for spec in self.specs]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("save") and not cleaned.get("save_as", "").strip():
            self.add_error(
                "save_as",
                _("Give the mapping a name to save it, or untick “Save this mapping”."),
            )
        return cleaned

    def mapping(self) -> dict[str, str]:
        """{field code: column header} for the fields found in the file."""
        return {
            spec.code: self.cleaned_data[self.field_name(spec.code)]
            for spec in self.specs
            if self.cleaned_data.get(self.field_name(spec.code))
        }

    def name_to_save(self) -> str:
        return self.cleaned_data["save_as"].strip() if self.cleaned_data.get("save") else ""


class ValuesForm(forms.Form):
    """For each value of a referential column that matches no entry, the entry it means; the
    answers are kept with the saved mapping named `save_as`."""

    save_as = forms.CharField(
        label=_("Keep these answers with the saved mapping"),
        max_length=100,
        help_text=_(
            "The next files uploaded with this mapping (and the files imported from the shell "
            "with it) will read these values without asking."
        ),
        error_messages={"required": _("Give the mapping a name: the values are kept with it.")},
    )

    def __init__(self, *args, entries, mapping_name="", default_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        self.fields["save_as"].initial = mapping_name or default_name
        for index, entry in enumerate(self.entries):
            closest = {code for code, _label in entry.get("candidates", ())}
            choices = [("", _("— Choose the entry it means —"))]
            for code, label in entry.get("options", ()):
                shown = _("%(label)s (closest)") % {"label": label} if code in closest else label
                choices.append((code, shown))
            self.fields[self.field_name(index)] = forms.ChoiceField(
                label=_("“%(value)s” in the column “%(column)s”")
                % {"value": entry["value"], "column": entry.get("column") or entry["field"]},
                help_text=_("%(count)s rows, first on line %(line)s.")
                % {"count": entry.get("count", 0), "line": (entry.get("lines") or ["?"])[0]},
                choices=choices,
                required=False,
            )
        # The values first, then the name of the mapping.
        self.order_fields([self.field_name(i) for i in range(len(self.entries))] + ["save_as"])

    @staticmethod
    def field_name(index: int) -> str:
        return f"value_{index}"

    def value_fields(self):
        return [self[self.field_name(index)] for index in range(len(self.entries))]

    def answers(self) -> dict[str, dict[str, str]]:
        """{field code: {value: entry code}} for the values answered."""
        answered: dict[str, dict[str, str]] = {}
        for index, entry in enumerate(self.entries):
            code = self.cleaned_data.get(self.field_name(index))
            if code:
                answered.setdefault(entry["field"], {})[entry["value"]] = code
        return answered

    def clean(self):
        cleaned = super().clean()
        if self.entries and not any(
            cleaned.get(self.field_name(index)) for index in range(len(self.entries))
        ):
            raise ValidationError(_("Choose, for at least one value, the entry it means."))
        return cleaned


class DuplicatesForm(forms.Form):
    """One choice per line that may be a person already recorded: which one, or a new person."""

    def __init__(self, *args, duplicates, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for duplicate in duplicates:
            line = int(duplicate["line"])
            choices = [
                (str(candidate["id"]), self.candidate_label(candidate))
                for candidate in duplicate.get("candidates", ())
            ]
            choices.append((NEW_PERSON, _("A new person")))
            decided = decisions.get(str(line))
            self.fields[self.field_name(line)] = forms.ChoiceField(
                label=_("Line %(line)s: %(row)s") % {"line": line, "row": duplicate.get("label")}
                if duplicate.get("label")
                else _("Line %(line)s") % {"line": line},
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                initial=str(decided) if decided is not None else None,
            )
            self.lines.append(line)

    @staticmethod
    def field_name(line: int) -> str:
        return f"line_{line}"

    @staticmethod
    def candidate_label(candidate: dict) -> str:
        reasons = ", ".join(candidate.get("reasons") or ())
        return f"{candidate['label']} ({reasons})" if reasons else str(candidate["label"])

    def decisions(self) -> dict[str, int | str]:
        """{line as text: person id, or "new"} for the lines answered."""
        answered = {}
        for line in self.lines:
            value = self.cleaned_data.get(self.field_name(line))
            if value:
                answered[str(line)] = value if value == NEW_PERSON else int(value)
        return answered

    def clean(self):
        cleaned = super().clean()
        if self.lines and not any(cleaned.get(self.field_name(line)) for line in self.lines):
            raise ValidationError(
                _("Choose, for at least one line, the person already recorded or a new person.")
            )
        return cleaned
