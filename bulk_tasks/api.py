"""The library API the CLI is a thin layer over: ``validate_file``, ``run_import``, ``verify_results``,
``undo_import``."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import LookupUnavailable, ResultsFileError, UnreadableFileError
from .record.journal import journal_path, records_bodies
from .record.lock import RunLock
from .report.summary import Summary, summarize
from .report.table import PayloadColumn, cell_errors, input_fields, results_table
from .shape.prepare import Checked, Prepared, ReadOptions, check_input, shape_checked, without_cycle_collection
from .shape.references import References
from .shape.provenance import run_description, sent_to_label
from .providers import Provider, get_provider
from .send.options import SendOptions
from .report.write import PAYLOAD_COLUMN, check_fits_a_sheet, check_writable, default_results_path, write_results
from .record.guard import check_not_edited
from .record.kept import check_journal_kept
from .statuses import ExitCode

__all__ = ["SendOptions", "run_import", "run_import_async", "validate_file"]

if TYPE_CHECKING:  # aiohttp and pandas are loaded only by the commands that need them
    from collections.abc import Callable, Coroutine

    import pandas as pd

    from .providers.references import Want
    from .send.endpoint import Endpoint
    from .after.undo import UndoSummary
    from .after.verify import VerifySummary
    from .send.jobs import SendResult
    from .send.ratelimit import RateLimiter
    from .send.run import AfterCreates, BeforeSending, Progress


def _results_path(input_path: Path, results: str | Path | None) -> Path:
    if input_path.is_dir():
        raise UnreadableFileError(f"{input_path} is a folder, not a spreadsheet: give the path of the .csv or .xlsx "
                                  f"file with the tasks, for example {input_path / 'tasks.xlsx'}")
    return Path(results) if results else default_results_path(input_path)


def validate_file(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
                  *, results: str | Path | None = None, allow_duplicates: bool = False,
                  send: SendOptions | None = None, offline: bool = False, endpoint: Endpoint | None = None,
                  say: Callable[[str], None] | None = None) -> Summary:
    """Check every row, send nothing, write the report (a dry run's results file).

    References are looked up in the workspace (``endpoint``, else from ``send``: ``base_url``, ``env``,
    ``sandbox``; default: production with the environment's credentials) unless ``offline``; without
    credentials they are not, and the summary says so once. ``say`` receives progress lines.
    ``summary.errors`` lists every broken rule with its row, column, value and rule.
    """
    return _run_sync(_dry_run(Path(path), provider, options, results, allow_duplicates, send, offline,
                              endpoint, say))


def _run_sync(coroutine: Coroutine[Any, Any, Summary]) -> Summary:
    """``asyncio.run(coroutine)``; from inside a running event loop, in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _dry_run(path: Path, provider: str | Provider, options: ReadOptions | None,
                   results: str | Path | None, allow_duplicates: bool = False, send: SendOptions | None = None,
                   offline: bool = False, endpoint: Endpoint | None = None,
                   say: Callable[[str], None] | None = None) -> Summary:
    started = time.monotonic()
    target = _results_path(path, results)
    check_writable(target)
    with RunLock(target), without_cycle_collection():
        _check_results(target, path, "validate", provider if isinstance(provider, str) else provider.name)
        checked = check_input(path, provider, options, allow_duplicates=allow_duplicates)
        references = await _references_for_dry_run(checked, send or SendOptions(), offline, endpoint, say)
        prepared = shape_checked(checked, references)
        table = results_table(prepared, {}, dry_run=True, lazy_payloads=True)
        write_results(target, table, cell_errors(prepared), _about(prepared, None, datetime.now(timezone.utc)),
                      fields=input_fields(prepared), provider=prepared.provider,
                      lazy={PAYLOAD_COLUMN: PayloadColumn(prepared)}, date_formats=prepared.table.date_formats)
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
        return validate_file(path, provider, options, results=results,
                             allow_duplicates=bool(send and send.allow_duplicates), send=send)
    return asyncio.run(run_import_async(path, provider, options, send, results=results, progress=progress))


async def run_import_async(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
                           send: SendOptions | None = None, *, results: str | Path | None = None,
                           dry_run: bool = False, progress: Progress | None = None,
                           stop: asyncio.Event | None = None,
                           before_sending: BeforeSending | None = None,
                           endpoint: Endpoint | None = None,
                           say: Callable[[str], None] | None = None) -> Summary:
    """The async twin of ``run_import``. Setting ``stop`` ends the run early (as a first Ctrl-C does);
    cancelling the task abandons requests in flight (their rows become ``uncertain``). Either way the
    results file is written. ``before_sending(count, base_url)`` is awaited once before the first
    request; when it returns False nothing is sent. ``endpoint``: the run's endpoint when the caller
    resolved it already (``send.endpoint.resolve_endpoint``, as the CLI does to ask for a missing key);
    None: resolved here from ``send``. References are looked up first (``say``: progress lines); when
    that fails for every row, nothing is sent and every row is ``not_sent`` with the reason."""
    if dry_run:
        return await _dry_run(Path(path), provider, options, results, bool(send and send.allow_duplicates), send,
                              endpoint=endpoint, say=say)
    send, started, path = send or SendOptions(), time.monotonic(), Path(path)
    provider = get_provider(provider) if isinstance(provider, str) else provider
    where = _endpoint(provider, send, endpoint)
    sent_to = sent_to_label(provider.name, where.base_url if where else "", sandbox=where is None)
    when = datetime.now(timezone.utc)
    target = _results_path(path, results)
    check_writable(target)
    checked_first, send, after_creates = await _after_the_send(target, provider, send, options, progress, stop)
    with RunLock(target):
        _check_results(target, path, "run", provider.name)
        checked = check_input(path, provider, options, retry_uncertain=send.retry_uncertain,
                              allow_duplicates=send.allow_duplicates, sent_to=sent_to)
        check_fits_a_sheet(target, len(checked.table.frame))
        prepared, sent = await _look_up_and_send(checked, where, target, send, say=say, stop=stop, progress=progress,
                                                 before_sending=before_sending, after_creates=after_creates)
        table = _write_sent(prepared, sent, target, sent_to, _about(prepared, sent_to, when))
    notes = [*checked_first, *sent.notes, *prepared.notes]
    summary = summarize(table, target, validating=False, elapsed=time.monotonic() - started, sent=sent.sent,
                        stopped_reason=sent.stopped_reason, warnings=prepared.warnings, notes=notes,
                        timezone=prepared.reading.timezone, errors=prepared.errors)
    if sent.interrupted:
        summary.exit_code = ExitCode.INTERRUPTED
    return summary


async def _after_the_send(target: Path, provider: Provider, send: SendOptions, options: ReadOptions | None,
                          progress: Progress | None, stop: asyncio.Event | None
                          ) -> tuple[list[str], SendOptions, AfterCreates | None]:
    """What a run does about an earlier one: uncertain rows looked up first (``--retry-uncertain``; what
    was not found is then sent once, never resent on a 500), and the changes to send (``--update``)."""
    checked_first = await _verify_first(target, provider, send, options, stop)
    if checked_first:
        send = replace(send, retry_uncertain=False)
    after_creates = None
    if send.update:
        from .after.update import sending_updates

        after_creates = sending_updates(send, progress, stop)
    return checked_first, send, after_creates


async def _verify_first(target: Path, provider: Provider, send: SendOptions, options: ReadOptions | None,
                        stop: asyncio.Event | None) -> list[str]:
    """``--retry-uncertain`` on a provider that can look tasks up: settle the uncertain rows first, so that
    only those not found are sent again."""
    if not send.retry_uncertain or send.sandbox or provider.task_lookup() is None or not target.exists():
        return []
    from .after.verify import verify_first

    return await verify_first(target, provider, send, options, stop)


def verify_results(results: str | Path, *, send: SendOptions | None = None, provider: str | None = None,
                   options: ReadOptions | None = None) -> VerifySummary:
    """Look up in the provider what ``results`` calls created or uncertain (``bulk-tasks verify``)."""
    from .after.verify import verify

    return verify(results, send=send, provider=provider, options=options)


def undo_import(results: str | Path, *, rows: Collection[int] | None = None, force: bool = False,
                send: SendOptions | None = None, provider: str | None = None) -> UndoSummary:
    """Take back the tasks ``results`` says were created (``bulk-tasks undo``)."""
    from .after.undo import undo

    return undo(results, rows=rows, force=force, send=send, provider=provider)


def _check_results(target: Path, path: Path, command: str, provider: str) -> None:
    """Refuse to replace a results file edited by hand, or one whose journal was deleted."""
    check_not_edited(target, path, command, provider)
    check_journal_kept(target, path, command, provider)


async def _look_up_and_send(checked: Checked, where: Endpoint | None, target: Path, send: SendOptions, *,
                            say: Callable[[str], None] | None, stop: asyncio.Event | None,
                            progress: Progress | None, before_sending: BeforeSending | None,
                            after_creates: AfterCreates | None = None) -> tuple[Prepared, SendResult]:
    """The references looked up at the run's endpoint (the sandbox started when ``where`` is None), then
    the rows sent there through the same rate limiter."""
    from .send.run import open_endpoint, send_prepared

    limiter = _limiter(checked.provider, send)
    async with open_endpoint(checked.provider, send, where) as place:
        try:
            references = await _references(checked, place, send, limiter=limiter, say=say,
                                           earlier=_journaled(target))
        except LookupUnavailable as exc:
            return _stopped_before_sending(checked, str(exc))
        prepared = shape_checked(checked, references, compare_created=records_bodies(journal_path(target)))
        sent = await send_prepared(prepared, target, send, stop=stop, progress=progress, before_sending=before_sending,
                                   endpoint=place, limiter=limiter, after_creates=after_creates)
    return prepared, sent


async def _references(checked: Checked, place: Endpoint | None, send: SendOptions, *, offline: bool = False,
                      limiter: RateLimiter | None = None, say: Callable[[str], None] | None = None,
                      earlier: dict[Want, str] | None = None) -> References:
    from .resolve.run import look_up

    references, _ = await look_up(checked, place, offline=offline, limiter=limiter, timeout=send.timeout,
                                  earlier=earlier, say=say)
    return references


async def _references_for_dry_run(checked: Checked, send: SendOptions, offline: bool, endpoint: Endpoint | None,
                                  say: Callable[[str], None] | None) -> References:
    """References looked up for validate and dry runs: at ``endpoint``, in the sandbox started for them, or
    at ``--base-url`` (production) when credentials are at hand; not at all ``offline``."""
    if offline or not checked.provider.references or checked.fields.empty:
        return await _references(checked, None, send, offline=offline)
    if endpoint is None and not send.sandbox:
        env = os.environ if send.env is None else send.env
        if not any(env.get(name, "").strip() for name in checked.provider.credential_variables):
            return await _references(checked, None, send)  # no credentials: nothing to load, nothing to ask
        from .send.endpoint import lookup_endpoint

        endpoint = lookup_endpoint(checked.provider, send.base_url, send.env)
        if endpoint is None:
            return await _references(checked, None, send)
    from .send.run import open_endpoint

    async with open_endpoint(checked.provider, send, endpoint) as place:
        return await _references(checked, place, send, say=say)


def _stopped_before_sending(checked: Checked, reason: str) -> tuple[Prepared, SendResult]:
    """A run whose look-ups failed for every row (credentials refused, host down): each row not sent."""
    from .send.jobs import SendResult
    from .statuses import Outcome, RowStatus

    prepared = shape_checked(checked)
    outcomes = {row: Outcome(row, RowStatus.NOT_SENT, error=f"not sent: {reason}") for row in prepared.payloads}
    return prepared, SendResult(outcomes, stopped_reason=reason)


def _limiter(provider: Provider, send: SendOptions) -> RateLimiter:
    """The run's one rate limiter, shared by its look-ups and its sends (as the send engine builds its own)."""
    from .send.ratelimit import RateLimiter

    return RateLimiter(provider.default_rate if send.rate is None else send.rate,
                       max_pause=send.max_wait or float("inf"))


def _journaled(target: Path) -> dict[Want, str]:
    from .record.journal import journal_path
    from .record.references import journaled_references

    return journaled_references(journal_path(target))


def _about(prepared: Prepared, sent_to: str | None, when: datetime) -> list[tuple[str, str]]:
    return run_description(provider=prepared.provider.name, sent_to=sent_to,
                           timezone=prepared.reading.timezone, when=when)


def _write_sent(prepared: Prepared, sent: SendResult, target: Path, sent_to: str,
                about: list[tuple[str, str]]) -> pd.DataFrame:
    with without_cycle_collection():
        table = results_table(prepared, sent.outcomes, dry_run=False, sent_to=sent_to)
        try:
            write_results(target, table, cell_errors(prepared), about, fields=input_fields(prepared),
                          provider=prepared.provider, date_formats=prepared.table.date_formats)
        except ResultsFileError as exc:
            if sent.stopped_reason and sent.journal_failed:
                failure = ResultsFileError(f"{sent.stopped_reason}. The results file {target} could not be "
                                           "written either.")
            else:
                failure = ResultsFileError(f"{exc} The journal beside it has every outcome: run the same command "
                                           "again to write the results; nothing already created is sent twice.")
            failure.exit_code = ExitCode.SOME_ROWS_FAILED
            raise failure from None
    return table


def _endpoint(provider: Provider, send: SendOptions, endpoint: Endpoint | None) -> Endpoint | None:
    """The run's endpoint (None for the sandbox, started later). Missing credentials or an unsafe URL
    end the run before anything is read or sent."""
    if send.sandbox:
        return None
    from .send.endpoint import resolve_endpoint

    return endpoint or resolve_endpoint(provider, send.base_url, send.env)
