"""The offline list of companies (code → short name) the text tagger matches names against. Pure
apart from reading the list file.

The shipped list is ``scraper/stocks/data/stocks.csv`` (see data/SOURCES.md); a user's list
(``newsroll stocks load FILE``) is a CSV of ``code,name`` rows, codes in any form
:func:`scraper.stocks.normalize_code` reads (``600519``, ``sh600519``, ``600519.SH``, ``00700.HK``).

Names are matched in their normalized form (:func:`normalize_name`: NFKC, no spaces), with aliases
newsrooms write: without the class mark (``万科A`` → ``万科``) and without the risk-warning prefix
(``*ST美丽`` → ``美丽``); an alias that two companies share goes to the listed A-share, or to none.
Names in ``data/stoplist.txt`` (common words, places, news sites) are never tagged by name alone.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from scraper.errors import StockListError
from scraper.stocks.codes import normalize_code

if TYPE_CHECKING:
    import ahocorasick_rs

_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(r"^(?:S\*ST|\*ST|ST|PT|S)(?=[\u4e00-\u9fff])")
_CLASS_A = re.compile(r"(?<=[\u4e00-\u9fff]{2})A$")
MIN_NAME_CHARS = 2
_NORMALIZED = re.compile(r"(?:SH6|SZ[023]|BJ[489])\d{5}|HK\d{5}")  # as the shipped list writes codes


def normalize_name(text: str) -> str:
    """A name as it is matched: NFKC (full-width letters and digits folded), no whitespace."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text) if _SPACES.search(text) else text


@dataclass(frozen=True)
class StockDirectory:
    """Companies by code and by (normalized) name, with the stop list. Build with :func:`build_directory`."""

    names: Mapping[str, str]  # code → short name
    by_name: Mapping[str, str]  # normalized name or alias → code
    stop: frozenset[str]
    # name → (characters never right before it, never right after it): data/aliases.csv's guards
    guards: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    def name_of(self, code: str) -> str:
        """The short name of ``code``, or "" when the list does not know it."""
        return self.names.get(code, "")

    def code_for(self, name: str) -> str | None:
        """The code a company name (or alias) stands for, or None."""
        return self.by_name.get(normalize_name(name))

    def __len__(self) -> int:
        return len(self.names)

    @cached_property
    def matcher(self) -> tuple[ahocorasick_rs.AhoCorasick | None, tuple[str, ...]]:
        """Every name and alias in one Aho-Corasick automaton (leftmost-longest), with the names by
        pattern index. Built on first use (about 25 ms for the shipped list), so what never tags
        (search, export, the CLI's start) never pays for it."""
        import ahocorasick_rs  # here: only what tags loads it

        keys = tuple(self.by_name)
        if not keys:
            return None, keys
        return ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), keys


def _rank(code: str, listed: bool) -> tuple[int, int]:
    """Which company an alias shared by several goes to: listed first, then A-shares (not B, not HK)."""
    digits = code[2:]
    a_share = code[:2] in ("SH", "SZ", "BJ") and not digits.startswith(("900", "200", "201"))
    return (0 if listed else 1, 0 if a_share else 1)


def build_directory(
    rows: Iterable[tuple[str, str, bool]], stop: Iterable[str] = (), guards: Mapping[str, tuple[str, str]] | None = None
) -> StockDirectory:
    """A directory of ``(code, name, listed)`` rows (codes normalized). A code's first row gives its
    short name; further rows of the same code add names it is known by (``HK00700,腾讯``)."""
    names: dict[str, str] = {}
    listed_of: dict[str, bool] = {}
    every: list[tuple[str, str]] = []
    for code, name, listed in rows:
        names.setdefault(code, name)  # a code's later rows are other names for it (腾讯控股, 腾讯)
        listed_of[code] = listed_of.get(code, False) or listed
        every.append((code, name))
    exact: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    for code, name in every:
        key = normalize_name(name)
        if len(key) >= MIN_NAME_CHARS and (key not in exact or _rank(code, listed_of[code]) < _rank(
            exact[key], listed_of[exact[key]])):
            exact[key] = code
        if not (key.endswith("A") or key.startswith(("S", "*", "P"))):
            continue  # most names have neither mark: no alias (the regexes below cost most of the build)
        # a class-A alias may be short (万科A → 万科); a risk-warning one must keep 3 characters
        # (ST生态 → 生态 is a common word)
        for alias, shortest in ((_CLASS_A.sub("", key), MIN_NAME_CHARS), (_PREFIX.sub("", key), 3),
                                (_CLASS_A.sub("", _PREFIX.sub("", key)), 3)):
            if alias != key and len(alias) >= shortest:
                aliases.setdefault(alias, []).append(code)
    by_name = dict(exact)
    for alias, codes in aliases.items():
        if alias in by_name:
            continue
        ranked = sorted(codes, key=lambda c: _rank(c, listed_of[c]))
        if len(ranked) == 1 or _rank(ranked[0], listed_of[ranked[0]]) < _rank(ranked[1], listed_of[ranked[1]]):
            by_name[alias] = ranked[0]
    return StockDirectory(names=names, by_name=by_name, stop=frozenset(normalize_name(s) for s in stop),
                          guards=dict(guards or {}))


def parse_stock_list(text: str) -> list[tuple[str, str, bool]]:
    """``(code, name, listed)`` rows of a ``code,name[,listed]`` CSV (a header row is allowed).

    Codes: any form normalize_code reads; bare 4–5 digits are Hong Kong (``00700``).

    Raises StockListError naming the line of the first row whose code is not a stock code or whose
    name is empty; an empty list is an error too.
    """
    rows: list[tuple[str, str, bool]] = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not record or not "".join(record).strip():
            continue
        first = record[0].strip().lstrip("\ufeff")
        if number == 1 and first.lower() in ("code", "stock_code", "代码", "证券代码", "股票代码"):
            continue
        code = first if _NORMALIZED.fullmatch(first) else normalize_code(
            f"HK{first}" if first.isdigit() and len(first) <= 5 else first)
        if code is None:
            raise StockListError(f"line {number}: {first!r} is not a stock code (e.g. 600519, SH600519, 00700.HK)")
        name = normalize_name(record[1]) if len(record) > 1 else ""
        if not name:
            raise StockListError(f"line {number}: no company name after {first!r} (rows are code,name)")
        listed = len(record) < 3 or record[2].strip() != ""
        rows.append((code, name, listed))
    if not rows:
        raise StockListError("the stock list has no rows (expected code,name lines)")
    return rows


def read_stock_list(path: Path) -> list[tuple[str, str, bool]]:
    """The rows of the CSV file at ``path``. Raises StockListError (unreadable, not UTF-8, malformed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise StockListError(f"cannot read stock list {path}: {exc}") from exc
    try:
        return parse_stock_list(text)
    except StockListError as exc:
        raise StockListError(f"{path}: {exc}") from None


def _data_text(name: str) -> str:
    return resources.files("scraper.stocks").joinpath("data", name).read_text(encoding="utf-8")


def stop_list() -> list[str]:
    """The shipped stop list (data/stoplist.txt)."""
    lines = (line.split("#", 1)[0].strip() for line in _data_text("stoplist.txt").splitlines())
    return [line for line in lines if line]


def _aliases() -> list[list[str]]:
    lines = [line for line in _data_text("aliases.csv").splitlines()[1:] if line and not line.startswith("#")]
    return [record for record in csv.reader(lines) if len(record) >= 4]


def alias_rows(known: Iterable[str] | None = None) -> list[tuple[str, str, bool]]:
    """The everyday names of data/aliases.csv (``茅台``, ``京东``, ``特斯拉``…) as further rows of
    their codes (see build_directory): all of them, or those of the codes in ``known``."""
    codes = None if known is None else set(known)
    return [(code, normalize_name(alias), True) for code, alias, *_ in _aliases() if codes is None or code in codes]


def alias_guards() -> dict[str, tuple[str, str]]:
    """Alias → (characters never right before it, never right after it), from data/aliases.csv."""
    return {normalize_name(alias): (before, after) for _, alias, before, after, *_ in _aliases() if before or after}


@lru_cache(maxsize=1)
def default_directory() -> StockDirectory:
    """The shipped list with every alias (US tickers' Chinese names too) and the stop list (built
    once per process, on first use)."""
    return build_directory(parse_stock_list(_data_text("stocks.csv")) + alias_rows(), stop_list(), alias_guards())


def load_directory(path: Path | None) -> StockDirectory:
    """The user's list at ``path`` when given and present (with the aliases of its own codes: a
    user's list without US tickers tags none by name), else the shipped one. Raises StockListError."""
    if path is None or not path.exists():
        return default_directory()
    rows = read_stock_list(path)
    return build_directory(rows + alias_rows(code for code, _, _ in rows), stop_list(), alias_guards())
