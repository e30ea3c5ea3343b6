"""Fault injection: seeded draws of 503s, 429s, 500s-after-creation and dropped connections; latency."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import TYPE_CHECKING

from .state import SandboxState

if TYPE_CHECKING:
    from aiohttp import web


class Fault(Enum):
    """A fault the sandbox injects instead of the normal answer."""

    DROP = "drop"
    UNAVAILABLE = "503"
    RATE_LIMITED = "429"
    SERVER_ERROR = "500"


def before_processing(state: SandboxState) -> Fault | None:
    """Draw the faults that strike before the request is looked at (nothing is created)."""
    config = state.config
    rng = state.rng
    if config.drop_before_rate and rng.random() < config.drop_before_rate:
        return Fault.DROP
    if config.fault_503_rate and rng.random() < config.fault_503_rate:
        return Fault.UNAVAILABLE
    if config.fault_429_rate and rng.random() < config.fault_429_rate:
        return Fault.RATE_LIMITED
    return None


def after_creation(state: SandboxState) -> Fault | None:
    """Draw the faults that strike once the task exists (the client cannot know it was created)."""
    config = state.config
    rng = state.rng
    if config.drop_after_create_rate and rng.random() < config.drop_after_create_rate:
        return Fault.DROP
    if config.fault_500_after_create_rate and rng.random() < config.fault_500_after_create_rate:
        return Fault.SERVER_ERROR
    return None


async def delay(state: SandboxState) -> None:
    """Wait the configured latency (plus a uniform share of the jitter), if any."""
    config = state.config
    seconds = config.latency
    if config.latency_jitter:
        seconds += state.rng.uniform(0.0, config.latency_jitter)
    if seconds > 0:
        await asyncio.sleep(seconds)


def drop_connection(request: web.BaseRequest) -> web.Response:
    """Close the request's connection so that no response ever reaches the client."""
    transport = request.transport
    if transport is not None:
        transport.close()
    from aiohttp import web

    return web.Response(status=500)
