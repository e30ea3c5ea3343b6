"""Record: what a run leaves on disk so that nothing is sent twice or lost.

The ``journal`` (intent before each request, outcome after), the run ``lock`` (one run per results
file) and the results-file ``guard`` (never replace a file the user edited since).
"""
