"""The sandbox's look-up endpoints over its demo workspace, and what it does with an unknown reference on create."""

from __future__ import annotations

from bulk_tasks.providers.travtus.workspace import ELM_GROUP_ID
from bulk_tasks.providers.quo.sandbox import SANDBOX_QUO_API_KEY
from bulk_tasks.providers.travtus.sandbox import SANDBOX_TRAVTUS_TOKEN

QUO = {"Authorization": SANDBOX_QUO_API_KEY}
TRAVTUS = {"Authorization": f"Bearer {SANDBOX_TRAVTUS_TOKEN}"}


async def get(session, sandbox, path, headers, **params):
    async with session.get(sandbox.url + path, headers=headers, params=params) as response:
        return response.status, await response.json()


async def post(session, sandbox, path, headers, body):
    async with session.post(sandbox.url + path, headers=headers, json=body) as response:
        return response.status, await response.json()


async def test_quo_lists_its_numbers_with_their_users_in_one_unpaged_answer(sandbox, sandbox_session):
    status, body = await get(sandbox_session, sandbox, "/v1/phone-numbers", QUO)
    assert status == 200
    main = body["data"][0]
    assert (main["id"], main["number"], main["formattedNumber"], main["name"]) == (
        "PNk3Ra9XwQ2m", "+14155550100", "(415) 555-0100", "Main line")
    assert [user["email"] for user in main["users"]] == ["maya.chen@example.com", "ravi.patel@example.com"]
    status, body = await get(sandbox_session, sandbox, "/v1/phone-numbers", QUO, userId="USr7Tc3VnB")
    assert [n["name"] for n in body["data"]] == ["Main line", "Leasing NYC"]
    assert (await get(sandbox_session, sandbox, "/v1/phone-numbers", {}))[0] == 401


async def test_quo_users_come_in_pages(sandbox, sandbox_session):
    status, first = await get(sandbox_session, sandbox, "/v1/users", QUO, maxResults="2")
    assert status == 200 and first["totalItems"] == 5 and len(first["data"]) == 2
    pages, token = [first], first["nextPageToken"]
    while token:
        _, page = await get(sandbox_session, sandbox, "/v1/users", QUO, maxResults="2", pageToken=token)
        pages.append(page)
        token = page["nextPageToken"]
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    assert len({user["id"] for page in pages for user in page["data"]}) == 5
    assert (await get(sandbox_session, sandbox, "/v1/users", QUO, maxResults="51"))[0] == 400


async def test_quo_answers_a_task_naming_an_unknown_number_or_user_with_404(sandbox, sandbox_session):
    task = {"title": "t", "description": "d", "phoneNumberId": "PNnope"}
    status, body = await post(sandbox_session, sandbox, "/v1/tasks", QUO, task)
    assert (status, body["code"]) == (404, "0600404")
    task = {"title": "t", "description": "d", "phoneNumberId": "PNk3Ra9XwQ2m", "assignedTo": "USnobody"}
    assert (await post(sandbox_session, sandbox, "/v1/tasks", QUO, task))[0] == 404
    assert sandbox.state.tasks == []


async def test_travtus_communities_are_searched_by_one_parameter_at_least(sandbox, sandbox_session):
    status, body = await get(sandbox_session, sandbox, "/communities/", TRAVTUS, community_external_ref="PROP-ELM")
    assert status == 200 and body["communities"][0]["community_id"] == ELM_GROUP_ID
    assert (await get(sandbox_session, sandbox, "/communities/", TRAVTUS, community_id=ELM_GROUP_ID))[0] == 200
    status, body = await get(sandbox_session, sandbox, "/communities/", TRAVTUS)
    assert (status, body["error"]["type"]) == (400, "no_search_parameters")
    status, body = await get(sandbox_session, sandbox, "/communities/", TRAVTUS, community_external_ref="PROP-X")
    assert (status, body["error"]["type"]) == (404, "not_found")


async def test_travtus_find_matches_exactly_within_groups_and_refuses_both_group_filters(sandbox, sandbox_session):
    status, body = await post(sandbox_session, sandbox, "/units/find/", TRAVTUS,
                              {"groups_external_refs": ["PROP-OAK"], "external_ref": "OAK-204"})
    assert status == 200 and [u["unit_number"] for u in body["units"]] == ["204"] and body["last_id"] == -1
    status, body = await post(sandbox_session, sandbox, "/units/find/", TRAVTUS,
                              {"groups_external_refs": ["PROP-ELM"], "external_ref": "OAK-204"})
    assert (status, body["error"]["type"]) == (404, "not_found")
    status, body = await post(sandbox_session, sandbox, "/persons/find/", TRAVTUS,
                              {"group_ids": [ELM_GROUP_ID], "groups_external_refs": ["PROP-ELM"]})
    assert (status, body["error"]["type"]) == (400, "both_group_identifiers_provided")
    status, body = await post(sandbox_session, sandbox, "/persons/find/", TRAVTUS,
                              {"group_ids": [ELM_GROUP_ID], "external_ref": "004417"})
    assert [p["first_name"] for p in body["persons"]] == ["Ana"]


async def test_travtus_find_pages_a_hundred_at_a_time_after_the_last_id(sandbox, sandbox_session):
    from bulk_tasks.providers.travtus.workspace import Community, TravtusWorkspace, unit

    sandbox.config.travtus_workspace = TravtusWorkspace([Community("G", "BIG", "Big",
                                                                   units=[unit("BIG", f"U-{n}") for n in range(250)])])
    seen, after = [], None
    while True:
        query = {"groups_external_refs": ["BIG"], **({"after-id": after} if after is not None else {})}
        status, body = await post(sandbox_session, sandbox, "/units/find/", TRAVTUS, query)
        seen.append(len(body["units"]))
        after = body["last_id"]
        if after == -1:
            break
    assert seen == [100, 100, 50]
    assert sandbox.state.stats.providers["travtus"].lookup_requests["/units/find/"] == 3


async def test_travtus_accepts_a_task_naming_an_unknown_unit_then_lists_it_failed(sandbox, sandbox_session):
    status, body = await post(sandbox_session, sandbox, "/task/", TRAVTUS,
                              {"group_external_ref": "PROP-OAK", "unit_external_ref": "OAK-999", "title": "t"})
    assert status == 200 and body["request_id"]
    status, good = await post(sandbox_session, sandbox, "/task/", TRAVTUS,
                              {"group_external_ref": "PROP-OAK", "unit_external_ref": "OAK-101", "title": "t"})
    async with sandbox_session.get(sandbox.url + "/_sandbox/tasks") as response:
        listed = await response.json()
    tasks = listed["tasks"] if isinstance(listed, dict) else listed
    assert [(task["status"], task["error"]) for task in tasks] == [
        ("failed", "not_found: no unit OAK-999 in group PROP-OAK"), ("created", None)]
