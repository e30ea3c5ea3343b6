"""The sandbox's task routes beyond create, over real loopback HTTP (NOTES.md, "Beyond create")."""

from __future__ import annotations

from typing import Any

KEY = "sandbox-quo-key"
TOKEN = {"Authorization": "Bearer sandbox-travtus-token"}
TASK = {"title": "Call back", "description": "About the lease.", "phoneNumberId": "PNk3Ra9XwQ2m",
        "dueDate": "2026-12-05T09:00:00Z", "assignedTo": "USm2Fq8KpL"}


async def call(session, sandbox, method: str, path: str, body: Any = None, key: str = KEY,
               headers: dict[str, str] | None = None) -> tuple[int, Any]:
    kwargs: dict[str, Any] = {"headers": headers if headers is not None else {"Authorization": key}}
    if body is not None:
        kwargs["json"] = body
    async with session.request(method, f"{sandbox.url}{path}", **kwargs) as response:
        text = await response.text()
        return response.status, (await response.json() if text else None)


async def create(session, sandbox, **changes: Any) -> str:
    status, body = await call(session, sandbox, "POST", "/v1/tasks", {**TASK, **changes})
    assert status == 201
    return body["data"]["taskId"]


async def test_quo_get_shows_the_task_with_revision_1(sandbox, sandbox_session):
    task_id = await create(sandbox_session, sandbox)
    status, body = await call(sandbox_session, sandbox, "GET", f"/v1/tasks/{task_id}")
    assert status == 200
    task = body["data"]
    assert (task["taskId"], task["title"], task["dueDate"], task["assignedTo"], task["revision"]) == (
        task_id, "Call back", "2026-12-05T09:00:00Z", "USm2Fq8KpL", "1")
    assert task["createdAt"].endswith("Z") and task["isDeleted"] is False


async def test_quo_edits_raise_the_revision_and_change_the_task(sandbox, sandbox_session):
    task_id = await create(sandbox_session, sandbox)
    steps = [("PUT", "", {"title": "New title", "description": "New text"}),
             ("POST", "/change-due-date", {"dueDate": "2027-01-05T09:00:00Z"}),
             ("POST", "/assign", {"userId": "USr7Tc3VnB"}), ("POST", "/complete", None)]
    for method, suffix, body in steps:
        status, answer = await call(sandbox_session, sandbox, method, f"/v1/tasks/{task_id}{suffix}", body)
        assert status == 200, answer
    task = (await call(sandbox_session, sandbox, "GET", f"/v1/tasks/{task_id}"))[1]["data"]
    assert (task["title"], task["description"], task["dueDate"], task["assignedTo"], task["completed"],
            task["revision"]) == ("New title", "New text", "2027-01-05T09:00:00Z", "USr7Tc3VnB", True, "5")


async def test_quo_put_needs_title_and_description_and_nothing_else(sandbox, sandbox_session):
    task_id = await create(sandbox_session, sandbox)
    status, body = await call(sandbox_session, sandbox, "PUT", f"/v1/tasks/{task_id}", {"title": "only"})
    assert status == 400 and body["errors"][0]["path"] == "/description"
    status, body = await call(sandbox_session, sandbox, "PUT", f"/v1/tasks/{task_id}",
                              {"title": "t", "description": "d", "dueDate": "2027-01-01T00:00:00Z"})
    assert status == 400 and body["errors"][0]["path"] == "/dueDate"
    status, body = await call(sandbox_session, sandbox, "POST", f"/v1/tasks/{task_id}/change-due-date",
                              {"dueDate": "next week"})
    assert status == 400


async def test_quo_delete_answers_204_then_404_and_frees_an_open_task(sandbox, sandbox_session):
    sandbox.config.quo_open_task_limit = 1
    task_id = await create(sandbox_session, sandbox)
    assert (await call(sandbox_session, sandbox, "POST", "/v1/tasks", TASK))[0] == 402
    assert (await call(sandbox_session, sandbox, "DELETE", f"/v1/tasks/{task_id}"))[0] == 204
    status, body = await call(sandbox_session, sandbox, "DELETE", f"/v1/tasks/{task_id}")
    assert (status, body["code"]) == (404, "0600404")
    assert (await call(sandbox_session, sandbox, "GET", f"/v1/tasks/{task_id}"))[0] == 404
    assert (await call(sandbox_session, sandbox, "POST", "/v1/tasks", TASK))[0] == 201


async def test_quo_tasks_of_another_key_are_not_found(sandbox, sandbox_session):
    sandbox.config.providers["quo"].api_keys.add("other-key")
    task_id = await create(sandbox_session, sandbox)
    assert (await call(sandbox_session, sandbox, "GET", f"/v1/tasks/{task_id}", key="other-key"))[0] == 404
    assert (await call(sandbox_session, sandbox, "GET", "/v1/tasks", key="other-key"))[1]["totalItems"] == 0


async def test_quo_list_pages_through_every_live_task_once(sandbox, sandbox_session):
    sandbox.config.quo_rate_per_second = None
    ids = [await create(sandbox_session, sandbox, title=f"t{n}") for n in range(25)]
    await call(sandbox_session, sandbox, "DELETE", f"/v1/tasks/{ids[3]}")
    seen: list[str] = []
    token = None
    while True:
        query = f"?maxResults=10&pageToken={token}" if token else "?maxResults=10"
        status, body = await call(sandbox_session, sandbox, "GET", f"/v1/tasks{query}")
        assert status == 200 and body["totalItems"] == 24
        seen += [task["taskId"] for task in body["data"]]
        token = body["nextPageToken"]
        if token is None:
            break
    assert sorted(seen) == sorted(set(ids) - {ids[3]}) and len(seen) == 24
    assert (await call(sandbox_session, sandbox, "GET", "/v1/tasks?maxResults=101"))[0] == 400
    assert (await call(sandbox_session, sandbox, "GET", "/v1/tasks?pageToken=nonsense"))[0] == 400


async def test_quo_task_routes_share_the_key_s_one_second_window(sandbox, sandbox_session):
    sandbox.config.quo_rate_per_second = 2
    frozen = sandbox.config.clock()
    sandbox.config.clock = lambda: frozen
    task_id = await create(sandbox_session, sandbox)
    assert (await call(sandbox_session, sandbox, "GET", f"/v1/tasks/{task_id}"))[0] == 200
    assert (await call(sandbox_session, sandbox, "DELETE", f"/v1/tasks/{task_id}"))[0] == 429
    assert (await call(sandbox_session, sandbox, "GET", "/v1/tasks", key="Bearer x"))[0] == 401


async def travtus_create(session, sandbox, **changes: Any) -> str:
    body = {"group_external_ref": "P1", "title": "Fix tap", "external_ref": "T-1", **changes}
    status, answer = await call(session, sandbox, "POST", "/task/", body, headers=TOKEN)
    assert status == 200
    return answer["identifier"]


async def test_travtus_patch_by_identifier_or_external_ref(sandbox, sandbox_session):
    identifier = await travtus_create(sandbox_session, sandbox)
    status, body = await call(sandbox_session, sandbox, "PATCH", "/tasks/",
                              {"external_ref": "T-1", "due_datetime": "2027-01-05T09:00:00"}, headers=TOKEN)
    assert status == 200 and body["request_id"]
    [task] = sandbox.state.tasks_of("travtus")
    assert task.current is not None and task.current["due_datetime"] == "2027-01-05T09:00:00"
    status, _ = await call(sandbox_session, sandbox, "PATCH", "/task/",
                           {"identifier": identifier, "status": "deleted"}, headers=TOKEN)
    assert status == 200 and task.deleted
    status, body = await call(sandbox_session, sandbox, "PATCH", "/tasks/",
                              {"identifier": identifier, "status": "deleted"}, headers=TOKEN)
    assert (status, body["error"]["type"]) == (404, "not_found")


async def test_travtus_patch_refuses_what_it_cannot_change(sandbox, sandbox_session):
    await travtus_create(sandbox_session, sandbox)
    for body, kind in [({"title": "x"}, "invalid_task_selector"),
                       ({"external_ref": "T-1", "identifier": "x"}, "invalid_task_selector"),
                       ({"external_ref": "T-1", "group_external_ref": "P2"}, "unknown_field"),
                       ({"external_ref": "T-1", "status": "gone"}, "invalid_status"),
                       ({"external_ref": "T-1", "due_datetime": "tomorrow"}, "invalid_datetime")]:
        status, answer = await call(sandbox_session, sandbox, "PATCH", "/tasks/", body, headers=TOKEN)
        assert (status, answer["error"]["type"]) == (400, kind)
    assert (await call(sandbox_session, sandbox, "PATCH", "/tasks/", {"external_ref": "T-1"}, headers={}))[0] == 401
