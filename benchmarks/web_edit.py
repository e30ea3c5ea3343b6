"""B6 in headless Chromium: upload → grid, and Enter → the re-checked row, on a 100,000-row import.

    .venv/bin/python -m benchmarks.web_edit [--rows 100000] [--edits 30] [--runs 3] [--workdir DIR]

``bulk-tasks serve --port 0`` runs in its own process, as a user starts it; Debian's headless
Chromium (selenium) opens the printed address and the sheet is given to the page's file input, as a
person choosing the file does. Timed in the page (``performance.now()``):

* upload → grid: from the file input's change to the grid drawn with its first highlighted cell;
* Enter → re-checked row: a bad cell is clicked, a good value typed, and Enter pressed; timed to the
  first frame after the server's re-checked row replaced the old one in the grid (the row's own check
  and the duplicate rule of the rows sharing its identity, on the server, then the row drawn).

Medians over ``--runs`` servers (upload) and over every edit of every run (Enter → row).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from .web import MISTAKE_EVERY, serve, sheet_with_mistakes

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800",
         "--no-first-run", "--disable-background-networking", "--disable-component-update")
WAIT = 300

WATCH_UPLOAD = """
const input = document.getElementById("file");
window.__grid = null;
input.addEventListener("change", () => {
  const started = performance.now();
  const watch = new MutationObserver(() => {
    if (document.querySelector("#check-table td.bad")) {
      watch.disconnect();
      requestAnimationFrame(() => { window.__grid = performance.now() - started; });
    }
  });
  watch.observe(document.getElementById("check-grid"), {childList: true, subtree: true});
}, {once: true});
"""

EDIT = """
const [row, column, value, done] = arguments;
const body = document.querySelector("#check-table tbody");
const td = body.querySelector(`tr[data-row="${row}"] td[data-column="${column}"]`);
td.click();
const input = td.querySelector("input");
input.value = value;
const watch = new MutationObserver(() => {
  const now = body.querySelector(`tr[data-row="${row}"]`);
  if (now && !now.contains(input)) {
    watch.disconnect();
    requestAnimationFrame(() => done({ms: performance.now() - started, status: now.children[1].textContent}));
  }
});
watch.observe(body, {childList: true});
const started = performance.now();
input.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true}));
"""


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_script_timeout(WAIT)
    return driver


def measure(url: str, sheet: Path, edits: int) -> dict[str, Any]:
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = browser()
    try:
        driver.get(url)
        wait = WebDriverWait(driver, WAIT, poll_frequency=0.02)
        wait.until(lambda d: len(d.find_elements("css selector", "#provider option")) >= 2)
        Select(driver.find_element("id", "provider")).select_by_value("travtus")
        driver.execute_script(WATCH_UPLOAD)
        driver.find_element("id", "file").send_keys(str(sheet))
        upload = wait.until(lambda d: d.execute_script("return window.__grid"))
        rows = [int(r) for r in driver.execute_script(
            "return [...document.querySelectorAll('#check-table tbody tr')].map((tr) => tr.dataset.row)")][:edits]
        times = []
        for row in rows:
            answer = driver.execute_async_script(EDIT, row, "Due Date", "12/6/2026")
            assert answer["status"] == "valid, ready to send", answer
            times.append(answer["ms"])
        return {"upload_to_grid_s": upload / 1000, "enter_to_row_ms": times}
    finally:
        driver.quit()


def run(rows: int, edits: int, runs: int, workdir: Path) -> dict[str, Any]:
    sheet = sheet_with_mistakes(workdir / f"web-{rows}.csv", rows)
    samples = []
    for number in range(runs):
        process, url = serve(workdir / f"work-{rows}-{number}")
        try:
            samples.append(measure(url, sheet, edits))
        finally:
            process.terminate()
            process.wait()
    enter = [ms for sample in samples for ms in sample["enter_to_row_ms"]]
    uploads = sorted(sample["upload_to_grid_s"] for sample in samples)
    return {"rows": rows, "invalid_rows": rows // MISTAKE_EVERY, "runs": runs, "edits": len(enter),
            "upload_to_grid_s": round(statistics.median(uploads), 2), "upload_runs_s": [round(u, 2) for u in uploads],
            "enter_to_row_ms_median": round(statistics.median(enter), 1),
            "enter_to_row_ms_p90": round(sorted(enter)[int(len(enter) * 0.9)], 1),
            "enter_to_row_ms_max": round(max(enter), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(args.workdir or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(run(args.rows, args.edits, args.runs, workdir), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
