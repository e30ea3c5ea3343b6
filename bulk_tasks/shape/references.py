"""References in the payloads: which distinct values to look up, and the look-ups' answer applied to the rows.

Plain data in, plain data out: ``wanted`` lists each distinct value of a reference field (within its
scope, such as the row's group); ``apply_references`` takes a ``References`` (what the look-ups
found, or why nothing was looked up) and gives the field frame with IDs in place of what was typed,
an error for each row naming an unknown value, and a note per row saying what each value resolved to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..check.rows import RowError, shown_value
from ..providers import Provider
from ..providers.references import Found, Reference, Resolution, Want

_SEP = "\x1f"
#: The results column that shows what each reference resolved to.
RESOLVED_COLUMN = "_resolved"


@dataclass(frozen=True)
class References:
    """How a run's references were checked: ``resolution`` from the workspace, or ``unchecked``: why not
    (a phrase such as ``--offline looks nothing up``) with ``how`` to check them. ``earlier``: the IDs an
    earlier run of this import used (from its journal); they are kept, and a row whose value the
    workspace now resolves otherwise is stopped (``Prepared.stopped``)."""

    resolution: Resolution | None = None
    unchecked: str | None = None
    earlier: Mapping[Want, str] = field(default_factory=dict)


def _scope_keys(fields: pd.DataFrame, scope: tuple[str, ...]) -> np.ndarray:
    """Each row's scope as ``field<US>value`` (the first filled of ``scope``), None where none is filled."""
    keys = np.full(len(fields), None, dtype=object)
    for name in reversed(scope):
        column = fields[name]
        present = column.notna().to_numpy()
        keys[present] = (name + _SEP + column[present].astype(str)).to_numpy(dtype=object)
    return keys


def _keys(fields: pd.DataFrame, name: str, reference: Reference) -> pd.Series:
    """Each row's key of ``name`` (its value, plus its scope), NA where the field is empty."""
    column = fields[name]
    if not reference.scope:
        return column
    scope = pd.Series(_scope_keys(fields, reference.scope), index=fields.index, dtype=object)
    return (column + _SEP + scope).where(column.notna() & scope.notna())


def _want(name: str, key: str, reference: Reference) -> Want:
    if not reference.scope:
        return Want(name, key)
    value, scope_field, scope_value = key.split(_SEP, 2)
    return Want(name, value, (scope_field, scope_value))


def _key(want: Want) -> str:
    return want.value if want.scope is None else _SEP.join((want.value, *want.scope))


def wanted(fields: pd.DataFrame, provider: Provider) -> list[Want]:
    """Every distinct value of every reference field of ``fields`` (within its scope), in a stable order."""
    wants: list[Want] = []
    for name, reference in provider.references.items():
        if name not in fields or fields[name].isna().all():
            continue
        keys = _keys(fields, name, reference).dropna()
        wants.extend(_want(name, key, reference) for key in pd.unique(keys.to_numpy(dtype=object)))
    return sorted(wants)


@dataclass
class Applied:
    """``apply_references``'s result: the field frame to build payloads from, errors, notes, stopped rows."""

    fields: pd.DataFrame
    errors: list[RowError]
    notes: dict[int, str]
    stopped: dict[int, str]
    #: Header → (row → what its value resolved to: ``PNk3… "Main line"``), for the cells a look-up changed or named.
    shown: dict[str, pd.Series] = field(default_factory=dict)
    #: (row, header) of an unknown value → the workspace's values to choose from (``Resolution.choices``).
    choices: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)


def unchecked_rule(provider: Provider, name: str, why: str) -> str:
    """The rule of a value that needs a look-up when none was made."""
    prefix = next((spec.prefix for spec in provider.fields if spec.name == name), "")
    reference = provider.references[name]
    shape = f"an ID starting with {prefix}" if prefix else "an ID"
    return (f"is not {shape}: {reference.accepts} is turned into its ID by a look-up in the "
            f"{provider.name.capitalize()} workspace, and {why}")


def apply_references(fields: pd.DataFrame, provider: Provider, references: References,
                     header_of: Mapping[str, str]) -> Applied:
    """The references of ``fields`` checked: IDs in place of typed values, errors, notes and stopped rows."""
    applied = Applied(fields, [], {}, {})
    if not provider.references or fields.empty:
        return applied
    notes: list[pd.Series] = []
    for name, reference in provider.references.items():
        if name not in fields or fields[name].isna().all():
            continue
        header = header_of.get(name, name)
        if references.resolution is None:
            if reference.accepts:
                _unchecked(applied, provider, name, header, references.unchecked or "nothing was looked up")
            continue
        _resolved(applied, name, reference, header, references, notes)
    applied.notes = _joined(notes)
    return applied


def _joined(notes: list[pd.Series]) -> dict[int, str]:
    """Row → its fields' notes joined with ``; `` (each Series: row → note)."""
    joined: dict[int, str] = {}
    for series in notes:
        for row, text in zip(series.index.tolist(), series.tolist()):
            joined[row] = f"{joined[row]}; {text}" if row in joined else text
    return joined


def _unchecked(applied: Applied, provider: Provider, name: str, header: str, why: str) -> None:
    column = applied.fields[name].dropna()
    prefix = next((spec.prefix for spec in provider.fields if spec.name == name), "")
    needing = column[~column.str.startswith(prefix)] if prefix else column
    rule = unchecked_rule(provider, name, why)
    for row, value in needing.items():
        applied.errors.append(RowError(int(row), header, shown_value(value), rule))


def _resolved(applied: Applied, name: str, reference: Reference, header: str, references: References,
              notes: list[pd.Series]) -> None:
    resolution = references.resolution
    assert resolution is not None
    keys = _keys(applied.fields, name, reference)
    present = keys.dropna()
    found: dict[str, Found] = {}
    missing: dict[str, str] = {}
    choices: dict[str, list[tuple[str, str]]] = {}
    changed: dict[str, str] = {}
    for key in pd.unique(present.to_numpy(dtype=object)):
        want = _want(name, key, reference)
        earlier = references.earlier.get(want)
        now = resolution.found.get(want)
        if earlier is not None:
            found[key] = Found(earlier, now.label if now is not None and now.id == earlier else "")
            if now is None or now.id != earlier:
                changed[key] = _changed(want, earlier, now, resolution.missing.get(want))
        elif now is not None:
            found[key] = now
        elif want in resolution.missing:  # neither: not looked up, as its scope (the group) is unknown
            missing[key] = resolution.missing[want]
            choices[key] = resolution.choices.get(want, [])
    for row, key in present[present.isin(list(missing))].items():
        applied.errors.append(RowError(int(row), header, shown_value(_want_value(key)), missing[key]))
        if choices[key]:
            applied.choices[(int(row), header)] = choices[key]
    for row, key in present[present.isin(list(changed))].items():
        applied.stopped[int(row)] = f"{header} = {_want_value(key)!r}: {changed[key]}"
    _substitute(applied, name, present, found)
    beside = {key: _shown(_want_value(key), hit) for key, hit in found.items()}
    shown = present.map({key: text for key, text in beside.items() if text}).dropna()
    applied.shown[header] = shown
    notes.append(present.map({key: f"{header}: {_want_value(key)} → {text}"
                              for key, text in beside.items() if text}).dropna())


def _changed(want: Want, earlier: str, now: Found | None, missing: str | None) -> str:
    says = f"now resolves to {now.id}" if now is not None else (missing or "is no longer in the workspace")
    return (f"an earlier run of this import used {earlier} for it, but the workspace {says}; the row is not "
            "sent, so that it does not go somewhere else. Check the value; to send it anyway, use a new "
            "results file (--results)")


def _substitute(applied: Applied, name: str, present: pd.Series, found: Mapping[str, Found]) -> None:
    values = applied.fields[name]
    replaced = {key: hit.id for key, hit in found.items() if hit.id != _want_value(key)}
    if not replaced:
        return
    mapped = present.map(replaced).reindex(values.index)
    fields = applied.fields.copy(deep=False)
    fields[name] = values.where(mapped.isna(), mapped)
    applied.fields = fields


def _want_value(key: str) -> str:
    return key.split(_SEP, 1)[0]


def _shown(typed: str, found: Found) -> str:
    """What ``typed`` resolved to, as shown after its arrow (``PNk3… "Main line"``); empty when nothing to add."""
    if found.id == typed and not found.label:
        return ""
    target = found.id if found.id != typed else ""
    label = found.label.removeprefix(typed).strip()  # (415) 555-0100 → PN… "Main line"
    return " ".join(part for part in (target, label) if part)
