"""The credential fields and a send that cannot go through, in a real headless Chromium.

Each provider declares its credential fields' labels and the hint under them (``Provider.credential_label``,
``credential_hint``); the toy provider of ``tests/toy_provider`` gets its own without a line of the page's
JavaScript knowing it. A send to an endpoint nothing listens on ends in the page's own words: no --flag.
"""

from __future__ import annotations

import socket

from selenium.webdriver.support.ui import Select

from helpers import write_csv
from servepage import served
from test_web_browser import _drop, _own_words, _shot, _text, _wait, browser, pytestmark  # noqa: F401


def _closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fields(driver) -> dict[str, str]:
    """The credential fields shown in step 5: each input's variable → its label's text."""
    return {field.get_attribute("data-variable"): driver.find_element(
        "css selector", f'label[for="{field.get_attribute("id")}"]').text
        for field in driver.find_elements("css selector", "#credential-fields input")}


def _pick(driver, provider: str) -> None:
    _wait(driver, lambda d: len(d.find_elements("css selector", "#provider option")) >= 3, "the providers")
    Select(driver.find_element("id", "provider")).select_by_value(provider)


def test_each_provider_labels_its_own_credential_fields_and_an_unreachable_send_is_said_in_page_words(
        browser, tmp_path):  # noqa: F811
    work = tmp_path / "work"
    with served(work, env={"BULK_TASKS_TEST_PRODUCTION": f"http://127.0.0.1:{_closed_port()}"}) as (url, _process):
        browser.get(url)
        _pick(browser, "toy")
        sheet = write_csv(tmp_path / "chores.csv", ["title", "board"], [[f"Water {n}", f"BD{n}"] for n in range(40)])
        _drop(browser, sheet)
        _wait(browser, lambda d: d.find_element("id", "send").is_displayed() and d.find_element("id", "send").is_enabled(),
              "the sheet checked")
        browser.find_element("id", "sandbox").click()  # unticked: the fields are shown
        assert _fields(browser) == {"TOY_API_KEY": "API key"}
        assert _text(browser, "credential-fields").endswith("Toy shows your key under Settings, then API keys.")
        _shot(browser, "17-credentials-of-a-third-provider", "step-send")

        _pick(browser, "travtus")
        assert _fields(browser) == {"TRAVTUS_API_TOKEN": "API token", "TRAVTUS_CLIENT_ID": "Client ID",
                                    "TRAVTUS_CLIENT_SECRET": "Client secret"}
        assert _text(browser, "credential-fields").endswith("Give the API token, or the client ID and secret.")
        _pick(browser, "toy")

        browser.find_element("id", "cred-TOY_API_KEY").send_keys("a-key-for-nowhere")
        browser.find_element("id", "send").click()
        _wait(browser, lambda d: d.find_element("id", "confirm").is_displayed(), "the question before sending")
        browser.find_element("id", "confirm-yes").click()
        _wait(browser, lambda d: _text(d, "results-stopped"), "why the send stopped")
        stopped = _text(browser, "results-stopped")
        assert "could not be reached" in stopped and "check the network, then press Send again" in stopped
        assert "--" not in stopped and "TOY_API_KEY" not in stopped
        _own_words(browser, work)
        _shot(browser, "18-send-unreachable", "step-results")
