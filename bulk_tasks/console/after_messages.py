"""The sentences of ``verify``, ``undo`` and ``run --update``: one source for the command line and the page."""

from __future__ import annotations

from typing import Any

NO_RESULTS = ("{path} does not exist: give {command} the results file of an import (such as "
              "tasks.results.xlsx, written beside the sheet by bulk-tasks run).")
NOT_RESULTS = ("{path} is not a results file of bulk-tasks (it has no _status column): give {command} the "
               "results file of an import (such as tasks.results.xlsx, written beside the sheet by bulk-tasks run).")
NO_PLACE = ("{path} does not say where its rows were sent (there is no journal beside it and no _sent_to "
            "column), so {command} cannot tell which provider to ask: give it the results file a run wrote.")
SANDBOX_GONE = ("{path} holds a --sandbox try: the built-in sandbox kept its tasks only while that run lasted, so "
                "there is nothing left to {command}. To try {command}, serve the sandbox (bulk-tasks sandbox) and "
                "run the sheet with its --base-url first.")
DISAGREES = ("{path} was sent to {provider} at {url}, not as {given} says: leave {given} out ({path} says where "
             "its rows went), or give the results file of the import you mean.")
BAD_ROWS = ("--rows {spec!r} is not a list of row numbers: write them as in the results file's _row column, "
            "like 2-40,57 (row 1 is the header).")
CANNOT_DELETE = ("{provider} offers no way to take a task back through its API, so bulk-tasks cannot undo this "
                 "import: delete the tasks in {provider} itself (the results file lists each _task_id).")
CANNOT_LOOK_UP = ("{provider} offers no way to look a task up through its API, so bulk-tasks cannot check "
                  "what was created: look for the rows of {{path}} in {provider} itself.")
LOOKUP_REFUSED = ("{provider} refused the credentials (HTTP {status}: {error}); check the API key or token in "
                  "the environment, then run again. Nothing was changed.")
LOOKUP_FAILED = ("{provider} could not be asked for GET {path} ({error}, after {attempts} attempts): check the "
                 "network and the provider's status, then run again. Nothing was changed.")
LOOKUP_STOPPED = ("Stopped while looking the tasks up in {provider}: nothing was changed, in {provider} or in the "
                  "results file. Run the same command again.")
ALREADY_GONE = "already gone before this undo (deleted in the provider, or by an earlier undo): nothing to take back"
TAKEN_BACK = "taken back by bulk-tasks undo on {when}"
KEPT_EDITED = ("kept: edited in Quo since bulk-tasks created it (revision {before}, now {now}); to delete it "
               "anyway, run undo again with --force")
UNDO_FAILED = "undo did not take it back ({status}: {error}); run undo again for the rest"
UNDO_LINE = "{when}: {count} tasks taken back ({kept} kept or not taken back)"
NOTHING_TO_UNDO = "Nothing to take back: no row of {path} holds a task this import created (or it was taken back)."
UNDO_QUESTION = "About to delete {count} in {provider} at {url}. Continue? [y/N]"
FOUND = "found in {provider} by bulk-tasks verify on {when}: it was created"
MORE_MATCHES = "; other tasks match it too ({others}): one of them may be a copy"
NOT_FOUND = ("not in {provider} when bulk-tasks verify looked on {when}: it was never created, so the next run "
             "sends it (once)")
GONE = "no longer in {provider} (deleted since bulk-tasks created it; checked on {when})"
EDITED = "edited in {provider} since bulk-tasks created it (revision {before}, now {now})"
VERIFY_LINE = ("{when}: {checked} rows checked: {found} uncertain found (created), {again} to send again, "
               "{gone} gone, {edited} edited since")
CHANGED = "{fields}; nothing was sent: run again with --update to send the change"
CANNOT_UPDATE = ("{provider} cannot change {fields} of a task that exists; nothing was sent: take it back "
                 "(bulk-tasks undo RESULTS --rows {row}) and run again to create it anew")
UPDATED = "updated on {when}: {fields}"
UPDATE_FAILED = "the change did not go through ({status}: {error}); run again with --update for the rest"
RECREATED = "{count} taken back on {when}; they are created again."
VERIFIED_FIRST = ("Looked the {checked} uncertain rows up in {provider} first: {found} were created (now created), "
                  "{again} were not and are sent now.")


def rows_list(rows: list[int]) -> str:
    """``row 4`` / ``rows 4, 9``."""
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(map(str, sorted(rows)))


def verify_lines(summary: Any, command: str) -> list[str]:
    """What ``verify`` says at the end: what it found, what the next run does, where the results are."""
    name = summary.provider.capitalize()
    if not summary.checked:
        return [f"Nothing to check: no row of {summary.results_path} is created or uncertain."]
    requests = f"{summary.requests} request{'' if summary.requests == 1 else 's'}"
    lines = [f"Checked {summary.checked} rows in {name} at {summary.base_url} ({requests})."]
    if summary.found:
        lines.append(f"  {len(summary.found)} uncertain rows were created: now created, with their task ID "
                     f"({rows_list(summary.found)}).")
    if summary.send_again:
        lines.append(f"  {len(summary.send_again)} uncertain rows were never created: the next run sends them, "
                     f"once ({rows_list(summary.send_again)}): {command}")
    if summary.gone:
        lines.append(f"  {len(summary.gone)} created tasks are no longer in {name} ({rows_list(summary.gone)}).")
    if summary.edited:
        lines.append(f"  {len(summary.edited)} created tasks were edited in {name} since "
                     f"({rows_list(summary.edited)}).")
    return [*lines, f"Results: {summary.results_path}"]


def undo_lines(summary: Any, force_command: str) -> list[str]:
    """What ``undo`` says at the end."""
    name = summary.provider.capitalize()
    if summary.declined:
        return ["Nothing was taken back."]
    lines = [summary.stopped_reason] if summary.stopped_reason else []
    taken = len(summary.deleted) + len(summary.already_gone)
    gone = f" ({len(summary.already_gone)} were already gone)" if summary.already_gone else ""
    lines.append(f"Took back {taken} task{'s' if taken != 1 else ''} in {name} at {summary.base_url}{gone}.")
    if summary.kept:
        lines.append(f"Kept {len(summary.kept)} edited in {name} since bulk-tasks created them "
                     f"({rows_list(summary.kept)}): to delete them too: {force_command}")
    if summary.failed:
        lines.append(f"{len(summary.failed)} were not taken back ({rows_list(summary.failed)}; see _error): "
                     "run the same command again for them.")
    if summary.not_created:
        lines.append(f"{len(summary.not_created)} of the rows asked for hold no task this import created "
                     f"({rows_list(summary.not_created)}).")
    return [*lines, f"Results: {summary.results_path}"]
