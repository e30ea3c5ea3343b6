"""Command-line options of the sandbox, shared by ``python -m bulk_tasks.sandbox`` and ``bulk-tasks sandbox``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .config import DEFAULT_HOST, DEFAULT_PORT, SandboxConfig
from .emulation import emulations, non_negative, provider_names


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox's options to ``parser``."""
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0: any free port)")

    for name, emulation in emulations().items():
        emulation.add_arguments(parser.add_argument_group(f"{name.capitalize()} (credentials it accepts, limits)"))

    limits = parser.add_argument_group("limits ('off' turns a rate limit off)")
    limits.add_argument("--no-rate-limits", action="store_true", help="turn every rate limit off")

    faults = parser.add_argument_group("fault injection (task endpoints; shares are 0..1)")
    faults.add_argument("--latency", type=non_negative, default=0.0, metavar="SECONDS",
                        help="delay before every task response")
    faults.add_argument("--latency-jitter", type=non_negative, default=0.0, metavar="SECONDS",
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
    config = SandboxConfig(
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
    for name, emulation in emulations().items():
        config.providers[name] = emulation.Options(**emulation.options_from_args(args))
    if args.no_rate_limits:
        config.without_rate_limits()
    return config


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m bulk_tasks.sandbox``."""
    parser = argparse.ArgumentParser(
        prog="python -m bulk_tasks.sandbox",
        description=f"Serve a local emulation of the {provider_names()} create-task APIs.",
    )
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options and serve until Ctrl-C."""
    from .server import serve

    args = build_parser().parse_args(argv)
    serve(args.host, args.port, config_from_args(args))
    return 0
