"""``bulk-tasks serve``: the options, the printed address, and running the page's server."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import webbrowser
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .store import default_workdir

DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD_MIB = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``bulk-tasks serve``."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0: any free one)")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.add_argument("--workdir", metavar="DIR", help=f"where imports are kept (default {default_workdir()})")
    parser.add_argument("--max-upload-mb", type=int, default=DEFAULT_MAX_UPLOAD_MIB, metavar="N",
                        help=f"largest file accepted, in MiB (default {DEFAULT_MAX_UPLOAD_MIB})")


#: Signals that stop the server as the CLI's first Ctrl-C stops a run: no new request to the provider,
#: those in flight finish, every run's results are written. SIGTERM and SIGHUP then exit 130 (as an
#: interrupted run does); Ctrl-C, the documented way to stop the page, exits 0. A second one abandons
#: the requests still in flight (their rows become uncertain).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
INTERRUPTED = 130


def serve(args: argparse.Namespace) -> int:
    """Run the page's server until Ctrl-C, SIGTERM or SIGHUP; returns the exit code."""
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Warning: listening on {args.host}, so other machines can reach the page; every request "
              "still needs the token in the address below. Use the default 127.0.0.1 unless you need this.",
              file=sys.stderr)
    workdir = Path(args.workdir) if args.workdir else default_workdir()
    try:
        stopped_by = asyncio.run(_serve(args.host, args.port, workdir, args.max_upload_mb, args.open))
    except KeyboardInterrupt:
        return 0
    return INTERRUPTED if stopped_by not in (None, signal.SIGINT) else 0


async def _serve(host: str, port: int, workdir: Path, max_upload_mib: int, open_browser: bool) -> int | None:
    from aiohttp import web

    from .app import create_app
    from .security import Guard
    from .store import WorkDir

    guard = Guard(host, port)
    WorkDir(workdir).reconcile()
    app = create_app(workdir, guard, max_upload_mib, warm=True)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise UsageError(f"Cannot listen on {host}:{port} ({exc.strerror}): another program (or another "
                         "bulk-tasks serve) uses it; choose another --port, or 0 for any free one.") from None
    guard.port = runner.addresses[0][1]
    print(f"bulk-tasks is ready at {guard.url()}\nImports are kept in {workdir}\n"
          "Keep this window open while you use the page; press Ctrl-C here to stop.", flush=True)
    if open_browser:
        webbrowser.open(guard.url())
    received: list[int] = []
    stopping = asyncio.Event()
    _handle_signals(app, received, stopping)
    try:
        await stopping.wait()
        await _finish_runs(app)
    finally:
        await runner.cleanup()
    return received[0] if received else None


def _handle_signals(app: Any, received: list[int], stopping: asyncio.Event) -> None:
    """The first stop signal ends the server once its runs have finished; a second abandons them."""
    from .imports import STATE

    def stop(number: int) -> None:
        received.append(number)
        if len(received) == 1:
            again = "Ctrl-C" if number == signal.SIGINT else signal.Signals(number).name
            print(f"\nStopping: no new requests; waiting for those in flight ({again} again to abandon them).",
                  file=sys.stderr, flush=True)
            stopping.set()
        else:
            for run in app[STATE].runs.values():
                run.abandon()

    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        try:
            loop.add_signal_handler(number, stop, number)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


async def _finish_runs(app: Any) -> None:
    """Stop every run as a first Ctrl-C would and wait until each has written its results."""
    from .imports import STATE

    runs = [run for run in app[STATE].runs.values() if run.active]
    for run in runs:
        run.stop()
    for run in runs:
        await asyncio.to_thread(run.join)

