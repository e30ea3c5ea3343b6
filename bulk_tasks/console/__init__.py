"""Console: what a person reads and answers in a terminal.

``messages`` holds every closing sentence and next step (one source for the CLI and the page),
``prompts`` the questions, ``progress`` the bar, ``envfile`` credentials from an ``--env-file``.
"""
