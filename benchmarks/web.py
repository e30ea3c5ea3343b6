"""B6: the page of ``bulk-tasks serve``, from upload to the validation grid, at 10,000 and 100,000 rows.

    .venv/bin/python -m benchmarks.web [--sizes 10000,100000] [--runs 3] [--workdir DIR]

The server runs in its own process (``bulk-tasks serve --port 0``), as a user starts it; this
process is the browser: it logs in with the printed token, uploads the sheet (the request the page
sends on a drop), then asks for the first page of the grid, as the page does. Measured: upload
request sent → first grid page received (the moment the page can draw highlighted cells), and the
time to jump to a page in the middle (the grid stays responsive at any size). Medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from . import data

MISTAKE_EVERY = 50


def sheet_with_mistakes(path: Path, rows: int) -> Path:
    """A Travtus CSV of ``rows`` rows, one in ``MISTAKE_EVERY`` with an impossible date (highlighted cells).

    Its properties and units are the sandbox's demo workspace's, so that the page (which checks
    references against the sandbox when Sandbox is ticked) finds them: the bad dates are the only mistakes.
    """
    if path.exists():
        return path
    import csv

    from bulk_tasks.providers.travtus.workspace import DEMO_PROPERTIES

    places = [(group, unit) for group, (_, units) in DEMO_PROPERTIES.items() for unit in units]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(data.header("travtus"))
        for i, row in enumerate(data.rows("travtus", rows)):
            row[0], row[1] = places[i % len(places)]
            if i % MISTAKE_EVERY == 0:
                row[5] = "31/31/2026"
            writer.writerow(row)
    return path


async def measure(url: str, sheet: Path) -> dict[str, float]:
    base = url.split("/?")[0]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(url) as response:
            page = await response.text()
        csrf = re.search(r'name="csrf" content="([^"]+)"', page).group(1)
        body = sheet.read_bytes()
        started = time.perf_counter()
        async with session.post(f"{base}/api/imports?provider=travtus&timezone=UTC", data=body,
                                headers={"X-Bulk-Tasks-CSRF": csrf, "X-File-Name": sheet.name}) as response:
            view = await response.json()
            assert response.status == 200, view
        import_id = view["import"]["id"]
        async with session.get(f"{base}/api/imports/{import_id}/rows?offset=0&limit=100&only=problems") as response:
            first = await response.json()
        grid = time.perf_counter() - started
        assert first["rows"] and first["rows"][0]["marks"], "no highlighted cell in the first page"
        started = time.perf_counter()
        async with session.get(f"{base}/api/imports/{import_id}/rows?offset={view['validation']['total'] // 2}"
                               "&limit=100") as response:
            assert len((await response.json())["rows"]) == 100
        flip = time.perf_counter() - started
    return {"upload_to_grid_s": grid, "page_jump_s": flip}


def serve(workdir: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-m", "bulk_tasks", "serve", "--port", "0", "--workdir", str(workdir)],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    found = re.search(r"ready at (\S+)", process.stdout.readline())
    assert found, "bulk-tasks serve did not print its address"
    return process, found.group(1)


def run(sizes: list[int], runs: int, workdir: Path) -> list[dict[str, Any]]:
    table = []
    for rows in sizes:
        sheet = sheet_with_mistakes(workdir / f"web-{rows}.csv", rows)
        samples = []
        for _ in range(runs):
            process, url = serve(workdir / f"work-{rows}")
            try:
                samples.append(asyncio.run(measure(url, sheet)))
            finally:
                process.terminate()
                process.wait()
        table.append({"rows": rows, "runs": runs, "size_mb": round(sheet.stat().st_size / 1e6, 1),
                      **{key: round(statistics.median(s[key] for s in samples), 3) for key in samples[0]},
                      "samples": samples})
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(args.workdir or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        table = run([int(n) for n in args.sizes.split(",")], args.runs, workdir)
    print(json.dumps([{k: v for k, v in row.items() if k != "samples"} for row in table], indent=1))
    for row in table:
        spread = sorted(s["upload_to_grid_s"] for s in row["samples"])
        print(f"{row['rows']:>7} rows ({row['size_mb']} MB): upload -> grid {row['upload_to_grid_s']:.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in spread)}), jump to the middle {row['page_jump_s']:.3f} s "
              f"(median of {row['runs']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
