"""Source kinds beyond plain feeds: one module per wire, each a pure :class:`Source` description.

    registry (this module) ─▶ Source(kind, parse, request_url, parse_article, …)  [base.py]
    flash.py                 titles for flash items (leading 【…】 or the first sentence)
    <wire>.py                one wire's listing parser, paging/signing and article reader

Add a wire: write ``scraper/sources/<wire>.py`` exposing ``SOURCE`` (or several), register it in
``_MODULES`` below, add its tests under ``tests/sources/``. ``jobs`` needs no change beyond the
README's sources table: config validation and the pipeline read the registry.
"""

from __future__ import annotations

import importlib

from scraper.sources.base import Source

# kind -> module that defines it (imported lazily: a daemon loads only the wires it reads)
_MODULES: dict[str, str] = {
    "cls_telegraph": "scraper.sources.cls",
    "cls_depth": "scraper.sources.cls_depth",
    "wallstreetcn_live": "scraper.sources.wallstreetcn",
    "wallstreetcn_news": "scraper.sources.wallstreetcn",
    "jin10_flash": "scraper.sources.jin10",
    "rsshub": "scraper.sources.rsshub",
    "sina_zhibo": "scraper.sources.sina_zhibo",
    "eastmoney_fastnews": "scraper.sources.eastmoney_fastnews",
    "stcn_kuaixun": "scraper.sources.stcn_kuaixun",
    "yicai_brief": "scraper.sources.yicai_brief",
}


def source_kinds() -> tuple[str, ...]:
    """Every registered wire kind (the plain ``feed`` and ``sina_roll`` kinds are not here)."""
    return tuple(_MODULES)


def get_source(kind: str) -> Source:
    """The :class:`Source` for ``kind``; KeyError for a kind that is not a registered wire."""
    module = importlib.import_module(_MODULES[kind])
    sources: dict[str, Source] = {s.kind: s for s in getattr(module, "SOURCES", ())}
    return sources[kind]


__all__ = ["Source", "get_source", "source_kinds"]
