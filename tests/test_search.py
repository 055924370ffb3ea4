"""Search on a real SQLite file: Chinese terms of any length (2-character words included), English
words, phrases and boolean operators, filters, ordering, paging, errors, export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive import Archive, QueryError
from archive import search as search_module
from archive.textindex import index_text, translate_query
from tests.archive_support import BODY_EN, BODY_ZH, NOW, make_article

DAY = datetime(2022, 2, 8, 8, 0, 5, tzinfo=UTC)


@pytest.fixture
def filled(archive: Archive) -> Archive:
    docs = [
        make_article(
            guid="zh-1",
            url="https://a.example/1",
            feed="国内",
            site="新浪财经",
            title="浙江招商引资新政",
            body_text=BODY_ZH,
            published=DAY,
        ),
        make_article(
            guid="zh-2",
            url="https://a.example/2",
            feed="国内",
            site="新浪财经",
            title="市场传闻不实，官方辟谣",
            body_text="有关部门今日辟谣称，网传消息不实。" * 12,
            published=DAY + timedelta(days=1),
        ),
        make_article(
            guid="zh-3",
            url="https://b.example/3",
            feed="快讯",
            site="证券时报网",
            title="A股三大指数收涨",
            body_text="今日A股市场表现活跃，沪指收涨1.2%，两市成交额超万亿元。" * 8,
            published=DAY + timedelta(days=2),
        ),
        make_article(
            guid="en-1",
            url="https://c.example/fed",
            feed="Markets",
            site="CNBC",
            title="Fed raises interest rates again",
            body_text=BODY_EN,
            published=DAY + timedelta(days=3),
        ),
        make_article(
            guid="en-2",
            url="https://c.example/oil",
            feed="Markets",
            site="CNBC",
            title="Oil prices slide",
            body_text="Oil fell as inflation worries eased and the dollar rose. " * 6,
            published=DAY + timedelta(days=4),
        ),
        make_article(
            guid="en-3",
            url="https://d.example/gold",
            feed="Commodities",
            site="Reuters",
            title="Gold steady",
            body_text="Gold held steady while stocks rallied on rate cut hopes. " * 6,
            published=DAY + timedelta(days=5),
        ),
    ]
    archive.store(docs, now=NOW)
    return archive


def titles(results: list[dict[str, object]]) -> list[object]:
    return [r["title"] for r in results]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("股市", ["浙江招商引资新政", "A股三大指数收涨"]),  # two characters, inside longer runs (A股市场)
        ("辟谣", ["市场传闻不实，官方辟谣", "浙江招商引资新政"]),
        ("招商引资", ["浙江招商引资新政"]),  # four characters: an exact phrase of bigrams
        ("进一步加强招商引资工作", ["浙江招商引资新政"]),
        ("A股", ["A股三大指数收涨"]),  # Latin letter + one Chinese character
        ("沪指", ["A股三大指数收涨"]),
        ("网传消息", ["市场传闻不实，官方辟谣"]),
        ("涨", ["A股三大指数收涨"]),  # single character: prefix on the bigrams
    ],
)
def test_chinese_terms_of_any_length(filled: Archive, query: str, expected: list[str]) -> None:
    assert sorted(titles(filled.search(query))) == sorted(expected)


def test_chinese_substring_that_spans_words_is_found_but_not_scattered_characters(filled: Archive) -> None:
    assert titles(filled.search("引资工")) == ["浙江招商引资新政"]
    assert filled.search("资引") == []  # both characters occur, never in this order


def test_english_words_phrases_and_operators(filled: Archive) -> None:
    assert set(titles(filled.search("inflation"))) == {"Oil prices slide", "Fed raises interest rates again"}
    assert titles(filled.search('"interest rates"')) == ["Fed raises interest rates again"]
    assert titles(filled.search('"rates interest"')) == []
    assert set(titles(filled.search("gold OR oil"))) == {"Gold steady", "Oil prices slide"}
    assert titles(filled.search("inflation NOT oil")) == ["Fed raises interest rates again"]
    assert titles(filled.search("inflation -oil")) == ["Fed raises interest rates again"]
    assert titles(filled.search("stocks AND gold")) == ["Gold steady"]
    assert set(titles(filled.search("(gold OR oil) AND dollar"))) == {"Oil prices slide"}
    assert titles(filled.search("RALL*")) == ["Gold steady"]  # prefix, case-insensitive


def test_mixed_language_query(filled: Archive) -> None:
    assert filled.search("股市 AND inflation") == []
    assert set(titles(filled.search("辟谣 OR gold"))) == {
        "市场传闻不实，官方辟谣",
        "浙江招商引资新政",
        "Gold steady",
    }


def test_title_matches_rank_first(filled: Archive) -> None:
    ranked = titles(filled.search("辟谣"))
    assert ranked[0] == "市场传闻不实，官方辟谣"


def test_filters_feed_site_since_until(filled: Archive) -> None:
    assert set(titles(filled.search("", feed="Markets"))) == {
        "Fed raises interest rates again",
        "Oil prices slide",
    }
    assert titles(filled.search("", site="证券时报网")) == ["A股三大指数收涨"]
    assert titles(filled.search("", since="2022-02-12")) == ["Gold steady", "Oil prices slide"]
    assert titles(filled.search("", until="2022-02-09")) == ["市场传闻不实，官方辟谣", "浙江招商引资新政"]
    assert titles(filled.search("", since=DAY + timedelta(days=1), until=DAY + timedelta(days=2))) == [
        "A股三大指数收涨",
        "市场传闻不实，官方辟谣",
    ]
    assert titles(filled.search("辟谣", feed="国内", since="2022-02-09")) == ["市场传闻不实，官方辟谣"]
    assert filled.search("gold", feed="Markets") == []


def test_feed_filter_covers_every_feed_listing_an_article(archive: Archive) -> None:
    a = make_article(feed="A", guid="1", url="https://x.example/1")
    b = make_article(feed="B", guid="2", url="https://x.example/1?utm_medium=rss")
    archive.store([a, b], now=NOW)
    assert len(archive.search("", feed="B")) == 1


def test_empty_query_lists_everything_newest_first_with_paging(filled: Archive) -> None:
    all_rows = filled.search("")
    assert [r["published"] for r in all_rows] == sorted((r["published"] for r in all_rows), reverse=True)
    assert len(all_rows) == 6
    assert filled.search("", limit=2, offset=2) == all_rows[2:4]


@pytest.mark.parametrize(
    "query", ["(股市", "股市)", "AND 股市", "股市 OR", "NOT 股市", '"unclosed', "+++", "a NOT"]
)
def test_malformed_query_is_a_one_line_query_error(filled: Archive, query: str) -> None:
    with pytest.raises(QueryError) as err:
        filled.search(query)
    assert "\n" not in str(err.value) and str(err.value)


def test_bad_dates_are_query_errors(filled: Archive) -> None:
    with pytest.raises(QueryError):
        filled.search("", since="last tuesday")


def test_export_streams_everything_with_bodies(filled: Archive) -> None:
    rows = list(filled.export())
    assert len(rows) == 6 and all(r["body_html"] and r["body_text"] for r in rows)
    assert [r["title"] for r in filled.export(query="辟谣", feed="国内")] == titles(filled.search("辟谣"))


def test_export_pages_without_words_follow_seq_and_lose_nothing(filled: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "EXPORT_PAGE", 2)
    for filters in ({}, {"site": "CNBC"}, {"since": DAY + timedelta(days=1)}, {"feed": "国内"}):
        listed = [r["id"] for r in filled.search("", limit=100, **filters)]  # type: ignore[arg-type]
        exported = [r["id"] for r in filled.export(**filters)]  # type: ignore[arg-type]
        assert exported == listed and listed, filters


def test_index_text_gives_one_token_per_character() -> None:
    assert index_text("今日A股市场 hello").split() == ["今日", "日", "A", "股市", "市场", "场", "hello"]
    assert index_text("plain English") == "plain English"


def test_query_translation() -> None:
    assert translate_query("股市") == '"股市"'
    assert translate_query("招商引资") == '"招商 商引 引资"'
    assert translate_query("股") == '"股" *'
    assert translate_query("A股市场 OR rates") == '("A 股市 市场" OR "rates")'
    assert translate_query("") is None


def test_broad_queries_rank_title_matches_then_newest_and_page_consistently(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.search as search_module

    docs = [
        make_article(
            guid=f"g{i}",
            url=f"https://x.example/{i}",
            title=("股市 " if i % 3 == 0 else "") + f"标题{i}",
            body_text=f"第{i}篇：股市消息。" + "内容" * 60 + str(i),
            published=DAY + timedelta(hours=i),
        )
        for i in range(10)
    ]
    archive.store(docs, now=NOW)
    exact = titles(archive.search("股市", limit=100))
    monkeypatch.setattr(search_module, "RANK_ALL_BELOW", 3)  # make "股市" a broad query
    broad = titles(archive.search("股市", limit=100))
    assert broad == [
        "股市 标题9",
        "股市 标题6",
        "股市 标题3",
        "股市 标题0",
        "标题8",
        "标题7",
        "标题5",
        "标题4",
        "标题2",
        "标题1",
    ]
    assert sorted(broad) == sorted(exact)
    assert [t for o in range(0, 10, 3) for t in titles(archive.search("股市", limit=3, offset=o))] == broad
    assert titles(archive.search("股市", since=DAY + timedelta(hours=4), until=DAY + timedelta(hours=7))) == [
        "股市 标题6",
        "标题7",
        "标题5",
        "标题4",
    ]
    assert titles(archive.search("股市", feed="新浪财经－国內", limit=2)) == ["股市 标题9", "股市 标题6"]


def test_newest_first_follows_publication_time_not_archive_order(archive: Archive) -> None:
    late = make_article(
        guid="late",
        url="https://x.example/late",
        title="backfilled old story",
        body_text="x " * 50,
        published=DAY - timedelta(days=400),
    )
    archive.store(
        [make_article(guid="new", url="https://x.example/new", title="fresh", body_text="y " * 50)], now=NOW
    )
    archive.store([late], now=NOW + timedelta(hours=1))
    assert titles(archive.search("")) == ["fresh", "backfilled old story"]
