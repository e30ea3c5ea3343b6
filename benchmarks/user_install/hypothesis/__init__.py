"""Stands in for the test extra's hypothesis in benchmarked processes, which run as a user's install.

A user's ``pip install bulk-tasks`` has no hypothesis; the project's own venv has it (the tests use it),
and pandera imports it when present, for data synthesis bulk-tasks never uses: 0.37 s of start-up.
``benchmarks.run`` puts this folder first on ``PYTHONPATH`` of every measured bulk-tasks process.
"""

raise ImportError("hypothesis is not part of a user's install (benchmarks/user_install)")
