"""Travtus' look-ups: groups (``GET /communities/``), then units and people within each group.

Each distinct group is asked once. Units and people are asked per group: one ``find`` per value
when a group names only a few, else the group's records a page (100) at a time, stopping as soon as
every value is found. Nothing is created by looking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from ..references import MAX_CHOICES, Found, LookupClient, Lookups, Resolution, Want, did_you_mean

COMMUNITIES_PATH = "/communities/"
FIND = {"unit": ("/units/find/", "units"), "person": ("/persons/find/", "persons")}
#: A group naming at most this many units (or people) asks for each; more, and its records are paged.
ASK_EACH_UP_TO = 3
PROGRESS_FROM = 100
_GROUP_PARAM = {"group_id": "community_id", "group_external_ref": "community_external_ref"}


def _record_key(name: str) -> str:
    """The key of a unit or person record that a field names (``unit_id`` → ``identifier``)."""
    last = name.rsplit(".", 1)[-1]
    return "identifier" if last in ("unit_id", "identifier") else "external_ref"


def _kind(name: str) -> str:
    if name in _GROUP_PARAM:
        return "group"
    return "unit" if name.startswith("unit_") else "person"


def _person_label(person: dict[str, Any]) -> str:
    return " ".join(str(person[key]) for key in ("first_name", "last_name") if person.get(key))


class TravtusLookups(Lookups):
    """Groups, units and people named by ID or external reference."""

    async def resolve(self, client: LookupClient, wants: Collection[Want]) -> Resolution:
        """Groups first; then, within each group found, its units and people."""
        resolution = Resolution()
        groups = sorted(w for w in wants if _kind(w.field) == "group")
        found_groups: dict[tuple[str, str], dict[str, Any]] = {}
        if len(groups) >= PROGRESS_FROM:
            client.progress(f"Looking up {len(groups)} Travtus groups…")
        for want in groups:
            status, body = await client.get(COMMUNITIES_PATH, {_GROUP_PARAM[want.field]: want.value})
            resolution.requests += 1
            hits = (body or {}).get("communities") if status == 200 and isinstance(body, dict) else None
            if hits:
                found_groups[(want.field, want.value)] = hits[0]
                resolution.found[want] = Found(want.value, str(hits[0].get("name") or ""))
        seen = [w.value for w in resolution.found]
        for want in groups:
            if want not in resolution.found:
                resolution.missing[want] = (f"no group (property) {want.value!r} in this Travtus workspace"
                                            f"{did_you_mean(want.value, seen)}")
                resolution.choices[want] = [(w.value, found.label) for w, found in resolution.found.items()
                                            if w.field == want.field][:MAX_CHOICES]
        for kind in ("unit", "person"):
            await self._within_groups(client, kind, [w for w in wants if _kind(w.field) == kind],
                                      found_groups, resolution)
        return resolution

    async def _within_groups(self, client: LookupClient, kind: str, wants: list[Want],
                             groups: dict[tuple[str, str], dict[str, Any]], resolution: Resolution) -> None:
        by_group: dict[tuple[str, str], list[Want]] = defaultdict(list)
        for want in wants:
            if want.scope in groups:
                by_group[want.scope].append(want)  # type: ignore[index]
        if len(wants) >= PROGRESS_FROM:
            client.progress(f"Looking up {len(wants)} Travtus {kind}s…")
        for scope, group_wants in sorted(by_group.items()):
            group = groups[scope]
            records = await self._records(client, kind, str(group.get("community_id")), group_wants, resolution)
            self._settle(kind, group, group_wants, records, resolution)

    async def _records(self, client: LookupClient, kind: str, group_id: str, wants: list[Want],
                       resolution: Resolution) -> list[dict[str, Any]]:
        path, key = FIND[kind]
        records: list[dict[str, Any]] = []
        if len(wants) <= ASK_EACH_UP_TO:
            for want in wants:
                status, body = await client.find(path, {"group_ids": [group_id],
                                                        _record_key(want.field): want.value})
                resolution.requests += 1
                records.extend(_page(status, body, key))
            return records
        pending = {(_record_key(w.field), w.value) for w in wants}
        after: Any = None
        while pending:
            query: dict[str, Any] = {"group_ids": [group_id], **({"after-id": after} if after is not None else {})}
            status, body = await client.find(path, query)
            resolution.requests += 1
            page = _page(status, body, key)
            records.extend(page)
            pending -= {(field, str(record.get(field))) for record in page for field in ("identifier", "external_ref")}
            after = body.get("last_id") if isinstance(body, dict) else -1
            if not page or after in (None, -1, "-1"):
                break
        return records

    def _settle(self, kind: str, group: dict[str, Any], wants: list[Want], records: list[dict[str, Any]],
                resolution: Resolution) -> None:
        index = {(field, str(record.get(field))): record for record in records
                 for field in ("identifier", "external_ref") if record.get(field)}
        where = group.get("community_external_ref") or group.get("community_id")
        for want in wants:
            field = _record_key(want.field)
            record = index.get((field, want.value))
            if record is not None:
                resolution.found[want] = Found(want.value, _record_label(kind, record))
                continue
            seen = [value for (key, value) in index if key == field]
            resolution.missing[want] = (f"no {kind} with {field} {want.value!r} in group {where} of this Travtus "
                                        f"workspace{did_you_mean(want.value, seen)}")
            resolution.choices[want] = [(value, _record_label(kind, index[(field, value)]))
                                        for value in seen][:MAX_CHOICES]


def _record_label(kind: str, record: dict[str, Any]) -> str:
    return _person_label(record) if kind == "person" else f"unit {record.get('unit_number') or ''}".strip()


def _page(status: int, body: Any, key: str) -> list[dict[str, Any]]:
    if status != 200 or not isinstance(body, dict):
        return []
    return [record for record in body.get(key) or [] if isinstance(record, dict)]
