"""The generic path on small built pages: articles cut short (a lead paragraph outside the
body container, an article continued in another table row) and boilerplate joined (a forum's
rules notice beside the post). Issue classes "cut short" and "boilerplate joined"."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.extract import extract
from scraper.extract.density import find_content
from tests.test_extract_quality import EN_PARAGRAPHS, NAV, URL, ZH_PARAGRAPHS, _page, _ps

ZH_TITLE = "前三季度经济数据发布"
ZH_URL = "https://news.example.cn/2024/a.html"
LEAD_ZH = "新华社北京10月18日电（记者张三）国家统计局18日发布数据，前三季度经济运行稳中向好，主要指标好于预期。"
LEAD_EN = ("WASHINGTON — After months of argument, the council settled the fight over bus money on Tuesday "
           "with a vote of seven to two.")
MORE_ZH = [
    "分季度看，一季度同比增长百分之四点五，二季度增长百分之六点三，三季度增长百分之四点九，走势总体平稳。",
    "国家统计局新闻发言人表示，当前外部环境依然复杂严峻，国内需求仍显不足，经济恢复向好的基础还需巩固。",
]


def _content_text(page: bytes, headline: str) -> str:
    candidate = find_content(LexborHTMLParser(page.decode()), headline)
    assert candidate is not None
    return "".join(node.text(deep=True) for node in candidate.nodes)


# --- cut short: the lead paragraph outside the body container --------------------------------

def _zh_lead_page() -> bytes:
    body = (f"<div class='top'>{NAV}</div><div class='main'><h1>{ZH_TITLE}</h1>"
            "<div class='info'>2024-10-18 10:00 来源：新华社</div>"
            f"<div class='summary'><p>{LEAD_ZH}</p></div>"
            f"<div id='artibody'>{_ps(ZH_PARAGRAPHS + MORE_ZH)}</div>"
            "<div class='links'><a href='/r1'>十月经济数据解读</a> <a href='/r2'>统计局答记者问</a></div></div>")
    return _page(body, title=ZH_TITLE)


def test_a_lead_paragraph_before_the_body_container_is_joined() -> None:
    page = _zh_lead_page()
    assert LEAD_ZH in _content_text(page, ZH_TITLE)
    found = extract(page, ZH_URL)
    assert found.body_text.startswith(LEAD_ZH)  # first, in page order
    for paragraph in ZH_PARAGRAPHS + MORE_ZH:
        assert paragraph in found.body_text
    for junk in ("来源", "2024-10-18", "经济数据解读", "Section 3"):
        assert junk not in found.body_text


def test_an_english_standfirst_before_the_body_is_joined_but_not_the_byline() -> None:
    body = (f"{NAV}<div class='story'><header><h1>Council approves transport budget</h1>"
            f"<p class='standfirst'>{LEAD_EN}</p><p class='byline'>By Jane Roe, City Reporter</p>"
            "<p><time datetime='2024-05-07'>May 7, 2024</time></p></header>"
            f"<div class='story-body'>{_ps(EN_PARAGRAPHS)}</div></div>")
    page = _page(body)
    text = _content_text(page, "Council approves transport budget")
    assert LEAD_EN in text and "Jane Roe" not in text and "May 7" not in text
    found = extract(page, URL)
    assert found.body_text.startswith(LEAD_EN)
    assert "Jane Roe" not in found.body_text and "Section" not in found.body_text


def test_links_and_navigation_before_the_body_are_not_joined() -> None:
    teasers = "".join(f"<p><a href='/t{i}'>Another story number {i} that readers liked a lot this week, "
                      "read it now.</a></p>" for i in range(3))
    body = (f"<div class='page'>{teasers}<h1>Council approves transport budget</h1>"
            f"<div class='story-body'>{_ps(EN_PARAGRAPHS)}</div></div>")
    text = _content_text(_page(body), "Council approves transport budget")
    assert EN_PARAGRAPHS[0] in text and "Another story" not in text


# --- cut short: the article continued in another table row ------------------------------------

def test_an_article_continued_in_another_table_row_is_joined() -> None:
    body = (f"<table width='760'><tr><td>{NAV}</td></tr><tr><td><h1>{ZH_TITLE}</h1></td></tr>"
            f"<tr><td class='text'>{_ps(ZH_PARAGRAPHS[:3])}</td></tr>"
            "<tr><td><img src='/img/ad.gif' width='468'></td></tr>"
            f"<tr><td class='text'>{_ps(ZH_PARAGRAPHS[3:] + MORE_ZH)}</td></tr>"
            "<tr><td><a href='/r1'>相关新闻：统计局答记者问</a> <a href='/r2'>十月经济数据解读</a></td></tr>"
            "</table>")
    page = _page(body, title=ZH_TITLE)
    text = _content_text(page, ZH_TITLE)
    for paragraph in ZH_PARAGRAPHS + MORE_ZH:
        assert paragraph in text
    found = extract(page, ZH_URL)
    assert found.body_text.index(ZH_PARAGRAPHS[0]) < found.body_text.index(MORE_ZH[-1])
    for paragraph in ZH_PARAGRAPHS + MORE_ZH:
        assert paragraph in found.body_text
    assert "相关新闻" not in found.body_text and "Section" not in found.body_text


# --- boilerplate joined: a forum's rules notice beside the post --------------------------------

RULES_ZH = ("<div class='bm'><h3>本版规则</h3><p>一、请文明发言，尊重他人，禁止人身攻击、谩骂和发布违法违规内容，违者删帖。</p>"
            "<p>二、禁止发布广告、推广链接和重复内容，发帖前请先搜索，确认没有相同的话题后再发帖。</p></div>")
RULES_EN = ("<div class='panel'><div class='inner'><strong>Forum rules</strong><br>Please read the rules "
            "before posting. Be polite, stay on topic, and do not post advertising, spam or personal "
            "attacks; posts that break these rules will be removed by the moderators without notice.</div></div>")


def test_a_chinese_forum_rules_notice_is_not_joined_to_the_post() -> None:
    post = _ps(ZH_PARAGRAPHS + MORE_ZH)
    body = (f"{NAV}<div id='postlist'><h1>{ZH_TITLE}</h1>{RULES_ZH}"
            f"<div id='post_1'><table><tr><td class='t_f'>{post}</td></tr></table></div></div>")
    found = extract(_page(body, title=ZH_TITLE), "https://bbs.example.cn/thread-1-1-1.html")
    for paragraph in ZH_PARAGRAPHS + MORE_ZH:
        assert paragraph in found.body_text
    for junk in ("本版规则", "文明发言", "禁止发布广告"):
        assert junk not in found.body_text


def test_an_english_forum_rules_box_is_not_joined_to_the_post() -> None:
    body = (f"{NAV}<div id='page-body'><h2>Council approves transport budget</h2>{RULES_EN}"
            f"<div class='post'><div class='postbody'>{_ps(EN_PARAGRAPHS)}</div></div></div>")
    found = extract(_page(body), "https://forum.example.org/viewtopic.php?t=1")
    for paragraph in EN_PARAGRAPHS:
        assert paragraph in found.body_text
    for junk in ("Forum rules", "stay on topic", "moderators"):
        assert junk not in found.body_text


def test_an_article_about_rules_keeps_its_text() -> None:
    body = (f"<article><h1>Council approves transport budget</h1><p>Forum rules were not the point of the "
            f"meeting, the mayor said, before the vote on the budget itself.</p>{_ps(EN_PARAGRAPHS)}</article>")
    found = extract(_page(body), URL)
    assert "Forum rules were not the point" in found.body_text


# --- boilerplate joined: a candidate that is the article plus menu lines --------------------------

def test_a_chinese_candidate_that_adds_only_menu_lines_loses_to_the_article() -> None:
    from scraper.extract.choose import medoid

    article = "\n\n".join(ZH_PARAGRAPHS[:2])
    padded = "\n\n".join([ZH_TITLE, article, "会赚钱的客户端：", "重点推荐", "证券要闻", "行业动态", "公司新闻",
                          "0人参与", "网友评论仅供其表达个人看法，并不表明本站立场。"])
    comments = "网友跟贴 0人跟贴 | 0人参与 | 手机发跟贴 | 注册\n\n网友评论仅供其表达个人看法，并不表明本站立场。"
    assert medoid([article, padded], lambda: comments) == 0
    # more article prose in the larger candidate: it is the article, the smaller one is cut short
    longer = "\n\n".join([article, *MORE_ZH, "重点推荐"])
    assert medoid([article, longer], lambda: longer) in (1, 2)
