"""What pressing Send would do, known before it is pressed: rows to create, created earlier, changed since.

The rules are the send's own (``send.run.plan_send``: the import's journal read, never written, and the
rows created earlier compared with what was sent, as ``run`` does); the page is told in its words
(``console.messages`` through ``wording.PAGE``): the question counts only the rows to create and says how
many are changed and that “Send the changes” sends them; with nothing to create, Send says why.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ..console.messages import changed_since, confirmation_question, nothing_to_create
from ..console.wording import PAGE
from ..providers import Provider, get_provider
from ..record.journal import journal_path
from ..send.run import SendPlan, plan_send
from ..shape.prepare import Prepared, check_input, shape_checked
from .checking import Checked, confirmations
from .edits import EditLog
from .imports import State, read_options
from .store import ImportRecord

WHERE = ("sandbox", "real")


def sent_to(results: Path) -> str | None:
    """The base URL the journal beside ``results`` binds the import to (``sandbox:…`` for a sandbox try)."""
    try:
        with journal_path(results).open("rb") as handle:
            for line in handle:
                record = json.loads(line)
                if isinstance(record, dict) and record.get("type") == "header":
                    url = record.get("base_url")
                    return url if isinstance(url, str) else None
    except (OSError, ValueError):
        return None
    return None


async def send_plans(app_state: State, record: ImportRecord, checked: Checked) -> dict[str, SendPlan]:
    """Where a send goes (``sandbox``, ``real``) → what it would do there, on the sheet as it is now. Only the
    place the import's journal is bound to has rows created earlier. Raises ``BulkTasksError``."""
    assert checked.editable is not None
    fresh = SendPlan(len(checked.editable.identities_to_send()), 0, {})
    plans = dict.fromkeys(WHERE, fresh)
    results = app_state.workdir.results_path(record)
    url = sent_to(results)
    if url is not None:
        where = "sandbox" if url.startswith("sandbox:") else "real"
        prepared = await _as_sent(app_state, record, checked)
        plans[where] = await asyncio.to_thread(plan_send, prepared, results, url)
    return plans


async def _as_sent(app_state: State, record: ImportRecord, checked: Checked) -> Prepared:
    """The sheet as a send reads it: the check's own, or, once cells were edited, read again with the edits
    (the grid's check keeps no payload of an edited row) and the references the check looked up."""
    sheet = checked.editable
    assert sheet is not None
    edits = EditLog.load(app_state.workdir.folder(record.id), record.inputs[-1]["stored"]).edits()
    if not edits:
        return sheet.prepared
    path, provider, options = app_state.workdir.input_path(record), get_provider(record.provider), read_options(record)
    references = sheet.lookups.references if sheet.lookups is not None else None

    def read() -> Prepared:
        return shape_checked(check_input(path, provider, options, edits=edits), references)

    return await asyncio.to_thread(read)


def plan_view(plans: dict[str, SendPlan], provider: Provider) -> dict[str, Any]:
    """Each place's plan as the page shows it: the counts, the question, why Send would create nothing, and
    “Send the changes” (enabled for the provider's own endpoint when rows changed)."""
    view = {}
    name, url = provider.display_name(), provider.task_url(None)
    for where, plan in plans.items():
        changed = len(plan.changed) if where == "real" else 0
        already = plan.already + len(plan.changed) - changed
        line = PAGE.say(changed_since(changed)) if changed else ""
        earlier = already + changed
        why = " ".join(filter(None, [nothing_to_create(earlier) if earlier and not plan.create else "", line]))
        question = confirmations(plan.create, provider)[where] if plan.create else ""  # Send is disabled then
        view[where] = {"rows": plan.create, "already": already, "changed": changed, "changed_line": line,
                       "why": why if not plan.create else "", "question": question,
                       "update": {"enabled": bool(changed), "count": changed, "question": confirmation_question(
                           plan.create, name, url, changed).removesuffix(" [y/N]")}}
    return view
