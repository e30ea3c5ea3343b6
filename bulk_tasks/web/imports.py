"""The page's HTTP API for imports: the page itself, the state, templates, uploads and checks."""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from ..errors import BulkTasksError
from ..shape.prepare import ReadOptions
from ..providers import PROVIDERS, get_provider
from .checking import Checked, Grid, check
from .edits import EditLog, save_edited
from .runs import Run
from ..console.wording import PAGE, PAGE_COLUMNS, PAGE_STATUSES
from .security import Guard
from .store import ImportRecord, MappingMemory, WorkDir, display_name

MIB = 1024 * 1024
KEPT_IN_MEMORY = 4
SANDBOX_SENTENCE = ("Sending to the built-in sandbox (a local emulation of the API, dummy credentials): "
                    "nothing reaches the real provider.")
NOT_FOUND = "There is no such import in the work directory: pick one from the list of past imports."


def credential_fields(provider: str) -> tuple[str, ...]:
    """The environment variables the page asks for to send with ``provider`` (its ``credential_variables``)."""
    return get_provider(provider).credential_variables if provider in PROVIDERS else ()


def too_large(name: str, limit_mib: int) -> str:
    """The sentence for an upload over the size limit."""
    return (f"{name} is larger than the {limit_mib} MiB this page accepts: split it into smaller files, "
            "or ask whoever started bulk-tasks to allow larger files.")


@dataclass
class State:
    """Everything the server keeps in memory: checks of recent imports and the runs."""

    workdir: WorkDir
    mappings: MappingMemory
    max_upload: int
    checks: OrderedDict[str, Checked] = field(default_factory=OrderedDict)
    results: OrderedDict[str, Grid] = field(default_factory=OrderedDict)
    runs: dict[str, Run] = field(default_factory=dict)
    #: Import id → its ``edits.SheetWriter``, and its ``edits.EditLog``.
    writers: dict[str, Any] = field(default_factory=dict)
    logs: dict[str, EditLog] = field(default_factory=dict)

    def keep(self, store: OrderedDict[str, Any], key: str, value: Any) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > KEPT_IN_MEMORY:
            store.popitem(last=False)


STATE = web.AppKey("state", State)
GUARD = web.AppKey("guard", Guard)


def error_response(text: str, status: int = 400) -> web.Response:
    """A refusal in the page's words (``{"error": …}``)."""
    return web.json_response({"error": PAGE.say(text)}, status=status)


def import_record(request: web.Request) -> ImportRecord:
    try:
        return request.app[STATE].workdir.load(request.match_info["id"])
    except (KeyError, OSError, ValueError):
        raise web.HTTPNotFound(text=json.dumps({"error": NOT_FOUND}), content_type="application/json") from None


async def index(request: web.Request) -> web.Response:
    page = resources.files(__package__).joinpath("static/index.html").read_text(encoding="utf-8")
    page = page.replace("{{csrf}}", request.app[GUARD].csrf)
    return web.Response(text=page, content_type="text/html", charset="utf-8")


async def state(request: web.Request) -> web.Response:
    app_state = request.app[STATE]
    providers = [{"name": p.name, "title": p.display_name(), "endpoint": p.task_url(None),
                  "credentials": list(p.credential_variables),
                  "credential_labels": {name: p.credential_label(name) for name in p.credential_variables},
                  "credential_hint": p.credential_hint,
                  "fields": [{"name": f.name, "words": f.words, "required": f.required, "help": PAGE.say(f.help),
                              "choices": list(f.choices)} for f in p.fields]}
                 for p in map(get_provider, sorted(PROVIDERS))]
    imports = [_listing(app_state, record) for record in app_state.workdir.all()]
    running = [run.snapshot() for run in app_state.runs.values() if run.active]
    return web.json_response({"providers": providers, "imports": imports, "running": running,
                              "statuses": PAGE_STATUSES, "columns": PAGE_COLUMNS,
                              "max_upload_mib": app_state.max_upload // MIB})


def _listing(app_state: State, record: ImportRecord) -> dict[str, Any]:
    results = app_state.workdir.results_path(record)
    view = {"id": record.id, "provider": record.provider, "name": record.current_name,
            "created": time.strftime("%Y-%m-%d %H:%M", time.localtime(record.created)),
            "counts": record.counts, "sent": record.sent, "has_results": results.exists(),
            "title": get_provider(record.provider).display_name()}
    return view


async def template(request: web.Request) -> web.StreamResponse:
    from ..report.templates import default_template_name, write_template

    name, fmt = request.match_info["provider"], request.match_info["fmt"]
    if name not in PROVIDERS or fmt not in ("xlsx", "csv"):
        return error_response("Unknown provider or format.", 404)
    provider = get_provider(name)
    folder = request.app[STATE].workdir.root / "templates"
    folder.mkdir(exist_ok=True)
    path = await asyncio.to_thread(write_template, provider, folder / default_template_name(provider, fmt), fmt,
                                   True, PAGE)
    return attachment(path, path.name)


def attachment(path: Path, name: str) -> web.FileResponse:
    return web.FileResponse(path, headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def create_import(request: web.Request) -> web.Response:
    app_state = request.app[STATE]
    provider = request.query.get("provider", "")
    if provider not in PROVIDERS:
        return error_response(f"Unknown provider {provider!r}: choose one of {', '.join(sorted(PROVIDERS))}.")
    record = app_state.workdir.create(provider)
    response = await _receive(request, record, fresh=True)
    return response


async def add_input(request: web.Request) -> web.Response:
    record = import_record(request)
    run = request.app[STATE].runs.get(record.id)
    if run is not None and run.active:
        return error_response(run.busy, 409)
    return await _receive(request, record, fresh=False)


async def _receive(request: web.Request, record: ImportRecord, fresh: bool) -> web.Response:
    """Stream the body to a generated name under the import's folder, then check it."""
    app_state = request.app[STATE]
    client_name = display_name(unquote(request.headers.get("X-File-Name", "")))
    target = app_state.workdir.new_input_path(record, client_name)
    limit = app_state.max_upload
    refused: tuple[int, str] | None = None
    if (request.content_length or 0) > limit or not await _stream_to(request, target, limit):
        refused = (413, too_large(client_name, limit // MIB))
    if refused is None:
        record.inputs.append({"stored": target.name, "name": client_name, "at": time.time()})
        mapping = None if fresh else record.options.get("mapping")  # kept for the fixed sheet
        record.options = {**record.options, "sheet": None, "mapping": mapping, **_options_from_query(request)}
        record.sent = False  # the new upload is what the page shows now
        try:
            checked = await check_current(app_state, record, client_name)
        except BulkTasksError as exc:
            refused = (422, str(exc))
            record.inputs.pop()
    if refused is not None:
        target.unlink(missing_ok=True)
        if fresh:
            _discard(app_state.workdir, record)
        return error_response(refused[1], refused[0])
    app_state.workdir.save(record)
    return web.json_response(import_view(app_state, record, checked))


async def _stream_to(request: web.Request, target: Path, limit: int) -> bool:
    """Write the body to ``target``; False as soon as it grows past ``limit`` bytes."""
    size = 0
    with target.open("wb") as out:
        async for chunk in request.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > limit:
                return False
            out.write(chunk)
    return True


def _discard(workdir: WorkDir, record: ImportRecord) -> None:
    folder = workdir.imports / record.id
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def _options_from_query(request: web.Request) -> dict[str, Any]:
    query = request.query
    options: dict[str, Any] = {"dayfirst": bool(query.get("dayfirst"))}
    if "sandbox" in query:  # the references are checked where the rows would go
        options["sandbox"] = query["sandbox"] != "0"
    for name in ("timezone", "phone_region"):
        if query.get(name):
            options[name] = query[name]
    return options


def read_options(record: ImportRecord) -> ReadOptions:
    options = record.options
    return ReadOptions(sheet=options.get("sheet") or None, mapping=options.get("mapping") or None,
                       timezone=options.get("timezone") or "UTC", dayfirst=bool(options.get("dayfirst")),
                       phone_region=options.get("phone_region") or "US")


async def check_current(app_state: State, record: ImportRecord, client_name: str | None = None) -> Checked:
    """Check the import's latest upload off the event loop; sentences name the client's file."""
    path = app_state.workdir.input_path(record)
    provider = get_provider(record.provider)
    options = read_options(record)
    recall = None if options.mapping else lambda headers: app_state.mappings.recall(record.provider, headers)
    edits = EditLog.load(path.parent, path.name).edits()
    try:
        checked = await asyncio.to_thread(check, path, provider, options, recall, edits,
                                          record.options.get("sandbox", True) is not False)
    except BulkTasksError as exc:
        name = client_name or record.current_name
        exc.args = (str(exc).replace(str(path), name).replace(path.name, name),)
        raise
    if checked.view:
        record.counts = checked.view["counts"]
    if checked.mapping:
        record.options["mapping"] = checked.mapping
    app_state.keep(app_state.checks, record.id, checked)
    if edits and checked.editable is not None:
        save_edited(app_state.writers, app_state.workdir, record, checked.editable)
    return checked


def import_view(app_state: State, record: ImportRecord, checked: Checked | None) -> dict[str, Any]:
    view: dict[str, Any] = {"import": _listing(app_state, record), "options": record.options}
    if checked is not None:
        error = PAGE.say(checked.error) if checked.error else None
        view.update(headers=checked.headers, matching=checked.matching, sheets=checked.sheets,
                    sheet=checked.sheet, error=error, validation=checked.view or None,
                    error_headers=[h for h in checked.headers if error and repr(h) in error])
        view["history"] = EditLog.load(app_state.workdir.folder(record.id), record.inputs[-1]["stored"]).counts() \
            if record.inputs else None
    run = app_state.runs.get(record.id)
    view["run"] = run.snapshot() if run is not None else None
    return view
