"""Hostile workbooks (issue 23): time and peak memory of ``bulk-tasks validate`` on each, one process per run.

    python -m benchmarks.hostile [--python PATH] [--repeat N] [--only NAME ...] [--timeout S]

``--python`` runs another checkout's interpreter (its ``bulk_tasks``) for the figures before a change.
Each run is a fresh process; its peak resident memory comes from ``wait4`` (that process alone).
``legit-200k`` is a plain 200,000-row, 10-column workbook: the cost of the checks on an honest file.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
import hostile_books  # noqa: E402

from .run import wait_child  # noqa: E402


def _legit(rows: int = 200_000, width: int = 10) -> bytes:
    letters = [chr(65 + n) for n in range(width)]
    header = ["Title", "Description", "phoneNumberId"] + [f"Extra {n}" for n in range(width - 3)]
    generator = random.Random(23)
    body = [hostile_books.row(1, list(zip(letters, header)))]
    body += [hostile_books.row(n, [(letter, f"v{generator.randrange(100_000)}") for letter in letters])
             for n in range(2, rows + 2)]
    return hostile_books.book_bytes({"Tasks": hostile_books.sheet_xml(body)})


BOOKS = {
    "far-XFD1048576": lambda: hostile_books.far_cell("XFD1048576"),
    "far-CV1048576": lambda: hostile_books.far_cell("CV1048576"),
    "dimension-XFD1048576": lambda: hostile_books.lying_dimension("XFD1048576"),
    "zip-bomb-4000MiB": lambda: hostile_books.zip_bomb(4000),
    "legit-200k": _legit,
}


def measure(python: str, book: Path, timeout: float) -> tuple[float, float, int, str]:
    """Wall seconds, peak resident MiB, exit code and the first line of stderr of one validate."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([python, "-m", "bulk_tasks", "validate", str(book), "-p", "quo", "--quiet",
                                    "--results", str(book.with_suffix(".results.csv"))],
                                   stdout=subprocess.DEVNULL, stderr=errors, cwd=Path(python).parents[2])
        status, usage = wait_child(process, started + timeout)
        errors.seek(0)
        first = errors.read().decode("utf-8", "replace").strip().splitlines()[:1]
    code = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, code, (first[0] if first else "")[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=sorted(BOOKS))
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only or BOOKS:
            book = Path(folder) / f"{name}.xlsx"
            book.write_bytes(BOOKS[name]())
            runs = [measure(args.python, book, args.timeout) for _ in range(args.repeat)]
            seconds = statistics.median(run[0] for run in runs)
            peak = statistics.median(run[1] for run in runs)
            print(f"| {name} | {book.stat().st_size / 1024:,.0f} KB | {seconds:.2f} s "
                  f"({' · '.join(f'{run[0]:.2f}' for run in runs)}) | {peak:,.0f} MiB | exit {runs[0][2]} | "
                  f"{runs[0][3]} |", flush=True)


if __name__ == "__main__":
    main()
