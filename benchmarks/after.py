"""``verify`` and ``undo`` of 2,000 Quo rows at Quo's 10/s limit against the sandbox: the rate achieved
against the limit, and requests per row.

    .venv/bin/python -m benchmarks.after [--rows 2000] [--uncertain 200] [--runs 1]

The sandbox is served from a thread of this process; each measured command (``bulk-tasks verify``,
``bulk-tasks undo --yes``) runs in its own process, so each has a core. The tasks are created first
with the sandbox's limit off (not measured), then the limit is set to Quo's 10 requests per second per
key. "Achieved" is (requests − 1) / (last request − first request) as the sandbox saw them.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from bulk_tasks.sandbox.state import ProviderStats

TIMES: list[float] = []
_note = ProviderStats.note_task_request


def _noting(self: ProviderStats, key: str, now: float) -> None:
    TIMES.append(time.monotonic())
    _note(self, key, now)


def tool(sandbox, *arguments: str) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bulk_tasks", *arguments, "--quiet"], capture_output=True, text=True,
                          env={**os.environ, **sandbox.environment()}, stdin=subprocess.DEVNULL, timeout=3600)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return time.monotonic() - started


def measured(sandbox, rows: int, *arguments: str) -> dict[str, float]:
    TIMES.clear()
    wall = tool(sandbox, *arguments)
    requests = len(TIMES)
    span = TIMES[-1] - TIMES[0] if requests > 1 else 0.0
    return {"requests": requests, "per_row": requests / rows, "achieved": (requests - 1) / span if span else 0.0,
            "wall": wall}


def one_run(workdir: Path, rows: int, uncertain: int) -> dict[str, dict[str, float]]:
    path = workdir / "quo.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Description", "Due Date", "phoneNumberId"])
        writer.writerows([f"Call {i}", f"Customer {i}", "2026-12-02 14:00", "PN1"] for i in range(rows))
    results = workdir / "quo.results.csv"
    with sandbox_in_thread(SandboxConfig(quo_rate_per_second=None)) as sandbox:
        tool(sandbox, "run", str(path), "-p", "quo", "--base-url", sandbox.url, "--yes", "--rate", "2000")
        with results.open(newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
        status, task = table[0].index("_status"), table[0].index("_task_id")
        for line in table[1:uncertain + 1]:
            line[status], line[task] = "uncertain", ""
        with results.open("w", newline="", encoding="utf-8-sig") as handle:
            csv.writer(handle).writerows(table)
        sandbox.config.quo_rate_per_second = 10
        time.sleep(1.1)  # a fresh one-second window
        figures = {"verify": measured(sandbox, rows, "verify", str(results))}
        time.sleep(1.1)
        figures["undo"] = measured(sandbox, rows, "undo", str(results), "--yes")
        figures["undo"]["left"] = sum(not task.deleted for task in sandbox.state.tasks_of("quo"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--uncertain", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    ProviderStats.note_task_request = _noting  # type: ignore[method-assign]
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as workdir:
            runs.append(one_run(Path(workdir), args.rows, args.uncertain))
    print(f"| command | rows | requests | requests per row | achieved /s (limit 10) | × limit | wall s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for command in ("verify", "undo"):
        med = {key: statistics.median(run[command][key] for run in runs) for key in runs[0][command]}
        print(f"| {command} | {args.rows} | {med['requests']:.0f} | {med['per_row']:.3f} | {med['achieved']:.2f} | "
              f"{med['achieved'] / 10:.3f} | {med['wall']:.1f} |")
    print("tasks left after undo:", [run["undo"]["left"] for run in runs])


if __name__ == "__main__":
    main()
