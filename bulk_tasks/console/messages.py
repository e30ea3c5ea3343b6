"""The sentences a person reads after a command: the problems, the closing line, what to do next.

One source for the command line and any other front end (the web page): each function returns
plain text lines and prints nothing.
"""

from __future__ import annotations

import shutil
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..statuses import RowStatus
from .shell import command_line, current_shell, shell_quote
from .wording import CLI, Words

if TYPE_CHECKING:
    from ..report.summary import Summary

MAX_ROWS_SHOWN = 12
MAX_KINDS_SHOWN = 15
#: Reasons of ``not_sent`` rows that the closing advice already explains.
_HALTED = ("the run stopped", "interrupted", "not sent:")
#: The advice on uncertain rows says this once for all of them.
_MAY_EXIST = "; the task may have been created"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows``."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def rows_text(rows: Sequence[int], limit: int | None = MAX_ROWS_SHOWN) -> str:
    """``row 4`` or ``rows 2, 3 and 12 more``."""
    shown = ", ".join(map(str, rows[:limit]))
    more = f" and {len(rows) - limit} more" if limit is not None and len(rows) > limit else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}{more}"


def invoked_as(argv0: str | None = None) -> str:
    """How to start bulk-tasks again the way it was started: ``bulk-tasks`` when that is on the PATH,
    else the path typed (``.venv/bin/bulk-tasks``, ``.venv\\Scripts\\bulk-tasks``) or ``python -m bulk_tasks``."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    path = Path(argv0)
    if path.name == "__main__.py" and path.parent.name == "bulk_tasks":
        return f"{shell_quote(sys.executable)} -m bulk_tasks"
    if not path.name.lower().startswith("bulk-tasks"):
        return "bulk-tasks"
    found = shutil.which("bulk-tasks")
    if found and Path(found).resolve() == path.resolve():
        return "bulk-tasks"
    return shell_quote(str(path.with_suffix("")) if path.suffix.lower() == ".exe" else argv0)


@dataclass(frozen=True)
class Command:
    """The command as the person typed it (after the program), to suggest the next one."""

    words: tuple[str, ...]
    input: str
    program: str = "bulk-tasks"
    #: ``shell.POSIX`` or ``shell.POWERSHELL``: how ``text`` quotes.
    shell: str = field(default_factory=current_shell)

    def text(self) -> str:
        """The command, ready to paste into the shell: no word in it can run anything."""
        return command_line(self.program, self.words, self.shell)

    def sending(self) -> Command:
        """The same with ``run`` instead of ``validate`` and without ``--dry-run``."""
        words = ["run" if word == "validate" and i == 0 else word for i, word in enumerate(self.words)]
        return Command(tuple(word for word in words if word != "--dry-run"), self.input, self.program, self.shell)

    def on(self, path: Path | str) -> Command:
        """The same on another input (a results file, updated in place): ``--results`` as needed."""
        from ..report.write import default_results_path

        words: list[str] = []
        skip = replaced = False
        for word in self.words:
            if skip:
                skip = False
            elif word == "--results":
                skip = True
            elif word.startswith("--results="):
                continue
            elif word == self.input and not replaced:
                words.append(str(path))
                replaced = True
            else:
                words.append(word)
        if default_results_path(Path(path)) != Path(path):
            words += ["--results", str(path)]
        return Command(tuple(words), str(path), self.program, self.shell)

    def adding(self, *flags: str) -> Command:
        """The same with ``flags`` added (those already there are not repeated)."""
        return Command((*self.words, *(flag for flag in flags if flag not in self.words)), self.input, self.program,
                       self.shell)


def problem_lines(summary: Summary, verbose: bool = False, words: Words = CLI) -> list[str]:
    """Each kind of problem once with its rows; what the closing advice explains is left out."""
    grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
    for error in summary.errors:
        grouped[(error.column, error.rule)].append(error.row)
    lines = []
    if grouped:
        invalid = len({error.row for error in summary.errors})
        lines.append(f"{invalid:,} of {plural(summary.total, 'row')} {_is(invalid)} invalid:")
    kinds = [*sorted(grouped.items(), key=lambda item: item[1][0]),
             *sorted(((key, rows) for key, rows in summary.problems.items() if not _explained(summary, *key)),
                     key=lambda item: item[1][0])]
    limit = None if verbose else MAX_KINDS_SHOWN
    for (label, text), rows in kinds[:limit]:
        text = text.split(_MAY_EXIST)[0] if label == RowStatus.UNCERTAIN.value else text
        shown = words.status(label) if (label, text) in summary.problems else label
        lines.append(f"  {shown}: {text} ({rows_text(rows, None if verbose else MAX_ROWS_SHOWN)})")
    if limit is not None and len(kinds) > limit:
        lines.append(f"  … and {len(kinds) - limit} more kinds of problem: see _error in the results file, or add -v.")
    return lines


def _explained(summary: Summary, status: str, reason: str) -> bool:
    """A group of rows whose reason the stop sentence or the advice already gives."""
    if status == RowStatus.NOT_SENT.value:
        return reason.startswith(_HALTED) or blocked(summary)
    stopped = summary.stopped_reason
    return bool(stopped) and status == RowStatus.FAILED.value and reason in (stopped or "")


def blocked(summary: Summary) -> bool:
    """Nothing was sent because some rows are invalid (and ``--skip-invalid`` was not given)."""
    counts = summary.counts
    return (not summary.validating and bool(counts.get(RowStatus.INVALID.value))
            and bool(counts.get(RowStatus.NOT_SENT.value)) and not summary.sent
            and not summary.stopped_reason and not summary.interrupted)


def closing_lines(summary: Summary, words: Words = CLI) -> list[str]:
    """Why the run stopped (once), then the counts line (statuses as ``words`` says them)."""
    lines = [summary.stopped_reason] if summary.stopped_reason else []
    if any(reason == DECLINED for _, reason in summary.problems):
        lines.append("Nothing was sent.")
    if blocked(summary):
        invalid = summary.counts[RowStatus.INVALID.value]
        lines.append(f"Nothing was sent because {plural(invalid, 'row')} {_is(invalid)} invalid.")
    return [*lines, summary_line(summary, words)]


def summary_line(summary: Summary, words: Words = CLI) -> str:
    """One closing line: counts per status, elapsed, rows/s, the results path."""
    counts = ", ".join(f"{count:,} {words.status(status)}" for status, count in summary.counts.items()) or "no rows"
    speed = f", {summary.sent / summary.elapsed:.1f} rows/s" if summary.sent and summary.elapsed > 0 else ""
    where = f" Results: {summary.results_path}" if summary.results_path else ""
    return f"{plural(summary.total, 'row')}: {counts} ({summary.elapsed:.1f} s{speed}).{where}{workbook_hint(summary)}"


def workbook_hint(summary: Summary) -> str:
    """After a CSV results path: how to get the highlighted Excel workbook instead."""
    path = summary.results_path
    if path is None or path.suffix.lower() != ".csv":
        return ""
    return f" (for a highlighted Excel workbook, add --results {shell_quote(str(path.with_suffix('.xlsx')))})"


def next_steps(summary: Summary, command: Command | None = None, provider: str = "the provider",
               words: Words = CLI) -> list[str]:
    """What to do now, with the exact command to paste when ``command`` (the one just run) is given;
    ``words``: how the front end names its own controls (``wording.PAGE`` for the page)."""
    if summary.validating:
        return _after_checking(summary, command, words)
    if blocked(summary):
        return _after_blocked(summary, command, words)
    return [words.say(step) for step in _after_sending(summary, command, provider, words)]


def _after_checking(summary: Summary, command: Command | None, words: Words) -> list[str]:
    invalid = summary.counts.get(RowStatus.INVALID.value, 0)
    if invalid:
        return [_fix_invalid(invalid, summary.results_path, command, words.check_again, words)]
    if not summary.total:
        return []
    total = summary.total
    valid = f"All {plural(total, 'row')} {_is(total)} valid."
    return [f"{valid} Send {'it' if total == 1 else 'them'} with: {command.sending().text()}" if command else valid]


def _after_blocked(summary: Summary, command: Command | None, words: Words) -> list[str]:
    invalid = summary.counts[RowStatus.INVALID.value]
    valid = summary.counts.get(RowStatus.NOT_SENT.value, 0)
    skip = command.adding("--skip-invalid").text() if command else None
    return [_fix_invalid(invalid, summary.results_path, command, words.send_again, words),
            words.say(f"Or send the {plural(valid, 'valid row')} now and leave the invalid ones for later"
                      + _then(skip, " with --skip-invalid."))]


def _after_sending(summary: Summary, command: Command | None, provider: str, words: Words) -> list[str]:
    counts, results = summary.counts, summary.results_path
    failed = counts.get(RowStatus.FAILED.value, 0)
    remaining = counts.get(RowStatus.NOT_SENT.value, 0) + failed
    on_results = command.on(results).text() if command and results else None
    steps: list[str] = []
    if (summary.interrupted or summary.stopped_reason) and remaining:
        again = words.again if summary.stopped_reason and not summary.interrupted else words.again[:1].upper() + \
            words.again[1:]
        first = "Once that is fixed, " if summary.stopped_reason and not summary.interrupted else ""
        steps.append(f"{first}{again} to send the remaining {plural(remaining, 'row')}.")
    elif failed:
        steps.append(f"{plural(failed, 'row')} failed (see {'its' if failed == 1 else 'their'} _error). Where the "
                     f"provider refused a value, fix it in {results or words.results}; then send "
                     f"{'it' if failed == 1 else 'them'} again" + _then(on_results, "."))
    invalid = counts.get(RowStatus.INVALID.value, 0)
    if invalid:
        steps.append(_fix_invalid(invalid, results, command, words.send_again, words))
    uncertain = sorted(row for (status, _), rows in summary.problems.items()
                       if status == RowStatus.UNCERTAIN.value for row in rows)
    if uncertain:
        steps.extend(_uncertain_steps(uncertain, results, command, provider, words))
    return steps


def _then(command_text: str | None, otherwise: str) -> str:
    return f": {command_text}" if command_text else otherwise


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


def _fix_invalid(invalid: int, results: Path | None, command: Command | None, then: str,
                 words: Words = CLI) -> str:
    follow = command.on(results).text() if command and results else None
    return (f"Fix the {plural(invalid, 'invalid row')} in {results or words.results} (the {words.problem_column} "
            f"column says what to change), then {then}" + _then(follow, "."))


def _uncertain_steps(rows: list[int], results: Path | None, command: Command | None, provider: str,
                     words: Words = CLI) -> list[str]:
    count = len(rows)
    them = "it" if count == 1 else "them"
    retry = command.adding("--retry-uncertain").text() if command else None
    marked = command.on(results).adding("--retry-uncertain").text() if command and results else None
    return [
        f"{plural(count, 'row')} may have been created even though no clear answer came back (uncertain, "
        f"{rows_text(rows)}): look {them} up in {provider} (by title, due date and the other values of "
        f"{'its' if count == 1 else 'their'} row), then either",
        f"  - if none exists, send {them} again" + _then(retry, " with --retry-uncertain."),
        f"  - or set _status to created in {results or words.results} for each one you found, and send "
        "the rest" + _then(marked, " with --retry-uncertain."),
        *([words.look_up.format(provider=provider) if words.look_up else _looked_up(provider, results, command)]
          if _can_look_up(provider) else []),
    ]


def _can_look_up(provider: str) -> bool:
    from ..providers import PROVIDERS

    kind = PROVIDERS.get(provider.lower())
    return kind is not None and kind().task_lookup() is not None


def _looked_up(provider: str, results: Path | None, command: Command | None) -> str:
    check = (Command(("verify", str(results)), str(results), command.program).text()
             if command and results else "bulk-tasks verify RESULTS")
    return (f"  {provider} can be asked: with --retry-uncertain bulk-tasks looks them up in {provider} first and "
            f"sends only those not found; or look them up without sending anything: {check}")


def after_template(path: Path, provider: str, fmt: str, program: str = "bulk-tasks") -> str:
    """What to do with a fresh template."""
    how = 'the "How to fill" sheet explains each column' if fmt == "xlsx" else "one task per row"
    check = Command(("validate", str(path), "-p", provider), str(path), program)
    return f"Fill it in ({how}), save it, then check it: {check.text()}"


def confirmation_question(count: int, provider: str, base_url: str, updates: int = 0) -> str:
    """The question asked once before a real run sends anything (``updates``: tasks ``--update`` changes)."""
    what = f"create {plural(count, 'task')}" if count or not updates else ""
    if updates:
        what += f"{' and ' if what else ''}update {plural(updates, 'task')}"
    return f"About to {what} in {provider} at {base_url}. Continue? [y/N]"


def changed_since(count: int) -> str:
    """Said before sending when ``count`` rows an earlier run created now differ from what was sent
    (``changed``, the rule of ``after.changed``): a run does not send them unless told to."""
    one = count == 1
    return (f"{plural(count, 'row')} created earlier {'has' if one else 'have'} changed since "
            f"{'it was' if one else 'they were'} sent; this run leaves {'it' if one else 'them'} as "
            f"{'it is' if one else 'they are'}: run again with --update to send the change{'' if one else 's'}.")


def nothing_to_create(already: int) -> str:
    """Why a send would create nothing: each of its ``already`` rows was created by an earlier run."""
    rows = "the row was" if already == 1 else f"all {already:,} rows were"
    return f"Nothing to create: {rows} created earlier."


#: ``_error`` of the rows a person chose not to send at the question before sending.
DECLINED = "not sent: the answer to the question before sending was not yes"
SANDBOX_BANNER = ("Sending to the built-in sandbox (a local emulation of the API, dummy credentials): "
                  "nothing reaches the real provider.")


def references_checked_when_sent(provider: object) -> str:
    """Said once on the page when its check cannot reach the provider's workspace (Sandbox unticked, and the
    page has no credentials): the references are looked up when the rows are sent."""
    name = str(getattr(provider, "name", provider)).capitalize()
    kinds = sorted({reference.kind + "s" for reference in getattr(provider, "references", {}).values()})
    return (f"The sheet's {', '.join(kinds) or 'references'} are checked against your {name} workspace when you "
            "send, with the credentials typed there (an unknown one leaves its row unsent, with the reason); "
            "tick Sandbox to check them against the demo workspace now.")


def references_not_checked(provider: object, why: str) -> str:
    """Said once when the sheet's references (numbers, users, groups, units, people) were not looked up."""
    name = str(getattr(provider, "name", provider)).capitalize()
    kinds = sorted({reference.kind + "s" for reference in getattr(provider, "references", {}).values()})
    what = ", ".join(kinds) if kinds else "references"
    variables = " or ".join(getattr(provider, "credential_variables", ())[:1]) or "the credentials"
    how = ("run without --offline" if why == "--offline" else
           f"set {variables} (or use --env-file FILE), or --sandbox to check against the demo workspace")
    return f"The sheet's {what} were not checked against the {name} workspace ({why}): to check them, {how}."
