"""Package attributes imported on first use, so that ``bulk-tasks --help`` loads no heavy library."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, homes: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each exported name to its submodule;
    a name, once imported, is kept in ``namespace`` (the package's ``globals()``)."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home if home.startswith(".") else f".{home}", package), name)
        namespace[name] = value
        return value

    return __getattr__
