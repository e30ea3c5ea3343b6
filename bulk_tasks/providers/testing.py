"""The contract every provider must pass, shipped with the package (as singer-sdk ships its tap tests).

One call runs it for a provider: ``check_provider(provider, workdir)`` runs every check of ``CHECKS``
and raises ``ContractError`` naming the first one that fails; ``run_check(name, provider, workdir)``
runs one (the test suite parametrizes it over every registered provider and every check). The checks
cover the provider's description (fields, aliases, groups, rules, examples, templates), its reading of
replies, its credentials, and the engine's behaviour against its sandbox emulation over loopback
(created once and in order, retries, uncertain replies, a refused row, wrong credentials, redaction).
``workdir`` is an empty directory the checks may write files in.
"""

from __future__ import annotations

import asyncio
import csv
import inspect
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from . import PROVIDERS, Provider, Verdict, get_provider
from .fields import Kind

#: Replies every provider reads the same way: HTTP status → verdict.
SHARED_VERDICTS = {200: Verdict.CREATED, 201: Verdict.CREATED, 429: Verdict.RETRY, 503: Verdict.RETRY,
                   401: Verdict.FATAL_AUTH, 403: Verdict.FATAL_AUTH, 500: Verdict.UNCERTAIN,
                   502: Verdict.UNCERTAIN, 504: Verdict.UNCERTAIN, 400: Verdict.REFUSED, 404: Verdict.REFUSED,
                   422: Verdict.REFUSED}
ODD_BODIES: tuple[Any, ...] = (None, {}, [], "text", {"error": "x"}, {"message": "m"}, {"error": {"message": "m"}})
FAST = {"rate": None, "concurrency": 8, "max_attempts": 6, "timeout": 5.0}


class ContractError(AssertionError):
    """A provider breaks the contract: the message names the check and what is wrong."""


def expect(condition: object, message: str) -> None:
    """Raise ``ContractError(message)`` unless ``condition`` holds (kept under ``python -O`` too)."""
    if not condition:
        raise ContractError(message)


def example_row(provider: Provider) -> dict[str, str]:
    """One valid row built from the field examples: every group of alternatives filled once."""
    skip = {name for group in provider.required_column_groups for name in group[1:]}
    row = {spec.name: spec.example for spec in provider.fields if spec.example and spec.name not in skip}
    by_name = {spec.name: spec for spec in provider.fields}
    for group in provider.required_column_groups:
        row.setdefault(group[0], by_name[group[0]].example)
    return row


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV file of ``header`` then ``rows``."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def example_payload(provider: Provider, workdir: Path) -> dict[str, Any]:
    """The payload of the example row, as a run makes it: its references (if the provider has look-ups)
    looked up in the sandbox's demo workspace."""
    from ..shape.prepare import ReadOptions, check_input, shape_checked

    row = example_row(provider)
    checked = check_input(write_rows(workdir / "example.csv", list(row), [list(row.values())]), provider,
                          ReadOptions())
    prepared = shape_checked(checked, _demo_references(checked) if provider.lookups else None)
    expect(prepared.errors == [], f"the examples of {provider.name} make an invalid row: {prepared.errors}")
    return prepared.payloads[2]


# The description ------------------------------------------------------------------------------------------

def _demo_references(checked: Any) -> Any:
    """The references of ``checked`` looked up in a sandbox of its own (in threads: callable from a loop)."""
    import threading

    from ..resolve.run import look_up
    from ..sandbox import sandbox_in_thread
    from ..send.endpoint import sandbox_endpoint

    found: list[Any] = []
    with sandbox_in_thread() as sandbox:
        endpoint = sandbox_endpoint(checked.provider, sandbox.url, sandbox.environment())
        worker = threading.Thread(target=lambda: found.append(asyncio.run(look_up(checked, endpoint))[0]))
        worker.start()
        worker.join(60)
    expect(bool(found), "the example row's references could not be looked up in the sandbox")
    return found[0]


def registered_under_its_name(provider: Provider, workdir: Path) -> None:
    expect(PROVIDERS.get(provider.name) is type(provider), f"{provider.name} is not registered under its name")
    expect(provider.task_path.startswith("/"), "task_path must start with /")
    expect(provider.default_base_url.startswith("https://"), "default_base_url must be https://")
    expect(provider.default_rate > 0, "default_rate must be above 0")


def every_field_documented_once(provider: Provider, workdir: Path) -> None:
    from ..check.kinds import format_hint

    names = [spec.name for spec in provider.fields]
    expect(len(names) == len(set(names)), f"a field is described twice: {names}")
    for spec in provider.fields:
        expect(spec.help.endswith("."), f"the help of {spec.name} is not a sentence")
        expect(format_hint(spec), f"{spec.name} has no format hint")
        if spec.kind is Kind.ENUM:
            expect(spec.choices and spec.example in spec.choices, f"the example of {spec.name} is not a choice")


def names_and_aliases_never_collide(provider: Provider, workdir: Path) -> None:
    from ..check.headers import header_key

    owners: dict[str, str] = {}
    for spec in provider.fields:
        for alias in (spec.name, *spec.aliases):
            owner = owners.setdefault(header_key(alias), spec.name)
            expect(owner == spec.name, f"the header {alias!r} of {spec.name} is also {owner}'s")


def groups_and_rules_name_real_fields(provider: Provider, workdir: Path) -> None:
    names = {spec.name for spec in provider.fields}
    for group in provider.required_column_groups:
        expect(set(group) <= names, f"the column group {group} names unknown fields")
    for rule in provider.rules():
        expect(set(rule.fields) <= names and rule.rule, f"the rule {rule.name} names unknown fields or says nothing")
    expect(set(provider.id_lookups) <= names, "id_lookups names unknown fields")


def examples_make_a_payload_of_api_names(provider: Provider, workdir: Path) -> None:
    payload = example_payload(provider, workdir)
    top = {spec.path[0] for spec in provider.fields}
    expect(set(payload) <= top, f"the payload has keys that are no field: {set(payload) - top}")
    expect(all(value not in ("", None) for value in payload.values()), f"the payload has empty values: {payload}")


def filled_templates_read_back(provider: Provider, workdir: Path) -> None:
    import openpyxl

    from ..report.templates import write_template
    from ..shape.prepare import ReadOptions, prepare

    row = example_row(provider)
    for fmt in ("csv", "xlsx"):
        path = write_template(provider, workdir / f"template.{fmt}", fmt)
        if fmt == "csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle))
            write_rows(path, header, [[row.get(name, "") for name in header]])
        else:
            book = openpyxl.load_workbook(path)
            header = [cell.value for cell in book.worksheets[0][1]]
            book.worksheets[0].append([row.get(name, "") for name in header])
            book.save(path)
        prepared = prepare(path, provider, ReadOptions())
        expect(prepared.errors == [] and len(prepared.payloads) == 1, f"the filled {fmt} template: {prepared.errors}")


# Replies and credentials ---------------------------------------------------------------------------------

def replies_read_as_every_provider_does(provider: Provider, workdir: Path) -> None:
    for status, verdict in SHARED_VERDICTS.items():
        got = provider.interpret(status, None).verdict
        expect(got is verdict, f"HTTP {status} with no body reads as {got.value}, not {verdict.value}")


def error_text_is_never_empty(provider: Provider, workdir: Path) -> None:
    for body in ODD_BODIES:
        expect(provider.error_text(400, body), f"error_text(400, {body!r}) is empty")


def missing_credentials_are_a_credentials_error(provider: Provider, workdir: Path) -> None:
    from ..errors import CredentialsError

    try:
        provider.make_auth({}, provider.default_base_url)
    except CredentialsError as exc:
        expect("environment" in str(exc), f"the missing-credentials sentence does not say where to set them: {exc}")
    else:
        raise ContractError("make_auth accepts an empty environment")
    expect(provider.credential_variables, "credential_variables is empty: the page could ask for no key")


# Against the sandbox -------------------------------------------------------------------------------------

def _numbered_field(provider: Provider) -> str:
    """The first top-level text field: each job's number is written into it."""
    return next(spec.name for spec in provider.fields if spec.kind is Kind.TEXT and len(spec.path) == 1)


def _jobs(provider: Provider, count: int, workdir: Path) -> list[Any]:
    from ..send.jobs import Job

    base, numbered = example_payload(provider, workdir), _numbered_field(provider)
    return [Job(row=n, payload={**base, numbered: f"Task {n}"}) for n in range(2, count + 2)]


def _held(provider: Provider, sandbox: Any) -> Counter[int]:
    numbered = _numbered_field(provider)
    return Counter(int(task.payload[numbered].rsplit(" ", 1)[1]) for task in sandbox.state.tasks_of(provider.name))


async def _send(provider: Provider, sandbox: Any, jobs: list[Any], auth: Any = None, **overrides: Any) -> Any:
    from ..send.engine import send_all
    from ..send.options import EngineSettings

    auth = auth or provider.make_auth(sandbox.environment(), sandbox.url)
    return await send_all(jobs, provider, auth, EngineSettings(base_url=sandbox.url, **{**FAST, **overrides}))


def _sandbox(seed: int = 11) -> Any:
    from ..sandbox import SandboxConfig, start_sandbox

    return start_sandbox(SandboxConfig(seed=seed).without_rate_limits())


def has_a_sandbox_emulation(provider: Provider, workdir: Path) -> None:
    from ..sandbox import emulations

    expect(provider.name in emulations(), f"{provider.name} has no sandbox emulation (Provider.sandbox)")


async def an_example_row_is_created_through_the_library(provider: Provider, workdir: Path) -> None:
    from ..api import run_import_async
    from ..send.options import SendOptions
    from ..shape.prepare import ReadOptions

    row = example_row(provider)
    path = write_rows(workdir / "one.csv", list(row), [list(row.values())])
    async with _sandbox() as sandbox:
        options = SendOptions(base_url=sandbox.url, env=sandbox.environment(), max_attempts=2, timeout=5)
        summary = await run_import_async(path, provider, ReadOptions(), options)
        expect(summary.counts == {"created": 1}, f"one example row through run_import_async: {summary.counts}")
        expect(len(sandbox.state.tasks_of(provider.name)) == 1, "the sandbox does not hold the one task")


async def every_job_is_created_once_in_order(provider: Provider, workdir: Path) -> None:
    from ..statuses import RowStatus

    jobs = _jobs(provider, 60, workdir)
    async with _sandbox() as sandbox:
        outcomes = list((await _send(provider, sandbox, jobs)).outcomes.values())
        expect([o.row for o in outcomes] == [job.row for job in jobs], "the outcomes are not in job order")
        expect({o.status for o in outcomes} == {RowStatus.CREATED}, f"not all created: {outcomes[:3]}")
        expect(all(o.task_id and o.attempts == 1 for o in outcomes), "a created row has no task ID or was resent")
        expect(_held(provider, sandbox) == Counter(job.row for job in jobs), "the sandbox holds other tasks")
        ids = {task.task_id for task in sandbox.state.tasks_of(provider.name)}
        expect({o.task_id for o in outcomes} == ids, "the task IDs read from the replies are not the sandbox's")


async def retries_503_and_429_until_created_once(provider: Provider, workdir: Path) -> None:
    from ..statuses import RowStatus

    jobs = _jobs(provider, 60, workdir)
    async with _sandbox() as sandbox:
        sandbox.config.fault_503_rate, sandbox.config.fault_429_rate = 0.25, 0.15
        outcomes = list((await _send(provider, sandbox, jobs, rate=400, max_attempts=12)).outcomes.values())
        expect({o.status for o in outcomes} == {RowStatus.CREATED}, "a row retried after 503/429 was not created")
        expect(max(o.attempts for o in outcomes) > 1, "nothing was retried")
        expect(_held(provider, sandbox) == Counter(job.row for job in jobs), "a retried row was created twice")
        by_status = sandbox.state.stats.providers[provider.name].by_status
        expect(by_status["503"] > 0 and by_status["429"] > 0, "the sandbox injected no 503 or no 429")


async def an_ambiguous_reply_is_uncertain_and_not_resent(provider: Provider, workdir: Path) -> None:
    from ..statuses import RowStatus

    for fault in ("fault_500_after_create_rate", "drop_after_create_rate"):
        jobs = _jobs(provider, 6, workdir)
        async with _sandbox() as sandbox:
            setattr(sandbox.config, fault, 1.0)
            outcomes = list((await _send(provider, sandbox, jobs)).outcomes.values())
            expect({o.status for o in outcomes} == {RowStatus.UNCERTAIN}, f"{fault}: not all uncertain")
            expect(all(o.attempts == 1 and "may have been created" in (o.error or "") for o in outcomes),
                   f"{fault}: an uncertain row was resent or does not say the task may exist")
            expect(_held(provider, sandbox) == Counter(job.row for job in jobs), f"{fault}: created twice")


async def a_refused_row_fails_alone(provider: Provider, workdir: Path) -> None:
    from ..send.jobs import Job
    from ..statuses import RowStatus

    jobs = _jobs(provider, 4, workdir)
    jobs[1] = Job(row=jobs[1].row, payload={})
    async with _sandbox() as sandbox:
        report = await _send(provider, sandbox, jobs)
    outcomes = list(report.outcomes.values())
    expect([o.status for o in outcomes] == [RowStatus.CREATED, RowStatus.FAILED, RowStatus.CREATED,
                                            RowStatus.CREATED], f"an empty payload: {outcomes}")
    failed = outcomes[1]
    expect(failed.attempts == 1 and failed.http_status and 400 <= failed.http_status < 500 and failed.error,
           f"the refused row: {failed}")
    expect(report.stopped_reason is None, f"one refused row stopped the run: {report.stopped_reason}")


async def wrong_credentials_stop_the_run_unshown(provider: Provider, workdir: Path) -> None:
    from ..statuses import RowStatus

    jobs = _jobs(provider, 10, workdir)
    async with _sandbox() as sandbox:
        wrong = {name: f"wrong-{name.lower()}-value-7311" for name in sandbox.environment()}
        auth = provider.make_auth(wrong, sandbox.url)
        report = await _send(provider, sandbox, jobs, auth=auth, concurrency=2)
        expect(not sandbox.state.tasks_of(provider.name), "a task was created with wrong credentials")
    expect(report.stopped_reason and "environment" in report.stopped_reason,
           f"the run's stop does not say to check the environment: {report.stopped_reason}")
    expect(Counter(o.status for o in report.outcomes.values())[RowStatus.NOT_SENT] >= 8, "the run went on")
    shown = repr(report)
    expect(not [value for value in wrong.values() if value in shown], "a wrong secret is shown")
    expect(set(auth.secrets) & set(wrong.values()), "the Auth does not know its secrets, so cannot redact them")


async def a_secret_echoed_in_an_error_is_redacted(provider: Provider, workdir: Path) -> None:
    from ..send.jobs import Job
    from ..statuses import RowStatus

    async with _sandbox() as sandbox:
        auth = provider.make_auth(sandbox.environment(), sandbox.url)
        secret = next(iter(auth.secrets))
        sandbox.config.fault_503_rate = 1.0
        report = await _send(provider, sandbox, [Job(row=2, payload={_numbered_field(provider): secret})],
                             auth=auth, max_attempts=1)
    expect(list(report.outcomes.values())[0].status is RowStatus.FAILED, "a row given up on 503 is not failed")
    expect(secret not in repr(report), "a secret echoed in an error is shown")


async def the_sandbox_speaks_json_and_refuses_no_key(provider: Provider, workdir: Path) -> None:
    import aiohttp

    payload = _jobs(provider, 1, workdir)[0].payload
    async with _sandbox() as sandbox, aiohttp.ClientSession() as session:
        url = provider.task_url(sandbox.url)
        async with session.post(url, json=payload) as response:
            expect(response.status == 401, f"a request without credentials got HTTP {response.status}")
            expect(provider.error_text(401, await response.json()), "the 401 body has no error text")
        async with session.request("OPTIONS", url) as response:  # no provider serves OPTIONS
            expect(response.status == 405 and isinstance(await response.json(), dict), "OPTIONS is not a JSON 405")
        async with session.get(f"{sandbox.url}/_sandbox/tasks", params={"provider": provider.name}) as response:
            expect(json.loads(await response.text())["count"] == 0, "the sandbox lists a task never created")
        expect(sandbox.state.stats.providers[provider.name].by_status["401"] == 1, "the 401 is not counted")


Check = Callable[[Provider, Path], "None | Awaitable[None]"]
#: Every check of the contract, by name.
CHECKS: dict[str, Check] = {check.__name__: check for check in (
    registered_under_its_name, every_field_documented_once, names_and_aliases_never_collide,
    groups_and_rules_name_real_fields, examples_make_a_payload_of_api_names, filled_templates_read_back,
    replies_read_as_every_provider_does, error_text_is_never_empty, missing_credentials_are_a_credentials_error,
    has_a_sandbox_emulation, an_example_row_is_created_through_the_library, every_job_is_created_once_in_order,
    retries_503_and_429_until_created_once, an_ambiguous_reply_is_uncertain_and_not_resent,
    a_refused_row_fails_alone, wrong_credentials_stop_the_run_unshown, a_secret_echoed_in_an_error_is_redacted,
    the_sandbox_speaks_json_and_refuses_no_key,
)}


def run_check(name: str, provider: Provider | str, workdir: Path) -> None:
    """Run the check ``name`` of ``CHECKS`` for ``provider`` (an event loop of its own when it needs one)."""
    provider = get_provider(provider) if isinstance(provider, str) else provider
    try:
        result = CHECKS[name](provider, workdir)
        if inspect.isawaitable(result):
            asyncio.run(_awaited(result))
    except ContractError as exc:
        raise ContractError(f"{provider.name} fails {name}: {exc}") from None


async def _awaited(result: Awaitable[None]) -> None:
    await result


def check_provider(provider: Provider | str, workdir: Path) -> list[str]:
    """Run the whole contract for ``provider``, each check in a fresh subdirectory of ``workdir``; return
    the names of the checks run. ``ContractError`` for the first that fails."""
    for name in CHECKS:
        (workdir / name).mkdir(parents=True, exist_ok=True)
        run_check(name, provider, workdir / name)
    return list(CHECKS)
