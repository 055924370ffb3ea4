"""证券时报 快讯 links lead to www.stcn.com/article/detail pages: the stcn rules read them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scraper.extract import extract
from scraper.sources import get_source
from tests.sources.support import SHANGHAI, fixture

PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "stcn_detail_2026.html"


def test_kuaixun_link_is_read_with_the_stcn_rules() -> None:
    items = get_source("stcn_kuaixun").parse(fixture("stcn-kx-list.json"), "https://www.stcn.com/article/list.html?type=kx",
                                             SHANGHAI).items
    url = items[0].url
    found = extract(PAGE.read_bytes(), url)
    assert found.rules == "stcn" and not found.rules_missed
    assert found.title == "中国中铁与四川省签署深化战略合作协议"
    assert found.published == datetime(2026, 5, 29, 10, 26, tzinfo=UTC)  # 18:26 in Beijing
    assert (found.source, found.author, found.editor) == ("人民财讯", "王一", "李四")
    paragraphs = found.body_text.split("\n\n")
    assert paragraphs[0] == "人民财讯5月29日电，中国中铁与四川省签署深化战略合作协议。"
    assert paragraphs[-1].endswith("共同推进成渝地区双城经济圈建设。")
    assert "相关阅读" not in found.body_text and "战略合作\n" not in found.body_text
