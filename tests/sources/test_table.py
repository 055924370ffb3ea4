"""The README's sources table matches the registry: every registered kind, with its own values."""

from __future__ import annotations

from pathlib import Path

from scraper.sources import source_kinds
from scraper.sources.table import BUILT_IN, HEADER, interval_text, sources_table

README = Path(__file__).resolve().parent.parent.parent / "README.md"
# the kinds of the feature's contract; a row may name one that this build has not registered yet
CONTRACT = {"cls_telegraph", "cls_depth", "wallstreetcn_live", "wallstreetcn_news", "sina_zhibo",
            "eastmoney_fastnews", "stcn_kuaixun", "yicai_brief", "jin10_flash", "rsshub"}


def _rows(text: str) -> dict[str, str]:
    lines = text.splitlines()
    start = lines.index(HEADER.splitlines()[0])
    rows: dict[str, str] = {}
    for line in lines[start + 2:]:
        if not line.startswith("| `"):
            break
        kind = line.split("`")[1]
        assert kind not in rows, f"{kind} listed twice"
        rows[kind] = line
    return rows


def test_readme_lists_every_registered_kind_as_the_registry_describes_it() -> None:
    readme = _rows(README.read_text(encoding="utf-8"))
    expected = _rows(sources_table())
    assert set(expected) == {kind for kind, *_ in BUILT_IN} | set(source_kinds())
    for kind, row in expected.items():
        assert readme.get(kind) == row, f"README row for {kind} differs from the registry: run python -m scraper.sources.table"
    assert set(readme) <= set(expected) | CONTRACT


def test_interval_text() -> None:
    assert [interval_text(s) for s in (60.0, 90.0, 300.0, 3600.0, 7200.0)] == ["1m", "90s", "5m", "1h", "2h"]
