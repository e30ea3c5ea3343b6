"""``python -m bulk_tasks.sandbox [--host H] [--port N] [options]``: serve the sandbox until Ctrl-C."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
