"""Fault injection over loopback HTTP: latency, 503s, 429s, 500s after creation, dropped connections."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bulk_tasks.sandbox import SandboxConfig, start_sandbox

QUO_TASK = {"title": "t", "description": "d", "phoneNumberId": "PNk3Ra9XwQ2m"}
TRAVTUS_TASK = {"group_id": "g1"}
PROVIDERS = {
    "quo": ("/v1/tasks", {"Authorization": "sandbox-quo-key"}, QUO_TASK, 201),
    "travtus": ("/task/", {"Authorization": "Bearer sandbox-travtus-token"}, TRAVTUS_TASK, 200),
}


async def send(session, sandbox, provider: str, timeout: float | None = None):
    path, headers, body, _ = PROVIDERS[provider]
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with session.post(f"{sandbox.url}{path}", json=body, headers=headers, timeout=client_timeout) as response:
        return response.status, response.headers, await response.json()


def assert_provider_error(provider: str, body: dict, status: int) -> None:
    if provider == "quo":
        assert body["status"] == status and body["code"].endswith(str(status))
        assert body["docs"] == "https://quo.com/docs" and body["title"] and body["message"]
    else:
        assert set(body) == {"error"} and body["error"]["type"] and body["error"]["message"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_injected_503_comes_before_processing(sandbox, sandbox_session, provider):
    sandbox.config.fault_503_rate = 1.0
    status, _, body = await send(sandbox_session, sandbox, provider)
    assert status == 503
    assert_provider_error(provider, body, 503)
    assert sandbox.state.tasks == []


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_injected_429_with_and_without_retry_after(sandbox, sandbox_session, provider):
    sandbox.config.fault_429_rate = 1.0
    status, headers, body = await send(sandbox_session, sandbox, provider)
    assert status == 429 and "Retry-After" not in headers
    assert_provider_error(provider, body, 429)
    sandbox.config.fault_429_retry_after = 3
    status, headers, _ = await send(sandbox_session, sandbox, provider)
    assert status == 429 and headers["Retry-After"] == "3"
    assert sandbox.state.tasks == []


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_injected_500_comes_after_the_task_was_created(sandbox, sandbox_session, provider):
    sandbox.config.fault_500_after_create_rate = 1.0
    status, _, body = await send(sandbox_session, sandbox, provider)
    assert status == 500
    assert_provider_error(provider, body, 500)
    assert [task.provider for task in sandbox.state.tasks] == [provider]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_dropped_before_processing_creates_nothing(sandbox, sandbox_session, provider):
    sandbox.config.drop_before_rate = 1.0
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(sandbox_session, sandbox, provider)
    assert sandbox.state.tasks == []
    assert sandbox.state.stats.by_status["dropped"] == 1
    sandbox.config.drop_before_rate = 0.0
    assert (await send(sandbox_session, sandbox, provider))[0] == PROVIDERS[provider][3]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_dropped_after_creation_leaves_the_task(sandbox, sandbox_session, provider):
    sandbox.config.drop_after_create_rate = 1.0
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(sandbox_session, sandbox, provider)
    assert [task.provider for task in sandbox.state.tasks] == [provider]
    assert sandbox.state.stats.providers[provider].by_status["dropped"] == 1


async def test_faults_strike_before_authentication_and_spare_the_token_endpoint(sandbox, sandbox_session):
    sandbox.config.fault_503_rate = 1.0
    async with sandbox_session.post(f"{sandbox.url}/v1/tasks", json=QUO_TASK) as response:
        assert response.status == 503
    form = {"grant_type": "client_credentials", "client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}
    async with sandbox_session.post(f"{sandbox.url}/oauth2/token", data=form) as response:
        assert response.status == 200


async def test_latency_delays_the_answer_after_the_task_is_created(sandbox, sandbox_session):
    sandbox.config.latency = 0.4
    started = time.monotonic()
    assert (await send(sandbox_session, sandbox, "quo"))[0] == 201
    assert time.monotonic() - started >= 0.4
    with pytest.raises(asyncio.TimeoutError):
        await send(sandbox_session, sandbox, "travtus", timeout=0.1)
    assert [task.provider for task in sandbox.state.tasks] == ["quo", "travtus"]


async def statuses_with_seed(seed: int, count: int = 60) -> list[int | str]:
    config = SandboxConfig(
        seed=seed, fault_503_rate=0.2, fault_429_rate=0.2, fault_500_after_create_rate=0.2,
        drop_before_rate=0.1, drop_after_create_rate=0.1,
    ).without_rate_limits()
    seen: list[int | str] = []
    async with start_sandbox(config) as sandbox, aiohttp.ClientSession() as session:
        for _ in range(count):
            try:
                seen.append((await send(session, sandbox, "quo"))[0])
            except aiohttp.ServerDisconnectedError:
                seen.append("dropped")
        answered_created = seen.count(201) + seen.count(500)
        assert answered_created <= len(sandbox.state.tasks) <= answered_created + seen.count("dropped")
    return seen


async def test_faults_are_deterministic_for_a_seed_and_every_kind_occurs():
    first = await statuses_with_seed(7)
    assert first == await statuses_with_seed(7)
    assert first != await statuses_with_seed(8)
    assert {201, 429, 500, 503, "dropped"} <= set(first)


async def test_reset_reseeds_the_fault_generator(sandbox_session):
    async with start_sandbox(SandboxConfig(seed=3, fault_503_rate=0.5)) as sandbox:
        before = [(await send(sandbox_session, sandbox, "quo"))[0] for _ in range(8)]
        async with sandbox_session.delete(f"{sandbox.url}/_sandbox/tasks") as response:
            assert response.status == 200
        after = [(await send(sandbox_session, sandbox, "quo"))[0] for _ in range(8)]
    assert before == after and {201, 503} <= set(before)
