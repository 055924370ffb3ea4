"""Bylines and sources printed in the page rather than in its metadata.

English pages mark the byline in the markup (``rel=author``, ``itemprop=author``, a class or id
naming ``byline``/``author``); Chinese pages print it as text near the headline or at the end
of the body: ``作者：X``, ``记者 X``, ``本报记者 X Y``, ``文/X``. ``来源：`` names the source
(the publisher a story was taken from), never the author; ``责任编辑：`` names the editor
(:mod:`scraper.extract.cleanup`).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["markup_byline", "text_byline", "text_source"]

_BYLINE_SELECTOR = (
    "[rel='author'], [itemprop~='author'], [class*='byline'], [id*='byline'], [class*='author'], "
    "[id*='author'], [class*='writtenby']"
)
_NOT_BYLINE = re.compile(r"(^|[-_\s])(bio|avatar|image|img|photo|pic|follow|box|list|more|about|info|comments?)"
                         r"([-_\s]|$)", re.IGNORECASE)
_BY = re.compile(r"^\s*(?:by|von|par|por|written by)\s*[:：]?\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_MAX_BYLINE = 100
_MAX_WORDS = 10  # longer is a menu or a bio, not a byline
_UI_WORDS = re.compile(r"\b(?:sign in|sign up|log ?in|account|menu|subscribe|follow|share|comments?|"
                       r"search|newsletter)\b", re.IGNORECASE)
_NOT_NAMES = frozenset({"last", "updated", "published", "posted", "by", "written by", "author", "staff"})
_CN_UI_WORDS = re.compile(r"账号|帐号|登录|注册|密码|用户名|订阅|关注|分享|评论|简介")
# Inside a byline block, the element that holds just the name.
_NAME_INSIDE = ("[itemprop~='name'], [rel='author'], a[href*='/author'], a[href*='/people/'], "
                "a[href*='/staff/'], a[href*='/profile'], [class*='author-name'], [class*='authorName']")
# What follows the name in a byline block: a date, a time ago, a separator, a role.
_TRAILER = re.compile(
    r"\s*(?:[•|·]|\s-\s|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,2}\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{1,4}[/.:-]\d|\d+\s*(?:h|m|min|hours?|days?)\b|"
    r"\b(?:před|il y a|hace|vor)\b|\b(?:updated|published|posted)\b)",
    re.IGNORECASE,
)
_NAME = r"[\u4e00-\u9fff·]{2,4}"
_NAMES = rf"{_NAME}(?:[ \u3000、,，和]{{1,2}}{_NAME}){{0,3}}"
_AFTER_NAME = r"(?=$|[\s\u3000）)】\]|,，。;；/]|报道|摄|发自)"
_CN_BYLINE = re.compile(
    rf"(?:^|[\s\u3000（(【\[|])(?:(?:本报记者|特约记者|见习记者|记者|作者|撰文)\s*[:：/／|]?|文\s*[:：/／|])\s*"
    rf"({_NAMES}){_AFTER_NAME}",
    re.MULTILINE,
)
_CN_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s\u3000|<>()（）【】\[\]]{2,30})")
_TEXT_WINDOW = 6000
_CLAUSE_GOES_ON = frozenset("，,。；;：:、")
# What follows 记者 in a sentence rather than a byline: 记者注意到 / 记者了解到 / 记者从…获悉.
_NOT_A_NAME = re.compile(r"(?:注意|发现|了解|获悉|统计|梳理|对比|查询|采访|调查|观察|表示|看到|查阅|走访|询问|致电|联系|"
                         r"测算|计算|从|在|向|对|据|随|获|问|来到|实地|近日|日前|今天|昨天|昨日|今日)")


# A Chinese byline block: "作者：未知 责任编辑：X", "来源：新华社 作者：张三", "文/李四 2019-09-05".
_CN_LABEL = re.compile(r"(本报记者|特约记者|见习记者|记者|作者|撰文|文|来源|责任编辑|责编|编辑|发布时间|时间|日期)\s*[:：/／]")
_CN_AUTHOR_LABELS = frozenset({"本报记者", "特约记者", "见习记者", "记者", "作者", "撰文", "文"})
_NO_NAME = frozenset({"未知", "佚名", "匿名", "不详", "无", "admin", "管理员", "本站", "小编", "网友", "编辑部"})


def _chinese_labelled(text: str) -> str | None:
    """The author in a labelled Chinese byline block ("" when it names none), else None."""
    labels = list(_CN_LABEL.finditer(text))
    if not labels:
        return None
    for here, after in zip(labels, [*labels[1:], None], strict=True):
        if here.group(1) in _CN_AUTHOR_LABELS:
            value = text[here.end(): after.start() if after else len(text)]
            value = re.split(r"\s{2,}|\s(?=\d)|[|｜]", value.strip(), maxsplit=1)[0].strip()
            return "" if value.lower() in _NO_NAME else value
    return ""


def _clean_name(text: str) -> str | None:
    text = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()
    labelled = _chinese_labelled(text)
    if labelled is not None:
        text = labelled
    name = _BY.sub("", text).strip(" |,-–—:：")
    return name if name and name.lower() not in _NO_NAME else None


def markup_byline(tree: LexborHTMLParser) -> str | None:
    """The first short element marked as the byline (readability's rule), without "By "."""
    body = tree.body
    if body is None:
        return None
    for node in body.css(_BYLINE_SELECTOR):
        attrs = node.attributes
        if node.tag in ("html", "body", "article", "main", "section", "img", "meta", "link"):
            continue
        if _NOT_BYLINE.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}") and \
                attrs.get("rel") != "author":
            continue
        named: LexborNode | None = node.css_first(_NAME_INSIDE)
        text = (named if named is not None else node).text(deep=True, separator=" ")
        text = _TRAILER.split(_SPACES.sub(" ", text).strip(), maxsplit=1)[0].strip()
        if len(text.split()) > _MAX_WORDS and "," in text:  # "Name, Senior Staff Technologist, ACLU …"
            text = text.split(",", 1)[0]
        if _looks_like_name(text):
            return _clean_name(text)
    return None


def _looks_like_name(text: str) -> bool:
    if not 0 < len(text) < _MAX_BYLINE or len(text.split()) > _MAX_WORDS or any(ch.isdigit() for ch in text):
        return False
    if text.strip().lower() in _NOT_NAMES:  # what is left of "Last updated: …" once the date goes
        return False
    if _UI_WORDS.search(text) or _CN_UI_WORDS.search(text) or sum(ch.isalpha() for ch in text) < 0.6 * len(text.replace(" ", "")):
        return False
    return any(ch.isupper() for ch in text) or bool(re.search(r"[\u3400-\u9fff]", text))


def _window(page_text: str, headline: str | None) -> str:
    anchor = page_text.find(headline[:12]) if headline else -1
    start = max(anchor, 0)
    return page_text[start:start + _TEXT_WINDOW]


def text_byline(page_text: str, headline: str | None) -> str | None:
    """A Chinese byline printed as text after the headline (``记者 张三 李四`` → ``张三、李四``)."""
    window = _window(page_text, headline)
    for match in _CN_BYLINE.finditer(window):
        labelled = bool(re.search(r"[:：/／|]", match.group(0)))
        after = window[match.end():match.end() + 1]
        if not labelled and after in _CLAUSE_GOES_ON:
            continue  # "记者注意到，…": a sentence about the reporter, not a byline
        names = [n for n in re.split(r"[ \u3000、,，和]+", match.group(1).strip())
                 if n and n not in _NO_NAME and not _NOT_A_NAME.match(n)]
        if names:
            return "、".join(dict.fromkeys(names))
    return None


def text_source(page_text: str, headline: str | None) -> str | None:
    """The ``来源：`` credit after the headline: the publisher, not the author."""
    match = _CN_SOURCE.search(_window(page_text, headline))
    return match.group(1).strip(" :：") if match else None
