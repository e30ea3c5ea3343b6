"""The ``bulk-tasks serve`` command: the printed address, loopback by default, Ctrl-C, a busy port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import openpyxl

from servepage import served, start_sending


def test_serve_prints_a_loopback_address_with_a_token_and_stops_on_ctrl_c(tmp_path):
    with served(tmp_path / "work") as (url, process):
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with opener.open(url) as response:
            assert response.status == 200 and b'name="csrf"' in response.read()
        try:
            urllib.request.urlopen(url.split("?")[0] + "api/state")
            raise AssertionError("no cookie, yet answered")
        except urllib.error.HTTPError as refused:
            assert refused.code == 403
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert "Traceback" not in process.stderr.read()
    assert (tmp_path / "work" / "imports").is_dir()


def test_a_busy_port_is_one_sentence_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "bulk_tasks", "serve", "--port", str(port), "--workdir",
                               str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: Cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in done.stderr


def test_another_host_is_allowed_only_with_a_warning(tmp_path):
    with served(tmp_path / "work", "--host", "0.0.0.0") as (url, process):
        assert url.startswith("http://0.0.0.0:")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        assert "Warning: listening on 0.0.0.0, so other machines can reach the page" in process.stderr.read()


async def test_ctrl_c_on_the_server_stops_a_run_like_the_first_ctrl_c_and_writes_its_results(tmp_path):
    from helpers import write_csv

    sheet = write_csv(tmp_path / "q.csv", ["Title", "Description", "phoneNumberId", "Assigned To"],
                      [[f"Call {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(300)])
    with served(tmp_path / "work") as (url, process):
        import_id = await start_sending(url, sheet)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=120) == 0
        errors = process.stderr.read()
        assert "Traceback" not in errors, errors
    results = openpyxl.load_workbook(tmp_path / "work" / "imports" / import_id / "results.xlsx").worksheets[0]
    header = [cell.value for cell in results[1]]
    statuses = [row[header.index("_status")] for row in results.iter_rows(min_row=2, values_only=True)]
    assert len(statuses) == 300
    assert "created" in statuses and "not_sent" in statuses and "uncertain" not in statuses


def test_open_starts_the_default_browser_on_the_printed_address(tmp_path):
    opened = tmp_path / "opened.txt"
    fake = tmp_path / "fake_browser.py"
    fake.write_text(f"import sys, pathlib; pathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n")
    with served(tmp_path / "work", "--open", env={"BROWSER": f"{sys.executable} {fake} %s"}) as (url, process):
        deadline = time.monotonic() + 120
        while not (opened.exists() and opened.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the browser process to have run, not for a fixed time
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    assert opened.read_text() == url


def test_without_chromium_the_browser_tests_are_skipped_with_what_to_install(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           str(Path(__file__).with_name("test_web_browser.py"))],
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2],
                          env={**os.environ, "BULK_TASKS_CHROMIUM": str(tmp_path / "no-chromium")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" in done.stdout and "passed" not in done.stdout
    assert "apt-get install -y chromium chromium-driver" in done.stdout
