"""Shape: checked rows → what is sent: one JSON payload per valid row, in the provider's shape.

``payloads`` builds the bodies, ``identity`` says what a re-run recognises a row by, ``provenance``
which earlier outcomes count for this run; ``prepare`` runs read → check → shape and gives a
``Prepared``: everything the send and the report need.
"""
