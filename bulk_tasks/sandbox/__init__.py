"""A local emulation of every registered provider's create-task API, built on ``aiohttp.web``.

Same paths, authentication, validation, error bodies and status codes as the providers' pages;
per-key rate limits; seeded fault injection; created tasks kept in memory::

    async with start_sandbox(SandboxConfig(seed=1)) as sb:
        ...  # send to sb.url with QUO_API_KEY / TRAVTUS_* from sb.environment()
        sb.state.tasks, sb.state.stats

Inspection routes: ``GET /_sandbox/tasks``, ``GET /_sandbox/stats``, ``DELETE /_sandbox/tasks``.
"""

from __future__ import annotations

from ..lazy import lazy_getattr

#: Where each name lives: imported on first use, so that ``bulk-tasks --help`` does not load aiohttp.
_HOMES = {
    "QUO_TASK_PATH": "..providers.quo.sandbox",
    "SANDBOX_STATS_PATH": "app",
    "SANDBOX_TASKS_PATH": "app",
    "TRAVTUS_TASK_PATH": "..providers.travtus.sandbox",
    "TRAVTUS_TOKEN_PATH": "..providers.travtus.sandbox",
    "build_app": "app",
    "add_arguments": "cli",
    "config_from_args": "cli",
    "DEFAULT_HOST": "config",
    "DEFAULT_PORT": "config",
    "SANDBOX_PHONE_NUMBER_ID": "..providers.quo.sandbox",
    "SANDBOX_QUO_API_KEY": "..providers.quo.sandbox",
    "SANDBOX_TRAVTUS_CLIENT_ID": "..providers.travtus.sandbox",
    "SANDBOX_TRAVTUS_CLIENT_SECRET": "..providers.travtus.sandbox",
    "SANDBOX_TRAVTUS_TOKEN": "..providers.travtus.sandbox",
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
