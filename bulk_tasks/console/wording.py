"""How each front end names its own controls in the shared sentences.

Every sentence has one source (``messages`` and the texts of the ``errors`` raised where a rule is
broken); those texts name the command line's options (``--dayfirst``) because the command line is
the front end every one of them must work for. A ``Words`` says the same for another front end:
where rows are fixed, what sends again, and each option as that front end's own control. The page
uses ``PAGE``; the command line, ``CLI`` (which changes nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


@dataclass(frozen=True)
class Words:
    """One front end's names for the things the shared sentences mention."""

    #: Where the rows still to fix are fixed.
    results: str = "the results file"
    #: The column that says what is wrong with a row.
    problem_column: str = "_error"
    #: How to send again (after "Once that is fixed, " or alone, capitalised).
    again: str = "run the same command again"
    #: What follows "then" once invalid rows are fixed.
    check_again: str = "check it again"
    send_again: str = "run it"
    #: How to check and send a filled-in template (empty: the command line's commands).
    check_step: str = ""
    #: How uncertain rows are looked up in a provider that can be asked (``{provider}``; empty: the commands).
    look_up: str = ""
    #: The command line's phrases as this front end says them, longest first.
    phrases: tuple[tuple[str, str], ...] = ()
    #: Each option as this front end's control, for a phrase not in ``phrases``.
    options: tuple[tuple[str, str], ...] = ()
    #: Row statuses in words (a status not named is said as it is).
    statuses: tuple[tuple[str, str], ...] = ()

    def status(self, status: str) -> str:
        """A row status as this front end says it."""
        return dict(self.statuses).get(status, status)

    def say(self, text: str) -> str:
        """``text`` in this front end's words."""
        for theirs, ours in self.phrases:
            if theirs in text:
                text = text.replace(theirs, ours)
        for option, control in self.options:
            if option in text:
                text = re.sub(rf"(?<![\w-]){re.escape(option)}(?![\w-])", control, text)
        return text

    def naming(self, names: dict[str, str]) -> Words:
        """These words, also saying each of ``names`` (a credential's variable) as given (its field's label)."""
        return replace(self, options=(*self.options, *names.items()))

    def flags_left(self, text: str) -> list[str]:
        """Command-line options still named in ``text`` once said in these words (none, for the page)."""
        return _FLAG.findall(self.say(text))


CLI = Words()

DAY_FIRST = "“Dates are day first”"
TIME_ZONE = "the Time zone field"
PHONE_COUNTRY = "“Country of phone numbers”"
VALID_ONLY = "“Send the valid rows only”"

#: Each row status as the page says it.
PAGE_STATUSES = {"created": "created", "already_created": "already created", "invalid": "invalid",
                 "failed": "failed", "uncertain": "uncertain", "not_sent": "not sent",
                 "dry_run": "valid, ready to send", "deleted": "taken back", "changed": "changed since sent",
                 "updated": "updated"}

#: The button that sends the changes of rows changed since they were sent, and the box that lets Undo
#: delete tasks edited since, as the page names them.
SEND_CHANGES = "“Send the changes”"
FORCE = "“Also delete tasks edited since”"

#: The sentences of ``verify``, ``undo`` and ``run --update`` (``after_messages``) as the page says them.
AFTER_PHRASES = (
    ("taken back by bulk-tasks undo on", "taken back by Undo on"),
    ("by bulk-tasks verify on", "by Verify on"),
    ("when bulk-tasks verify looked on", "when Verify looked on"),
    ("so the next run sends it (once)", "so the next Send sends it (once)"),
    ("the next run sends them, once", "the next Send sends them, once"),
    ("to delete it anyway, run undo again with --force", f"to delete it anyway, press Undo again with {FORCE} ticked"),
    ("run undo again for the rest", "press Undo again for the rest"),
    ("run the same command again for them.", "press Undo again for them."),
    ("nothing was sent: run again with --update to send the change",
     f"nothing was sent: press {SEND_CHANGES} to send it"),
    ("run again with --update for the rest", f"press {SEND_CHANGES} again for the rest"),
    ("take it back (bulk-tasks undo RESULTS --rows ", "take it back in the provider itself (row "),
    (") and run again to create it anew", ") and press Send again to create it anew"),
    (" holds a --sandbox try: the built-in sandbox kept its tasks only while that run lasted",
     " was sent to the built-in sandbox, which kept its tasks only while that send lasted"),
    (", serve the sandbox (bulk-tasks sandbox) and run the sheet with its --base-url first.",
     ", send a sheet with Sandbox unticked, to an account where you can try things."),
    ("(the results file lists each _task_id)", "(the results list each Task ID)"),
    (": set _status to created in this import for each one you find, then run it again with --retry-uncertain "
     "to send the rest.", ". This page never sends an uncertain row again, so that none is created twice."),
    ("check the API key or token in the environment, then run again", "check the credentials typed above, then "
     "press the button again"),
    ("then run again. Nothing was changed.", "then press the button again. Nothing was changed."),
    ("in the results file. Run the same command again.", "in the results. Press the button again."),
)

#: The sending stage's sentences (``send.engine``, ``auth``, ``transport``, ``retry``, ``policy``, the
#: providers' credentials) as the page says them: its address is the provider's own, its key is typed above.
SEND_PHRASES = (
    ("check the provider's status and --base-url, then run again.", "check the provider's status, then press "
     "Send again."),
    ("check the network and --base-url, then run again.", "check the network, then press Send again."),
    ("Check the network and --base-url, then run again.", "Check the network, then press Send again."),
    ("check the server's certificate and --base-url", "check the server's certificate"),
    ("Check the client ID and client secret in the environment.", "Check the client ID and client secret "
     "typed above, then press Send again."),
    ("put a fresh token in the environment (or use client credentials) and run again.",
     "type a fresh API token above (or the client ID and secret instead) and press Send again."),
    (", beyond --max-wait ", ", beyond the longest wait allowed, "),
    ("run the same command again later, or allow the wait with a longer --max-wait.", "press the button again "
     "later."),
    ("credentials: set ", "credentials: fill in "),
    ("; this run leaves it as it is: run again with --update to send the change.",
     f": Send leaves it as it is, {SEND_CHANGES} sends the change."),
    ("; this run leaves them as they are: run again with --update to send the changes.",
     f": Send leaves them as they are, {SEND_CHANGES} sends the changes."),
    (", in the environment (or try --sandbox).", " above (or tick Sandbox)."),
    (" in the environment (or try --sandbox).", " above (or tick Sandbox)."),
)

PAGE = Words(
    statuses=tuple(PAGE_STATUSES.items()),
    results="the grid above",
    problem_column="Problem",
    again="press Send again",
    check_again="they are checked at once",
    send_again="press Send again",
    look_up=("  {provider} can be asked: press Verify (below, after the send) to look them up without sending "
             "anything; those found become created, and the next Send sends the others, once."),
    check_step=("Check the sheet first: drop it on the bulk-tasks page, which shows every problem and lets you "
                "fix it in place; then press Send there."),
    phrases=(
        *SEND_PHRASES,
        ("Use --dayfirst for dates written", f"Tick {DAY_FIRST} for dates written"),
        ("Fix the rows that did not go through in that file and run it again",
         "Upload that file again on the page to send the rows that did not go through"),
        ("run again with --dayfirst", f"tick {DAY_FIRST} and read again"),
        ("run again without --dayfirst", f"untick {DAY_FIRST} and read again"),
        ("which bulk-tasks does with --dayfirst", f"which bulk-tasks does when {DAY_FIRST} is ticked"),
        ("but --dayfirst reads day first", f"but {DAY_FIRST} is ticked"),
        ("as --dayfirst reads", f"as {DAY_FIRST} reads them"),
        ("also once moved to --timezone and to UTC", f"also once moved to the zone of {TIME_ZONE} and to UTC"),
        ("given with --timezone", f"given in {TIME_ZONE}"),
        ("; use --timezone to change", f"; change it in {TIME_ZONE}"),
        ("for --timezone:", f"in {TIME_ZONE}:"),
        ("(in --timezone", f"(in the zone of {TIME_ZONE}"),
        ("a local number in the --phone-region", f"a local number of the country in {PHONE_COUNTRY}"),
        ("a local number of --phone-region", f"a local number of the country in {PHONE_COUNTRY}"),
        ("Unknown --phone-region", f"Unknown country in {PHONE_COUNTRY}"),
        ("remove one, or use --allow-duplicates", "remove one, or change one of them"),
        ("remove one, or say which to use with --mapping.", "set one of them to “ignored” below."),
        ("rename the column in the sheet, or map it with --mapping.",
         "choose it for one of your columns below, or rename the column in the sheet."),
        ("fix them (see _error) or use --skip-invalid", f"fix them (see the Problem column) or tick {VALID_ONLY}"),
        ("(or try --sandbox)", "(or tick Sandbox)"),
        ("re-run with --retry-uncertain to send it again",
         "send it again only once you are sure it was not created"),
        (" with --retry-uncertain.", " (this page sends only rows with no outcome yet)."),
        ("see _error in the results file, or add -v.", "see the Problem column."),
        ("(see its _error)", "(see its Problem column)"),
        ("(see their _error)", "(see their Problem column)"),
        ("or set _status to created in the grid above for each one you found, and send the rest",
         "or keep the ones you found as they are, and send the rest"),
        ("and run again, or use --offline to check the sheet without the workspace.", "and try again."),
        ("check the network and --base-url", "check the network"),
        *AFTER_PHRASES,
    ),
    options=(
        ("--dayfirst", DAY_FIRST), ("--no-dayfirst", f"{DAY_FIRST} unticked"), ("--timezone", TIME_ZONE),
        ("--phone-region", PHONE_COUNTRY), ("--skip-invalid", VALID_ONLY), ("--sandbox", "Sandbox"),
        ("--mapping", "the column drop-downs"), ("--sheet", "the Sheet choice"),
        ("--results", "another import"), ("--allow-duplicates", "changing one of them"),
        ("--retry-uncertain", "sending uncertain rows again"),
    ),
)

#: The results columns the page's grids show, by their headings.
PAGE_COLUMNS = {"_row": "Row", "_status": "Status", "_error": "Problem", "_task_id": "Task ID"}
