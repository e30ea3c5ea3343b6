"""Send: prepared payloads → one outcome per row, over HTTP, never twice.

``endpoint`` resolves once where a run sends and with which credentials; ``run`` opens the run's
journal against that ``Endpoint`` and drives the ``engine``, which pulls
``jobs`` through one shared ``ratelimit`` pacer over ``transport``; ``policy`` decides what each reply
means (retry, done, stop the run), ``retry`` how long to wait, ``auth`` how requests are authorized.
``options`` holds how a run sends, from the library API down to the engine.
"""
