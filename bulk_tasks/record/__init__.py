"""Record: what a run leaves on disk so that nothing is sent twice or lost.

The ``journal`` (intent before each request, outcome after), the run ``lock`` (one run per results
file) and the results-file ``guard`` (never replace a file the user edited since).
"""

#: The journal's first line says what the file is, for whoever opens it (or is about to delete it).
ABOUT = ("bulk-tasks journal: the record of every task sent for the results file beside it, read by every later "
         "run so that no task is ever created twice. Do not delete, move or edit this file: without it bulk-tasks "
         "cannot tell which tasks exist.")
