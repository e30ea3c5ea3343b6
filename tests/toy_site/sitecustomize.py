"""Registers the toy provider in every Python process the test suite starts (``tests/conftest.py`` puts this
folder on ``PYTHONPATH``), so that the CLI run in a subprocess knows it as the tests do."""

try:
    import toy_provider  # noqa: F401 - importing it is its one registry line
except ImportError:  # a Python without bulk-tasks installed: nothing to register with
    pass
