"""``http.allow_private = false``: no hop of a fetch reaches a private, loopback or link-local host.

The public first hop is served by httpx.MockTransport (no network); the refused hops are never sent.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from scraper.addresses import is_public
from scraper.errors import PermanentFetchError
from scraper.fetch import Fetcher
from tests.httpserver import serve
from tests.test_fetch import FAST, fetch_once, run

GUARDED = dataclasses.replace(FAST, allow_private=False)


@pytest.mark.parametrize(("address", "public"), [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("0.0.0.0", False), ("::1", False), ("fe80::1", False), ("fc00::5", False),
    ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("100.64.0.1", False),
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True), ("::ffff:93.184.216.34", True),
])
def test_address_classes(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_loopback_urls_are_refused_before_any_request() -> None:
    with serve({"/feed": b"secret"}) as server:
        for url in (server.url("/feed"), server.url("/feed").replace("127.0.0.1", "localhost")):
            with pytest.raises(PermanentFetchError, match="private or local address"):
                run(fetch_once(url, GUARDED))
        assert server.requests == []
        assert run(fetch_once(server.url("/feed"))).content == b"secret"  # the default allows it


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:6379/", "http://[::1]:8080/admin", "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7/internal",
])
def test_a_redirect_to_a_private_host_is_refused(target: str) -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    async def go() -> None:
        async with Fetcher(GUARDED, transport=httpx.MockTransport(handler)) as fetcher:
            await fetcher.fetch("http://93.184.216.34/article.html")

    with pytest.raises(PermanentFetchError, match="private or local address"):
        run(go())
    assert sent == ["http://93.184.216.34/article.html"]  # the private hop was never requested
