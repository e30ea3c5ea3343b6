"""The bad-input corpus (tests/data/corpus/, listed in tests/data/corpus.csv): every file gets its sentence.

``corpus.csv`` gives, per file, the provider, extra options, the exit code, a fragment of the message
(stdout or stderr) and, for readable files, every row's ``_status``. ``make_corpus.py`` wrote the files.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import shlex
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulk_tasks.cli import main
from bulk_tasks.sandbox import sandbox_in_thread

DATA = Path(__file__).parents[1] / "data"
CORPUS = DATA / "corpus"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", DATA / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_corpus = _load_generator()


@dataclass(frozen=True)
class Case:
    file: str
    provider: str
    options: tuple[str, ...]
    exit: int
    message: str
    statuses: dict[int, str]

    @property
    def id(self) -> str:
        return self.file + ("[" + " ".join(self.options) + "]" if self.options else "")


def _cases() -> list[Case]:
    with (DATA / "corpus.csv").open(encoding="utf-8", newline="") as handle:
        return [Case(row["file"], row["provider"], tuple(shlex.split(row["options"])), int(row["exit"]), row["message"],
                     {int(row): status for row, status in (pair.split("=") for pair in row["statuses"].split())})
                for row in csv.DictReader(handle)]


CASES = _cases()
UNREADABLE = [case for case in CASES if case.exit == 2]


def results_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def clean_streams(out: str, err: str) -> None:
    both = out + err
    assert "Traceback" not in both
    assert "internal problem" not in both
    assert "UserWarning" not in both and "site-packages" not in both


# --- the corpus itself -----------------------------------------------------------------------------

def test_the_corpus_has_at_least_thirty_real_files_and_the_table_covers_each():
    files = {path.name for path in CORPUS.iterdir()}
    assert len(files) >= 30
    assert files == {case.file for case in CASES} == set(make_corpus.FILES)


@pytest.mark.parametrize("name", sorted(make_corpus.FILES))
def test_committed_corpus_files_are_what_the_generator_writes(name):
    committed, generated = (CORPUS / name).read_bytes(), make_corpus.build(name)
    assert len(committed) < 1_000_000
    if committed.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(committed)):
        with zipfile.ZipFile(io.BytesIO(committed)) as left, zipfile.ZipFile(io.BytesIO(generated)) as right:
            assert {i.filename: left.read(i) for i in left.infolist()} == \
                   {i.filename: right.read(i) for i in right.infolist()}
    else:
        assert committed == generated, f"run python tests/data/make_corpus.py to regenerate {name}"


# --- what each file gets -----------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_file_gets_its_exit_code_message_and_statuses(tmp_path, capsys, case):
    results = tmp_path / "report.csv"
    code = main(["validate", str(CORPUS / case.file), "--provider", case.provider, *case.options,
                 "--results", str(results)])
    out, err = capsys.readouterr()
    clean_streams(out, err)
    assert code == case.exit, (out, err)
    assert case.message in out + err, (out, err)
    if case.exit == 2:
        assert err.startswith("Error: ") and err.count("Error: ") == 1
        assert case.file in err
        assert not results.exists()
        return
    rows = results_rows(results)
    assert {int(row["_row"]): row["_status"] for row in rows} == case.statuses
    for row in rows:
        assert bool(row["_error"]) == (row["_status"] == "invalid")


def test_emoji_and_right_to_left_text_reach_the_payload_byte_exact(tmp_path):
    for name in ("emoji_rtl.csv", "emoji_rtl.xlsx"):
        results = tmp_path / f"{name}.results.csv"
        assert main(["run", str(CORPUS / name), "--provider", "quo", "--dry-run", "--results", str(results)]) == 0
        payload = json.loads(results_rows(results)[0]["_payload"])
        assert payload["title"].encode("utf-8") == make_corpus.EMOJI_TITLE.encode("utf-8")
        assert payload["description"].encode("utf-8") == make_corpus.RTL_DESCRIPTION.encode("utf-8")


def test_a_cell_over_excels_limit_is_kept_whole_in_the_csv_results(tmp_path):
    results = tmp_path / "big.results.csv"
    main(["validate", str(CORPUS / "big_cell.csv"), "--provider", "quo", "--results", str(results)])
    row = results_rows(results)[0]
    assert row["Description"] == "x" * make_corpus.BIG_CELL
    assert len(row["_error"]) < 400 and "(40,000 characters)" in row["_error"]


def test_formula_results_saved_by_excel_are_what_is_read(tmp_path):
    results = tmp_path / "f.results.csv"
    assert main(["run", str(CORPUS / "formulas_with_values.xlsx"), "-p", "quo", "--dry-run",
                 "--results", str(results)]) == 0
    titles = [json.loads(row["_payload"])["title"] for row in results_rows(results)]
    assert titles == ["FIX THE BOILER", "Call 3 residents"]


# --- nothing is sent for a file that cannot be used --------------------------------------------------

@pytest.fixture(scope="module")
def live_sandbox():
    with sandbox_in_thread() as running:
        yield running


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_run_sends_nothing_unless_every_row_is_valid(tmp_path, capsys, monkeypatch, live_sandbox, case):
    live_sandbox.state.reset()
    for name, value in live_sandbox.environment().items():
        monkeypatch.setenv(name, value)
    results = tmp_path / "run.csv"
    code = main(["run", str(CORPUS / case.file), "--provider", case.provider, *case.options, "--quiet",
                 "--base-url", live_sandbox.url, "--max-attempts", "2", "--timeout", "60", "--results", str(results)])
    out, err = capsys.readouterr()
    clean_streams(out, err)
    assert code == case.exit, (out, err)
    stats = live_sandbox.state.stats
    if case.exit != 0:  # references may be looked up (read-only); no task is asked for
        assert all(provider.task_requests == 0 for provider in stats.providers.values())
        assert live_sandbox.state.tasks == []
    if case.exit == 2:
        assert not results.exists() and not list(tmp_path.glob("*journal*"))
        return
    statuses = {int(row["_row"]): row["_status"] for row in results_rows(results)}
    expected = {row: {"dry_run": "created" if case.exit == 0 else "not_sent"}.get(status, status)
                for row, status in case.statuses.items()}
    assert statuses == expected
    assert len(live_sandbox.state.tasks) == list(expected.values()).count("created")
    if case.file.startswith("emoji_rtl"):
        sent = [(task.payload["title"], task.payload["description"]) for task in live_sandbox.state.tasks]
        assert (make_corpus.EMOJI_TITLE, make_corpus.RTL_DESCRIPTION) in sent  # rows in flight may swap
