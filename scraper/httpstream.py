"""One HTTP exchange at the httpx boundary: URLs, headers, bodies and httpx's errors.

Used by :mod:`scraper.fetch`; nothing here holds state. httpx types stop here: bodies come
out as bytes, headers as a plain dict, errors as :mod:`scraper.errors` exceptions.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx

from .errors import (
    BrokenResponseError,
    FetchError,
    PermanentFetchError,
    RedirectError,
    ResponseTooLargeError,
    TransientFetchError,
)
from .httpdecode import DecodeError, Decoder, IdentityDecoder, decoder_for

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Exchange:
    """A response as the fetcher keeps it: final URL of the hop, status, headers, body."""

    url: str
    status: int
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    content: bytes = b""


def header_dict(headers: httpx.Headers) -> dict[str, str]:
    """Headers as a plain dict (lower-cased names, repeats joined), cheaper to query repeatedly."""
    fields: dict[str, str] = {}
    for name, value in headers.multi_items():
        fields[name] = f"{fields[name]}, {value}" if name in fields else value
    return fields


async def _aiter_one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def drain(response: httpx.Response, limit: int = 65_536) -> None:
    """Read and drop a small unwanted body so the connection can be reused (else it is closed)."""
    if response.is_stream_consumed:
        return
    seen = 0
    try:
        async for chunk in response.aiter_raw():
            seen += len(chunk)
            if seen > limit:
                return
    except httpx.HTTPError:
        return


@dataclass(frozen=True)
class Hop:
    """One URL of a redirect chain, parsed once: as given, as httpx's URL, and its host key."""

    url: str
    target: httpx.URL
    host: str

    @property
    def key(self) -> str:
        """What makes two hops the same resource (for loop detection): the URL without fragment."""
        return str(self.target.copy_with(fragment=None))

    @classmethod
    def of(cls, url: str) -> Hop:
        """Parse ``url``; PermanentFetchError when it is not a valid http(s) URL."""
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise PermanentFetchError(f"invalid URL {url!r}: {exc}", url=url) from exc
        if target.scheme not in _DEFAULT_PORTS or not target.host:
            raise PermanentFetchError(f"not an http(s) URL: {url!r}", url=url)
        return cls(url, target, f"{target.host}:{target.port or _DEFAULT_PORTS[target.scheme]}")


def redirect_target(exchange: Exchange, current: str) -> str:
    """The absolute URL a 3xx points to; an error when it has no usable Location."""
    location = exchange.headers.get("location", "").strip()
    if not location:
        raise PermanentFetchError(
            f"HTTP {exchange.status} without a Location header", url=current, status=exchange.status
        )
    try:
        target = str(httpx.URL(current).join(location))
    except httpx.InvalidURL as exc:
        raise RedirectError(
            f"bad redirect Location {location!r}: {exc}", url=current, status=exchange.status
        ) from exc
    if not target.startswith(("http://", "https://")):
        raise RedirectError(f"redirect to a non-http URL {target!r}", url=current, status=exchange.status)
    return target


def translate_error(
    exc: httpx.HTTPError | httpx.InvalidURL, url: str, *, in_body: bool, status: int | None = None
) -> FetchError:
    """Map an httpx error to the scraper error tree (the caller raises it ``from exc``)."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return TransientFetchError(f"timed out ({type(exc).__name__}): {detail}", url=url, status=status)
    if isinstance(exc, httpx.RemoteProtocolError) and in_body:
        return BrokenResponseError(f"connection cut mid-body: {detail}", url=url, status=status)
    if isinstance(exc, httpx.DecodingError):
        return BrokenResponseError(f"undecodable body: {detail}", url=url, status=status)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return PermanentFetchError(f"cannot fetch {url!r}: {detail}", url=url)
    if isinstance(exc, httpx.TransportError):  # connect/read/write errors, a server hanging up
        return TransientFetchError(f"{type(exc).__name__}: {detail}", url=url, status=status)
    return FetchError(f"{type(exc).__name__}: {detail}", url=url, status=status)


async def read_body(response: httpx.Response, fields: dict[str, str], url: str, limit: int) -> bytes:
    """The decoded body, read in pieces; over ``limit`` bytes it is dropped and an error raised.

    ``fields`` are the response's headers (:func:`header_dict`). Raises ResponseTooLargeError
    (from Content-Length up front, or as soon as the decoded size passes ``limit``),
    BrokenResponseError (cut connection, broken compression) or a translated transport error.
    """
    declared = fields.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLargeError(
            f"Content-Length {declared} is over the {limit}-byte limit",
            url=url,
            status=response.status_code,
        )
    decoder: Decoder = decoder_for(fields.get("content-encoding"))
    chunks = response.aiter_raw()
    if response.is_stream_consumed:  # built from bytes (MockTransport): already read, decoded
        decoder, chunks = IdentityDecoder(), _aiter_one(response.content)
    body = io.BytesIO()  # getvalue() hands over its buffer without a copy
    size = 0
    try:
        async for chunk in chunks:
            for piece in decoder.feed(chunk):
                size += len(piece)
                if size > limit:
                    raise ResponseTooLargeError(
                        f"body over the {limit}-byte limit", url=url, status=response.status_code
                    )
                body.write(piece)
        for piece in decoder.finish():
            size += len(piece)
            if size > limit:
                raise ResponseTooLargeError(
                    f"body over the {limit}-byte limit", url=url, status=response.status_code
                )
            body.write(piece)
    except DecodeError as exc:
        raise BrokenResponseError(str(exc), url=url, status=response.status_code) from exc
    except httpx.HTTPError as exc:
        raise translate_error(exc, url, in_body=True, status=response.status_code) from exc
    return body.getvalue()


def _append(body: io.BytesIO, pieces: Iterator[bytes], size: int, limit: int, status: int, url: str) -> int:
    for piece in pieces:
        size += len(piece)
        if size > limit:
            raise ResponseTooLargeError(f"body over the {limit}-byte limit", url=url, status=status)
        body.write(piece)
    return size
