"""Contract tests of the sandbox's Quo API, over real loopback HTTP, against quo-create-task.md."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

KEY = "sandbox-quo-key"
VALID = {"title": "Follow up with customer", "description": "Discuss pricing.", "phoneNumberId": "PNk3Ra9XwQ2m"}


def v1_error_schema(status: int, code: str, title: str) -> dict[str, Any]:
    """The page's error response schema for one status (transcribed from the OpenAPI document)."""
    return {
        "type": "object",
        "required": ["message", "code", "status", "docs", "title"],
        "properties": {
            "message": {"type": "string"},
            "code": {"const": code, "type": "string"},
            "status": {"const": status, "type": "number"},
            "docs": {"const": "https://quo.com/docs", "type": "string"},
            "title": {"const": title, "type": "string"},
            "trace": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["path", "message", "schema"],
                    "properties": {
                        "path": {"type": "string"},
                        "message": {"type": "string"},
                        "value": {},
                        "schema": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
                    },
                },
            },
        },
    }


CREATED_SCHEMA = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["taskId", "revision", "phoneNumberId"],
            "properties": {
                "taskId": {"pattern": "^TK(.*)$", "type": "string"},
                "revision": {"type": "string"},
                "phoneNumberId": {"pattern": "^PN(.*)$", "type": "string"},
                "conversationId": {"pattern": "^CN(.*)$", "type": "string"},
                "activityId": {"pattern": "^AC(.*)$", "type": "string"},
            },
        }
    },
}
BAD_REQUEST = Draft202012Validator(v1_error_schema(400, "0600400", "Bad Request"))
UNAUTHORIZED = Draft202012Validator(v1_error_schema(401, "0600401", "Unauthorized"))
CREATED = Draft202012Validator(CREATED_SCHEMA)


async def post(session, sandbox, body: Any = None, key: str | None = KEY, data: bytes | None = None):
    headers = {"Authorization": key} if key is not None else {}
    kwargs = {"json": body} if data is None else {"data": data, "headers": {**headers, "Content-Type": "application/json"}}
    kwargs.setdefault("headers", headers)
    async with session.post(f"{sandbox.url}/v1/tasks", **kwargs) as response:
        return response.status, await response.json()


@pytest.mark.parametrize(
    ("link", "value"), [("phoneNumberId", "PNk3Ra9XwQ2m"), ("conversationId", "CN456"), ("activityId", "AC789")]
)
async def test_created_task_body_matches_the_published_201_schema(sandbox, sandbox_session, link, value):
    body = {"title": "t", "description": "d", link: value, "dueDate": "2026-12-01T14:00:00Z", "assignedTo": "USm2Fq8KpL"}
    status, answer = await post(sandbox_session, sandbox, body)
    assert status == 201
    CREATED.validate(answer)
    data = answer["data"]
    assert data["taskId"].startswith("TK") and len(data["taskId"]) > 2
    assert data[link] == value
    [task] = sandbox.state.tasks
    assert (task.provider, task.task_id, task.payload) == ("quo", data["taskId"], body)


async def test_task_ids_are_unique(sandbox, sandbox_session):
    ids = {(await post(sandbox_session, sandbox, VALID))[1]["data"]["taskId"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("due", ["2026-12-01T14:00:00Z", "2026-12-01T14:00:00.250Z", "2026-12-01t09:00:00-05:00"])
async def test_rfc3339_due_dates_are_accepted(sandbox, sandbox_session, due):
    assert (await post(sandbox_session, sandbox, {**VALID, "dueDate": due}))[0] == 201


@pytest.mark.parametrize(
    ("key", "fragment"),
    [(None, "Missing"), ("", "Missing"), (f"Bearer {KEY}", "Bearer"), (f"bearer {KEY}", "Bearer"), ("wrong-key", "Invalid")],
    ids=["absent", "empty", "bearer", "bearer-lowercase", "unknown"],
)
async def test_unauthorized_v1_body(sandbox, sandbox_session, key, fragment):
    status, body = await post(sandbox_session, sandbox, VALID, key=key)
    assert status == 401
    UNAUTHORIZED.validate(body)
    assert fragment in body["message"]
    assert sandbox.state.tasks == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"description": "d", "phoneNumberId": "PNk3Ra9XwQ2m"}, "/title"),
        ({"title": "t", "phoneNumberId": "PNk3Ra9XwQ2m"}, "/description"),
        ({"title": "t", "description": "d"}, "/phoneNumberId"),
        ({**VALID, "priority": "high"}, "/priority"),
        ({**VALID, "conversationId": "CN1"}, "/conversationId"),
        ({**VALID, "title": 7}, "/title"),
        ({**VALID, "phoneNumberId": "4155550100"}, "/phoneNumberId"),
        ({"title": "t", "description": "d", "conversationId": "PNk3Ra9XwQ2m"}, "/conversationId"),
        ({"title": "t", "description": "d", "activityId": "X"}, "/activityId"),
        ({**VALID, "assignedTo": "jane@example.com"}, "/assignedTo"),
        ({**VALID, "dueDate": "2026-12-01 14:00:00"}, "/dueDate"),
        ({**VALID, "dueDate": "2026-12-01T14:00:00"}, "/dueDate"),
        ({**VALID, "dueDate": "2026-12-01"}, "/dueDate"),
        ({**VALID, "dueDate": "2026-13-01T14:00:00Z"}, "/dueDate"),
        ({**VALID, "dueDate": "2026-02-30T14:00:00Z"}, "/dueDate"),
        ({**VALID, "dueDate": "2026-12-01T25:00:00Z"}, "/dueDate"),
        ({**VALID, "dueDate": "tomorrow"}, "/dueDate"),
        ({**VALID, "dueDate": 1764597600}, "/dueDate"),
        ({**VALID, "dueDate": None}, "/dueDate"),
        ([VALID], ""),
        ("text", ""),
    ],
)
async def test_schema_violations_are_400_naming_the_path(sandbox, sandbox_session, body, path):
    status, answer = await post(sandbox_session, sandbox, body)
    assert status == 400
    BAD_REQUEST.validate(answer)
    assert path in [error["path"] for error in answer["errors"]]
    assert sandbox.state.tasks == []


async def test_non_json_body_is_400(sandbox, sandbox_session):
    status, answer = await post(sandbox_session, sandbox, data=b"title=t&description=d")
    assert status == 400
    BAD_REQUEST.validate(answer)
    assert answer["errors"]


async def test_open_task_cap_answers_402_and_follows_live_changes(sandbox, sandbox_session):
    sandbox.config.quo_open_task_limit = 2
    assert [(await post(sandbox_session, sandbox, VALID))[0] for _ in range(2)] == [201, 201]
    status, body = await post(sandbox_session, sandbox, VALID)
    assert status == 402
    Draft202012Validator(v1_error_schema(402, "0600402", body["title"])).validate(body)
    assert body["message"] == "Open Tasks Limit Reached"
    assert len(sandbox.state.tasks) == 2
    sandbox.config.quo_open_task_limit = 3
    assert (await post(sandbox_session, sandbox, VALID))[0] == 201
    assert (await post(sandbox_session, sandbox, VALID))[0] == 402
    async with sandbox_session.delete(f"{sandbox.url}/_sandbox/tasks") as response:
        assert response.status == 200
    assert (await post(sandbox_session, sandbox, VALID))[0] == 201


async def test_open_task_cap_counts_quo_tasks_only(sandbox, sandbox_session):
    sandbox.config.quo_open_task_limit = 1
    headers = {"Authorization": "Bearer sandbox-travtus-token"}
    async with sandbox_session.post(f"{sandbox.url}/task/", json={"group_id": "g"}, headers=headers) as response:
        assert response.status == 200
    assert (await post(sandbox_session, sandbox, VALID))[0] == 201
    assert (await post(sandbox_session, sandbox, VALID))[0] == 402
