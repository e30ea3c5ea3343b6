"""A local emulation of the Travtus and Quo create-task APIs, built on ``aiohttp.web``.

Same paths, authentication, validation, error bodies and status codes as the providers' pages;
per-key rate limits; seeded fault injection; created tasks kept in memory::

    async with start_sandbox(SandboxConfig(seed=1)) as sb:
        ...  # send to sb.url with QUO_API_KEY / TRAVTUS_* from sb.environment()
        sb.state.tasks, sb.state.stats

Inspection routes: ``GET /_sandbox/tasks``, ``GET /_sandbox/stats``, ``DELETE /_sandbox/tasks``.
"""

from .app import (
    QUO_TASK_PATH,
    SANDBOX_STATS_PATH,
    SANDBOX_TASKS_PATH,
    TRAVTUS_TASK_PATH,
    TRAVTUS_TOKEN_PATH,
    build_app,
)
from .cli import add_arguments, config_from_args
from .config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    SANDBOX_PHONE_NUMBER_ID,
    SANDBOX_QUO_API_KEY,
    SANDBOX_TRAVTUS_CLIENT_ID,
    SANDBOX_TRAVTUS_CLIENT_SECRET,
    SANDBOX_TRAVTUS_TOKEN,
    SandboxConfig,
)
from .server import RunningSandbox, sandbox_environment, sandbox_in_thread, serve, start_sandbox
from .state import SandboxState, Stats, StoredTask

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "QUO_TASK_PATH",
    "SANDBOX_PHONE_NUMBER_ID",
    "SANDBOX_QUO_API_KEY",
    "SANDBOX_STATS_PATH",
    "SANDBOX_TASKS_PATH",
    "SANDBOX_TRAVTUS_CLIENT_ID",
    "SANDBOX_TRAVTUS_CLIENT_SECRET",
    "SANDBOX_TRAVTUS_TOKEN",
    "TRAVTUS_TASK_PATH",
    "TRAVTUS_TOKEN_PATH",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxState",
    "Stats",
    "StoredTask",
    "add_arguments",
    "build_app",
    "config_from_args",
    "sandbox_environment",
    "sandbox_in_thread",
    "serve",
    "start_sandbox",
]
