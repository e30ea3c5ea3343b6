"""The page in a real headless Chromium (Debian's chromium + chromium-driver, driven by selenium).

The journey test takes a screenshot of each step; with ``BULK_TASKS_SCREENSHOTS=1`` it writes them to
docs/screenshots/ (linked from the README), otherwise to the test's temporary folder, so that a plain
test run leaves the repository unchanged.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from bulk_tasks.console.wording import PAGE
from bulk_tasks.providers import get_provider
from bulk_tasks.report.templates import write_template
from servepage import served
from webpage import MISTAKES, fixed_mistakes

CHROMIUM = Path(os.environ.get("BULK_TASKS_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("BULK_TASKS_CHROMEDRIVER", "/usr/bin/chromedriver"))
SKIP_REASON = ("the browser tests need Chromium and its driver: install the Debian packages with "
               "'apt-get install -y chromium chromium-driver' (/usr/bin/chromium, /usr/bin/chromedriver)")
DOCS_SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,800")
WAIT = 120

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason=SKIP_REASON)


@pytest.fixture
def browser(tmp_path, monkeypatch) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    driver.screenshots = DOCS_SCREENSHOTS if os.environ.get("BULK_TASKS_SCREENSHOTS") == "1" else tmp_path / "shots"
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, what: str):
    """Poll ``condition`` until it holds; an element it found that the page replaced meanwhile (the grids are
    drawn anew after each change) only means: look again."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException:
        raise AssertionError(f"waited {WAIT} s for {what() if callable(what) else what}") from None


def _fresh(read):
    """``read()``, again if an element it found was replaced by the page before it was read."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(50):
        try:
            return read()
        except StaleElementReferenceException:
            continue
    return read()


def _redrawn(driver, action, what: str) -> None:
    """Do ``action``, after which the page draws the check grid (again), and wait for the new grid: until
    then the old one is still there, and its cells would be replaced under the test."""
    driver.execute_script("const t = document.getElementById('check-table'); if (t) t.dataset.old = '1';")
    action()
    _wait(driver, lambda d: d.execute_script(
        "const t = document.getElementById('check-table'); return Boolean(t) && !t.dataset.old"), what)


def _shot(driver, name: str, element_id: str | None = None) -> None:
    driver.screenshots.mkdir(parents=True, exist_ok=True)
    if element_id:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'start'})", element_id)
    assert driver.save_screenshot(str(driver.screenshots / f"{name}.png"))


def _text(driver, element_id: str) -> str:
    return _fresh(lambda: driver.find_element("id", element_id).text)


def _pick_travtus(driver) -> None:
    from selenium.webdriver.support.ui import Select

    _wait(driver, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
    Select(driver.find_element("id", "provider")).select_by_value("travtus")


def _downloaded(driver, name: str) -> Path:
    target = driver.downloads / name
    _wait(driver, lambda d: target.exists() and target.stat().st_size > 0, f"the download {name}")
    return target


FLAG = re.compile(r"(?<![\w-])--[a-z]")
COMMAND = re.compile(r"bulk-tasks (validate|run|serve|template|check)\b|bulk_tasks|python -m")
RAW_WORDS = re.compile(r"(?<!\w)(_status|_task_id|_error|_row|dry_run|not_sent|already_created)(?!\w)")


def _own_words(driver, workdir: Path) -> str:
    """The page's text now, asserted to name no command-line flag, command, server path or raw column."""
    text = driver.find_element("tag name", "body").text
    for pattern in (FLAG, COMMAND, RAW_WORDS):
        found = pattern.search(text)
        around = text[max(0, found.start() - 80):found.end() + 80] if found else ""
        assert found is None, f"{found.group(0)!r} on the page: ...{around}..."
    assert str(workdir) not in text and "/imports/" not in text and str(Path.home()) + "/" not in text
    return text


def _cell(driver, row: int, column: str):
    return driver.find_element("css selector", f'#check-table tr[data-row="{row}"] td[data-column="{column}"]')


def _wait_cell(driver, row: int, column: str, text: str) -> None:
    """Wait until the grid (drawn again after a change) shows ``text`` in a cell."""
    _wait(driver, lambda d: d.execute_script(
        "const [row, column, text] = arguments;"
        "const td = document.querySelector(`#check-table tr[data-row=\"${row}\"] td[data-column=\"${column}\"]`);"
        "return Boolean(td) && td.textContent === text", row, column, text), f"{text!r} in row {row}, {column}")


def _cell_text(driver, row: int, column: str) -> str:
    return _fresh(lambda: _cell(driver, row, column).text)


def _row_cells(driver, row: int) -> list[str]:
    return _fresh(lambda: [td.text for td in driver.find_elements("css selector",
                                                                  f'#check-table tr[data-row="{row}"] td')])


def _texts(driver, selector: str) -> list[str]:
    return _fresh(lambda: [element.text for element in driver.find_elements("css selector", selector)])


def _edit(driver, row: int, column: str, value: str, *, keyboard: bool = False, tab: bool = False) -> None:
    """Type ``value`` over a cell as a person does (a click, or Enter on the focused cell), then Enter or
    Tab; wait until the server's re-check has replaced the row."""
    from selenium.webdriver.support.ui import Select

    cell = _cell(driver, row, column)
    marker = driver.execute_script("const tr = arguments[0].closest('tr'); tr.dataset.old = '1'; return 1;", cell)
    if keyboard:
        driver.execute_script("arguments[0].focus()", cell)
        cell.send_keys(Keys.ENTER)
    else:
        _into_view(driver, cell)
        cell.click()
    control = _wait(driver, lambda d: _cell(d, row, column).find_elements("css selector", "input, select"),
                    "the cell's field")[0]
    assert control.get_attribute("aria-label") == column
    if control.tag_name == "select":
        Select(control).select_by_value(value)
    else:
        control.send_keys(Keys.CONTROL, "a")
        control.send_keys(Keys.DELETE)
        control.send_keys(value)
    control.send_keys(Keys.TAB if tab else Keys.ENTER)
    assert marker == 1
    _wait(driver, lambda d: not d.find_elements("css selector", f'#check-table tr[data-row="{row}"][data-old]'),
          f"row {row} checked again")

    def shown() -> tuple[str, str]:  # the value, and what a reference resolved to beside it
        cell = _cell(driver, row, column)
        return cell.get_attribute("data-value"), cell.text

    data_value, text = _fresh(shown)
    assert data_value == value and text.startswith(value)


def _into_view(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", element)


def _drop(driver, path: Path) -> None:
    """Drop ``path`` on the drop zone, as a file dragged from the desktop."""
    driver.execute_script("""
        const [name, text] = arguments;
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], name, {type: "text/csv"}));
        document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        """, path.name, path.read_text(encoding="utf-8"))


def test_the_whole_journey_in_a_real_browser(browser, tmp_path):
    """Upload, fix every bad cell in the grid, reload, send: the results carry the fixes."""
    work = tmp_path / "work"
    with served(work) as (url, _process):
        browser.get(url)
        assert "token" not in browser.current_url
        _pick_travtus(browser)
        timezone = browser.find_element("id", "timezone").get_attribute("value")
        assert timezone == browser.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone")
        assert "No imports yet." in _own_words(browser, work)
        _shot(browser, "1-start")
        browser.find_element("id", "template-xlsx").click()
        template = _downloaded(browser, "travtus-tasks-template.xlsx")
        assert template.read_bytes() == write_template(get_provider("travtus"), tmp_path / "t.xlsx", "xlsx",
                                                       words=PAGE).read_bytes()
        help_text = " ".join(str(c.value) for row in openpyxl.load_workbook(template)["How to fill"].iter_rows()
                             for c in row if c.value)
        assert "the bulk-tasks page" in help_text and not FLAG.search(help_text)
        assert "bulk-tasks validate" not in help_text

        _redrawn(browser, lambda: _drop(browser, MISTAKES), "the grid of the dropped file")
        _wait(browser, lambda d: d.find_elements("css selector", "#check-table td.bad"), "highlighted cells")
        cells = browser.find_elements("css selector", "#check-table td.bad")
        bad = {cell.text: cell for cell in cells}
        assert "is not a date bulk-tasks can read" in bad["31/31/2026"].get_attribute("title")
        assert bad["31/31/2026"].get_attribute("aria-invalid") == "true"
        described = browser.find_element("id", bad["31/31/2026"].get_attribute("aria-describedby"))
        assert "is not a date bulk-tasks can read" in described.get_attribute("textContent")
        headings = _texts(browser, "#check-table thead th")
        assert headings[:3] == ["Row", "Status", "Problem"]
        assert "Due Date = '31/31/2026': is not a date" in _row_cells(browser, 7)[1]
        assert _text(browser, "check-line").endswith("rows are invalid:")
        assert "Due Date: is not a date bulk-tasks can read" in _text(browser, "check-problems")
        assert _text(browser, "check-counts").split("\n") == ["6 invalid", "5 valid, ready to send"]
        assert "fix them above" in _text(browser, "send-why") and not browser.find_element("id", "send").is_enabled()
        _own_words(browser, work)
        _shot(browser, "2-columns", "step-columns")
        browser.execute_script("document.querySelector('#check-table td.bad').focus()")
        _shot(browser, "3-check-highlighted-cells", "step-check")

        _edit(browser, 7, "Due Date", "12/6/2026")
        assert _row_cells(browser, 7)[:2] == ["valid, ready to send", ""]
        assert _text(browser, "check-counts").split("\n") == ["5 invalid", "6 valid, ready to send"]
        assert not browser.find_elements("css selector", '#check-table tr[data-row="7"] td.bad')
        _own_words(browser, work)
        _edit(browser, 9, "Priority", "high")  # a field with a fixed list: a drop-down
        _edit(browser, 10, "Assignee Email", "maria@example.com", keyboard=True)
        _edit(browser, 11, "Resident Phone", "(510) 555-0123")
        _edit(browser, 5, "Group External Ref", "PROP-OAK", tab=True)
        assert browser.switch_to.active_element.get_attribute("data-column") == "Task Ref"  # Tab moved on
        cell = _cell(browser, 4, "group_id")
        _into_view(browser, cell)
        cell.click()
        control = _wait(browser, lambda d: cell.find_elements("css selector", "input"), "the field")[0]
        control.send_keys(" typed by mistake" + Keys.ESCAPE)  # Escape: nothing is saved
        assert _cell_text(browser, 4, "group_id") == "3f6c2a9e-0d4b-4f7a-8e21-5b9c0d1e2f3a"
        _edit(browser, 4, "group_id", "")
        _wait(browser, lambda d: _text(d, "check-line").startswith("All 11 rows are valid"), "every row fixed")
        assert not browser.find_elements("css selector", "#check-table td.bad")
        assert browser.find_element("id", "send").is_enabled() and _text(browser, "send-why") == ""
        _own_words(browser, work)
        _shot(browser, "4-fixed-in-the-grid", "step-check")

        browser.refresh()  # the fixes are kept with the import
        _wait(browser, lambda d: _text(d, "check-line").startswith("All 11 rows are valid"), "the import, reloaded")
        _wait_cell(browser, 7, "Due Date", "12/6/2026")
        assert _cell_text(browser, 9, "Priority") == "high"
        _own_words(browser, work)

        browser.find_element("id", "send").click()
        _wait(browser, lambda d: d.find_element("id", "confirm").is_displayed(), "the confirmation")
        assert _text(browser, "confirm-text").startswith("About to create 11 tasks in Travtus at the built-in sandbox")
        _own_words(browser, work)
        _shot(browser, "5-confirm")
        browser.find_element("id", "confirm-yes").click()

        _wait(browser, lambda d: _text(d, "progress-line").startswith("Finished"), "the end of the run")
        bar = browser.find_element("id", "bar")
        assert bar.get_attribute("value") == bar.get_attribute("max") == "11"
        _wait(browser, lambda d: d.find_elements("css selector", "#results-table td.status-created"),
              "the results grid")
        assert _text(browser, "results-line").startswith("11 rows: 11 created")
        assert _texts(browser, "#results-table thead th")[:4] == ["Row", "Status", "Task ID", "Problem"]
        _own_words(browser, work)
        _shot(browser, "6-sent-and-results", "step-send")

        browser.find_element("id", "results-csv").click()
        downloaded = _downloaded(browser, "travtus-with-mistakes.results.csv")
        results = list(csv.DictReader(downloaded.open(encoding="utf-8-sig")))
        fixed = [row for row in csv.DictReader(fixed_mistakes(tmp_path / "fixed.csv").open(encoding="utf-8"))
                 if any(row.values())]
        assert len(results) == len(fixed) == 11
        for result, row in zip(results, fixed):
            assert result["_status"] == "created" and result["_task_id"], result
            dates = ("Due Date",)  # written as dates in the results workbook, read back as ISO text
            assert {k: result[k] for k in row if k not in dates} == {k: v for k, v in row.items() if k not in dates}
        assert results[5]["Due Date"] == "12/6/2026"  # row 7: the date fixed in the grid
        browser.find_element("id", "results-xlsx").click()
        assert _downloaded(browser, "travtus-with-mistakes.results.xlsx").read_bytes().startswith(b"PK")
        _wait(browser, lambda d: len(d.find_elements("css selector", "#imports tbody tr")) == 1, "the past imports")
        assert "11 created" in _text(browser, "imports") and "Travtus" in _text(browser, "imports")
        _own_words(browser, work)
        _shot(browser, "7-past-imports", "past")


def test_the_page_requests_nothing_from_any_other_host(browser, tmp_path):
    with served(tmp_path / "work") as (url, _process):
        own = urlsplit(url).netloc
        browser.get(url)
        _pick_travtus(browser)
        browser.find_element("id", "file").send_keys(str(MISTAKES))
        _wait(browser, lambda d: d.find_elements("css selector", "#check-table td.bad"), "highlighted cells")
        hosts = set()
        for entry in browser.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                parts = urlsplit(message["params"]["request"]["url"])
                if parts.scheme not in ("data", "blob", "chrome", "chrome-untrusted", "about"):
                    hosts.add(f"{parts.scheme}://{parts.netloc}")
        assert hosts == {f"http://{own}"}


def test_a_script_in_a_cell_is_shown_not_run(browser, tmp_path):
    hostile = ['<script>window.pwned = 1</script>', '<img src=x onerror="window.pwned = 2">']
    sheet = tmp_path / "hostile.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Description", "phoneNumberId", "Assigned To"])
        for title in hostile:
            writer.writerow([title, "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"])
    with served(tmp_path / "work") as (url, _process):
        browser.get(url)
        _wait(browser, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
        browser.find_element("id", "file").send_keys(str(sheet))
        _wait(browser, lambda d: d.find_elements("css selector", "#check-table tbody tr"), "the grid")
        cells = _fresh(lambda: [row.find_elements("css selector", "td")[2].text
                                for row in browser.find_elements("css selector", "#check-table tbody tr")])
        assert cells == hostile
        assert browser.execute_script("return window.pwned") is None
        assert not browser.find_elements("css selector", "#check-grid img, #check-grid script")


def test_every_control_is_labelled_and_the_page_fits_at_200_percent_zoom(browser, tmp_path):
    with served(tmp_path / "work") as (url, _process):
        browser.get(url)
        _pick_travtus(browser)
        browser.find_element("id", "file").send_keys(str(MISTAKES))
        _wait(browser, lambda d: d.find_elements("css selector", "#check-table td.bad"), "highlighted cells")
        unlabelled = browser.execute_script("""
            return [...document.querySelectorAll('input, select, button, [tabindex]')]
              .filter((e) => !e.closest('[hidden]') && !(e.labels && e.labels.length)
                      && !e.getAttribute('aria-label') && !e.getAttribute('aria-describedby') && !e.textContent.trim())
              .map((e) => e.outerHTML.slice(0, 80));""")
        assert unlabelled == []
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": 640, "height": 400, "deviceScaleFactor": 2, "mobile": False})
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        _shot(browser, "8-zoom-200-percent", "step-check")
        browser.find_element("css selector", "body").send_keys("\ue004")  # Tab: focus moves through the page
        assert browser.switch_to.active_element.tag_name in ("select", "a", "input", "div", "button")


def test_reopening_the_page_shows_the_run_and_stop_ends_it(browser, tmp_path):
    sheet = tmp_path / "calls.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Description", "phoneNumberId", "Assigned To"])
        writer.writerows([f"Call {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(400))
    with served(tmp_path / "work") as (url, _process):
        browser.get(url)
        _wait(browser, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
        browser.find_element("id", "file").send_keys(str(sheet))
        _wait(browser, lambda d: _text(d, "check-line").startswith("All 400 rows are valid"), "the check")
        browser.find_element("id", "send").click()
        _wait(browser, lambda d: d.find_element("id", "confirm").is_displayed(), "the confirmation")
        browser.find_element("id", "confirm-yes").click()
        _wait(browser, lambda d: d.find_element("id", "bar").get_attribute("value") not in ("0", None), "progress")
        browser.get(url.split("?")[0])
        _wait(browser, lambda d: d.find_element("id", "progress").is_displayed()
              and _text(d, "progress-line").startswith("Sending…"), "the run shown again after reopening")
        assert not browser.find_element("id", "send").is_enabled()
        assert _text(browser, "send-why") == "Sending is under way: wait for it to finish, or press Stop."
        _shot(browser, "9-reopened-while-sending", "step-send")
        browser.find_element("id", "stop").send_keys("\ue007")  # Enter: the keyboard presses Stop
        _wait(browser, lambda d: _text(d, "progress-line").startswith("Stopped:"), "the stopped run")
        _wait(browser, lambda d: d.find_element("id", "step-results").is_displayed(), "the results")
        counts = _text(browser, "results-counts")
        assert "not sent" in counts and "created" in counts
        results = {line.split(" ", 1)[1]: int(line.split(" ", 1)[0].replace(",", "")) for line in counts.split("\n")}
        shown = {line.split(" ", 1)[1]: int(line.split(" ", 1)[0].replace(",", ""))
                 for line in _text(browser, "progress-counts").split("\n")}
        assert shown == results and sum(results.values()) == 400  # after Stop: the counts of the results
        assert f"{results['created']:,} created" in _text(browser, "progress-line")
        _own_words(browser, tmp_path / "work")


def test_fix_all_find_and_replace_filters_go_to_row_undo_and_redo(browser, tmp_path):
    sheet = tmp_path / "priorities.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Task Ref", "Title", "Group External Ref", "Assignee Ref", "Priority", "Due Date"])
        for n in range(1, 151):
            writer.writerow([f"T-{n}", f"Task {n}", "PROP-OAK", "EMP-0042", "urgent" if n % 50 == 0 else "low",
                             "31/31/2026" if n == 7 else "12/1/2026"])
    work = tmp_path / "work"
    with served(work) as (url, _process):
        browser.get(url)
        _pick_travtus(browser)
        _redrawn(browser, lambda: browser.find_element("id", "file").send_keys(str(sheet)), "the grid")
        _wait(browser, lambda d: _text(d, "check-line") == "4 of 150 rows are invalid:", "the check")
        rows = lambda d: d.execute_script(  # noqa: E731
            "return [...document.querySelectorAll('#check-table tbody tr')].map((tr) => Number(tr.dataset.row))")
        assert rows(browser) == [8, 51, 101, 151]  # the grid opens on the rows with problems

        _edit(browser, 51, "Priority", "high")
        _wait(browser, lambda d: d.find_element("id", "alike").is_displayed(), "the offer to fix all")
        assert _text(browser, "alike-text") == "2 other rows have “urgent” in Priority."
        _own_words(browser, work)
        _redrawn(browser, browser.find_element("id", "alike-go").click, "the grid after the fix-all")
        _wait(browser, lambda d: _text(d, "check-line") == "1 of 150 rows is invalid:", "every urgent fixed")
        _wait(browser, lambda d: rows(d) == [8], "the fixed rows gone from the rows with problems")
        assert _text(browser, "undo") == "Undo (2)"
        _shot(browser, "10-fix-all", "step-check")
        _redrawn(browser, browser.find_element("id", "check-only").click, "every row")  # every row
        _wait(browser, lambda d: len(rows(d)) == 100, "every row")
        assert _cell_text(browser, 51, "Priority") == "high"

        _redrawn(browser, browser.find_element("id", "undo").click, "the grid after undo")  # the fix-all is one change
        _wait(browser, lambda d: _text(d, "check-line") == "3 of 150 rows are invalid:", "the fix-all undone")
        _wait_cell(browser, 51, "Priority", "high")
        _redrawn(browser, lambda: browser.find_element("id", "jump").send_keys("101" + Keys.ENTER), "row 101")
        _wait_cell(browser, 101, "Priority", "urgent")
        browser.find_element("id", "jump").clear()
        _redrawn(browser, browser.find_element("id", "redo").click, "the grid after redo")
        _wait(browser, lambda d: _text(d, "check-line") == "1 of 150 rows is invalid:", "the fix-all redone")
        _wait_cell(browser, 101, "Priority", "high")

        Select(browser.find_element("id", "replace-column")).select_by_value("Title")
        browser.find_element("id", "replace-find").send_keys("Task 1")
        browser.find_element("id", "replace-with").send_keys("Job 1")
        _redrawn(browser, browser.find_element("id", "replace-go").click, "the grid after the replace")
        _wait(browser, lambda d: _text(d, "status") == "62 cells changed.", "the replace")  # 1, 10-19, 100-150
        _wait_cell(browser, 101, "Title", "Job 100")
        assert _cell_text(browser, 12, "Title") == "Job 11" and _cell_text(browser, 21, "Title") == "Task 20"

        browser.find_element("id", "jump").clear()
        _redrawn(browser, lambda: browser.find_element("id", "jump").send_keys("140" + Keys.ENTER), "row 140")
        _wait(browser, lambda d: browser.switch_to.active_element.get_attribute("data-column") == "Task Ref"
              and d.switch_to.active_element.find_element("xpath", "..").get_attribute("data-row") == "140",
              "row 140 focused")
        assert _cell_text(browser, 140, "Title") == "Job 139"
        _redrawn(browser, lambda: Select(browser.find_element("id", "filter-problem")).select_by_index(1),
                 "the grid filtered")
        _wait(browser, lambda d: rows(d) == [8], "the rows with that problem")
        _own_words(browser, work)
        _edit(browser, 8, "Due Date", "12/7/2026")
        _wait(browser, lambda d: _text(d, "check-line").startswith("All 150 rows are valid"), "the last fix")
        for _ in range(3):
            browser.find_element("id", "undo").click()
            browser.execute_script("return 1")
        _wait(browser, lambda d: _text(d, "undo") == "Undo (1)", "three changes undone")
        assert _text(browser, "redo") == "Redo (3)"
        _own_words(browser, work)


def _calls(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Description", "phoneNumberId", "Assigned To"])
        writer.writerows([f"Call {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(count))
    return path


def _send_from_the_page(driver) -> None:
    driver.find_element("id", "send").click()
    _wait(driver, lambda d: d.find_element("id", "confirm").is_displayed(), "the confirmation")
    driver.find_element("id", "confirm-yes").click()


def test_two_tabs_on_two_imports_each_show_their_own_run(browser, tmp_path):
    many, few = _calls(tmp_path / "many.csv", 400), _calls(tmp_path / "few.csv", 5)
    work = tmp_path / "work"
    with served(work) as (url, _process):
        browser.get(url)
        _wait(browser, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
        browser.find_element("id", "file").send_keys(str(many))
        _wait(browser, lambda d: _text(d, "check-line").startswith("All 400 rows are valid"), "the first check")
        _send_from_the_page(browser)
        _wait(browser, lambda d: _text(d, "progress-line").startswith("Sending…"), "the first run")
        first = browser.current_window_handle

        browser.switch_to.new_window("tab")
        browser.get(url.split("?")[0])
        _wait(browser, lambda d: _text(d, "progress-line").startswith(("Sending…", "Stopped", "Finished")),
              "the running import shown in the new tab")
        browser.find_element("id", "file").send_keys(str(few))
        _wait(browser, lambda d: _text(d, "check-line").startswith("All 5 rows are valid"), "the second check")
        assert not browser.find_element("id", "progress").is_displayed()  # not the other import's run
        assert browser.find_element("id", "send").is_enabled() and _text(browser, "send-why") == ""
        _own_words(browser, work)
        _send_from_the_page(browser)
        _wait(browser, lambda d: _text(d, "progress-line") == "Finished: 5 created.", "the second run")
        _wait(browser, lambda d: _text(d, "results-line").startswith("5 rows: 5 created"), "the second results")
        _own_words(browser, work)

        browser.switch_to.window(first)
        line = _text(browser, "progress-line")
        assert "of 400 rows" in line or line.startswith("Finished: 400 created"), line
        if browser.find_element("id", "stop").is_displayed():
            browser.find_element("id", "stop").click()
        _wait(browser, lambda d: d.find_element("id", "step-results").is_displayed(), "the first results")
        counts = _text(browser, "results-counts").split("\n")
        assert sum(int(line.split(" ", 1)[0].replace(",", "")) for line in counts) == 400
        assert "Call 0" in _text(browser, "results-table") and _text(browser, "results-line").startswith("400 rows")
        _own_words(browser, work)


def test_progress_is_said_in_words_preparing_minutes_and_thousands(browser, tmp_path):
    with served(tmp_path / "work") as (url, _process):
        browser.get(url)
        _wait(browser, lambda d: d.execute_script("return Object.keys(state.statuses).length > 0"), "the page's words")
        say = lambda run: browser.execute_script("return progressLine(arguments[0])", run)  # noqa: E731
        base = {"import": "x", "done": 0, "total": 0, "rate": 0, "eta": None, "counts": {}, "stopping": False,
                "waiting": None, "summary": None}
        assert say({**base, "state": "starting"}).startswith("Preparing…")
        assert say({**base, "state": "running"}).startswith("Preparing…")  # no total yet: still reading the sheet
        line = say({**base, "state": "running", "done": 10912, "total": 99821, "rate": 87.4, "eta": 1015})
        assert line == "Sending… 10,912 of 99,821 rows · 87 rows/s · about 17 minutes left"
        assert say({**base, "state": "running", "done": 1, "total": 9, "rate": 1, "eta": 5400}).endswith(
            "about 1 h 30 min left")
        stopped = {**base, "state": "finished", "stopping": True, "done": 18005, "total": 99821,
                   "summary": {"counts": {"created": 10912, "not_sent": 88909}}}
        assert say(stopped) == "Stopped: 10,912 created, 88,909 not sent."
