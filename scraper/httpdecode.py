"""Streaming Content-Encoding decoders with bounded output and end-of-stream checks.

httpx's own decoders accept a truncated gzip stream silently and may inflate one network chunk
into tens of megabytes at once; these decoders yield at most ``PIECE`` bytes at a time (so the
size limit is enforced while inflating, against compression bombs too) and report a stream
that stops before its end as broken.

Raises :class:`DecodeError` (a plain ValueError); the fetcher maps it to BrokenResponseError.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Generator, Iterator
from typing import Protocol

import brotli

logger = logging.getLogger(__name__)

PIECE = 1 << 20  # largest piece of decoded output produced at once
_GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(ValueError):
    """The body is not a valid stream of its declared Content-Encoding."""


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class IdentityDecoder:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class ZlibDecoder:
    """gzip (``wbits=31``, several members allowed) or deflate (zlib-wrapped, else raw)."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding == "gzip"
        self._wbits = zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False
        self._ended = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        # A loop, not recursion, over gzip members: thousands of empty members are a valid body.
        while data:
            if not self._started:
                self._started = True
                if not self._gzip and not _looks_like_zlib(data):
                    # Some servers send raw deflate under "deflate" (httpx tolerates it too).
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            if self._ended:
                if not (self._gzip and data.startswith(_GZIP_MAGIC)):
                    logger.debug("ignoring %d bytes after the end of the compressed stream", len(data))
                    return
                self._obj, self._ended = zlib.decompressobj(self._wbits), False  # next gzip member
            data = yield from self._inflate(data)

    def _inflate(self, data: bytes) -> Generator[bytes, None, bytes]:
        """Inflate ``data`` into the current member; returns what follows the member's end."""
        pending = data
        while True:
            try:
                out = self._obj.decompress(pending, PIECE)
            except zlib.error as exc:
                raise DecodeError(f"corrupt {self._name} stream: {exc}") from exc
            if out:
                yield out
            pending = self._obj.unconsumed_tail
            if self._obj.eof:
                self._ended = True
                return self._obj.unused_data
            if not pending and len(out) < PIECE:
                return b""

    @property
    def _name(self) -> str:
        return "gzip" if self._gzip else "deflate"

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._ended:
            raise DecodeError(f"truncated {self._name} stream")
        return iter(())


def _looks_like_zlib(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0


class BrotliDecoder:
    # brotli's output limit is a soft one (the buffer may overshoot it up to twice): ask for half.
    _LIMIT = PIECE // 2

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self._started = True
        try:
            out = self._obj.process(data, output_buffer_limit=self._LIMIT)
            if out:
                yield out
            while out and not self._obj.is_finished():  # drain what this input holds
                out = self._obj.process(b"", output_buffer_limit=self._LIMIT)
                if out:
                    yield out
        except brotli.error as exc:
            raise DecodeError(f"corrupt br stream: {exc}") from exc

    def finish(self) -> Iterator[bytes]:
        if not self._started:
            return
        try:
            # Input may still sit in the decoder's buffers: drain it before judging the end.
            while not self._obj.is_finished():
                out = self._obj.process(b"", output_buffer_limit=self._LIMIT)
                if not out:
                    break
                yield out
        except brotli.error as exc:
            raise DecodeError(f"corrupt br stream: {exc}") from exc
        if not self._obj.is_finished():
            raise DecodeError("truncated br stream")


class ChainDecoder:
    """Several encodings, applied in the order listed, undone in reverse."""

    def __init__(self, decoders: list[Decoder]) -> None:
        self._decoders = decoders

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._through(0, iter((data,)))

    def finish(self) -> Iterator[bytes]:
        for index, decoder in enumerate(self._decoders):
            yield from self._through(index + 1, decoder.finish())

    def _through(self, index: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        if index == len(self._decoders):
            yield from pieces
            return
        for piece in pieces:
            yield from self._through(index + 1, self._decoders[index].feed(piece))


def decoder_for(content_encoding: str | None) -> Decoder:
    """A decoder for a Content-Encoding value (unknown tokens are passed through as identity)."""
    tokens = [t.strip().lower() for t in (content_encoding or "").split(",") if t.strip()]
    decoders: list[Decoder] = []
    for token in reversed(tokens):  # the last encoding applied is undone first
        if token in ("gzip", "x-gzip"):
            decoders.append(ZlibDecoder("gzip"))
        elif token == "deflate":
            decoders.append(ZlibDecoder("deflate"))
        elif token == "br":
            decoders.append(BrotliDecoder())
        elif token != "identity":
            logger.debug("unknown Content-Encoding %r treated as identity", token)
    if not decoders:
        return IdentityDecoder()
    return decoders[0] if len(decoders) == 1 else ChainDecoder(decoders)
