"""Article extraction: bytes (any charset) + URL → :class:`scraper.models.Extracted`.

    extract(content, url, rules_name=None, charset=None)
      ├── decode_html (BOM, header, <meta>, detection; GBK read as GB18030)
      ├── site rules (scraper/rules/*.toml) matched by URL (or the page's own og:url /
      │   canonical URL: mirrors, saved files), or forced by ``rules_name``
      │     └── body not found (template change) → warning, ``rules_missed=True``, generic
      └── generic (scraper.extract.generic): selectolax pre-cleaning, then paragraph-density
            scoring for Chinese pages, trafilatura for the others

``extract`` is a pure function of its arguments, so stored raw pages can be re-extracted
with today's rules (``newsroll reparse``). It raises :class:`scraper.errors.ExtractError`
when nothing usable is found.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scraper.charset import decode_html
from scraper.errors import ExtractError
from scraper.extract.dates import zone as zone_info
from scraper.extract.images import lead_image
from scraper.extract.rules import RuleBook, RulesError, SiteRules, default_rulebook, load_rules
from scraper.extract.sitepath import extract_with_rules
from scraper.models import Extracted

logger = logging.getLogger(__name__)

__all__ = [
    "extract", "lead_image", "local_published", "page_url_hint", "site_zone_for", "RuleBook", "RulesError", "SiteRules", "load_rules",
    "default_rulebook",
]

# Chinese sites print local times without a zone; everything else defaults to UTC only when
# the page gives an offset (ISO/RFC dates) — a naive time on an unknown site is read as UTC.
_CHINA_SUFFIXES = (".cn", ".com.cn", ".net.cn", ".org.cn", ".gov.cn", ".hk")
_CHINA_HOSTS = ("stcn.com", "cls.cn", "yicai.com", "wallstreetcn.com", "eastmoney.com", "gelonghui.com",
                "jiemian.com", "caixin.com", "21jingji.com", "nbd.com.cn", "10jqka.com.cn", "hexun.com",
                "thepaper.cn", "36kr.com", "qq.com", "163.com", "sohu.com", "ifeng.com", "cnstock.com")


def site_zone_for(url: str) -> str | None:
    """The zone in which a site's naive times are written (Asia/Shanghai for Chinese sites)."""
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith(_CHINA_SUFFIXES) or any(host == h or host.endswith("." + h) for h in _CHINA_HOSTS):
        return "Asia/Shanghai"
    return None


_URL_HINT = re.compile(
    rb"""<(?:link[^>]+rel=["']?canonical["']?[^>]+href|meta[^>]+property=["']og:url["'][^>]+content)"""
    rb"""\s*=\s*["'](https?://[^"'\s<>]+)["']""",
    re.IGNORECASE,
)
_HINT_SCAN = 256 * 1024


def page_url_hint(content: bytes | str) -> str | None:
    """The page's own URL (``<link rel=canonical>`` or ``og:url``), read from its first bytes."""
    head = content[:_HINT_SCAN]
    raw = head.encode("utf-8", "ignore") if isinstance(head, str) else head
    match = _URL_HINT.search(raw)
    return html.unescape(match.group(1).decode("ascii", "ignore")) if match else None


def local_published(found: Extracted) -> datetime | None:
    """``found.published`` in the page's own offset (or the zone assumed for it), else UTC."""
    if found.published is None:
        return None
    if found.published_offset is None:
        return found.published
    return found.published.astimezone(timezone(found.published_offset))


def _with_offset(found: Extracted, zone_name: str | None) -> Extracted:
    """Name the offset of the zone the page's time was read in, when the extractor did not."""
    if found.published is None or found.published_offset is not None:
        return found
    offset = found.published.astimezone(zone_info(zone_name)).utcoffset()
    return dataclasses.replace(found, published_offset=offset)


def _choose_rules(url: str, rules_name: str | None, rulebook: RuleBook) -> SiteRules | None:
    if rules_name:
        if rules_name == "generic":
            return None
        rules = rulebook.get(rules_name)
        if rules is None:
            raise ExtractError(f"unknown extraction rules {rules_name!r} (known: {', '.join(rulebook.names)})")
        return rules
    return rulebook.for_url(url)


def extract(
    content: bytes | str,
    url: str,
    *,
    rules_name: str | None = None,
    charset: str | None = None,
    rulebook: RuleBook | None = None,
) -> Extracted:
    """Extract the article of one page.

    ``content`` is the raw page (bytes in any charset, or already-decoded text); ``url`` its
    address (base for relative links, and what selects site rules; for a saved file whose
    ``url`` is not http(s), the page's own canonical/og:url stands in); ``rules_name`` forces
    a rule set (``"generic"`` forces the generic extractor); ``charset`` is the HTTP header's.
    When no rules match ``url``, the page's canonical/og:url may select them (mirrors).
    Raises ExtractError when the page has no extractable article (or names unknown rules).
    """
    book = rulebook if rulebook is not None else default_rulebook()
    if not content.strip():
        raise ExtractError(f"empty page: {url}")
    if not url.startswith(("http://", "https://")):
        # A saved file (file://…): its own canonical URL resolves links and picks rules.
        url = page_url_hint(content) or url
    rules = _choose_rules(url, rules_name, book)
    if rules is None and not rules_name:
        hint = page_url_hint(content)  # a mirror or proxy serving a known site's page
        rules = book.for_url(hint) if hint else None
    missed = False
    if rules is not None:
        found = extract_with_rules(content, url, rules, charset)
        if found is not None:
            return _with_offset(found, rules.timezone)
        missed = True
        logger.warning("rules %s matched %s but found no article body; using the generic extractor", rules.name, url)
    # Imported here: the generic path brings trafilatura and readability (about 0.3 s to import),
    # which a run whose pages all have site rules never needs.
    from scraper.extract.generic import extract_generic

    text = content if isinstance(content, str) else decode_html(content, charset)[0]
    zone = rules.timezone if rules is not None else site_zone_for(url)
    generic = extract_generic(text, url, zone)
    if generic is None:
        raise ExtractError(f"no article text found in {url}")
    if missed and rules is not None:
        generic = dataclasses.replace(generic, rules_missed=True)
    return _with_offset(generic, zone)
