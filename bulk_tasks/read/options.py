"""Which reading options a run used (``--timezone``, ``--dayfirst``, ``--phone-region``).

They decide what a cell means, so they decide each row's payload and, for rows without an
``external_ref``, its identity. A run says which zone dates without one were read in (``note``), the
journal records the options, and a re-run that would read the same sheet differently is refused
(``check_same_reading``) unless the user gives the new options explicitly.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ResumeError

OPTIONS = ("timezone", "dayfirst", "phone_region")
ZONE_GIVEN = "given with --timezone"
ZONE_LOCAL = "this computer's zone"
ZONE_FALLBACK = "no time zone is set on this computer"


@dataclass
class Reading:
    """The options of one run, which of them the user gave, and which changed a value read."""

    timezone: str
    zone_origin: str
    dayfirst: bool
    phone_region: str
    explicit: frozenset[str] = frozenset()
    #: Filled while the sheet is read (``ValueReader.used``).
    used: set[str] = field(default_factory=set)

    def record(self) -> dict[str, Any]:
        """The journal record of these options."""
        return {"type": "reading", **{name: getattr(self, name) for name in OPTIONS}}

    def note(self) -> str | None:
        """The sentence saying which zone dates without one were read in, when the sheet had such dates."""
        if "timezone" not in self.used:
            return None
        change = "" if self.zone_origin == ZONE_GIVEN else "; use --timezone to change"
        return f"Dates without a time zone were read as {self.timezone} ({self.zone_origin}){change}."


def check_same_reading(earlier: dict[str, Any] | None, reading: Reading, journal: Path) -> None:
    """Refuse (``ResumeError``) a run that reads values with other options than the run recorded before,
    unless the user gave the new options explicitly. Only options that changed some value count."""
    if not earlier:
        return
    changed = [name for name in OPTIONS if name in reading.used and name not in reading.explicit
               and name in earlier and not _same(name, earlier[name], getattr(reading, name))]
    if not changed:
        return
    before = " ".join(_flag(name, earlier[name]) for name in changed)
    now = " ".join(_flag(name, getattr(reading, name)) for name in changed)
    origin = f" ({reading.zone_origin})" if "timezone" in changed else ""
    raise ResumeError(
        f"This import was run before with {before} (recorded in {journal.name}), but this run would read "
        f"the sheet with {now}{origin}: rows read before would become different tasks and could be created "
        f"twice. Run again with {before} to read the sheet as before, or give {now} yourself if you mean "
        "the change.")


def _same(name: str, before: Any, now: Any) -> bool:
    if before == now:
        return True
    return name == "timezone" and isinstance(before, str) and _zone_data(before) == _zone_data(now) is not None


def _zone_data(key: str) -> bytes | None:
    """The TZif data behind a zone name, where ``zoneinfo`` would find it: two names of one zone
    (``UTC`` and ``Etc/UTC``, ``US/Eastern`` and ``America/New_York``) read every date alike."""
    if not key or key.startswith(("/", ".")) or ".." in key:
        return None
    for folder in zoneinfo.TZPATH:
        candidate = Path(folder, key)
        if candidate.is_file():
            return candidate.read_bytes()
    try:
        return resources.files("tzdata.zoneinfo").joinpath(key).read_bytes()
    except (ModuleNotFoundError, OSError):
        return None


def _flag(name: str, value: Any) -> str:
    if name == "dayfirst":
        return "--dayfirst" if value else "--no-dayfirst"
    return f"--{name.replace('_', '-')} {value}"
