"""What one provider's emulation gives the sandbox: its options, routes, credentials and limits.

Each provider names its emulation beside itself (``Provider.sandbox = "package.module:Class"``); the
sandbox builds its routes, statistics, environment, usage text and command-line options from every
registered provider, so no provider is named in the sandbox's shared modules.
"""

from __future__ import annotations

import argparse
import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from aiohttp import web

Handler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]


class BoundState(Protocol):
    """What the base class reads of the sandbox's state (``state.SandboxState``, which holds the
    emulations and so is not imported here); a provider's emulation declares ``state: SandboxState``."""

    @property
    def config(self) -> Any: ...


class Emulation(ABC):
    """One provider's emulation, bound to a sandbox's state.

    ``Options`` is a dataclass whose fields all have defaults; ``SandboxConfig`` holds one per
    provider and also answers ``<provider>_<option>`` (``config.quo_open_task_limit``). The fields
    named in ``rate_options`` are set to None by ``without_rate_limits``. ``path_prefix``: unknown
    paths under it get this provider's JSON 404/405 (the longest matching prefix wins).
    """

    provider: ClassVar[str]
    Options: ClassVar[type]
    rate_options: ClassVar[tuple[str, ...]] = ()
    path_prefix: ClassVar[str] = "/"

    def __init__(self, state: BoundState) -> None:
        self.state = state

    @property
    def options(self) -> Any:
        """This provider's live options."""
        return self.state.config.providers[self.provider]

    @abstractmethod
    def routes(self) -> list[tuple[str, str, Handler]]:
        """``(method, path, handler)`` of every route the provider serves."""

    @abstractmethod
    def not_routed(self, request: web.Request, status: int) -> dict[str, Any]:
        """The provider's JSON error body for a path (404) or method (405) it does not serve."""

    @classmethod
    @abstractmethod
    def environment(cls, options: Any) -> dict[str, str]:
        """The environment variables that point bulk-tasks at these options' default credentials."""

    @classmethod
    def usage(cls, options: Any) -> list[str]:
        """Extra lines for the usage text ``serve`` prints (a token that never expires, …)."""
        return []

    def reset(self) -> None:
        """Forget rate-limit windows (``DELETE /_sandbox/tasks``)."""

    @classmethod
    def add_arguments(cls, parser: argparse._ActionsContainer) -> None:
        """Add this provider's command-line options to the sandbox's parser."""

    @classmethod
    def options_from_args(cls, args: argparse.Namespace) -> dict[str, Any]:
        """``Options`` keyword arguments from parsed command-line options."""
        return {}


def rate_option(text: str) -> float | None:
    """A command-line rate in requests per second; ``off`` or ``0`` turns the limit off."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be positive or 'off', got {text}")
    return value


def non_negative(text: str) -> float:
    """A command-line number of seconds, 0 or more."""
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def without_rate_limits(emulation: type[Emulation], options: Any) -> None:
    """Turn every rate limit of ``options`` off."""
    for name in emulation.rate_options:
        setattr(options, name, None)


@cache
def _load(reference: str) -> type[Emulation]:
    module, _, name = reference.partition(":")
    emulation = getattr(import_module(module), name)
    if not (isinstance(emulation, type) and issubclass(emulation, Emulation) and dataclasses.is_dataclass(
            emulation.Options)):
        raise TypeError(f"{reference} is not an Emulation with a dataclass of Options")
    return emulation


def emulations() -> dict[str, type[Emulation]]:
    """Every registered provider's emulation, by provider name, in registry order."""
    from ..providers import PROVIDERS

    return {name: _load(provider.sandbox) for name, provider in PROVIDERS.items() if provider.sandbox}


def provider_names() -> str:
    """``Travtus and Quo``: the emulated providers' names, for sentences."""
    names = [name.capitalize() for name in emulations()]
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else "no provider"
