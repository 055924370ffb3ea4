"""A fast local "Sina": a bare asyncio HTTP/1.1 keep-alive server for throughput benchmarks.

Run from the repository root (prints its base URL on the first line of stdout, then serves until
stdin closes or it is interrupted):

    .venv/bin/python -m benchmarks.fastserver --items 3000 --port 8765

It serves, with every response built in memory before the first request (no politeness, no delay,
no per-request work beyond reading the request head and writing precomputed bytes):

* ``/api/roll/get?...&page=P&num=K``: Sina's roll API (the shape of tests/fixtures/sina/roll_1686_page1.json
  and tests/backfill_support.py: ``result.status``/``total``/``data``, newest first, epoch ``intime``),
  over ``--items`` items whose ``url`` is ``{base}/doc/N.shtml``;
* ``/doc/N.shtml``: item N's article page, a real Sina finance page
  (tests/fixtures/pages/gne_tests_sina_2.html, about 230 KB) with its title, og:url, date and the
  paragraphs of ``div#artibody`` replaced; each page's body is its own draw of real sentences of the
  saved Sina pages' checked texts (tests/fixtures/pages/gne_tests_sina_*.expected.txt) plus a
  numbered sentence, so no two bodies are alike;
* ``/robots.txt``: allows everything. Anything else is a 404.

The test server of the test suite (tests/httpserver.py) is a thread per connection with a Python
handler per request and caps at about 50 pages/s, hiding the client's own cost; this one answers
thousands of requests per second, so a client measured against it is measured, not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
TEMPLATE = FIXTURES / "pages" / "gne_tests_sina_2.html"
BASE_TIME = 1_714_521_600  # 2024-05-01T00:00:00Z; item n is published n minutes later
SENTENCES_PER_PAGE = 12


def _sentences() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "pages").glob("gne_tests_sina_*.expected.txt")))
    return [s.strip() for s in re.split(r"(?<=[。！？])|\n", text) if len(s.strip()) > 8]


@dataclass(frozen=True)
class Template:
    """The real page cut around the parts that change per item."""

    html: str
    title: str  # the page's headline, as written in its <title>, h1, og:title…
    body_start: int  # where div#artibody's first paragraph starts
    body_end: int  # where the editor line that closes the body starts

    @classmethod
    def load(cls) -> Template:
        html = TEMPLATE.read_text(encoding="utf-8")
        title = re.search(r'<h1 class="main-title">(.*?)</h1>', html)
        start = html.index("<p>", html.index('id="artibody"'))
        end = html.index('<p class="article-editor">', start)
        if title is None:
            raise SystemExit(f"{TEMPLATE}: not the expected Sina template")
        return cls(html, title.group(1), start, end)

    def page(self, base: str, n: int, title: str, paragraphs: list[str]) -> bytes:
        body = "\n".join(f"<p>\u3000\u3000{p}</p>" for p in paragraphs)
        html = self.html[: self.body_start] + body + "\n" + self.html[self.body_end:]
        html = html.replace(self.title, title)
        html = html.replace("https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
                            f"{base}/doc/{n}.shtml")
        minutes = BASE_TIME // 60 + n + 8 * 60  # Beijing time on the page
        day, minute = divmod(minutes, 24 * 60)
        date = _date(day) + f" {minute // 60:02d}:{minute % 60:02d}"
        html = html.replace("2018年12月28日 19:55", date)
        return html.encode("utf-8")


def _date(epoch_day: int) -> str:
    from datetime import date, timedelta

    d = date(1970, 1, 1) + timedelta(days=epoch_day)
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def _response(body: bytes, content_type: str, status: str = "200 OK") -> bytes:
    head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n\r\n")
    return head.encode("ascii") + body


class Site:
    """Every response, precomputed: article pages by path, roll pages by (page, num) on first ask."""

    def __init__(self, base: str, items: int, seed: int = 15) -> None:
        self.base = base
        template, sentences = Template.load(), _sentences()
        self.rows: list[dict[str, str]] = []
        self.pages: dict[str, bytes] = {}
        for n in range(1, items + 1):
            rng = random.Random(seed * 1_000_003 + n)
            picked = rng.sample(sentences, SENTENCES_PER_PAGE)
            title = picked[0][:18].rstrip("，。！？、 ") + f"（{n}）"
            picked.append(f"本文为第{n}条快讯，编号{rng.randrange(10**8):08d}。")
            paragraphs = [picked[i] + picked[i + 1] for i in range(0, len(picked) - 1, 2)]
            self.pages[f"/doc/{n}.shtml"] = _response(template.page(base, n, title, paragraphs),
                                                      "text/html; charset=utf-8")
            when = str(BASE_TIME + n * 60)
            self.rows.append({"title": title, "url": f"{base}/doc/{n}.shtml", "wapurl": f"{base}/wap/{n}.shtml",
                              "intro": picked[1][:60], "media_name": "新浪财经", "ctime": when, "intime": when,
                              "mtime": when})
        self.rows.reverse()  # newest first
        self.rolls: dict[tuple[int, int], bytes] = {}
        self.robots = _response(b"User-agent: *\nDisallow:\n", "text/plain")
        self.missing = _response(b"not found", "text/plain", "404 Not Found")
        self.requests = 0

    def roll(self, page: int, num: int) -> bytes:
        key = (page, num)
        if key not in self.rolls:
            data = self.rows[(page - 1) * num: page * num] if page > 0 and num > 0 else []
            body = {"result": {"status": {"code": 0, "msg": ""}, "total": len(self.rows), "data": data}}
            self.rolls[key] = _response(json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                        "application/json; charset=utf-8")
        return self.rolls[key]

    def answer(self, target: str) -> bytes:
        self.requests += 1
        path, _, query = target.partition("?")
        found = self.pages.get(path)
        if found is not None:
            return found
        if path == "/api/roll/get":
            args = parse_qs(urlsplit(target).query)
            try:
                return self.roll(int(args.get("page", ["1"])[0]), int(args.get("num", ["20"])[0]))
            except ValueError:
                return self.missing
        if path == "/robots.txt":
            return self.robots
        return self.missing


async def _connection(site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            line, _, rest = head.partition(b"\r\n")
            parts = line.split(b" ")
            target = parts[1].decode("latin-1") if len(parts) >= 2 else "/"
            writer.write(site.answer(target))
            if b"connection: close" in rest.lower():
                await writer.drain()
                break
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, asyncio.CancelledError):
        pass  # the client left, or the server is stopping
    finally:
        writer.close()


async def serve(items: int, host: str, port: int) -> None:
    site: Site | None = None

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert site is not None
        await _connection(site, reader, writer)

    server = await asyncio.start_server(handle, host, port, backlog=512)
    bound = server.sockets[0].getsockname()
    site = Site(f"http://{host}:{bound[1]}", items)  # built before the URL is announced
    print(f"http://{host}:{bound[1]}", flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    async with server:
        await asyncio.wait([asyncio.ensure_future(server.serve_forever()), stdin_closed],
                           return_when=asyncio.FIRST_COMPLETED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=3000, help="roll items, each with its own article page")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.items, args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
