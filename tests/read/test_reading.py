"""Reading CSV and XLSX files into a text table with spreadsheet row numbers."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from bulk_tasks.read import table as reading
from bulk_tasks.errors import EmptyInputError, SheetNotFoundError, UnreadableFileError
from bulk_tasks.read.table import decode, read_table, sniff_delimiter


def csv_file(tmp_path, data: bytes, name: str = "tasks.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx_file(tmp_path, sheets: dict[str, list[list]], name: str = "tasks.xlsx", hidden: tuple[str, ...] = ()):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    worksheet.cell(number, column, value)
        if title in hidden:
            worksheet.sheet_state = "hidden"
    path = tmp_path / name
    workbook.save(path)
    return path


def records(table) -> dict[int, dict[str, str | None]]:
    return table.frame.to_dict("index")


# --- CSV -----------------------------------------------------------------------------------------

def test_utf8_with_bom_keeps_the_first_header_clean(tmp_path):
    table = read_table(csv_file(tmp_path, "\ufefftitle,note\nCafé,ok\n".encode()))
    assert table.format == "csv"
    assert table.headers == ["title", "note"]
    assert records(table) == {2: {"title": "Café", "note": "ok"}}


def test_utf8_without_bom(tmp_path):
    table = read_table(csv_file(tmp_path, "title,note\nZürich,ünïcode\n".encode()))
    assert records(table) == {2: {"title": "Zürich", "note": "ünïcode"}}


def test_windows_1252_bytes_fall_back(tmp_path):
    table = read_table(csv_file(tmp_path, b"title,note\ncaf\xe9,\x93quoted\x94\n"))
    assert records(table) == {2: {"title": "café", "note": "\u201cquoted\u201d"}}


def test_windows_1252_fallback_drops_a_utf8_bom(tmp_path):
    table = read_table(csv_file(tmp_path, b"\xef\xbb\xbftitle,note\ncaf\xe9,x\n"))
    assert table.headers == ["title", "note"]
    assert records(table)[2]["title"] == "café"


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_the_streamed_encoding_check_sees_characters_split_between_chunks(tmp_path, monkeypatch, chunk):
    """The file is checked a chunk at a time: a UTF-8 character cut in two by a chunk's end is still
    UTF-8 (not Windows-1252 mojibake), and a Windows-1252 byte after pure ASCII chunks is still found."""
    monkeypatch.setattr(reading, "CHECK_CHUNK", chunk)
    utf8 = read_table(csv_file(tmp_path, "\ufefftitle,note\nplain ascii,Zürich 😀\n".encode()))
    assert records(utf8) == {2: {"title": "plain ascii", "note": "Zürich 😀"}}
    cp1252 = read_table(csv_file(tmp_path, b"title,note\nplain ascii text,caf\xe9\n", name="old.csv"))
    assert records(cp1252) == {2: {"title": "plain ascii text", "note": "café"}}


@pytest.mark.parametrize("chunk", [4, 1 << 20])
def test_a_nul_past_the_first_chunk_names_its_line(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(reading, "CHECK_CHUNK", chunk)
    path = csv_file(tmp_path, b"title,note\n" + b"a,b\n" * 5 + b"c,d\x00e\n")
    with pytest.raises(UnreadableFileError, match="NUL character .* on line 7:"):
        read_table(path)


def test_a_file_of_only_a_bom_and_blank_lines_is_empty(tmp_path):
    with pytest.raises(EmptyInputError, match="is empty"):
        read_table(csv_file(tmp_path, b"\xef\xbb\xbf\r\n \n"))


def test_semicolon_delimiter_is_sniffed(tmp_path):
    table = read_table(csv_file(tmp_path, b"title;note\nA;1,5 kg\n"))
    assert table.headers == ["title", "note"]
    assert records(table) == {2: {"title": "A", "note": "1,5 kg"}}


def test_tab_delimiter_is_sniffed(tmp_path):
    table = read_table(csv_file(tmp_path, b"title\tnote\nA\tx;y, z\n"))
    assert records(table) == {2: {"title": "A", "note": "x;y, z"}}


def test_delimiter_inside_quotes_does_not_count():
    assert sniff_delimiter('"a;b;c",d\n1,2\n') == ","
    assert sniff_delimiter("just one column\nvalue\n") == ","
    assert sniff_delimiter("a|b|c\n") == "|"


def test_quoted_cell_with_delimiter_and_newline_is_one_record(tmp_path):
    data = b'title,note\n"Fix, then call","line one\nline two"\nSecond,x\n\nFourth,y\n'
    table = read_table(csv_file(tmp_path, data))
    assert records(table) == {
        2: {"title": "Fix, then call", "note": "line one\nline two"},
        3: {"title": "Second", "note": "x"},
        5: {"title": "Fourth", "note": "y"},
    }


def test_blank_rows_are_skipped_without_renumbering(tmp_path):
    table = read_table(csv_file(tmp_path, b"title,note\r\nA,1\r\n\r\nB,2\r\n,\r\n  ,  \r\nC,3\r\n"))
    assert table.rows == [2, 4, 7]
    assert [row["title"] for row in records(table).values()] == ["A", "B", "C"]


def test_whitespace_is_trimmed_and_empty_cells_are_none(tmp_path):
    table = read_table(csv_file(tmp_path, b" title , note ,extra\n  A  ,,   \nB,\t x \t,\n"))
    assert table.headers == ["title", "note", "extra"]
    assert records(table) == {
        2: {"title": "A", "note": None, "extra": None},
        3: {"title": "B", "note": "x", "extra": None},
    }


def test_short_rows_are_padded_with_none(tmp_path):
    table = read_table(csv_file(tmp_path, b"a,b,c\n1\n2,3\n"))
    assert records(table) == {2: {"a": "1", "b": None, "c": None}, 3: {"a": "2", "b": "3", "c": None}}


def test_cells_stay_text_with_leading_zeros(tmp_path):
    table = read_table(csv_file(tmp_path, b"id,phone,amount\n00123,4155550100,1.50\n"))
    assert records(table) == {2: {"id": "00123", "phone": "4155550100", "amount": "1.50"}}


def test_a_row_with_too_many_cells_names_its_row(tmp_path):
    with pytest.raises(UnreadableFileError, match=r"row 3 has 3 cells where the header has 2"):
        read_table(csv_file(tmp_path, b"a,b\n1,2\n3,4,5\n"))


def test_an_unclosed_quote_names_the_row_it_opens_on(tmp_path):
    with pytest.raises(UnreadableFileError, match=r"quote opened on row 4 is never closed"):
        read_table(csv_file(tmp_path, b'a,b\n1,2\n3,4\n5,"6\n7,8\n'))


def test_duplicate_headers_are_refused(tmp_path):
    with pytest.raises(UnreadableFileError, match=r"columns A and C are both headed 'Title'"):
        read_table(csv_file(tmp_path, b"title,note,Title\n1,2,3\n"))


def test_data_without_a_header_is_reported(tmp_path):
    table = read_table(csv_file(tmp_path, b"title,,\nA,,stray\n"))
    assert table.headers == ["title", "(column C)"]
    assert len(table.warnings) == 1
    assert table.warnings[0].startswith("Column C has data but no name in row 1 (a blank header cell, or one merged")


def test_a_blank_first_row_is_not_called_empty(tmp_path):
    with pytest.raises(EmptyInputError, match="no column names in row 1"):
        read_table(csv_file(tmp_path, b"\ntitle,note\nA,B\n"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_blank_rows_above_the_header_are_counted_in_any_encoding(tmp_path, encoding):
    data = "\r\n\r\ntitle,note\r\nCafé,B\r\n".encode(encoding)
    with pytest.raises(EmptyInputError, match=r"no column names in row 1 \(row 3 looks like the header\)"):
        read_table(csv_file(tmp_path, data))


def test_sheet_option_on_a_csv_is_a_warning(tmp_path):
    table = read_table(csv_file(tmp_path, b"title\nA\n"), sheet="Tasks")
    assert table.sheet is None
    assert "--sheet 'Tasks' is ignored" in table.warnings[0]


def test_decode_refuses_bytes_undefined_in_both_encodings(tmp_path):
    with pytest.raises(UnreadableFileError, match="not in an encoding"):
        decode(tmp_path / "x.csv", b"title\nA\x81\x8d\n")
    assert decode(tmp_path / "x.csv", "a,b\n".encode("utf-16")) == "a,b\n"


# --- XLSX ----------------------------------------------------------------------------------------

def test_excel_typed_cells_become_the_text_a_person_expects(tmp_path):
    path = xlsx_file(tmp_path, {"Tasks": [
        ["due", "at", "phone", "phone as float", "code", "weight", "flag", "negative"],
        [date(2026, 12, 1), datetime(2026, 12, 1, 9, 30), 4155550100, 4155550100.0, "00123", 2.5, True, -3.0],
    ]})
    table = read_table(path)
    assert table.format == "xlsx"
    assert table.sheet == "Tasks"
    assert records(table) == {2: {
        "due": "2026-12-01", "at": "2026-12-01T09:30:00", "phone": "4155550100",
        "phone as float": "4155550100", "code": "00123", "weight": "2.5", "flag": "TRUE", "negative": "-3",
    }}


def test_a_text_formatted_cell_keeps_its_leading_zeros(tmp_path):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.append(["unit"])
    worksheet["A2"] = "000042"
    worksheet["A2"].number_format = "@"
    workbook.save(tmp_path / "t.xlsx")
    assert records(read_table(tmp_path / "t.xlsx")) == {2: {"unit": "000042"}}


def test_xlsx_cells_are_trimmed_and_empty_text_is_none(tmp_path):
    path = xlsx_file(tmp_path, {"Tasks": [[" title ", "note"], ["  A  ", "   "]]})
    table = read_table(path)
    assert table.headers == ["title", "note"]
    assert records(table) == {2: {"title": "A", "note": None}}


def test_xlsx_blank_rows_keep_the_numbering(tmp_path):
    path = xlsx_file(tmp_path, {"Tasks": [["title", "note"], ["A", "1"], [], [None, "  "], ["B", None], [], ["C", "3"]]})
    table = read_table(path)
    assert table.rows == [2, 5, 7]
    assert [row["title"] for row in records(table).values()] == ["A", "B", "C"]


def test_the_first_visible_sheet_is_read(tmp_path):
    path = xlsx_file(tmp_path, {"Lookup": [["x"], ["hidden"]], "Tasks": [["title"], ["visible"]],
                                "Later": [["title"], ["later"]]}, hidden=("Lookup",))
    table = read_table(path)
    assert table.sheet == "Tasks"
    assert records(table) == {2: {"title": "visible"}}


def test_sheet_option_picks_another_sheet_case_insensitively(tmp_path):
    path = xlsx_file(tmp_path, {"Tasks": [["title"], ["first"]], "December Load": [["title"], ["chosen"]]})
    table = read_table(path, sheet="  december LOAD ")
    assert table.sheet == "December Load"
    assert records(table) == {2: {"title": "chosen"}}


def test_sheet_option_naming_a_hidden_sheet_lists_the_visible_ones(tmp_path):
    path = xlsx_file(tmp_path, {"Secret": [["t"], ["x"]], "Tasks": [["t"], ["y"]]}, hidden=("Secret",))
    with pytest.raises(SheetNotFoundError, match=r"no visible sheet called 'Secret'; its sheets are: 'Tasks'\."):
        read_table(path, sheet="Secret")


def test_header_row_is_row_one_in_xlsx(tmp_path):
    path = xlsx_file(tmp_path, {"Tasks": [["title", "due"], ["A", date(2026, 1, 2)]]})
    table = read_table(path)
    assert table.headers == ["title", "due"]
    assert table.rows == [2]


def test_a_wrong_dimension_in_the_file_does_not_hide_rows(tmp_path):
    original = xlsx_file(tmp_path, {"Tasks": [["title", "note"], ["A", "1"], ["B", "2"]]}, name="good.xlsx")
    damaged = tmp_path / "dim.xlsx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    assert records(read_table(damaged)) == {2: {"title": "A", "note": "1"}, 3: {"title": "B", "note": "2"}}


def test_a_workbook_is_recognised_by_its_content_not_its_name(tmp_path):
    path = xlsx_file(tmp_path, {"Tasks": [["title"], ["A"]]})
    renamed = path.rename(tmp_path / "export.csv")
    table = read_table(renamed)
    assert table.format == "xlsx"
    assert records(table) == {2: {"title": "A"}}


def test_header_only_workbook_is_empty_input(tmp_path):
    with pytest.raises(EmptyInputError, match="header row but no data rows"):
        read_table(xlsx_file(tmp_path, {"Tasks": [["title", "note"], [], [None, " "]]}))
