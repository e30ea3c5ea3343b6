"""A page send that cannot go through (the provider unreachable, its key refused) says so in the page's words:
the sending stage's sentences name command-line options (``--base-url``) and environment variables, and the
page shows them as its own controls (``console/wording.py``), never a ``--flag``.

Each send goes over loopback to a real sandbox standing in for the provider's production endpoint, or to a
port nothing listens on.
"""

from __future__ import annotations

import re

import pytest

from bulk_tasks.console.wording import PAGE
from bulk_tasks.providers import PROVIDERS, get_provider
from helpers import write_csv
from runs import QUO_HEADER, TRAVTUS_HEADER, quo_rows, travtus_rows

SHEETS = {"quo": (QUO_HEADER, quo_rows(3)), "travtus": (TRAVTUS_HEADER, travtus_rows(3)),
          # no look-ups first; enough rows that the engine's streak of unreachable rows stops the run
          "toy": (["title", "board"], [[f"Water {n}", f"BD{n}"] for n in range(1, 41)])}
#: What the page tells the person to do, in its own terms, after each kind of failure.
REMEDY = {"unreachable": re.compile(r"[Cc]heck the network(, then press Send again| and try again)"),
          "refused": re.compile(r"typed above, then press (Send|the button) again"
                                r"|credentials \(“[^)]+”\) and try again")}
REMEDY["token refused"] = REMEDY["refused"]
VARIABLES = re.compile(r"\b[A-Z]+_[A-Z_]+\b")


def _credentials(sandbox, provider: str, how: str) -> dict[str, str]:
    given = {name: value for name, value in sandbox.environment().items()
             if name in get_provider(provider).credential_variables}
    if how == "token refused":
        return {"TRAVTUS_API_TOKEN": "not-a-token-of-this-workspace"}
    return {name: "wrong-" + value for name, value in given.items()} if how == "refused" else given


@pytest.mark.parametrize(("provider", "how"), [("quo", "unreachable"), ("quo", "refused"), ("travtus", "unreachable"),
                                               ("travtus", "refused"), ("travtus", "token refused"),
                                               ("toy", "unreachable")])
async def test_a_send_that_cannot_go_through_says_what_to_do_in_the_pages_words(page, sandbox, monkeypatch, tmp_path,
                                                                               unused_tcp_port, provider, how):
    assert provider in PROVIDERS
    url = f"http://127.0.0.1:{unused_tcp_port}" if how == "unreachable" else sandbox.url
    monkeypatch.setattr(type(get_provider(provider)), "default_base_url", url)  # its "production"
    header, rows = SHEETS[provider]
    view = await page.upload(write_csv(tmp_path / "sheet.csv", header, rows), provider=provider)
    import_id = view["import"]["id"]
    await page.post_json(f"/api/imports/{import_id}/send",
                         {"sandbox": False, "credentials": _credentials(sandbox, provider, how)}, 202)
    last = (await page.events(import_id))[-1]
    counts = last["summary"]["counts"]
    assert last["state"] == "finished" and sum(counts.values()) == len(rows) and "created" not in counts, last
    said = " ".join([*last["summary"]["stopped"], *last["summary"]["next"]])
    assert last["summary"]["stopped"] and "--" not in said, said
    assert REMEDY[how].search(said), said
    assert not VARIABLES.search(said) and "in the environment" not in said and "run again" not in said, said
    assert not list(sandbox.state.tasks_of(provider))


def test_every_sending_sentence_naming_an_option_is_said_on_the_page_without_it():
    """The sentences of the sending stage, each as a template's literal text (``ast``): none keeps a --flag."""
    import ast
    from pathlib import Path

    import bulk_tasks

    root = Path(bulk_tasks.__file__).parent
    found = []
    for name in ("send/engine.py", "send/auth.py", "send/transport.py", "send/endpoint.py", "send/retry.py",
                 "send/policy.py", "providers/quo/provider.py", "providers/travtus/provider.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            parts = ([part.value for part in node.values if isinstance(part, ast.Constant)]
                     if isinstance(node, ast.JoinedStr) else
                     [node.value] if isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and id(node) not in docstrings else [])
            found += [(name, part) for part in parts if "--" in part and " " in part]
    assert len(found) >= 8  # the sentences this test is about are still found
    assert [(name, part) for name, part in found if PAGE.flags_left(part)] == []
