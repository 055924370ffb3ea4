"""One story, many wires: when two short flash texts (快讯/电报) from different feeds are one story. Pure.

The same news reaches 财联社, 新浪 7×24, 证券时报 and 东方财富 within minutes, in slightly different
words. Flash texts are short and templated, so a similarity score alone would merge two companies'
identical 公告 lines or two days' market closes. Two flashes are one story only when all hold:

0. **wires**: they come from different sites (one site's feeds share links and guids; the url and
   content-hash layers handle those), and both are Chinese text (the wires this is made for);
1. **time**: published within ``WINDOW`` (3 hours) of each other;
2. **numbers**: every number of the text with fewer numbers appears in the other (after dropping
   datelines such as "财联社12月7日电", and reading "1.40" as "1.4"); when at least
   ``SHARED_FIGURES`` numbers agree, each text may have one the other lacks (a year, a prior-year
   figure one wire adds). Otherwise a different figure, date or price is a different story,
   however alike the words;
   **session**: a market's opening, midday and close are different stories even with the same
   figures (开盘/高开/低开 vs 午盘/午间收盘 vs 收盘/收涨/收跌);
3. **subject**: the subjects the texts name (a headline's "贵州茅台：…", a lead's "五粮液公告…")
   agree (equal, one containing the other, or known aliases) whenever both texts name one;
4. **words**: their character bigrams, numbers masked, overlap by at least ``MIN_CONTAINMENT``
   of the smaller set (rewordings drop or add clauses, so containment, not Jaccard).

Only texts up to ``SHORT_TEXT`` characters are compared this way; longer articles keep the
clause-sketch near-duplicate layer. Measured on the labelled pairs in
tests/fixtures/dedup/flash_pairs.jsonl by ``benchmarks/samestory.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

WINDOW = timedelta(hours=3)
SHORT_TEXT = 300  # characters of body text: longer ones are articles (the clause-sketch layer's)
MIN_CONTAINMENT = 0.5
SHARED_FIGURES = 3

_DATELINE = re.compile(
    r"[^，。,\s【】：:]{2,12}?\d{1,2}月\d{1,2}日(?:电|讯|消息)[，,：:]?|"
    r"(?:新浪财经|财联社|证券时报网?|人民财讯|第一财经|东方财富网?|金十数据|华尔街见闻)讯[，,：:]?|"
    r"[（(](?:记者|编辑|来源)[^）)]{0,20}[）)]"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_HEADLINE = re.compile(r"^\s*【([^【】]{2,120})】")
_SUBJECT = re.compile(
    r"^([\u4e00-\u9fffA-Za-z·]{2,12}?)(?:[：:]|(?:发布)?公告|披露|宣布|表示|称|发布|今日|今天|盘中|早盘|午后)"
)
_SESSIONS = (
    ("midday", re.compile(r"午盘|午间收盘|午间休市|半日收")),
    ("open", re.compile(r"开盘|高开|低开|平开")),
    ("close", re.compile(r"收盘|收涨|收跌|收报|收平")),
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z]+|#")
_ALIASES = {
    "央行": "中国人民银行",
    "人民银行": "中国人民银行",
    "人行": "中国人民银行",
    "证监会": "中国证监会",
    "统计局": "国家统计局",
    "发改委": "国家发改委",
    "国家发展改革委": "国家发改委",
    "美联储": "美国联邦储备委员会",
}


@dataclass(frozen=True)
class Flash:
    """What the decision reads of one flash: its feed, time, title and text."""

    feed: str
    published: datetime
    title: str
    text: str
    site: str = ""


@dataclass(frozen=True)
class Features:
    numbers: frozenset[str]
    subjects: frozenset[str]
    sessions: frozenset[str]
    words: frozenset[str]
    chinese: bool


def is_flash_text(body_text: str) -> bool:
    """Short enough to be a flash (the decision below is meant for those only)."""
    return 0 < len(body_text.strip()) <= SHORT_TEXT


def same_story(a: Flash, b: Flash) -> bool:
    """Whether two flashes are one story (see the module docstring). Symmetric."""
    if abs(a.published - b.published) > WINDOW or (a.site and a.site == b.site):
        return False
    fa, fb = features(a.title, a.text), features(b.title, b.text)
    return (
        fa.chinese
        and fb.chinese
        and _numbers_agree(fa.numbers, fb.numbers)
        and _agree(fa.sessions, fb.sessions, lambda x, y: x == y)
        and _agree(fa.subjects, fb.subjects, lambda x, y: x in y or y in x)
        and containment(fa.words, fb.words) >= MIN_CONTAINMENT
    )


@lru_cache(maxsize=4096)
def features(title: str, text: str) -> Features:
    """Numbers, subjects and masked bigrams of a flash (title and text together)."""
    headline = _HEADLINE.match(text)
    body = text[headline.end():] if headline else text
    heads = [h for h in (title, headline.group(1) if headline else "") if h]
    body = _DATELINE.sub(" ", body)
    joined = " ".join([*heads, body])
    numbers = frozenset(_number(n) for n in _NUMBER.findall(joined))
    subjects = frozenset(s for s in (_subject(h) for h in [*heads, body.strip()]) if s)
    sessions = set()
    rest = joined
    for name, pattern in _SESSIONS:
        if pattern.search(rest):
            sessions.add(name)
            rest = pattern.sub(" ", rest)
    tokens = _WORD.findall(_NUMBER.sub("#", joined.lower()))
    words = frozenset(tokens[i] + tokens[i + 1] for i in range(len(tokens) - 1))
    return Features(numbers=numbers, subjects=subjects, sessions=frozenset(sessions), words=words,
                    chinese=is_chinese(joined))


def is_chinese(text: str) -> bool:
    """Mostly Chinese: at least as many CJK characters as Latin letters, and some."""
    cjk = len(_CJK.findall(text))
    return cjk > 0 and cjk >= len(_LATIN.findall(text))


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / min(|a|, |b|): 1.0 when the smaller set lies wholly in the larger."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _number(raw: str) -> str:
    value = raw.replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value.lstrip("0") or "0"


def _subject(text: str) -> str | None:
    match = _SUBJECT.match(text.strip().lstrip("【"))
    if not match:
        return None
    name = match.group(1)
    return _ALIASES.get(name, name)


def _numbers_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    fewer, more = (a, b) if len(a) <= len(b) else (b, a)
    if fewer <= more:
        return True
    return len(a & b) >= SHARED_FIGURES and len(a - b) <= 1 and len(b - a) <= 1


def _agree(a: frozenset[str], b: frozenset[str], same: Callable[[str, str], bool]) -> bool:
    """True when either side names none, else when some pair of names agrees."""
    if not a or not b:
        return True
    return any(same(x, y) for x in a for y in b)
