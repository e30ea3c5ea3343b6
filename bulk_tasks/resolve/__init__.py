"""Look references up: takes a checked input and where the provider is; gives a ``shape.references.References``.

Between checking and shaping: the distinct reference values (``shape.references.wanted``) are looked
up through the provider's ``Lookups`` over read-only requests, paced by the run's rate limiter and
retried like any safe GET; what comes back is plain data that shaping the payloads consumes.
"""
