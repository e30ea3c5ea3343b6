"""Send: prepared payloads → one outcome per row, over HTTP, never twice.

``run`` resolves the endpoint, credentials and journal of a run and drives the ``engine``, which pulls
``jobs`` through one shared ``ratelimit`` pacer over ``transport``; ``policy`` decides what each reply
means (retry, done, stop the run), ``retry`` how long to wait, ``auth`` how requests are authorized.
``options`` holds how a run sends, from the library API down to the engine.
"""
