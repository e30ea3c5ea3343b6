"""The page's HTTP API for fixing the sheet in the grid: typed cells, fix-all, find and replace, undo,
redo, and the sheet as edited (downloads, and the writing of its new version in the background).

Each change is checked again at once on the server (``Sheet.edit``: the library's own rules for the
rows it touches), kept in ``edits.json`` (``EditLog``) and answered with the rows it changed, the
new counts and problems, and what undo and redo would do.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from ..errors import BulkTasksError
from .checking import Checked, revalidated
from .edits import Change, EditLog, save_edited, write_sheet_csv, write_sheet_xlsx
from .imports import STATE, State, attachment, check_current, error_response, import_record
from .sheet import Cell, Sheet
from .store import ImportRecord

NOTHING_TO_UNDO = "There is nothing to undo."
NOTHING_TO_REDO = "There is nothing to redo."
NO_SHEET = "There are no rows to fix until every required column is matched."
MAX_CELLS = 1_000_000


def edit_log(app_state: State, record: ImportRecord) -> EditLog:
    """The edits of the import's latest upload (read from its folder once, then kept in memory)."""
    stored = record.inputs[-1]["stored"]
    log = app_state.logs.get(record.id)
    if log is None or log.base != stored:
        log = EditLog.load(app_state.workdir.folder(record.id), stored)
        app_state.logs[record.id] = log
    return log


async def _editable(request: web.Request) -> tuple[State, ImportRecord, Checked, Sheet]:
    app_state = request.app[STATE]
    record = import_record(request)
    run = app_state.runs.get(record.id)
    if run is not None and run.active:
        raise _refused(run.busy, 409)
    checked = app_state.checks.get(record.id)
    if checked is None and record.inputs:
        try:
            checked = await check_current(app_state, record)
        except BulkTasksError as exc:
            raise _refused(str(exc), 422) from None
    if checked is None or checked.editable is None:
        raise _refused(NO_SHEET, 409)
    return app_state, record, checked, checked.editable


_REFUSALS: dict[int, type[web.HTTPClientError]] = {400: web.HTTPBadRequest, 409: web.HTTPConflict,
                                                   422: web.HTTPUnprocessableEntity}


def _refused(text: str, status: int) -> web.HTTPClientError:
    """An answer in words (``{"error": …}``) to raise."""
    return _REFUSALS[status](text=json.dumps({"error": text}), content_type="application/json")


async def _apply(app_state: State, record: ImportRecord, checked: Checked, label: str | None,
                 cells: list[Cell]) -> dict[str, Any]:
    """Write ``cells``, check again, keep the change (``label``; ``None``: an undo or redo, already kept).
    The references they bring are looked up first, where the page's check looked (``Sheet.look_up``)."""
    sheet = checked.editable
    assert sheet is not None
    changes: list[Change] = []
    for row, header, value in cells:
        before = sheet.value(row, header)
        after = (value or "").strip() or None
        if before != after:
            changes.append((row, header, before, after))
    typed = [(row, header, after) for row, header, _, after in changes]
    await sheet.look_up(typed)
    rows = sheet.edit(typed)
    revalidated(checked)
    folder = app_state.workdir.folder(record.id)
    if label is not None and changes:
        log = edit_log(app_state, record)
        log.record(label, changes)
        log.save(folder)
    if changes:
        save_edited(app_state.writers, app_state.workdir, record, sheet)
        record.counts = checked.view["counts"]
        app_state.workdir.save(record)
    assert checked.grid is not None
    return {"rows": checked.grid.rows(rows), "changed": len(changes), "validation": checked.view,
            "history": edit_log(app_state, record).counts()}


def _cells(body: dict[str, Any]) -> list[Cell]:
    cells = body.get("cells")
    if not isinstance(cells, list) or len(cells) > MAX_CELLS or not all(
            isinstance(c, dict) and isinstance(c.get("row"), int) and isinstance(c.get("column"), str)
            and (c.get("value") is None or isinstance(c.get("value"), str)) for c in cells):
        raise _refused('The edits must be a list like [{"row": 2, "column": "Title", "value": "text"}].', 400)
    return [(c["row"], c["column"], c.get("value")) for c in cells]


async def edit(request: web.Request) -> web.Response:
    """Cells typed in the grid; with one cell whose old value other rows share, how to fix them all."""
    app_state, record, checked, sheet = await _editable(request)
    cells = _cells(await _body(request))
    if any(header not in sheet.own_columns for _, header, _ in cells):
        return error_response("Only the sheet's own columns can be changed here (not the results columns).", 400)
    alike = None
    if len(cells) == 1:
        row, header, value = cells[0]
        if header in sheet.frame.columns and row in sheet.frame.index:
            before = sheet.value(row, header)
            alike = {"column": header, "from": before, "to": (value or "").strip() or None}
    answer = await _apply(app_state, record, checked, "edit", cells)
    if alike is not None and answer["changed"]:
        count = int((sheet.frame[alike["column"]] == alike["from"]).sum()) if alike["from"] else 0
        answer["alike"] = {**alike, "rows": count} if count else None
    return web.json_response(answer)


async def fix_all(request: web.Request) -> web.Response:
    """Every cell of a column holding one value gets the same correction."""
    app_state, record, checked, sheet = await _editable(request)
    body = await _body(request)
    column, old, new = body.get("column"), body.get("from"), body.get("to")
    if not isinstance(column, str) or column not in sheet.own_columns or not isinstance(old, str):
        return error_response("Say which column and which value to fix.", 400)
    values = sheet.frame[column]
    rows = values.index[values == old].tolist()
    text = new if isinstance(new, str) else None
    return web.json_response(await _apply(app_state, record, checked, "fix all", [(row, column, text) for row in rows]))


async def replace(request: web.Request) -> web.Response:
    """Find and replace within one column (plain text, as typed)."""
    app_state, record, checked, sheet = await _editable(request)
    body = await _body(request)
    column, find, into = body.get("column"), body.get("find"), body.get("replace")
    if not isinstance(column, str) or column not in sheet.own_columns or not isinstance(find, str) or not find:
        return error_response("Say which column, and the text to find in it.", 400)
    into = into if isinstance(into, str) else ""
    values = sheet.frame[column].dropna()
    found = values[values.str.contains(find, regex=False)]
    cells = [(row, column, text.replace(find, into)) for row, text in found.items()]
    return web.json_response(await _apply(app_state, record, checked, "replace", cells))


async def undo(request: web.Request) -> web.Response:
    return await _history(request, redo=False)


async def redo(request: web.Request) -> web.Response:
    return await _history(request, redo=True)


async def _history(request: web.Request, redo: bool) -> web.Response:
    app_state, record, checked, _sheet = await _editable(request)
    log = edit_log(app_state, record)
    cells = log.redo() if redo else log.undo()
    if cells is None:
        return error_response(NOTHING_TO_REDO if redo else NOTHING_TO_UNDO, 409)
    log.save(app_state.workdir.folder(record.id))
    return web.json_response(await _apply(app_state, record, checked, None, cells))


async def fixed_sheet(request: web.Request) -> web.StreamResponse:
    """The sheet as edited (not the report): CSV or a plain workbook."""
    app_state, record, _checked, sheet = await _editable(request)
    fmt = request.match_info["fmt"]
    stem = Path(record.current_name).stem or "tasks"
    target = app_state.workdir.folder(record.id) / f"download.{fmt}"
    frame, headers = sheet.prepared.table.frame, sheet.prepared.table.headers
    write = write_sheet_xlsx if fmt == "xlsx" else write_sheet_csv
    await asyncio.to_thread(write, target, frame, headers)
    return attachment(target, f"{stem}.fixed.{fmt}")


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise _refused("The request body is not JSON.", 400) from None
    if not isinstance(body, dict):
        raise _refused("The request body must be a JSON object.", 400)
    return body


def add_routes(app: web.Application) -> None:
    """The routes of this module."""
    app.router.add_post("/api/imports/{id}/edits", edit)
    app.router.add_post("/api/imports/{id}/fix-all", fix_all)
    app.router.add_post("/api/imports/{id}/replace", replace)
    app.router.add_post("/api/imports/{id}/undo", undo)
    app.router.add_post("/api/imports/{id}/redo", redo)
    app.router.add_get("/api/imports/{id}/sheet.{fmt:xlsx|csv}", fixed_sheet)
