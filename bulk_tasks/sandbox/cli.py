"""Command-line options of the sandbox, shared by ``python -m bulk_tasks.sandbox`` and ``bulk-tasks sandbox``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    SANDBOX_QUO_API_KEY,
    SANDBOX_TRAVTUS_CLIENT_ID,
    SANDBOX_TRAVTUS_CLIENT_SECRET,
    SANDBOX_TRAVTUS_TOKEN,
    SandboxConfig,
)


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _rate(text: str) -> float | None:
    """A rate in requests per second; ``off`` or ``0`` turns the limit off."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be positive or 'off', got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox's options to ``parser``."""
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free port)")

    creds = parser.add_argument_group("credentials the sandbox accepts")
    creds.add_argument("--quo-api-key", default=SANDBOX_QUO_API_KEY, metavar="KEY",
                       help=f"Quo API key to accept (default {SANDBOX_QUO_API_KEY})")
    creds.add_argument("--travtus-client-id", default=SANDBOX_TRAVTUS_CLIENT_ID, metavar="ID",
                       help=f"Travtus client id to accept (default {SANDBOX_TRAVTUS_CLIENT_ID})")
    creds.add_argument("--travtus-client-secret", default=SANDBOX_TRAVTUS_CLIENT_SECRET, metavar="SECRET",
                       help="Travtus client secret to accept (default: the sandbox's dummy secret)")
    creds.add_argument("--travtus-token", default=SANDBOX_TRAVTUS_TOKEN, metavar="TOKEN",
                       help="a Travtus bearer token that never expires")
    creds.add_argument("--token-lifetime", type=_non_negative, default=3600.0, metavar="SECONDS",
                       help="lifetime of issued Travtus tokens (default 3600)")

    limits = parser.add_argument_group("limits ('off' turns a rate limit off)")
    limits.add_argument("--quo-rate", type=_rate, default=10, metavar="N",
                        help="Quo requests per one-second window per key (default 10)")
    limits.add_argument("--travtus-rate", type=_rate, default=10_000.0, metavar="R",
                        help="Travtus /task/ requests per second per key (default 10000)")
    limits.add_argument("--travtus-burst", type=int, default=5_000, metavar="N", help="(default 5000)")
    limits.add_argument("--travtus-token-rate", type=_rate, default=100.0, metavar="R",
                        help="Travtus /oauth2/token requests per second per client (default 100)")
    limits.add_argument("--travtus-token-burst", type=int, default=200, metavar="N", help="(default 200)")
    limits.add_argument("--no-rate-limits", action="store_true", help="turn every rate limit off")
    limits.add_argument("--quo-open-task-limit", type=int, default=None, metavar="N",
                        help="answer 402 'Open Tasks Limit Reached' once N Quo tasks are held")

    faults = parser.add_argument_group("fault injection (task endpoints; shares are 0..1)")
    faults.add_argument("--latency", type=_non_negative, default=0.0, metavar="SECONDS",
                        help="delay before every task response")
    faults.add_argument("--latency-jitter", type=_non_negative, default=0.0, metavar="SECONDS",
                        help="plus a random delay up to this")
    faults.add_argument("--fail-503", type=_share, default=0.0, metavar="SHARE",
                        help="503 before processing")
    faults.add_argument("--fail-429", type=_share, default=0.0, metavar="SHARE",
                        help="429 before processing")
    faults.add_argument("--retry-after", type=int, default=None, metavar="SECONDS",
                        help="send Retry-After with the injected 429s")
    faults.add_argument("--fail-500-after-create", type=_share, default=0.0, metavar="SHARE",
                        help="500 after the task was created")
    faults.add_argument("--drop-before", type=_share, default=0.0, metavar="SHARE",
                        help="close the connection before processing")
    faults.add_argument("--drop-after-create", type=_share, default=0.0, metavar="SHARE",
                        help="close the connection after the task was created")
    faults.add_argument("--seed", type=int, default=None, help="seed of the fault generator")


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """The ``SandboxConfig`` that parsed sandbox options describe."""
    quo_rate = args.quo_rate
    config = SandboxConfig(
        quo_api_keys={args.quo_api_key},
        travtus_clients={args.travtus_client_id: args.travtus_client_secret},
        travtus_static_tokens={args.travtus_token} if args.travtus_token else set(),
        travtus_token_lifetime=args.token_lifetime,
        quo_open_task_limit=args.quo_open_task_limit,
        quo_rate_per_second=None if quo_rate is None else max(1, int(quo_rate)),
        travtus_task_rate=args.travtus_rate,
        travtus_task_burst=args.travtus_burst,
        travtus_token_rate=args.travtus_token_rate,
        travtus_token_burst=args.travtus_token_burst,
        latency=args.latency,
        latency_jitter=args.latency_jitter,
        fault_503_rate=args.fail_503,
        fault_429_rate=args.fail_429,
        fault_429_retry_after=args.retry_after,
        fault_500_after_create_rate=args.fail_500_after_create,
        drop_before_rate=args.drop_before,
        drop_after_create_rate=args.drop_after_create,
        seed=args.seed,
    )
    if args.no_rate_limits:
        config.without_rate_limits()
    return config


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m bulk_tasks.sandbox``."""
    parser = argparse.ArgumentParser(
        prog="python -m bulk_tasks.sandbox",
        description="Serve a local emulation of the Travtus and Quo create-task APIs.",
    )
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options and serve until Ctrl-C."""
    from .server import serve

    args = build_parser().parse_args(argv)
    serve(args.host, args.port, config_from_args(args))
    return 0
