"""The command line: parse arguments, call the library, map errors to one sentence and an exit code."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .after.commands import add_after_commands
from .console.output import Output, output_problem
from .errors import BulkTasksError
from .providers import PROVIDERS, get_provider
from .statuses import ExitCode

if TYPE_CHECKING:  # the commands import what they need, so that --help and --version start at once
    from .send.options import SendOptions
    from .report.summary import Summary
    from .shape.prepare import ReadOptions
    from .send.endpoint import Endpoint


def build_parser() -> argparse.ArgumentParser:
    """The ``bulk-tasks`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="bulk-tasks", description="Create tasks in bulk from a CSV or Excel sheet "
                                     f"({', '.join(name.capitalize() for name in PROVIDERS)}).")
    parser.add_argument("--version", action="version", version=f"bulk-tasks {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every row and write a report; send nothing",
                                   description="Check every row of INPUT; send nothing; write the report.")
    _input_arguments(validate)
    _lookup_arguments(validate)
    _quiet_argument(validate, "no advice on what to do next")

    run = commands.add_parser("run", help="validate, then create the tasks and write the results file",
                              description="Validate INPUT, create one task per row, write the results file.")
    _input_arguments(run)
    _run_arguments(run)

    add_after_commands(commands)

    template = commands.add_parser("template", help="write an empty, documented input sheet",
                                   description="Write an empty input sheet for a provider, with a How-to-fill sheet.")
    template.add_argument("provider", choices=sorted(PROVIDERS), help="the provider")
    template.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", help="file format (default xlsx)")
    template.add_argument("--output", metavar="PATH", help="where to write it (default: current folder)")
    template.add_argument("--force", action="store_true", help="replace the file if it already exists")
    _quiet_argument(template, "print nothing when it worked")

    sandbox = commands.add_parser("sandbox", help="serve a local emulation of every provider's API",
                                  description="Serve a local emulation of every provider's create-task API.")
    from .sandbox import add_arguments
    add_arguments(sandbox)

    serve = commands.add_parser("serve", help="open a local web page to check and send a sheet",
                                description="Serve a local web page to check a sheet, send it, "
                                            "and download the results.")
    from .web.server import add_arguments as add_serve_arguments
    add_serve_arguments(serve)
    return parser


def _input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT", help="the .csv or .xlsx file with one task per row")
    parser.add_argument("--provider", "-p", required=True, choices=sorted(PROVIDERS), help="where the tasks go")
    parser.add_argument("--sheet", help="Excel sheet to read (default: the first visible one)")
    parser.add_argument("--mapping", metavar="FILE", help='JSON {"header as written": "api.field"}')
    parser.add_argument("--timezone", help="IANA zone of dates without one (default: this computer's zone)")
    parser.add_argument("--dayfirst", action=argparse.BooleanOptionalAction,
                        help="read 1/2/2026 as 1 February (--no-dayfirst: as January 2, the default)")
    parser.add_argument("--phone-region", help="country of phone numbers without +code (default US)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every problem and row; show details of internal errors")


def _lookup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results", metavar="PATH", help="where to write the report (.csv or .xlsx)")
    parser.add_argument("--sandbox", action="store_true",
                        help="check references against the built-in sandbox's demo workspace")
    parser.add_argument("--base-url", metavar="URL", help="scheme://host[:port] of the API (default: production)")
    parser.add_argument("--env-file", metavar="PATH", help="read credentials from this .env file (NAME=value lines)")
    parser.add_argument("--offline", action="store_true",
                        help="do not look references up in the workspace (IDs are checked by their shape only)")


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results", metavar="PATH", help="results file (.csv or .xlsx; default beside INPUT)")
    parser.add_argument("--dry-run", action="store_true", help="do everything but send; add each row's JSON")
    parser.add_argument("--sandbox", action="store_true", help="send to a built-in local emulation of the API")
    parser.add_argument("--base-url", metavar="URL", help="scheme://host[:port] of the API (default: production)")
    parser.add_argument("--offline", action="store_true",
                        help="with --dry-run: do not look references up in the workspace")
    parser.add_argument("--rate", type=_positive_float, metavar="R", help="requests per second (default: provider's)")
    parser.add_argument("--concurrency", type=_positive_int, default=None, metavar="N",
                        help="requests in flight (default: 8, more while the rate needs them, up to 64)")
    parser.add_argument("--max-attempts", type=_positive_int, default=5, metavar="N", help="tries per row (5)")
    parser.add_argument("--timeout", type=_positive_float, default=30.0, metavar="S", help="seconds per request (30)")
    parser.add_argument("--max-wait", type=_positive_float, default=300.0, metavar="S",
                        help="stop when the provider answers only 429 (too many requests) for S seconds (300)")
    parser.add_argument("--skip-invalid", action="store_true", help="send the valid rows even if some are invalid")
    parser.add_argument("--retry-uncertain", action="store_true",
                        help="send rows whose outcome is unknown again (Quo: those not found there)")
    parser.add_argument("--update", action="store_true",
                        help="send the changes of rows created earlier whose fields now differ")
    parser.add_argument("--allow-duplicates", action="store_true", help="send rows that repeat an earlier row")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before sending to the real provider")
    parser.add_argument("--env-file", metavar="PATH", help="read credentials from this .env file (NAME=value lines)")
    _quiet_argument(parser, "no progress bar, no advice on what to do next")


def _quiet_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--quiet", "-q", action="store_true", help=what)


def _positive(kind: type[float] | type[int], what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a number bulk-tasks can use: give one such as 5 or 0.5")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
        return value

    return parse


_positive_float = _positive(float, "a number")
_positive_int = _positive(int, "a whole number")


def _read_options(args: argparse.Namespace) -> ReadOptions:
    from .shape.prepare import ReadOptions

    return ReadOptions(sheet=args.sheet, mapping=args.mapping, timezone=args.timezone,
                       dayfirst=args.dayfirst, phone_region=args.phone_region,
                       allow_duplicates=getattr(args, "allow_duplicates", False))


def _validate(args: argparse.Namespace) -> int:
    from .api import SendOptions, validate_file
    from .console.prompts import can_ask, credentials_env

    endpoint = None
    provider = get_provider(args.provider)
    given = args.env_file or any(os.environ.get(name, "").strip() for name in provider.credential_variables)
    if not (args.sandbox or args.offline) and (given or can_ask()):  # else: said once, references not checked
        from .send.endpoint import lookup_endpoint

        endpoint = lookup_endpoint(provider, args.base_url,
                                   credentials=lambda: credentials_env(provider, args.env_file))
    send = SendOptions(base_url=args.base_url, sandbox=args.sandbox, env={} if endpoint is None else None)
    summary = validate_file(args.input, args.provider, _read_options(args), results=args.results, send=send,
                            offline=args.offline, endpoint=endpoint, say=None if args.quiet else _say)
    _report(summary, args)
    return summary.exit_code


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    from .errors import UsageError
    from .send.options import SendOptions

    if args.dry_run:
        return _validate(args)
    if args.offline:
        raise UsageError("--offline checks the sheet without the provider, so it cannot send: use it with "
                         "validate or run --dry-run.")
    send = SendOptions(base_url=args.base_url, rate=args.rate, concurrency=args.concurrency,
                       max_attempts=args.max_attempts, timeout=args.timeout, skip_invalid=args.skip_invalid,
                       retry_uncertain=args.retry_uncertain, sandbox=args.sandbox, max_wait=args.max_wait,
                       update=args.update)
    summary = asyncio.run(_run_async(args, send, None if args.sandbox else _endpoint(args)))
    _report(summary, args)
    return summary.exit_code


def _endpoint(args: argparse.Namespace) -> Endpoint:
    """The run's endpoint: the base URL checked before anyone is asked for a key (``--env-file``, or typed)."""
    from .console.prompts import credentials_env
    from .send.endpoint import resolve_endpoint

    provider = get_provider(args.provider)
    return resolve_endpoint(provider, args.base_url, credentials=lambda: credentials_env(provider, args.env_file))


async def _run_async(args: argparse.Namespace, send: SendOptions, endpoint: Endpoint | None) -> Summary:
    from .api import run_import_async
    from .console.progress import ProgressBar, wants_bar
    from .console.prompts import before_sending

    stop = asyncio.Event()
    bar = ProgressBar() if wants_bar(args.quiet) else None
    _handle_interrupts(stop)
    hook = before_sending(get_provider(args.provider), sandbox=args.sandbox, ask=not args.yes, stop=stop)
    try:
        return await run_import_async(args.input, args.provider, _read_options(args), send,
                                      results=args.results, progress=bar, stop=stop, before_sending=hook,
                                      endpoint=endpoint, say=None if args.quiet else _say)
    finally:
        if bar is not None:
            bar.close()


#: Signals that stop a run as a first Ctrl-C does: a terminal closed (SIGHUP), a scheduler or a
#: container stopping it (SIGTERM). A second one abandons the requests in flight.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _handle_interrupts(stop: asyncio.Event) -> None:
    """First Ctrl-C (or SIGTERM, SIGHUP): start no new request, finish those in flight. Second: abandon them."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    signals = 0

    def interrupted(number: int) -> None:
        nonlocal signals
        signals += 1
        if signals == 1:
            stop.set()
            again = "Ctrl-C again" if number == signal.SIGINT else f"{signal.Signals(number).name} again"
            print(f"\nStopping: no new requests; waiting for those in flight ({again} to abandon them).",
                  file=sys.stderr)
        elif task is not None:
            task.cancel()

    for number in STOP_SIGNALS:
        try:
            loop.add_signal_handler(number, interrupted, number)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


def _interrupt_before_sending() -> None:
    """Until the run's own handler takes over, SIGTERM and SIGHUP end the command as Ctrl-C does."""
    def raise_interrupt(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    for number in STOP_SIGNALS:
        if number != signal.SIGINT:
            try:
                signal.signal(number, raise_interrupt)
            except (ValueError, OSError):
                pass


def _verify(args: argparse.Namespace) -> int:
    from .after.commands import verify_command

    return verify_command(args, _handle_interrupts, _output(args).say)


def _undo(args: argparse.Namespace) -> int:
    from .after.commands import undo_command

    return undo_command(args, _handle_interrupts, _output(args).say)


def _template(args: argparse.Namespace) -> int:
    from .report.templates import default_template_name, write_template

    provider = get_provider(args.provider)
    output = Path(args.output) if args.output else Path(default_template_name(provider, args.format))
    if output.is_dir():
        output = output / default_template_name(provider, args.format)
    path = write_template(provider, output, args.format, overwrite=args.force)
    if not args.quiet:
        from .console.messages import after_template, invoked_as

        say = _output(args).say
        say(f"Template written: {path}")
        say(after_template(path, provider.name, args.format, invoked_as()))
    return ExitCode.OK


def _sandbox(args: argparse.Namespace) -> int:
    from .sandbox import config_from_args, serve

    serve(args.host, args.port, config_from_args(args))
    return ExitCode.OK


def _report(summary: Summary, args: argparse.Namespace) -> None:
    """Warnings, each kind of problem once, why the run stopped, the counts, then what to do next."""
    from .console.messages import Command, closing_lines, invoked_as, next_steps, problem_lines

    say = _output(args).say
    for note in summary.notes:
        say(note, err=True)
    for warning in summary.warnings:
        say(f"Warning: {warning}", err=True)
    for line in problem_lines(summary, args.verbose):
        say(line)
    for line in closing_lines(summary):
        say(line, err=line == summary.stopped_reason)
    if not args.quiet:
        command = Command(tuple(args.words), args.input, invoked_as())
        for line in next_steps(summary, command, get_provider(args.provider).name.capitalize()):
            say(line)


def _output(args: argparse.Namespace) -> Output:
    """The command's one ``Output`` (made on first use, so that tests' captured streams are the ones used)."""
    if getattr(args, "printer", None) is None:
        args.printer = Output()
    return args.printer  # type: ignore[no-any-return]


def _serve(args: argparse.Namespace) -> int:
    from .web.server import serve

    return serve(args)


COMMANDS = {"validate": _validate, "run": _run, "verify": _verify, "undo": _undo, "template": _template,
            "sandbox": _sandbox, "serve": _serve}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``bulk-tasks`` and ``python -m bulk_tasks``; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.words = argv
    saved = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    if args.command in ("run", "validate", "verify", "undo"):
        _interrupt_before_sending()
    try:
        code = _command(args)
    finally:
        _restore(saved)
    output = _output(args)
    output.flush()
    if output.failed is not None:
        output.say(output_problem(output.failed), err=True)
        return code if args.command == "run" else int(ExitCode.USAGE)
    return code


def _command(args: argparse.Namespace) -> int:
    say = _output(args).say
    try:
        return int(COMMANDS[args.command](args))
    except BulkTasksError as exc:
        say(f"Error: {exc}", err=True)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        say("Interrupted.", err=True)
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if getattr(args, "verbose", False):
            traceback.print_exc()
        say(f"Error: bulk-tasks hit an internal problem ({type(exc).__name__}). Please report it with the "
            "command you ran; add -v for details.", err=True)
        return int(ExitCode.SOME_ROWS_FAILED)


def _restore(handlers: dict[int, Any]) -> None:
    """Put back the signal handlers ``main`` found, for a caller that runs it in-process."""
    for number, handler in handlers.items():
        if handler is not None:
            try:
                signal.signal(number, handler)
            except (ValueError, OSError):  # not the main thread: nothing was installed either
                pass
