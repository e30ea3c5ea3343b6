"""Empty, documented input sheets for a provider, derived from its field description.

``write_template(provider, path, "xlsx")`` writes a workbook whose first sheet, ``Tasks``, has one
header per field (the API names, which header matching recognises), required columns coloured, a
drop-down on every enumeration column and cell formats that keep IDs and phone numbers intact; a
second sheet, ``How to fill``, explains every column. ``"csv"`` writes the header row alone.

The output is byte-for-byte reproducible: document timestamps and zip entry times are pinned.
``python -m bulk_tasks.report.templates templates`` regenerates the committed ``templates/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..check.headers import alias_headers
from ..errors import UsageError
from ..check.dates import PIVOT_SENTENCE, WRITTEN_FORMS
from ..check.kinds import KINDS, TEXT_FORMAT, format_hint
from ..console.wording import CLI, Words
from ..providers import PROVIDERS, get_provider
from ..providers.base import Provider
from ..providers.fields import Field

FORMATS = ("xlsx", "csv")
TASKS_SHEET = "Tasks"
HELP_SHEET = "How to fill"
HELP_COLUMNS = ("Column", "Required", "What it is", "Format", "Example", "Also accepted as")
#: Rows of the Tasks sheet that get drop-downs and input prompts.
DATA_ROWS = "2:5000"
#: Every timestamp written into a template (document properties and zip entries).
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)

REQUIRED_FILL = PatternFill("solid", fgColor="FFD966")
ONE_OF_FILL = PatternFill("solid", fgColor="9BC2E6")
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def default_template_name(provider: Provider, fmt: str) -> str:
    """The template's file name, e.g. ``travtus-tasks-template.xlsx``."""
    return f"{provider.name}-tasks-template.{_check_format(fmt)}"


def write_template(provider: Provider, path: Path, fmt: str, overwrite: bool = False, words: Words = CLI) -> Path:
    """Write an empty input sheet for ``provider`` to ``path`` as ``xlsx`` or ``csv``; return the path.

    An existing file (perhaps a filled-in sheet) is never replaced unless ``overwrite``: ``UsageError``.
    ``words``: the front end the workbook's help speaks of (``wording.PAGE`` for a template from the page).
    """
    fmt = _check_format(fmt)
    path = Path(path)
    data = _xlsx_bytes(provider, words) if fmt == "xlsx" else _csv_bytes(provider)
    try:
        with path.open("wb" if overwrite else "xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise UsageError(f"{path} already exists and may hold your filled-in rows, so bulk-tasks did not "
                         "write over it: choose another file with --output, or add --force to replace it."
                         ) from None
    except OSError as exc:
        raise UsageError(f"Could not write the template to {path} ({exc.strerror}): choose another file "
                         "with --output.") from None
    return path


def regenerate(directory: Path) -> list[Path]:
    """Write every provider's template in every format into ``directory``; return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PROVIDERS:
        provider = get_provider(name)
        for fmt in FORMATS:
            path = directory / default_template_name(provider, fmt)
            written.append(write_template(provider, path, fmt, overwrite=True))
    return written


def required_text(provider: Provider, field: Field) -> str:
    """``yes``, ``one of: a, b`` (a group of which one must be filled) or ``no``."""
    if field.required:
        return "yes"
    group = _group_of(provider, field)
    return "one of: " + ", ".join(group) if group else "no"


def _check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"Unknown template format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    return fmt


def _group_of(provider: Provider, field: Field) -> tuple[str, ...]:
    for group in provider.required_column_groups:
        if len(group) > 1 and field.name in group:
            return group
    return ()


def _csv_bytes(provider: Provider) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(f.name for f in provider.fields)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_bytes(provider: Provider, words: Words = CLI) -> bytes:
    wb = Workbook()
    tasks = wb.active
    tasks.title = TASKS_SHEET
    _fill_tasks_sheet(tasks, provider)
    _fill_help_sheet(wb.create_sheet(HELP_SHEET), provider, words)
    if words is not CLI:
        _say_everywhere(wb, words)
    wb.active = 0
    wb.properties.title = f"{provider.name} tasks template"
    return workbook_bytes(wb)


def workbook_bytes(wb: Workbook) -> bytes:
    """``wb`` as XLSX bytes that are the same on every run (pinned timestamps, fixed zip entry times)."""
    props = wb.properties
    props.creator = props.lastModifiedBy = "bulk-tasks"
    props.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return _pin_zip(buffer.getvalue(), wb)


def _header_fill(provider: Provider, field: Field) -> PatternFill:
    if field.required:
        return REQUIRED_FILL
    return ONE_OF_FILL if _group_of(provider, field) else OPTIONAL_FILL


def _column_width(field: Field) -> float:
    return float(min(50, max(12, len(field.name), len(field.example)) + 3))


def _fill_tasks_sheet(ws: Worksheet, provider: Provider) -> None:
    first, last = DATA_ROWS.split(":")
    for index, field in enumerate(provider.fields, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=field.name)
        cell.font = BOLD
        cell.fill = _header_fill(provider, field)
        cell.number_format = TEXT_FORMAT
        column = ws.column_dimensions[letter]
        column.width = _column_width(field)
        column.number_format = KINDS[field.kind].excel_format
        ws.add_data_validation(_validation(provider, field, f"{letter}{first}:{letter}{last}"))
    ws.freeze_panes = "A2"


def field_prompt(provider: Provider, field: Field) -> str:
    """The input message Excel shows on a cell of ``field``'s column (template and results alike)."""
    prompt = f"{field.help} Format: {format_hint(field, provider)}."
    if field.example:
        prompt += f" Example: {field.example}"
    required = required_text(provider, field)
    if required == "yes":
        return f"Required. {prompt}"
    if required != "no":
        return f"Fill {required}. {prompt}"
    return prompt


def _validation(provider: Provider, field: Field, cells: str) -> DataValidation:
    prompt = field_prompt(provider, field)
    dv = DataValidation(allow_blank=True, showInputMessage=True,
                        promptTitle=field.name[:32], prompt=prompt[:255])
    if field.choices:
        choices = ",".join(field.choices)
        if len(choices) > 250 or any('"' in c or "," in c for c in field.choices):
            raise ValueError(f"{field.name}: choices too long or with commas for an Excel drop-down.")
        dv.type = "list"
        dv.formula1 = f'"{choices}"'
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.errorTitle = f"Not a valid {field.name}"[:32]
        dv.error = f"{field.name} must be one of: {', '.join(field.choices)}. Pick one from the list."
    dv.add(cells)
    return dv


def _say_everywhere(wb: Workbook, words: Words) -> None:
    """Every text of the workbook (cells, input prompts, error messages) in ``words``."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = words.say(cell.value)
        for dv in ws.data_validations.dataValidation:
            dv.prompt = words.say(dv.prompt) if dv.prompt else dv.prompt
            dv.error = words.say(dv.error) if dv.error else dv.error


def _intro_lines(provider: Provider, words: Words = CLI) -> list[str]:
    lines = [
        f"How to fill the {provider.name} tasks sheet",
        "One row per task on the Tasks sheet. Keep the header row; columns may be in any order, "
        "and you may delete the columns you do not use.",
        "Leave a cell empty to leave that field out of the task: empty cells are never sent.",
        "A column may also be headed by any name under Also accepted as below; case, spaces and "
        "punctuation do not matter (Due Date = due_date = DUE-DATE).",
        "Dates and times are read in the time zone given with --timezone (this computer's own zone "
        "unless you say otherwise). A date alone means midnight. Use --dayfirst for dates written 31/12/2026.",
        words.check_step or (f"Check the sheet first: bulk-tasks validate FILE --provider {provider.name}   "
                             f"then send it: bulk-tasks run FILE --provider {provider.name}"),
        "Every run writes a results file with a _status for each row. Fix the rows that did not "
        "go through in that file and run it again: rows already created are not sent twice.",
        "Dates may be written in any of these forms:",
        *(f"  - {form}: {'; '.join(examples)}" for form, examples in WRITTEN_FORMS),
        f"  {PIVOT_SENTENCE}",
    ]
    rules = provider.rules()
    if rules:
        lines.append("Rules that involve several columns:")
        lines.extend(f"  - {rule.rule[0].upper()}{rule.rule[1:]}." for rule in rules)
    return lines


def _fill_help_sheet(ws: Worksheet, provider: Provider, words: Words = CLI) -> None:
    lines = _intro_lines(provider, words)
    for row, line in enumerate(lines, start=1):
        ws.cell(row=row, column=1, value=line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    legend = len(lines) + 2
    for offset, (fill, text) in enumerate((
            (REQUIRED_FILL, "Required column: fill it on every row."),
            (ONE_OF_FILL, "Fill one of these columns on every row (see Required)."),
            (OPTIONAL_FILL, "Optional column."))):
        ws.cell(row=legend + offset, column=1, value="header colour").fill = fill
        ws.cell(row=legend + offset, column=2, value=text)
    header_row = legend + 4
    for column, title in enumerate(HELP_COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=column, value=title)
        cell.font = BOLD
        cell.fill = OPTIONAL_FILL
    for row, field in enumerate(provider.fields, start=header_row + 1):
        values = (field.name, required_text(provider, field), field.help, format_hint(field, provider),
                  field.example, ", ".join(alias_headers(field)))
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column, value=value or None)
            cell.alignment = WRAP
            cell.number_format = TEXT_FORMAT
        ws.cell(row=row, column=1).fill = _header_fill(provider, field)
    for letter, width in zip("ABCDEF", (26, 30, 60, 45, 40, 40)):
        ws.column_dimensions[letter].width = width


def _pin_zip(data: bytes, wb: Workbook) -> bytes:
    """Rewrite the archive with fixed entry times and the pinned document properties."""
    from openpyxl.xml.functions import tostring

    wb.properties.modified = FIXED_TIME
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = core if info.filename == "docProps/core.xml" else source.read(info)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


#: What ``main`` says when it is not told where to write.
NO_FOLDER = ("Say which folder to write the templates into, such as the repository's templates/ folder: "
             "python -m bulk_tasks.report.templates templates")


def main(argv: list[str] | None = None) -> int:
    """Regenerate the templates into DIRECTORY; without one, say so and exit 2 (nothing written)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(NO_FOLDER, file=sys.stderr)
        return 2
    for path in regenerate(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
