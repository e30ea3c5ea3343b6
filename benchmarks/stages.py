"""Time each stage of one ``validate`` in this process: wall, user and system CPU, page faults, memory.

    python -m benchmarks.stages INPUT.csv [--provider travtus] [--results OUT.csv]

Each stage function is wrapped with a timer where ``api`` and ``preparing`` call it; the figures are
printed as each stage ends. This is how BENCHMARKS.md's stage-by-stage table of issue 13 was measured.
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STAGES = (("preparing", "read_table"), ("preparing", "validate"), ("preparing", "build_payloads"),
          ("preparing", "date_order_warnings"), ("preparing", "_identify"), ("api", "results_table"),
          ("api", "write_results"), ("api", "summarize"))


def _resident_mib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) // 1024


def _timed(module: Any, name: str) -> None:
    function = getattr(module, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        result = function(*args, **kwargs)
        after = resource.getrusage(resource.RUSAGE_SELF)
        print(f"{name:20s} {time.perf_counter() - started:6.2f} s  user {after.ru_utime - before.ru_utime:5.2f}  "
              f"sys {after.ru_stime - before.ru_stime:5.2f}  faults {after.ru_minflt - before.ru_minflt:7d}  "
              f"resident {_resident_mib():5d} MiB  peak {after.ru_maxrss // 1024:5d} MiB")
        return result

    setattr(module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--provider", default="travtus")
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    from bulk_tasks import api
    from bulk_tasks.shape import prepare as preparing
    from bulk_tasks.shape.prepare import ReadOptions

    for module_name, name in STAGES:
        _timed(api if module_name == "api" else preparing, name)
    print(f"{'imports':20s} {time.perf_counter() - started:6.2f} s")
    with tempfile.TemporaryDirectory() as scratch:
        results = args.results or Path(scratch) / "stages.results.csv"
        started = time.perf_counter()
        summary = api.validate_file(args.input, args.provider, ReadOptions(timezone="UTC"), results=results)
        print(f"{'validate_file':20s} {time.perf_counter() - started:6.2f} s  {summary.counts}")


if __name__ == "__main__":
    sys.exit(main())
