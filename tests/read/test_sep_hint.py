"""Excel's ``sep=;`` first line: the delimiter it names is used and the next line is the header."""

from __future__ import annotations

import pytest

from bulk_tasks.cli import main
from bulk_tasks.read.table import read_table


@pytest.mark.parametrize(("hint", "delimiter"), [("sep=;", ";"), ("sep=,", ","), ('"sep=|"', "|"), ("SEP=\t", "\t")])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_the_hint_names_the_delimiter_and_the_header_follows(tmp_path, hint, delimiter, encoding):
    lines = [hint, delimiter.join(["Title", "Description", "phoneNumberId"]),
             delimiter.join(["Café call", "Flat 4, Block B" if delimiter != "," else "Flat 4", "PN1"]),
             delimiter.join(["Send checklist", "Onboarding", "PN1"])]
    path = tmp_path / "tasks.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    table = read_table(path)
    assert table.headers == ["Title", "Description", "phoneNumberId"]
    assert table.rows == [2, 3]
    assert table.frame.loc[2, "Title"] == "Café call"
    assert table.frame.loc[3, "phoneNumberId"] == "PN1"


def test_a_hinted_semicolon_file_validates_with_row_numbers_as_excel_shows_them(tmp_path, capsys):
    path = tmp_path / "tasks.csv"
    path.write_text("sep=;\nTitle;Description;phoneNumberId\nCall back;Pricing, annual;PN1\n;Missing title;PN1\n",
                    encoding="utf-8")
    assert main(["validate", str(path), "-p", "quo"]) == 1
    out, err = capsys.readouterr()
    assert "cell" not in out + err
    assert "row 3" in out and "Title" in out
