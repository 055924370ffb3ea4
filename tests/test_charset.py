"""decode_html: BOM, header, <meta>, detection; lying headers never produce mojibake."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from scraper.charset import decode_html, normalize_charset

PAGES = Path(__file__).parent / "fixtures" / "pages"
CHINESE = "市场今日收盘上涨，沪指报3000点，两市成交额超过一万亿元。"


def test_utf8_page_with_matching_header() -> None:
    raw = (PAGES / "gne_tests_sina_2.html").read_bytes()
    text, codec = decode_html(raw, "utf-8")
    assert codec == "utf-8"
    assert "中铁总辟谣称消息不实" in text


@pytest.mark.parametrize("declared", ["gbk", "gb2312", "GB2312", "x-gbk"])
def test_gbk_family_is_read_as_gb18030(declared: str) -> None:
    # U+20AC (€) and 𠀀 exist in GB18030 but not in GB2312: a gb2312 reading would fail.
    html = f'<html><head><meta charset="{declared}"></head><body><p>{CHINESE}€𠀀</p></body></html>'
    text, codec = decode_html(html.encode("gb18030"), None)
    assert codec == "gb18030"
    assert CHINESE + "€𠀀" in text


def test_lying_utf8_header_on_gbk_page_uses_meta() -> None:
    """CONSTRUCTED: a real Sina page re-encoded to GBK, its meta saying gbk, header saying utf-8."""
    original = (PAGES / "gne_tests_sina_2.html").read_text(encoding="utf-8")
    html = original.replace('<meta charset="utf-8">', '<meta charset="gbk">')
    text, codec = decode_html(html.encode("gb18030"), "utf-8")
    assert codec == "gb18030"
    assert text == html
    assert "\ufffd" not in text


def test_lying_header_and_lying_meta_fall_back_to_detection() -> None:
    original = (PAGES / "gne_tests_sina_2.html").read_text(encoding="utf-8")
    text, codec = decode_html(original.encode("gb18030"), "utf-8")  # meta still says utf-8
    assert codec == "gb18030"
    assert text == original


def test_latin1_header_on_utf8_bytes_reads_utf8() -> None:
    html = "<html><body><p>Café crème — naïve résumé</p></body></html>"
    text, codec = decode_html(html.encode("utf-8"), "iso-8859-1")
    assert codec == "utf-8"
    assert "Café crème — naïve résumé" in text


def test_real_latin1_page_decodes_as_windows_1252() -> None:
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>' \
           "<body><p>Café crème, naïve résumé</p></body></html>"
    text, codec = decode_html(html.encode("latin-1"), None)
    assert codec == "windows-1252"
    assert "Café crème, naïve résumé" in text


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_wins_over_header(bom: bytes, codec: str) -> None:
    html = f"<p>{CHINESE}</p>"
    text, used = decode_html(bom + html.encode(codec), "gbk")
    assert used == codec
    assert text == html


def test_xml_prolog_encoding() -> None:
    doc = f'<?xml version="1.0" encoding="gb2312"?><html><body><p>{CHINESE}</p></body></html>'
    text, codec = decode_html(doc.encode("gb18030"), None)
    assert codec == "gb18030"
    assert CHINESE in text


def test_http_equiv_declaration() -> None:
    doc = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=GBK"></head><p>{CHINESE}</p>'
    text, codec = decode_html(doc.encode("gbk"), None)
    assert codec == "gb18030"
    assert CHINESE in text


def test_undeclared_gbk_is_detected() -> None:
    doc = f"<html><body><p>{CHINESE * 5}</p></body></html>"
    text, codec = decode_html(doc.encode("gbk"), None)
    assert codec == "gb18030"
    assert CHINESE in text


def test_ascii_only_and_empty() -> None:
    assert decode_html(b"<p>hello</p>", None) == ("<p>hello</p>", "utf-8")
    assert decode_html(b"", "utf-8") == ("", "utf-8")


def test_undecodable_bytes_never_raise() -> None:
    text, codec = decode_html(b"<p>\xff\xfe\xfa\x80 broken</p>" * 3, "utf-8")
    assert "broken" in text
    assert codec


@pytest.mark.parametrize(
    ("label", "expected"),
    [("UTF8", "utf-8"), ("gb2312", "gb18030"), ("latin1", "windows-1252"), ("nonsense", None),
     ("utf-16", None), (None, None), ("Shift_JIS", "shift_jis")],
)
def test_normalize_charset(label: str | None, expected: str | None) -> None:
    assert normalize_charset(label) == expected
