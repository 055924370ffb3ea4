"""What every listing parser shares: the error translation, HTML sniffing, JSON loading, text.

Pure; linear in the input (no nested quantifiers).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from scraper.errors import NotAFeedError, ParseError, ScraperError

logger = logging.getLogger(__name__)

_HTML_TAG = re.compile(rb"<!doctype\s+html|<html|<head|<body|<script|<meta|<title", re.IGNORECASE)
_JSONP_HEAD = re.compile(r"\s*[\w$.]{0,200}\s*\(")
_SPACES = re.compile(r"\s+")
_P = ParamSpec("_P")
_R = TypeVar("_R")



def translated(parse: Callable[_P, _R]) -> Callable[_P, _R]:
    """Only ScraperError leaves a parser: any foreign error a hostile document provokes becomes ParseError."""

    @functools.wraps(parse)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return parse(*args, **kwargs)
        except ScraperError:
            raise
        except RecursionError as exc:
            raise ParseError("document nested too deeply to parse") from exc
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
                LookupError, UnicodeError, AssertionError) as exc:
            logger.debug("%s failed on a hostile document", parse.__name__, exc_info=True)
            raise ParseError(f"unreadable document ({type(exc).__name__}: {str(exc)[:120]})") from exc

    return wrapper


def looks_like_html(content: bytes) -> bool:
    """An HTML page, possibly after comments? Linear: comments are skipped with ``find``, not a regex
    (``(<!--.*?-->\\s*)*`` backtracked exponentially on a run of ``<!---->``)."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    while head.startswith(b"<!--"):
        end = head.find(b"-->", 4)
        if end < 0:
            return False
        head = head[end + 3:].lstrip()
    return bool(_HTML_TAG.match(head))


def title(value: Any) -> str:
    return _SPACES.sub(" ", value if isinstance(value, str) else str(value or "")).strip()


def loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply to parse") from exc


def jsonp_body(text: str) -> str | None:
    """``callback( ... );`` → the inside, or None. Linear (the old single regex backtracked)."""
    head = _JSONP_HEAD.match(text)
    if head is None:
        return None
    rest = text[head.end():].rstrip()
    rest = rest[:-1].rstrip() if rest.endswith(";") else rest
    if not rest.endswith(")"):
        return None
    return rest[:-1]


def load_json(content: bytes) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030", errors="strict")
        except UnicodeDecodeError as exc:
            raise NotAFeedError(f"listing is neither UTF-8 nor GB18030 text (bad byte at {exc.start})") from exc
    try:
        return loads(text)
    except ValueError:  # JSONDecodeError, or an integer past Python's digit limit
        body = jsonp_body(text)
        if body is not None:
            try:
                return loads(body)
            except json.JSONDecodeError as exc:
                raise NotAFeedError(f"invalid JSONP: {exc.msg} at char {exc.pos}") from exc
            except ValueError as exc:
                raise NotAFeedError(f"invalid JSONP: {exc}") from exc
        if looks_like_html(content):
            raise NotAFeedError("got an HTML page, not JSON (maintenance or anti-bot page?)") from None
        raise NotAFeedError("response is neither JSON nor JSONP") from None


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""
