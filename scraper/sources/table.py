"""The README's sources table, made from the registry (``python -m scraper.sources.table`` prints it).

The rows of the two kinds that are not wires (``feed``, ``sina_roll``) are written here; every wire
row comes from its :class:`~scraper.sources.base.Source` (``reads``, ``history``,
``default_interval``), so the README cannot drift from the code (tests/sources/test_table.py).
"""

from __future__ import annotations

from scraper.sources import get_source, source_kinds

BUILT_IN = (
    ("feed", "any RSS 2.0 / Atom / RDF / JSON Feed URL (RSSHub routes too)",
     "what the feed lists; RFC 5005 archives and paged feeds back to their start", "5m (schedule.interval)"),
    ("sina_roll", "新浪财经 roll API channels (pageid/lid)", "pages back with page=N", "5m (schedule.interval)"),
)
HEADER = ("| kind | what it reads | how far back history goes | default interval |\n"
          "|---|---|---|---|")


def interval_text(seconds: float) -> str:
    """300.0 → "5m", 90.0 → "90s", 3600.0 → "1h"."""
    whole = int(seconds)
    if whole % 3600 == 0:
        return f"{whole // 3600}h"
    if whole % 60 == 0:
        return f"{whole // 60}m"
    return f"{whole}s"


def sources_table() -> str:
    """The markdown table: the built-in kinds, then every registered wire in registry order."""
    rows = [f"| `{kind}` | {reads} | {history} | {interval} |" for kind, reads, history, interval in BUILT_IN]
    for kind in source_kinds():
        source = get_source(kind)
        rows.append(f"| `{kind}` | {_cell(source.reads)} | {_cell(source.history)} | "
                    f"{interval_text(source.default_interval)} |")
    return "\n".join([HEADER, *rows])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "—"


if __name__ == "__main__":
    print(sources_table())
