"""Contract tests of the sandbox's Travtus API, over real loopback HTTP, against travtus-create-task.md."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest

from bulk_tasks.sandbox import SandboxConfig, start_sandbox

# The three 401 bodies, copied word for word from the page.
MISSING = {
    "error": {
        "type": "missing_authorization",
        "message": "Your request does not include an 'Authorization' header with a bearer token for your account.",
    }
}
EXPIRED = {
    "error": {
        "type": "expired_token",
        "message": "The bearer token you have provided in the 'Authorization' header has expired. Please obtain a new one.",
    }
}
INVALID = {
    "error": {
        "type": "invalid_authorization",
        "message": "The bearer token you have provided in the 'Authorization' header is invalid.",
    }
}
TOKEN = "sandbox-travtus-token"
CLIENT = {"grant_type": "client_credentials", "client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}
VALID = {"group_external_ref": "group-1", "due_datetime": "2023-11-11T20:00:00", "notes": "Some notes"}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def post_task(session, sandbox, body: Any, token: str | None = TOKEN, **kwargs) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    headers.update(kwargs.pop("headers", {}))
    async with session.post(f"{sandbox.url}/task/", json=body, headers=headers, **kwargs) as response:
        return response.status, await response.json()


async def get_token(session, sandbox, form: dict[str, str] = CLIENT) -> tuple[int, Any]:
    async with session.post(f"{sandbox.url}/oauth2/token", data=form) as response:
        return response.status, await response.json()


def assert_error(body: Any, error_type: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"type", "message"}
    assert body["error"]["type"] == error_type
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


async def test_valid_task_returns_request_id_and_identifier_and_is_kept(sandbox, sandbox_session):
    status, body = await post_task(sandbox_session, sandbox, VALID)
    assert status == 200
    assert set(body) == {"request_id", "identifier"}
    assert uuid.UUID(body["request_id"]).version == 4
    assert uuid.UUID(body["identifier"]).version == 4
    [task] = sandbox.state.tasks
    assert (task.provider, task.task_id, task.request_id, task.payload) == (
        "travtus", body["identifier"], body["request_id"], VALID
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": TOKEN}, {"Authorization": f"Token {TOKEN}"}, {"Authorization": "Bearer "}],
    ids=["absent", "empty", "bare-token", "other-scheme", "bearer-without-token"],
)
async def test_missing_authorization_body_word_for_word(sandbox, sandbox_session, headers):
    async with sandbox_session.post(f"{sandbox.url}/task/", json=VALID, headers=headers) as response:
        assert response.status == 401
        assert await response.json() == MISSING
    assert sandbox.state.tasks == []


async def test_unknown_token_is_invalid_authorization(sandbox, sandbox_session):
    assert await post_task(sandbox_session, sandbox, VALID, token="not-a-token") == (401, INVALID)
    assert sandbox.state.tasks == []


async def test_issued_token_works_until_its_lifetime_is_over_then_is_expired():
    clock = FakeClock()
    async with start_sandbox(SandboxConfig(travtus_token_lifetime=60, clock=clock)) as sandbox:
        async with aiohttp.ClientSession() as session:
            status, grant = await get_token(session, sandbox)
            assert status == 200
            assert grant["token_type"] == "Bearer" and grant["expires_in"] == 60
            clock.now += 59.9
            assert (await post_task(session, sandbox, VALID, token=grant["access_token"]))[0] == 200
            clock.now += 0.1
            assert await post_task(session, sandbox, VALID, token=grant["access_token"]) == (401, EXPIRED)
            assert len(sandbox.state.tasks) == 1
            status, fresh = await get_token(session, sandbox)
            assert status == 200 and fresh["access_token"] != grant["access_token"]
            assert (await post_task(session, sandbox, VALID, token=fresh["access_token"]))[0] == 200


async def test_default_token_lifetime_is_documented_hour_and_static_token_never_expires():
    clock = FakeClock()
    async with start_sandbox(SandboxConfig(clock=clock)) as sandbox:
        async with aiohttp.ClientSession() as session:
            _, grant = await get_token(session, sandbox)
            assert grant["expires_in"] == 3600
            clock.now += 10 * 365 * 86400
            assert (await post_task(session, sandbox, VALID, token=TOKEN))[0] == 200
            assert await post_task(session, sandbox, VALID, token=grant["access_token"]) == (401, EXPIRED)


async def test_token_endpoint_refuses_bad_clients_and_grants(sandbox, sandbox_session):
    status, body = await get_token(sandbox_session, sandbox, {**CLIENT, "client_secret": "wrong"})
    assert status == 401
    assert_error(body, "invalid_client")
    status, body = await get_token(sandbox_session, sandbox, {**CLIENT, "client_id": "someone-else"})
    assert status == 401
    assert_error(body, "invalid_client")
    status, body = await get_token(sandbox_session, sandbox, {**CLIENT, "grant_type": "password"})
    assert status == 400
    assert_error(body, "unsupported_grant_type")
    async with sandbox_session.post(f"{sandbox.url}/oauth2/token", json=CLIENT) as response:
        assert response.status == 400
        assert_error(await response.json(), "invalid_request")
    assert sandbox.state.issued_tokens == {}
    assert sandbox.state.stats.token_requests == 4


@pytest.mark.parametrize(
    ("body", "error_type"),
    [
        ({"group_id": "g1", "group_external_ref": "group-1"}, "both_group_identifiers_provided"),
        ({"notes": "no group"}, "missing_group_identifier"),
        ({"group_id": ""}, "missing_group_identifier"),
        ({**VALID, "due_datetime": "2023-11-11 20:00:00"}, "invalid_datetime"),
        ({**VALID, "due_datetime": "2023-02-30T00:00:00"}, "invalid_datetime"),
        ({**VALID, "due_datetime": "2023-01-01T24:00:00"}, "invalid_datetime"),
        ({**VALID, "due_datetime": "2023-01-01T00:00:00Z"}, "invalid_datetime"),
        ({**VALID, "due_datetime": "2023-01-01T00:00:00+00:00"}, "invalid_datetime"),
        ({**VALID, "due_datetime": "2023-01-01T00:00"}, "invalid_datetime"),
        ({**VALID, "due_datetime": "2023-01-01"}, "invalid_datetime"),
        ({**VALID, "reminder_datetime": "01/01/2023 10:00:00"}, "invalid_datetime"),
        ({**VALID, "importance": "urgent"}, "invalid_importance"),
        ({**VALID, "importance": "High"}, "invalid_importance"),
        ({**VALID, "importance": "very high"}, "invalid_importance"),
        ({**VALID, "priority": "high"}, "unknown_field"),
        ({**VALID, "group": "g"}, "unknown_field"),
        ({**VALID, "notes": None}, "invalid_type"),
        ({**VALID, "title": 5}, "invalid_type"),
        ({**VALID, "creator": "Jane"}, "invalid_person"),
        ({**VALID, "creator": {}}, "invalid_person"),
        ({**VALID, "assignee": {"first_name": "Jane", "last_name": "Doe"}}, "invalid_person"),
        ({**VALID, "assignee": {"email_address": "jane@example.com"}}, "invalid_person"),
        ({**VALID, "resident": {"phone_number": "+14155550100"}}, "invalid_person"),
        ({**VALID, "resident": {"identifier": "p1", "nickname": "JJ"}}, "invalid_person"),
        ({**VALID, "creator": {"identifier": 42}}, "invalid_person"),
        ({**VALID, "creator": {"external_ref": "p1", "first_name": None}}, "invalid_person"),
        ([VALID], "invalid_body"),
        ("just text", "invalid_body"),
    ],
)
async def test_rule_breaking_bodies_are_400_with_the_error_type(sandbox, sandbox_session, body, error_type):
    status, answer = await post_task(sandbox_session, sandbox, body)
    assert status == 400
    assert_error(answer, error_type)
    assert sandbox.state.tasks == []


async def test_non_json_body_is_invalid_body(sandbox, sandbox_session):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with sandbox_session.post(f"{sandbox.url}/task/", data=b"{not json", headers=headers) as response:
        assert response.status == 400
        assert_error(await response.json(), "invalid_body")


@pytest.mark.parametrize(
    "body",
    [
        {"group_id": "g1"},
        {"group_external_ref": "group-1"},
        {"group_id": "g1", "importance": "low"},
        {"group_id": "g1", "importance": "normal"},
        {"group_id": "g1", "importance": "high"},
        {"group_id": "g1", "importance": "very_high"},
        {"group_id": "g1", "due_datetime": "2024-02-29T23:59:59", "reminder_datetime": "2024-02-28T00:00:00"},
        {"group_id": "g1", "creator": {"identifier": "p1"}},
        {"group_id": "g1", "creator": {"external_ref": "p1"}},
        {"group_id": "g1", "assignee": {"email_address": "jane@example.com", "first_name": "Jane"}},
        {"group_id": "g1", "assignee": {"phone_number": "+14155550100", "last_name": "Doe"}},
        {
            "group_id": "g1",
            "resident": {
                "identifier": "p1", "external_ref": "r1", "email_address": "a@b.c",
                "first_name": "A", "last_name": "B", "phone_number": "+1",
            },
        },
        {
            "group_external_ref": "group-1", "external_ref": "t-1", "relevant_conversation": "c",
            "unit_id": "u", "unit_external_ref": "u-1", "notes": "n", "title": "t", "description": "d",
        },
    ],
)
async def test_every_documented_field_and_person_form_is_accepted(sandbox, sandbox_session, body):
    status, answer = await post_task(sandbox_session, sandbox, body)
    assert status == 200, answer
    assert sandbox.state.tasks[0].payload == body
