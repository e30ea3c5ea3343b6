"""The page in a real headless Chromium (Debian's chromium + chromium-driver, driven by selenium).

The journey test takes a screenshot of each step; with ``BULK_TASKS_SCREENSHOTS=1`` it writes them to
docs/screenshots/ (linked from the README), otherwise to the test's temporary folder, so that a plain
test run leaves the repository unchanged.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.1).until(condition, f"waited {WAIT} s for {what}")


def _shot(driver, name: str, element_id: str | None = None) -> None:
    driver.screenshots.mkdir(parents=True, exist_ok=True)
    if element_id:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'start'})", element_id)
    assert driver.save_screenshot(str(driver.screenshots / f"{name}.png"))


def _text(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).text


def _pick_travtus(driver) -> None:
    from selenium.webdriver.support.ui import Select

    _wait(driver, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
    Select(driver.find_element("id", "provider")).select_by_value("travtus")


def _downloaded(driver, name: str) -> Path:
    target = driver.downloads / name
    _wait(driver, lambda d: target.exists() and target.stat().st_size > 0, f"the download {name}")
    return target


def _drop(driver, path: Path) -> None:
    """Drop ``path`` on the drop zone, as a file dragged from the desktop."""
    driver.execute_script("""
        const [name, text] = arguments;
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], name, {type: "text/csv"}));
        document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        """, path.name, path.read_text(encoding="utf-8"))


def test_the_whole_journey_in_a_real_browser(browser, tmp_path):
    with served(tmp_path / "work") as (url, _process):
        browser.get(url)
        assert "token" not in browser.current_url
        _pick_travtus(browser)
        timezone = browser.find_element("id", "timezone").get_attribute("value")
        assert timezone == browser.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone")
        _shot(browser, "1-start")
        browser.find_element("id", "template-xlsx").click()
        template = _downloaded(browser, "travtus-tasks-template.xlsx").read_bytes()
        assert template == write_template(get_provider("travtus"), tmp_path / "t.xlsx", "xlsx").read_bytes()

        _drop(browser, MISTAKES)
        _wait(browser, lambda d: d.find_elements("css selector", "#check-table td.bad"), "highlighted cells")
        cells = browser.find_elements("css selector", "#check-table td.bad")
        bad = {cell.text: cell.get_attribute("title") for cell in cells}
        assert "is not a date bulk-tasks can read" in bad["31/31/2026"]
        assert "urgent" in bad
        assert _text(browser, "check-line").endswith("rows are invalid:")
        assert "Due Date: is not a date bulk-tasks can read" in _text(browser, "check-problems")
        _shot(browser, "2-columns", "step-columns")
        browser.execute_script("document.querySelector('#check-table td.bad').focus()")
        _shot(browser, "3-check-highlighted-cells", "step-check")

        fixed = fixed_mistakes(tmp_path / "tasks-fixed.csv")
        browser.find_element("id", "fixed").send_keys(str(fixed))
        _wait(browser, lambda d: _text(d, "check-line").startswith("All 11 rows are valid"), "the fixed file checked")
        assert not browser.find_elements("css selector", "#check-table td.bad")
        _shot(browser, "4-fixed-file", "step-check")

        browser.find_element("id", "send").click()
        _wait(browser, lambda d: d.find_element("id", "confirm").is_displayed(), "the confirmation")
        assert _text(browser, "confirm-text").startswith("About to create 11 tasks in travtus at the built-in sandbox")
        _shot(browser, "5-confirm")
        browser.find_element("id", "confirm-yes").click()

        _wait(browser, lambda d: _text(d, "progress-line").startswith("Finished."), "the end of the run")
        bar = browser.find_element("id", "bar")
        assert bar.get_attribute("value") == bar.get_attribute("max") == "11"
        _wait(browser, lambda d: d.find_elements("css selector", "#results-table td.status-created"),
              "the results grid")
        assert _text(browser, "results-line").startswith("11 rows: 11 created")
        _shot(browser, "6-sent-and-results", "step-send")

        browser.find_element("id", "results-csv").click()
        results = list(csv.DictReader(_downloaded(browser, "tasks-fixed.results.csv").open(encoding="utf-8-sig")))
        source = [row for row in csv.DictReader(fixed.open(encoding="utf-8")) if any(row.values())]
        assert len(results) == len(source) == 11
        for result, row in zip(results, source):
            assert result["_status"] == "created" and result["_task_id"], result
            assert (result["Task Ref"], result["Title"]) == (row["Task Ref"], row["Title"])
        browser.find_element("id", "results-xlsx").click()
        assert _downloaded(browser, "tasks-fixed.results.xlsx").read_bytes().startswith(b"PK")
        _wait(browser, lambda d: len(d.find_elements("css selector", "#imports tbody tr")) == 1, "the past imports")
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
        cells = [row.find_elements("css selector", "td")[1].text
                 for row in browser.find_elements("css selector", "#check-table tbody tr")]
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
        _shot(browser, "9-reopened-while-sending", "step-send")
        browser.find_element("id", "stop").send_keys("\ue007")  # Enter: the keyboard presses Stop
        _wait(browser, lambda d: _text(d, "progress-line").startswith("Finished."), "the stopped run")
        _wait(browser, lambda d: d.find_element("id", "step-results").is_displayed(), "the results")
        counts = _text(browser, "results-counts")
        assert "not_sent" in counts and "created" in counts
