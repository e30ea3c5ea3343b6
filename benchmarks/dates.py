"""The date parser alone: CPU time per distinct text, without the cache (``python -m benchmarks.dates``).

Reads the 43,200 minutes of a month written two ways (ISO ``2026-11-05 09:30`` and slashed
``11/5/2026 9:30 AM``) through ``ValueReader._datetime``, each text once per pass; prints the median and
the minimum of 7 passes in microseconds per value. CPU time (``time.process_time``), so that other
processes on the machine weigh less than on a wall clock.
"""

from __future__ import annotations

import statistics
import time
from zoneinfo import ZoneInfo

from bulk_tasks.check.values import ValueReader

PASSES = 7
MINUTES = 30 * 1440


def texts() -> dict[str, list[str]]:
    """The month's minutes, in each of the two forms."""
    def clock(m: int) -> tuple[int, int]:
        return m // 60 % 24, m % 60
    return {
        "iso": [f"2026-11-{1 + m // 1440:02d} {clock(m)[0]:02d}:{clock(m)[1]:02d}" for m in range(MINUTES)],
        "slashed": [f"11/{1 + m // 1440}/2026 {clock(m)[0] % 12 or 12}:{clock(m)[1]:02d} "
                    f"{'AM' if clock(m)[0] < 12 else 'PM'}" for m in range(MINUTES)],
    }


def main() -> None:
    for name, values in texts().items():
        times = []
        for _ in range(PASSES):
            reader = ValueReader(ZoneInfo("America/New_York"))
            start = time.process_time()
            for text in values:
                reader._datetime(text)
            times.append((time.process_time() - start) / len(values) * 1e6)
        print(f"{name:8} median {statistics.median(times):.2f} µs/value, min {min(times):.2f}")


if __name__ == "__main__":
    main()
