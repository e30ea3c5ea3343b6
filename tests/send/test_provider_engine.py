"""The engine's behaviour, for every registered provider: a new provider gets all of it, or fails loudly.

Retries (503, 429), uncertain replies, fatal stops, secret redaction, templates and the sandbox's
contract, each run over the provider registry against its sandbox emulation over loopback.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import openpyxl
import pytest

from bulk_tasks import ReadOptions, prepare
from bulk_tasks.send.auth import Auth
from bulk_tasks.providers import PROVIDERS, Kind, Provider, get_provider
from bulk_tasks.sandbox import RunningSandbox, SandboxConfig, emulations, start_sandbox
from bulk_tasks.send.options import EngineSettings
from bulk_tasks.send.engine import send_all
from bulk_tasks.send.jobs import Job, SendResult
from bulk_tasks.statuses import RowStatus
from bulk_tasks.report.templates import write_template
from helpers import write_csv
from test_providers import example_row

ALL = sorted(PROVIDERS)
FAST = {"rate": None, "concurrency": 8, "max_attempts": 6, "timeout": 5.0}


@pytest.fixture(params=ALL)
def provider(request) -> Provider:
    return get_provider(request.param)


@pytest.fixture
async def sb() -> AsyncIterator[RunningSandbox]:
    async with start_sandbox(SandboxConfig(seed=11).without_rate_limits()) as running:
        yield running


def numbered_field(provider: Provider) -> str:
    """The first top-level text field: each job's number is written into it."""
    return next(f.name for f in provider.fields if f.kind is Kind.TEXT and len(f.path) == 1)


def jobs_for(provider: Provider, count: int, tmp_path) -> list[Job]:
    """``count`` valid payloads built from the provider's field examples, numbered by row."""
    row = example_row(provider)
    path = write_csv(tmp_path / "example.csv", list(row), [list(row.values())])
    prepared = prepare(path, provider, ReadOptions())
    assert prepared.errors == []
    base, numbered = prepared.payloads[2], numbered_field(provider)
    return [Job(row=n, payload={**base, numbered: f"Task {n}"}) for n in range(2, count + 2)]


def row_of(provider: Provider, payload: dict[str, Any]) -> int:
    return int(payload[numbered_field(provider)].rsplit(" ", 1)[1])


def auth_for(provider: Provider, sb: RunningSandbox) -> Auth:
    return provider.make_auth(sb.environment(), sb.url)


async def send(provider: Provider, sb: RunningSandbox, jobs: list[Job], auth: Auth | None = None,
               **overrides: Any) -> SendResult:
    return await send_all(jobs, provider, auth or auth_for(provider, sb),
                          EngineSettings(base_url=sb.url, **{**FAST, **overrides}))


def held(provider: Provider, sb: RunningSandbox) -> Counter[int]:
    return Counter(row_of(provider, task.payload) for task in sb.state.tasks_of(provider.name))


def test_every_provider_has_a_sandbox_emulation() -> None:
    assert set(emulations()) == set(PROVIDERS)


async def test_every_job_is_created_exactly_once_in_order(tmp_path, sb, provider) -> None:
    jobs = jobs_for(provider, 60, tmp_path)
    report = await send(provider, sb, jobs)
    assert [o.row for o in list(report.outcomes.values())] == [j.row for j in jobs]
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    assert all(o.task_id and o.attempts == 1 for o in list(report.outcomes.values()))
    assert held(provider, sb) == Counter(j.row for j in jobs)
    ids = {task.task_id for task in sb.state.tasks_of(provider.name)}
    assert {o.task_id for o in list(report.outcomes.values())} == ids


async def test_503s_and_429s_are_retried_until_created_once(tmp_path, sb, provider) -> None:
    sb.config.fault_503_rate = 0.25
    sb.config.fault_429_rate = 0.15
    jobs = jobs_for(provider, 60, tmp_path)
    report = await send(provider, sb, jobs, rate=400, max_attempts=12)
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    assert max(o.attempts for o in list(report.outcomes.values())) > 1
    assert held(provider, sb) == Counter(j.row for j in jobs)
    by_status = sb.state.stats.providers[provider.name].by_status
    assert by_status["503"] > 0 and by_status["429"] > 0


@pytest.mark.parametrize("fault", ["fault_500_after_create_rate", "drop_after_create_rate"])
async def test_an_ambiguous_reply_is_uncertain_and_never_sent_again(tmp_path, sb, provider, fault) -> None:
    setattr(sb.config, fault, 1.0)
    jobs = jobs_for(provider, 6, tmp_path)
    report = await send(provider, sb, jobs)
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.UNCERTAIN}
    assert all(o.attempts == 1 and "may have been created" in (o.error or "") for o in list(report.outcomes.values()))
    assert held(provider, sb) == Counter(j.row for j in jobs)


async def test_a_refused_row_fails_alone_and_the_others_are_created(tmp_path, sb, provider) -> None:
    jobs = jobs_for(provider, 4, tmp_path)
    jobs[1] = Job(row=jobs[1].row, payload={})
    report = await send(provider, sb, jobs)
    statuses = [o.status for o in list(report.outcomes.values())]
    assert statuses == [RowStatus.CREATED, RowStatus.FAILED, RowStatus.CREATED, RowStatus.CREATED]
    failed = list(report.outcomes.values())[1]
    assert failed.attempts == 1 and failed.http_status and 400 <= failed.http_status < 500 and failed.error
    assert report.stopped_reason is None


async def test_wrong_credentials_stop_the_run_and_no_secret_is_shown(tmp_path, sb, provider) -> None:
    wrong = {name: f"wrong-{name.lower()}-value-7311" for name in sb.environment()}
    auth = provider.make_auth(wrong, sb.url)
    jobs = jobs_for(provider, 10, tmp_path)
    report = await send(provider, sb, jobs, auth=auth, concurrency=2)
    assert report.stopped_reason and "environment" in report.stopped_reason
    assert not sb.state.tasks_of(provider.name)
    assert Counter(o.status for o in list(report.outcomes.values()))[RowStatus.NOT_SENT] >= 8
    shown = repr(report)
    assert not [value for value in wrong.values() if value in shown]
    assert set(auth.secrets) & set(wrong.values())


async def test_a_secret_echoed_in_an_error_is_redacted(tmp_path, sb, provider) -> None:
    auth = auth_for(provider, sb)
    secret = next(iter(auth.secrets))
    jobs = [Job(row=2, payload={numbered_field(provider): secret})]
    sb.config.fault_503_rate = 1.0
    report = await send(provider, sb, jobs, auth=auth, max_attempts=1)
    outcome = list(report.outcomes.values())[0]
    assert outcome.status is RowStatus.FAILED and secret not in repr(report)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_filled_template_reads_back_without_errors(tmp_path, provider, fmt) -> None:
    path = write_template(provider, tmp_path / f"template.{fmt}", fmt)
    row = example_row(provider)
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        write_csv(path, header, [[row.get(name, "") for name in header]])
    else:
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        sheet.append([row.get(name, "") for name in header])
        book.save(path)
    prepared = prepare(path, provider, ReadOptions())
    assert prepared.errors == [] and len(prepared.payloads) == 1


async def test_the_sandbox_speaks_json_and_refuses_an_unknown_key(tmp_path, sb, provider) -> None:
    url = provider.task_url(sb.url)
    payload = jobs_for(provider, 1, tmp_path)[0].payload
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=payload) as response:
            assert response.status == 401 and provider.error_text(401, await response.json())
        async with session.request("OPTIONS", url) as response:  # no provider serves OPTIONS
            assert response.status == 405 and isinstance(await response.json(), dict)
        async with session.get(f"{sb.url}/_sandbox/tasks", params={"provider": provider.name}) as response:
            listing = json.loads(await response.text())
    assert listing["count"] == 0
    assert sb.state.stats.providers[provider.name].by_status["401"] == 1
