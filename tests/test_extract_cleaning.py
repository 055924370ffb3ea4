"""No junk survives in bodies; the QR code is never the lead image; GBK pages with lying
headers extract like their UTF-8 originals."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.extract import extract, lead_image
from scraper.extract.images import is_junk_image

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED_URL = "https://finance.sina.com.cn/china/dfjj/2022-02-08/doc-ikyakumy4962217.shtml"
QR = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"
SINA_PAGES = {
    "gne_tests_sina_1": "https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml",
    "gne_tests_sina_2": "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
    "gne_tests_sina_3": "https://finance.sina.com.cn/stock/usstock/c/2019-09-09/doc-iicezzrq4681677.shtml",
    "gne_tests_sina_4": "https://tech.sina.com.cn/t/2019-09-11/doc-iicezzrq4972166.shtml",
    "gne_tests_sina_5": "https://news.sina.com.cn/c/2019-10-23/doc-iicezuev4202091.shtml",
    "gne_tests_sina_sina": "https://news.sina.com.cn/c/2019-09-07/doc-iicezzrq4076655.shtml",
    "gne_tests_stcn_1": "http://kuaixun.stcn.com/2019/0926/15409036.shtml",
    "sina_seed_era": SEED_URL,
}
JUNK_MARKUP = ("<!--", "<style", "<script", "<iframe", "<link", "<meta", "onclick", "javascript:", "appendQr",
               "class=", "style=", "id=")
JUNK_TEXT = ("责任编辑", "海量资讯、精准解读，尽在新浪财经APP", "文章关键词", "我要反馈", "免责声明", "点击进入专题")


@pytest.mark.parametrize("name", sorted(SINA_PAGES))
@pytest.mark.parametrize("generic", [False, True], ids=["rules", "generic"])
def test_no_junk_in_body(name: str, generic: bool) -> None:
    found = extract((PAGES / f"{name}.html").read_bytes(), SINA_PAGES[name],
                    rules_name="generic" if generic else None)
    for junk in JUNK_MARKUP:
        assert junk not in found.body_html, junk
    for junk in JUNK_TEXT:
        assert junk not in found.body_text, junk
    assert "{" not in found.body_html or "&#123;" not in found.body_html  # braces are the renderer's job
    assert QR not in found.body_html
    assert found.image != QR


def test_seed_era_page_cleaned_like_the_seed_should_have_been() -> None:
    """CONSTRUCTED page (see tests/fixtures/pages/SOURCES.md): the seed post's body inside a
    real Sina finance template, with the comments, <style>, appendQr_wrap QR block and
    editor line of 2022 Sina pages and an empty og:image, so the QR is the only image."""
    found = extract((PAGES / "sina_seed_era.html").read_bytes(), SEED_URL)
    assert found.rules == "sina"
    assert found.title == "10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作"
    assert found.editor == "梁斌"
    assert found.image is None  # never the QR code; the pipeline falls back to the default image
    assert found.published is not None and found.published.isoformat() == "2022-02-08T08:00:05+00:00"
    assert found.body_text.startswith("10000亿元+1000亿美元！浙江省政府发文")
    assert found.body_text.endswith("鼓励和引导银行、创投、保险基金等参与各类专项产业基金和重大产业项目。")
    assert "appendQr" not in found.body_html and ".appendQr_wrap{" not in found.body_text
    assert found.body_html.startswith("<div>\n<p>") and found.body_html.endswith("</p>\n</div>")


def _gbk_copy(name: str, declare: str | None) -> bytes:
    """CONSTRUCTED: a real UTF-8 Sina page re-encoded to GBK (GB18030 superset), its own
    declaration changed to ``declare`` (or left saying utf-8)."""
    text = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    if declare is not None:
        text = text.replace('<meta charset="utf-8">', f'<meta charset="{declare}">')
    return text.encode("gb18030")


@pytest.mark.parametrize("declare", ["gbk", "gb2312", None], ids=["meta-gbk", "meta-gb2312", "meta-lies-utf8"])
@pytest.mark.parametrize("name", ["gne_tests_sina_2", "gne_tests_sina_1", "sina_seed_era"])
def test_gbk_page_served_with_lying_utf8_header(name: str, declare: str | None) -> None:
    original = extract((PAGES / f"{name}.html").read_bytes(), SINA_PAGES[name])
    found = extract(_gbk_copy(name, declare), SINA_PAGES[name], charset="utf-8")
    assert "\ufffd" not in found.body_text
    assert found.title == original.title
    assert found.body_text == original.body_text
    assert found.source == original.source
    assert found.published == original.published


def test_gbk_page_with_generic_path() -> None:
    name = "gne_tests_sina_5"
    original = extract((PAGES / f"{name}.html").read_bytes(), SINA_PAGES[name], rules_name="generic")
    found = extract(_gbk_copy(name, None), SINA_PAGES[name], charset="utf-8", rules_name="generic")
    assert found.body_text == original.body_text
    assert found.title == original.title


@pytest.mark.parametrize(
    "src",
    [
        QR,
        "https://n.sinaimg.cn/8ee96216/20150312/weixin_apple.jpg",
        "https://img.example.com/static/logo.png",
        "https://img.example.com/i/qrcode_for_gh_1234.jpg",
        "https://www.example.com/images/icon-cmnt.png",
        "https://pixel.example.com/p/1x1.gif",
        "https://www.example.com/images/blank.gif",
        "https://img.example.com/share/share-btn.png",
        "https://www.example.com/favicon.ico",
        "https://www.example.com/img/sprite.svg",
    ],
)
def test_junk_images_are_recognised(src: str) -> None:
    assert is_junk_image(src)


@pytest.mark.parametrize(
    "src",
    [
        "https://n.sinaimg.cn/finance/crawl/116/w550h366/20190909/632d-iekuaqt0614232.jpg",
        "https://img.example.com/2023/shareholders-meeting.jpg",
        "https://media.cnn.com/api/v1/images/stellar/prod/ap23310554129930.jpg",
    ],
)
def test_content_images_are_kept(src: str) -> None:
    assert not is_junk_image(src)


def test_lead_image_skips_qr_logo_pixel_and_tiny_images() -> None:
    html = (
        '<div class="appendQr_wrap"><img src="https://x.cn/a.png"></div>'
        '<img src="//n.sinaimg.cn/logo.png"><img src="https://t.cn/p.gif" width="1" height="1">'
        '<img src="https://x.cn/icon/small.png" width="16"><img alt="扫码关注" src="https://x.cn/b.jpg">'
        '<figure><img data-src="//n.sinaimg.cn/news/real.jpg" src="data:image/gif;base64,R0lGOD"></figure>'
    )
    assert lead_image(html, "https://finance.sina.com.cn/a.shtml") == "https://n.sinaimg.cn/news/real.jpg"
    assert lead_image("<p>no images</p>", "https://x.cn/") is None
    assert lead_image('<img src="/rel/pic.jpg">', "https://x.cn/a/b.html") == "https://x.cn/rel/pic.jpg"
