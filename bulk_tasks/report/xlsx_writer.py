"""A small streaming XLSX writer: cells are built column by column as XML text and streamed into the zip.

It writes what the results workbook needs and nothing more: inline text cells, numbers, dates, a style
table (bold, fills, number formats, wrapping), column widths, a frozen header, an autofilter, data
validations, cell comments (with the VML drawing Excel shows them with) and custom document
properties. openpyxl writes the same content about ten times slower, one Python object per cell.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..read.xlsx import column_letter
from .xlsx_cells import ILLEGAL_XML, escape_text

MAX_ROWS = 1_048_576
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Styles:
    """The workbook's style table; ``add`` returns the index a cell's ``s`` attribute names."""

    def __init__(self) -> None:
        self._fills: list[str] = ["none", "gray125"]
        self._formats: dict[str, int] = {}
        self._xfs: list[tuple[int, int, int, bool, bool]] = [(0, 0, 0, False, False)]

    def add(self, *, bold: bool = False, fill: str | None = None, number_format: str | int | None = None,
            wrap: bool = False, named: bool = False) -> int:
        """The style with a bold font, a solid ``fill`` (RRGGBB), a number format (a code, or the id of one
        of Excel's built-in formats) and text wrapping.

        ``named``: a plain style other than format 0, for cells that must name their style (LibreOffice
        and Gnumeric ignore format 0's alignment in a cell without ``s``, and show it at the bottom).
        """
        fill_id = 0
        if fill:
            if fill not in self._fills:
                self._fills.append(fill)
            fill_id = self._fills.index(fill)
        format_id = 0
        if isinstance(number_format, int):
            format_id = number_format
        elif number_format == "@":
            format_id = 49
        elif number_format:
            format_id = self._formats.setdefault(number_format, 164 + len(self._formats))
        xf = (int(bold), fill_id, format_id, wrap, named and not (bold or fill_id or format_id or wrap))
        if xf not in self._xfs:
            self._xfs.append(xf)
        return self._xfs.index(xf)

    def xml(self) -> str:
        """``xl/styles.xml``."""
        formats = "".join(f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>' for code, i in self._formats.items())
        formats = f'<numFmts count="{len(self._formats)}">{formats}</numFmts>' if formats else ""
        fills = "".join(f'<fill><patternFill patternType="{fill}"/></fill>' if fill in ("none", "gray125") else
                        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{fill}"/><bgColor indexed="64"/>'
                        f"</patternFill></fill>" for fill in self._fills)
        xfs = "".join(_xf(*xf[:4]) for xf in self._xfs)
        return (f'{_XML}<styleSheet xmlns="{_MAIN}">{formats}'
                '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
                '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
                f'<fills count="{len(self._fills)}">{fills}</fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyAlignment="1">'
                '<alignment vertical="top"/></xf></cellStyleXfs>'
                f'<cellXfs count="{len(self._xfs)}">{xfs}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>")


def _xf(font: int, fill: int, number_format: int, wrap: bool) -> str:
    """One cell format; every cell is aligned to the top, so that a row made tall by a wrapped cell reads
    from its first line across. The Normal style is too (``styles.xml``): a cell written without a style,
    such as ``_row``, takes it in programs that read such a cell as Normal rather than as format 0."""
    applied = "".join((' applyFont="1"' if font else "", ' applyFill="1"' if fill else "",
                       ' applyNumberFormat="1"' if number_format else ""))
    alignment = '<alignment vertical="top" wrapText="1"/>' if wrap else '<alignment vertical="top"/>'
    return (f'<xf numFmtId="{number_format}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"{applied} '
            f'applyAlignment="1">{alignment}</xf>')


@dataclass
class Validation:
    """A data validation over ``cells`` (``C2:C1048576``): a drop-down of ``choices`` and/or an input prompt."""

    cells: str
    choices: tuple[str, ...] = ()
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""

    def xml(self) -> str:
        attributes = {"allowBlank": "1", "showInputMessage": "1"}
        if self.choices:
            attributes.update(type="list", showErrorMessage="1", errorStyle="stop")
        texts = {"promptTitle": self.prompt_title, "prompt": self.prompt, "errorTitle": self.error_title,
                 "error": self.error}
        attributes.update({name: text for name, text in texts.items() if text})
        attributes["sqref"] = self.cells
        head = "".join(f" {name}={quoteattr(ILLEGAL_XML.sub('', value))}" for name, value in attributes.items())
        if not self.choices:
            return f"<dataValidation{head}/>"
        formula = escape_text('"' + ",".join(self.choices) + '"')
        return f"<dataValidation{head}><formula1>{formula}</formula1></dataValidation>"


@dataclass
class Sheet:
    """One worksheet: ``rows`` streams its ``<row>`` elements; the rest is written around them."""

    name: str
    rows: Iterable[str]
    size: tuple[int, int]
    widths: Sequence[float] = ()
    column_styles: Sequence[int] = ()
    freeze_header: bool = False
    autofilter: bool = False
    validations: Sequence[Validation] = ()
    comments: Sequence[tuple[int, int, str]] = ()
    ignore_numbers_as_text: bool = False

    def ref(self) -> str:
        rows, columns = self.size
        return f"A1:{column_letter(max(columns, 1) - 1)}{max(rows, 1)}"


def write_workbook(path: Path, sheets: Sequence[Sheet], styles: Styles,
                   properties: Callable[[list[zipfile.ZipInfo]], dict[str, str]] | None = None,
                   compresslevel: int = 1) -> None:
    """Write ``sheets`` into a new workbook at ``path``; ``properties``, given every other part once written,
    returns the custom document properties (text) to write last."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", _content_types(sheets, bool(properties)))
        archive.writestr("_rels/.rels", _root_rels(bool(properties)))
        archive.writestr("docProps/app.xml", f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/'
                                             'officeDocument/2006/extended-properties"><Application>bulk-tasks'
                                             "</Application></Properties>")
        archive.writestr("xl/workbook.xml", _workbook(sheets))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(sheets))
        for number, sheet in enumerate(sheets, start=1):
            _write_sheet(archive, number, sheet)
        archive.writestr("xl/styles.xml", styles.xml())  # last: writing the rows adds styles
        if properties:
            archive.writestr("docProps/custom.xml", custom_properties_xml(properties(archive.infolist())))


def _write_sheet(archive: zipfile.ZipFile, number: int, sheet: Sheet) -> None:
    with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part, \
            ThreadPoolExecutor(1) as compressor:
        part.write(_sheet_head(sheet).encode())
        pending = None
        for chunk in sheet.rows:  # zlib lets go of the GIL: chunk n is compressed while n + 1 is built
            data = chunk.encode("utf-8", "surrogatepass")
            if pending is not None:
                pending.result()
            pending = compressor.submit(part.write, data)
        if pending is not None:
            pending.result()
        part.write(_sheet_tail(sheet).encode())
    if sheet.comments:
        archive.writestr(f"xl/worksheets/_rels/sheet{number}.xml.rels",
                         f'{_XML}<Relationships xmlns="{_PKG_REL}">'
                         f'<Relationship Id="rId1" Type="{_REL}/comments" Target="../comments{number}.xml"/>'
                         f'<Relationship Id="rId2" Type="{_REL}/vmlDrawing" '
                         f'Target="../drawings/vmlDrawing{number}.vml"/></Relationships>')
        archive.writestr(f"xl/comments{number}.xml", _comments(sheet.comments))
        archive.writestr(f"xl/drawings/vmlDrawing{number}.vml", _vml(sheet.comments, number))


def _sheet_head(sheet: Sheet) -> str:
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>') if sheet.freeze_header else ""
    view = f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
    styles = list(sheet.column_styles) or [0] * len(sheet.widths)
    columns = "".join(f'<col min="{i}" max="{i}" width="{width:.2f}" customWidth="1"{_style_attribute(style)}/>'
                      for i, (width, style) in enumerate(zip(sheet.widths, styles), start=1))
    return (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="{sheet.ref()}"/>{view}'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{columns}</cols>" if columns else ""}<sheetData>')


def _style_attribute(style: int) -> str:
    return f' style="{style}"' if style else ""


def _sheet_tail(sheet: Sheet) -> str:
    parts = ["</sheetData>"]
    if sheet.autofilter:
        parts.append(f'<autoFilter ref="{sheet.ref()}"/>')
    if sheet.validations:
        parts.append(f'<dataValidations count="{len(sheet.validations)}">'
                     + "".join(v.xml() for v in sheet.validations) + "</dataValidations>")
    parts.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    if sheet.ignore_numbers_as_text:
        parts.append(f'<ignoredErrors><ignoredError sqref="{sheet.ref()}" numberStoredAsText="1"/></ignoredErrors>')
    if sheet.comments:
        parts.append('<legacyDrawing r:id="rId2"/>')
    parts.append("</worksheet>")
    return "".join(parts)


def _comments(comments: Sequence[tuple[int, int, str]]) -> str:
    body = "".join(f'<comment ref="{column_letter(column)}{row}" authorId="0"><text><t xml:space="preserve">'
                   f"{escape_text(text)}</t></text></comment>" for row, column, text in comments)
    return (f'{_XML}<comments xmlns="{_MAIN}"><authors><author>bulk-tasks</author></authors>'
            f"<commentList>{body}</commentList></comments>")


def _vml(comments: Sequence[tuple[int, int, str]], number: int) -> str:
    """The legacy drawing that holds one hidden note box per comment (what Excel shows on hover)."""
    first_block = number
    blocks = ",".join(str(first_block + i) for i in range(len(comments) // 1024 + 1))
    shapes = []
    for index, (row, column, _text) in enumerate(comments):
        shape_id = (first_block * 1024) + 1 + index
        shapes.append(
            f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            'margin-top:1.5pt;width:216pt;height:60pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
            '</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{column + 1}, 15, {max(row - 2, 0)}, 10, {column + 4}, 15, {row + 3}, 4</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{column}</x:Column>"
            "</x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{blocks}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>")


def custom_properties_xml(properties: dict[str, str]) -> str:
    """``docProps/custom.xml`` with text properties."""
    items = "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(name)}>'
                    f"<vt:lpwstr>{escape_text(value)}</vt:lpwstr></property>"
                    for pid, (name, value) in enumerate(properties.items(), start=2))
    return (f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{items}</Properties>')


def _content_types(sheets: Sequence[Sheet], custom: bool) -> str:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = [('/xl/workbook.xml', f"{main}.sheet.main+xml"), ('/xl/styles.xml', f"{main}.styles+xml"),
                 ('/docProps/app.xml', "application/vnd.openxmlformats-officedocument.extended-properties+xml")]
    if custom:
        overrides.append(("/docProps/custom.xml",
                          "application/vnd.openxmlformats-officedocument.custom-properties+xml"))
    for number, sheet in enumerate(sheets, start=1):
        overrides.append((f"/xl/worksheets/sheet{number}.xml", f"{main}.worksheet+xml"))
        if sheet.comments:
            overrides.append((f"/xl/comments{number}.xml", f"{main}.comments+xml"))
    return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides) + "</Types>")


def _root_rels(custom: bool) -> str:
    rels = [("rId1", f"{_REL}/officeDocument", "xl/workbook.xml"),
            ("rId2", f"{_REL}/extended-properties", "docProps/app.xml")]
    if custom:
        rels.append(("rId3", f"{_REL}/custom-properties", "docProps/custom.xml"))
    return (f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in rels)
            + "</Relationships>")


def _workbook(sheets: Sequence[Sheet]) -> str:
    entries = "".join(f'<sheet name={quoteattr(sheet.name)} sheetId="{n}" r:id="rId{n}"/>'
                      for n, sheet in enumerate(sheets, start=1))
    names = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                    f"{_quoted_sheet(sheet.name)}!{_absolute(sheet.ref())}</definedName>"
                    for n, sheet in enumerate(sheets) if sheet.autofilter)
    return (f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{entries}</sheets>{f'<definedNames>{names}</definedNames>' if names else ''}</workbook>")


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    return ":".join("$" + re.sub(r"(\d+)", r"$\1", part) for part in ref.split(":"))


def _workbook_rels(sheets: Sequence[Sheet]) -> str:
    rels = [f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)]
    rels.append(f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>')
    return f'{_XML}<Relationships xmlns="{_PKG_REL}">' + "".join(rels) + "</Relationships>"
