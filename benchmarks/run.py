"""Run every benchmark (start-up, B1-B5) against the sandbox on loopback and print a table.

    .venv/bin/python -m benchmarks.run [--quick] [--only S,B1,B3] [--runs N] [--workdir DIR] [--uvloop]

Layout: the sandbox is served by its own process (``python -m bulk_tasks.sandbox``), the tool and
the hand-written baseline each run in a child process of their own, so client and server get one
core each on a 2-core machine. Every request goes to 127.0.0.1; every run is bounded in rows and
time. Big inputs are generated into a temporary directory (``--workdir`` keeps them for reuse).
See BENCHMARKS.md for the figures and what they mean.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import child, data

PYTHON = sys.executable
CHILD_TIMEOUT = 600.0
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Process:
    """One child process: its own JSON report, and what ``wait4`` says about it."""

    report: dict[str, Any]
    wall: float
    cpu: float
    peak_mb: float
    code: int
    output: str
    system: float = 0.0


#: Measured processes run as a user's install: without the test extra's hypothesis (see its stub there).
USER_INSTALL = {"PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent / "user_install"),
                                                            os.environ.get("PYTHONPATH")]))}
#: Unset for measured processes: a user's Python caches bytecode (some machines set it, and then every
#: start compiles every module again).
NOT_A_USERS = ("PYTHONDONTWRITEBYTECODE",)


def _users_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in NOT_A_USERS}


def wait_child(child: subprocess.Popen, deadline: float) -> tuple[int, Any]:
    """Wait for ``child`` (killed once ``time.perf_counter()`` passes ``deadline``): its wait status and
    resource usage, that process alone."""
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            return status, usage
        if time.perf_counter() > deadline:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            return status, usage
        time.sleep(0.01)


def run_child(command: list[str], env: dict[str, str] | None = None, timeout: float = CHILD_TIMEOUT) -> Process:
    """Run ``command`` as a user's install would (``USER_INSTALL``); wall time, user+system CPU and peak
    RSS of that process alone."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                 env={**_users_environment(), **USER_INSTALL, **(env or {})})
        status, usage = wait_child(child, started + timeout)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    report: dict[str, Any] = {}
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            report = json.loads(line)
            break
    return Process(report, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode, output,
                   usage.ru_stime)


# --- the sandbox, in its own process -------------------------------------------------------------

@dataclass
class Sandbox:
    url: str

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        request = urllib.request.Request(self.url + "/_sandbox/tasks", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()

    def tasks(self) -> list[dict[str, Any]]:
        listed = self.get("/_sandbox/tasks")
        return listed["tasks"] if isinstance(listed, dict) else listed

    def stats(self) -> dict[str, Any]:
        return self.get("/_sandbox/stats")


@contextmanager
def sandbox(*options: str) -> Iterator[Sandbox]:
    """``python -m bulk_tasks.sandbox --port 0 OPTIONS`` on 127.0.0.1, until the block ends."""
    server = subprocess.Popen([PYTHON, "-m", "bulk_tasks.sandbox", "--host", "127.0.0.1", "--port", "0", *options],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 60
        for line in server.stdout:
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start")
        else:
            raise RuntimeError("the sandbox exited before listening")
        yield Sandbox(found.group(1))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- inputs ------------------------------------------------------------------------------------

def quo_inputs(workdir: Path, rows: int) -> tuple[Path, Path]:
    """A Quo CSV of ``rows`` rows, and the same rows' request bodies as the tool encodes them."""
    sheet = data.write_csv(workdir / f"quo-{rows}.csv", "quo", rows)
    bodies = workdir / f"quo-{rows}.payloads.jsonl"
    if not bodies.exists():
        from bulk_tasks.shape.prepare import prepare
        from bulk_tasks.send.jobs import encode_payload

        prepared = prepare(sheet, "quo")
        assert not prepared.errors, prepared.errors[:3]
        bodies.write_bytes(b"".join(encode_payload(p) + b"\n" for p in prepared.payloads.values()))
    return sheet, bodies


def fresh(workdir: Path, name: str) -> Path:
    """A results path with no results file or journal beside it (a first run, not a resume)."""
    path = workdir / name
    for stale in (path, path.with_name(f"{path.stem}.journal.jsonl")):
        stale.unlink(missing_ok=True)
    return path


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- benchmarks --------------------------------------------------------------------------------

def b1_b4(workdir: Path, rows: int, runs: int, concurrency: int, uvloop: bool = False) -> dict[str, Any]:
    """B1 (tool vs a hand-written client, no rate limit) and B4 (CPU time per row), interleaved.

    Each tool run is a whole ``bulk-tasks run`` process, as a user starts it (``--rate 0``, ``--yes``,
    the results CSV written); each baseline run a whole process too. With ``uvloop`` both run on
    uvloop's event loop (``benchmarks.with_uvloop``).
    """
    sheet, bodies = quo_inputs(workdir, rows)
    prefix = [PYTHON, "-m", "benchmarks.with_uvloop"] if uvloop else [PYTHON, "-m"]
    tool_runs: list[Process] = []
    base_runs: list[Process] = []
    with sandbox("--no-rate-limits") as sb:
        for _ in range(runs):
            for kind in ("tool", "baseline"):
                sb.reset()
                if kind == "tool":
                    results = fresh(workdir, "b1.results.csv")
                    fresh(workdir, "b1.results.csv.written")
                    proc = run_child([*prefix, "bulk_tasks", "run", str(sheet), "-p", "quo", "--base-url", sb.url,
                                      "--rate", "1000000", "--concurrency", str(concurrency), "--quiet", "--yes",
                                      "--results", str(results)], env={"QUO_API_KEY": child.QUO_KEY})
                    ok = proc.code == 0
                    tool_runs.append(proc)
                else:
                    proc = run_child([*prefix, "benchmarks.child", "baseline", sb.url, str(bodies),
                                      "--concurrency", str(concurrency)])
                    ok = proc.report.get("created") == rows
                    base_runs.append(proc)
                created = len(sb.tasks())
                if not ok or created != rows:
                    raise RuntimeError(f"B1 {kind} run did not create {rows} tasks ({created}):\n{proc.output[-2000:]}")
    tool_rate = median([rows / p.wall for p in tool_runs])
    base_rate = median([rows / p.wall for p in base_runs])
    return {
        "rows": rows, "runs": runs, "concurrency": concurrency, "uvloop": uvloop,
        "tool_rows_per_s": tool_rate, "baseline_rows_per_s": base_rate, "ratio": tool_rate / base_rate,
        "ratio_run_median": median([b.wall / t.wall for t, b in zip(tool_runs, base_runs)]),
        "tool_walls": [p.wall for p in tool_runs], "baseline_walls": [p.wall for p in base_runs],
        "tool_cpu_us_per_row": median([p.cpu / rows * 1e6 for p in tool_runs]),
        "baseline_cpu_us_per_row": median([p.cpu / rows * 1e6 for p in base_runs]),
        "tool_peak_mb": median([p.peak_mb for p in tool_runs]),
    }


def b2(workdir: Path, rows: int, runs: int) -> dict[str, Any]:
    """B2 rate fidelity: Quo's 10/s in one-second windows; then 50/s with 300 ms per request."""
    sheet, _ = quo_inputs(workdir, rows)
    out: dict[str, Any] = {"rows": rows, "runs": runs}
    cases = (("quo_10", ("--quo-rate", "10"), None), ("quo_50_latency", ("--quo-rate", "50", "--latency", "0.3"), 50.0))
    for name, options, rate in cases:
        achieved, overall, refusals, peaks = [], [], [], []
        with sandbox(*options) as sb:
            for _ in range(runs):
                sb.reset()
                results = fresh(workdir, "b2.results.csv")
                command = [PYTHON, "-m", "benchmarks.child", "tool", sb.url, str(sheet), str(results)]
                if rate is not None:
                    command += ["--rate", str(rate)]
                proc = run_child(command)
                tasks = sb.tasks()
                stats = sb.stats()["providers"]["quo"]
                if len(tasks) != rows:
                    raise RuntimeError(f"B2 {name}: {len(tasks)} of {rows} created:\n{proc.output[-2000:]}")
                stamps = sorted(task["created_at"] for task in tasks)
                achieved.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
                overall.append(rows / proc.report["elapsed"])
                refusals.append(stats["by_status"].get("429", 0))
                peaks.append(max(stats["max_task_requests_per_second"].values()))
        out[name] = {"achieved_per_s": median(achieved), "run_rows_per_s": median(overall),
                     "429s": max(refusals), "max_in_one_second": max(peaks), "all_achieved": achieved}
    return out


PANDAS_BASELINE = ("import sys, pandas as pd; "
                   "pd.read_csv(sys.argv[1], dtype=str).to_csv(sys.argv[2], index=False)")


def warm_memory(gib: float) -> None:
    """Touch ``gib`` GiB of memory in a throw-away process, so that the next process gets pages the
    host has already backed (see BENCHMARKS.md, "B3: the machine's cost of fresh memory")."""
    if gib > 0:
        subprocess.run([PYTHON, "-c", f"import numpy; numpy.ones({int(gib * 2 ** 30)}, numpy.uint8)"], check=True)


def b3(workdir: Path, sizes: list[int], xlsx_rows: int, runs: int, warm_gib: float = 0.0) -> dict[str, Any]:
    """B3 scale: ``validate`` and ``run --dry-run`` of both Travtus shapes as whole commands, each beside
    pandas reading the same file as text and writing it back (``read_csv(dtype=str)`` + ``to_csv``),
    interleaved run by run; then one XLSX, validated with CSV and with XLSX results. With ``warm_gib``,
    ``warm_memory`` runs before every measured process (the tool's and pandas' alike)."""
    table: list[dict[str, Any]] = []
    for shape in ("travtus", "travtus-varied"):
        for rows in sizes:
            path = data.write_csv(workdir / f"{shape}-{rows}.csv", shape, rows)
            measured: dict[str, list[Process]] = {"pandas": [], "validate": [], "dry-run": []}
            for _ in range(runs):
                for command in measured:
                    results = fresh(workdir, "b3.results.csv")
                    if command == "pandas":
                        argv = [PYTHON, "-c", PANDAS_BASELINE, str(path), str(results)]
                    else:
                        verb = ["validate", str(path)] if command == "validate" else ["run", str(path), "--dry-run"]
                        argv = [PYTHON, "-m", "bulk_tasks", *verb, "--provider", "travtus", "--results", str(results)]
                    warm_memory(warm_gib)
                    proc = run_child(argv)
                    if proc.code != 0 or not results.exists():
                        raise RuntimeError(f"B3 {command} {path.name} failed ({proc.code}):\n{proc.output[-2000:]}")
                    measured[command].append(proc)
                    results.unlink()
            pandas_wall = median([p.wall for p in measured["pandas"]])
            for command in ("validate", "dry-run", "pandas"):
                procs = measured[command]
                wall = median([p.wall for p in procs])
                pairs = [p.wall / q.wall for p, q in zip(procs, measured["pandas"])]
                table.append({"input": path.name, "rows": rows, "command": command, "wall_s": wall,
                              "walls": [p.wall for p in procs], "peak_mb": max(p.peak_mb for p in procs),
                              "user_s": median([p.cpu - p.system for p in procs]),
                              "system_s": median([p.system for p in procs]),
                              "user_vs_pandas_run_median": median([(p.cpu - p.system) / (q.cpu - q.system)
                                                                   for p, q in zip(procs, measured["pandas"])]),
                              "vs_pandas": wall / pandas_wall, "vs_pandas_by_run": pairs,
                              "vs_pandas_run_median": median(pairs)})
    if xlsx_rows:
        path = data.write_xlsx(workdir / f"travtus-{xlsx_rows}.xlsx", "travtus", xlsx_rows)
        for command, suffix in (("validate, CSV results", "csv"), ("validate, XLSX results", "xlsx")):
            procs = []
            for _ in range(runs):
                results = fresh(workdir, f"b3.results.{suffix}")
                warm_memory(warm_gib)
                proc = run_child([PYTHON, "-m", "bulk_tasks", "validate", str(path), "--provider", "travtus",
                                  "--results", str(results)])
                if proc.code != 0 or not results.exists():
                    raise RuntimeError(f"B3 {command} {path.name} failed ({proc.code}):\n{proc.output[-2000:]}")
                procs.append(proc)
                results.unlink()
            table.append({"input": path.name, "rows": xlsx_rows, "command": command,
                          "wall_s": median([p.wall for p in procs]), "walls": [p.wall for p in procs],
                          "peak_mb": max(p.peak_mb for p in procs), "vs_pandas": float("nan")})
    return {"runs": runs, "table": table}


def startup(workdir: Path, runs: int) -> dict[str, Any]:
    """Start-up: ``--help``, ``--version`` and ``validate`` of a 10-row file, whole processes."""
    sheet = data.write_csv(workdir / "travtus-varied-10.csv", "travtus-varied", 10)
    commands = {"--help": ["--help"], "--version": ["--version"],
                "validate 10 rows": ["validate", str(sheet), "-p", "travtus", "--results", str(workdir / "s.csv")]}
    out = {}
    for name, argv in commands.items():
        walls = [run_child([PYTHON, "-m", "bulk_tasks", *argv]).wall for _ in range(max(runs, 5))]
        out[name] = {"wall_s": median(walls), "walls": walls}
    return out


def b5(workdir: Path, rows: int, runs: int, concurrency: int) -> dict[str, Any]:
    """B5 the journal's cost: the engine with the real journal written from its callbacks vs none,
    with intents fsync-ed before their requests (the default) and without."""
    _, bodies = quo_inputs(workdir, rows)
    rates: dict[str, list[float]] = {"sync": [], "nosync": [], "none": []}
    with sandbox("--no-rate-limits") as sb:
        for _ in range(runs):
            for variant in rates:
                sb.reset()
                target = ("-" if variant == "none" else
                          str(fresh(workdir, "b5.results.csv").with_name("b5.results.journal.jsonl")))
                proc = run_child([PYTHON, "-m", "benchmarks.child", "engine", sb.url, str(bodies), target,
                                  "--concurrency", str(concurrency), "--sync" if variant == "sync" else "--no-sync"])
                if proc.report.get("created") != rows:
                    raise RuntimeError(f"B5 run failed:\n{proc.output[-2000:]}")
                rates[variant].append(rows / proc.report["elapsed"])
    return {"rows": rows, "runs": runs, "with_journal_rows_per_s": median(rates["sync"]),
            "unsynced_rows_per_s": median(rates["nosync"]), "without_rows_per_s": median(rates["none"]),
            "ratio": median(rates["sync"]) / median(rates["none"]),
            "unsynced_ratio": median(rates["nosync"]) / median(rates["none"]),
            "with_all": rates["sync"], "unsynced_all": rates["nosync"], "without_all": rates["none"]}


# --- report ------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_report(results: dict[str, Any]) -> None:
    if "S" in results:
        print("\nStart-up (whole process), median of 5")
        for name, r in results["S"].items():
            target = 0.8 if name.startswith("validate") else 0.3
            print(f"  {name:20s}{r['wall_s']:7.2f} s (target <= {target} s: {verdict(r['wall_s'] <= target)})")
    for key in ("B1", "B1-uvloop"):
        if key not in results:
            continue
        b = results[key]
        print(f"\n{key} whole process: {b['rows']} Quo rows, no rate limit, concurrency {b['concurrency']}, "
              f"median of {b['runs']} interleaved runs{', both on uvloop' if b['uvloop'] else ''}")
        print(f"  {'':28s}{'rows/s':>10s}{'CPU us/row':>12s}  walls s")
        print(f"  {'bulk-tasks run':28s}{b['tool_rows_per_s']:10.0f}{b['tool_cpu_us_per_row']:12.0f}  "
              + " ".join(f"{w:.2f}" for w in b["tool_walls"]))
        print(f"  {'hand-written aiohttp client':28s}{b['baseline_rows_per_s']:10.0f}{b['baseline_cpu_us_per_row']:12.0f}  "
              + " ".join(f"{w:.2f}" for w in b["baseline_walls"]))
        print(f"  ratio {b['ratio']:.3f}, median of the runs' own ratios {b['ratio_run_median']:.3f} "
              f"(target >= 1.0: {verdict(b['ratio'] >= 1.0)})")
    if "B2" in results:
        b = results["B2"]
        for name, target, label in (("quo_10", 10.0, "10/s, one-second windows"),
                                    ("quo_50_latency", 50.0, "50/s, 300 ms per request")):
            c = b[name]
            floor = 0.97 if name == "quo_10" else 0.95
            ok = c["achieved_per_s"] >= floor * target and (name != "quo_10" or c["429s"] <= 1)
            print(f"\nB2 rate fidelity ({label}), {b['rows']} rows, median of {b['runs']}: achieved "
                  f"{c['achieved_per_s']:.2f}/s (whole run {c['run_rows_per_s']:.2f}/s), 429s {c['429s']}, "
                  f"most in one second {c['max_in_one_second']} (target >= {floor * target:.2f}/s"
                  f"{', <= one 429' if name == 'quo_10' else ''}: {verdict(ok)})")
    if "B3" in results:
        b = results["B3"]
        warm = f", {b['warm_gib']:g} GiB touched before each process" if b.get("warm_gib") else ""
        print(f"\nB3 scale (whole command: start-up, read, validate, payloads, results file), "
              f"median of {b['runs']}{warm}")
        print(f"  {'input':30s}{'command':>24s}{'rows':>10s}{'wall s':>9s}{'x pandas':>10s}{'per run':>9s}"
              f"{'user s':>8s}{'sys s':>7s}{'user x':>8s}{'peak MiB':>10s}")
        nan = float("nan")
        for r in b["table"]:
            print(f"  {r['input']:30s}{r['command']:>24s}{r['rows']:10d}{r['wall_s']:9.1f}{r['vs_pandas']:10.2f}"
                  f"{r.get('vs_pandas_run_median', nan):9.2f}{r.get('user_s', nan):8.1f}{r.get('system_s', nan):7.1f}"
                  f"{r.get('user_vs_pandas_run_median', nan):8.2f}{r['peak_mb']:10.0f}")
    if "B4" in results:
        b = results["B4"]
        print(f"\nB4 cost per row: {b['tool_cpu_us_per_row']:.0f} us CPU per sent row, whole bulk-tasks process "
              f"(start-up included); the hand-written client's whole process: {b['baseline_cpu_us_per_row']:.0f} us")
    if "B5" in results:
        b = results["B5"]
        print(f"\nB5 journal cost: engine with journal {b['with_journal_rows_per_s']:.0f} rows/s (intents fsync-ed; "
              f"{b['unsynced_rows_per_s']:.0f} without fsync), without a journal {b['without_rows_per_s']:.0f} rows/s, "
              f"ratio {b['ratio']:.3f} (no fsync: {b['unsynced_ratio']:.3f}; {b['rows']} rows, median of {b['runs']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (a smoke test)")
    parser.add_argument("--only", default="S,B1,B2,B3,B4,B5", help="comma-separated subset (S: start-up)")
    parser.add_argument("--uvloop", action="store_true", help="B1 once more with both sides on uvloop (installed)")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (default 3, quick 1)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep generated inputs here")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight in B1, B4, B5 (8: the default)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this file")
    parser.add_argument("--warm-gib", type=float, default=0.0,
                        help="B3: touch this many GiB in a throw-away process before each measured one")
    parser.add_argument("--sizes", default=None, help="B3 row counts, comma-separated (default 10000,100000,1000000)")
    args = parser.parse_args(argv)
    only = {name.strip().upper() for name in args.only.split(",")}
    runs = args.runs or (1 if args.quick else 3)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bulk-tasks-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M"), "python": sys.version.split()[0],
                               "cores": os.cpu_count()}
    try:
        if "S" in only:
            results["S"] = startup(workdir, runs)
        if only & {"B1", "B4"}:
            b1 = b1_b4(workdir, 2_000 if args.quick else 20_000, runs, args.concurrency)
            results["B1"] = results["B4"] = b1
            if args.uvloop:
                results["B1-uvloop"] = b1_b4(workdir, 2_000 if args.quick else 20_000, runs, args.concurrency,
                                             uvloop=True)
        if "B2" in only:
            results["B2"] = b2(workdir, 60 if args.quick else 300, runs)
        if "B3" in only:
            sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
            if args.sizes:
                sizes = [int(size) for size in args.sizes.split(",")]
            results["B3"] = b3(workdir, sizes, 10_000 if args.quick else 100_000, runs, args.warm_gib)
            results["B3"]["warm_gib"] = args.warm_gib
        if "B5" in only:
            results["B5"] = b5(workdir, 2_000 if args.quick else 20_000, runs, args.concurrency)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_report(results)
    if args.quick:
        print("\n(--quick: small sizes, one run each; the targets apply to the full sizes only)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
