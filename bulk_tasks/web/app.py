"""The aiohttp application of ``bulk-tasks serve``: routes, and the handlers after the checks.

Checks, grid pages, mapping and annotated-workbook downloads, sending, Stop, live progress (Server-Sent
Events) and the results downloads. Uploads and the state are in ``imports.py``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from ..send.options import SendOptions
from ..errors import BulkTasksError
from ..providers import get_provider
from ..report.write import write_results
from ..send.run import INVALID_ELSEWHERE
from . import after, editing, imports
from .checking import Grid, prepared_for_page, results_grid, results_view, warm_up, write_checked
from .imports import (
    GUARD,
    STATE,
    State,
    check_current,
    credential_fields,
    error_response,
    import_record,
    import_view,
    read_options,
)
from .edits import EditLog, sheet_path
from .plan import plan_view, send_plans
from .runs import Run
from .security import Guard, guard_middleware, secure_headers
from .store import MappingMemory, WorkDir

KEEPALIVE_SECONDS = 15.0


async def get_import(request: web.Request) -> web.Response:
    app_state = request.app[STATE]
    record = import_record(request)
    checked = app_state.checks.get(record.id)
    if checked is None and record.inputs:
        try:
            checked = await check_current(app_state, record)
        except BulkTasksError as exc:
            return error_response(str(exc), 422)
    view = import_view(app_state, record, checked)
    if app_state.workdir.results_path(record).exists() and record.sent:
        grid = await _results(app_state, record.id)
        view["results"] = results_view(grid)
        view["after"] = await after.offers_view(app_state, record, grid, checked)
    return web.json_response(view)


async def check_import(request: web.Request) -> web.Response:
    app_state = request.app[STATE]
    record = import_record(request)
    body = await _json(request)
    names = ("sheet", "timezone", "dayfirst", "phone_region", "sandbox")
    options: dict[str, Any] = {key: body.get(key) for key in names if key in body}
    mapping = body.get("mapping")
    if mapping is not None and not (isinstance(mapping, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())):
        return error_response('The mapping must be an object of text to text, '
                              'like {"Header in my sheet": "api_field"}.')
    if "mapping" in body:
        options["mapping"] = mapping or None
    record.options = {**record.options, **options}
    try:
        checked = await check_current(app_state, record)
    except BulkTasksError as exc:
        return error_response(str(exc), 422)
    if "mapping" in body and checked.error is None:
        app_state.mappings.remember(record.provider, checked.headers, mapping or {})
        saved = app_state.workdir.folder(record.id) / "mapping.json"
        saved.write_text(json.dumps(mapping or {}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    app_state.workdir.save(record)
    return web.json_response(import_view(app_state, record, checked))


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text=json.dumps({"error": "The request body is not JSON."}),
                                 content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "The request body must be a JSON object."}),
                                 content_type="application/json")
    return body


def _int(request: web.Request, name: str, default: int) -> int:
    try:
        return int(request.query.get(name, default))
    except ValueError:
        return default


async def rows(request: web.Request) -> web.Response:
    app_state = request.app[STATE]
    record = import_record(request)
    which = request.query.get("of", "check")
    query = request.query
    chosen = None
    if which == "results":
        grid: Grid | None = await _results(app_state, record.id)
    else:
        checked = app_state.checks.get(record.id)
        if checked is None:
            try:
                checked = await check_current(app_state, record)
            except BulkTasksError as exc:
                return error_response(str(exc), 422)
        grid = checked.grid
        if checked.editable is not None and (query.get("column") or query.get("rule")):
            chosen = checked.editable.rows_with(query.get("column") or None, query.get("rule") or None)
    if grid is None:
        return error_response("There are no rows to show until every required column is matched.", 409)
    around = _int(request, "around", 0) or None
    page = grid.page(_int(request, "offset", 0), _int(request, "limit", 100), query.get("only") == "problems",
                     chosen, around)
    return web.json_response(page)


async def _results(app_state: State, import_id: str) -> Grid:
    grid = app_state.results.get(import_id)
    if grid is None:
        record = app_state.workdir.load(import_id)
        grid = await asyncio.to_thread(results_grid, app_state.workdir.results_path(record))
        app_state.keep(app_state.results, import_id, grid)
    return grid


async def mapping_file(request: web.Request) -> web.StreamResponse:
    record = import_record(request)
    checked = request.app[STATE].checks.get(record.id)
    mapping = dict(record.options.get("mapping") or {})
    if checked is not None:
        mapping = {row["header"]: row["field"] for row in checked.matching if row["field"]}
    body = json.dumps(mapping, ensure_ascii=False, indent=2) + "\n"
    return web.Response(text=body, content_type="application/json", headers={
        "Content-Disposition": 'attachment; filename="mapping.json"'})


async def annotated(request: web.Request) -> web.StreamResponse:
    """The dry run's results workbook: every row with its status, invalid cells highlighted with their rule."""
    app_state = request.app[STATE]
    record = import_record(request)
    target = app_state.workdir.folder(record.id) / "checked.xlsx"
    path, provider, options = app_state.workdir.input_path(record), get_provider(record.provider), read_options(record)

    edits = EditLog.load(path.parent, path.name).edits()
    sandbox = record.options.get("sandbox", True) is not False  # its references checked as the grid's are

    def write() -> None:
        write_checked(target, prepared_for_page(path, provider, options, edits, sandbox)[0])

    try:
        await asyncio.to_thread(write)
    except BulkTasksError as exc:
        return error_response(str(exc), 422)
    return imports.attachment(target, f"{Path(record.current_name).stem or 'tasks'}.checked.xlsx")


async def plan(request: web.Request) -> web.Response:
    """What Send would do (``plan.plan_view``): the question counting only the rows it creates, the rows an
    earlier run of this import created (its journal says so; not sent again) and those changed since."""
    app_state = request.app[STATE]
    record = import_record(request)
    checked = app_state.checks.get(record.id) or await check_current(app_state, record)
    if checked.editable is None:
        return error_response(checked.error or "There is nothing to send yet.", 409)
    try:
        plans = await send_plans(app_state, record, checked)
    except BulkTasksError as exc:
        return error_response(str(exc), 409)
    return web.json_response(plan_view(plans, get_provider(record.provider)))


async def send(request: web.Request) -> web.Response:
    app_state = request.app[STATE]
    record = import_record(request)
    body = await _json(request)
    current = app_state.runs.get(record.id)
    if current is not None and current.active:
        return error_response(current.busy, 409)
    # Decided before any await: the run holds the import from here, so a second Send is refused.
    run = Run(record.id, asyncio.get_running_loop(), lambda run: after.finished(app_state, run),
              kind="update" if body.get("update") else "send")
    app_state.runs[record.id] = run
    try:
        refused = await _begin(app_state, record, body, run)
    except BaseException:
        _release(app_state, record.id, run, current)
        raise
    if refused is not None:
        _release(app_state, record.id, run, current)
        return refused
    return web.json_response(run.snapshot(), status=202)


def _release(app_state: State, import_id: str, run: Run, previous: Run | None) -> None:
    if app_state.runs.get(import_id) is run:
        if previous is None:
            app_state.runs.pop(import_id)
        else:
            app_state.runs[import_id] = previous


async def _begin(app_state: State, record: Any, body: dict[str, Any], run: Run) -> web.Response | None:
    """Check the import (again, if its check is no longer in memory) and start ``run``; or the refusal."""
    try:
        checked = app_state.checks.get(record.id) or await check_current(app_state, record)
    except BulkTasksError as exc:
        return error_response(str(exc), 422)
    if checked.error:
        return error_response(checked.error, 422)
    skip_invalid = bool(body.get("skip_invalid"))
    if checked.invalid and not skip_invalid:
        return error_response(INVALID_ELSEWHERE.format(count=checked.invalid) + ".", 409)
    sandbox = bool(body.get("sandbox", True))
    given = body.get("credentials") or {}
    allowed = credential_fields(record.provider)
    env = {name: str(given[name]) for name in allowed if isinstance(given, dict) and given.get(name)}
    options = SendOptions(sandbox=sandbox, skip_invalid=skip_invalid, env=env, update=bool(body.get("update")))
    record.options["sandbox"] = sandbox
    app_state.workdir.save(record)
    writer = app_state.writers.get(record.id)
    if writer is not None:
        await writer.flush()
        if writer.error:
            app_state.runs.pop(record.id, None)
            return error_response(writer.error, 507)
    path, reading = sheet_path(app_state.workdir, record), read_options(record)
    if path != app_state.workdir.input_path(record):
        reading = replace(reading, sheet=None)  # the edited sheet is a CSV file
    run.begin(path, record.provider, reading, options, app_state.workdir.results_path(record))
    return None


async def stop(request: web.Request) -> web.Response:
    record = import_record(request)
    run = request.app[STATE].runs.get(record.id)
    if run is None or not run.active:
        return error_response("Nothing is being sent for this import.", 409)
    run.stop()
    return web.json_response(run.snapshot())


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: a snapshot of the run at every change, until it ends."""
    record = import_record(request)
    run = request.app[STATE].runs.get(record.id)
    if run is None:
        return error_response("Nothing has been sent for this import yet.", 404)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await response.prepare(request)
    seen = -1
    try:
        while True:
            snapshot = run.snapshot()
            if snapshot["version"] != seen:
                seen = snapshot["version"]
                await response.write(f"data: {json.dumps(snapshot)}\n\n".encode())
            else:
                await response.write(b": still here\n\n")
            if not run.active and run.version == seen:
                break
            await run.changes(seen, KEEPALIVE_SECONDS)
    except ConnectionError:
        pass  # the page was closed or reloaded; the run goes on
    return response


async def results_file(request: web.Request) -> web.StreamResponse:
    app_state = request.app[STATE]
    record = import_record(request)
    path = app_state.workdir.results_path(record)
    if not path.exists():
        return error_response("This import has no results yet: send it first.", 404)
    stem = Path(record.current_name).stem or "tasks"
    if request.match_info["fmt"] == "xlsx":
        return imports.attachment(path, f"{stem}.results.xlsx")
    target = path.with_name("results.csv")
    grid = await _results(app_state, record.id)
    await asyncio.to_thread(_write_csv, target, grid)
    return imports.attachment(target, f"{stem}.results.csv")


def _write_csv(target: Path, grid: Grid) -> None:
    write_results(target, grid.frame)


async def static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    files = resources.files(__package__).joinpath("static")
    if name not in STATIC_TYPES:
        return error_response("Not found.", 404)
    data = files.joinpath(name).read_bytes()
    return web.Response(body=data, content_type=STATIC_TYPES[name], headers={"Cache-Control": "no-cache"})


STATIC_TYPES = {"app.js": "text/javascript", "grid.js": "text/javascript", "after.js": "text/javascript",
                "style.css": "text/css"}


async def _shutdown(app: web.Application) -> None:
    """Stopping the server stops its runs as a first Ctrl-C would, and waits for their results."""
    runs = [run for run in app[STATE].runs.values() if run.active]
    for run in runs:
        run.stop()
    for run in runs:
        await asyncio.to_thread(run.join)


async def _warm_up(app: web.Application) -> None:
    """Start checking an example row in the background (``checking.warm_up``); the server answers meanwhile."""
    folder = app[STATE].workdir.root / "warm-up"
    app[WARMING] = asyncio.get_running_loop().create_task(asyncio.to_thread(warm_up, folder))


WARMING = web.AppKey("warming", asyncio.Task)


def create_app(workdir: Path, guard: Guard, max_upload_mib: int = 200, warm: bool = False) -> web.Application:
    """The application serving the page for ``workdir`` behind ``guard``; ``warm``: check an example row in
    the background at start (``checking.warm_up``), as ``bulk-tasks serve`` does."""
    workdir_store = WorkDir(workdir)
    app = web.Application(middlewares=[guard_middleware(guard)], client_max_size=1024 * 1024)
    app[STATE] = State(workdir_store, MappingMemory(workdir_store.root / "mappings.json"), max_upload_mib * imports.MIB)
    app[GUARD] = guard
    app.on_response_prepare.append(secure_headers)
    app.on_shutdown.append(_shutdown)
    if warm:
        app.on_startup.append(_warm_up)
    app.router.add_get("/", imports.index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/api/state", imports.state)
    app.router.add_get("/api/templates/{provider}/{fmt}", imports.template)
    app.router.add_post("/api/imports", imports.create_import)
    app.router.add_get("/api/imports/{id}", get_import)
    app.router.add_post("/api/imports/{id}/inputs", imports.add_input)
    app.router.add_post("/api/imports/{id}/check", check_import)
    app.router.add_get("/api/imports/{id}/rows", rows)
    app.router.add_get("/api/imports/{id}/mapping.json", mapping_file)
    app.router.add_get("/api/imports/{id}/checked.xlsx", annotated)
    app.router.add_get("/api/imports/{id}/plan", plan)
    app.router.add_post("/api/imports/{id}/send", send)
    app.router.add_post("/api/imports/{id}/stop", stop)
    app.router.add_get("/api/imports/{id}/events", events)
    app.router.add_get("/api/imports/{id}/results.{fmt:xlsx|csv}", results_file)
    editing.add_routes(app)
    after.add_routes(app)
    return app
