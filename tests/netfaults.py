"""Misbehaving servers on 127.0.0.1 for network-fault tests: real sockets, no mocking.

``raw_server(behaviour)`` serves from a background thread and yields its port; ``closed_port()``
is a loopback port nobody listens on; ``UNRESOLVABLE_HOST`` fails in the local resolver.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: Under the reserved ``.invalid`` TLD, and longer than the 253 characters a DNS name may have: the
#: resolver refuses it locally, so the lookup fails without a packet leaving this machine.
UNRESOLVABLE_HOST = ".".join(["unreachable-test-label-" + "x" * 37] * 5) + ".invalid"

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter, asyncio.Event], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """The request head and its body (by Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    """Take the whole request, then say nothing until the test ends."""
    await read_request(reader)
    await stop.wait()


async def cut_off_reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    """Take the request, start a 201 reply, and close the connection halfway through the body."""
    await read_request(reader)
    writer.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n"
                 b'{"data": {"id": "TK')
    await writer.drain()


async def close_after_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                              stop: asyncio.Event) -> None:
    """Take the request and hang up without a byte of reply."""
    await read_request(reader)


@dataclass
class RawServer:
    """Where a raw server listens, and how many connections it has accepted."""

    port: int = 0
    connections: int = 0
    url: str = field(init=False, default="")


@contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[RawServer]:
    """Serve ``behaviour`` for every connection on a free 127.0.0.1 port."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    served = RawServer()
    state: dict[str, asyncio.Event] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.connections += 1
        try:
            await behaviour(reader, writer, state["stop"])
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        state["stop"] = asyncio.Event()
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        served.port = server.sockets[0].getsockname()[1]
        served.url = f"http://127.0.0.1:{served.port}"
        ready.set()
        async with server:
            await state["stop"].wait()
        await asyncio.sleep(0)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield served
    finally:
        loop.call_soon_threadsafe(lambda: state["stop"].set())
        thread.join(10)
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()


def closed_port() -> int:
    """A 127.0.0.1 port that was just free: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
