"""The provider contract (``bulk_tasks.providers.testing``) run over every registered provider, check by check."""

from __future__ import annotations

from typing import Any

import pytest

from bulk_tasks.check.values import ValueReader
from bulk_tasks.providers import PROVIDERS, Field, Kind, get_provider
from bulk_tasks.providers.quo.provider import Quo
from bulk_tasks.providers.testing import CHECKS, ContractError, check_provider, run_check
from bulk_tasks.sandbox import emulations
from bulk_tasks.send.options import SendOptions
from helpers import write_csv


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_registered_provider_passes_the_contract(name, check, tmp_path):
    run_check(check, name, tmp_path)


def test_every_registered_provider_has_a_sandbox_emulation_and_no_emulation_lacks_a_provider():
    assert set(emulations()) == set(PROVIDERS)


class Mute(Quo):
    """A provider that says nothing when a reply is an error."""

    def error_text(self, status: int, body: Any) -> str:
        return ""


def test_a_check_that_fails_names_the_provider_and_the_check(tmp_path):
    with pytest.raises(ContractError, match=r"^quo fails error_text_is_never_empty: error_text\(400, None\) is empty"):
        run_check("error_text_is_never_empty", Mute(), tmp_path)


def test_one_call_runs_the_contract_and_stops_at_the_first_broken_check(tmp_path):
    with pytest.raises(ContractError, match="fails registered_under_its_name"):
        check_provider(Mute(), tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["registered_under_its_name"]


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_references_name_real_fields_and_their_lookups_load(name):
    """Providers with look-ups (Quo, Travtus) and without (the toy) alike."""
    from bulk_tasks.providers.references import Lookups
    from bulk_tasks.resolve.run import lookups_of

    provider = get_provider(name)
    names = {spec.name for spec in provider.fields}
    assert set(provider.references) <= names
    for reference in provider.references.values():
        assert set(reference.scope) <= names and reference.kind
    if provider.references:
        assert isinstance(lookups_of(provider, "US"), Lookups) and provider.lookup_paths
    else:
        assert provider.lookups is None and not provider.lookup_paths


@pytest.mark.parametrize("name", sorted(PROVIDERS))
async def test_a_row_from_the_examples_is_checked_against_the_sandbox_workspace(tmp_path, sandbox, name):
    from bulk_tasks import ReadOptions, SendOptions, run_import_async
    from bulk_tasks.providers.testing import example_row, write_rows

    provider = get_provider(name)
    row = example_row(provider)
    path = write_rows(tmp_path / "x.csv", list(row), [list(row.values())])
    options = SendOptions(base_url=sandbox.url, env=sandbox.environment(), max_attempts=2, timeout=5)
    summary = await run_import_async(path, provider, ReadOptions(), options, dry_run=True)
    assert summary.exit_code == 0, summary.errors
    stats = sandbox.state.stats.providers[provider.name]
    assert bool(stats.lookup_requests) == bool(provider.references) and stats.task_requests == 0


def test_every_kind_of_field_has_one_entry_in_the_kinds_table():
    from bulk_tasks.check.kinds import KINDS

    assert set(KINDS) == set(Kind)
    for kind, behaviour in KINDS.items():
        spec = Field("x", kind, "X.", choices=("a", "b") if kind is Kind.ENUM else (), prefix="")
        assert behaviour.hint(spec) and (behaviour.rule(spec, False) is None) == (behaviour.reader(
            spec, get_provider("quo"), ValueReader()) is None)


def _past_results(tmp_path, provider) -> str:
    """A results file with one created row and the journal that names ``provider`` (nothing is sent)."""
    path = write_csv(tmp_path / "past.results.csv", ["_row", "_status", "_task_id", "title"],
                     [["2", "created", "ID-1", "A task"]])
    (tmp_path / "past.results.journal.jsonl").write_text(
        f'{{"type":"header","version":1,"provider":"{provider.name}","base_url":"{provider.default_base_url}"}}\n')
    return str(path)


@pytest.mark.parametrize("name", sorted(PROVIDERS))
async def test_what_comes_after_the_send_is_declared_or_refused_with_a_sentence(tmp_path, name):
    from bulk_tasks.after.undo import undo_async
    from bulk_tasks.after.verify import verify_async
    from bulk_tasks.errors import UsageError
    from bulk_tasks.providers.tasks import Change

    provider = get_provider(name)
    results = _past_results(tmp_path, provider)
    name = provider.name.capitalize()
    if provider.task_lookup() is None:
        with pytest.raises(UsageError, match=f"^{name} offers no way to look a task up") as refused:
            await verify_async(results, send=SendOptions(env={}))
        assert "past.results.csv" in str(refused.value)
    changes = provider.task_changes()
    if changes is None:
        with pytest.raises(UsageError, match=f"^{name} offers no way to take a task back through its API"):
            await undo_async(results, send=SendOptions(env={}))
        return
    delete = changes.delete("ID-1", "REF-1")
    assert isinstance(delete, Change) and delete.path.startswith("/") and delete.method in ("DELETE", "PATCH", "POST")
    assert changes.update("ID-1", "REF-1", {"title": "a"}, {"title": "a"}) == []


def test_credential_labels_are_declared_or_derived_from_the_variable_after_the_providers_prefix():
    travtus = get_provider("travtus")
    assert [travtus.credential_label(name) for name in travtus.credential_variables] == [
        "API token", "Client ID", "Client secret"]
    assert Quo.credential_label("QUO_API_KEY") == "API key"

    class Declared(Quo):
        credential_labels = {"QUO_API_KEY": "Personal access key"}

    assert Declared.credential_label("QUO_API_KEY") == "Personal access key"
    assert Quo.credential_label("OTHER_WEBHOOK_URL") == "Other webhook URL"  # another prefix is kept


def test_a_sentence_that_cannot_look_up_names_each_field_as_its_column_else_by_its_api_name():
    travtus = get_provider("travtus")
    named = travtus.cannot_look_up_text("this import", {"external_ref": "“Task Ref”"})
    assert "by their “Task Ref” or title" in named and "{" not in named and "external_ref" not in named
    assert "by their external_ref or title" in travtus.cannot_look_up_text("r.csv")
