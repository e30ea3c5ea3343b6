"""Where a results file's outcomes come from: the ``_sent_to`` column and the Summary sheet's description.

A row's ``_sent_to`` names the provider and endpoint it was sent to (``quo https://api.openphone.com``),
or says it went to the built-in sandbox. Given back as input, a row marked ``created`` counts as
created only for a run to that same place: a sandbox try's results used for a real run send every row.
"""

from __future__ import annotations

from datetime import datetime

SENT_TO_COLUMN = "_sent_to"
SANDBOX = "sandbox (nothing real was created)"


def sent_to_label(provider: str, url: str, *, sandbox: bool) -> str:
    """The ``_sent_to`` value of a run to ``provider`` at ``url`` (or to the sandbox)."""
    return SANDBOX if sandbox else f"{provider} {url}"


def same_place(marked: str, label: str) -> bool:
    """Whether a row marked ``marked`` (blank: made before the marker existed, or by hand) counts for ``label``."""
    marked = marked.strip()
    return not marked or marked == label


def run_description(*, provider: str, sent_to: str | None, timezone: str,
                    when: datetime) -> list[tuple[str, str]]:
    """What the run was, as (label, value) lines for the top of the Summary sheet (the counts follow)."""
    if sent_to is None:
        where = "nothing was sent (validation only)"
    elif sent_to == SANDBOX:
        where = "sandbox: nothing real was created"
    else:
        where = sent_to.partition(" ")[2]
    return [("provider", provider), ("sent to", where),
            ("dates without a time zone read in", timezone),
            ("when", when.astimezone().isoformat(sep=" ", timespec="seconds"))]
