"""Sending an import in the background: one thread and event loop per run, progress for the page.

A run outlives the page that started it (closing the tab does not stop it); ``stop`` is the first
Ctrl-C of the CLI: no new request, those in flight finish, the results are written.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..api import run_import_async
from ..send.options import SendOptions
from ..errors import BulkTasksError
from ..console.wording import PAGE, Words
from ..providers import get_provider
from ..console.messages import closing_lines, next_steps, problem_lines
from ..report.summary import Summary
from ..shape.prepare import ReadOptions
from ..statuses import Outcome

#: What a run does once started in its thread: given the run (its progress) and its stop event, the
#: summary the page shows (``counts`` among it).
Work = Callable[["Run", asyncio.Event], Awaitable[dict[str, Any]]]

#: What is said while a run holds its import, by the kind of run.
BUSY = {"send": "This import is being sent: wait for it to finish, or press Stop.",
        "update": "The changes of this import are being sent: wait for them to finish, or press Stop.",
        "verify": "This import is being looked up: wait for it to finish, or press Stop.",
        "undo": "This import is being taken back: wait for it to finish, or press Stop."}

INTERNAL = ("bulk-tasks hit an internal problem ({name}). The journal beside the results has every outcome; "
            "send again to continue: nothing already created is sent twice.")


def page_words(provider: str) -> Words:
    """The page's words for a run with ``provider``: each credential's variable said as its field's label."""
    spec = get_provider(provider)
    return PAGE.naming({name: f"“{spec.credential_label(name)}”" for name in spec.credential_variables})


class Run:
    """One import being sent: its progress, and how to stop it. Credentials live only in ``_send``."""

    def __init__(self, import_id: str, server_loop: asyncio.AbstractEventLoop,
                 on_finish: Callable[[Run], None], kind: str = "send") -> None:
        self.import_id = import_id
        #: ``send`` (``update`` when it sends the changes), ``verify`` or ``undo``.
        self.kind = kind
        self.state = "starting"
        self.total = 0
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self.stop_requested = False
        self.waiting_for: float | None = None
        self.summary: dict[str, Any] | None = None
        self.error: str | None = None
        self.version = 0
        self._server_loop = server_loop
        self._on_finish = on_finish
        self._changed = asyncio.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[Any] | None = None
        self._last_notice = 0.0
        #: How the run's refusals are said (``page_words`` of its provider once known).
        self.words = PAGE

    def begin(self, path: Path, provider: str, options: ReadOptions, send: SendOptions, results: Path) -> None:
        """Start sending in a thread of its own."""
        self.words = page_words(provider)

        async def work(run: Run, stop: asyncio.Event) -> dict[str, Any]:
            summary = await run_import_async(path, provider, options, send, results=results, progress=run, stop=stop)
            return summary_view(summary, provider)

        self.begin_work(work)

    def begin_work(self, work: Work) -> None:
        """Start ``work`` in a thread of its own, with an event loop of its own."""
        self._thread = threading.Thread(target=self._main, args=(work,), name=f"bulk-tasks {self.kind} "
                                        f"{self.import_id}", daemon=True)
        self._thread.start()

    def _main(self, work: Work) -> None:
        try:
            self.summary = asyncio.run(self._work(work))
            self.state = "finished"
        except BulkTasksError as exc:
            self.error, self.state = self.words.say(str(exc)), "failed"
        except Exception as exc:  # noqa: BLE001 - the page must get a sentence, never a traceback
            self.error, self.state = INTERNAL.format(name=type(exc).__name__), "failed"
        self._server_loop.call_soon_threadsafe(self._on_finish, self)
        self._notify(force=True)

    async def _work(self, work: Work) -> dict[str, Any]:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._stop = asyncio.Event()
        if self.stop_requested:
            self._stop.set()
        self.state = "running"
        self._notify(force=True)
        return await work(self, self._stop)

    def start(self, total: int) -> None:
        """Progress protocol: ``total`` rows are about to be sent."""
        self.total = total
        self.started = time.monotonic()
        self._notify(force=True)

    def advance(self, outcome: Outcome) -> None:
        """Progress protocol: one row has its outcome."""
        self.done += 1
        self.counts[outcome.status.value] += 1
        self._notify(force=self.done == self.total)

    def looked(self, done: int, total: int) -> None:
        """``verify``'s progress: ``done`` of ``total`` pages (or tasks) read."""
        self.done, self.total = done, total
        self._notify(force=done == total)

    def waiting(self, seconds: float) -> None:
        """Progress protocol: every request waits ``seconds`` for the provider's rate limit (a 429)."""
        self.waiting_for = seconds
        self._notify(force=True)

    def stop(self) -> None:
        """The first Ctrl-C: start no new request, let those in flight finish."""
        self.stop_requested = True
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._notify(force=True)

    def abandon(self) -> None:
        """The second Ctrl-C: abandon the requests in flight (their rows become uncertain); the results
        are still written."""
        if self._loop is not None and self._task is not None and self.active:
            self._loop.call_soon_threadsafe(self._task.cancel)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the run's thread to end."""
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def busy(self) -> str:
        """Why nothing else can start on the import while this run is active."""
        return BUSY.get(self.kind, BUSY["send"])

    @property
    def active(self) -> bool:
        """Whether the run has not ended yet."""
        return self.state in ("starting", "running")

    def snapshot(self) -> dict[str, Any]:
        """What the progress bar shows: done/total, rate, ETA, counts by status, the end state."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed if self.done else 0.0
        eta = (self.total - self.done) / rate if rate else None
        return {"import": self.import_id, "kind": self.kind, "state": self.state, "done": self.done,
                "total": self.total,
                "rate": round(rate, 1), "eta": None if eta is None else round(eta, 1),
                "counts": dict(self.counts), "stopping": self.stop_requested, "waiting": self.waiting_for,
                "summary": self.summary, "busy": self.busy,
                "error": self.error, "version": self.version}

    def _notify(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_notice < 0.1:
            return
        self._last_notice = now
        self.version += 1
        asyncio.run_coroutine_threadsafe(self._wake(), self._server_loop)

    async def _wake(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def changes(self, seen: int, timeout: float) -> None:
        """Return once the version moves past ``seen`` (or after ``timeout`` seconds)."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version != seen), timeout)
            except TimeoutError:
                pass


def summary_view(summary: Summary, provider: str) -> dict[str, Any]:
    """What the page shows of a ``Summary``: the CLI's sentences (``messages``) in the page's words, with
    no path on the server (the results are on the page)."""
    shown = replace(summary, results_path=None)
    words = page_words(provider)
    closing = [words.say(line) for line in closing_lines(shown, words)]
    return {"counts": summary.counts, "line": closing[-1], "stopped": closing[:-1],
            "exit_code": int(summary.exit_code), "warnings": list(map(words.say, summary.warnings)),
            "problems": [words.say(line.strip()) for line in problem_lines(summary, words=words)],
            "next": next_steps(shown, None, get_provider(provider).display_name(), words)}
