"""Helpers for end-to-end runs against the sandbox: input files and sandbox inspection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bulk_tasks import ReadOptions, SendOptions, run_import_async
from bulk_tasks.sandbox import RunningSandbox
from helpers import write_csv

TRAVTUS_HEADER = ["Group External Ref", "Task Ref", "Title", "Due Date", "Priority"]
QUO_HEADER = ["Title", "Description", "Due Date", "phoneNumberId"]
#: Groups of the sandbox's demo workspace (README, "The sandbox").
DEMO_GROUPS = ("PROP-OAK", "PROP-ELM", "PROP-BAY")


def travtus_rows(count: int, start: int = 1) -> list[list[str]]:
    return [[DEMO_GROUPS[i % 3], f"T-{i:05d}", f"Task {i}", "2026-12-01 09:00", "normal"]
            for i in range(start, start + count)]


def quo_rows(count: int, start: int = 1) -> list[list[str]]:
    return [[f"Follow up {i}", f"Customer {i}", "2026-12-02 14:00", "PNk3Ra9XwQ2m"] for i in range(start, start + count)]


def conversation_file(tmp_path: Path, count: int, name: str = "quo.csv") -> Path:
    """A Quo sheet linked to conversations: no reference to look up before sending."""
    rows = [[f"Follow up {i}", f"Customer {i}", "2026-12-02 14:00", f"CN{i:04d}"] for i in range(1, count + 1)]
    return write_csv(tmp_path / name, ["Title", "Description", "Due Date", "conversationId"], rows)


def input_file(tmp_path: Path, provider: str, count: int, name: str | None = None) -> Path:
    header, rows = (TRAVTUS_HEADER, travtus_rows(count)) if provider == "travtus" else (QUO_HEADER, quo_rows(count))
    return write_csv(tmp_path / (name or f"{provider}.csv"), header, rows)


def send_options(sandbox: RunningSandbox, **overrides) -> SendOptions:
    """Fast sends to ``sandbox``; the timeout is only a safety net (a loaded machine may answer slowly)."""
    settings = dict(base_url=sandbox.url, env=sandbox.environment(), rate=1000.0, concurrency=8,
                    max_attempts=6, timeout=60.0)
    settings.update(overrides)
    return SendOptions(**settings)


async def run(path: Path, provider: str, sandbox: RunningSandbox, **overrides):
    results = overrides.pop("results", None)
    return await run_import_async(path, provider, ReadOptions(), send_options(sandbox, **overrides), results=results)


def results_of(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name="Results", dtype=str, engine="openpyxl").fillna("")
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def held_ids(sandbox: RunningSandbox, provider: str) -> list[str]:
    return [task.task_id for task in sandbox.state.tasks if task.provider == provider]


def prepared_against_demo(path: Path, provider):
    """``prepare`` with the references looked up in a sandbox's demo workspace (from any caller, a running
    event loop included: the look-ups run in a thread of their own)."""
    import asyncio
    import threading

    from bulk_tasks.resolve.run import look_up
    from bulk_tasks.sandbox import sandbox_in_thread
    from bulk_tasks.send.endpoint import sandbox_endpoint
    from bulk_tasks.shape.prepare import check_input, shape_checked

    checked = check_input(path, provider)
    found: list = []
    with sandbox_in_thread() as sandbox:
        endpoint = sandbox_endpoint(checked.provider, sandbox.url, sandbox.environment())
        worker = threading.Thread(target=lambda: found.append(asyncio.run(look_up(checked, endpoint))[0]))
        worker.start()
        worker.join(60)
    return shape_checked(checked, found[0])
