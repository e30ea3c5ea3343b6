"""The library API the CLI is a thin layer over: ``validate_file`` and ``run_import``."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .outcomes import Summary, cell_errors, input_fields, results_table, summarize
from .preparing import ReadOptions, prepare, without_cycle_collection
from .providers import Provider, get_provider
from .errors import ResultsFileError
from .results import check_writable, default_results_path, write_results
from .results_guard import check_not_edited
from .statuses import ExitCode

if TYPE_CHECKING:  # aiohttp is loaded only by a run that sends
    from .running import BeforeSending, Progress


@dataclass(frozen=True)
class SendOptions:
    """How to send: ``--base-url``, ``--rate``, ``--concurrency``, retries, timeouts."""

    base_url: str | None = None
    rate: float | None = None
    #: Requests in flight at most; None: 8, raised (up to 64) while the rate needs more (rate × reply time).
    concurrency: int | None = None
    max_attempts: int = 5
    timeout: float = 30.0
    skip_invalid: bool = False
    retry_uncertain: bool = False
    sandbox: bool = False
    allow_duplicates: bool = False
    env: Mapping[str, str] | None = None


def _results_path(input_path: Path, results: str | Path | None) -> Path:
    return Path(results) if results else default_results_path(input_path)


def validate_file(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
                  *, results: str | Path | None = None, allow_duplicates: bool = False) -> Summary:
    """Check every row, send nothing, write the report (a dry run's results file).

    ``summary.errors`` lists every broken rule with its row, column, value and rule.
    """
    return _dry_run(Path(path), provider, options, results, allow_duplicates)


@without_cycle_collection()
def _dry_run(path: Path, provider: str | Provider, options: ReadOptions | None,
             results: str | Path | None, allow_duplicates: bool = False) -> Summary:
    started = time.monotonic()
    target = _results_path(path, results)
    check_not_edited(target, path, "validate", provider if isinstance(provider, str) else provider.name)
    prepared = prepare(path, provider, options, allow_duplicates=allow_duplicates)
    table = results_table(prepared, {}, dry_run=True)
    write_results(target, table, cell_errors(prepared), fields=input_fields(prepared), provider=prepared.provider)
    return summarize(table, target, validating=True, elapsed=time.monotonic() - started,
                     warnings=prepared.warnings, notes=prepared.notes, timezone=prepared.reading.timezone,
                     errors=prepared.errors)


def run_import(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
               send: SendOptions | None = None, *, results: str | Path | None = None, dry_run: bool = False,
               progress: Progress | None = None) -> Summary:
    """Validate, send and write the results file; returns the run's ``Summary``.

    With ``dry_run`` nothing is sent and the results carry each row's JSON in ``_payload``.
    """
    if dry_run:
        return _dry_run(Path(path), provider, options, results)
    return asyncio.run(run_import_async(path, provider, options, send, results=results, progress=progress))


async def run_import_async(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
                           send: SendOptions | None = None, *, results: str | Path | None = None,
                           dry_run: bool = False, progress: Progress | None = None,
                           stop: asyncio.Event | None = None,
                           before_sending: BeforeSending | None = None) -> Summary:
    """The async twin of ``run_import``. Setting ``stop`` ends the run early (as a first Ctrl-C does);
    cancelling the task abandons requests in flight (their rows become ``uncertain``). Either way the
    results file is written. ``before_sending(count, base_url)`` is awaited once before the first
    request; when it returns False nothing is sent."""
    if dry_run:
        return _dry_run(Path(path), provider, options, results)
    from .running import send_prepared

    send = send or SendOptions()
    started = time.monotonic()
    path = Path(path)
    provider = get_provider(provider) if isinstance(provider, str) else provider
    _check_credentials(provider, send)
    target = _results_path(path, results)
    check_not_edited(target, path, "run", provider.name)
    prepared = prepare(path, provider, options, retry_uncertain=send.retry_uncertain,
                       allow_duplicates=send.allow_duplicates)
    check_writable(target)
    sent = await send_prepared(
        prepared, target, base_url=send.base_url, sandbox=send.sandbox, env=send.env, rate=send.rate,
        concurrency=send.concurrency, max_attempts=send.max_attempts, timeout=send.timeout,
        retry_uncertain=send.retry_uncertain, skip_invalid=send.skip_invalid, stop=stop, progress=progress,
        before_sending=before_sending)
    with without_cycle_collection():
        table = results_table(prepared, sent.outcomes, dry_run=False)
        try:
            write_results(target, table, cell_errors(prepared), fields=input_fields(prepared),
                          provider=prepared.provider)
        except ResultsFileError as exc:
            failure = ResultsFileError(f"{exc} The journal beside it has every outcome: run the same command "
                                       "again to write the results; nothing already created is sent twice.")
            failure.exit_code = ExitCode.SOME_ROWS_FAILED
            raise failure from None
    summary = summarize(table, target, validating=False, elapsed=time.monotonic() - started, sent=sent.sent,
                        stopped_reason=sent.stopped_reason, warnings=prepared.warnings, notes=prepared.notes,
                        timezone=prepared.reading.timezone, errors=prepared.errors)
    if sent.interrupted:
        summary.exit_code = ExitCode.INTERRUPTED
    return summary


def _check_credentials(provider: Provider, send: SendOptions) -> None:
    """Missing credentials or an unsafe URL end the run before anything is read or sent."""
    if send.sandbox:
        return
    from .auth import check_url_safe

    base_url = check_url_safe(send.base_url or provider.default_base_url)
    provider.make_auth(os.environ if send.env is None else send.env, base_url)
