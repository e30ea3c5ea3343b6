"""``bulk-tasks serve``: a local web page over the library API (upload, match, check, send, results).

``server`` (options, start-up), ``security`` (token, cookie, CSRF, Host), ``store`` (the work
directory), ``imports`` and ``app`` (the HTTP API), ``checking`` (library calls behind the grid),
``runs`` (sending in the background), ``static/`` (the page: one HTML file, one script, one stylesheet).
"""
