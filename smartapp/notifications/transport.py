"""HTTP POSTs in flight on one thread, over libcurl's multi interface (pycurl).

A token campaign is one HTTP request per device, so the cost of a request is the cost of a
campaign. aiohttp on uvloop spent ~140 µs of the worker's CPU per request (building it,
parsing the answer, the event loop), more than all the rest of the dispatch; libcurl does the
HTTP, the connection reuse and, to FCM over TLS, HTTP/2 multiplexing in C, and leaves
~60 µs of Python per request (``benchmarks/README.md``, "Push dispatch").

Callers on any thread hand over requests with :meth:`Transport.post`; one thread (started on
first use, so after RQ's or gunicorn's fork) keeps at most ``concurrency`` of them in flight
and calls each request's ``done`` with its :class:`Reply`, on that thread.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pycurl

log = logging.getLogger(__name__)

#: seconds a request may take in all, and to connect
TIMEOUT, CONNECT_TIMEOUT = 30, 10
#: the longest a new request waits while others are in flight: pycurl's ``select`` can't be
#: woken, and libcurl's socket interface (woken by a socketpair) cost a fifth more CPU per
#: request, in Python callbacks for every socket change (measured, benchmarks/README.md)
POLL = 0.005
USER_AGENT = "smartapp-push (libcurl)"


@dataclass(frozen=True)
class Reply:
    """The answer to one request: its status and body, or ``error`` when none came."""

    status: int = 0
    body: bytes = b""
    #: seconds the server asked to wait (``Retry-After``, given as seconds or a date)
    retry_after: float | None = None
    #: libcurl's message when the request failed below HTTP (refused, timed out…)
    error: str | None = None


Done = Callable[[Reply], None]


@dataclass(frozen=True)
class Request:
    """One POST, and what to call with its :class:`Reply` (on the transport's thread)."""

    url: str
    body: bytes
    headers: Sequence[str]
    done: Done


class Transport:
    """At most ``concurrency`` requests in flight, the connections kept between them."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self._requests: queue.SimpleQueue[Request] = queue.SimpleQueue()
        self._started_in: int | None = None
        self._start_lock = threading.Lock()

    def post(self, requests: Sequence[Request]) -> None:
        """Send ``requests``; each one's ``done(reply)`` is called as its answer arrives."""
        with self._start_lock:
            # started on first use in each process: after RQ's or gunicorn's fork
            if self._started_in != os.getpid():
                self._requests = queue.SimpleQueue()
                loop = _Loop(self.concurrency, self._requests)
                threading.Thread(target=loop.run, name="fcm-transport", daemon=True).start()
                self._started_in = os.getpid()
            for request in requests:
                self._requests.put(request)


class _Loop:
    """The transport's thread: starts what waits, drives libcurl, hands out the answers."""

    def __init__(self, concurrency: int, requests: queue.SimpleQueue[Request]) -> None:
        self.concurrency, self.requests = concurrency, requests
        self.multi = pycurl.CurlMulti()
        self.idle: list[pycurl.Curl] = []
        self.waiting: deque[Request] = deque()
        self.in_flight: dict[pycurl.Curl, tuple[Request, list[bytes]]] = {}

    def run(self) -> None:
        while True:
            if not self.in_flight and not self.waiting:
                self.waiting.append(self.requests.get())  # nothing to drive: sleep until work
            self._start_waiting()
            while self.multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                pass
            self._read_answers()
            if self.in_flight:
                self.multi.select(POLL)

    def _start_waiting(self) -> None:
        while True:
            try:
                self.waiting.append(self.requests.get_nowait())
            except queue.Empty:
                break
        while self.waiting and len(self.in_flight) < self.concurrency:
            request = self.waiting.popleft()
            handle = self.idle.pop() if self.idle else _new_handle()
            chunks: list[bytes] = []
            handle.setopt(pycurl.URL, request.url)
            handle.setopt(pycurl.HTTPHEADER, [*request.headers, "Expect:"])  # no 100-continue
            handle.setopt(pycurl.POSTFIELDS, request.body)
            handle.setopt(pycurl.WRITEFUNCTION, chunks.append)
            self.multi.add_handle(handle)
            self.in_flight[handle] = (request, chunks)

    def _read_answers(self) -> None:
        while True:
            left, succeeded, failed = self.multi.info_read()
            for handle in succeeded:
                request, chunks = self.in_flight.pop(handle)
                status = handle.getinfo(pycurl.RESPONSE_CODE)
                retry_after = handle.getinfo(pycurl.RETRY_AFTER) if status != 200 else 0
                self._finish(handle, request, Reply(status, b"".join(chunks), retry_after or None))
            for handle, _, message in failed:
                request, _ = self.in_flight.pop(handle)
                self._finish(handle, request, Reply(error=message or "failed"))
            if not left:
                return

    def _finish(self, handle: pycurl.Curl, request: Request, reply: Reply) -> None:
        self.multi.remove_handle(handle)
        self.idle.append(handle)
        try:
            request.done(reply)
        except Exception:  # a caller's bug must not stop the requests of everyone else
            log.exception("a push transport callback failed")


def _new_handle() -> pycurl.Curl:
    handle = pycurl.Curl()
    handle.setopt(pycurl.NOSIGNAL, 1)  # threads: no SIGALRM for DNS timeouts
    handle.setopt(pycurl.TIMEOUT, TIMEOUT)
    handle.setopt(pycurl.CONNECTTIMEOUT, CONNECT_TIMEOUT)
    handle.setopt(pycurl.USERAGENT, USER_AGENT)
    # wait for a connection that multiplexes (HTTP/2 to FCM) rather than open one per request
    handle.setopt(pycurl.PIPEWAIT, 1)
    return handle
