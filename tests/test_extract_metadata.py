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
