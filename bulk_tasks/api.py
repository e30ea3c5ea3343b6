"""The library API the CLI is a thin layer over: ``validate_file`` and ``run_import``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .outcomes import RowOutcome, Summary, cell_errors, results_table, summarize
from .preparing import Prepared, ReadOptions, prepare
from .providers import Provider
from .results import default_results_path, write_results
from .statuses import RowStatus


@dataclass(frozen=True)
class SendOptions:
    """How to send: ``--base-url``, ``--rate``, ``--concurrency``, retries, timeouts."""

    base_url: str | None = None
    rate: float | None = None
    concurrency: int = 8
    max_attempts: int = 5
    timeout: float = 30.0
    skip_invalid: bool = False
    retry_uncertain: bool = False
    sandbox: bool = False
    env: Mapping[str, str] | None = None


def _results_path(input_path: Path, results: str | Path | None) -> Path:
    return Path(results) if results else default_results_path(input_path)


def validate_file(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
                  *, results: str | Path | None = None) -> tuple[Summary, Prepared]:
    """Check every row, send nothing, write the report (a dry run's results file)."""
    return _dry_run(Path(path), provider, options, results)


def _dry_run(path: Path, provider: str | Provider, options: ReadOptions | None,
             results: str | Path | None) -> tuple[Summary, Prepared]:
    started = time.monotonic()
    prepared = prepare(path, provider, options)
    outcomes = {row: RowOutcome(RowStatus.DRY_RUN) for row in prepared.payloads}
    table = results_table(prepared, outcomes, dry_run=True)
    target = write_results(_results_path(path, results), table, cell_errors(prepared))
    summary = summarize(table, target, validating=True, elapsed=time.monotonic() - started,
                        warnings=prepared.warnings)
    return summary, prepared


def run_import(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
               send: SendOptions | None = None, *, results: str | Path | None = None, dry_run: bool = False,
               progress: Callable[[RowOutcome], None] | None = None) -> Summary:
    """Validate, send and write the results file; returns the run's ``Summary``.

    With ``dry_run`` nothing is sent and the results carry each row's JSON in ``_payload``.
    """
    if dry_run:
        return _dry_run(Path(path), provider, options, results)[0]
    return asyncio.run(run_import_async(path, provider, options, send, results=results, progress=progress))


async def run_import_async(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
                           send: SendOptions | None = None, *, results: str | Path | None = None,
                           dry_run: bool = False, progress: Callable[[RowOutcome], None] | None = None) -> Summary:
    """The async twin of ``run_import``, for callers that already run an event loop."""
    if dry_run:
        return _dry_run(Path(path), provider, options, results)[0]
    raise NotImplementedError("sending arrives with the sending engine")
