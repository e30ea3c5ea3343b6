"""bulk-tasks: create tasks in bulk from a CSV or Excel sheet through a provider's REST API.

The library API the command line is built on::

    from bulk_tasks import ReadOptions, SendOptions, run_import, validate_file

    summary = run_import("tasks.xlsx", "travtus", ReadOptions(timezone="America/New_York"),
                         SendOptions(sandbox=True))
    print(summary.counts, summary.results_path, summary.exit_code)

The names below are imported on first use, so that ``bulk-tasks --help`` loads neither pandas nor aiohttp.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_getattr

__version__ = "0.1.0"

#: Where each public name lives.
_HOMES = {
    "SendOptions": "send.options", "run_import": "api", "run_import_async": "api", "validate_file": "api",
    "BulkTasksError": "errors", "Summary": "report.summary", "Prepared": "shape.prepare",
    "ReadOptions": "shape.prepare", "prepare": "shape.prepare", "PROVIDERS": "providers",
    "get_provider": "providers", "ExitCode": "statuses", "Outcome": "statuses", "RowStatus": "statuses",
}

if TYPE_CHECKING:
    from .api import run_import, run_import_async, validate_file
    from .errors import BulkTasksError
    from .report.summary import Summary
    from .shape.prepare import Prepared, ReadOptions, prepare
    from .providers import PROVIDERS, get_provider
    from .send.options import SendOptions
    from .statuses import ExitCode, Outcome, RowStatus


__getattr__ = lazy_getattr(__name__, _HOMES, globals())


__all__ = [
    "PROVIDERS", "BulkTasksError", "ExitCode", "Prepared", "Outcome", "ReadOptions", "RowStatus",
    "SendOptions", "Summary", "__version__", "get_provider", "prepare", "run_import", "run_import_async",
    "validate_file",
]
