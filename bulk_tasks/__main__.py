"""``python -m bulk_tasks``."""

import sys

from .cli import main

sys.exit(main())
