"""A past import's Verify, Undo and Send the changes in a real headless Chromium.

The page is ``bulk-tasks serve`` in its own process, sending "for real" to a sandbox this test serves on
loopback (``BULK_TASKS_TEST_PRODUCTION``, read by ``tests/toy_site/sitecustomize.py``): the sandbox keeps
its tasks, so what the page creates can be looked up, taken back and changed. Screenshots go where the
journey test's go (docs/screenshots/ with ``BULK_TASKS_SCREENSHOTS=1``).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from selenium.webdriver.support.ui import Select

from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from helpers import write_csv
from runs import QUO_HEADER, TRAVTUS_HEADER, quo_rows, travtus_rows
from servepage import served
from test_web_browser import _downloaded, _drop, _own_words, _shot, _text, _wait, browser, pytestmark  # noqa: F401

AFTER_COMMANDS = re.compile(r"bulk-tasks (verify|undo)\b|--(force|update|rows|yes)\b")


def _words(driver, workdir: Path) -> str:
    """The page's text, in its own words (``_own_words``), naming no command of what comes after a send either."""
    text = _own_words(driver, workdir)
    found = AFTER_COMMANDS.search(text)
    assert found is None, f"{found.group(0)!r} on the page"
    return text


def _results(driver) -> dict[str, dict[str, str]]:
    """The results grid as the page shows it: each row's cells by their headings, by the row's title."""
    rows = driver.execute_script("""
        const table = document.getElementById('results-table');
        const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
        return [...table.querySelectorAll('tbody tr')].map((tr) =>
          Object.fromEntries([...tr.children].map((cell, i) => [heads[i], cell.textContent])));""")
    return {row["Title"]: row for row in rows}


def _live(sandbox, provider: str) -> list:
    return [task for task in sandbox.state.tasks_of(provider) if not task.deleted]


def _send_for_real(driver, sandbox, provider: str, sheet: Path, work: Path, *, fresh: bool = True,
                   question: str | None = None) -> None:
    """Drop (or upload again) ``sheet``, untick Sandbox, type the key and send; wait for the run's end.
    ``question``: the question before sending, exactly (``{url}``: the sandbox's)."""
    if fresh:
        _wait(driver, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
        Select(driver.find_element("id", "provider")).select_by_value(provider)
        _drop(driver, sheet)
    else:
        driver.find_element("id", "fixed").send_keys(str(sheet))
    _wait(driver, lambda d: d.find_element("id", "send").is_enabled() and _text(d, "status").endswith("read."),
          lambda: f"the sheet checked ({_text(driver, 'status')!r}, {_text(driver, 'send-why')!r})")
    if driver.find_element("id", "sandbox").is_selected():
        driver.find_element("id", "sandbox").click()
    _type_key(driver, sandbox, provider, "cred")
    driver.find_element("id", "send").click()
    _wait(driver, lambda d: d.find_element("id", "confirm").is_displayed(), "the question before sending")
    assert _text(driver, "confirm-text").startswith("About to create ")
    assert f"at {sandbox.url}" in _text(driver, "confirm-text")
    if question is not None:
        assert _text(driver, "confirm-text") == question.format(url=sandbox.url)
    driver.find_element("id", "confirm-yes").click()
    _wait(driver, lambda d: _text(d, "progress-line").startswith("Finished"), "the end of the send")
    _wait(driver, lambda d: d.find_element("id", "step-after").is_displayed(), "what comes after the send")
    _words(driver, work)


def _type_key(driver, sandbox, provider: str, prefix: str) -> None:
    """Type the sandbox's credentials of ``provider`` into the fields ``prefix-<VARIABLE>``."""
    for name, value in sandbox.environment().items():
        if name.startswith(provider.upper() + "_"):
            field = driver.find_element("id", f"{prefix}-{name}")
            field.clear()
            field.send_keys(value)


def _after_line(driver, start: str) -> str:
    _wait(driver, lambda d: _text(d, "after-line").startswith(start), lambda: f"{start!r}, not "
          f"{_text(driver, 'after-line')!r} / {_text(driver, 'after-error')!r}")
    return _text(driver, "after-line")


def test_verify_then_undo_a_quo_import_with_uncertain_rows(browser, tmp_path):
    work = tmp_path / "work"
    faults = SandboxConfig(seed=7, fault_500_after_create_rate=0.25, drop_before_rate=0.25, quo_rate_per_second=None)
    with sandbox_in_thread(faults) as sandbox, \
            served(work, env={"BULK_TASKS_TEST_PRODUCTION": sandbox.url}) as (url, _process):
        browser.get(url)
        _send_for_real(browser, sandbox, "quo", write_csv(tmp_path / "calls.csv", QUO_HEADER, quo_rows(20)), work)
        sandbox.config.fault_500_after_create_rate = sandbox.config.drop_before_rate = 0.0
        before = _results(browser)
        uncertain = {title for title, row in before.items() if row["Status"] == "uncertain"}
        exists = {task.payload["title"]: task.task_id for task in _live(sandbox, "quo")}
        found = uncertain & set(exists)
        assert found and uncertain - found, before  # both kinds, or the test proves nothing
        assert browser.find_element("id", "after-verify").is_enabled()
        assert not browser.find_element("id", "after-update-row").is_displayed()  # no row changed

        _type_key(browser, sandbox, "quo", "after-cred")
        browser.find_element("id", "after-verify").click()
        line = _after_line(browser, "Checked ")
        assert line.startswith(f"Checked {len(exists) + len(uncertain - found)} rows in Quo at {sandbox.url}")
        assert f"{len(found)} uncertain rows were created: now created, with their task ID" in _text(browser,
                                                                                                     "after-lines")
        _wait(browser, lambda d: all(_results(d)[title]["Status"] == "created" for title in found), "the grid")
        after = _results(browser)
        for title in found:
            assert after[title]["Task ID"] == exists[title] and after[title]["Problem"].startswith("found in Quo by Verify")
        for title in uncertain - found:
            assert after[title]["Status"] == "not sent" and "the next Send sends it (once)" in after[title]["Problem"]
        assert f"{len(exists)} created" in _text(browser, "results-counts").split("\n")
        _words(browser, work)
        _shot(browser, "13-verified", "step-after")
        browser.find_element("id", "results-csv").click()  # the download says so too
        downloaded = {row["Title"]: row for row in csv.DictReader(
            _downloaded(browser, "calls.results.csv").open(encoding="utf-8-sig"))}
        assert {title: row["_status"] for title, row in downloaded.items() if title in uncertain} == \
            {title: "created" if title in found else "not_sent" for title in uncertain}

        created = len(exists)
        _type_key(browser, sandbox, "quo", "after-cred")
        browser.find_element("id", "after-undo").click()
        _wait(browser, lambda d: d.find_element("id", "after-confirm").is_displayed(), "the question before Undo")
        question = f"About to delete {created} tasks in Quo at {sandbox.url}. Continue?"
        assert _text(browser, "after-confirm-text") == question
        _words(browser, work)
        _shot(browser, "14-undo-question")
        browser.find_element("id", "after-confirm-no").click()
        _wait(browser, lambda d: not d.find_element("id", "after-confirm").is_displayed(), "the question closed")
        assert len(_live(sandbox, "quo")) == created

        browser.find_element("id", "after-undo").click()  # this time, yes: every task goes, once
        _wait(browser, lambda d: d.find_element("id", "after-confirm").is_displayed(), "the question again")
        sandbox.config.latency = 1.5  # each answer slow: a second tab opened now finds the undo under way
        browser.find_element("id", "after-confirm-yes").click()
        _wait(browser, lambda d: _text(d, "after-progress-line").startswith(("Preparing", "Taking")), "Undo begun")
        first = browser.current_window_handle
        browser.switch_to.new_window("tab")
        browser.get(url.split("?")[0])  # no import named: the page opens the one under way
        _wait(browser, lambda d: d.find_element("id", "step-after").is_displayed(), "the second tab's import")
        assert _text(browser, "after-progress-line").startswith(("Preparing", "Taking the tasks back"))
        assert not browser.find_element("id", "after-undo").is_enabled()
        assert _text(browser, "after-undo-why") == "This import is being taken back: wait for it to finish, or press Stop."
        assert _after_line(browser, "Took back") == f"Took back {created} tasks in Quo at {sandbox.url}."
        browser.close()
        browser.switch_to.window(first)
        assert _after_line(browser, "Took back") == f"Took back {created} tasks in Quo at {sandbox.url}."
        assert _live(sandbox, "quo") == []
        _wait(browser, lambda d: {row["Status"] for title, row in _results(d).items() if title in exists}
              == {"taken back"}, "the grid, taken back")
        assert all(_results(browser)[title]["Problem"].startswith("taken back by Undo on") for title in exists)
        assert not browser.find_element("id", "after-undo").is_enabled()
        assert _text(browser, "after-undo-why").startswith("Nothing to take back")
        _words(browser, work)


def test_travtus_cannot_verify_and_sends_the_changes_of_the_one_row_moved(browser, tmp_path):
    work = tmp_path / "work"
    with sandbox_in_thread(SandboxConfig()) as sandbox, \
            served(work, env={"BULK_TASKS_TEST_PRODUCTION": sandbox.url}) as (url, _process):
        browser.get(url)
        rows = travtus_rows(5)
        _send_for_real(browser, sandbox, "travtus", write_csv(tmp_path / "onboarding.csv", TRAVTUS_HEADER, rows),
                       work)
        assert not browser.find_element("id", "after-verify").is_enabled()
        why = _text(browser, "after-verify-why")
        assert why.startswith("Travtus offers no way to look a task up") and "Look for them in Travtus itself" in why
        assert "by their “Task Ref” or “Title”" in why and "external_ref" not in why

        rows[2][3] = "2027-01-05 09:00"  # the monthly sheet again, one due date moved: nothing to create
        before = {task.task_id: dict(task.current or task.payload) for task in _live(sandbox, "travtus")}
        browser.find_element("id", "fixed").send_keys(str(write_csv(tmp_path / "onboarding.csv", TRAVTUS_HEADER, rows)))
        _wait(browser, lambda d: d.find_element("id", "send-changes").is_displayed(), "Send the changes, in step 5")
        assert not browser.find_element("id", "send").is_enabled()
        assert _text(browser, "send-why") == ("Nothing to create: all 5 rows were created earlier. 1 row created "
                                              "earlier has changed since it was sent: Send leaves it as it is, "
                                              "“Send the changes” sends the change.")
        _words(browser, work)
        _shot(browser, "19-nothing-to-create", "step-send")
        _type_key(browser, sandbox, "travtus", "cred")
        browser.find_element("id", "send-changes").click()
        _wait(browser, lambda d: d.find_element("id", "confirm").is_displayed(), "the question")
        assert _text(browser, "confirm-text") == f"About to update 1 task in Travtus at {sandbox.url}/task/. Continue?"
        assert _text(browser, "confirm-yes") == "Send the changes"
        browser.find_element("id", "confirm-yes").click()
        _wait(browser, lambda d: _text(d, "progress-line").startswith("Finished"), "the change sent")
        _wait(browser, lambda d: _results(d)["Task 3"]["Status"] == "updated", "the grid, updated")
        now = {task.task_id: dict(task.current or task.payload) for task in _live(sandbox, "travtus")}
        assert [now[task]["external_ref"] for task in now if now[task] != before[task]] == ["T-00003"]
        assert _text(browser, "results-line").startswith("5 rows: 4 already created, 1 updated")
        _words(browser, work)

        rows[3][3] = "2027-01-06 09:00"  # and again: another due date moved, and a row added
        rows += travtus_rows(1, start=6)  # (saved under another name: the file input sees a change)
        _send_for_real(browser, sandbox, "travtus", write_csv(tmp_path / "onboarding-2.csv", TRAVTUS_HEADER, rows),
                       work, fresh=False, question=("About to create 1 task in Travtus at {url}/task/. Continue? (4 "
                                                    "already created earlier are not sent again.) 1 row created "
                                                    "earlier has changed since it was sent: Send leaves it as it "
                                                    "is, “Send the changes” sends the change."))
        assert _results(browser)["Task 4"]["Status"] == "changed since sent"
        assert "Due Date was 2026-12-01 09:00, now 2027-01-06 09:00" in _results(browser)["Task 4"]["Problem"]
        _wait(browser, lambda d: d.find_element("id", "after-update").is_enabled(), "Send the changes")
        assert _text(browser, "after-update-why") == "1 row changed since it was sent."
        _words(browser, work)
        _shot(browser, "11-after-the-send", "step-after")

        before = {task.task_id: dict(task.current or task.payload) for task in _live(sandbox, "travtus")}
        _type_key(browser, sandbox, "travtus", "after-cred")
        browser.find_element("id", "after-update").click()
        _wait(browser, lambda d: d.find_element("id", "after-confirm").is_displayed(), "the question")
        assert _text(browser, "after-confirm-text") == f"About to update 1 task in Travtus at {sandbox.url}. Continue?"
        _words(browser, work)
        browser.find_element("id", "after-confirm-yes").click()
        _wait(browser, lambda d: _text(d, "after-progress-line") == "Finished.", "the changes sent")
        _wait(browser, lambda d: _results(d)["Task 4"]["Status"] == "updated", "the grid, updated")
        now = {task.task_id: dict(task.current or task.payload) for task in _live(sandbox, "travtus")}
        moved = [task_id for task_id in now if now[task_id] != before[task_id]]
        assert len(moved) == 1 and now[moved[0]]["external_ref"] == "T-00004"
        assert now[moved[0]]["due_datetime"].startswith("2027-01-06")
        assert not browser.find_element("id", "after-update-row").is_displayed()
        _words(browser, work)
        _shot(browser, "12-changes-sent", "step-results")
