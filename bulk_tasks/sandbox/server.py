"""Running the sandbox: in process (async or in a thread) on a free loopback port, or served until Ctrl-C."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TextIO

from aiohttp import web

from .app import build_app
from .config import DEFAULT_HOST, DEFAULT_PORT, SandboxConfig
from .emulation import emulations, provider_names
from .state import SandboxState


@dataclass
class RunningSandbox:
    """A started sandbox: its base URL (scheme, host, port) and its live config and state."""

    url: str
    host: str
    port: int
    config: SandboxConfig
    state: SandboxState

    def environment(self) -> dict[str, str]:
        """The environment variables that point bulk-tasks at this sandbox's default credentials."""
        return sandbox_environment(self.config)


def sandbox_environment(config: SandboxConfig) -> dict[str, str]:
    """Every provider's credential variables, set to what the sandbox accepts."""
    environment: dict[str, str] = {}
    for name, emulation in emulations().items():
        environment.update(emulation.environment(config.providers[name]))
    return environment


def _url(host: str, port: int) -> str:
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@asynccontextmanager
async def start_sandbox(
    config: SandboxConfig | None = None, *, host: str = DEFAULT_HOST, port: int = 0
) -> AsyncIterator[RunningSandbox]:
    """Serve the sandbox on the running event loop; port 0 picks a free port.

    ``async with start_sandbox() as sb:`` then send to ``sb.url``; inspect ``sb.state``.
    """
    config = config if config is not None else SandboxConfig()
    state = SandboxState(config)
    runner = web.AppRunner(build_app(state), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, backlog=1024)
        await site.start()
        bound_port = runner.addresses[0][1]
        yield RunningSandbox(_url(host, bound_port), host, bound_port, config, state)
    finally:
        await runner.cleanup()


@contextmanager
def sandbox_in_thread(
    config: SandboxConfig | None = None, *, host: str = DEFAULT_HOST, port: int = 0
) -> Iterator[RunningSandbox]:
    """Serve the sandbox from a background thread with its own event loop, for synchronous callers.

    Read ``state`` once the requests of interest have been answered: it is mutated by that thread.
    """
    loop = asyncio.new_event_loop()
    started: list[RunningSandbox] = []
    ready = threading.Event()
    failure: list[BaseException] = []
    stop: asyncio.Event | None = None

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        try:
            async with start_sandbox(config, host=host, port=port) as sandbox:
                started.append(sandbox)
                ready.set()
                await stop.wait()
        except BaseException as error:
            failure.append(error)
            ready.set()

    async def settle() -> None:
        """Cancel the handlers still waiting out a long latency, so the loop closes with no task pending."""
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def serve_then_settle() -> None:
        loop.run_until_complete(main())
        loop.run_until_complete(settle())

    thread = threading.Thread(target=serve_then_settle, daemon=True)
    thread.start()
    ready.wait()
    try:
        if failure:
            raise failure[0]
        yield started[0]
    finally:
        if stop is not None:
            loop.call_soon_threadsafe(stop.set)
        thread.join()
        loop.close()


def usage_text(url: str, config: SandboxConfig) -> str:
    """What ``serve`` prints: the URL, the environment variables and the ``--base-url`` to use."""
    env = sandbox_environment(config)
    lines = [
        f"bulk-tasks sandbox ({provider_names()}) listening on {url}",
        "",
        "Use it from another shell:",
        *(f"  export {name}={value}" for name, value in env.items()),
    ]
    for name, emulation in emulations().items():
        lines += emulation.usage(config.providers[name])
    lines += [
        *(f"  bulk-tasks run INPUT --provider {name} --base-url {url}" for name in emulations()),
        "",
        f"Created tasks: GET {url}/_sandbox/tasks   statistics: GET {url}/_sandbox/stats   "
        f"reset: DELETE {url}/_sandbox/tasks",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    config: SandboxConfig | None = None,
    *,
    out: TextIO | None = None,
) -> None:
    """Serve the sandbox until Ctrl-C, after printing how to use it; returns quietly when stopped."""
    config = config if config is not None else SandboxConfig()
    stream = out if out is not None else sys.stdout

    async def main() -> None:
        async with start_sandbox(config, host=host, port=port) as sandbox:
            print(usage_text(sandbox.url, config), file=stream, flush=True)
            await asyncio.Event().wait()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        print("\nSandbox stopped.", file=stream, flush=True)
