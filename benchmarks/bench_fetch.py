"""Fetcher throughput and streaming memory against a local server.

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_fetch                 # defaults below
    .venv/bin/python -m benchmarks.bench_fetch --requests 2000 --concurrency 10 --rounds 10

1. Throughput: the same N GETs of a 50 KB page, at the same concurrency, by
   ``scraper.fetch.Fetcher`` with politeness off (no interval, per-host concurrency = the
   concurrency) and by a plain ``httpx.AsyncClient``; rounds alternate between the two and the
   medians are compared, as a ratio measured in this one run.
2. Memory: peak Python allocations (tracemalloc) and RSS growth (psutil) while the Fetcher
   streams one 20 MB response (plain and gzip-encoded) with ``max_response_bytes`` above it,
   next to the same for ``httpx.AsyncClient.get``.

The server is a minimal asyncio HTTP/1.1 server with canned keep-alive responses, in a child
process: the stdlib test server tops out near the clients' own rate and would hide their cost.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import multiprocessing
import socket
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Coroutine
from multiprocessing.connection import Connection
from typing import Any

import httpx
import psutil

from scraper.fetch import Fetcher
from scraper.models import HttpSettings

PAGE = (b"<html><body>" + "新闻正文 finance news body. ".encode() * 1800 + b"</body></html>")[:50_000]
BIG = bytes(range(256)) * (20 * 1024 * 1024 // 256)  # 20 MB, not very compressible in plain form


def _response(body: bytes, content_type: str, encoding: str | None = None) -> bytes:
    head = [b"HTTP/1.1 200 OK", b"Content-Type: " + content_type.encode(), b"Content-Length: %d" % len(body)]
    if encoding:
        head.append(b"Content-Encoding: " + encoding.encode())
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def _serve(conn: Connection) -> None:
    """A minimal keep-alive HTTP/1.1 server answering canned responses (fast enough that the
    clients, not the server, set the pace)."""
    responses = {
        b"/page": _response(PAGE, "text/html; charset=utf-8"),
        b"/big": _response(BIG, "application/octet-stream"),
        b"/big.gz": _response(gzip.compress(BIG, compresslevel=1), "application/octet-stream", "gzip"),
    }
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].split(b"?", 1)[0]
                writer.write(responses.get(path, missing))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        conn.send(f"http://127.0.0.1:{port}")
        async with server:
            await server.serve_forever()

    asyncio.run(main())


async def _drive(get: Callable[[str], Awaitable[int]], urls: list[str], concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(url: str) -> int:
        async with gate:
            return await get(url)

    started = time.perf_counter()
    sizes = await asyncio.gather(*(one(u) for u in urls))
    elapsed = time.perf_counter() - started
    assert all(size == len(PAGE) for size in sizes), "short or failed responses"
    return len(urls) / elapsed


async def fetcher_rps(base: str, requests: int, concurrency: int) -> float:
    settings = HttpSettings(per_host_concurrency=concurrency, per_host_interval=0.0, timeout=30.0)
    async with Fetcher(settings) as fetcher:

        async def get(url: str) -> int:
            return len((await fetcher.fetch(url)).content)

        return await _drive(get, [f"{base}/page?{i}" for i in range(requests)], concurrency)


async def httpx_rps(base: str, requests: int, concurrency: int) -> float:
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def get(url: str) -> int:
            response = await client.get(url)
            response.raise_for_status()
            return len(response.content)

        return await _drive(get, [f"{base}/page?{i}" for i in range(requests)], concurrency)


def throughput(base: str, requests: int, concurrency: int, rounds: int) -> None:
    asyncio.run(fetcher_rps(base, 50, concurrency))  # warm-up (imports, first connections)
    asyncio.run(httpx_rps(base, 50, concurrency))
    ours: list[float] = []
    plain: list[float] = []
    for round_no in range(rounds):
        # Back to back, alternating who goes first: the machine's drift hits both alike.
        pair = [
            ("ours", lambda: fetcher_rps(base, requests, concurrency)),
            ("plain", lambda: httpx_rps(base, requests, concurrency)),
        ]
        for name, run in pair if round_no % 2 == 0 else reversed(pair):
            (ours if name == "ours" else plain).append(asyncio.run(run()))
    ratios = [a / b for a, b in zip(ours, plain, strict=True)]
    print(
        f"throughput: {requests} GETs of {len(PAGE) // 1000} KB, concurrency {concurrency}, {rounds} rounds"
    )
    print(f"  Fetcher (politeness off): {statistics.median(ours):8.0f} req/s   rounds: {_fmt(ours, '.0f')}")
    print(f"  plain httpx.AsyncClient:  {statistics.median(plain):8.0f} req/s   rounds: {_fmt(plain, '.0f')}")
    print(
        f"  ratio Fetcher / httpx:    {statistics.median(ratios):8.2f}   (median of per-round ratios: {_fmt(ratios, '.2f')})"
    )


def _fmt(values: list[float], spec: str) -> str:
    return ", ".join(format(v, spec) for v in values)


def _measure(fetch: Callable[[], Coroutine[Any, Any, int]]) -> tuple[int, float, float]:
    gc.collect()
    process = psutil.Process()
    rss_before = process.memory_info().rss
    tracemalloc.start()
    size = asyncio.run(fetch())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_growth = process.memory_info().rss - rss_before
    return size, peak / 1e6, rss_growth / 1e6


def memory(base: str) -> None:
    settings = HttpSettings(max_response_bytes=30_000_000, timeout=60.0, per_host_interval=0.0)

    def with_fetcher(path: str) -> Callable[[], Coroutine[Any, Any, int]]:
        async def go() -> int:
            async with Fetcher(settings) as fetcher:
                return len((await fetcher.fetch(base + path)).content)

        return go

    def with_httpx(path: str) -> Callable[[], Coroutine[Any, Any, int]]:
        async def go() -> int:
            async with httpx.AsyncClient(timeout=60.0) as client:
                return len((await client.get(base + path)).content)

        return go

    print(f"memory: one {len(BIG) / 1e6:.0f} MB response, max_response_bytes 30 MB")
    print("                             body MB   tracemalloc peak MB  (x body)   RSS growth MB")
    for label, make, path in [
        ("Fetcher, identity", with_fetcher, "/big"),
        ("Fetcher, gzip", with_fetcher, "/big.gz"),
        ("httpx.get, identity", with_httpx, "/big"),
        ("httpx.get, gzip", with_httpx, "/big.gz"),
    ]:
        size, peak, rss = _measure(make(path))
        assert size == len(BIG)
        print(f"  {label:24s} {size / 1e6:9.1f} {peak:16.1f}      {peak * 1e6 / size:6.2f}   {rss:12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    server.start()
    try:
        base = parent.recv()
        throughput(base, args.requests, args.concurrency, args.rounds)
        memory(base)
    finally:
        server.terminate()
        server.join(10)


if __name__ == "__main__":
    main()
