"""Small pure helpers the wire modules share: JSON payloads, times, URLs, text bodies, codes.

- ``load_json``: bytes → JSON value (UTF-8 with or without BOM, else GB18030; JSONP callbacks
  unwrapped). An HTML page → :class:`~scraper.errors.NotAFeedError` (an anti-bot or maintenance
  page); anything else unreadable → :class:`~scraper.errors.TemplateChangedError`.
- shapes: ``require``, ``dict_at``/``list_at`` (a path that must exist), ``need_dict``/``need_list``
  (a value that must be one), ``obj``/``arr``/``get_dict``/``get_list`` (lenient reads).
- times: ``epoch`` (seconds or milliseconds) and ``local_time`` (a wall-clock time in the wire's
  zone) → aware UTC; nothing before 1995.
- URLs: ``origin``, ``query_params``/``query_param``/``page_number``, ``with_query`` (replace
  the query) and ``with_params`` (set some parameters, keep the others in order).
- text: ``text``, ``plain_text`` (a snippet's tags dropped), ``text_html`` (markup kept, plain
  text into paragraphs), ``escaped_html`` (always escaped), ``strip_headline``, ``codes``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scraper.errors import NotAFeedError, TemplateChangedError
from scraper.stocks import normalize_code

_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype|html|head|body|script|meta|title)", re.IGNORECASE | re.DOTALL)
_JSONP = re.compile(r"^\s*[\w$.]*\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.DOTALL)
_SNIPPET_TAG = re.compile(r"<br\s*/?>|</p\s*>|<[^>]+>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_TAG = re.compile(r"<(p|br|div|span|b|strong|img|a|ul|ol|li|table|h\d)\b", re.IGNORECASE)
_LEADING_HEADLINE = re.compile(
    r"^(\s*(?:<(?:p|div|span|b|strong)\b[^>]*>\s*)*)【[^【】]{2,120}】\s*((?:</(?:b|strong|span)>\s*)*)")
_LOCAL_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
# The newest plausible time is not checked here (no clock in pure code); the oldest is.
_OLDEST = datetime(1995, 1, 1, tzinfo=UTC)


def load_json(content: bytes, wire: str) -> Any:
    """The JSON value of a wire's answer (``wire`` names the API in error messages)."""
    try:
        body = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        body = content.decode("gb18030", errors="replace")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        match = _JSONP.match(body)
        if match:
            try:
                return json.loads(match.group(1))
            except json.JSONDecodeError:
                pass
        if _HTML_START.match(body[:4096]):
            raise NotAFeedError(f"{wire}: got an HTML page, not JSON (anti-bot or maintenance page?)") from exc
        raise TemplateChangedError(f"{wire}: response is not JSON ({exc.msg} at char {exc.pos})") from exc


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


def need_dict(value: Any, wire: str, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else TemplateChangedError."""
    require(isinstance(value, dict), wire, what)
    return dict(value)


def need_list(value: Any, wire: str, what: str) -> list[Any]:
    """``value`` if it is a JSON array, else TemplateChangedError."""
    require(isinstance(value, list), wire, what)
    return list(value)


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def get_dict(value: Any, key: str) -> dict[str, Any]:
    """``value[key]`` when both are JSON objects, else {}."""
    return obj(obj(value).get(key))


def get_list(value: Any, key: str) -> list[Any]:
    """``value[key]`` when ``value`` is a JSON object and that is an array, else []."""
    return arr(obj(value).get(key))


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


def local_time(value: Any, zone: tzinfo, formats: Sequence[str] = ()) -> datetime | None:
    """A time written without a zone, read in ``zone`` (the wire's, UTC+8) → aware UTC.

    Without ``formats``: ``YYYY-MM-DD HH:MM[:SS]`` (or ``T`` between); with them, the first
    ``strptime`` format that reads the value.
    """
    if not isinstance(value, str):
        return None
    if formats:
        return _strptime(value.strip(), zone, formats)
    match = _LOCAL_TIME.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment >= _OLDEST else None


def _strptime(value: str, zone: tzinfo, formats: Sequence[str]) -> datetime | None:
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        moment = parsed.astimezone(UTC)
        return moment if moment >= _OLDEST else None
    return None


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def query_params(url: str) -> dict[str, str]:
    """The URL's query as a dict (blank values kept; a repeated key keeps its last value)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


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


def with_query(url: str, params: Mapping[str, str], *, path: str | None = None) -> str:
    """``url`` with its query replaced by ``params`` (in the given order) and optionally a new path."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path if path is None else path,
                       urlencode(list(params.items())), ""))


def with_params(url: str, params: dict[str, str]) -> str:
    """``url`` with each of ``params`` set (replacing a value already there, appended otherwise)."""
    parts = urlsplit(url)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in params:
            if key in seen:
                continue
            seen.add(key)
            out.append((key, params[key]))
        else:
            out.append((key, value))
    out.extend((key, value) for key, value in params.items() if key not in seen)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(out), parts.fragment))


def plain_text(snippet: Any) -> str:
    """A wire's HTML snippet (or plain text) as plain text: tags dropped, entities decoded, spaces collapsed."""
    if not isinstance(snippet, str):
        return ""
    unescaped = html.unescape(_SNIPPET_TAG.sub("\n", snippet))
    lines = (_SPACE.sub(" ", line).strip() for line in unescaped.splitlines())
    return "\n".join(line for line in lines if line)


def escaped_html(plain: str) -> str:
    """Plain text as HTML paragraphs, a line each, always escaped (markup-like text stays text)."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in plain.splitlines() if line.strip())


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
