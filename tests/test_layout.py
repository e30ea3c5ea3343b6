"""The package's shape, kept: imports run with the flow (reading, checking and shaping a sheet never depend
on what sends or reports), no import circle, few top-level modules, short modules and functions, and a
docstring on every folder."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import tomllib
from pathlib import Path

import pytest

from layout import PACKAGE, cycles, import_graph

BEFORE_SENDING = ["read", "check", "shape"]
LATER_IN_THE_FLOW = ["send", "record", "report", "console", "after", "web", "api", "cli"]


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


#: The only functions over MAX_FUNCTION_LINES lines (measured when the layout was made): keep it so.
LONG_FUNCTIONS = {("report/table.py", "results_table"), ("sandbox/server.py", "sandbox_in_thread"),
                  ("send/run.py", "send_prepared")}
MAX_FUNCTION_LINES = 40
MAX_MODULE_LINES = 400
MAX_TOP_MODULES = 10


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_at_most_ten_modules_sit_directly_in_the_package():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert 0 < len(top) <= MAX_TOP_MODULES, top


def test_no_import_circle_counting_imports_in_functions_and_under_type_checking():
    assert cycles(import_graph()) == []


def test_the_circle_check_sees_a_circle_through_a_function_import(tmp_path):
    package = tmp_path / "bulk_tasks"
    (package / "a").mkdir(parents=True)
    (package / "__init__.py").write_text("from .a import x\n")
    (package / "a" / "__init__.py").write_text("")
    (package / "a" / "x.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import y\n")
    (package / "a" / "y.py").write_text("def f():\n    from .x import g\n")
    assert cycles(import_graph(package)) == [{"bulk_tasks.a.x", "bulk_tasks.a.y"}]


def test_no_module_is_over_400_lines():
    lengths = {path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
               for path in _modules()}
    assert {name: length for name, length in lengths.items() if length > MAX_MODULE_LINES} == {}


def long_functions(package: Path = PACKAGE) -> set[tuple[str, str]]:
    """(module path, function name) of every function or method over ``MAX_FUNCTION_LINES`` lines."""
    found = set()
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.end_lineno is not None and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    found.add((path.relative_to(package).as_posix(), node.name))
    return found


def test_functions_are_short_but_for_three_named_ones():
    assert len(LONG_FUNCTIONS) <= 3
    assert long_functions() <= LONG_FUNCTIONS


def test_the_function_check_sees_a_long_function(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES)
    (tmp_path / "n.py").write_text("def g():\n" + "    x = 1\n" * (MAX_FUNCTION_LINES - 1))
    assert long_functions(tmp_path) == {("m.py", "f")}


def test_every_folder_is_a_package_whose_init_says_what_it_takes_and_gives():
    folders = sorted({path.parent for path in _modules()})
    assert len(folders) > 10
    for folder in folders:
        init = folder / "__init__.py"
        assert init.exists(), f"{folder} has modules but no __init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{init} has no docstring"


def test_mypy_refuses_implicit_re_exports():
    """``mypy`` (CI, configured in pyproject.toml) reports a name imported from a module that only imports it."""
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["implicit_reexport"] is False and config["files"] == ["bulk_tasks"]


def development_table(readme: str) -> dict[str, set[str]]:
    """The README's Development table: folder → the modules its row names."""
    section = readme.split("## Development\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "`bulk_tasks/" in line]
    return {row[1].strip("`"): set(re.findall(r"`([\w.]+\.py)`", row[2])) - {"__init__.py"} for row in rows}


def test_the_readme_development_table_matches_the_tree():
    tree = {f"{folder.relative_to(PACKAGE.parent).as_posix()}/": {path.name for path in folder.glob("*.py")} - {"__init__.py"}
            for folder in sorted({path.parent for path in _modules()})}
    assert development_table((PACKAGE.parent / "README.md").read_text(encoding="utf-8")) == tree


def test_the_table_check_sees_a_missing_module():
    readme = "## Development\n\n| stage | folder | files |\n| --- | --- | --- |\n| read | `bulk_tasks/read/` | `table.py` |\n"
    assert development_table(readme) == {"bulk_tasks/read/": {"table.py"}}


def test_every_path_the_docs_give_exists():
    root = PACKAGE.parent
    for doc in ("README.md", "BENCHMARKS.md"):
        text = (root / doc).read_text(encoding="utf-8")
        paths = set(re.findall(r"`((?:tests|bulk_tasks|benchmarks)/[\w/.-]+\.py)`", text))
        assert paths and [path for path in sorted(paths) if not (root / path).exists()] == [], doc


def cited_files(text: str) -> set[str]:
    """The source and documentation files a text cites: ``name.py``, ``folder/name.md`` and the like."""
    return set(re.findall(r"(?<![\w/<>.-])((?:[\w-]+/)*[\w-]+\.(?:py|md))\b", text))


def prose(path: Path) -> str:
    """The docstrings and comments of a module."""
    source = path.read_text(encoding="utf-8")
    docstrings = [ast.get_docstring(node) or "" for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)]
    comments = [token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT]
    return "\n".join(docstrings + comments)


def test_no_comment_or_docstring_cites_a_file_that_is_not_in_the_repo():
    root = PACKAGE.parent
    files = [path.relative_to(root).as_posix() for path in root.rglob("*")
             if path.is_file() and ".venv" not in path.parts and ".git" not in path.parts]
    missing = {}
    for module in _modules():
        for cited in cited_files(prose(module)):
            if not any(file == cited or file.endswith("/" + cited) for file in files):
                missing.setdefault(module.relative_to(PACKAGE).as_posix(), set()).add(cited)
    assert missing == {}


def test_the_citation_check_sees_a_file_that_is_gone(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""As in DESIGN.md and shared/api/quo.md."""\n\n\ndef f():\n    """See ``readings.py``."""\n'
                      '    return x.json()  # like old.py\n')
    assert cited_files(prose(module)) == {"DESIGN.md", "shared/api/quo.md", "readings.py", "old.py"}
