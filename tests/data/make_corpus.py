"""Generate the bad-input corpus in ``tests/data/corpus/``: ``python tests/data/make_corpus.py``.

Every file is built byte by byte (workbooks as hand-written zip archives, with fixed time stamps),
so the output is the same on every run and each file holds exactly the oddity it is named after.
``tests/data/corpus.csv`` says what bulk-tasks must answer for each file; ``tests/test_corpus.py``
checks that, and that the committed files are what this script writes.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

CORPUS_DIR = Path(__file__).with_name("corpus")
QUO_HEADER = ["Title", "Description", "phoneNumberId"]
TRAVTUS_HEADER = ["Group External Ref", "Task Ref", "Title", "Due Date", "Resident First Name", "Resident Phone"]
EMOJI_TITLE = "🔧 Fix the boiler 👩🏽‍🔧 ✅"
RTL_DESCRIPTION = "\u200fيرجى إصلاح المرجل في الشقة ٤ — תודה רבה! (שלב 2)"
BIG_CELL = 40_000
WIDE = 10_000


# --- CSV -----------------------------------------------------------------------------------------

def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",", newline: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue().encode(encoding)


def quo_rows(*rows: list[str]) -> list[list[str]]:
    return [QUO_HEADER, *rows]


# --- XLSX, by hand ----------------------------------------------------------------------------------

class Cell:
    """A worksheet cell as it is stored: ``kind`` is the XML ``t`` attribute, ``style`` an index of STYLES."""

    def __init__(self, value: str | None, kind: str = "n", *, formula: str | None = None, style: int = 0) -> None:
        self.value, self.kind, self.formula, self.style = value, kind, formula, style


STYLES = {"general": 0, "date": 1, "scientific": 2, "text": 3}
_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="11" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class Sheet:
    """One worksheet: rows of cells (plain ``str`` is a shared string, ``None`` no cell), merges, state."""

    def __init__(self, name: str, rows: list[list[object]], *, state: str = "visible",
                 merges: tuple[str, ...] = (), doctype: str = "") -> None:
        self.name, self.rows, self.state, self.merges, self.doctype = name, rows, state, merges, doctype


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_xml(sheet: Sheet, strings: list[str]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', sheet.doctype,
           f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetData>']
    for number, row in enumerate(sheet.rows, start=1):
        if not any(value is not None for value in row):
            continue
        out.append(f'<row r="{number}">')
        for position, value in enumerate(row):
            if value is None:
                continue
            ref = f"{column_letter(position)}{number}"
            cell = value if isinstance(value, Cell) else Cell(str(value), "s")
            style = f' s="{cell.style}"' if cell.style else ""
            formula = f"<f>{escape(cell.formula)}</f>" if cell.formula is not None else ""
            if cell.kind == "s":
                strings.append(cell.value or "")
                out.append(f'<c r="{ref}" t="s"{style}><v>{len(strings) - 1}</v></c>')
            elif cell.kind == "raw":
                out.append(f'<c r="{ref}"{style}>{cell.value}</c>')
            else:
                kind = f' t="{cell.kind}"' if cell.kind != "n" else ""
                cached = f"<v>{escape(cell.value)}</v>" if cell.value is not None else ""
                out.append(f'<c r="{ref}"{kind}{style}>{formula}{cached}</c>')
        out.append("</row>")
    out.append("</sheetData>")
    if sheet.merges:
        out.append(f'<mergeCells count="{len(sheet.merges)}">'
                   + "".join(f'<mergeCell ref="{ref}"/>' for ref in sheet.merges) + "</mergeCells>")
    out.append("</worksheet>")
    return "".join(out)


def xlsx_bytes(sheets: list[Sheet], *, strings_doctype: str = "", workbook_doctype: str = "") -> bytes:
    """A minimal, valid .xlsx archive holding ``sheets`` (what Excel needs, nothing more)."""
    strings: list[str] = []
    sheet_parts = [_sheet_xml(sheet, strings) for sheet in sheets]
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    content_types = (
        declaration + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT_SHEET}"/>'
                  for i in range(1, len(sheets) + 1))
        + "</Types>")
    root_rels = (declaration + f'<Relationships xmlns="{_PKG_REL}">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = (declaration + workbook_doctype + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
                + "".join(f"<sheet name={quoteattr(sheet.name)} sheetId=\"{i}\""
                          + (f' state="{sheet.state}"' if sheet.state != "visible" else "")
                          + f' r:id="rId{i}"/>' for i, sheet in enumerate(sheets, start=1))
                + "</sheets></workbook>")
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    workbook_rels = (declaration + f'<Relationships xmlns="{_PKG_REL}">'
                     + "".join(f'<Relationship Id="rId{i}" Type="{base}worksheet" Target="worksheets/sheet{i}.xml"/>'
                               for i in range(1, len(sheets) + 1))
                     + f'<Relationship Id="rId{len(sheets) + 1}" Type="{base}styles" Target="styles.xml"/>'
                     + f'<Relationship Id="rId{len(sheets) + 2}" Type="{base}sharedStrings" '
                       'Target="sharedStrings.xml"/></Relationships>')
    shared = (declaration + strings_doctype
              + f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in strings) + "</sst>")
    parts = {"[Content_Types].xml": content_types, "_rels/.rels": root_rels, "xl/workbook.xml": workbook,
             "xl/_rels/workbook.xml.rels": workbook_rels, "xl/styles.xml": _STYLES_XML,
             "xl/sharedStrings.xml": shared}
    parts.update({f"xl/worksheets/sheet{i}.xml": xml for i, xml in enumerate(sheet_parts, start=1)})
    return zip_bytes({name: text.encode("utf-8") for name, text in parts.items()})


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def quo_book(*rows: list[object], **sheet_options: object) -> bytes:
    return xlsx_bytes([Sheet("Tasks", [QUO_HEADER, *rows], **sheet_options)])  # type: ignore[arg-type]


# --- the corpus ------------------------------------------------------------------------------------

def _junk() -> bytes:
    return random.Random(6).randbytes(2048)


def _password_protected() -> bytes:
    """What Excel writes for a password-protected workbook: an OLE2 container, not a zip."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900")
    names = "".join(f"{name}\x00" for name in ("EncryptionInfo", "EncryptedPackage", "DataSpaces"))
    return header + bytes(488) + names.encode("utf-16-le") + random.Random(7).randbytes(1024)


_BILLION_LAUGHS = ('<!DOCTYPE sst [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                   '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
                   '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
                   '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
                   '<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;"><!ENTITY j "&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;">]>')
_EXTERNAL_ENTITY = '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
_EXTERNAL_WORKBOOK = ('<!DOCTYPE workbook [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd">'
                      '%remote;]>')


def _billion_laughs() -> bytes:
    book = xlsx_bytes([Sheet("Tasks", [QUO_HEADER, ["Laugh", "Ha", "PNk3Ra9XwQ2m"]])], strings_doctype=_BILLION_LAUGHS)
    return _replace_member(book, "xl/sharedStrings.xml", b"<t xml:space=\"preserve\">Laugh</t>",
                           b"<t xml:space=\"preserve\">&j;</t>")


def _external_entity() -> bytes:
    leak = Cell("<is><t>&secret;</t></is>", "raw")
    sheet = Sheet("Tasks", [QUO_HEADER, ["Leak", leak, "PNk3Ra9XwQ2m"]], doctype=_EXTERNAL_ENTITY)
    book = xlsx_bytes([sheet])
    return _replace_member(book, "xl/worksheets/sheet1.xml", b'<c r="B2">', b'<c r="B2" t="inlineStr">')


def _external_dtd_in_workbook() -> bytes:
    return xlsx_bytes([Sheet("Tasks", [QUO_HEADER, ["A", "B", "PNk3Ra9XwQ2m"]])], workbook_doctype=_EXTERNAL_WORKBOOK)


def _replace_member(book: bytes, name: str, old: bytes, new: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    assert old in members[name], (name, old)
    members[name] = members[name].replace(old, new)
    return zip_bytes(members)


def _title_rows_xlsx() -> bytes:
    return xlsx_bytes([Sheet("Tasks", [
        ["December follow-ups", None, None], ["Prepared by the ops team"], [], QUO_HEADER,
        ["Call back", "Pricing question", "PNk3Ra9XwQ2m"], ["Send checklist", "Onboarding", "PNk3Ra9XwQ2m"],
    ], merges=("A1:C1",))])


def _merged_header() -> bytes:
    return xlsx_bytes([Sheet("Tasks", [
        ["Title", "Description", None, "phoneNumberId"],
        ["Call back", "Pricing question", "ask about annual billing", "PNk3Ra9XwQ2m"],
        ["Send checklist", "Onboarding", None, "PNk3Ra9XwQ2m"],
    ], merges=("B1:C1",))])


def _formulas_with_values() -> bytes:
    return quo_book(
        [Cell("FIX THE BOILER", "str", formula='UPPER("fix the boiler")'), "Flat 4", "PNk3Ra9XwQ2m"],
        [Cell("Call 3 residents", "str", formula='"Call "&(1+2)&" residents"'), "Block B", "PNk3Ra9XwQ2m"],
    )


def _formulas_without_values() -> bytes:
    return quo_book(
        [Cell(None, formula='UPPER("fix the boiler")'), "Flat 4", "PNk3Ra9XwQ2m"],
        ["Call back", Cell(None, formula='CONCAT("Block ", "B")'), "PNk3Ra9XwQ2m"],
        ["Plain row", "Typed by hand", "PNk3Ra9XwQ2m"],
    )


def _excel_errors_xlsx() -> bytes:
    return quo_book(
        [Cell("#N/A", "e", formula="VLOOKUP(A9,Z:Z,2,FALSE)"), "Lookup failed", "PNk3Ra9XwQ2m"],
        ["Broken link", Cell("#REF!", "e", formula="#REF!"), "PNk3Ra9XwQ2m"],
        ["Division", "By zero", Cell("#DIV/0!", "e", formula="1/0")],
        ["Fine row", "Nothing wrong", "PNk3Ra9XwQ2m"],
    )


def _dates_xlsx() -> bytes:
    header = ["Title", "Description", "Due Date", "phoneNumberId"]
    return xlsx_bytes([Sheet("Tasks", [
        header,
        ["Too late", "Serial past 9999-12-31", Cell("2958466", style=STYLES["date"]), "PNk3Ra9XwQ2m"],
        ["Too early", "Serial before 1900", Cell("-1", style=STYLES["date"]), "PNk3Ra9XwQ2m"],
        ["Text before 1900", "Typed as text", "1899-12-31", "PNk3Ra9XwQ2m"],
        ["Last day", "Excel's last date", Cell("2958465", style=STYLES["date"]), "PNk3Ra9XwQ2m"],
        ["Normal", "A real date cell", Cell("46357", style=STYLES["date"]), "PNk3Ra9XwQ2m"],
    ])])


def _phone_scientific_xlsx() -> bytes:
    return xlsx_bytes([Sheet("Tasks", [
        TRAVTUS_HEADER,
        ["PROP-OAK", "SCI-1", "Number shown as 4.16E+09", "2026-12-01", "Ana", Cell("4155550100", style=STYLES["scientific"])],
        ["PROP-OAK", "SCI-2", "Text that Excel mangled", "2026-12-01", "Ben", Cell("4.15555E+09", "str", style=STYLES["text"])],
    ])])


def _emoji_rtl_xlsx() -> bytes:
    return quo_book([EMOJI_TITLE, RTL_DESCRIPTION, "PNk3Ra9XwQ2m"], ["Zero-width joiner ‍ and combining é", "שלום עולם", "PNk3Ra9XwQ2m"])


def _ten_thousand_columns() -> bytes:
    header = QUO_HEADER + [f"Extra {n}" for n in range(len(QUO_HEADER) + 1, WIDE + 1)]
    row = ["Wide sheet", "Ten thousand columns", "PNk3Ra9XwQ2m"] + [""] * (WIDE - 3)
    row[-1] = "last"
    return csv_bytes([header, row])


def _nul_byte() -> bytes:
    return csv_bytes(quo_rows(["Call back", "Pricing", "PNk3Ra9XwQ2m"])) + b"Send\x00 checklist,Onboarding,PNk3Ra9XwQ2m\r\n"


def _mixed_line_endings() -> bytes:
    return b"Title,Description,phoneNumberId\r\nCall back,Pricing,PNk3Ra9XwQ2m\nSend checklist,Onboarding,PNk3Ra9XwQ2m\rBook visit,Boiler,PNk3Ra9XwQ2m\r\n"


def _utf16(bom: bool) -> bytes:
    text = "Title\tDescription\tphoneNumberId\r\nCafé visit\tRésumé — naïve\tPNk3Ra9XwQ2m\r\nСчёт\t請求書\tPNk3Ra9XwQ2m\r\n"
    return ("\ufeff" + text if bom else text).encode("utf-16-le")


FILES: dict[str, Callable[[], bytes]] = {
    "empty.csv": lambda: b"",
    "header_only.csv": lambda: csv_bytes([QUO_HEADER]),
    "header_only.xlsx": lambda: quo_book(),
    "binary_junk.csv": _junk,
    "not_a_zip.xlsx": lambda: b"Title,Description,phoneNumberId\r\nThis is a CSV,renamed .xlsx,PNk3Ra9XwQ2m\r\n",
    "zip_not_workbook.xlsx": lambda: zip_bytes({"word/document.xml": b"<document/>", "readme.txt": b"hello"}),
    "truncated.xlsx": lambda: quo_book(["A", "B", "PNk3Ra9XwQ2m"])[:300],
    "password_protected.xlsx": _password_protected,
    "only_hidden_sheets.xlsx": lambda: xlsx_bytes([
        Sheet("Tasks", [QUO_HEADER, ["A", "B", "PNk3Ra9XwQ2m"]], state="hidden"),
        Sheet("Lists", [["PNk3Ra9XwQ2m"]], state="veryHidden")]),
    "merged_header.xlsx": _merged_header,
    "duplicate_headers.csv": lambda: csv_bytes([["Title", "Description", "phoneNumberId", "title"],
                                                ["A", "B", "PNk3Ra9XwQ2m", "C"]]),
    "title_rows.xlsx": _title_rows_xlsx,
    "title_rows.csv": lambda: csv_bytes([["Follow-ups for December", "", ""], ["", "", ""], QUO_HEADER,
                                         ["Call back", "Pricing", "PNk3Ra9XwQ2m"]]),
    "blank_first_row.csv": lambda: b"\r\n" + csv_bytes(quo_rows(["Call back", "Pricing", "PNk3Ra9XwQ2m"])),
    "unbalanced_quotes.csv": lambda: b'Title,Description,phoneNumberId\r\nCall back,"Pricing,PNk3Ra9XwQ2m\r\nSend,Onboarding,PNk3Ra9XwQ2m\r\n',
    "nul_byte.csv": _nul_byte,
    "mixed_line_endings.csv": _mixed_line_endings,
    "utf16_bom.txt": lambda: _utf16(True),
    "utf16_no_bom.csv": lambda: _utf16(False),
    "big_cell.csv": lambda: csv_bytes(quo_rows(["Long description", "x" * BIG_CELL, "PNk3Ra9XwQ2m"],
                                               ["Short description", "fine", "PNk3Ra9XwQ2m"])),
    "ten_thousand_columns.csv": _ten_thousand_columns,
    "formulas_with_values.xlsx": _formulas_with_values,
    "formulas_without_values.xlsx": _formulas_without_values,
    "excel_errors.xlsx": _excel_errors_xlsx,
    "excel_errors.csv": lambda: csv_bytes(quo_rows(["#N/A", "Lookup failed", "PNk3Ra9XwQ2m"], ["Name", "#NAME?", "PNk3Ra9XwQ2m"],
                                                   ["Value", "Bad", "#VALUE!"], ["Fine", "Nothing wrong", "PNk3Ra9XwQ2m"])),
    "dates_out_of_range.csv": lambda: csv_bytes([
        ["Group External Ref", "Task Ref", "Title", "Due Date"],
        ["PROP-OAK", "D-1", "Before 1900", "1899-12-31"], ["PROP-OAK", "D-2", "After 9999", "10000-01-01"],
        ["PROP-OAK", "D-3", "Slash year 0999", "12/31/0999"], ["PROP-OAK", "D-4", "Last moment", "9999-12-31 23:59"],
        ["PROP-OAK", "D-5", "First day", "1900-01-01"]]),
    "dates_out_of_range.xlsx": _dates_xlsx,
    "impossible_date.csv": lambda: csv_bytes([
        ["Group External Ref", "Task Ref", "Title", "Due Date"], ["PROP-OAK", "X-1", "Month 31", "31/31/2026"],
        ["PROP-OAK", "X-2", "February 30", "2/30/2026"], ["PROP-OAK", "X-3", "Fine", "12/31/2026"]]),
    "phone_scientific.csv": lambda: csv_bytes([
        TRAVTUS_HEADER, ["PROP-OAK", "P-1", "Mangled by Excel", "2026-12-01", "Ana", "4.15555E+09"],
        ["PROP-OAK", "P-2", "Lower case e", "2026-12-01", "Ben", "4.15555e+09"],
        ["PROP-OAK", "P-3", "Fine", "2026-12-01", "Cy", "(415) 555-0100"]]),
    "phone_scientific.xlsx": _phone_scientific_xlsx,
    "emoji_rtl.csv": lambda: csv_bytes(quo_rows([EMOJI_TITLE, RTL_DESCRIPTION, "PNk3Ra9XwQ2m"])),
    "emoji_rtl.xlsx": _emoji_rtl_xlsx,
    "formula_injection.csv": lambda: csv_bytes(quo_rows(
        ['=HYPERLINK("http://127.0.0.1:9/x","click")', "@SUM(1+1)", "PNk3Ra9XwQ2m"],
        ["+cmd|' /C calc'!A0", "-2+3", "PNk3Ra9XwQ2m"], ["-42", "+14155550100", "PNk3Ra9XwQ2m"])),
    "billion_laughs.xlsx": _billion_laughs,
    "external_entity.xlsx": _external_entity,
    "external_dtd.xlsx": _external_dtd_in_workbook,
}


def build(name: str) -> bytes:
    """The bytes of one corpus file."""
    return FILES[name]()


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else CORPUS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (folder / name).write_bytes(build(name))
    print(f"{len(FILES)} files written to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
