"""One contract suite every provider must pass: its description, its payloads, its reading of replies."""

from __future__ import annotations

import pytest

from bulk_tasks import ReadOptions, SendOptions, prepare, run_import_async
from bulk_tasks.check.headers import header_key
from bulk_tasks.check.kinds import format_hint
from bulk_tasks.errors import CredentialsError
from bulk_tasks.providers import PROVIDERS, Field, Kind, Verdict, get_provider
from bulk_tasks.check.values import ValueReader
from helpers import write_csv
from runs import held_ids

ALL = sorted(PROVIDERS)


def example_row(provider) -> dict[str, str]:
    """One valid row built from the field examples: every group of alternatives filled once."""
    skip = {name for group in provider.required_column_groups for name in group[1:]}
    row = {spec.name: spec.example for spec in provider.fields if spec.example and spec.name not in skip}
    for group in provider.required_column_groups:
        row.setdefault(group[0], provider.fields[[f.name for f in provider.fields].index(group[0])].example)
    return row


@pytest.fixture(params=ALL)
def provider(request):
    return get_provider(request.param)


def test_registry_names_match(provider):
    assert PROVIDERS[provider.name] is type(provider)
    assert provider.task_path.startswith("/") and provider.default_base_url.startswith("https://")
    assert provider.default_rate > 0


def test_every_field_is_documented_once(provider):
    names = [spec.name for spec in provider.fields]
    assert len(names) == len(set(names))
    for spec in provider.fields:
        assert spec.help.endswith("."), spec.name
        assert format_hint(spec)
        if spec.kind is Kind.ENUM:
            assert spec.choices and spec.example in spec.choices


def test_names_and_aliases_never_collide(provider):
    owners: dict[str, str] = {}
    for spec in provider.fields:
        for alias in (spec.name, *spec.aliases):
            key = header_key(alias)
            assert owners.setdefault(key, spec.name) == spec.name, f"{alias!r} of {spec.name} vs {owners[key]}"


def test_required_groups_and_rules_name_real_fields(provider):
    names = {spec.name for spec in provider.fields}
    for group in provider.required_column_groups:
        assert set(group) <= names
    for rule in provider.rules():
        assert set(rule.fields) <= names and rule.rule


def test_the_examples_make_a_valid_row_and_a_payload_of_api_names_only(tmp_path, provider):
    row = example_row(provider)
    path = write_csv(tmp_path / "x.csv", list(row), [list(row.values())])
    prepared = prepare(path, provider, ReadOptions())
    assert prepared.errors == []
    payload = prepared.payloads[2]
    top = {spec.path[0] for spec in provider.fields}
    assert set(payload) <= top
    assert all(value not in ("", None) for value in payload.values())


@pytest.mark.parametrize(("status", "verdict"), [(200, Verdict.CREATED), (201, Verdict.CREATED),
                                                 (429, Verdict.RETRY), (503, Verdict.RETRY),
                                                 (401, Verdict.FATAL_AUTH), (403, Verdict.FATAL_AUTH),
                                                 (500, Verdict.UNCERTAIN), (502, Verdict.UNCERTAIN),
                                                 (504, Verdict.UNCERTAIN), (400, Verdict.REFUSED),
                                                 (404, Verdict.REFUSED), (422, Verdict.REFUSED)])
def test_replies_are_read_the_same_way_by_every_provider(provider, status, verdict):
    assert provider.interpret(status, None).verdict is verdict


def test_error_text_is_never_empty_whatever_the_body(provider):
    for body in (None, {}, [], "text", {"error": "x"}, {"message": "m"}, {"error": {"message": "m"}}):
        assert provider.error_text(400, body)


def test_missing_credentials_are_a_credentials_error(provider):
    with pytest.raises(CredentialsError, match="environment"):
        provider.make_auth({}, provider.default_base_url)


async def test_a_row_from_the_examples_is_created_by_the_sandbox(tmp_path, sandbox, provider):
    row = example_row(provider)
    path = write_csv(tmp_path / "x.csv", list(row), [list(row.values())])
    options = SendOptions(base_url=sandbox.url, env=sandbox.environment(), max_attempts=2, timeout=5)
    summary = await run_import_async(path, provider, ReadOptions(), options)
    assert summary.counts == {"created": 1}
    assert len(held_ids(sandbox, provider.name)) == 1


def test_every_kind_of_field_has_one_entry_in_the_kinds_table():
    from bulk_tasks.check.kinds import KINDS

    assert set(KINDS) == set(Kind)
    for kind, behaviour in KINDS.items():
        spec = Field("x", kind, "X.", choices=("a", "b") if kind is Kind.ENUM else (), prefix="")
        assert behaviour.hint(spec) and (behaviour.rule(spec, False) is None) == (behaviour.reader(
            spec, get_provider("quo"), ValueReader()) is None)
