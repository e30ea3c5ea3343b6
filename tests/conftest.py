"""Shared fixtures: a real sandbox on a loopback port, and an HTTP session to talk to it.

Every run of the suite has a third provider registered, the toy of ``tests/toy_provider`` (in this
process by importing it, in the processes the tests start through ``tests/toy_site/sitecustomize.py``),
so that every test parametrized over the registry proves a provider is one folder and one registry line.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

import toy_provider  # noqa: F401 - registers the toy provider for the whole run
from bulk_tasks.sandbox import RunningSandbox, start_sandbox

TESTS = Path(__file__).resolve().parent
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(TESTS / "toy_site"), str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])])


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
