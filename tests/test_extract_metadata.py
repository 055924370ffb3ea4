"""Dates and bylines of the generic path on small built pages: JSON-LD in its real-world
shapes (CDATA-wrapped, nested under a WebPage, forum and social postings), JSON-LD against a
meta tag, visible dates and bylines (issue classes "dates" and "bylines")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from scraper.extract import extract, local_published
from tests.test_extract_quality import EN_PARAGRAPHS, URL, _page, _ps

ARTICLE = f"<article><h1>Council approves transport budget</h1>{_ps(EN_PARAGRAPHS)}</article>"


def _ld(data: object, cdata: bool = False) -> str:
    text = json.dumps(data)
    if cdata:
        text = f"\n//<![CDATA[\n{text}\n//]]>\n"
    return f"<script type='application/ld+json'>{text}</script>"


def test_json_ld_wrapped_in_cdata_is_read() -> None:
    head = _ld({"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2018-04-05T06:00:00Z",
                "author": {"@type": "Person", "name": "Daniel Roe"}}, cdata=True)
    found = extract(_page(ARTICLE, head=head), URL)
    assert found.published == datetime(2018, 4, 5, 6, 0, tzinfo=UTC)
    assert found.author == "Daniel Roe"


def test_json_ld_article_as_a_web_pages_main_entity_and_forum_postings() -> None:
    nested = _ld({"@type": "WebPage", "mainEntity": {"@type": "Article", "datePublished": "2020-07-10T14:15:42+00:00"}})
    assert extract(_page(ARTICLE, head=nested), URL).published == datetime(2020, 7, 10, 14, 15, 42, tzinfo=UTC)
    for kind in ("DiscussionForumPosting", "SocialMediaPosting"):
        posting = _ld({"@type": kind, "datePublished": "2014-09-02T08:35:27-04:00"})
        found = extract(_page(ARTICLE, head=posting), URL)
        assert str(local_published(found)) == "2014-09-02 08:35:27-04:00", kind


def test_json_ld_date_wins_over_a_meta_tag_naming_another_day() -> None:
    head = ("<meta property='article:published_time' content='2015-12-11T14:28:34Z'>"
            + _ld({"@type": "Article", "datePublished": "2015-10-15T02:19:15Z"}))
    assert extract(_page(ARTICLE, head=head), URL).published == datetime(2015, 10, 15, 2, 19, 15, tzinfo=UTC)


def test_the_same_instant_keeps_the_pages_own_offset() -> None:
    head = ("<meta property='article:published_time' content='2017-02-23T17:18:13-08:00'>"
            + _ld({"@type": "Article", "dateCreated": "2017-02-24T01:18:13Z"}))
    local = local_published(extract(_page(ARTICLE, head=head), URL))
    assert local is not None and local.date().isoformat() == "2017-02-23"
    assert local.utcoffset() == timedelta(hours=-8)


def test_a_json_ld_author_given_only_as_a_url_is_no_name() -> None:
    head = _ld({"@type": "NewsArticle", "author": {"@type": "Organization", "url": "https://example.org/about/"}})
    assert extract(_page(ARTICLE, head=head), URL).author is None
    head = _ld({"@type": "NewsArticle", "author": [{"name": "Stella Kim"}, {"name": "Jennifer Jett"}]})
    assert extract(_page(ARTICLE, head=head), URL).author == "Stella Kim, Jennifer Jett"


def test_a_json_ld_headline_the_title_does_not_carry_is_not_the_title() -> None:
    head = _ld({"@type": "Article", "headline": "constitutional monarchy in Oceania"})
    assert extract(_page(ARTICLE, head=head), URL).title == "Council approves transport budget"
    head = _ld({"@type": "Article", "headline": "Council approves transport budget"})
    page = _page(ARTICLE, title="Council approves transport budget | The Daily Example", head=head)
    assert extract(page, URL).title == "Council approves transport budget"


# --- Chinese pages: dates and bylines printed as text --------------------------------------------

ZH_TITLE = "前三季度经济数据发布"
ZH_URL = "https://news.example.cn/2024/b.html"


def _zh(body: str, head: str = "", title: str = ZH_TITLE) -> bytes:
    from tests.test_extract_quality import ZH_PARAGRAPHS

    return _page(body.replace("{ARTICLE}", _ps(ZH_PARAGRAPHS * 2)), title=title, head=head)


def test_baidu_json_ld_without_a_type_gives_the_date() -> None:
    head = _ld({"@context": "https://zhanzhang.baidu.com/contexts/cambrian.jsonld", "title": ZH_TITLE,
                "pubDate": "2019-09-05T11:10:52"})
    found = extract(_zh("<h1>前三季度经济数据发布</h1><div>{ARTICLE}</div>", head=head), ZH_URL)
    assert str(local_published(found)) == "2019-09-05 11:10:52+08:00"


def test_a_date_printed_beside_the_headline_in_an_aside() -> None:
    body = ("<aside class='article-head'><h1>前三季度经济数据发布</h1><span>2019-09-05 11:10 游民星空[整理]</span></aside>"
            "<section class='article'>{ARTICLE}</section>")
    found = extract(_zh(body), "file:///saved/page.html")
    assert str(local_published(found)) == "2019-09-05 11:10:00+08:00"


def test_a_chinese_byline_block_names_the_author_not_the_editor_nor_unknown() -> None:
    unknown = "<h1>前三季度经济数据发布</h1><div>{ARTICLE}</div><div class='bot_author'>作者：未知&nbsp;&nbsp;责任编辑：王五</div>"
    assert extract(_zh(unknown), ZH_URL).author is None
    named = ("<h1>前三季度经济数据发布</h1><div class='author'>本文来源：第一财经日报 作者：杨海艳</div>"
             "<div>{ARTICLE}</div>")
    found = extract(_zh(named), ZH_URL)
    assert found.author == "杨海艳" and found.source == "第一财经日报"


def test_sentences_about_the_reporter_and_words_with_wen_are_not_bylines() -> None:
    body = ("<h1>前三季度经济数据发布</h1><p>记者注意到，多家机构上调了全年增长预期，市场信心有所恢复。</p>"
            "<p>请文明上网、不传谣言，理性发表评论。</p><div>{ARTICLE}</div>")
    assert extract(_zh(body), ZH_URL).author is None
    body = "<h1>前三季度经济数据发布</h1><p>（记者 张三）</p><div>{ARTICLE}</div>"
    assert extract(_zh(body), ZH_URL).author == "张三"


def test_the_sites_own_name_in_the_author_meta_tag_is_no_byline() -> None:
    head = "<meta name='author' content='网易'>"
    page = _zh("<h1>前三季度经济数据发布</h1><div>{ARTICLE}</div>", head=head, title=f"{ZH_TITLE}_网易财经")
    assert extract(page, ZH_URL).author is None
    page = _zh("<h1>前三季度经济数据发布</h1><div>{ARTICLE}</div>", head="<meta name='author' content='李四'>",
               title=f"{ZH_TITLE}_网易财经")
    assert extract(page, ZH_URL).author == "李四"


def test_a_last_updated_line_marked_as_author_is_no_byline() -> None:
    body = ("<article><h1>Council approves transport budget</h1><div class='author-date'>Last Updated: "
            f"January 7, 2025</div>{_ps(EN_PARAGRAPHS)}</article>")
    assert extract(_page(body), URL).author is None
