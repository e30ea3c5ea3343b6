"""Quo's look-ups: phone numbers (ID, number, or unique name) and users (ID or e-mail).

One ``GET /v1/phone-numbers`` (not paginated) gives every number with the people on it; pages of
``GET /v1/users`` are read only while a user is still not found, and stop as soon as every one is.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import phonenumbers

from ..references import MAX_CHOICES, Found, LookupClient, Lookups, Resolution, Want, did_you_mean, listed

NUMBERS_PATH = "/v1/phone-numbers"
USERS_PATH = "/v1/users"
USERS_PAGE = 50
PROGRESS_FROM = 100


def _name_key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _shown_number(item: dict[str, Any]) -> str:
    formatted = str(item.get("formattedNumber") or item.get("number") or item.get("id"))
    return f'{formatted} "{item["name"]}"' if item.get("name") else formatted


def _user_label(user: dict[str, Any]) -> str:
    name = " ".join(str(user[key]) for key in ("firstName", "lastName") if user.get(key))
    return f"{name} <{user.get('email')}>" if name else str(user.get("email") or "")


class QuoLookups(Lookups):
    """``phoneNumberId`` and ``assignedTo`` by what people know."""

    async def resolve(self, client: LookupClient, wants: Collection[Want]) -> Resolution:
        """Numbers from one call; users from the numbers' people, then pages of users while any is missing."""
        resolution = Resolution()
        numbers = [w for w in wants if w.field == "phoneNumberId"]
        users = [w for w in wants if w.field == "assignedTo"]
        status, body = await client.get(NUMBERS_PATH)
        resolution.requests += 1
        items = [item for item in (body or {}).get("data") or [] if isinstance(item, dict)] if status == 200 else []
        offered = [(str(item.get("formattedNumber") or item.get("number") or item.get("id")), _shown_number(item))
                   for item in items][:MAX_CHOICES]
        for want in numbers:
            self._number(want, items, resolution)
            if want in resolution.missing:
                resolution.choices[want] = offered
        known = {str(u.get("id")): u for item in items for u in item.get("users") or [] if isinstance(u, dict)}
        await self._users(client, users, known, resolution)
        return resolution

    def _number(self, want: Want, items: list[dict[str, Any]], resolution: Resolution) -> None:
        value = want.value
        by_id = next((item for item in items if item.get("id") == value), None)
        if by_id is not None:
            resolution.found[want] = Found(str(by_id["id"]), _shown_number(by_id))
            return
        e164 = _e164(value, self.phone_region)
        if e164 is not None:
            hit = next((item for item in items if item.get("number") == e164), None)
            if hit is not None:
                resolution.found[want] = Found(str(hit["id"]), _shown_number(hit))
            else:
                resolution.missing[want] = (f"no phone number {_international(e164)} in this Quo workspace; "
                                            f"its numbers are {_all_numbers(items)}")
            return
        named = [item for item in items if _name_key(str(item.get("name") or "")) == _name_key(value)]
        if len(named) == 1:
            resolution.found[want] = Found(str(named[0]["id"]), _shown_number(named[0]))
        elif named:
            resolution.missing[want] = (f"{len(named)} numbers of this Quo workspace are called {value!r} "
                                        f"({listed([_shown_number(i) for i in named])}): type the number instead")
        else:
            names = [str(item.get("name")) for item in items if item.get("name")]
            hint = did_you_mean(value, names, key=_name_key)
            what = "ID" if value.startswith("PN") else "phone number, or number named"
            resolution.missing[want] = (f"no {what} {value!r} in this Quo workspace; its numbers are "
                                        f"{_all_numbers(items)}{hint}")

    async def _users(self, client: LookupClient, wants: list[Want], known: dict[str, dict[str, Any]],
                     resolution: Resolution) -> None:
        pending = {want for want in wants if not _settle_user(want, known, resolution)}
        token: str | None = None
        pages = 0
        while pending:
            params = {"maxResults": str(USERS_PAGE), **({"pageToken": token} if token else {})}
            status, body = await client.get(USERS_PATH, params)
            resolution.requests += 1
            pages += 1
            if pages == 2 and len(pending) >= PROGRESS_FROM:
                client.progress(f"Looking up {len(pending)} Quo users…")
            data = body if isinstance(body, dict) and status == 200 else {}
            known.update({str(u.get("id")): u for u in data.get("data") or [] if isinstance(u, dict)})
            pending = {want for want in pending if not _settle_user(want, known, resolution)}
            token = data.get("nextPageToken")
            if not token:
                break
        emails = [str(u.get("email")) for u in known.values() if u.get("email")]
        offered = [(str(u.get("email")), _user_label(u)) for u in known.values() if u.get("email")][:MAX_CHOICES]
        for want in sorted(pending):
            value = want.value
            what = "user ID" if value.startswith("US") else "user with the e-mail" if "@" in value else "user"
            hint = did_you_mean(value, emails) if "@" in value else ""
            fix = "" if "@" in value or value.startswith("US") else ": type the user's e-mail or ID (US…)"
            resolution.missing[want] = (f"no {what} {value!r} in this Quo workspace "
                                        f"({len(known)} users){hint}{fix}")
            resolution.choices[want] = offered


def _settle_user(want: Want, known: dict[str, dict[str, Any]], resolution: Resolution) -> bool:
    value = want.value
    user = known.get(value)
    if user is None and "@" in value:
        wanted = value.casefold()
        user = next((u for u in known.values() if str(u.get("email") or "").casefold() == wanted), None)
    if user is None:
        return False
    resolution.found[want] = Found(str(user["id"]), _user_label(user))
    return True


def _e164(text: str, region: str) -> str | None:
    if not re.search(r"\d{3}", text) or re.search(r"[A-Za-z]{2}", text):
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _international(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _all_numbers(items: list[dict[str, Any]]) -> str:
    return listed([_shown_number(item) for item in items], limit=8) if items else "none"
