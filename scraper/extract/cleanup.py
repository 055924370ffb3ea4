"""Post-extraction tidying shared by the generic path: editor lines out of the body and into
metadata, site-name suffixes off titles, a visible publication time for pages without
machine-readable dates."""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime
from urllib.parse import urlsplit

from scraper.extract.dates import parse_local

__all__ = ["find_editor", "names_the_site", "split_editor", "strip_site_suffix", "visible_published"]

_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# 【纠错】【责任编辑:张樵苏 】 / （编辑：严玉洁 王辉） / 责任编辑：梁斌 SF055
_EDITOR_LINE = re.compile(
    r"^(?:【纠错】)?\s*[【\[（(]?\s*(?:责任编辑|责编|編輯|责任编辑人|编辑)\s*[:：]\s*([^】\]）)]{1,40}?)\s*[】\]）)]?$"
)
_WORK_CODE = re.compile(r"\s+[A-Z]{1,4}\d{2,}$")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·]\s+|\s*[_|]\s*|(?<=[\u4e00-\u9fff）」』”])\s*[-–—]\s*(?=[\u4e00-\u9fff])")
_SITE_WORDS = re.compile(r"(网|網|频道|新闻|財經|财经|日报|报|online|news|times|post|journal)$", re.IGNORECASE)
# 2005-3-1, 2005/03/01, 2005.3.1, 2005年3月1日, each with an optional time of day.
_VISIBLE_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|([/\-.])\s*\d{1,2}\s*\1\s*\d{1,2}(?!\d))"
    r"(?:\s*\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)?"
)
_NEAR_HEADLINE = 3000


def split_editor(body_html: str) -> tuple[str, str | None]:
    """Remove editor-credit paragraphs from sanitized body HTML; return ``(html, editor)``."""
    editor: str | None = None

    def visit(match: re.Match[str]) -> str:
        nonlocal editor
        inner = match.group(1)
        if len(inner) > 120 or ("编" not in inner and "編" not in inner):
            return match.group(0)
        text = htmllib.unescape(_TAG.sub("", inner)).strip(" \t\r\n\u3000\u00a0")
        found = _EDITOR_LINE.match(text)
        if found is None:
            return match.group(0)
        if editor is None:
            editor = _WORK_CODE.sub("", found.group(1)).strip() or None
        return ""

    return _PARAGRAPH.sub(visit, body_html), editor


_EDITOR_ANYWHERE = re.compile(r"(?:责任编辑|责编)\s*[:：]\s*([^\s】\]）)<>]{1,12}(?:\s[A-Z]{1,4}\d{2,})?)")


def find_editor(page_text: str) -> str | None:
    """The 责任编辑 credit printed anywhere on the page (outside the body on many sites)."""
    match = _EDITOR_ANYWHERE.search(page_text)
    if match is None:
        return None
    return _WORK_CODE.sub("", match.group(1)).strip() or None


def strip_site_suffix(title: str | None, site_name: str | None, url: str) -> str | None:
    """``"Headline | CNN Politics"`` → ``"Headline"``; ``"标题_新浪科技_新浪网"`` → ``"标题"``.

    Only trailing segments go, and only when they name the site (its og:site_name, its host)
    or look like a site name, so a headline with a dash inside is left alone.
    """
    for _ in range(2):
        shorter = _strip_one_suffix(title, site_name, url)
        if shorter == title:
            break
        title = shorter
    return title


def _strip_one_suffix(title: str | None, site_name: str | None, url: str) -> str | None:
    if not title:
        return title
    separators = list(_TITLE_SEPARATORS.finditer(title))
    if not separators:
        return title
    cut = separators[-1]
    head, last = title[: cut.start()].strip(), title[cut.end():].strip()
    if not head or not last or len(last) > 30 or len(head) < len(last):
        return title
    host = (urlsplit(url).hostname or "").lower()
    labels = [label for label in host.split(".") if label not in ("www", "com", "cn", "net", "org", "co", "uk")]
    lowered = last.lower().replace(" ", "")
    names_site = bool(site_name and (site_name.lower() in last.lower() or last.lower() in site_name.lower()))
    names_host = any(label and label in lowered for label in labels)
    if names_site or names_host or _SITE_WORDS.search(last):
        return head
    return title


def names_the_site(author: str, page_title: str | None, title: str | None, site_name: str | None) -> bool:
    """Whether an "author" is the site's own name (``<meta name=author content=网易>`` on a page
    titled ``…_网易财经``): its og:site_name, or part of the site suffix cut off the title."""
    name = re.sub(r"\s+", "", author).casefold()
    if not name:
        return True
    suffix = page_title.replace(title, "", 1) if page_title and title and title in page_title else ""
    names = [re.sub(r"\s+", "", text).casefold() for text in (site_name or "", suffix) if text]
    return any(name == text or (len(name) >= 2 and name in text) for text in names)


def visible_published(page_text: str, title: str | None, site_zone: str | None) -> datetime | None:
    """A date printed on the page, for pages without machine-readable dates (e.g. news.cn).

    Date-only forms count (``2005-3-1``, ``2005年3月1日``). The first date within a few
    thousand characters after the headline wins; without one there, the first date printed
    with a time of day anywhere on the page (a dateline further down), else None: a bare date
    far from the headline is as likely a related link's.
    """
    start = page_text.find(title[:12]) if title else -1
    if start >= 0:
        match = _VISIBLE_DATE.search(page_text, start, start + _NEAR_HEADLINE)
        if match is not None:
            found = parse_local(match.group(0), site_zone)
            if found is not None:
                return found
    for match in _VISIBLE_DATE.finditer(page_text):
        if ":" in match.group(0) or "：" in match.group(0):
            found = parse_local(match.group(0), site_zone)
            if found is not None:
                return found
    return None
