"""The commands around look-ups: validate --sandbox / --base-url / --env-file / --offline, run --offline, a
failure said once, the journal's record of what each value resolved to, the shared rate limiter, samples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bulk_tasks.cli import main
from bulk_tasks.record.journal import journal_path
from bulk_tasks.resolve.run import look_up
from bulk_tasks.sandbox import sandbox_in_thread
from bulk_tasks.send.endpoint import sandbox_endpoint
from bulk_tasks.send.ratelimit import RateLimiter
from bulk_tasks.shape.prepare import check_input
from helpers import write_csv

ROOT = Path(__file__).resolve().parents[2]
QUO = ["Title", "Description", "Phone Number", "Assigned To"]


@pytest.fixture(scope="module")
def live_sandbox():
    with sandbox_in_thread() as running:
        yield running


def quo_sheet(tmp_path: Path, phone: str = "(415) 555-0100", email: str = "maya.chen@example.com") -> Path:
    return write_csv(tmp_path / "q.csv", QUO, [["Call", "d", phone, email]])


def test_validate_sandbox_checks_against_the_demo_workspace(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("QUO_API_KEY", raising=False)
    path = quo_sheet(tmp_path, email="maya.chen@exampel.com")
    assert main(["validate", str(path), "-p", "quo", "--sandbox", "-q"]) == 1
    out = capsys.readouterr().out
    assert "no user with the e-mail 'maya.chen@exampel.com' in this Quo workspace" in out
    assert "did you mean 'maya.chen@example.com'?" in out


def test_validate_reads_credentials_from_an_env_file_for_a_base_url(tmp_path, capsys, monkeypatch, live_sandbox):
    monkeypatch.delenv("QUO_API_KEY", raising=False)
    env = tmp_path / "quo.env"
    env.write_text(f"QUO_API_KEY={live_sandbox.environment()['QUO_API_KEY']}\n", encoding="utf-8")
    before = live_sandbox.state.stats.providers["quo"].lookup_requests["/v1/phone-numbers"]
    path = quo_sheet(tmp_path)
    assert main(["validate", str(path), "-p", "quo", "--base-url", live_sandbox.url, "--env-file", str(env), "-q"]) == 0
    assert live_sandbox.state.stats.providers["quo"].lookup_requests["/v1/phone-numbers"] == before + 1
    assert "not checked" not in capsys.readouterr().err


def test_validate_without_credentials_says_once_how_to_check(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("QUO_API_KEY", raising=False)
    path = write_csv(tmp_path / "q.csv", QUO, [["Call", "d", "(415) 555-0100", ""], ["Again", "d", "Main line", ""]])
    assert main(["validate", str(path), "-p", "quo", "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("were not checked against the Quo workspace (no credentials)") == 1


def test_validate_offline_and_run_offline(tmp_path, capsys):
    path = quo_sheet(tmp_path, phone="PNk3Ra9XwQ2m", email="USm2Fq8KpL")
    assert main(["validate", str(path), "-p", "quo", "--offline", "-q"]) == 0
    assert main(["run", str(path), "-p", "quo", "--dry-run", "--offline", "-q"]) == 0
    assert main(["run", str(path), "-p", "quo", "--offline", "-q"]) == 2
    assert "--offline checks the sheet without the provider, so it cannot send" in capsys.readouterr().err


def test_refused_credentials_are_said_once_with_exit_2_and_no_secret(tmp_path, capsys, monkeypatch, live_sandbox):
    monkeypatch.setenv("QUO_API_KEY", "not-the-key-123")
    path = write_csv(tmp_path / "q.csv", QUO, [["Call", "d", "(415) 555-0100", ""]] * 3)
    assert main(["validate", str(path), "-p", "quo", "--base-url", live_sandbox.url]) == 2
    out, err = capsys.readouterr()
    assert err.count("Could not look the sheet's references up in Quo") == 1 and "not-the-key-123" not in out + err
    assert "Traceback" not in err


def test_a_run_records_what_each_value_resolved_to_in_its_journal(tmp_path, capsys, monkeypatch):
    path = quo_sheet(tmp_path, phone="Main line")
    assert main(["run", str(path), "-p", "quo", "--sandbox", "-q"]) == 0
    lines = [json.loads(line) for line in journal_path(tmp_path / "q.results.csv").read_text().splitlines()]
    [record] = [line for line in lines if line["type"] == "references"]
    assert sorted(record["resolved"]) == [["assignedTo", "maya.chen@example.com", None, None, "USm2Fq8KpL"],
                                          ["phoneNumberId", "Main line", None, None, "PNk3Ra9XwQ2m"]]


class CountingLimiter(RateLimiter):
    def __init__(self) -> None:
        super().__init__(10.0)
        self.grants = 0

    async def acquire(self, cancel=None):
        self.grants += 1
        return await super().acquire(cancel)


async def test_look_ups_go_through_the_rate_limiter_they_are_given(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO, [["Call", "d", "(415) 555-0100", "sam.okafor@example.com"]])
    limiter = CountingLimiter()
    checked = check_input(path, "quo")
    endpoint = sandbox_endpoint(checked.provider, sandbox.url, sandbox.environment())
    references, requests = await look_up(checked, endpoint, limiter=limiter)
    assert requests == limiter.grants == 2
    assert references.resolution is not None and not references.resolution.missing


@pytest.mark.parametrize(("sample", "provider"), [("quo-follow-ups.csv", "quo"),
                                                  ("travtus-monthly-maintenance.xlsx", "travtus"),
                                                  ("travtus-onboarding.csv", "travtus")])
def test_the_quick_start_samples_create_every_row_in_the_sandbox(tmp_path, capsys, sample, provider):
    path = tmp_path / sample
    shutil.copy(ROOT / "samples" / sample, path)
    assert main(["run", str(path), "-p", provider, "--sandbox", "-q"]) == 0, capsys.readouterr()


def test_the_quo_template_says_its_columns_take_a_phone_number_or_an_email(tmp_path, capsys):
    import openpyxl

    target = tmp_path / "quo.xlsx"
    assert main(["template", "quo", "--output", str(target), "-q"]) == 0
    sheet = openpyxl.load_workbook(target)["How to fill"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["phoneNumberId"][3] == "a phone number or a number's name, or an ID starting with PN"
    assert rows["assignedTo"][3] == "an e-mail, or an ID starting with US"
    assert "(415) 555-0100" in rows["phoneNumberId"][4] and "@" in rows["assignedTo"][4]


async def test_a_run_paces_its_look_ups_and_its_sends_with_one_rate_limiter(tmp_path, sandbox, monkeypatch):
    import bulk_tasks.api as api
    from bulk_tasks import ReadOptions, SendOptions, run_import_async

    made: list[CountingLimiter] = []

    def one_limiter(provider, send):
        made.append(CountingLimiter())
        return made[-1]

    monkeypatch.setattr(api, "_limiter", one_limiter)
    path = write_csv(tmp_path / "q.csv", QUO, [["Call", "d", "(415) 555-0100", "sam.okafor@example.com"]])
    summary = await run_import_async(path, "quo", ReadOptions(), SendOptions(base_url=sandbox.url,
                                                                             env=sandbox.environment()))
    assert summary.counts == {"created": 1}
    stats = sandbox.state.stats.providers["quo"]
    assert sum(stats.lookup_requests.values()) == 2
    [limiter] = made  # the look-ups' two requests and the create went through the same bucket
    assert limiter.grants == 3
