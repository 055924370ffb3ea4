"""A real, scriptable HTTP/1.1 test server on 127.0.0.1 (threaded, real sockets).

Usage::

    from tests.httpserver import Reply, serve

    routes = {
        "/feed.xml": Reply(body=feed_bytes, content_type="application/rss+xml", etag='"v1"'),
        "/flaky": [Reply(status=503), Reply(status=503), Reply(body=b"ok")],  # served in order
        "/hang": Reply(delay=30),                    # hangs before sending headers
        "/page": page_bytes,                         # plain bytes/str: 200, guessed type
        "/echo": lambda request: Reply(body=request.headers.get("user-agent", "")),
    }
    with serve(routes) as server:
        url = server.url("/feed.xml")               # "http://127.0.0.1:PORT/feed.xml"
        ...
        server.requests                             # [RequestRecord(time, method, path, headers), ...]
        server.requests_for("/flaky")               # only that path (query ignored)
        server.routes["/new"] = Reply(...)          # routes can change while it runs

A route key with a query ("/api?id=1") wins over the bare path ("/api"). A list of replies is a
script: each request takes the next one, the last one repeats. A callable gets the
:class:`RequestRecord` and returns a reply (or bytes/str). ``Reply(etag=..., last_modified=...)``
answers a matching conditional request with 304 by itself. Unknown paths get 404.

Each ``serve()`` is its own host:port, so two servers are two "hosts" for per-host politeness.
Times in the log are ``time.monotonic()`` when the request line and headers were read; headers
are a dict with lower-cased names. Hanging or trickling handlers stop when the server stops.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import mimetypes
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Reply", "RequestRecord", "Route", "TestServer", "serve"]


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it."""

    time: float  # time.monotonic() when the request head had been read
    method: str
    path: str  # path with query, as sent
    headers: dict[str, str]  # lower-cased names
    client: tuple[str, int] = ("", 0)  # peer address (the port tells connections apart)

    @property
    def bare_path(self) -> str:
        return self.path.split("?", 1)[0]


@dataclass(frozen=True)
class Reply:
    """What to send for one request, and how badly.

    status/headers/body: the response. ``content_type`` is sent unless ``headers`` has one.
    delay: seconds to stall before sending anything (a hang before headers).
    hang_after_headers: seconds to stall after the headers, before the body.
    trickle: seconds between body pieces of ``trickle_size`` bytes.
    gzip: compress the body and send ``Content-Encoding: gzip``.
    cut_at: send only this many body bytes, then close (Content-Length still says the full size).
    stall_at: send this many body bytes, then stall until the server stops (a hang mid-body).
    drop: close the connection without any response.
    raw: send these bytes as the whole response (status line and all), then close.
    length: "content-length" (default), "chunked", or "close" (no length; the close ends the body).
    etag/last_modified: validators; a request carrying a matching If-None-Match /
    If-Modified-Since gets 304 without a body.
    """

    body: bytes | str = b""
    status: int = 200
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    content_type: str | None = "text/plain; charset=utf-8"
    delay: float = 0.0
    hang_after_headers: float = 0.0
    trickle: float = 0.0
    trickle_size: int = 1
    gzip: bool = False
    cut_at: int | None = None
    stall_at: int | None = None
    drop: bool = False
    raw: bytes | None = None
    length: str = "content-length"
    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def file(cls, path: str | Path, content_type: str | None = None, **kwargs: Any) -> Reply:
        """A reply serving a saved file, its type guessed from the extension unless given."""
        path = Path(path)
        guessed = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(body=path.read_bytes(), content_type=guessed, **kwargs)

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Route = bytes | str | Reply | Sequence[Reply] | Callable[[RequestRecord], Any]


class TestServer:
    """A running server; use :func:`serve` to get one."""

    __test__ = False  # not a pytest test class

    def __init__(self, routes: Mapping[str, Any] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[RequestRecord] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._script_pos: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0  # most requests being served at once
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        address = self._httpd.server_address
        self.host, self.port = str(address[0]), int(address[1])
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def requests_for(self, path: str) -> list[RequestRecord]:
        """Logged requests whose path (query ignored, unless ``path`` has one) equals ``path``."""
        with self._lock:
            log = list(self.requests)
        if "?" in path:
            return [r for r in log if r.path == path]
        return [r for r in log if r.bare_path == path]

    def start(self) -> TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    # -- used by the handler -------------------------------------------------------------------
    def _log(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _reply_for(self, record: RequestRecord) -> Reply:
        route = self.routes.get(record.path)
        key = record.path
        if route is None:
            key = record.bare_path
            route = self.routes.get(key)
        if route is None:
            return Reply(status=404, body=b"not found")
        return self._resolve(key, route, record)

    def _resolve(self, key: str, route: Route, record: RequestRecord) -> Reply:
        if isinstance(route, Reply):
            return route
        if isinstance(route, bytes | str):
            return Reply(body=route, content_type=_guess_type(record.bare_path))
        if callable(route):
            return self._resolve(key, route(record), record)
        with self._lock:
            pos = self._script_pos.get(key, 0)
            self._script_pos[key] = pos + 1
        return route[min(pos, len(route) - 1)]


def _guess_type(path: str) -> str:
    guessed = mimetypes.guess_type(path)[0]
    if guessed is None:
        return "text/html; charset=utf-8"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: TestServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up (timeouts, cut tests) reset connections: expected, not news.
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    do_POST = do_GET
    do_PUT = do_GET
    do_DELETE = do_GET

    def _serve(self, send_body: bool) -> None:
        owner = self.server.owner
        record = RequestRecord(
            time=time.monotonic(),
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            client=self.client_address[:2],
        )
        owner._log(record)
        owner._enter()
        try:
            reply = owner._reply_for(record)
            self._send(reply, record, send_body)
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True
        except Exception:  # a bug in a route: say so loudly, answer 500
            traceback.print_exc()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.send_error(500, "test server route failed")
        finally:
            owner._leave()

    def _send(self, reply: Reply, record: RequestRecord, send_body: bool) -> None:
        stop = self.server.owner.stopping
        if reply.delay and stop.wait(reply.delay):
            self.close_connection = True
            return
        if reply.drop or reply.raw is not None:
            self.close_connection = True
            if reply.raw:
                self.wfile.write(reply.raw)
                self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, body = reply.status, reply.body_bytes()
        if _not_modified(reply, record.headers):
            status, body = 304, b""
        if reply.gzip and body:
            body = gzip.compress(body)
        self.send_response(status)
        self._send_headers(reply, status, len(body))
        self.end_headers()
        self.wfile.flush()
        if not send_body or status == 304 or status < 200:
            return
        if reply.hang_after_headers and stop.wait(reply.hang_after_headers):
            self.close_connection = True
            return
        self._send_body(reply, body, stop)

    def _send_headers(self, reply: Reply, status: int, size: int) -> None:
        headers = list(reply.headers.items()) if isinstance(reply.headers, Mapping) else list(reply.headers)
        names = {name.lower() for name, _ in headers}
        if reply.content_type and "content-type" not in names and status != 304:
            headers.append(("Content-Type", reply.content_type))
        if reply.etag:
            headers.append(("ETag", reply.etag))
        if reply.last_modified:
            headers.append(("Last-Modified", reply.last_modified))
        if reply.gzip and size:
            headers.append(("Content-Encoding", "gzip"))
        if status != 304 and "content-length" not in names:
            if reply.length == "chunked":
                headers.append(("Transfer-Encoding", "chunked"))
            elif reply.length == "close":
                headers.append(("Connection", "close"))
                self.close_connection = True
            else:
                headers.append(("Content-Length", str(size)))
        for name, value in headers:
            # Non-ASCII values go out as raw UTF-8 bytes, as misbehaving sites send them.
            self.send_header(name, value.encode("utf-8").decode("latin-1"))

    def _send_body(self, reply: Reply, body: bytes, stop: threading.Event) -> None:
        if reply.cut_at is not None:
            body = body[: reply.cut_at]
            self.close_connection = True
        if reply.stall_at is not None:
            self._write_piece(reply, body[: reply.stall_at])
            self.wfile.flush()
            stop.wait()
            self.close_connection = True
            return
        step = max(1, reply.trickle_size) if reply.trickle else 1 << 16
        for start in range(0, len(body), step):
            self._write_piece(reply, body[start : start + step])
            if reply.trickle:
                self.wfile.flush()
                if stop.wait(reply.trickle):
                    self.close_connection = True
                    return
        if reply.length == "chunked" and reply.cut_at is None:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        if reply.cut_at is not None:
            self.connection.shutdown(socket.SHUT_RDWR)

    def _write_piece(self, reply: Reply, piece: bytes) -> None:
        if not piece:
            return
        if reply.length == "chunked":
            piece = b"%x\r\n%s\r\n" % (len(piece), piece)
        self.wfile.write(piece)


def _not_modified(reply: Reply, headers: dict[str, str]) -> bool:
    if reply.status != 200:
        return False
    inm = headers.get("if-none-match")
    if reply.etag and inm is not None:
        return reply.etag in {tag.strip() for tag in inm.split(",")} or inm.strip() == "*"
    ims = headers.get("if-modified-since")
    return bool(reply.last_modified and ims is not None and ims == reply.last_modified)


@contextmanager
def serve(routes: Mapping[str, Any] | None = None) -> Iterator[TestServer]:
    """Start a server for ``routes`` on 127.0.0.1 (a free port) and stop it on exit."""
    server = TestServer(routes).start()
    try:
        yield server
    finally:
        server.stop()
