"""Site rules are data: loading, validation errors that name the key, matching, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.extract import extract
from scraper.extract.rules import RulesError, default_rulebook, load_rules, parse_rules

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_packaged_rules_load_and_match_urls() -> None:
    book = default_rulebook()
    assert {"sina", "stcn"} <= set(book.names)
    sina = book.get("sina")
    assert sina is not None and sina.timezone == "Asia/Shanghai"
    for url in ("https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
                "https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml",
                "https://tech.sina.com.cn/t/2019-09-11/doc-iicezzrq4972166.shtml"):
        assert book.for_url(url) is sina
    stcn = book.for_url("http://kuaixun.stcn.com/2019/0926/15409036.shtml")
    assert stcn is not None and stcn.name == "stcn"
    assert book.for_url("https://www.cnbc.com/2024/01/02/markets.html") is None
    assert book.for_url("https://finance.sina.com.cn/") is None  # a channel page is not an article


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "url_patterns": ["a"], "body": ["p"], "bodyy": 1}, "unknown key 'bodyy'"),
        ({"url_patterns": ["a"], "body": ["p"]}, "missing key 'name'"),
        ({"name": "x", "body": ["p"]}, "missing key 'url_patterns'"),
        ({"name": "x", "url_patterns": ["("], "body": ["p"]}, "url_patterns: bad regex"),
        ({"name": "x", "url_patterns": ["a"], "body": ["div##a"]}, "body: bad CSS selector"),
        ({"name": "x", "url_patterns": ["a"], "body": ["p"], "title": [{"css": "h1", "nope": 1}]}, "title[0]"),
        ({"name": "x", "url_patterns": ["a"], "body": ["p"], "drop_link_paragraphs": "yes"}, "true or false"),
        ({"name": "x", "url_patterns": ["a"], "body": [3]}, "body: expected a list of strings"),
    ],
)
def test_invalid_rules_name_the_problem(data: dict[str, object], message: str) -> None:
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_rules(data, "site.toml")


def test_extra_rules_directory_overrides_and_adds(tmp_path: Path) -> None:
    (tmp_path / "mirror.toml").write_text(
        'name = "mirror"\n'
        "url_patterns = ['^http://127\\.0\\.0\\.1:\\d+/sina/']\n"
        'timezone = "Asia/Shanghai"\n'
        'title = ["h1.main-title"]\n'
        'body = ["#artibody"]\n'
        'drop = ["p.article-editor"]\n',
        encoding="utf-8",
    )
    book = load_rules([tmp_path])
    assert book.names[-1] == "mirror" and "sina" in book.names
    raw = (PAGES / "gne_tests_sina_2.html").read_bytes()
    found = extract(raw, "http://127.0.0.1:8000/sina/doc.shtml", rulebook=book)
    assert found.rules == "mirror"
    assert found.title == '60万"12306账号"外泄? 中铁总辟谣称消息不实'
    assert "责任编辑" not in found.body_text


def test_bad_rules_file_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("name = \n", encoding="utf-8")
    with pytest.raises(RulesError, match="broken.toml"):
        load_rules([tmp_path])
