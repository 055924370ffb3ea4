"""Publication times: site zones, Chinese formats, never a naive time read as UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scraper.extract.dates import parse_datetime


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2018年12月28日 19:55", "Asia/Shanghai", datetime(2018, 12, 28, 11, 55, tzinfo=UTC)),
        ("2019年09月11日01:53", "Asia/Shanghai", datetime(2019, 9, 10, 17, 53, tzinfo=UTC)),
        ("2018-12-28T19:56:29+08:00", None, datetime(2018, 12, 28, 11, 56, 29, tzinfo=UTC)),
        ("2022-02-08T08:00:05Z", "Asia/Shanghai", datetime(2022, 2, 8, 8, 0, 5, tzinfo=UTC)),
        ("2019-09-26 12:11", "Asia/Shanghai", datetime(2019, 9, 26, 4, 11, tzinfo=UTC)),
        ("2019-11-25 18:57:38", "Asia/Shanghai", datetime(2019, 11, 25, 10, 57, 38, tzinfo=UTC)),
        ("发布时间：2019/9/9 8:05", "Asia/Shanghai", datetime(2019, 9, 9, 0, 5, tzinfo=UTC)),
        ("Tue, 08 Feb 2022 08:00:05 GMT", "Asia/Shanghai", datetime(2022, 2, 8, 8, 0, 5, tzinfo=UTC)),
        ("Published Mon, Sep 9 2019 8:52 PM EDT", None, datetime(2019, 9, 10, 0, 52, tzinfo=UTC)),
        ("2019-11-25 18:57:38", "America/New_York", datetime(2019, 11, 25, 23, 57, 38, tzinfo=UTC)),
        ("2019-11-25 18:57:38", None, datetime(2019, 11, 25, 18, 57, 38, tzinfo=UTC)),
        ("1567990359", None, datetime(2019, 9, 9, 0, 52, 39, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, zone: str | None, expected: datetime) -> None:
    parsed = parse_datetime(text, zone)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


def test_formats_are_tried_first() -> None:
    assert parse_datetime("28/12/2018 19:55", "Asia/Shanghai", ("%d/%m/%Y %H:%M",)) == datetime(
        2018, 12, 28, 11, 55, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["", "   ", None, "yesterday", "Updated 5 hours ago", "Sep 9", "0000-00-00 00:00"])
def test_not_a_date(text: str | None) -> None:
    assert parse_datetime(text, "Asia/Shanghai") is None
