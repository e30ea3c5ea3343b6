"""The one exception tree of bulk-tasks.

Every error a user can cause is a ``BulkTasksError`` carrying one plain sentence
that says what is wrong and how to fix it, plus the exit code the CLI returns::

    BulkTasksError                      exit 2 unless stated
    ├── UsageError                      bad option or option value (--timezone, --mapping, --base-url)
    ├── InputError                      the input cannot be read at all
    │   ├── UnreadableFileError         missing, not a spreadsheet, corrupt, encrypted, undecodable
    │   ├── EmptyInputError             no header, or a header and no data rows
    │   ├── SheetNotFoundError          --sheet names no visible sheet
    │   └── MissingColumnsError         required columns absent from the header
    ├── CredentialsError                no credentials in the environment, or unsafe to send them
    ├── ResultsFileError                the results file cannot be written
    ├── ResumeError                     the journal belongs to another provider or base URL
    ├── LookupUnavailable               references cannot be looked up at all (401, host down)
    ├── ResultsInUseError               another run is using the same results path
    ├── StoppedError                    Ctrl-C or SIGTERM while looking tasks up: nothing changed (exit 130)
    ├── JournalError                    the journal has a damaged line (not the last)
    │   └── JournalWriteError           the journal cannot be written (a full disk)  (exit 1)
    └── SendError                       a condition that dooms the rest of the run (raised by sending)
        ├── AuthenticationError         401/403 for bad credentials          (fatal)
        ├── QuotaError                  the provider's cap is reached (Quo 402) (fatal)
        └── NetworkError                the provider cannot be reached at all

Retriable versus fatal is a matter of type, never of a flag.
"""

from __future__ import annotations

from .statuses import ExitCode


class BulkTasksError(Exception):
    """Base of every error bulk-tasks raises on purpose; ``str()`` is the user's sentence."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(BulkTasksError):
    """An option or its value is wrong."""


class StoppedError(BulkTasksError):
    """Stopped (Ctrl-C, SIGTERM) while the provider's tasks were being looked up, before anything changed."""

    exit_code = ExitCode.INTERRUPTED


class InputError(BulkTasksError):
    """The input file cannot be used; nothing was sent."""


class UnreadableFileError(InputError):
    """The file is missing, not a spreadsheet, corrupt, encrypted or undecodable."""


class EmptyInputError(InputError):
    """The file has no header row or no data rows."""


class SheetNotFoundError(InputError):
    """``--sheet`` names a sheet the workbook does not have (or has hidden)."""


class MissingColumnsError(InputError):
    """Required columns are missing from the header."""


class CredentialsError(BulkTasksError):
    """Credentials are missing from the environment, or would be sent unsafely."""


class ResultsFileError(BulkTasksError):
    """The results file cannot be written (a folder that is read-only, a file open elsewhere, a full disk)."""


class ResumeError(BulkTasksError):
    """The journal beside the results file belongs to a different import."""


class LookupUnavailable(BulkTasksError):
    """Looking references up failed for every row at once (credentials refused, host unreachable);
    nothing was sent."""


class SendError(BulkTasksError):
    """A condition met while sending that dooms every remaining row."""

    exit_code = ExitCode.SOME_ROWS_FAILED


class AuthenticationError(SendError):
    """The provider refused the credentials (401/403)."""


class QuotaError(SendError):
    """The provider's account cap is reached; sending more rows cannot help."""


class NetworkError(SendError):
    """The provider cannot be reached."""


class ResultsInUseError(BulkTasksError):
    """Another run holds the lock on the same results path."""


class JournalError(BulkTasksError):
    """The journal beside the results is damaged: a line other than the last cannot be read."""


class JournalWriteError(JournalError):
    """The journal cannot be written (a full disk, a file-size limit); the run stops sending."""

    exit_code = ExitCode.SOME_ROWS_FAILED
