"""A lean FCM-compatible server for the push benchmark: every ``messages:send`` is accepted
with a message name after ``latency`` seconds, as FCM answers a valid token.

    python benchmarks/fcm_stub.py 0.03   # prints its host, then serves until killed

Why not the tests' server (``tests/support/fcm_server.py``): it is aiohttp's web server,
which spends 140–190 µs of CPU per request (measured with ``/proc/<pid>/stat``, 50,000
sends); on the day that work is Google's, here it shares 2 cores with the workers, so it
would measure itself. This one answers in ~30 µs (httptools' parser on uvloop, a timer per
answer). The tests prove the answers' format and every error; this proves throughput.
``GET /counts`` gives the requests received (but these), the sends accepted and the tokens that were
sent to more than once (a duplicate push).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys

import httptools
import uvloop

_TOKEN = b'"token":'


class Counts:
    def __init__(self) -> None:
        self.requests = self.accepted = self.duplicates = 0
        self.tokens: set[bytes] = set()
        self.names = itertools.count(1)

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "_requests": self.requests,
                "_accepted": self.accepted,
                "_duplicates": self.duplicates,
            }
        ).encode()


class StubConnection(asyncio.Protocol):
    def __init__(self, counts: Counts, latency: float) -> None:
        self.counts, self.latency = counts, latency
        self.parser = httptools.HttpRequestParser(self)
        self.url, self.body = b"", bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.loop = asyncio.get_running_loop()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url, self.body = url, bytearray()

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        counts = self.counts
        if self.url == b"/counts":
            self._answer(counts.as_json())
            return
        counts.requests += 1
        counts.accepted += 1
        at = self.body.rfind(_TOKEN)
        if at >= 0:  # a token message (a topic one has none)
            token = bytes(self.body[at + len(_TOKEN) :])
            if token in counts.tokens:
                counts.duplicates += 1
            counts.tokens.add(token)
        name = b'{"name":"projects/benchmark/messages/%d"}' % next(counts.names)
        self.loop.call_later(self.latency, self._answer, name)

    def _answer(self, body: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )


async def serve(latency: float) -> None:
    counts = Counts()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: StubConnection(counts, latency), "127.0.0.1", 0, backlog=4096
    )
    print(f"127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(serve(float(sys.argv[1]) if len(sys.argv) > 1 else 0.03))
