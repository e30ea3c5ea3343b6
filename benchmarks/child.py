"""What the benchmark harness runs in a child process, one measurement per process.

Each command prints one JSON line: the wall time of the measured part (imports excluded), the CPU
time (user + system) the process spent in it, and what it did. The harness adds the whole process'
wall time, CPU time and peak memory from ``os.wait4``.

    python -m benchmarks.child tool URL INPUT RESULTS [--rate R] [--concurrency N]
    python -m benchmarks.child baseline URL PAYLOADS.jsonl [--concurrency N]
    python -m benchmarks.child engine URL PAYLOADS.jsonl JOURNAL|- [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

QUO_KEY = "sandbox-quo-key"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(work: Any) -> dict[str, Any]:
    cpu, started = _cpu(), time.perf_counter()
    result = work()
    return {"elapsed": time.perf_counter() - started, "cpu": _cpu() - cpu, **result}


def tool(args: argparse.Namespace) -> dict[str, Any]:
    """``run_import`` of a Quo sheet against the sandbox at ``url``: read, validate, send, journal, results."""
    from bulk_tasks import SendOptions, run_import

    chosen = {"concurrency": args.concurrency} if args.concurrency is not None else {}
    send = SendOptions(base_url=args.url, rate=args.rate, env={"QUO_API_KEY": QUO_KEY}, **chosen)

    def work() -> dict[str, Any]:
        summary = run_import(args.input, "quo", send=send, results=args.results)
        return {"rows": summary.total, "sent": summary.sent, "counts": summary.counts}

    return _measure(work)


def _bodies(path: str) -> list[bytes]:
    return [line.rstrip(b"\n") for line in Path(path).read_bytes().splitlines() if line]


def baseline(args: argparse.Namespace) -> dict[str, Any]:
    """A minimal hand-written client: one aiohttp session, a semaphore, ``asyncio.gather``."""
    import aiohttp

    async def main() -> dict[str, Any]:
        bodies = _bodies(args.payloads)
        headers = {"Authorization": QUO_KEY, "Content-Type": "application/json"}
        url = args.url + "/v1/tasks"
        gate = asyncio.Semaphore(args.concurrency)
        created = 0

        async def post(session: aiohttp.ClientSession, body: bytes) -> None:
            nonlocal created
            async with gate, session.post(url, data=body, headers=headers) as response:
                reply = json.loads(await response.read())
                created += response.status == 201 and bool(reply["data"]["taskId"])

        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(post(session, body) for body in bodies))
        return {"rows": len(bodies), "sent": len(bodies), "created": created}

    return _measure(lambda: asyncio.run(main()))


def engine(args: argparse.Namespace) -> dict[str, Any]:
    """The engine alone (``Sender``), with the real ``Journal`` written from its callbacks, or none."""
    from bulk_tasks.send.auth import StaticAuth
    from bulk_tasks.shape.identity import row_identity
    from bulk_tasks.record.journal import Journal
    from bulk_tasks.providers import get_provider
    from bulk_tasks.send.options import EngineSettings
    from bulk_tasks.send.engine import Sender
    from bulk_tasks.send.jobs import Job
    from bulk_tasks.statuses import RowStatus

    provider = get_provider("quo")
    bodies = _bodies(args.payloads)
    jobs = [Job(row, json.loads(body), body) for row, body in enumerate(bodies, start=2)]
    identities = {job.row: row_identity(job.payload) for job in jobs}

    async def main() -> dict[str, Any]:
        auth = StaticAuth({"Authorization": QUO_KEY}, secrets=(QUO_KEY,))
        if args.journal == "-":
            sender = Sender(jobs, provider, auth,
                            EngineSettings(base_url=args.url, rate=None, concurrency=args.concurrency, max_attempts=5, timeout=30.0))
            report = await sender.run()
        else:
            with Journal.open(Path(args.journal), "quo", args.url, sync=args.sync) as journal:
                def on_intent(job: Job, attempt: int) -> Any:
                    journal.intent(identities[job.row], job.row, attempt)
                    return journal.durable()

                sender = Sender(jobs, provider, auth,
                                EngineSettings(base_url=args.url, rate=None, concurrency=args.concurrency, max_attempts=5, timeout=30.0),
                                on_intent=on_intent,
                                on_outcome=lambda outcome: journal.outcome(identities[outcome.row], outcome))
                report = await sender.run()
        created = sum(outcome.status is RowStatus.CREATED for outcome in report.outcomes.values())
        return {"rows": len(jobs), "sent": len(jobs), "created": created}

    return _measure(lambda: asyncio.run(main()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("tool")
    run.add_argument("url")
    run.add_argument("input")
    run.add_argument("results")
    run.add_argument("--rate", type=float, default=None)
    run.add_argument("--concurrency", type=int, default=None)
    for name in ("baseline", "engine"):
        command = commands.add_parser(name)
        command.add_argument("url")
        command.add_argument("payloads")
        if name == "engine":
            command.add_argument("journal")
            command.add_argument("--sync", action=argparse.BooleanOptionalAction, default=True,
                                 help="fsync intents before their requests (the tool's default)")
        command.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    result = {"tool": tool, "baseline": baseline, "engine": engine}[args.command](args)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
