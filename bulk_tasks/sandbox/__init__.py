"""A local emulation of every registered provider's create-task API, built on ``aiohttp.web``.

Same paths, authentication, validation, error bodies and status codes as the providers' pages;
per-key rate limits; seeded fault injection; created tasks kept in memory::

    async with start_sandbox(SandboxConfig(seed=1)) as sb:
        ...  # send to sb.url with the credentials of sb.environment()
        sb.state.tasks, sb.state.stats

Inspection routes: ``GET /_sandbox/tasks``, ``GET /_sandbox/stats``, ``DELETE /_sandbox/tasks``. Each
provider's emulation, and the names that belong to it (its paths, its dummy credentials), live in the
provider's own folder: ``providers/<name>/sandbox.py``; this package exports no provider's names.
"""

from __future__ import annotations

from ..lazy import lazy_getattr

#: Where each name lives: imported on first use, so that ``bulk-tasks --help`` does not load aiohttp.
_HOMES = {
    "SANDBOX_STATS_PATH": "app",
    "SANDBOX_TASKS_PATH": "app",
    "build_app": "app",
    "add_arguments": "cli",
    "config_from_args": "cli",
    "DEFAULT_HOST": "config",
    "DEFAULT_PORT": "config",
    "SandboxConfig": "config",
    "Emulation": "emulation",
    "emulations": "emulation",
    "RunningSandbox": "server",
    "sandbox_environment": "server",
    "sandbox_in_thread": "server",
    "serve": "server",
    "start_sandbox": "server",
    "SandboxState": "state",
    "Stats": "state",
    "StoredTask": "state",
}


__getattr__ = lazy_getattr(__name__, _HOMES, globals())


__all__ = sorted(_HOMES)
