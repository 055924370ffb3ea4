"""Helpers shared by the JSON wires (sina_zhibo, eastmoney_fastnews, stcn_kuaixun, yicai_brief). Pure.

- ``load_json``: bytes → JSON value (UTF-8 with or without BOM, JSONP callbacks unwrapped);
  an HTML page → NotAFeedError, anything else unreadable → TemplateChangedError.
- ``with_params``: the configured URL with some query parameters set (others kept in order).
- ``local_time``: a wall-clock time written without a zone, read in the wire's zone → aware UTC.
- ``epoch``: seconds or milliseconds since the epoch → aware UTC.
- ``plain_text``/``text_html``: the wires' HTML snippets as plain text, and plain text as safe HTML.
- ``flash_item``: a FeedItem for a flash (快讯): body = the text without its leading 【headline】,
  title = its own or ``flash_title``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scraper.errors import NotAFeedError, TemplateChangedError
from scraper.models import FeedItem
from scraper.sources.flash import flash_title, strip_title_prefix

_JSONP = re.compile(r"^\s*[\w$.]*\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.DOTALL)
_HTML = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype|html|head|body|script|meta|title)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<br\s*/?>|</p\s*>|<[^>]+>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)


def load_json(content: bytes, what: str) -> Any:
    """The JSON value of a wire's answer (``what`` names the API in error messages)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        match = _JSONP.match(text)
        if match:
            try:
                return json.loads(match.group(1))
            except json.JSONDecodeError:
                pass
        if _HTML.match(text[:4096]):
            raise NotAFeedError(f"{what}: got an HTML page, not JSON (maintenance or anti-bot page?)") from exc
        raise TemplateChangedError(f"{what}: response is not JSON ({exc.msg} at char {exc.pos})") from exc


def with_params(url: str, params: dict[str, str]) -> str:
    """``url`` with each of ``params`` set (replacing a value already there, appended otherwise)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for key, value in query:
        if key in params:
            if key in seen:
                continue
            seen.add(key)
            out.append((key, params[key]))
        else:
            out.append((key, value))
    out.extend((key, value) for key, value in params.items() if key not in seen)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(out), parts.fragment))


def query_param(url: str, name: str) -> str | None:
    """The first value of query parameter ``name`` in ``url``, or None."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == name:
            return value
    return None


def page_number(url: str, name: str = "page") -> int:
    """The page number in ``url`` (1 when missing or not a positive number)."""
    raw = query_param(url, name) or ""
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def local_time(text: Any, zone: tzinfo, formats: Sequence[str]) -> datetime | None:
    """A time written without a zone (``2026-06-16 14:09:57``) read in ``zone``, as aware UTC."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return _plausible(parsed.astimezone(UTC))
    return None


def _plausible(moment: datetime) -> datetime | None:
    return moment if moment >= _EARLIEST else None


def plain_text(snippet: Any) -> str:
    """A wire's HTML snippet (or plain text) as plain text: tags dropped, entities decoded, spaces collapsed."""
    if not isinstance(snippet, str):
        return ""
    text = html.unescape(_TAG.sub("\n", snippet))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def text_html(text: str) -> str:
    """Plain text as HTML paragraphs (escaped)."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())


def flash_item(
    *,
    url: str,
    guid: str,
    text: str,
    published: datetime | None,
    title: str = "",
    important: bool | None = None,
    stocks: tuple[str, ...] = (),
    author: str | None = None,
    image: str | None = None,
) -> FeedItem:
    """A flash (快讯) item: its text is the post body; its title is its own or the text's headline.

    A leading 【headline】 leaves the body (it is the title), unless nothing else is left.
    """
    headline = " ".join(title.split()) or flash_title(text)
    body = strip_title_prefix(text).strip() or text
    return FeedItem(
        url=url,
        title=headline,
        guid=guid,
        content_html=text_html(body),
        published=published,
        author=author or None,
        image=image or None,
        important=important,
        stocks=stocks,
        flash=True,
    )


def require(condition: bool, what: str, detail: str) -> None:
    """TemplateChangedError unless ``condition``: the payload lacks a shape we rely on."""
    if not condition:
        raise TemplateChangedError(f"{what}: {detail} (the API changed?)")


def need_dict(value: Any, what: str, detail: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else TemplateChangedError."""
    require(isinstance(value, dict), what, detail)
    return dict(value)


def need_list(value: Any, what: str, detail: str) -> list[Any]:
    """``value`` if it is a JSON array, else TemplateChangedError."""
    require(isinstance(value, list), what, detail)
    return list(value)


def get_dict(value: Any, key: str) -> dict[str, Any]:
    """``value[key]`` when both are JSON objects, else {}."""
    inner = value.get(key) if isinstance(value, dict) else None
    return inner if isinstance(inner, dict) else {}


def get_list(value: Any, key: str) -> list[Any]:
    """``value[key]`` when ``value`` is a JSON object and that is an array, else []."""
    inner = value.get(key) if isinstance(value, dict) else None
    return inner if isinstance(inner, list) else []
