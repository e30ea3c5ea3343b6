"""Unusable input ends in one clear sentence on stderr and exit code 2, with no traceback and no results."""

from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest

from bulk_tasks.cli import main

QUO_OK = b"Title,Description,phoneNumberId\nCall back,Pricing,PNk3Ra9XwQ2m\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4


def workbook(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def not_a_workbook_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return path


COMMANDS = {
    "validate": lambda path: ["validate", str(path), "--provider", "quo"],
    "dry-run": lambda path: ["run", str(path), "--provider", "quo", "--dry-run"],
}


def fails_cleanly(capsys, argv, fragment):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    assert err.startswith("Error: ") and err.count("Error: ") == 1
    assert fragment in err
    assert "internal problem" not in err
    return err


def no_results_written(folder):
    return not [p for p in folder.rglob("*") if ".results." in p.name or p.name.startswith("out.")]


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("name", "make", "fragment"), [
    ("image.csv", lambda p: p.write_bytes(PNG), "is not a text file (it contains binary data)"),
    ("empty.csv", lambda p: p.write_bytes(b""), "empty.csv is empty"),
    ("blank.csv", lambda p: p.write_bytes(b" \r\n\r\n"), "blank.csv is empty"),
    ("header.csv", lambda p: p.write_bytes(b"Title,Description,phoneNumberId\n,,\n"), "has a header row but no data rows"),
    ("header.xlsx", lambda p: workbook(p, {"Tasks": [["Title", "Description"]]}), "has a header row but no data rows"),
    ("random.xlsx", lambda p: p.write_bytes(bytes(range(256)) * 8), "is not a real Excel .xlsx file"),
    ("archive.xlsx", not_a_workbook_zip, "is not a readable Excel workbook (it is a zip archive without a workbook"),
    ("archive.csv", not_a_workbook_zip, "is not a readable Excel workbook (it is a zip archive without a workbook"),
    ("cut.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + bytes(64)), "is not a readable Excel workbook"),
    ("locked.xlsx", lambda p: p.write_bytes(OLE), "password-protected workbook"),
    ("old.xls", lambda p: p.write_bytes(b"Title\nA\n"), "old-style .xls file"),
    ("notes.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n"), "is not a spreadsheet bulk-tasks can read"),
    ("undecodable.csv", lambda p: p.write_bytes(b"Title,Description\nA\x81\x8d,B\n"), "not in an encoding"),
    ("broken.csv", lambda p: p.write_bytes(b'Title,Description\nA,"B\nC,D\n'), "quote opened on row 2 is never closed"),
])
def test_unreadable_inputs(tmp_path, capsys, command, name, make, fragment):
    path = tmp_path / name
    make(path)
    err = fails_cleanly(capsys, COMMANDS[command](path), fragment)
    assert name in err
    assert no_results_written(tmp_path)


def one_byte_changed_in_the_zip_directory(offset: int, value: int):
    """A valid workbook whose first central-directory entry has one byte changed (``offset`` in that entry)."""
    def make(path):
        workbook(path, {"Tasks": [["Title", "Description", "phoneNumberId"], ["A", "B", "PNk3Ra9XwQ2m"]]})
        data = bytearray(path.read_bytes())
        data[data.index(b"PK\x01\x02") + offset] = value
        path.write_bytes(bytes(data))
    return make


@pytest.mark.parametrize(("offset", "value"), [(6, 84), (8, 1)], ids=["version-needed-8.4", "encrypted-flag"])
def test_a_workbook_with_one_damaged_byte_is_unreadable_not_internal(tmp_path, capsys, offset, value):
    path = tmp_path / "damaged.xlsx"
    one_byte_changed_in_the_zip_directory(offset, value)(path)
    fails_cleanly(capsys, COMMANDS["validate"](path), "damaged.xlsx is not a readable Excel workbook")
    assert no_results_written(tmp_path)


def test_a_file_that_does_not_exist(tmp_path, capsys):
    fails_cleanly(capsys, COMMANDS["validate"](tmp_path / "nope.csv"), "nope.csv does not exist")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_instead_of_a_file(tmp_path, capsys):
    fails_cleanly(capsys, COMMANDS["dry-run"](tmp_path), "is a folder")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_unknown_sheet_lists_the_real_sheets(tmp_path, capsys, command):
    path = workbook(tmp_path / "tasks.xlsx", {"Tasks": [["Title"], ["A"]], "Done": [["Title"], ["B"]]})
    err = fails_cleanly(capsys, [*COMMANDS[command](path), "--sheet", "December"], "no visible sheet called 'December'")
    assert "its sheets are: 'Tasks', 'Done'" in err
    assert no_results_written(tmp_path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_missing_required_columns(tmp_path, capsys, command):
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"Titel,Description,conversation\nA,B,CN1\n")
    err = fails_cleanly(capsys, COMMANDS[command](path), "no column for title (did you mean 'Titel'?)")
    assert err.count("\n") == 1
    assert no_results_written(tmp_path)


def test_missing_travtus_group_column(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"Title,Unit\nA,U1\n")
    fails_cleanly(capsys, ["validate", str(path), "-p", "travtus"], "no column for one of group_id / group_external_ref")
    assert no_results_written(tmp_path)


@pytest.mark.parametrize(("content", "fragment"), [
    ("{'Titel': 'title'}", "is not valid JSON"),
    ('["Titel", "title"]', "must be one JSON object of text to text"),
    ('{"Titel": "headline"}', "maps 'Titel' to 'headline', which is not a quo field"),
    ('{"Heading": "title"}', "names the column 'Heading', which is not in the sheet"),
])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_bad_mapping_file(tmp_path, capsys, command, content, fragment):
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"Titel,Description,phoneNumberId\nA,B,PNk3Ra9XwQ2m\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(content, encoding="utf-8")
    fails_cleanly(capsys, [*COMMANDS[command](path), "--mapping", str(mapping)], fragment)
    assert no_results_written(tmp_path)


def test_mapping_file_that_does_not_exist(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    path.write_bytes(QUO_OK)
    fails_cleanly(capsys, [*COMMANDS["validate"](path), "--mapping", str(tmp_path / "map.json")],
                  "map.json does not exist")
    assert no_results_written(tmp_path)


def test_good_mapping_file_is_accepted(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"Titel,Description,phoneNumberId\nA,B,PNk3Ra9XwQ2m\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Titel": "title"}), encoding="utf-8")
    assert main([*COMMANDS["validate"](path), "--mapping", str(mapping)]) == 0
    assert (tmp_path / "tasks.results.csv").exists()
    assert "Error" not in capsys.readouterr().err


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("option", "value", "fragment"), [
    ("--timezone", "Mars/Olympus_Mons", "Unknown time zone 'Mars/Olympus_Mons' for --timezone"),
    ("--timezone", "../../etc/passwd", "Unknown time zone"),
    ("--phone-region", "XX", "Unknown --phone-region 'XX'"),
])
def test_unknown_option_values(tmp_path, capsys, command, option, value, fragment):
    path = tmp_path / "tasks.csv"
    path.write_bytes(QUO_OK)
    fails_cleanly(capsys, [*COMMANDS[command](path), option, value], fragment)
    assert no_results_written(tmp_path)


def test_explicit_results_path_is_not_created_on_exit_2(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"")
    results = tmp_path / "out.xlsx"
    fails_cleanly(capsys, [*COMMANDS["dry-run"](path), "--results", str(results)], "is empty")
    assert not results.exists()
