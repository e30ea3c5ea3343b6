"""Templates: derived from the provider's fields, documented, reproducible, and committed up to date."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from bulk_tasks.check.kinds import format_hint
from bulk_tasks.providers import PROVIDERS, get_provider
from bulk_tasks.providers.base import Provider
from bulk_tasks.providers.fields import Field, Kind
from bulk_tasks.report.templates import (
    FORMATS,
    HELP_COLUMNS,
    HELP_SHEET,
    NO_FOLDER,
    TASKS_SHEET,
    default_template_name,
    regenerate,
    required_text,
    write_template,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
SAMPLES = ROOT / "samples"
BOM = b"\xef\xbb\xbf"
#: The registered providers the package ships (templates/ holds their templates); a provider registered
#: from elsewhere (the test tree's toy) has none committed here.
SHIPPED = [name for name, kind in PROVIDERS.items() if kind.__module__.startswith("bulk_tasks.")]


class Shop(Provider):
    """A made-up provider: the template must follow whatever fields a provider declares."""

    name = "shop"
    required_column_groups = (("sku",), ("store_id", "store_ref"))
    fields = (
        Field("sku", Kind.ID, "Stock keeping unit.", "000123", required=True),
        Field("store_id", Kind.ID, "Store id.", "S-1"),
        Field("store_ref", Kind.ID, "Store reference.", "OAK"),
        Field("size", Kind.ENUM, "Shirt size.", "m", choices=("s", "m", "l", "xl")),
        Field("ship_by", Kind.DATETIME, "Ship by.", "2026-12-01"),
        Field("contact.phone", Kind.PHONE, "Phone.", "+14155550100"),
    )


def _providers() -> list[Provider]:
    return [get_provider(name) for name in PROVIDERS] + [Shop()]


def _zip_members(path: Path) -> list[tuple[str, tuple[int, ...], bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, info.date_time, archive.read(info)) for info in archive.infolist()]


def _xlsx(provider: Provider, tmp_path: Path) -> openpyxl.Workbook:
    path = write_template(provider, tmp_path / default_template_name(provider, "xlsx"), "xlsx")
    return openpyxl.load_workbook(path)


def _help_rows(wb: openpyxl.Workbook) -> list[tuple]:
    rows = list(wb[HELP_SHEET].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if tuple(row[:len(HELP_COLUMNS)]) == HELP_COLUMNS)
    return [row[:len(HELP_COLUMNS)] for row in rows[start + 1:] if any(row)]


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("fmt", FORMATS)
def test_committed_templates_are_up_to_date(name: str, fmt: str, tmp_path: Path) -> None:
    provider = get_provider(name)
    committed = TEMPLATES / default_template_name(provider, fmt)
    fresh = write_template(provider, tmp_path / committed.name, fmt)
    hint = "templates/ is stale: run python -m bulk_tasks.report.templates templates"
    if fmt == "csv":
        assert committed.read_bytes() == fresh.read_bytes(), hint
    else:
        # Member by member (names, order, times, uncompressed bytes): independent of the zlib build.
        assert _zip_members(committed) == _zip_members(fresh), hint


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_the_same_bytes_every_time(fmt: str, tmp_path: Path) -> None:
    provider = get_provider("travtus")
    first = write_template(provider, tmp_path / f"a.{fmt}", fmt).read_bytes()
    second = write_template(provider, tmp_path / f"b.{fmt}", fmt).read_bytes()
    assert first == second
    if fmt == "xlsx":
        core = dict((name, data) for name, _, data in _zip_members(tmp_path / "a.xlsx"))["docProps/core.xml"]
        assert core.count(b">2026-01-01T00:00:00Z<") == 2  # created and modified
        assert {when for _, when, _ in _zip_members(tmp_path / "a.xlsx")} == {(2026, 1, 1, 0, 0, 0)}


def test_regenerate_writes_every_provider_and_format(tmp_path: Path) -> None:
    written = regenerate(tmp_path)
    names = {name: [default_template_name(get_provider(name), fmt) for fmt in FORMATS] for name in PROVIDERS}
    assert sorted(p.name for p in written) == sorted(file for files in names.values() for file in files)
    assert sorted(p.name for p in TEMPLATES.iterdir()) == sorted(file for name in SHIPPED for file in names[name])
    assert default_template_name(get_provider("travtus"), "xlsx") == "travtus-tasks-template.xlsx"


def test_the_command_writes_only_where_it_is_told(tmp_path: Path) -> None:
    def package() -> list[Path]:  # Python may compile modules meanwhile: __pycache__ does not count
        return sorted(path for path in (ROOT / "bulk_tasks").rglob("*") if "__pycache__" not in path.parts)

    before = package()
    command = [sys.executable, "-m", "bulk_tasks.report.templates"]
    told = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert told.returncode == 2 and told.stdout == ""
    assert told.stderr.strip() == NO_FOLDER and "Traceback" not in told.stderr
    assert list(tmp_path.iterdir()) == [] and package() == before
    written = subprocess.run([*command, "out"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert written.returncode == 0, written.stderr
    names = {default_template_name(get_provider(name), fmt) for name in SHIPPED for fmt in FORMATS}
    assert names <= {path.name for path in (tmp_path / "out").iterdir()}
    assert names <= {Path(line).name for line in written.stdout.splitlines()}


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="xlsx, csv"):
        write_template(get_provider("quo"), tmp_path / "x.ods", "ods")


@pytest.mark.parametrize("provider", _providers(), ids=lambda p: p.name)
def test_tasks_sheet_header_is_every_api_name_in_order(provider: Provider, tmp_path: Path) -> None:
    wb = _xlsx(provider, tmp_path)
    assert wb.sheetnames == [TASKS_SHEET, HELP_SHEET]
    assert wb.active.title == TASKS_SHEET
    ws = wb[TASKS_SHEET]
    header = [cell.value for cell in ws[1]]
    assert header == [field.name for field in provider.fields]
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1


@pytest.mark.parametrize("provider", _providers(), ids=lambda p: p.name)
def test_required_and_one_of_columns_are_marked(provider: Provider, tmp_path: Path) -> None:
    ws = _xlsx(provider, tmp_path)[TASKS_SHEET]
    fills = {cell.value: cell.fill.fgColor.rgb for cell in ws[1]}
    by_kind: dict[str, set[str]] = {}
    for field in provider.fields:
        kind = required_text(provider, field).split(":")[0]
        by_kind.setdefault(kind, set()).add(fills[field.name])
    assert all(len(colours) == 1 for colours in by_kind.values())
    assert len({colours.pop() for colours in by_kind.values()}) == len(by_kind)
    assert "one of" in by_kind


@pytest.mark.parametrize("provider", _providers(), ids=lambda p: p.name)
def test_every_enum_column_has_a_drop_down_of_exactly_its_choices(provider: Provider, tmp_path: Path) -> None:
    ws = _xlsx(provider, tmp_path)[TASKS_SHEET]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    enums = [(i, f) for i, f in enumerate(provider.fields, 1) if f.kind is Kind.ENUM]
    assert len(lists) == len(enums)
    for index, field in enums:
        letter = get_column_letter(index)
        dv = next(dv for dv in lists if f"{letter}2" in dv.sqref)
        assert f"{letter}5000" in dv.sqref
        assert dv.formula1.strip('"').split(",") == list(field.choices)
        assert dv.showErrorMessage and dv.errorStyle == "stop"
        assert ", ".join(field.choices) in dv.error


def test_travtus_importance_drop_down(tmp_path: Path) -> None:
    ws = _xlsx(get_provider("travtus"), tmp_path)[TASKS_SHEET]
    letter = get_column_letter([cell.value for cell in ws[1]].index("importance") + 1)
    (dv,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert str(dv.sqref) == f"{letter}2:{letter}5000"
    assert dv.formula1 == '"low,normal,high,very_high"'


@pytest.mark.parametrize("provider", _providers(), ids=lambda p: p.name)
def test_every_column_prompts_its_help(provider: Provider, tmp_path: Path) -> None:
    ws = _xlsx(provider, tmp_path)[TASKS_SHEET]
    for index, field in enumerate(provider.fields, 1):
        dv = next(dv for dv in ws.data_validations.dataValidation
                  if f"{get_column_letter(index)}2" in dv.sqref)
        assert dv.showInputMessage and field.help[:40] in dv.prompt


@pytest.mark.parametrize("provider", _providers(), ids=lambda p: p.name)
def test_id_and_phone_columns_are_text_and_dates_are_dates(provider: Provider, tmp_path: Path) -> None:
    ws = _xlsx(provider, tmp_path)[TASKS_SHEET]
    for index, field in enumerate(provider.fields, 1):
        fmt = ws.column_dimensions[get_column_letter(index)].number_format
        if field.kind is Kind.DATETIME:
            assert "yy" in fmt and "hh" in fmt, field.name
        else:
            assert fmt == "@", field.name


@pytest.mark.parametrize("provider", _providers(), ids=lambda p: p.name)
def test_how_to_fill_has_one_row_per_field(provider: Provider, tmp_path: Path) -> None:
    wb = _xlsx(provider, tmp_path)
    rows = _help_rows(wb)
    assert [row[0] for row in rows] == [field.name for field in provider.fields]
    for row, field in zip(rows, provider.fields):
        assert row[1] == required_text(provider, field)
        assert row[2] == field.help
        assert row[3] == format_hint(field, provider)
        assert (row[4] or "") == field.example
    intro = " ".join(str(row[0]) for row in wb[HELP_SHEET].iter_rows(max_row=12, values_only=True) if row[0])
    for words in ("One row per task", "Leave a cell empty", "--timezone", "results file"):
        assert words in intro


def field_of(provider, name):
    return next(spec for spec in provider.fields if spec.name == name)


def test_required_text() -> None:
    shop = Shop()
    assert required_text(shop, field_of(shop, "sku")) == "yes"
    assert required_text(shop, field_of(shop, "store_ref")) == "one of: store_id, store_ref"
    assert required_text(shop, field_of(shop, "size")) == "no"
    quo = get_provider("quo")
    assert required_text(quo, field_of(quo, "title")) == "yes"
    assert required_text(quo, field_of(quo, "activityId")) == "one of: phoneNumberId, conversationId, activityId"


@pytest.mark.parametrize("provider", _providers(), ids=lambda p: p.name)
def test_csv_is_the_header_row_with_a_bom(provider: Provider, tmp_path: Path) -> None:
    data = write_template(provider, tmp_path / "t.csv", "csv").read_bytes()
    assert data.startswith(BOM)
    assert data[len(BOM):].decode("utf-8") == ",".join(f.name for f in provider.fields) + "\r\n"


@pytest.mark.parametrize("name", SHIPPED)
def test_committed_csv_templates_start_with_a_bom(name: str) -> None:
    path = TEMPLATES / default_template_name(get_provider(name), "csv")
    assert path.read_bytes().startswith(BOM), path.name


def _make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_samples_are_what_make_samples_writes(tmp_path: Path) -> None:
    for fresh in _make_samples().main(tmp_path):
        committed = SAMPLES / fresh.name
        if fresh.suffix == ".xlsx":
            assert _zip_members(committed) == _zip_members(fresh), fresh.name
        else:
            assert committed.read_bytes() == fresh.read_bytes(), fresh.name


@pytest.mark.parametrize("fmt", FORMATS)
def test_template_never_writes_over_an_existing_file(fmt: str, tmp_path: Path, monkeypatch, capsys) -> None:
    from bulk_tasks.cli import main

    monkeypatch.chdir(tmp_path)
    filled = tmp_path / default_template_name(get_provider("travtus"), fmt)
    filled.write_bytes(b"title\r\nFix the sink on floor 2\r\n")
    assert main(["template", "travtus", "--format", fmt]) == 2
    assert main(["template", "travtus", "--format", fmt, "--output", str(filled)]) == 2
    err = capsys.readouterr().err
    assert f"{filled.name} already exists" in err and "--force" in err and "Traceback" not in err
    assert filled.read_bytes() == b"title\r\nFix the sink on floor 2\r\n"
    assert main(["template", "travtus", "--format", fmt, "--force"]) == 0
    assert filled.read_bytes() == (TEMPLATES / filled.name).read_bytes()


def readme_columns(provider: Provider, readme: str | None = None) -> dict[str, str]:
    """The rows of the README's table of ``provider``'s columns (the table after the line ``<Name>:``), by column."""
    lines = (readme or (ROOT / "README.md").read_text(encoding="utf-8")).splitlines()
    start = lines.index(f"{provider.name.capitalize()}:") + 1
    table = []
    for line in lines[start:]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    return {line.split("`")[1]: line for line in table[2:]}


def test_a_column_is_documented_only_by_its_own_provider_s_table() -> None:
    readme = "Quo:\n\n| column | also |\n| --- | --- |\n| `title` | `Task` |\n\nToy:\n\n| column | also |\n| --- | --- |\n"
    assert readme_columns(get_provider("quo"), readme) == {"title": "| `title` | `Task` |"}
    assert readme_columns(get_provider("toy"), readme) == {}


@pytest.mark.parametrize("provider", [get_provider(name) for name in PROVIDERS], ids=lambda p: p.name)
def test_every_header_alias_is_documented_in_the_readme_and_the_template(provider: Provider, tmp_path: Path) -> None:
    from bulk_tasks.check.headers import _lookup, alias_headers, header_key

    section = readme_columns(provider)
    rows = {row[0]: row for row in _help_rows(_xlsx(provider, tmp_path))}
    assert set(section) == {field.name for field in provider.fields}
    for field in provider.fields:
        shown = alias_headers(field)
        assert len(shown) == len(field.aliases)
        line = section[field.name]
        for alias in shown:
            assert f"`{alias}`" in line, (field.name, alias)
            assert _lookup(provider)[header_key(alias)] == field.name, alias
        assert rows[field.name][5] == (", ".join(shown) or None), field.name
