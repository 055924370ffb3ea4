"""Extraction benchmark: quality and speed of newsroll against trafilatura and readability.

Run from the repository root:

    .venv/bin/python benchmarks/bench_extract.py            # full run (about a minute)
    .venv/bin/python benchmarks/bench_extract.py --quick    # fewer timing rounds
    .venv/bin/python benchmarks/bench_extract.py --json out.json

Pages and hand-checked expected text are listed in ``benchmarks/data/manifest.toml``
(``kind = "known"``: sites newsroll has rules for; ``"other"``: generic pages).

Systems, all fed the same raw bytes and URL, in the same process and run:

* ``newsroll``          ``scraper.extract.extract`` as the pipeline calls it (site rules where
                        the URL is known, generic otherwise);
* ``newsroll-generic``  the same function forced to the generic path (``rules_name="generic"``);
* ``trafilatura``       ``trafilatura.extract(html, url=url)`` with its default settings;
* ``readability``       ``readability.Document(html).summary()`` (readability-lxml), its HTML
                        turned into text with the same ``html_to_text`` as newsroll's.

Quality: precision, recall and F1 of the extracted body text against the expected text, as
bags of units: characters for Chinese pages (whitespace ignored), lower-cased word tokens for
English ones. ``shF1`` is the stricter shingle F1 (4-unit shingles, as in the ScrapingHub
article-extraction benchmark) that also punishes text in the wrong order. Figures are
means over pages. Speed: pages per second of this one process's CPU time
(``time.process_time``, so other load on a shared machine does not count), the best of
several rounds over each page group, rounds interleaved between systems so a noisy machine
hurts all systems alike; compare the ratios rather than the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import tomllib
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.errors import ExtractError  # noqa: E402
from scraper.extract import extract  # noqa: E402
from scraper.sanitize import html_to_text  # noqa: E402


@dataclass(frozen=True)
class Page:
    name: str
    raw: bytes
    expected: str
    url: str
    kind: str
    lang: str


def load_pages(manifest: Path) -> list[Page]:
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    return [
        Page(entry["name"], (ROOT / entry["html"]).read_bytes(),
             (ROOT / entry["expected"]).read_text(encoding="utf-8"), entry["url"], entry["kind"], entry["lang"])
        for entry in data["page"]
    ]


# ---- systems ---------------------------------------------------------------------------------

def run_newsroll(page: Page) -> str:
    try:
        return extract(page.raw, page.url).body_text
    except ExtractError:
        return ""


def run_newsroll_generic(page: Page) -> str:
    try:
        return extract(page.raw, page.url, rules_name="generic").body_text
    except ExtractError:
        return ""


def run_trafilatura(page: Page) -> str:
    import trafilatura

    return trafilatura.extract(page.raw, url=page.url) or ""


def run_readability(page: Page) -> str:
    from readability import Document

    try:
        return html_to_text(Document(page.raw).summary(html_partial=True))
    except Exception:  # readability raises bare errors on pages it cannot score
        return ""


SYSTEMS: dict[str, Callable[[Page], str]] = {
    "newsroll": run_newsroll,
    "newsroll-generic": run_newsroll_generic,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
}

# ---- quality ---------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_IGNORED_CHARS = re.compile(r"\s+")


def units(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return list(_IGNORED_CHARS.sub("", text))
    return _WORD.findall(text.lower())


def prf(predicted: Counter[str], expected: Counter[str]) -> tuple[float, float, float]:
    common = sum((predicted & expected).values())
    precision = common / sum(predicted.values()) if predicted else 0.0
    recall = common / sum(expected.values()) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def shingles(seq: list[str], n: int = 4) -> Counter[str]:
    return Counter("\x00".join(seq[i:i + n]) for i in range(max(len(seq) - n + 1, 1))) if seq else Counter()


def score(predicted: str, page: Page) -> dict[str, float]:
    got, want = units(predicted, page.lang), units(page.expected, page.lang)
    precision, recall, f1 = prf(Counter(got), Counter(want))
    return {"precision": precision, "recall": recall, "f1": f1, "shingle_f1": prf(shingles(got), shingles(want))[2]}


# ---- speed -----------------------------------------------------------------------------------

def pages_per_second(system: Callable[[Page], str], pages: list[Page], min_seconds: float) -> float:
    start = time.process_time()
    count = 0
    while True:
        for page in pages:
            system(page)
        count += len(pages)
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            return count / elapsed


def measure_speed(pages: list[Page], rounds: int, min_seconds: float) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, system in SYSTEMS.items():
            best[name] = max(best.get(name, 0.0), pages_per_second(system, pages, min_seconds))
    return best


# ---- report ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, default=ROOT / "benchmarks" / "data" / "manifest.toml")
    parser.add_argument("--quick", action="store_true", help="one timing round of 0.5 s per system")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--per-page", action="store_true", help="print each page's F1 per system")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # readability/trafilatura chatter on odd pages

    pages = load_pages(args.manifest)
    groups = {"known": [p for p in pages if p.kind == "known"], "other": [p for p in pages if p.kind == "other"]}
    results: dict[str, dict[str, dict[str, float]]] = {}
    per_page: dict[str, dict[str, float]] = {}
    for group, members in groups.items():
        results[group] = {}
        for name, system in SYSTEMS.items():
            scores = [score(system(page), page) for page in members]
            for page, page_score in zip(members, scores, strict=True):
                per_page.setdefault(page.name, {})[name] = page_score["f1"]
            results[group][name] = {key: statistics.fmean(s[key] for s in scores) for key in scores[0]}
        rounds, seconds = (1, 0.5) if args.quick else (3, 2.0)
        for name, speed in measure_speed(members, rounds, seconds).items():
            results[group][name]["pages_per_s"] = speed

    for group, members in groups.items():
        langs = Counter(p.lang for p in members)
        print(f"\n{group} pages: {len(members)} ({', '.join(f'{n} {lang}' for lang, n in sorted(langs.items()))})")
        print(f"  {'system':18} {'P':>6} {'R':>6} {'F1':>6} {'shF1':>6} {'pages/s':>9} {'× trafilatura':>14}")
        base = results[group]["trafilatura"]["pages_per_s"]
        for name, row in results[group].items():
            print(f"  {name:18} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
                  f"{row['shingle_f1']:6.3f} {row['pages_per_s']:9.1f} {row['pages_per_s'] / base:13.1f}×")
    if args.per_page:
        print("\nper-page F1")
        names = list(SYSTEMS)
        print(f"  {'page':28} " + " ".join(f"{n[:16]:>16}" for n in names))
        for page_name, row in per_page.items():
            print(f"  {page_name:28} " + " ".join(f"{row[n]:16.3f}" for n in names))
    if args.json:
        args.json.write_text(json.dumps({"groups": results, "per_page_f1": per_page}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
