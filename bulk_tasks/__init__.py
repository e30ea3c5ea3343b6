"""bulk-tasks: create tasks in bulk from a CSV or Excel sheet through a provider's REST API.

The library API the command line is built on::

    from bulk_tasks import ReadOptions, SendOptions, run_import, validate_file

    summary = run_import("tasks.xlsx", "travtus", ReadOptions(timezone="America/New_York"),
                         SendOptions(sandbox=True))
    print(summary.counts, summary.results_path, summary.exit_code)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import SendOptions, run_import, run_import_async, validate_file
from .errors import BulkTasksError
from .outcomes import Summary
from .preparing import Prepared, ReadOptions, prepare
from .providers import PROVIDERS, get_provider
from .statuses import ExitCode, Outcome, RowStatus

__all__ = [
    "PROVIDERS", "BulkTasksError", "ExitCode", "Prepared", "Outcome", "ReadOptions", "RowStatus",
    "SendOptions", "Summary", "__version__", "get_provider", "prepare", "run_import", "run_import_async",
    "validate_file",
]
