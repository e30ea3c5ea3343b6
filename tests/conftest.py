"""Shared fixtures: a real sandbox on a loopback port, and an HTTP session to talk to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bulk_tasks.sandbox import RunningSandbox, start_sandbox


@pytest.fixture(autouse=True)
def computer_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs on a computer whose zone is UTC unless it sets TZ itself (subprocesses inherit it)."""
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    """A started in-process sandbox with the default config (change ``sandbox.config`` live)."""
    async with start_sandbox() as running:
        yield running


@pytest.fixture
async def sandbox_session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp client session."""
    async with aiohttp.ClientSession() as session:
        yield session
