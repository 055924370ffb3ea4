"""Content decoding and header parsing: pure units behind the fetcher."""

from __future__ import annotations

import gzip
import random
import zlib
from collections.abc import Callable

import brotli
import pytest

from scraper.headers import charset_of, media_type, origin_of, parse_max_age, parse_retry_after
from scraper.httpdecode import PIECE, DecodeError, decoder_for

NOISE = random.Random(3).randbytes(300_000)


def decode_all(encoding: str | None, data: bytes, chunk: int = 4096) -> list[bytes]:
    decoder = decoder_for(encoding)
    pieces: list[bytes] = []
    for start in range(0, len(data), chunk):
        pieces.extend(decoder.feed(data[start : start + chunk]))
    pieces.extend(decoder.finish())
    return pieces


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d)[2:-4]),
        ("br", brotli.compress),
        (None, lambda d: d),
        ("identity", lambda d: d),
        ("zstd-or-a-lie", lambda d: d),  # unknown tokens pass through, as httpx does
    ],
)
def test_round_trip_in_small_chunks(encoding: str | None, encode: object) -> None:
    assert b"".join(decode_all(encoding, encode(NOISE))) == NOISE  # type: ignore[operator]


def test_output_comes_in_bounded_pieces_even_from_a_bomb() -> None:
    bomb = gzip.compress(b"\0" * (5 * PIECE))
    decoder = decoder_for("gzip")
    pieces = list(decoder.feed(bomb))  # the whole bomb in one network chunk
    assert max(len(p) for p in pieces) <= PIECE and sum(map(len, pieces)) == 5 * PIECE
    br_pieces = list(decoder_for("br").feed(brotli.compress(b"\0" * (3 * PIECE))))
    assert max(len(p) for p in br_pieces) <= PIECE and sum(map(len, br_pieces)) == 3 * PIECE


@pytest.mark.parametrize(
    "encoding, compress", [("gzip", gzip.compress), ("br", lambda data: brotli.compress(data, quality=1))]
)
def test_large_stream_in_one_chunk_is_complete(encoding: str, compress: Callable[[bytes], bytes]) -> None:
    body = b"\0" * (20 * PIECE) + b"end"
    pieces = decode_all(encoding, compress(body), chunk=1 << 30)
    assert sum(len(p) for p in pieces) == len(body) and pieces[-1].endswith(b"end")


def test_multi_member_gzip_and_trailing_padding() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    assert b"".join(decode_all("gzip", data, chunk=7)) == b"first second"
    assert b"".join(decode_all("gzip", gzip.compress(b"body") + b"\0\0\0")) == b"body"


def test_stacked_encodings_are_undone_in_reverse() -> None:
    data = brotli.compress(gzip.compress(b"inner"))  # gzip applied first, then br
    assert b"".join(decode_all("gzip, br", data)) == b"inner"


@pytest.mark.parametrize(
    "encoding, compress", [("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress)]
)
def test_truncated_streams_are_errors(encoding: str, compress: object) -> None:
    data = compress(NOISE)  # type: ignore[operator]
    with pytest.raises(DecodeError, match="truncated"):
        decode_all(encoding, data[: len(data) - 100])


def test_empty_body_with_an_encoding_is_fine() -> None:
    assert decode_all("gzip", b"") == [] and decode_all("br", b"") == []


def test_garbage_is_an_error() -> None:
    with pytest.raises(DecodeError):
        decode_all("gzip", b"plain text, not gzip")
    with pytest.raises(DecodeError):
        decode_all("br", b"\xff" * 100)


def test_content_type_parts() -> None:
    assert media_type("Text/HTML; charset=GBK") == "text/html"
    assert charset_of("text/html; charset=GBK") == "gbk"
    assert charset_of('application/xml; charset="UTF-8"') == "utf-8"
    assert charset_of("text/html; boundary=x; Charset = gb2312 ") == "gb2312"
    assert (
        charset_of("text/html") is None
        and charset_of(None) is None
        and charset_of("text/html; charset=") is None
    )
    assert media_type(None) == ""


def test_retry_after_forms() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:15:20 GMT", now) == 120.0
    assert parse_retry_after("Tue, 14 Nov 2023 23:13:20 -0000", now) == 3600.0
    assert parse_retry_after("Tuesday, 14-Nov-23 22:15:20 GMT", now) in (120.0, None)  # RFC 850: tolerated
    assert parse_retry_after("Mon, 13 Nov 2023 00:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after("", now) is None and parse_retry_after(None, now) is None


def test_max_age_and_origin() -> None:
    assert parse_max_age("public, max-age=600") == 600.0
    assert parse_max_age("s-maxage=10, max-age=60") == 60.0
    assert parse_max_age("no-cache") is None and parse_max_age(None) is None
    assert origin_of("HTTPS://News.Example.org:8443/a/b?c") == "https://news.example.org:8443"
