"""The package's import graph, counting every import: inside functions and under ``TYPE_CHECKING`` too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "bulk_tasks"


def module_name(path: Path, package: Path) -> str:
    parts = list(path.with_suffix("").relative_to(package.parent).parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.ImportFrom | ast.Import, context: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    target = node.module or ""
    if node.level:
        base = context.split(".")[: len(context.split(".")) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module of ``package`` → the modules of ``package`` it imports."""
    files = {module_name(path, package): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        context = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = {target for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                 for target in _targets(node, context)}
        graph[name] = {target for target in found if target in files and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan), a package's ``__init__``
    importing its own parts not counted."""
    def own_part(module: str, dep: str) -> bool:
        return dep.startswith(module + ".")

    edges = {module: {dep for dep in deps if not own_part(module, dep)} for module, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for dep in edges[module]:
            if dep not in index:
                visit(dep)
                low[module] = min(low[module], low[dep])
            elif dep in stack:
                low[module] = min(low[module], index[dep])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in edges:
        if module not in index:
            visit(module)
    return found
