"""The fast paths of issue 13 write the same results files as the code they replaced.

The replaced functions are kept below, as they were on main before the change (reading through a
``StringIO`` and a flat cleaning pass, cell checks with the pandas string accessor, one payload dict
per row, ``json.dumps`` per payload, the results table by ``.loc``, per-cell CSV quoting). The test
runs ``validate`` once with them patched in and once without, on generated inputs full of awkward
cells, and compares the files: CSV byte for byte, XLSX cell for cell.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bulk_tasks import api
from bulk_tasks.report import table as outcomes, write as results
from bulk_tasks.shape import prepare as preparing
from bulk_tasks.read import table as reading
from bulk_tasks.check import rows as validation
from bulk_tasks.shape import payloads as payloads_module
from bulk_tasks.check.headers import is_results_column
from bulk_tasks.shape.csv_fields import csv_field
from bulk_tasks.errors import EmptyInputError, UnreadableFileError
from bulk_tasks.shape.identity import row_identity
from bulk_tasks.shape.payloads import Payloads, normalize_column
from bulk_tasks.shape.prepare import ReadOptions, prepare
from bulk_tasks.report.write import PAYLOAD_COLUMN, RESULT_COLUMNS
from bulk_tasks.statuses import Outcome, RowStatus
from bulk_tasks.check.rows import RowError
from bulk_tasks.check.values import empty_column, excel_error, looks_scientific, map_unique
from helpers import write_csv, write_xlsx

# --- the replaced code ---------------------------------------------------------------------------


def old_clean(values: pd.DataFrame) -> pd.DataFrame:
    cells = values.to_numpy(dtype=object)
    flat = [value.strip() or None if type(value) is str else reading._clean_cell(value)
            for value in cells.ravel().tolist()]
    cleaned = np.array(flat, dtype=object).reshape(cells.shape) if flat else cells
    return pd.DataFrame(cleaned, index=values.index, columns=values.columns, dtype=object)


def old_read_csv(path: Path) -> tuple[list[str], pd.DataFrame]:
    text = reading.decode(path, path.read_bytes())
    if not text.strip():
        raise EmptyInputError("empty")
    if "\x00" in text:
        raise UnreadableFileError("NUL")
    raw = pd.read_csv(io.StringIO(text), sep=reading.sniff_delimiter(text), header=None, dtype=str,
                      keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c")
    cleaned = old_clean(raw)
    headers = [value or "" for value in cleaned.iloc[0].tolist()]
    return headers, cleaned.iloc[1:].reset_index(drop=True).set_axis(range(cleaned.shape[1]), axis=1)


def old_read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], pd.DataFrame, str]:
    rows, title = reading.read_xlsx_rows(path, sheet)
    width = max(len(row) for row in rows)
    table = old_clean(pd.DataFrame([row + [None] * (width - len(row)) for row in rows], dtype=object))
    headers = [value or "" for value in table.iloc[0].tolist()]
    return headers, table.iloc[1:].reset_index(drop=True), title


def old_field_frame(frame, match, provider) -> pd.DataFrame:
    header_of = match.header_of
    columns = {spec.name: frame[header_of[spec.name]] if spec.name in header_of
               else empty_column(frame.index) for spec in provider.fields}
    return pd.DataFrame(columns, index=frame.index)


def old_cell_problems(fields, provider, reader) -> dict[tuple[int, str], str]:
    problems: dict[tuple[int, str], str] = {}
    for spec in provider.fields:
        present = fields[spec.name].dropna()
        if present.empty:
            continue
        for row, text in present[present.str.startswith("#")].items():
            code = excel_error(text)
            if code is not None:
                problems[(row, spec.name)] = validation.EXCEL_ERROR_RULE.format(code=code)
        for row in present.index[present.str.len() > validation.EXCEL_CELL_LIMIT]:
            problems.setdefault((row, spec.name), validation.CELL_LIMIT_RULE)
        if spec.kind.value == "phone":
            for row in present[map_unique(present, looks_scientific).astype(bool)].index:
                problems.setdefault((row, spec.name), validation.SCIENTIFIC_PHONE_RULE)
        elif spec.kind.value == "datetime":
            unread = present[map_unique(present, reader.datetime).isna()]
            if not unread.empty:
                why = map_unique(unread, lambda text: validation._unread_date_rule(text, reader))
                for row, rule in why.dropna().items():
                    problems.setdefault((row, spec.name), rule)
    return problems


def old_build_payloads(fields, provider, reader) -> dict[int, dict[str, Any]]:
    specs = [spec for spec in provider.fields if spec.name in fields and fields[spec.name].notna().any()]
    columns = [normalize_column(spec, fields[spec.name], provider, reader).tolist() for spec in specs]
    built = []
    for values in zip(*columns) if specs else ([] for _ in range(len(fields))):
        payload: dict[str, Any] = {}
        for spec, value in zip(specs, values):
            if value is None:
                continue
            if len(spec.path) == 1:
                payload[spec.path[0]] = value
            else:
                payload.setdefault(spec.path[0], {})[spec.path[1]] = value
        built.append(payload)
    return dict(zip(fields.index.tolist(), built))


def old_identify(prepared, payloads: dict[int, dict[str, Any]], allow_duplicates: bool,
                 invalid_keys: dict[int, str] | None = None) -> None:
    """The old identities, plus (issue 22) the duplicates in which one row is invalid, found the plain way:
    every row's key in one dict, in row order."""
    _old_identify(prepared, payloads, allow_duplicates)
    if not invalid_keys:
        return
    keys = {**{row: identity for row, identity in prepared.identities.items()}, **invalid_keys}
    first: dict[str, int] = {}
    reference_header = prepared.match.header_of.get("external_ref", "(whole row)")
    for row in sorted(keys):
        earlier = first.setdefault(keys[row], row)
        if earlier == row or (row not in invalid_keys and earlier not in invalid_keys):
            continue
        value = keys[row][4:] if keys[row].startswith("ref:") else ""
        prepared.errors.append(RowError(row, reference_header if value else "(whole row)", value,
                                        f"duplicate of row {earlier}: the same task twice; remove one, or use "
                                        "--allow-duplicates"))
        payloads.pop(row, None)
        prepared.identities.pop(row, None)
    prepared.errors.sort()


def _old_identify(prepared, payloads: dict[int, dict[str, Any]], allow_duplicates: bool) -> None:
    prepared.payloads, prepared.identities = payloads, {}
    first_row: dict[str, int] = {}
    reference_header = prepared.match.header_of.get("external_ref", "(whole row)")
    for row, payload in list(payloads.items()):
        identity = row_identity(payload)
        first = first_row.setdefault(identity, row)
        if first != row and allow_duplicates:
            identity = f"{identity}#{row}"
        elif first != row:
            value = payload.get("external_ref", "") if identity.startswith("ref:") else ""
            column = reference_header if value else "(whole row)"
            prepared.errors.append(RowError(row, column, value, f"duplicate of row {first}: the same task "
                                            "twice; remove one, or use --allow-duplicates"))
            del payloads[row]
            continue
        prepared.identities[row] = identity
    prepared.errors.sort()


def old_results_table(prepared, outcome_of: Mapping[int, Outcome], *, dry_run: bool,
                      lazy_payloads: bool = False) -> pd.DataFrame:
    """The old table; ``lazy_payloads`` (new) leaves ``_payload`` to ``outcomes.PayloadColumn``, which
    for the old dict of payloads is ``json.dumps`` of each, as here."""
    if dry_run and not outcome_of:  # the old dry run passed one Outcome per payload
        outcome_of = {row: Outcome(row, RowStatus.DRY_RUN) for row in prepared.payloads}
    frame = prepared.table.frame
    rows = frame.index
    columns: dict[str, pd.Series] = {name: empty_column(rows) for name in RESULT_COLUMNS}
    columns["_row"] = pd.Series(rows, index=rows)
    earlier = prepared.earlier
    for name in earlier.columns:
        if name in columns and name != "_row":
            columns[name].loc[earlier.index] = earlier[name]
    errors = prepared.errors_by_row()
    columns["_status"].loc[list(errors)] = RowStatus.INVALID.value
    columns["_error"].loc[list(errors)] = [outcomes.error_text(row_errors) for row_errors in errors.values()]
    if outcome_of:
        at, values = list(outcome_of), list(outcome_of.values())
        columns["_status"].loc[at] = [o.status.value for o in values]
        columns["_task_id"].loc[at] = [o.task_id for o in values]
        columns["_request_id"].loc[at] = [o.request_id for o in values]
        columns["_http_status"].loc[at] = [o.http_status for o in values]
        columns["_attempts"].loc[at] = [o.attempts or None for o in values]
        columns["_error"].loc[at] = [o.error for o in values]
    if dry_run and not lazy_payloads:
        payload = empty_column(rows)
        payload.loc[list(prepared.payloads)] = [json.dumps(p, ensure_ascii=False) for p in prepared.payloads.values()]
        columns[PAYLOAD_COLUMN] = payload
    own = [name for name in frame.columns if not is_results_column(name)]
    return pd.concat([pd.DataFrame(columns), frame[own]], axis=1)


def old_csv_column(values: list[Any]) -> list[str]:
    texts = [value if type(value) is str else results._csv_plain(value) for value in values]
    texts = [results._neutralize_cell(value) if type(value) is str else text for value, text in zip(values, texts)]
    return [csv_field(text) for text in texts]


OLD = [(reading, "_read_csv", old_read_csv), (reading, "_read_xlsx", old_read_xlsx),
       (validation, "field_frame", old_field_frame), (preparing, "field_frame", old_field_frame),
       (validation, "cell_problems", old_cell_problems), (preparing, "build_payloads", old_build_payloads),
       (preparing, "_identify", old_identify), (api, "results_table", old_results_table),
       (results, "_csv_column", old_csv_column)]

# --- the inputs ----------------------------------------------------------------------------------

HEADER = ["Group Ref", "Task Ref", "Title", "Description", "Due Date", "Priority", "Assignee Email",
          "Assignee First Name", "Resident Phone", "Unit", "Notes"]
AWKWARD = ["  padded  ", "=SUM(A1:A2)", "+1 555", "-5", "@home", 'say "hi", ok', "line\nbreak", "tab\there",
           "é ü 😀", "#N/A", "#REF!", "", "   ", "x" * 33000, "back\\slash", "{brace}", "'quoted"]


def awkward_rows(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        row = [f"GRP-{rng.randint(1, 40):03d}", f"WO-{i:05d}", f"Fix thing #{i}", f"Desc {i}, see notes.",
               rng.choice(["2026-11-03 09:15", "11/4/2026 2:30 PM", "31/31/2026", "2026-03-08 02:30",
                           "99999-01-01", "13/1/2026", "", "2026-12-01"]),
               rng.choice(["high", "Very High", "urgent", "normal", "", "hihg"]),
               rng.choice(["tech1@example.com", "not-an-email", "", "Tech2@Example.com"]),
               rng.choice(["Ana", "", "Bo"]),
               rng.choice(["", "(415) 555-0132", "4.15555E+09", "+44 20 7946 0958", "12"]),
               f"{rng.randint(0, 99):05d}", ""]
        for _ in range(rng.randint(0, 3)):
            row[rng.randrange(len(row))] = rng.choice(AWKWARD)
        if i % 17 == 5:
            row[1] = "WO-00001"  # a duplicate reference
        if i % 23 == 7:
            row[1] = ""  # identified by its payload's hash
        rows.append(row)
    rows.insert(10, [""] * len(HEADER))  # a blank row
    return rows


def write_text_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """``write_xlsx``, with every cell starting with ``=`` a text cell (openpyxl would make it a formula with no
    saved value, which bulk-tasks refuses)."""
    write_xlsx(path, header, rows)
    book = openpyxl.load_workbook(path)
    for row in book.active.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    book.save(path)
    return path


def validate_with(paths: list, input_path: Path, target: Path, allow_duplicates: bool,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    with monkeypatch.context() as patched:
        for module, name, function in paths:
            patched.setattr(module, name, function)
        api.validate_file(input_path, "travtus", ReadOptions(timezone="America/New_York"), results=target,
                          allow_duplicates=allow_duplicates)
    return target


def cells(path: Path) -> dict[str, list[list[Any]]]:
    """Every cell's value, comment and fill; the Summary's "when" line (the time of each run) left out."""
    workbook = openpyxl.load_workbook(path)
    return {sheet.title: [[(cell.value, cell.comment.text if cell.comment else None, cell.fill.fgColor.rgb)
                           for cell in row] for row in sheet.iter_rows() if row[0].value != "when"]
            for sheet in workbook.worksheets}


@pytest.mark.parametrize("allow_duplicates", [False, True])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_old_and_new_code_paths_write_the_same_results(tmp_path, monkeypatch, fmt, allow_duplicates):
    writer = write_csv if fmt == "csv" else write_text_xlsx
    source = writer(tmp_path / f"tasks.{fmt}", HEADER, awkward_rows(300, seed=13))
    old = validate_with(OLD, source, tmp_path / f"old.results.{fmt}", allow_duplicates, monkeypatch)
    new = validate_with([], source, tmp_path / f"new.results.{fmt}", allow_duplicates, monkeypatch)
    if fmt == "csv":
        assert new.read_bytes() == old.read_bytes()
        assert b"dry_run" in new.read_bytes() and b"invalid" in new.read_bytes()
    else:
        assert cells(new) == cells(old)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_results_written_in_small_chunks_are_the_same(tmp_path, monkeypatch, fmt):
    """The CSV writer and the lazy ``_payload`` column work a slice of rows at a time: slices that cut
    through runs of invalid rows (no payload) and of valid ones give the same file as the old code."""
    writer = write_csv if fmt == "csv" else write_text_xlsx
    source = writer(tmp_path / f"tasks.{fmt}", HEADER, awkward_rows(120, seed=29))
    old = validate_with(OLD, source, tmp_path / f"old.results.{fmt}", False, monkeypatch)
    monkeypatch.setattr(results, "CSV_CHUNK_ROWS", 7)
    monkeypatch.setattr(payloads_module, "RENDER_CHUNK", 5)
    new = validate_with([], source, tmp_path / f"new.results.{fmt}", False, monkeypatch)
    if fmt == "csv":
        assert new.read_bytes() == old.read_bytes()
    else:
        assert cells(new) == cells(old)


def test_a_dry_run_never_holds_every_payload_text(tmp_path, monkeypatch):
    """A dry run's ``_payload`` texts are rendered while the file is written, a slice at a time: the
    results table has no such column and no slice asked for is larger than a chunk."""
    source = write_csv(tmp_path / "tasks.csv", HEADER, awkward_rows(60, seed=3))
    monkeypatch.setattr(results, "CSV_CHUNK_ROWS", 8)
    asked: list[int] = []
    real_values = outcomes.PayloadColumn.values

    def values(self, start, stop, *, csv=False):
        asked.append(stop - start)
        return real_values(self, start, stop, csv=csv)

    table = outcomes.results_table(prepare(source, "travtus", ReadOptions(timezone="UTC")), {}, dry_run=True,
                                   lazy_payloads=True)  # as validate_file builds it
    assert PAYLOAD_COLUMN not in table
    monkeypatch.setattr(outcomes.PayloadColumn, "values", values)
    api.validate_file(source, "travtus", ReadOptions(timezone="UTC"), results=tmp_path / "r.csv")
    assert asked and max(asked) <= 8 and sum(asked) == len(table)
    written = pd.read_csv(tmp_path / "r.csv", dtype=str)
    assert written[PAYLOAD_COLUMN].notna().tolist() == (written["_status"] == "dry_run").tolist()
    assert (written["_status"] == "dry_run").sum() > 0


def test_the_old_paths_are_really_patched_in(tmp_path, monkeypatch):
    """Guard against a comparison of the new code with itself: the patched run must call the old code."""
    calls = []
    spy = [(module, name, (lambda f: lambda *a, **k: calls.append(f.__name__) or f(*a, **k))(function))
           for module, name, function in OLD]
    source = write_csv(tmp_path / "t.csv", HEADER, awkward_rows(20, seed=1))
    validate_with(spy, source, tmp_path / "r.csv", False, monkeypatch)
    assert {"old_read_csv", "old_cell_problems", "old_build_payloads", "old_identify", "old_results_table",
            "old_csv_column"} <= set(calls)


def test_payload_texts_are_json_dumps_of_the_dicts():
    rng = random.Random(7)
    awkward = ["a", "é", '"', "\\", "\x00", "\n", "{", "}", "u0000", " ", "\x1f", "😀", "\\u0000", "\x7f", "\u2028", "\xa0"]
    plain = ["a", "é", "{", "}", " ", "😀", "%s", "{}"]  # nothing JSON escapes: the columns' fast path
    for attempt in range(400):
        alphabet = awkward if attempt % 2 else plain
        paths = [("a",), ("b",), ("p", "x"), ("p", "y"), ("c",), ("q", "z")][: rng.randint(1, 6)]
        count = rng.randint(0, 30)
        columns = [[None if rng.random() < 0.3 else "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
                    for _ in range(count)] for _ in paths]
        payloads = Payloads(list(range(2, count + 2)), paths, columns)
        for separators in ((", ", ": "), (",", ":")):
            for sort_keys in (False, True):
                expected = [json.dumps(d, ensure_ascii=False, separators=separators, sort_keys=sort_keys)
                            for d in payloads.dicts()]
                assert payloads.texts(separators, sort_keys=sort_keys) == expected
        as_csv = [csv_field(json.dumps(d, ensure_ascii=False)) for d in payloads.dicts()]
        assert payloads.texts_between(0, count, csv=True) == as_csv
        assert payloads.texts_between(1, 4, csv=True) == as_csv[1:4]
        assert payloads.identities() == [row_identity(d) for d in payloads.dicts()]
