"""The command-line face of ``verify`` and ``undo``: their arguments, and each command as a thin layer
over ``after.verify`` and ``after.undo``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from ..providers import PROVIDERS, Provider
from ..send.options import SendOptions
from ..statuses import RowStatus

#: How a command prints a line (``console.output.Output.say``).
Say = Callable[..., None]
#: The counters of undo's progress bar.
UNDO_SHOWN = (RowStatus.DELETED, RowStatus.FAILED, RowStatus.UNCERTAIN)


def _positive(kind: type[float] | type[int]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
        return value

    return parse


_positive_float = _positive(float)
_positive_int = _positive(int)


def add_after_commands(commands: argparse._SubParsersAction) -> None:
    """The ``verify`` and ``undo`` commands and their options."""
    verify = commands.add_parser("verify", help="look up what a past import created; settle uncertain rows",
                                 description="Look up in the provider every row RESULTS calls created or "
                                             "uncertain: uncertain rows found become created, the others are "
                                             "sent by the next run (once).")
    add_after_arguments(verify)
    verify.add_argument("--mapping", metavar="FILE", help="the --mapping the import was run with, if any")

    undo = commands.add_parser("undo", help="take back the tasks a past import created",
                               description="Take back the tasks RESULTS says this tool created (Quo: delete; "
                                           "Travtus: status deleted); tasks edited since are kept unless --force.")
    add_after_arguments(undo)
    undo.add_argument("--rows", metavar="SPEC", help="only these rows of the results file, like 2-40,57")
    undo.add_argument("--force", action="store_true", help="delete tasks edited since they were created, too")
    undo.add_argument("--yes", "-y", action="store_true", help="do not ask before taking the tasks back")
    undo.add_argument("--max-wait", type=_positive_float, default=300.0, metavar="S",
                      help="stop when the provider answers only 429 (too many requests) for S seconds (300)")


def add_after_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments verify and undo share."""
    parser.add_argument("results", metavar="RESULTS", help="the results file of the import (.csv or .xlsx)")
    parser.add_argument("--provider", "-p", choices=sorted(PROVIDERS),
                        help="where the tasks went (default: what the results file says; must agree)")
    parser.add_argument("--base-url", metavar="URL", help="scheme://host[:port] (default: the results file's)")
    parser.add_argument("--sandbox", action="store_true", help="(accepted; must agree with the results file)")
    parser.add_argument("--env-file", metavar="PATH", help="read credentials from this .env file (NAME=value lines)")
    parser.add_argument("--rate", type=_positive_float, metavar="R", help="requests per second (default: provider's)")
    parser.add_argument("--concurrency", type=_positive_int, default=None, metavar="N", help="requests in flight")
    parser.add_argument("--max-attempts", type=_positive_int, default=5, metavar="N", help="tries per request (5)")
    parser.add_argument("--timeout", type=_positive_float, default=30.0, metavar="S", help="seconds per request (30)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show details of internal errors")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _after_send_options(args: argparse.Namespace) -> tuple[Provider, SendOptions]:
    """The provider the results file names, with credentials and the sending options of verify and undo."""
    from ..after.past import open_past
    from ..console.prompts import credentials_env
    from ..send.endpoint import resolve_endpoint

    past = open_past(args.results, args.command, provider=args.provider, base_url=args.base_url, sandbox=args.sandbox)
    env: dict[str, str] = {}

    def credentials() -> dict[str, str]:  # asked for only once the URL is known to be safe to receive them
        env.update(credentials_env(past.provider, args.env_file))
        return env

    resolve_endpoint(past.provider, past.base_url, credentials=credentials)
    return past.provider, SendOptions(base_url=args.base_url, rate=args.rate, concurrency=args.concurrency,
                                      max_attempts=args.max_attempts, timeout=args.timeout, sandbox=args.sandbox,
                                      env=env, max_wait=getattr(args, "max_wait", 300.0))


def verify_command(args: argparse.Namespace, on_signals: Callable[[asyncio.Event], None], say: Say) -> int:
    """``bulk-tasks verify``."""
    from ..after.verify import verify_async
    from ..console.after_messages import verify_lines
    from ..console.progress import LookupProgress, wants_bar
    from ..console.messages import Command, invoked_as
    from ..shape.prepare import ReadOptions

    _, send = _after_send_options(args)

    async def main() -> int:
        stop = asyncio.Event()
        on_signals(stop)
        options = ReadOptions(mapping=args.mapping) if args.mapping else None
        bar = LookupProgress() if wants_bar(args.quiet) else None
        try:
            summary = await verify_async(args.results, send=send, provider=args.provider, options=options,
                                         stop=stop, on_progress=bar)
        finally:
            if bar is not None:
                bar.close()
        again = Command(("run", args.results, "-p", summary.provider), args.results, invoked_as()).text()
        for line in verify_lines(summary, again):
            say(line)
        return int(summary.exit_code)

    return asyncio.run(main())


def undo_command(args: argparse.Namespace, on_signals: Callable[[asyncio.Event], None], say: Say) -> int:
    """``bulk-tasks undo``."""
    from ..after.past import parse_rows
    from ..after.undo import undo_async
    from ..console.after_messages import undo_lines
    from ..console.messages import Command, invoked_as
    from ..console.progress import ProgressBar, wants_bar
    from ..console.prompts import before_deleting

    rows = parse_rows(args.rows) if args.rows else None
    provider, send = _after_send_options(args)

    async def main() -> int:
        stop = asyncio.Event()
        bar = ProgressBar(label="Deleting", shown=UNDO_SHOWN) if wants_bar(args.quiet) else None
        on_signals(stop)
        question = before_deleting(provider, ask=not args.yes, stop=stop)
        try:
            summary = await undo_async(args.results, rows=rows, force=args.force, send=send, provider=args.provider,
                                       progress=bar, stop=stop, confirm=question)
        finally:
            if bar is not None:
                bar.close()
        force = Command(tuple(args.words), args.results, invoked_as()).adding("--force").text()
        for line in undo_lines(summary, force):
            say(line, err=line == summary.stopped_reason)
        return int(summary.exit_code)

    return asyncio.run(main())
