"""What a provider is: its fields, its cross-field rules, its payload, its HTTP conventions.

A provider module describes every field of its create-task call once (``Field``), states the rules
that involve several fields (``RowRule``), builds one JSON payload per valid row, and says how to
read the provider's responses (``interpret``). Everything else (the pandera schema, templates,
header matching, sending) is derived from that description.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from .fields import Field
from .references import Reference

if TYPE_CHECKING:
    import pandas as pd

    from ..send.auth import Auth
    from .tasks import TaskChanges, TaskLookup


@dataclass(frozen=True)
class RowRule:
    """A rule over several fields of one row.

    ``check`` receives the frame of normalized values (API names as columns, every field present,
    absent values as NA) and returns a boolean Series: True where the row satisfies the rule.
    """

    name: str
    rule: str
    fields: tuple[str, ...]
    check: Callable[[pd.DataFrame], pd.Series]


class Verdict(str, Enum):
    """What one HTTP response means for its row and for the run."""

    CREATED = "created"
    RETRY = "retry"
    TOKEN_EXPIRED = "token_expired"
    REFUSED = "refused"
    UNCERTAIN = "uncertain"
    FATAL_AUTH = "fatal_auth"
    FATAL_QUOTA = "fatal_quota"


@dataclass(frozen=True)
class Reply:
    """A provider response, interpreted."""

    verdict: Verdict
    status: int
    task_id: str | None = None
    request_id: str | None = None
    error: str | None = None
    #: The task's revision, when the reply gives one (Quo); ``undo`` and ``verify`` compare it.
    revision: str | None = None


class Provider:
    """Base of every provider. Subclasses fill the class attributes and the hooks marked so."""

    #: The name used on the command line (``--provider travtus``).
    name: ClassVar[str]
    #: The name as its owners write it (``Travtus``), for people; ``name`` capitalised when empty.
    title: ClassVar[str] = ""
    #: Every field of the request body the user can fill, in template order.
    fields: ClassVar[tuple[Field, ...]]
    #: Where the API lives unless ``--base-url`` says otherwise.
    default_base_url: ClassVar[str]
    #: The create-task path, appended to the base URL.
    task_path: ClassVar[str]
    #: Requests per second per key when ``--rate`` is not given.
    default_rate: ClassVar[float]
    #: Groups of fields of which at least one column must be in the sheet.
    required_column_groups: ClassVar[tuple[tuple[str, ...], ...]] = ()
    #: Environment variables the credentials come from; the first is the one a person can type in.
    credential_variables: ClassVar[tuple[str, ...]] = ()
    #: The page's label of a credential field, by variable; one not named is derived (``credential_label``).
    credential_labels: ClassVar[Mapping[str, str]] = {}
    #: Said under the credential fields on the page: which of them to fill (empty: nothing).
    credential_hint: ClassVar[str] = ""
    #: For ID fields with a prefix: what the ID is and where a user finds it, told when a cell holds
    #: a phone number or an email address instead.
    id_lookups: ClassVar[Mapping[str, str]] = {}
    #: Its emulation in the sandbox, ``"package.module:Class"`` (a ``sandbox.emulation.Emulation``).
    sandbox: ClassVar[str | None] = None
    #: Why ``verify`` cannot check this provider's tasks, and what to do instead (``{path}``: the results file;
    #: ``{field}``: a field, as ``cannot_look_up_text`` names its column).
    cannot_look_up: ClassVar[str] = ""

    def task_lookup(self) -> TaskLookup | None:
        """How to get and list tasks (hook); None: the API cannot (``verify`` says ``cannot_look_up``)."""
        return None

    def cannot_look_up_text(self, path: str, columns: Mapping[str, str] | None = None) -> str:
        """``cannot_look_up`` for the results ``path``; each ``{field}`` it names is said as ``columns`` gives it
        (the column as the sheet shows it), else by its API name."""
        return self.cannot_look_up.format_map(_Names(columns or {}, path=path))

    def task_changes(self) -> TaskChanges | None:
        """How to change and take back tasks (hook); None: the API cannot (``undo``, ``run --update``)."""
        return None

    def created_revision(self, body: Any) -> str | None:
        """The created task's revision in a success body (hook), when the provider gives one."""
        return None
    #: Fields whose value names a record of the workspace, checked there before sending
    #: (``references.Reference``); none for a provider without look-ups.
    references: ClassVar[Mapping[str, Reference]] = {}
    #: Its look-ups, ``"package.module:Class"`` (a ``references.Lookups``); None without references.
    lookups: ClassVar[str | None] = None
    #: Paths the look-ups read, relative to the base URL (said in messages and the README).
    lookup_paths: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def credential_label(cls, variable: str) -> str:
        """The page's label of the credential field ``variable``: declared, else its words after the
        provider's prefix (``QUO_API_KEY``: ``API key``, ``TRAVTUS_CLIENT_ID``: ``Client ID``)."""
        if variable in cls.credential_labels:
            return cls.credential_labels[variable]
        words = variable.split("_")
        if len(words) > 1 and words[0].lower() == cls.name.lower():
            words = words[1:]
        said = [word.upper() if word.upper() in _ACRONYMS else word.lower() for word in words]
        text = " ".join(said)
        return text[:1].upper() + text[1:]

    @classmethod
    def display_name(cls) -> str:
        """The provider's name as its owners write it."""
        return cls.title or cls.name.capitalize()

    def rules(self) -> list[RowRule]:
        """Cross-field rules (hook)."""
        return []

    def format_datetime(self, moment: datetime, tz: tzinfo) -> str:
        """Format an aware datetime as this provider's API expects (hook)."""
        raise NotImplementedError

    def task_url(self, base_url: str | None) -> str:
        """The full URL of the create-task call."""
        return (base_url or self.default_base_url).rstrip("/") + self.task_path

    def make_auth(self, env: Mapping[str, str], base_url: str) -> Auth:
        """Credentials from the environment, as an ``Auth`` (hook). Raises ``CredentialsError``."""
        raise NotImplementedError

    def interpret(self, status: int, body: Any) -> Reply:
        """What a response means. ``body`` is the decoded JSON, or None when it was not JSON."""
        if 200 <= status < 300:
            task_id, request_id = self.created_ids(body)
            return Reply(Verdict.CREATED, status, task_id=task_id, request_id=request_id,
                         revision=self.created_revision(body))
        error = _meaningful(status, self.error_text(status, body))
        if status in (429, 503):
            return Reply(Verdict.RETRY, status, error=error)
        if status in (401, 403):
            return Reply(Verdict.FATAL_AUTH, status, error=error)
        if status >= 500 or status == 408:
            return Reply(Verdict.UNCERTAIN, status, error=error)
        return Reply(Verdict.REFUSED, status, error=error)

    def created_ids(self, body: Any) -> tuple[str | None, str | None]:
        """``(task_id, request_id)`` from a success body (hook)."""
        raise NotImplementedError

    def error_text(self, status: int, body: Any) -> str:
        """The provider's own error message from an error body (hook)."""
        raise NotImplementedError


#: Words a credential's label writes in capitals.
_ACRONYMS = frozenset({"API", "ID", "URL", "OAUTH", "PAT", "SID"})


class _Names(dict[str, str]):
    """``str.format_map``'s names: ``path``, then each field's column, else the field's own name."""

    def __init__(self, columns: Mapping[str, str], path: str) -> None:
        super().__init__(columns, path=path)

    def __missing__(self, key: str) -> str:
        return key


_SAYS_NOTHING = frozenset({"unknown", "error", "internal", "server", "http"})


def _meaningful(status: int, text: str) -> str:
    """The provider's text, unless a server error came with none worth reading (``Unknown: Unknown error``)."""
    if status >= 500 and set(re.findall(r"[a-z]+", text.lower())) <= _SAYS_NOTHING:
        return f"HTTP {status} with no explanation from the provider"
    return text
