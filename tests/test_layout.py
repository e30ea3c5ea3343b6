"""Imports run with the flow: reading, checking and shaping a sheet never depend on what sends or reports."""

from __future__ import annotations

import pytest

from layout import PACKAGE, import_graph

BEFORE_SENDING = ["read", "check", "shape"]
LATER_IN_THE_FLOW = ["send", "record", "report", "console", "web", "api", "cli"]


@pytest.mark.parametrize("stage", BEFORE_SENDING)
def test_the_stages_before_sending_import_nothing_from_sending_or_reporting(stage):
    graph = import_graph()
    modules = [name for name in graph if name.startswith(f"bulk_tasks.{stage}.")]
    assert modules, f"no modules under bulk_tasks/{stage}/"
    later = tuple(f"bulk_tasks.{name}" for name in LATER_IN_THE_FLOW)
    backwards = {(name, dep) for name in modules for dep in graph[name] if dep.startswith(later)}
    assert backwards == set()


def test_the_flow_check_sees_a_backward_import(tmp_path):
    (tmp_path / "bulk_tasks" / "read").mkdir(parents=True)
    (tmp_path / "bulk_tasks" / "__init__.py").write_text("")
    (tmp_path / "bulk_tasks" / "read" / "__init__.py").write_text("")
    (tmp_path / "bulk_tasks" / "read" / "table.py").write_text("def f():\n    from ..send import run\n")
    (tmp_path / "bulk_tasks" / "send").mkdir()
    (tmp_path / "bulk_tasks" / "send" / "__init__.py").write_text("")
    (tmp_path / "bulk_tasks" / "send" / "run.py").write_text("")
    assert import_graph(tmp_path / "bulk_tasks")["bulk_tasks.read.table"] == {"bulk_tasks.send", "bulk_tasks.send.run"}
    assert PACKAGE.name == "bulk_tasks"
