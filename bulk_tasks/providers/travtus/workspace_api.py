"""Travtus' look-up endpoints in the sandbox: ``GET /communities/``, ``POST /units/find/``, ``POST /persons/find/``.

Exact matches on the documented filters, at most ``PAGE_SIZE`` records a call, paged with ``after-id``
(the reply's ``last_id``; ``-1``: no more); ``404 not_found`` when nothing matches.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ...sandbox.endpoint import json_response
from .workspace import Community, TravtusWorkspace

if TYPE_CHECKING:
    from aiohttp import web

COMMUNITIES_PATH = "/communities/"
UNITS_FIND_PATH = "/units/find/"
PERSONS_FIND_PATH = "/persons/find/"
PAGE_SIZE = 100
UNIT_FILTERS = ("external_ref", "identifier", "unit_number")
PERSON_FILTERS = ("first_name", "last_name", "email_address", "phone_number", "external_ref", "identifier")
_COMMUNITY_FILTERS = {"community_id": "community_id", "community_external_ref": "community_external_ref",
                      "name": "name"}


def _error(kind: str, message: str, status: int) -> web.Response:
    return json_response({"error": {"type": kind, "message": message}}, status)


async def communities_answer(request: web.Request, workspace: TravtusWorkspace) -> web.Response:
    """``GET /communities/?community_external_ref=…`` (or ``community_id=``, ``name=``)."""
    given = {key: request.query[key] for key in _COMMUNITY_FILTERS if request.query.get(key)}
    if not given:
        return _error("no_search_parameters", "Give community_external_ref, community_id or name.", 400)
    found = [c.as_dict() for c in workspace.communities
             if all(str(getattr(c, key)) == value for key, value in given.items())]
    if not found:
        return _error("not_found", "No community matches.", 404)
    return json_response({"communities": found, "last_id": -1}, 200)


def _groups(body: dict[str, Any], workspace: TravtusWorkspace) -> list[Community] | str:
    by_ref, by_id = body.get("groups_external_refs"), body.get("group_ids")
    if by_ref is not None and by_id is not None:
        return "both_group_identifiers_provided"
    if by_ref is None and by_id is None:
        return list(workspace.communities)
    given: list[Any] = by_ref if by_ref is not None else by_id  # type: ignore[assignment]
    wanted = set(map(str, given))
    key = "community_external_ref" if by_ref is not None else "community_id"
    return [c for c in workspace.communities if getattr(c, key) in wanted]


def finder(kind: str, filters: tuple[str, ...]) -> Callable[[web.Request, TravtusWorkspace], Awaitable[web.Response]]:
    """The handler of ``POST /<kind>/find/``: the group filters plus exact ``filters``, paged."""

    async def answer(request: web.Request, workspace: TravtusWorkspace) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return _error("invalid_body", "The request body is not valid JSON.", 400)
        if not isinstance(body, dict):
            return _error("invalid_body", "The request body must be a JSON object.", 400)
        groups = _groups(body, workspace)
        if isinstance(groups, str):
            return _error(groups, "Provide either 'groups_external_refs' or 'group_ids', not both.", 400)
        given = {key: str(body[key]) for key in filters if body.get(key) is not None}
        matches = [record for group in groups for record in getattr(group, kind)
                   if all(str(record.get(key)) == value for key, value in given.items())]
        after = body.get("after-id", request.query.get("after-id"))
        start = 0
        if after not in (None, "", -1, "-1"):
            start = next((at + 1 for at, record in enumerate(matches) if record["identifier"] == str(after)),
                         len(matches))
        page = matches[start:start + PAGE_SIZE]
        if not page:
            return _error("not_found", f"No {kind} match.", 404)
        last = page[-1]["identifier"] if start + PAGE_SIZE < len(matches) else -1
        return json_response({kind: page, "last_id": last}, 200)

    return answer


LOOKUP_ROUTES: list[tuple[str, str, Callable[[web.Request, TravtusWorkspace], Awaitable[web.Response]]]] = [
    ("GET", COMMUNITIES_PATH, communities_answer),
    ("POST", UNITS_FIND_PATH, finder("units", UNIT_FILTERS)),
    ("POST", PERSONS_FIND_PATH, finder("persons", PERSON_FILTERS)),
]


def _community(body: dict[str, Any], workspace: TravtusWorkspace) -> Community | None:
    if body.get("group_id"):
        return next((c for c in workspace.communities if c.community_id == body["group_id"]), None)
    return next((c for c in workspace.communities if c.community_external_ref == body.get("group_external_ref")),
                None)


def unknown_reference(body: dict[str, Any], workspace: TravtusWorkspace) -> str | None:
    """Why a task Travtus accepted cannot be created: a group, unit or person it does not have."""
    group = _community(body, workspace)
    if group is None:
        return f"no group {body.get('group_id') or body.get('group_external_ref')}"
    for key, ref in (("unit_id", "identifier"), ("unit_external_ref", "external_ref")):
        if body.get(key) and all(u[ref] != body[key] for u in group.units):
            return f"no unit {body[key]} in group {group.community_external_ref}"
    for role in ("creator", "assignee", "resident"):
        person = body.get(role)
        if not isinstance(person, dict):
            continue
        for key in ("identifier", "external_ref"):
            if person.get(key) and all(p[key] != person[key] for p in group.persons):
                return f"no person {person[key]} ({role}) in group {group.community_external_ref}"
    return None
