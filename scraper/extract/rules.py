"""Site extraction rules, loaded from TOML data files (``scraper/rules/*.toml``).

One file describes one site (or family of templates) as data::

    name = "sina"
    timezone = "Asia/Shanghai"
    url_patterns = ['^https?://(finance|news|tech)\\.sina\\.com\\.cn/.+']
    title = ["h1.main-title", "h1#artibodyTitle", "meta[property='og:title']@content"]
    body = ["#artibody", "#article"]
    published = ["meta[name='weibo: article:create_at']@content", ".date-source .date"]
    drop = [".appendQr_wrap", "p.article-editor"]

A *field* (``title``, ``published``, ``author``, ``source``, ``editor``, ``image``) is an
ordered list; the first item that yields a non-empty value wins. An item is a CSS selector
(text of the first match), ``"selector@attr"`` (that attribute), or a table
``{css = "...", attr = "...", pattern = "regex with one group"}`` which tries every match and
keeps the first whose value matches ``pattern`` (group 1 is the value).

Optional keys: ``published_formats`` (strptime patterns tried before the built-in parser),
``drop`` (selectors removed from the body), ``drop_paragraphs`` (regexes: a body ``<p>`` whose
whole text matches is removed), ``drop_link_paragraphs`` (remove ``<p>`` whose text is all
links: related-article lists), ``strip_prefixes`` (regexes removed from the start of
author/source/editor values, e.g. ``来源：``), ``title_suffix`` (regex removed from the end
of the title), ``region_start``/``region_end`` (literal markers of the slice of the page
that holds the article, tried in list order, the first found wins: parsing only that slice
plus the head's tags is the fast path; the whole page is parsed if the slice does not
satisfy the rules).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from scraper.errors import ScraperError

logger = logging.getLogger(__name__)

__all__ = ["FieldSpec", "RuleBook", "RulesError", "SiteRules", "default_rulebook", "load_rules"]


class RulesError(ScraperError):
    """A rules file is malformed (unknown key, wrong type, bad regex or selector)."""


@dataclass(frozen=True)
class FieldSpec:
    """Where one metadata value lives: a selector, optionally an attribute and a regex."""

    css: str
    attr: str | None = None
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class SiteRules:
    """Everything the site-rules extractor needs to know about one site."""

    name: str
    url_patterns: tuple[re.Pattern[str], ...]
    body: tuple[str, ...]
    timezone: str | None = None
    title: tuple[FieldSpec, ...] = ()
    published: tuple[FieldSpec, ...] = ()
    published_formats: tuple[str, ...] = ()
    author: tuple[FieldSpec, ...] = ()
    source: tuple[FieldSpec, ...] = ()
    editor: tuple[FieldSpec, ...] = ()
    image: tuple[FieldSpec, ...] = ()
    drop: tuple[str, ...] = ()
    drop_paragraphs: tuple[re.Pattern[str], ...] = ()
    drop_link_paragraphs: bool = False
    strip_prefixes: tuple[re.Pattern[str], ...] = ()
    title_suffix: re.Pattern[str] | None = None
    region_start: tuple[str, ...] = ()
    region_end: tuple[str, ...] = ()
    description: str = ""
    drop_paragraph_regex: re.Pattern[str] | None = None  # drop_paragraphs as one alternation

    def matches(self, url: str) -> bool:
        """True if ``url`` is one of this site's article URLs."""
        return any(pattern.search(url) for pattern in self.url_patterns)


_FIELD_KEYS = ("title", "published", "author", "source", "editor", "image")
_LIST_KEYS = ("body", "published_formats", "drop", "region_start", "region_end")
_REGEX_LIST_KEYS = ("url_patterns", "drop_paragraphs", "strip_prefixes")
_KNOWN_KEYS = {
    "name", "timezone", "description", "title_suffix", "drop_link_paragraphs",
    *_FIELD_KEYS, *_LIST_KEYS, *_REGEX_LIST_KEYS,
}


def _regex(value: Any, where: str) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise RulesError(f"{where}: expected a regex string, got {type(value).__name__}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise RulesError(f"{where}: bad regex {value!r}: {exc}") from exc


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: expected a list of strings")
    return tuple(value)


def _field(value: Any, where: str) -> tuple[FieldSpec, ...]:
    items = [value] if isinstance(value, str | dict) else value
    if not isinstance(items, list):
        raise RulesError(f"{where}: expected a list of selectors")
    specs = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        if isinstance(item, str):
            css, _, attr = item.partition("@")
            specs.append(FieldSpec(css.strip(), attr.strip() or None))
            continue
        if isinstance(item, dict):
            unknown = set(item) - {"css", "attr", "pattern"}
            if unknown or not isinstance(item.get("css"), str):
                raise RulesError(f"{here}: needs 'css' (and optional 'attr', 'pattern'), got {sorted(item)}")
            attr_value = item.get("attr")
            if attr_value is not None and not isinstance(attr_value, str):
                raise RulesError(f"{here}.attr: expected a string")
            pattern = _regex(item["pattern"], f"{here}.pattern") if "pattern" in item else None
            specs.append(FieldSpec(item["css"], attr_value, pattern))
        else:
            raise RulesError(f"{here}: expected a selector string or a table")
    return tuple(specs)


def _check_selectors(rules: SiteRules, origin: str) -> None:
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError

    probe = LexborHTMLParser("<p></p>")
    fields = {key: [spec.css for spec in getattr(rules, key)] for key in _FIELD_KEYS}
    for key, selectors in {"body": list(rules.body), "drop": list(rules.drop), **fields}.items():
        for selector in selectors:
            try:
                probe.css(selector)
            except SelectolaxError as exc:
                raise RulesError(f"{origin}: {key}: bad CSS selector {selector!r}") from exc


def parse_rules(data: Mapping[str, Any], origin: str) -> SiteRules:
    """Validate one decoded TOML document; raise RulesError naming the bad key."""
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise RulesError(f"{origin}: unknown key {unknown[0]!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise RulesError(f"{origin}: missing key 'name'")
    if "body" not in data or "url_patterns" not in data:
        raise RulesError(f"{origin}: missing key {'body' if 'body' not in data else 'url_patterns'!r}")
    kwargs: dict[str, Any] = {"name": name}
    for key in _FIELD_KEYS:
        if key in data:
            kwargs[key] = _field(data[key], f"{origin}: {key}")
    for key in _LIST_KEYS:
        if key in data:
            kwargs[key] = _strings(data[key], f"{origin}: {key}")
    for key in _REGEX_LIST_KEYS:
        if key in data:
            kwargs[key] = tuple(_regex(v, f"{origin}: {key}") for v in _strings(data[key], f"{origin}: {key}"))
    for key in ("timezone", "description"):
        if key in data:
            if not isinstance(data[key], str):
                raise RulesError(f"{origin}: {key}: expected a string")
            kwargs[key] = data[key]
    if kwargs.get("drop_paragraphs"):
        kwargs["drop_paragraph_regex"] = re.compile("|".join(f"(?:{p.pattern})" for p in kwargs["drop_paragraphs"]))
    if "title_suffix" in data:
        kwargs["title_suffix"] = _regex(data["title_suffix"], f"{origin}: title_suffix")
    if "drop_link_paragraphs" in data:
        if not isinstance(data["drop_link_paragraphs"], bool):
            raise RulesError(f"{origin}: drop_link_paragraphs: expected true or false")
        kwargs["drop_link_paragraphs"] = data["drop_link_paragraphs"]
    rules = SiteRules(**kwargs)
    _check_selectors(rules, origin)
    return rules


def _load_file(text: str, origin: str) -> SiteRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{origin}: {exc}") from exc
    return parse_rules(data, origin)


@dataclass(frozen=True)
class RuleBook:
    """An ordered set of site rules: look one up by name or by URL."""

    rules: tuple[SiteRules, ...] = field(default_factory=tuple)

    def get(self, name: str) -> SiteRules | None:
        """The rule set called ``name``, or None."""
        for rules in self.rules:
            if rules.name == name:
                return rules
        return None

    def for_url(self, url: str) -> SiteRules | None:
        """The first rule set whose URL patterns match ``url``, or None."""
        for rules in self.rules:
            if rules.matches(url):
                return rules
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(rules.name for rules in self.rules)


def load_rules(extra_dirs: Iterable[Path] = ()) -> RuleBook:
    """Load the packaged rules, then ``*.toml`` in ``extra_dirs`` (which override by name)."""
    by_name: dict[str, SiteRules] = {}
    package_dir = resources.files("scraper").joinpath("rules")
    for entry in sorted(package_dir.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            rules = _load_file(entry.read_text(encoding="utf-8"), f"rules/{entry.name}")
            by_name[rules.name] = rules
    for directory in extra_dirs:
        for path in sorted(Path(directory).glob("*.toml")):
            rules = _load_file(path.read_text(encoding="utf-8"), str(path))
            by_name[rules.name] = rules
    return RuleBook(tuple(by_name.values()))


@lru_cache(maxsize=1)
def default_rulebook() -> RuleBook:
    """The packaged rules, loaded once."""
    return load_rules()
