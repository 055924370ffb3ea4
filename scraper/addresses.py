"""Where a URL points: refuse private, loopback and link-local hosts when asked to (SSRF guard).

newsroll fetches three kinds of URL: feed URLs the user configured (trusted), and article links
and redirect targets that the feeds and sites choose (not trusted). With ``http.allow_private =
false`` every hop of every fetch — the first URL and each redirect — must resolve to public
addresses only; a feed or a site then cannot make newsroll request a service on the machine
(``127.0.0.1:6379``) or on the local network. The check resolves the name just before the request;
a DNS answer that changes between the check and the connection is not caught (use a filtering
proxy where that matters).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from scraper.errors import PermanentFetchError


def is_public(address: str) -> bool:
    """True for a globally routable address (not private, loopback, link-local, multicast, reserved)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def ensure_public(url: str) -> None:
    """Raise PermanentFetchError when ``url``'s host is, or resolves to, a non-public address."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = [ipaddress.ip_address(host).compressed]
    except ValueError:
        try:
            infos = await asyncio.to_thread(socket.getaddrinfo, host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise PermanentFetchError(f"cannot resolve {host!r}: {exc}", url=url) from exc
        addresses = sorted({str(info[4][0]) for info in infos})
    private = [a for a in addresses if not is_public(a)]
    if private:
        raise PermanentFetchError(
            f"refused {url}: {host} is a private or local address ({', '.join(private)}); "
            "http.allow_private = false", url=url)
