"""The generic path on small pages built to show each class of extraction error (issue:
"article text on par with the best extractors"): empty output, image boilerplate, wrong
block, cut short, boilerplate joined, encoding, choosing between extractors, dates, bylines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scraper.charset import decode_html
from scraper.extract import extract, local_published
from scraper.extract.choose import agreement, medoid
from scraper.sanitize import clean_html

URL = "https://example.org/news/2024/story.html"
EN_PARAGRAPHS = [
    "The city council voted on Tuesday to approve a new budget for public transport, ending months of debate.",
    "Supporters said the plan would add bus routes to neighbourhoods that have gone without service for years.",
    "Critics argued that the cost, estimated at forty million dollars, would force cuts in other departments.",
    "The mayor, who had proposed the plan in the spring, said she was relieved that a compromise was reached.",
    "Work on the first new routes is expected to begin next year, with the full network finished by 2027.",
]
ZH_PARAGRAPHS = [
    "国家统计局今天发布数据显示，今年前三季度国内生产总值同比增长百分之五点二，经济运行总体回升向好。",
    "专家表示，消费对经济增长的贡献率继续提高，投资结构不断优化，高技术产业投资保持较快增长。",
    "从行业看，服务业增加值增长较快，信息传输、软件和信息技术服务业增长明显，工业生产稳中有升。",
    "下一阶段，有关部门将继续加大宏观政策调控力度，着力扩大国内需求，推动经济持续回升向好。",
]


def _page(body: str, title: str = "Council approves transport budget", head: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body>{body}</body></html>").encode()


def _ps(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


NAV = "<div class='nav'>" + "".join(f"<a href='/s{i}'>Section {i}</a> " for i in range(12)) + "</div>"


# --- empty output -------------------------------------------------------------------------

def test_page_wrapped_in_one_form_is_not_empty() -> None:
    body = (f"<form method='post' action='./story.aspx' id='form1'><input type='hidden' name='__VIEWSTATE'>"
            f"{NAV}<h1>Council approves transport budget</h1><div id='content'>{_ps(EN_PARAGRAPHS)}</div>"
            "<div class='search'><input name='q'><button>Search</button></div></form>")
    found = extract(_page(body), URL)
    for paragraph in EN_PARAGRAPHS:
        assert paragraph in found.body_text
    assert "Search" not in found.body_text


def test_sanitizer_keeps_text_of_elements_it_does_not_allow() -> None:
    cleaned = clean_html("<div><news-body><p>Kept text.</p></news-body><form><p>Form text.</p>"
                         "<input value='x'><textarea>gone</textarea></form><center>Centred.</center></div>", URL)
    assert "Kept text." in cleaned and "Form text." in cleaned and "Centred." in cleaned
    assert "gone" not in cleaned and "<form" not in cleaned and "<input" not in cleaned


def test_an_empty_candidate_falls_back_to_the_next() -> None:
    assert medoid(["", "the article text is here and long enough"]) == 1
    assert medoid(["   ", ""], lambda: "readability found it after all") == 2
    assert medoid(["", ""]) == 0  # nothing anywhere: the caller reports no article


# --- image boilerplate ----------------------------------------------------------------------

def test_captions_credits_and_toggles_are_not_body_text() -> None:
    figure = ("<figure><img src='/img/bus.jpg' alt='A bus' title='Bus on Main Street'>"
              "<figcaption>A new electric bus on Main Street. <span class='credit'>Photo: Jane Roe/Agency</span>"
              "<a class='toggle' href='#'>more</a></figcaption></figure>"
              "<div class='image-caption'>Riders wait at the depot (File photo)</div>")
    body = f"<article><h1>Council approves transport budget</h1>{_ps(EN_PARAGRAPHS[:2])}{figure}{_ps(EN_PARAGRAPHS[2:])}</article>"
    found = extract(_page(body), URL)
    for paragraph in EN_PARAGRAPHS:
        assert paragraph in found.body_text
    for junk in ("Jane Roe", "electric bus on Main", "Riders wait", "more", "Bus on Main Street"):
        assert junk not in found.body_text
    assert "/img/bus.jpg" in found.body_html  # the image itself stays


def test_video_player_controls_and_photo_galleries_are_not_body_text() -> None:
    player = ("<div class='video-js vjs-paused'><span class='vjs-control-text'>Play Video</span>"
              "<span>Current Time 0:00</span><span>Duration Time 0:00</span></div>")
    slides = "".join(f"<li><span class='counter'>{i}/20</span> Slide {i}: a city bus in the rain, seen from "
                     f"the depot roof at dawn <p class='credits'>GETTY IMAGES</p></li>" for i in range(1, 21))
    body = (f"<article><h1>Council approves transport budget</h1>{player}{_ps(EN_PARAGRAPHS)}"
            f"<div class='full-gallery'><h2>Transport in pictures</h2><ul>{slides}</ul></div></article>")
    found = extract(_page(body), URL)
    for paragraph in EN_PARAGRAPHS:
        assert paragraph in found.body_text
    for junk in ("Play Video", "Current Time", "Slide 3", "GETTY", "in pictures"):
        assert junk not in found.body_text


def test_a_gallery_that_is_the_article_stays() -> None:
    slides = "".join(f"<li><img src='/img/{i}.jpg'><p>{p}</p></li>" for i, p in enumerate(ZH_PARAGRAPHS))
    body = f"<h1>前三季度经济数据发布</h1><div class='gallery'><ul>{slides}</ul></div>"
    found = extract(_page(body, title="前三季度经济数据发布"), "https://news.example.cn/g.html")
    assert all(paragraph in found.body_text for paragraph in ZH_PARAGRAPHS)


def test_mathml_formulas_keep_their_text() -> None:
    formula = ("<mjx-container><mjx-math aria-hidden='true'><mjx-mi></mjx-mi></mjx-math><mjx-assistive-mml>"
               "<math><mi>a</mi><mo>≠</mo><mn>0</mn></math></mjx-assistive-mml></mjx-container>")
    body = (f"<article><h1>Council approves transport budget</h1><p>When {formula}, the budget balances; "
            f"this is the rule the council used.</p>{_ps(EN_PARAGRAPHS)}</article>")
    assert "When a ≠ 0 , the budget balances" in extract(_page(body), URL).body_text


def test_hidden_nodes_are_not_body_text() -> None:
    body = (f"<article><h1>Council approves transport budget</h1>{_ps(EN_PARAGRAPHS)}"
            "<div style='display: none'>Subscribe to our newsletter for daily updates on the council.</div>"
            "<p hidden>An old version of this paragraph that the site keeps hidden.</p></article>")
    found = extract(_page(body), URL)
    assert "newsletter" not in found.body_text and "old version" not in found.body_text
    assert EN_PARAGRAPHS[-1] in found.body_text


# --- wrong block ----------------------------------------------------------------------------

def test_forum_reply_list_does_not_outscore_the_opening_post() -> None:
    replies = "".join(f"<li><a href='/t/{i}'>Re: question number {i} about the bus timetable, please help</a> "
                      f"<span>user{i}, 2024-01-{i % 28 + 1:02d}</span></li>" for i in range(90))
    body = (f"{NAV}<h1>Council approves transport budget</h1><div class='post'>{_ps(EN_PARAGRAPHS)}</div>"
            f"<div class='threads'><ul>{replies}</ul></div>")
    found = extract(_page(body), URL)
    for paragraph in EN_PARAGRAPHS:
        assert paragraph in found.body_text
    assert "question number" not in found.body_text


def test_chinese_forum_reply_list_does_not_outscore_the_post() -> None:
    replies = "".join(f"<li><a href='/t/{i}'>回复：关于公交时刻表的第{i}个问题，请大家帮忙看看</a> 网友{i} "
                      f"发表于 2024-01-{i % 28 + 1:02d}</li>" for i in range(90))
    body = f"<h1>前三季度经济数据发布</h1><div class='post'>{_ps(ZH_PARAGRAPHS)}</div><ul>{replies}</ul>"
    found = extract(_page(body, title="前三季度经济数据发布"), "https://bbs.example.cn/t.html")
    assert ZH_PARAGRAPHS[0] in found.body_text and "回复" not in found.body_text


def test_of_several_posts_the_one_under_the_headline_wins() -> None:
    other = ["另一篇文章讲述了某地农业生产的情况，今年粮食产量再创新高，农民收入稳步增加，乡村面貌焕然一新。",
             "当地农业部门表示，将继续推广良种良法，完善农田水利设施，提高农业综合生产能力和抗风险能力。",
             "业内人士认为，粮食连年丰收为稳定物价、保障民生提供了坚实基础，也为经济发展创造了良好条件。",
             "此外，农村电商快速发展，农产品销售渠道不断拓宽，越来越多的特色农产品走向全国市场，走进千家万户。"]
    body = (f"<div class='post'><h1>前三季度经济数据发布</h1>{_ps(ZH_PARAGRAPHS * 2)}</div>"
            f"<div class='post'><h2>粮食生产再获丰收</h2>{_ps(other * 2)}</div>")
    found = extract(_page(body, title="前三季度经济数据发布"), "https://news.example.cn/d.html")
    assert ZH_PARAGRAPHS[0] in found.body_text and other[0] not in found.body_text


# --- cut short and boilerplate joined: table layouts --------------------------------------------

def test_table_layout_keeps_the_article_cells_and_leaves_the_sidebar() -> None:
    sidebar = "".join(f"<p><a href='/hot/{i}'>热门文章标题第{i}篇</a></p>" for i in range(20))
    comments = "<div class='comments'><p>网友评论：说得好，支持！</p><p>网友评论：期待更多报道。</p></div>"
    body = (f"<table><tr><td colspan='2'><h1>前三季度经济数据发布</h1></td></tr>"
            f"<tr><td class='main'>{_ps(ZH_PARAGRAPHS[:2])}</td><td class='side'>{sidebar}</td></tr>"
            f"<tr><td class='main'>{_ps(ZH_PARAGRAPHS[2:])}</td><td>{comments}</td></tr></table>"
            "<table class='related'><tr><td><a href='/r1'>相关新闻：统计局答记者问</a></td></tr>"
            "<tr><td><a href='/r2'>相关新闻：十月经济数据解读</a></td></tr></table>")
    found = extract(_page(body, title="前三季度经济数据发布"), "https://news.example.cn/a.html")
    for paragraph in ZH_PARAGRAPHS:
        assert paragraph in found.body_text
    for junk in ("热门文章", "网友评论", "相关新闻"):
        assert junk not in found.body_text


# --- encoding -------------------------------------------------------------------------------

def test_undeclared_page_with_invalid_bytes_reads_as_the_codec_with_fewest_errors() -> None:
    raw = _page(_ps(ZH_PARAGRAPHS), title="经济数据").replace(b"<meta charset='utf-8'>", b"")
    gb = raw.decode("utf-8").encode("gb18030")
    broken = gb.replace("专家".encode("gb18030"), b"\x80" + "专家".encode("gb18030"), 1)
    text, codec = decode_html(broken, None)
    assert codec == "gb18030" and "\ufffd" not in text
    found = extract(broken, "https://news.example.cn/b.html")
    assert "\ufffd" not in found.body_text and ZH_PARAGRAPHS[0] in found.body_text


# --- choosing between extractors ----------------------------------------------------------

def test_agreement_and_medoid_choose_what_the_candidates_share() -> None:
    article = " ".join(EN_PARAGRAPHS)
    assert agreement(article, article) == 1.0 and agreement(article, "") == 0.0
    boilerplate = article + " " + " ".join(f"Related story number {i} you may like" for i in range(40))
    cut_short = EN_PARAGRAPHS[0]
    # two agree closely: no third opinion is computed
    assert medoid([article, article + " Share this."], lambda: (_ for _ in ()).throw(AssertionError())) == 0
    # three disagree: the one the others agree with most wins, whatever its position
    assert medoid([cut_short, boilerplate], lambda: article) == 2
    assert medoid([boilerplate, article], lambda: article + " Advertisement") in (1, 2)


# --- dates ----------------------------------------------------------------------------------

def test_date_only_forms_and_china_time() -> None:
    for printed in ("2005-3-1", "2005年3月1日", "2005/03/01 07:30"):
        body = f"<h1>前三季度经济数据发布</h1><div>{printed} 来源：新华社</div>{_ps(ZH_PARAGRAPHS)}"
        found = extract(_page(body, title="前三季度经济数据发布"), "file:///saved/page.html")
        local = local_published(found)
        assert local is not None and local.date().isoformat() == "2005-03-01", printed
        assert local.utcoffset() == timedelta(hours=8)  # no zone stated: a Chinese page is UTC+8
        assert found.published is not None and found.published.tzinfo is UTC  # stored in UTC
    early = extract(_page(f"<h1>前三季度经济数据发布</h1><p>2005-03-01 07:30</p>{_ps(ZH_PARAGRAPHS)}",
                          title="前三季度经济数据发布"), "file:///saved/page.html")
    assert early.published == datetime(2005, 2, 28, 23, 30, tzinfo=UTC)
    assert str(local_published(early)) == "2005-03-01 07:30:00+08:00"


def test_a_dateline_further_down_the_page() -> None:
    filler = "".join(f"<p>{p}</p>" for p in ZH_PARAGRAPHS * 12)  # pushes the dateline far below the headline
    body = f"<h1>前三季度经济数据发布</h1>{filler}<p>发布时间：2019年9月7日 21:30</p>"
    found = extract(_page(body, title="前三季度经济数据发布"), "file:///saved/page.html")
    assert str(local_published(found)) == "2019-09-07 21:30:00+08:00"


# --- bylines --------------------------------------------------------------------------------

def _zh_byline(line: str) -> tuple[str | None, str | None, str | None]:
    body = (f"<h1>前三季度经济数据发布</h1><div class='info'>2024-01-05 10:00 {line}</div>{_ps(ZH_PARAGRAPHS)}"
            "<p>责任编辑：王五 SF001</p>")
    found = extract(_page(body, title="前三季度经济数据发布"), "https://news.example.cn/c.html")
    return found.author, found.source, found.editor


def test_chinese_bylines_sources_and_editors() -> None:
    assert _zh_byline("作者：张三")[0] == "张三"
    assert _zh_byline("记者 李四")[0] == "李四"
    assert _zh_byline("本报记者 张三 李四")[0] == "张三、李四"
    assert _zh_byline("文/赵六")[0] == "赵六"
    author, source, editor = _zh_byline("来源：新华社")
    assert author is None and source == "新华社" and editor == "王五"


def test_english_byline_in_the_markup() -> None:
    body = (f"<article><h1>Council approves transport budget</h1><p class='byline'>By <a rel='author' "
            f"href='/staff/jane'>Jane Roe</a></p>{_ps(EN_PARAGRAPHS)}</article>")
    assert extract(_page(body), URL).author == "Jane Roe"
