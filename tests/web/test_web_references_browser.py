"""References on the page in a real headless Chromium: what each value resolved to beside its cell, and for
an unknown one the workspace's values to choose from (Sandbox ticked: the demo workspace); choosing one
checks the row again and it becomes valid. Screenshots go where the journey test's go."""

from __future__ import annotations

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from helpers import write_csv
from servepage import served
from test_web_browser import _cell, _into_view, _own_words, _shot, _wait, browser, pytestmark  # noqa: F401

QUO = ["Title", "Description", "Phone Number", "Assigned To"]
READY = "valid, ready to send"


def _status(driver, row: int) -> str:
    return driver.find_element("css selector", f'#check-table tr[data-row="{row}"] td.status-dry_run, '
                                               f'#check-table tr[data-row="{row}"] td[class^="status-"]').text


def _rechecked(driver, row: int, act) -> None:
    """Do ``act`` on row ``row``'s cell, then wait until the server's re-check has replaced the row."""
    driver.execute_script("document.querySelector(`#check-table tr[data-row=\"${arguments[0]}\"]`).dataset.old = 1",
                          row)
    act()
    _wait(driver, lambda d: not d.find_elements("css selector", f'#check-table tr[data-row="{row}"][data-old]'),
          f"row {row} checked again")


def _open_choices(driver, row: int, column: str):
    cell = _cell(driver, row, column)
    _into_view(driver, cell)
    cell.click()
    return _wait(driver, lambda d: cell.find_elements("css selector", "select"), "the workspace's values")[0]


def test_resolved_values_beside_cells_and_a_bad_reference_fixed_from_the_workspace_values(browser, tmp_path):
    sheet = write_csv(tmp_path / "follow-ups.csv", QUO, [["Call Ana", "d", "(415) 555-0100", "MAYA.CHEN@example.com"],
                                                         ["Call Ben", "d", "+1 415 555 0101", ""],
                                                         ["Call Cy", "d", "Main lne", ""]])
    work = tmp_path / "work"
    with served(work) as (url, _process):
        browser.get(url)
        _wait(browser, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
        Select(browser.find_element("id", "provider")).select_by_value("quo")
        browser.find_element("id", "file").send_keys(str(sheet))
        _wait(browser, lambda d: d.find_elements("css selector", "#check-table tbody tr"), "the grid")
        if browser.find_element("id", "check-only").is_selected():  # the grid opens on the rows with problems
            browser.find_element("id", "check-only").click()
        _wait(browser, lambda d: d.find_elements("css selector", '#check-table tr[data-row="2"]'), "every row")
        assert _cell(browser, 2, "Phone Number").text == '(415) 555-0100 → PNk3Ra9XwQ2m "Main line"'
        assert _cell(browser, 2, "Assigned To").text == ("MAYA.CHEN@example.com → USm2Fq8KpL Maya Chen "
                                                         "<maya.chen@example.com>")
        bad = _cell(browser, 3, "Phone Number")
        assert "bad" in bad.get_attribute("class").split()
        assert "no phone number +1 415-555-0101 in this Quo workspace" in bad.get_attribute("title")
        choices = Select(_open_choices(browser, 3, "Phone Number"))
        assert [option.text for option in choices.options] == [
            "+1 415 555 0101 (not in the workspace)", '(415) 555-0100 "Main line"', '(212) 555-0199 "Leasing NYC"',
            "Type another value…"]
        _shot(browser, "15-reference-choices", "check-grid")
        _rechecked(browser, 3, lambda: choices.select_by_visible_text('(212) 555-0199 "Leasing NYC"'))
        assert _cell(browser, 3, "Phone Number").text == '(212) 555-0199 → PNt7Ld4HcV8z "Leasing NYC"'
        assert _status(browser, 3) == READY

        other = Select(_open_choices(browser, 4, "Phone Number"))
        other.select_by_visible_text("Type another value…")
        field = _wait(browser, lambda d: _cell(d, 4, "Phone Number").find_elements("css selector", "input"),
                      "a field to type in")[0]
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys("main line")
        _rechecked(browser, 4, lambda: field.send_keys(Keys.ENTER))
        assert _cell(browser, 4, "Phone Number").text == 'main line → PNk3Ra9XwQ2m (415) 555-0100 "Main line"'
        assert _status(browser, 4) == READY
        _wait(browser, lambda d: d.find_element("id", "send").is_enabled(), "Send enabled: every row valid")
        _shot(browser, "16-reference-fixed", "check-grid")
        _own_words(browser, work)


def test_unticking_sandbox_checks_in_the_workspace_of_the_servers_credentials_and_ticking_it_again(browser,
                                                                                                     tmp_path):
    from bulk_tasks.providers.quo.workspace import QuoNumber, demo_workspace
    from bulk_tasks.sandbox import sandbox_in_thread

    sheet = write_csv(tmp_path / "ours.csv", QUO, [["Call Ana", "d", "(415) 555-0177", ""]])
    work = tmp_path / "work"
    with sandbox_in_thread() as ours:  # "our" Quo workspace: the one the server's key opens
        workspace = demo_workspace()
        workspace.numbers.append(QuoNumber("PNours", "+14155550177", "(415) 555-0177", "Our line"))
        ours.config.quo_workspace = workspace
        key = {name: value for name, value in ours.environment().items() if name.startswith("QUO_")}
        with served(work, env={"BULK_TASKS_TEST_PRODUCTION": ours.url, **key}) as (url, _process):
            browser.get(url)
            _wait(browser, lambda d: len(d.find_elements("css selector", "#provider option")) >= 2, "the providers")
            Select(browser.find_element("id", "provider")).select_by_value("quo")
            browser.find_element("id", "file").send_keys(str(sheet))
            _wait(browser, lambda d: d.find_elements("css selector", '#check-table tr[data-row="2"]'), "the grid")
            bad = _cell(browser, 2, "Phone Number")  # Sandbox ticked: the demo workspace has no such number
            assert "no phone number +1 415-555-0177 in this Quo workspace" in bad.get_attribute("title")
            assert not ours.state.stats.providers["quo"].lookup_requests
            browser.find_element("id", "check-only").click()  # every row, not only those with problems
            _wait(browser, lambda d: d.execute_script("const box = document.getElementById('check-only');"
                                                      "return Boolean(box) && !box.checked"), "every row shown")
            _rechecked(browser, 2, lambda: browser.find_element("id", "sandbox").click())  # unticked
            assert _cell(browser, 2, "Phone Number").text == '(415) 555-0177 → PNours "Our line"'
            assert _status(browser, 2) == READY
            assert ours.state.stats.providers["quo"].lookup_requests["/v1/phone-numbers"] == 1
            _rechecked(browser, 2, lambda: browser.find_element("id", "sandbox").click())  # ticked again
            assert "bad" in _cell(browser, 2, "Phone Number").get_attribute("class").split()
            assert ours.state.stats.providers["quo"].lookup_requests["/v1/phone-numbers"] == 1
            _own_words(browser, work)
