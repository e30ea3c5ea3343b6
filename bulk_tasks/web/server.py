"""``bulk-tasks serve``: the options, the printed address, and running the page's server."""

from __future__ import annotations

import argparse
import asyncio
import sys
import webbrowser
from pathlib import Path

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


def serve(args: argparse.Namespace) -> int:
    """Run the page's server until Ctrl-C; returns the exit code."""
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Warning: listening on {args.host}, so other machines can reach the page; every request "
              "still needs the token in the address below. Use the default 127.0.0.1 unless you need this.",
              file=sys.stderr)
    workdir = Path(args.workdir) if args.workdir else default_workdir()
    try:
        asyncio.run(_serve(args.host, args.port, workdir, args.max_upload_mb, args.open))
    except KeyboardInterrupt:
        pass
    return 0


async def _serve(host: str, port: int, workdir: Path, max_upload_mib: int, open_browser: bool) -> None:
    from aiohttp import web

    from .app import create_app
    from .security import Guard

    guard = Guard(host, port)
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
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()

