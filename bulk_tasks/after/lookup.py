"""Reading a provider's tasks (``verify``, and ``undo``'s check of edits): under the run's rate limit,
429/503 and connections that never carried the request retried, refused credentials stopping at once.

Quo's list has no documented order, so it is read to its last page; when there are fewer tasks to
check than pages to read, each task is asked for by its ID instead (``totalItems`` of the first page
says how many pages there are).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Collection
from typing import Any

import aiohttp

from ..errors import AuthenticationError, NetworkError, SendError, StoppedError
from ..providers import Provider
from ..providers.tasks import FoundTask, TaskLookup
from ..send.auth import Auth
from ..send.ratelimit import RateLimiter
from ..send.retry import backoff_delay
from ..send.transport import Failure, request_once, request_timeout
from ..console import after_messages as say


class TaskReader:
    """GET requests to one provider's task endpoints, one shared rate bucket."""

    def __init__(self, provider: Provider, lookup: TaskLookup, base_url: str, auth: Auth,
                 session: aiohttp.ClientSession, *, rate: float | None, timeout: float, max_attempts: int,
                 stop: asyncio.Event | None = None, on_request: Callable[[], None] | None = None) -> None:
        self.provider, self.lookup, self.auth, self.session = provider, lookup, auth, session
        self.base = base_url.rstrip("/")
        self.limiter = RateLimiter(rate)
        self.timeout = request_timeout(timeout)
        self.max_attempts = max_attempts
        self.stop = stop or asyncio.Event()
        self.requests = 0
        self._on_request = on_request

    async def get(self, path: str) -> tuple[int, Any]:
        """The status and decoded body of ``GET path``; raises ``SendError`` when it cannot be had."""
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            if await self.limiter.acquire(self.stop) is None or self.stop.is_set():
                raise StoppedError(say.LOOKUP_STOPPED.format(provider=self.provider.name.capitalize()))
            headers = await self.auth.headers(self.session)
            self.requests += 1
            if self._on_request is not None:
                self._on_request()
            reply = await request_once(self.session, "GET", self.base + path, None, headers, self.timeout)
            if reply.failure is Failure.HOPELESS:
                raise NetworkError(f"{reply.error}.")
            status = reply.status
            if status in (401, 403):
                raise AuthenticationError(say.LOOKUP_REFUSED.format(
                    provider=self.provider.name.capitalize(), status=status,
                    error=self.auth.redact(self.provider.error_text(status, reply.body))))
            if status is not None and status not in (429, 503) and status < 500:
                return status, reply.body
            if status == 429:
                self.limiter.penalize(reply.retry_after)
            last = reply.error or f"HTTP {status}"
            if attempt < self.max_attempts:
                await asyncio.sleep(reply.retry_after if reply.retry_after is not None else backoff_delay(attempt))
        raise NetworkError(say.LOOKUP_FAILED.format(provider=self.provider.name.capitalize(), path=path,
                                                    error=self.auth.redact(last), attempts=self.max_attempts))

    async def task(self, task_id: str) -> FoundTask | None:
        """One task by its ID; None when the provider says it does not exist."""
        status, body = await self.get(self.lookup.get_path(task_id))
        if status == 404:
            return None
        if not 200 <= status < 300:
            raise SendError(say.LOOKUP_FAILED.format(provider=self.provider.name.capitalize(),
                                                     path=self.lookup.get_path(task_id),
                                                     error=self.provider.error_text(status, body), attempts=1))
        return self.lookup.read_task(body)

    async def page(self, token: str | None) -> tuple[list[FoundTask], str | None, int | None]:
        """One page of the task list."""
        status, body = await self.get(self.lookup.list_path(token))
        if not 200 <= status < 300:
            raise SendError(say.LOOKUP_FAILED.format(provider=self.provider.name.capitalize(),
                                                     path=self.lookup.list_path(token),
                                                     error=self.provider.error_text(status, body), attempts=1))
        return self.lookup.read_page(body)


async def find_tasks(reader: TaskReader, wanted: Collection[str], *, whole_list: bool,
                     concurrency: int, on_progress: Callable[[int, int], None] | None = None
                     ) -> tuple[dict[str, FoundTask], list[FoundTask]]:
    """The tasks among ``wanted`` that exist (by ID), and every task listed when the list was read.

    ``whole_list``: read every page (``verify`` must see tasks it has no ID for). Otherwise the list is
    read only when it takes fewer requests than asking for each wanted ID.
    """
    first, token, total = await reader.page(None)
    pages = math.ceil((total if total is not None else len(first)) / reader.lookup.page_size) or 1
    missing = set(wanted) - {task.task_id for task in first}
    if not whole_list and token is not None and len(missing) < pages - 1:
        found = {task.task_id: task for task in first if task.task_id in wanted}
        found.update(await _one_by_one(reader, sorted(missing), concurrency, on_progress))
        return found, []
    listed = list(first)
    done = 1
    while token is not None:
        if on_progress is not None:
            on_progress(done, max(pages, done + 1))
        page, token, _ = await reader.page(token)
        listed.extend(page)
        done += 1
    if on_progress is not None:
        on_progress(done, done)
    return {task.task_id: task for task in listed if task.task_id in set(wanted)}, listed


async def _one_by_one(reader: TaskReader, ids: list[str], concurrency: int,
                      on_progress: Callable[[int, int], None] | None) -> dict[str, FoundTask]:
    found: dict[str, FoundTask] = {}
    queue = iter(ids)
    done = 0

    async def work() -> None:
        nonlocal done
        for task_id in queue:
            task = await reader.task(task_id)
            if task is not None:
                found[task_id] = task
            done += 1
            if on_progress is not None:
                on_progress(done, len(ids))

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(concurrency, len(ids)))):
            group.create_task(work())
    return found
