"""The endpoint of a run is resolved once: one place checks the base URL and builds the credentials."""

from __future__ import annotations

import ast

import pytest

from bulk_tasks.errors import CredentialsError, UsageError
from bulk_tasks.providers import get_provider
from bulk_tasks.send.endpoint import SANDBOX_JOURNAL_URL, resolve_endpoint, sandbox_endpoint
from layout import PACKAGE


async def test_a_resolved_endpoint_carries_the_checked_url_the_credentials_and_the_journal_url():
    endpoint = resolve_endpoint(get_provider("quo"), "HTTPS://api.example.com/", {"QUO_API_KEY": "k-123"})
    assert endpoint.base_url == endpoint.journal_url == "https://api.example.com"
    assert await endpoint.auth.headers(None) == {"Authorization": "k-123"}  # type: ignore[arg-type]
    assert not endpoint.sandbox


def test_the_provider_url_is_used_when_none_is_given():
    provider = get_provider("quo")
    assert resolve_endpoint(provider, None, {"QUO_API_KEY": "k"}).base_url == provider.default_base_url


@pytest.mark.parametrize(("url", "error"), [("http://api.example.com", CredentialsError),
                                             ("https://api.example.com/v1", UsageError)])
def test_nobody_is_asked_for_a_key_an_unsafe_url_would_receive(url, error):
    asked = []
    with pytest.raises(error):
        resolve_endpoint(get_provider("quo"), url, credentials=lambda: asked.append(1) or {})
    assert asked == []


def test_credentials_are_read_once_the_url_is_safe_and_missing_ones_are_refused():
    asked = []
    with pytest.raises(CredentialsError, match="QUO_API_KEY"):
        resolve_endpoint(get_provider("quo"), "http://127.0.0.1:9", credentials=lambda: asked.append(1) or {})
    assert asked == [1]


def test_a_sandbox_endpoint_binds_its_journal_to_the_sandbox_not_to_its_port():
    endpoint = sandbox_endpoint(get_provider("quo"), "http://127.0.0.1:4321", {"QUO_API_KEY": "dummy"})
    assert endpoint.base_url == "http://127.0.0.1:4321" and endpoint.journal_url == SANDBOX_JOURNAL_URL
    assert endpoint.sandbox


def _callers(name: str) -> set[str]:
    """The modules of the package that call ``name`` (as a function or a method)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if called == name:
                    found.add(path.relative_to(PACKAGE).as_posix())
    return found


def test_only_the_endpoint_module_checks_urls_and_builds_credentials():
    assert _callers("check_url_safe") == {"send/endpoint.py"}
    # the provider contract builds credentials for its own sandbox runs, not for a user's run
    assert _callers("make_auth") == {"send/endpoint.py", "providers/testing.py"}
