"""Registers the toy provider in every Python process the test suite starts (``tests/conftest.py`` puts this
folder on ``PYTHONPATH``), so that the CLI run in a subprocess knows it as the tests do.

With ``BULK_TASKS_TEST_PRODUCTION`` set (a sandbox's URL), every provider's production endpoint in that
process is that sandbox: a page served in a subprocess then sends "for real" to the test's sandbox.
"""

import os

try:
    import toy_provider  # noqa: F401 - importing it is its one registry line
except ImportError:  # a Python without bulk-tasks installed: nothing to register with
    pass
else:
    if os.environ.get("BULK_TASKS_TEST_PRODUCTION"):
        from bulk_tasks.providers import PROVIDERS

        for provider in PROVIDERS.values():
            provider.default_base_url = os.environ["BULK_TASKS_TEST_PRODUCTION"]
