"""A past import's actions on the page: Verify, Undo and Send the changes, over the library's ``after``.

Each one runs like a send (``runs.Run``: a thread and event loop of its own, one operation per import at
a time, Stop, live progress that every tab sees) and calls ``after.verify``/``after.undo`` (Send the
changes is a send with ``update``, see ``app.send``); what the page says comes from the CLI's sentences
(``after_messages``) in the page's words. The journal rules are the library's: a second Undo sends
nothing already done.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from ..after.past import CREATED_STATUSES
from ..after.undo import undo_async
from ..after.verify import VerifySummary, verify_async
from ..check.headers import match_columns
from ..console import after_messages as say
from ..console.after_messages import undo_lines, verify_lines
from ..console.messages import confirmation_question, plural
from ..console.wording import FORCE, PAGE
from ..errors import BulkTasksError
from ..providers import Provider, get_provider
from ..send.options import SendOptions
from ..statuses import RowStatus
from .checking import Checked, Grid, results_grid, results_view
from .imports import STATE, State, credential_fields, error_response, import_record, read_options
from .plan import send_plans, sent_to
from .runs import Run, Work
from .store import ImportRecord

#: How the page names the import in the CLI's sentences that name a results file.
THIS_IMPORT = "this import"
FORCE_AGAIN = f"press Undo again with {FORCE} ticked"
#: Where the rows verify did not find are sent from (the command the CLI names there).
SEND_AGAIN = "press Send (step 5) when you are ready"


def sheet_columns(provider: Provider, grid: Grid, mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Each field as the import's sheet names its column (“Task Ref”), else the field in words."""
    try:
        header_of = match_columns(grid.columns, provider, mapping, require=False).header_of
    except BulkTasksError:
        header_of = {}
    return {spec.name: f"“{header_of.get(spec.name, spec.words)}”" for spec in provider.fields}


def offers(provider: Provider, grid: Grid, url: str | None, creating: int = 0,
           mapping: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """What a past import offers (Verify, Undo, Send the changes): each enabled or why not, with the count
    and the question the CLI would ask; None when it was never sent. ``mapping``: the import's own, by
    which its sentences name the sheet's columns."""
    if not url:
        return None
    statuses = grid.frame["_status"].fillna("").astype(str).str.strip().str.lower()
    created = int(statuses.isin(CREATED_STATUSES).sum())
    checkable = created + int((statuses == RowStatus.UNCERTAIN.value).sum())
    changed = int((statuses == RowStatus.CHANGED.value).sum())
    name = provider.display_name()
    sandbox = url.startswith("sandbox:")
    place = "the built-in sandbox" if sandbox else url

    def gone(command: str) -> str:
        return PAGE.say(say.SANDBOX_GONE.format(path="This import", command=command))

    verify = ""
    if sandbox:
        verify = gone("Verify")
    elif provider.task_lookup() is None:
        verify = PAGE.say(provider.cannot_look_up_text(THIS_IMPORT, sheet_columns(provider, grid, mapping))
                          or say.CANNOT_LOOK_UP.format(provider=name).format(path=THIS_IMPORT))
    elif not checkable:
        verify = verify_lines(VerifySummary(Path(THIS_IMPORT), provider.name, url), "")[0]
    undo = gone("Undo") if sandbox else (
        PAGE.say(say.CANNOT_DELETE.format(provider=name)) if provider.task_changes() is None else
        say.NOTHING_TO_UNDO.format(path=THIS_IMPORT) if not created else "")
    question = say.UNDO_QUESTION.format(count=plural(created, "task"), provider=name, url=place)
    asked = confirmation_question(creating, name, place, changed).removesuffix(" [y/N]")
    update = {"enabled": bool(changed) and not sandbox, "why": gone("Send the changes") if sandbox else "",
              "count": changed, "question": asked}
    return {"provider": name, "url": place, "real": not sandbox, "credentials": list(provider.credential_variables),
            "verify": {"enabled": not verify, "why": verify, "count": checkable},
            "undo": {"enabled": not undo, "why": undo, "count": created, "force": provider.task_lookup() is not None,
                     "question": question.removesuffix(" [y/N]")},
            "update": update}


async def offers_view(app_state: State, record: ImportRecord, grid: Grid, checked: Checked | None) -> Any:
    """``offers`` of an import whose results are ``grid``."""
    results = app_state.workdir.results_path(record)
    creating = 0
    if checked is not None and checked.editable is not None:
        try:
            creating = (await send_plans(app_state, record, checked))["real"].create
        except BulkTasksError:
            creating = 0
    return offers(get_provider(record.provider), grid, sent_to(results), creating, record.options.get("mapping"))


def page_lines(lines: list[str], results: Path) -> list[str]:
    """The CLI's closing lines in the page's words, without the results file's path (it is on the page)."""
    return [PAGE.say(line.strip()).replace(str(results), THIS_IMPORT) for line in lines
            if not line.startswith("Results: ")]


def _view(results: Path, lines: list[str], exit_code: int) -> dict[str, Any]:
    said = page_lines(lines, results)
    counts = results_view(results_grid(results))["counts"]
    return {"counts": counts, "line": said[0] if said else "", "lines": said[1:], "exit_code": exit_code,
            "stopped": [], "problems": [], "next": []}


def verifying(results: Path, send: SendOptions, record: ImportRecord) -> Work:
    """The work of Verify: ``after.verify`` with the import's reading options, progress by pages read."""
    options = replace(read_options(record), sheet=None)  # the results file is read, not the sheet

    async def work(run: Run, stop: asyncio.Event) -> dict[str, Any]:
        summary = await _said(verify_async(results, send=send, options=options, stop=stop, on_progress=run.looked),
                              results)
        return _view(results, verify_lines(summary, SEND_AGAIN), int(summary.exit_code))

    return work


def undoing(results: Path, send: SendOptions, confirmed: int, force: bool) -> Work:
    """The work of Undo: ``after.undo``, sending nothing when more tasks would go than the person confirmed."""
    async def agreed(count: int, base_url: str) -> bool:
        return count <= confirmed

    async def work(run: Run, stop: asyncio.Event) -> dict[str, Any]:
        summary = await _said(undo_async(results, force=force, send=send, progress=run, stop=stop, confirm=agreed),
                              results)
        lines = undo_lines(summary, FORCE_AGAIN)
        view = _view(results, [line for line in lines if line != summary.stopped_reason], int(summary.exit_code))
        view["stopped"] = [PAGE.say(summary.stopped_reason)] if summary.stopped_reason else []
        return view

    return work


async def _said(operation: Any, results: Path) -> Any:
    """``operation`` awaited; a refusal names the import, never its path on the server."""
    try:
        return await operation
    except BulkTasksError as exc:
        exc.args = (str(exc).replace(str(results), THIS_IMPORT),)
        raise


async def _start(request: web.Request, kind: str) -> web.Response:
    """Verify or Undo the import, as a run; refused (409) while another operation holds it."""
    app_state = request.app[STATE]
    record = import_record(request)
    current = app_state.runs.get(record.id)
    if current is not None and current.active:
        return error_response(current.busy, 409)
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return error_response("The request body must be a JSON object.")
    results = app_state.workdir.results_path(record)
    if not results.exists() or not record.sent:
        return error_response("This import has no results yet: send it first.", 409)
    offered = offers(get_provider(record.provider), await asyncio.to_thread(results_grid, results), sent_to(results),
                     mapping=record.options.get("mapping"))
    offer = (offered or {}).get(kind) or {"enabled": False, "why": "This import has not been sent yet."}
    if not offer["enabled"]:
        return error_response(offer["why"], 409)
    latest = app_state.runs.get(record.id)
    if latest is not None and latest is not current and latest.active:  # another tab started something meanwhile
        return error_response(latest.busy, 409)
    given = body.get("credentials") or {}
    env = {name: str(given[name]) for name in credential_fields(record.provider)
           if isinstance(given, dict) and given.get(name)}
    send = SendOptions(env=env)
    run = Run(record.id, asyncio.get_running_loop(), lambda run: finished(app_state, run), kind=kind)
    app_state.runs[record.id] = run
    run.begin_work(verifying(results, send, record) if kind == "verify" else
                   undoing(results, send, int(body.get("count") or 0), bool(body.get("force"))))
    return web.json_response(run.snapshot(), status=202)


def finished(app_state: State, run: Run) -> None:
    """After a run: the results are read again, and the import's counts are those of its results."""
    app_state.results.pop(run.import_id, None)
    try:
        record = app_state.workdir.load(run.import_id)
    except (KeyError, OSError, ValueError):
        return
    if run.summary is not None:
        record.counts, record.sent = run.summary["counts"], True
        app_state.workdir.save(record)


async def verify(request: web.Request) -> web.Response:
    """Verify: settle the uncertain rows by looking them up, note created tasks gone or edited."""
    return await _start(request, "verify")


async def undo(request: web.Request) -> web.Response:
    """Undo: take back the tasks the import created (the page has asked the question first)."""
    return await _start(request, "undo")


def add_routes(app: web.Application) -> None:
    """The routes of this module."""
    app.router.add_post("/api/imports/{id}/verify", verify)
    app.router.add_post("/api/imports/{id}/take-back", undo)
