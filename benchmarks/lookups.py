"""Look-ups before sending (issue 19): requests made and seconds added to ``validate``, against the sandbox.

    python -m benchmarks.lookups [--rows 10000] [--runs 3]

Two sheets of ``--rows`` rows: Travtus with 500 distinct units (50 in each of 10 groups, whose
workspace holds 200 units each) and 50 distinct assignees (5 per group, 100 people each); Quo with
phone numbers written three ways over 20 numbers and 200 e-mails, half of them people on no number
(so that pages of users are read). The sandbox (in a thread of this process, its documented rate
limits on) holds the matching workspace; the client paces itself at the provider's default rate
(Quo 10/s, Travtus 100/s). Reported: the look-up requests, the seconds the look-ups take (the time
``validate`` spends in them), and the whole ``validate`` with and without (``--offline``) them.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
import tempfile
import time
from pathlib import Path

from bulk_tasks import ReadOptions, SendOptions, validate_file
from bulk_tasks.providers.quo.workspace import QuoNumber, QuoUser, QuoWorkspace
from bulk_tasks.providers.travtus.workspace import Community, TravtusWorkspace, person, unit
from bulk_tasks.resolve.run import look_up
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from bulk_tasks.send.endpoint import sandbox_endpoint
from bulk_tasks.shape.prepare import check_input

GROUPS, UNITS_PER_GROUP, UNITS_USED, PEOPLE_PER_GROUP, PEOPLE_USED = 10, 200, 50, 100, 5
NUMBERS, EMAILS = 20, 200


def travtus_workspace() -> TravtusWorkspace:
    return TravtusWorkspace([
        Community(f"G-{g}", f"PROP-{g:02d}", f"Property {g}",
                  units=[unit(f"PROP-{g:02d}", f"U{g:02d}-{n:03d}") for n in range(UNITS_PER_GROUP)],
                  persons=[person(f"PROP-{g:02d}", f"EMP-{g:02d}-{n:03d}", "Tech", f"{n}")
                           for n in range(PEOPLE_PER_GROUP)])
        for g in range(GROUPS)])


def travtus_sheet(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Group External Ref", "Unit", "Task Ref", "Title", "assignee.external_ref"])
        for i in range(rows):
            g = i % GROUPS
            used = (i // GROUPS) % UNITS_USED
            writer.writerow([f"PROP-{g:02d}", f"U{g:02d}-{used * 3:03d}", f"T-{i:06d}", f"Task {i}",
                             f"EMP-{g:02d}-{(i // GROUPS) % PEOPLE_USED * 7:03d}"])
    return path


def quo_workspace() -> QuoWorkspace:
    users = [QuoUser(f"USu{n:04d}", f"user{n}@example.com", "User", str(n)) for n in range(300)]
    numbers = [QuoNumber(f"PNn{n:03d}", f"+1415555{n:04d}", f"(415) 555-{n:04d}", f"Line {n}",
                         tuple(users[k].id for k in range(n * 5, n * 5 + 5))) for n in range(NUMBERS)]
    return QuoWorkspace(numbers, users)


def quo_sheet(path: Path, rows: int) -> Path:
    forms = ("(415) 555-{:04d}", "+1 415 555 {:04d}", "415.555.{:04d}")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Description", "Phone Number", "Assigned To"])
        for i in range(rows):
            n = i % NUMBERS
            email = i % EMAILS  # 0-99 are people on some number, 100-199 on none
            writer.writerow([f"Call {i}", "d", forms[(i // NUMBERS) % 3].format(n), f"USER{email}@example.com"])
    return path


def measure(provider: str, sheet: Path, config: SandboxConfig, runs: int) -> dict[str, object]:
    with sandbox_in_thread(config) as sandbox:
        env, url = sandbox.environment(), sandbox.url
        checked = check_input(sheet, provider, ReadOptions(timezone="UTC"))
        lookups, requests = [], 0
        for _ in range(runs):
            time.sleep(1.1)  # a fresh one-second window of the sandbox's limit for each run (Quo: 10/s)
            started = time.perf_counter()
            endpoint = sandbox_endpoint(checked.provider, url, env)
            references, requests = asyncio.run(look_up(checked, endpoint))
            lookups.append(time.perf_counter() - started)
            assert references.resolution is not None and not references.resolution.missing, \
                list(references.resolution.missing.items())[:3]
        wants = len({(w.field, w.value, w.scope) for w in references.resolution.found})
        online, offline = [], []
        for _ in range(runs):
            for timings, is_offline in ((online, False), (offline, True)):
                time.sleep(1.1)
                started = time.perf_counter()
                validate_file(sheet, provider, ReadOptions(timezone="UTC"), results=sheet.with_suffix(".out.csv"),
                              send=SendOptions(base_url=url, env=env), offline=is_offline)
                timings.append(time.perf_counter() - started)
        by_path = {path: count // (2 * runs) for path, count in sandbox.state.stats.providers[provider].lookup_requests.items()}
    return {"provider": provider, "distinct": wants, "requests": requests, "by_path": by_path,
            "lookup_s": statistics.median(lookups), "validate_s": statistics.median(online),
            "offline_s": statistics.median(offline)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        figures = [
            measure("travtus", travtus_sheet(work / "travtus.csv", args.rows),
                    SandboxConfig(travtus_workspace=travtus_workspace()), args.runs),
            measure("quo", quo_sheet(work / "quo.csv", args.rows), SandboxConfig(quo_workspace=quo_workspace()),
                    args.runs),
        ]
    print(f"{'provider':9s}{'rows':>7s}{'distinct':>9s}{'requests':>9s}{'look-ups s':>11s}"
          f"{'validate s':>11s}{'offline s':>10s}  requests by path")
    for f in figures:
        print(f"{f['provider']:9s}{args.rows:7d}{f['distinct']:9d}{f['requests']:9d}{f['lookup_s']:11.2f}"
              f"{f['validate_s']:11.2f}{f['offline_s']:10.2f}  {f['by_path']}")


if __name__ == "__main__":
    main()
