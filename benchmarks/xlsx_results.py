"""XLSX results writing alone: the streaming writer against openpyxl (the writer it replaced).

    .venv/bin/python -m benchmarks.xlsx_results [--rows 100000] [--runs 3] [--skip-openpyxl]
    .venv/bin/python -m benchmarks.xlsx_results --commands     # whole `validate` of a 100k-row XLSX

The table is a real results table: a Travtus sheet from ``data.py`` (12 input columns) read and
validated by ``prepare``, with every 2,000th row made invalid (50 commented cells per 100,000 rows),
the dry run's ``_payload`` on every valid row: 20 columns. Only the writing is timed.

``--commands`` times whole commands instead (start-up included, each a child process): ``validate`` of
a valid 100,000-row Travtus XLSX from ``data.py`` writing CSV results, and writing XLSX results.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from . import data

ROOT = Path(__file__).resolve().parent.parent


def results_inputs(workdir: Path, rows: int) -> tuple[object, object, dict, object]:
    """(table, cell errors, fields by header, provider) of a ``rows``-row Travtus dry run."""
    from bulk_tasks.report.table import cell_errors, results_table
    from bulk_tasks.shape.prepare import prepare
    from bulk_tasks.statuses import Outcome, RowStatus

    path = workdir / f"travtus-{rows}-some-invalid.csv"
    if not path.exists():
        import csv

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(data.header("travtus"))
            for i, row in enumerate(data.rows("travtus", rows)):
                if i % 2000 == 1999:
                    row[5] = "31/31/2026"
                writer.writerow(row)
    prepared = prepare(path, "travtus")
    outcomes = {row: Outcome(row, RowStatus.DRY_RUN) for row in prepared.payloads}
    table = results_table(prepared, outcomes, dry_run=True)
    by_name = {spec.name: spec for spec in prepared.provider.fields}
    fields = {header: by_name[name] for header, name in prepared.match.field_of.items()}
    return table, cell_errors(prepared), fields, prepared.provider


def whole_commands(workdir: Path, rows: int, runs: int) -> None:
    """Wall time, CPU time and peak memory of ``validate`` of an XLSX input, with CSV and with XLSX results,
    alternating run by run."""
    import os
    import subprocess

    source = data.write_xlsx(workdir / f"travtus-{rows}.xlsx", "travtus", rows)
    timings: dict[str, list[tuple[float, float, float]]] = {"csv": [], "xlsx": []}
    for _ in range(runs):
        for fmt, figures in timings.items():
            results = workdir / f"out.results.{fmt}"
            results.unlink(missing_ok=True)
            started = time.perf_counter()
            child = subprocess.Popen([sys.executable, "-m", "bulk_tasks", "validate", str(source), "--provider",
                                      "travtus", "--timezone", "UTC", "--results", str(results), "-q"],
                                     cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            if not results.exists():
                raise RuntimeError(f"validate failed (status {status})")
            figures.append((time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024))
    for fmt, figures in timings.items():
        walls, cpus, peaks = zip(*figures)
        print(f"validate {rows:,}-row XLSX, {fmt.upper()} results: wall median {statistics.median(walls):.2f} s "
              f"({' · '.join(f'{w:.2f}' for w in walls)}), CPU median {statistics.median(cpus):.2f} s "
              f"({' · '.join(f'{c:.2f}' for c in cpus)}), peak {max(peaks):.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-openpyxl", action="store_true", help="time only the streaming writer")
    parser.add_argument("--commands", action="store_true", help="time whole validate commands instead")
    parser.add_argument("--workdir", type=Path, help="keep generated inputs here (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.commands:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            whole_commands(args.workdir, args.rows, args.runs)
        else:
            with tempfile.TemporaryDirectory() as directory:
                whole_commands(Path(directory), args.rows, args.runs)
        return 0
    from bulk_tasks.report.write import write_results

    sys.path.insert(0, str(ROOT / "tests"))
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        table, errors, fields, provider = results_inputs(workdir, args.rows)
        print(f"table: {table.shape[0]:,} rows x {table.shape[1]} columns, {len(errors)} commented cells")
        writers = {"streaming writer": lambda: write_results(workdir / "new.xlsx", table, errors, fields=fields,
                                                             provider=provider)}
        if not args.skip_openpyxl:
            from xlsx_reference import write_reference_xlsx

            writers["openpyxl write-only (before)"] = lambda: write_reference_xlsx(workdir / "old.xlsx", table, errors)
        for name, write in writers.items():
            walls, cpus = [], []
            for _ in range(args.runs):
                started, cpu = time.perf_counter(), time.process_time()
                write()
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
            shown = " · ".join(f"{value:.2f}" for value in walls)
            print(f"{name:30} wall median {statistics.median(walls):6.2f} s ({shown}); "
                  f"CPU median {statistics.median(cpus):6.2f} s")
        print(f"file size: {(workdir / 'new.xlsx').stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
