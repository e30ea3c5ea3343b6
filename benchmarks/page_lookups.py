"""The page's check with and without its look-ups (issue 19): seconds added to ``web.checking.check``.

    python -m benchmarks.page_lookups [--rows 100000] [--runs 2]

Two Travtus sheets of ``--rows`` rows: B6's (``data.travtus_row``: 300 groups the demo workspace does not
know, so every row is invalid), and the same rows in the demo workspace's three groups without units
(every row valid). Each is checked as the page checks an upload: with Sandbox ticked (the references
looked up in a sandbox started for it, without pacing) and with no look-up at all (Sandbox unticked, no
credentials), in turn; medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
import time
from pathlib import Path

from bulk_tasks.providers import get_provider
from bulk_tasks.shape.prepare import ReadOptions
from bulk_tasks.web.checking import check

from . import data

DEMO_GROUPS = ("PROP-OAK", "PROP-ELM", "PROP-BAY")


def _sheet(path: Path, rows: int, demo: bool) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(data.header("travtus"))
        for i in range(rows):
            row = data.travtus_row(i)
            if demo:
                row[0], row[1] = DEMO_GROUPS[i % 3], ""
            writer.writerow(row)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    for name in ("TRAVTUS_API_TOKEN", "TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET"):
        os.environ.pop(name, None)
    provider, options = get_provider("travtus"), ReadOptions(timezone="UTC")
    print(f"{'sheet':<28}{'rows':>8}  {'no look-ups s':>14}  {'Sandbox s':>10}  counts with Sandbox")
    with tempfile.TemporaryDirectory() as folder:
        for label, demo in (("B6's (unknown groups)", False), ("demo workspace groups", True)):
            path = _sheet(Path(folder) / f"{demo}.csv", args.rows, demo)
            check(path, provider, options, sandbox=False)  # warm: what Python loads on first use
            times: dict[bool, list[float]] = {False: [], True: []}
            counts = {}
            for _ in range(args.runs):
                for sandbox in (False, True):
                    started = time.perf_counter()
                    checked = check(path, provider, options, sandbox=sandbox)
                    times[sandbox].append(time.perf_counter() - started)
                    counts = checked.view["counts"]
            print(f"{label:<28}{args.rows:>8}  {statistics.median(times[False]):>14.2f}  "
                  f"{statistics.median(times[True]):>10.2f}  {counts}")


if __name__ == "__main__":
    main()
