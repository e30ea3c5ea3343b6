"""The sandbox's inspection routes, JSON 404/405, the in-process and thread forms, and the command line."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from bulk_tasks.providers.quo.sandbox import SANDBOX_QUO_API_KEY
from bulk_tasks.providers.travtus.sandbox import (
    SANDBOX_TRAVTUS_CLIENT_ID,
    SANDBOX_TRAVTUS_CLIENT_SECRET,
    SANDBOX_TRAVTUS_TOKEN,
)
from bulk_tasks.providers import PROVIDERS, get_provider
from bulk_tasks.sandbox import (
    SandboxConfig,
    add_arguments,
    config_from_args,
    sandbox_in_thread,
)

REPO = Path(__file__).resolve().parents[2]
QUO_TASK = {"title": "t", "description": "d", "conversationId": "CN1"}


async def get_json(session, url):
    async with session.get(url) as response:
        return response.status, await response.json()


async def test_binds_loopback_and_lists_created_tasks_with_payloads(sandbox, sandbox_session):
    assert sandbox.url == f"http://127.0.0.1:{sandbox.port}" and sandbox.port > 0
    async with sandbox_session.post(
        f"{sandbox.url}/v1/tasks", json=QUO_TASK, headers={"Authorization": SANDBOX_QUO_API_KEY}
    ) as response:
        task_id = (await response.json())["data"]["taskId"]
    async with sandbox_session.post(
        f"{sandbox.url}/task/", json={"group_id": "g"}, headers={"Authorization": f"Bearer {SANDBOX_TRAVTUS_TOKEN}"}
    ) as response:
        identifier = (await response.json())["identifier"]
    status, listing = await get_json(sandbox_session, f"{sandbox.url}/_sandbox/tasks")
    assert status == 200 and listing["count"] == 2
    assert [(t["provider"], t["task_id"], t["payload"]) for t in listing["tasks"]] == [
        ("quo", task_id, QUO_TASK),
        ("travtus", identifier, {"group_id": "g"}),
    ]
    _, only_quo = await get_json(sandbox_session, f"{sandbox.url}/_sandbox/tasks?provider=quo")
    assert [t["task_id"] for t in only_quo["tasks"]] == [task_id]


async def test_stats_count_by_status_provider_and_token_requests_and_reset_clears(sandbox, sandbox_session):
    quo_headers = {"Authorization": SANDBOX_QUO_API_KEY}
    for body in (QUO_TASK, QUO_TASK, {"title": "t"}):
        async with sandbox_session.post(f"{sandbox.url}/v1/tasks", json=body, headers=quo_headers):
            pass
    async with sandbox_session.post(f"{sandbox.url}/v1/tasks", json=QUO_TASK):
        pass
    form = {"grant_type": "client_credentials", "client_id": SANDBOX_TRAVTUS_CLIENT_ID,
            "client_secret": SANDBOX_TRAVTUS_CLIENT_SECRET}
    async with sandbox_session.post(f"{sandbox.url}/oauth2/token", data=form):
        pass
    _, stats = await get_json(sandbox_session, f"{sandbox.url}/_sandbox/stats")
    assert stats["requests"] == 5
    assert stats["by_status"] == {"201": 2, "400": 1, "401": 1, "200": 1}
    assert stats["token_requests"] == 1
    assert stats["providers"]["quo"]["by_status"] == {"201": 2, "400": 1, "401": 1}
    assert stats["providers"]["quo"]["task_requests"] == 4
    assert stats["providers"]["travtus"]["by_status"] == {"200": 1}
    assert stats["tasks"] == {"quo": 2}
    async with sandbox_session.delete(f"{sandbox.url}/_sandbox/tasks") as response:
        assert response.status == 200
    _, stats = await get_json(sandbox_session, f"{sandbox.url}/_sandbox/stats")
    assert (stats["requests"], stats["by_status"], stats["tasks"]) == (0, {}, {})
    _, listing = await get_json(sandbox_session, f"{sandbox.url}/_sandbox/tasks")
    assert listing == {"count": 0, "tasks": []}


@pytest.mark.parametrize(
    ("method", "path", "status", "shape"),
    [
        ("GET", "/nowhere", 404, "travtus"),
        ("POST", "/task", 404, "travtus"),
        ("GET", "/task/", 405, "travtus"),
        ("PUT", "/oauth2/token", 405, "travtus"),
        ("PATCH", "/v1/tasks", 405, "quo"),
        ("DELETE", "/v1/tasks", 405, "quo"),
        ("POST", "/v1/contacts", 404, "quo"),
    ],
)
async def test_unknown_paths_and_methods_get_json(sandbox, sandbox_session, method, path, status, shape):
    async with sandbox_session.request(method, f"{sandbox.url}{path}") as response:
        assert response.status == status
        assert response.content_type == "application/json"
        body = await response.json()
        if status == 405:
            assert response.headers["Allow"]
    if shape == "quo":
        assert body["status"] == status and body["code"] == f"0600{status}" and body["docs"] == "https://quo.com/docs"
    else:
        assert body["error"]["type"] == ("not_found" if status == 404 else "method_not_allowed")
    assert sandbox.state.stats.by_status[str(status)] == 1


def test_thread_form_serves_synchronous_callers():
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        request = urllib.request.Request(
            f"{sandbox.url}/v1/tasks", data=json.dumps(QUO_TASK).encode(), method="POST",
            headers={"Authorization": SANDBOX_QUO_API_KEY, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
        assert len(sandbox.state.tasks) == 1
        environment = sandbox.environment()
        assert {name: environment[name] for name in ("TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET", "QUO_API_KEY")} == {
            "TRAVTUS_CLIENT_ID": SANDBOX_TRAVTUS_CLIENT_ID,
            "TRAVTUS_CLIENT_SECRET": SANDBOX_TRAVTUS_CLIENT_SECRET,
            "QUO_API_KEY": SANDBOX_QUO_API_KEY,
        }
        for name in PROVIDERS:  # every registered provider can send to it with these, and nothing else is set
            get_provider(name).make_auth(environment, sandbox.url)
        assert set(environment) <= {variable for name in PROVIDERS for variable in get_provider(name).credential_variables}


def parse(*argv: str) -> SandboxConfig:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return config_from_args(parser.parse_args(list(argv)))


def test_command_line_defaults_are_the_config_defaults():
    defaults = SandboxConfig().as_dict()
    assert parse().as_dict() == defaults
    assert defaults["quo_rate_per_second"] == 10
    assert (defaults["travtus_task_rate"], defaults["travtus_task_burst"]) == (10_000, 5_000)
    assert (defaults["travtus_token_rate"], defaults["travtus_token_burst"]) == (100, 200)


def test_command_line_options_reach_the_config():
    config = parse(
        "--quo-rate", "off", "--travtus-rate", "50", "--token-lifetime", "2", "--quo-open-task-limit", "5",
        "--latency", "0.1", "--fail-503", "0.2", "--fail-429", "0.3", "--retry-after", "4",
        "--fail-500-after-create", "0.05", "--drop-before", "0.01", "--drop-after-create", "0.02",
        "--seed", "9", "--quo-api-key", "k2",
    )
    assert config.quo_rate_per_second is None and config.travtus_task_rate == 50
    assert (config.travtus_token_lifetime, config.quo_open_task_limit, config.latency) == (2, 5, 0.1)
    assert (config.fault_503_rate, config.fault_429_rate, config.fault_429_retry_after) == (0.2, 0.3, 4)
    assert (config.fault_500_after_create_rate, config.drop_before_rate, config.drop_after_create_rate) == (
        0.05, 0.01, 0.02,
    )
    assert (config.seed, config.quo_api_keys) == (9, {"k2"})
    off = parse("--no-rate-limits")
    assert (off.quo_rate_per_second, off.travtus_task_rate, off.travtus_token_rate) == (None, None, None)
    with pytest.raises(SystemExit):
        parse("--fail-503", "1.5")


def test_module_entry_point_prints_url_and_environment_and_stops_cleanly_on_ctrl_c():
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bulk_tasks.sandbox", "--port", "0"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    watchdog = threading.Timer(20, process.kill)
    watchdog.start()
    try:
        lines = []
        while not lines or "Ctrl-C" not in lines[-1]:
            line = process.stdout.readline()
            assert line, "the sandbox exited or stopped printing: " + "".join(lines)
            lines.append(line)
        url = lines[0].rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), lines[0]
        text = "".join(lines)
        for expected in (
            f"TRAVTUS_CLIENT_ID={SANDBOX_TRAVTUS_CLIENT_ID}",
            f"TRAVTUS_CLIENT_SECRET={SANDBOX_TRAVTUS_CLIENT_SECRET}",
            f"QUO_API_KEY={SANDBOX_QUO_API_KEY}",
            f"--base-url {url}",
        ):
            assert expected in text
        with urllib.request.urlopen(f"{url}/_sandbox/stats", timeout=5) as response:
            assert json.load(response)["requests"] == 0
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "Traceback" not in stderr


def test_the_shared_sandbox_package_exports_no_provider_s_names():
    import bulk_tasks.sandbox as shared

    homes = {name: getattr(shared, name).__module__ for name in shared.__all__ if callable(getattr(shared, name))}
    assert homes and all(home.startswith("bulk_tasks.sandbox.") for home in homes.values()), homes
    assert not [name for name in shared.__all__ if any(p.upper() in name for p in PROVIDERS)]
