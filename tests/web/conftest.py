"""The fixture the page's HTTP tests share."""

from __future__ import annotations

import pytest

from webpage import running_page


@pytest.fixture
async def page(tmp_path):
    """The page's server on loopback, its work directory under ``tmp_path``; yields what ``running_page`` does."""
    async with running_page(tmp_path / "work") as started:
        yield started
