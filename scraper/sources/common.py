"""Small pure helpers the wire modules share: JSON payloads, times, URLs, text bodies.

Errors: :class:`~scraper.errors.NotAFeedError` for a body that is not JSON (an HTML anti-bot or
maintenance page), :class:`~scraper.errors.TemplateChangedError` for JSON without the shape a
wire needs (``require``/``field``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scraper.errors import NotAFeedError, TemplateChangedError
from scraper.stocks import normalize_code

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype|html|head|body|script|meta|title)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<(p|br|div|span|b|strong|img|a|ul|ol|li|table|h\d)\b", re.IGNORECASE)
_LEADING_HEADLINE = re.compile(
    r"^(\s*(?:<(?:p|div|span|b|strong)\b[^>]*>\s*)*)【[^【】]{2,120}】\s*((?:</(?:b|strong|span)>\s*)*)")
_LOCAL_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
# The newest plausible time is not checked here (no clock in pure code); the oldest is.
_OLDEST = datetime(1995, 1, 1, tzinfo=UTC)


def load_json(content: bytes, wire: str) -> Any:
    """The decoded JSON document; NotAFeedError (one line) for HTML or anything else."""
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        if _HTML_START.match(content[:4096]):
            raise NotAFeedError(f"{wire}: got an HTML page, not JSON (anti-bot or maintenance page?)") from exc
        raise NotAFeedError(f"{wire}: response is not JSON ({type(exc).__name__})") from exc


def require(condition: bool, wire: str, what: str) -> None:
    """TemplateChangedError naming what is missing when ``condition`` is false."""
    if not condition:
        raise TemplateChangedError(f"{wire}: payload changed shape: {what}")


def dict_at(data: Any, path: Iterable[str], wire: str) -> dict[str, Any]:
    """``data[k1][k2]…`` as a dict, or TemplateChangedError naming the path."""
    keys = list(path)
    node = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    require(isinstance(node, dict), wire, f"no object at {'.'.join(keys) or 'top level'}")
    return node  # type: ignore[no-any-return]


def list_at(data: Any, path: Iterable[str], wire: str) -> list[Any]:
    """``data[k1][k2]…`` as a list (a present JSON null reads as empty), or TemplateChangedError."""
    keys = list(path)
    parent = dict_at(data, keys[:-1], wire) if keys[:-1] else data
    require(isinstance(parent, dict) and keys[-1] in parent, wire, f"no {'.'.join(keys)}")
    node = parent[keys[-1]]
    require(node is None or isinstance(node, list), wire, f"{'.'.join(keys)} is not a list")
    return node or []


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def epoch(value: Any) -> datetime | None:
    """Unix seconds (or milliseconds, told apart by size) → aware UTC datetime; None if unusable."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if number > 1e11:  # milliseconds
        number /= 1000.0
    try:
        moment = datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if moment >= _OLDEST else None


def local_time(value: Any, zone: tzinfo) -> datetime | None:
    """``YYYY-MM-DD HH:MM[:SS]`` written in ``zone`` (the wire's, UTC+8) → aware UTC datetime."""
    if not isinstance(value, str):
        return None
    match = _LOCAL_TIME.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment >= _OLDEST else None


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def query_params(url: str) -> dict[str, str]:
    """The URL's query as a dict (blank values kept; a repeated key keeps its last value)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def with_query(url: str, params: Mapping[str, str], *, path: str | None = None) -> str:
    """``url`` with its query replaced by ``params`` (in the given order) and optionally a new path."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path if path is None else path,
                       urlencode(list(params.items())), ""))


def text_html(text: str) -> str:
    """A wire's text as HTML: markup kept as it is, plain text escaped into paragraphs."""
    if _TAG.search(text):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r?\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def codes(raw: Iterable[Any]) -> tuple[str, ...]:
    """Normalized stock codes of raw values, unknown ones dropped, order kept, no repeats."""
    found: dict[str, None] = {}
    for value in raw:
        if isinstance(value, str) and (code := normalize_code(value)):
            found.setdefault(code, None)
    return tuple(found)


def text(value: Any) -> str:
    """A JSON value as stripped text ("" for null or containers)."""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return str(value).strip()


def strip_headline(body: str) -> str:
    """An HTML or text body without its leading 【headline】 (also inside opening ``<p><b>``)."""
    match = _LEADING_HEADLINE.match(body)
    if not match:
        return body
    opened = match.group(1)
    closed = re.findall(r"</(b|strong|span)>", match.group(2))
    for tag in closed:  # drop the matching opening tag of the headline's own emphasis
        opened = re.sub(rf"<{tag}\b[^>]*>\s*$", "", opened.rstrip())
    return opened + body[match.end():]
