"""Questions asked on a terminal: confirm before a real run sends, and a missing key read hidden.

Nothing is asked unless both standard input and standard error are terminals, so scripts, CI and
piped runs never wait for an answer.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TextIO

from .envfile import read_env_file
from .after_messages import UNDO_QUESTION
from .messages import SANDBOX_BANNER, confirmation_question

if TYPE_CHECKING:
    from ..providers import Provider
    from ..send.run import BeforeSending


def before_sending(provider: Provider, *, sandbox: bool, ask: bool,
                   stop: asyncio.Event | None = None) -> BeforeSending:
    """The hook awaited once before the first request: the sandbox banner, or the question before a real run."""
    async def hook(count: int, base_url: str, *, updates: int = 0, note: str | None = None) -> bool:
        if note:
            print(note, file=sys.stderr)
        if sandbox:
            print(SANDBOX_BANNER, file=sys.stderr)
            return True
        if not ask or not can_ask():
            return True
        return await confirm(confirmation_question(count, provider.name.capitalize(), base_url, updates), stop)

    return hook


def before_deleting(provider: Provider, *, ask: bool, stop: asyncio.Event | None = None
                    ) -> Callable[[int, str], Awaitable[bool]]:
    """The question asked once before ``undo`` takes anything back (on a terminal, without ``--yes``)."""
    async def hook(count: int, base_url: str) -> bool:
        if not ask or not can_ask():
            return True
        question = UNDO_QUESTION.format(count=f"{count} task{'s' if count != 1 else ''}",
                                        provider=provider.name.capitalize(), url=base_url)
        return await confirm(question, stop)

    return hook


def credentials_env(provider: Provider, env_file: str | None) -> Mapping[str, str]:
    """The environment plus ``--env-file``; when no credential is set and a person is there, the key typed in hidden.

    The key lives in the returned mapping only: never in ``os.environ``, a file or the output. Called by
    ``send.endpoint.resolve_endpoint`` once the base URL is known to be safe to receive the key.
    """
    env = dict(os.environ)
    if env_file:
        env.update(read_env_file(env_file))
    names = provider.credential_variables
    if names and not any(env.get(name, "").strip() for name in names) and can_ask():
        secret = ask_secret(f"No {provider.name.capitalize()} credentials in the environment. Paste the "
                            f"{names[0]} value (it is not shown and not stored), or press Enter to stop: ")
        if secret:
            env[names[0]] = secret
    return env


def can_ask(stdin: TextIO | None = None, stderr: TextIO | None = None) -> bool:
    """True when a person can see a question and answer it (stdin and stderr are terminals)."""
    streams = (stdin or sys.stdin, stderr or sys.stderr)
    return all(stream is not None and hasattr(stream, "isatty") and stream.isatty() for stream in streams)


async def confirm(question: str, stop: asyncio.Event | None = None) -> bool:
    """Ask ``question`` on stderr; True only for ``y`` or ``yes``. Ctrl-C (``stop`` set) or end of input: False.

    The answer is read by a daemon thread so that the event loop keeps handling Ctrl-C meanwhile.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def deliver(text: str) -> None:
        if not answer.done():
            answer.set_result(text)

    def read() -> None:
        try:
            text = os.read(sys.stdin.fileno(), 1024).decode(errors="replace")
        except (OSError, ValueError):
            text = ""
        loop.call_soon_threadsafe(deliver, text)

    print(question, end=" ", file=sys.stderr, flush=True)
    threading.Thread(target=read, name="bulk-tasks-answer", daemon=True).start()
    waiters: set[asyncio.Future[object]] = {answer}  # type: ignore[arg-type]
    if stop is not None:
        waiters.add(asyncio.ensure_future(stop.wait()))
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        if waiter is not answer:
            waiter.cancel()
    if answer not in done:
        print(file=sys.stderr)
        return False
    return answer.result().strip().lower() in ("y", "yes")


def ask_secret(prompt: str) -> str:
    """Read a secret without echoing it (``getpass``); empty on end of input or Ctrl-C."""
    try:
        return getpass.getpass(prompt, stream=sys.stderr).strip()
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return ""
