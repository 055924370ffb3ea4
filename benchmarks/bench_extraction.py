"""Article extraction on a labelled development set: newsroll against trafilatura and readability-lxml.

Run from the repository root, naming the set's directory (``<set>/<page>/{page.html.gz,
expected.txt, meta.json}``, as in the extraction-dev fixtures):

    .venv/bin/python benchmarks/bench_extraction.py --dataset ../shared/fixtures/extraction-dev
    .venv/bin/python benchmarks/bench_extraction.py --dataset DIR --rounds 3   # steadier pages/s
    .venv/bin/python benchmarks/bench_extraction.py --dataset DIR --only newsroll --details out.jsonl

Each extractor runs in its own subprocess over all pages (the pages are unpacked to a temp
directory first), and pages/s is that subprocess's wall time, process start and imports
included (with ``--rounds N`` the systems run N times in turn and the best round counts, so a
busy machine slows all of them alike):

* ``newsroll``     ``scraper.extract.extract(bytes, file-URL)``, as ``newsroll extract`` calls it;
* ``trafilatura``  ``trafilatura.bare_extraction(bytes, with_metadata=True)``, default settings;
* ``readability``  ``readability.Document(bytes).summary()`` (readability-lxml), turned into
                   text with newsroll's ``html_to_text``; it reads no dates.

Scores, per set and per language: ``F1`` is the mean per-page shingle F1 (tokens are ``\\w+``
runs with every CJK character a token of its own; 4-token shingles as multisets; an empty
output scores 0) over pages labelled with full text; ``empty`` counts pages with no text;
``date`` is the share of pages with a labelled date whose printed date names the same
calendar day (the day of the page's own time zone: printed dates carry the page's offset);
``byline`` the share of pages with a labelled author whose printed author names the same set
of people. Pages labelled only with snippets count for ``snip``: the share of required
snippets found and forbidden snippets absent.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SYSTEMS = ("newsroll", "trafilatura", "readability")

_CJK = ("\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303c\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
        "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f")
_WORD = re.compile(r"\w+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_SPLIT = re.compile(f"[{_CJK}]|[^{_CJK}]+")
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


# ------------------------------------------------------------------------------------------ workers

def _worker(system: str, files: list[str]) -> None:
    """Run one extractor over ``files``; print a JSON line per file (in the subprocess)."""
    import warnings

    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT))
    out = sys.stdout
    if system == "newsroll":
        from scraper.errors import ExtractError
        from scraper.extract import extract

        try:
            from scraper.extract import local_published
        except ImportError:  # an older newsroll: published in UTC
            def local_published(found: Any) -> Any:
                return found.published

        for name in files:
            raw = Path(name).read_bytes()
            try:
                found = extract(raw, Path(name).resolve().as_uri())
            except ExtractError:
                record: dict[str, Any] = {"file": name, "text": ""}
            else:
                when = local_published(found)
                record = {"file": name, "text": found.body_text, "author": found.author,
                          "published": when.isoformat() if when else None}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif system == "trafilatura":
        import trafilatura

        for name in files:
            doc = trafilatura.bare_extraction(Path(name).read_bytes(), with_metadata=True)
            text = getattr(doc, "text", None) or ""
            record = {"file": name, "text": text, "author": getattr(doc, "author", None),
                      "published": getattr(doc, "date", None)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        from readability import Document

        from scraper.sanitize import html_to_text

        for name in files:
            try:
                document = Document(Path(name).read_bytes())
                text, author = html_to_text(document.summary()), document.author()
            except Exception:  # noqa: BLE001 - a crash on one page is an empty output, as for the others
                text, author = "", None
            author = None if author in (None, "", "[no-author]") else author
            out.write(json.dumps({"file": name, "text": text, "author": author}, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------------------------------ scoring

def tokens(text: str) -> list[str]:
    found: list[str] = []
    for word in _WORD.findall(text or ""):
        found.extend(_CJK_SPLIT.findall(word) if _CJK_CHAR.search(word) else [word])
    return found


def _shingles(words: list[str], n: int = 4) -> collections.Counter[tuple[str, ...]]:
    if len(words) < n:
        return collections.Counter([tuple(words)] if words else [])
    return collections.Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def shingle_f1(expected: str, output: str) -> float:
    want, got = _shingles(tokens(expected)), _shingles(tokens(output))
    if not want and not got:
        return 1.0
    hit = sum((want & got).values())
    if not hit:
        return 0.0
    precision, recall = hit / sum(got.values()), hit / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def calendar_day(value: Any) -> tuple[int, int, int] | None:
    """The Y-M-D a printed date names (ISO, Chinese, numeric or English month forms)."""
    text = unicodedata.normalize("NFKC", str(value)).lower()
    match = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text)
    if match:
        return int(match[1]), int(match[2]), int(match[3])
    match = re.search(r"\b(\d{4})(\d{2})(\d{2})(?:t|\b)", text)
    if match:
        return int(match[1]), int(match[2]), int(match[3])
    match = re.search(r"\b([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text)
    if match and match[1] in _MONTHS:
        return int(match[3]), _MONTHS[match[1]], int(match[2])
    match = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})", text)
    if match and match[2] in _MONTHS:
        return int(match[3]), _MONTHS[match[2]], int(match[1])
    return None


def people(value: Any) -> frozenset[str]:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value if v)
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    text = re.sub(r"^\s*(by|von|par|por)\s+", "", text)
    parts = re.split(r"\s*(?:[,;，；、/&|]|\band\b|\bund\b|\bet\b| 和 )\s*", text)
    return frozenset(re.sub(r"\s+", " ", p).strip() for p in parts if p and p.strip())


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def score(page: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    meta, text = page["meta"], (record or {}).get("text") or ""
    row: dict[str, Any] = {"set": page["set"], "name": page["name"], "lang": meta.get("language") or "?",
                           "empty": not text.strip()}
    if meta.get("label_type") == "snippets":
        flat = _squash(text)
        checks = [_squash(s) in flat for s in meta.get("snippets_with") or []]
        checks += [_squash(s) not in flat for s in meta.get("snippets_without") or []]
        row["snip"] = sum(checks) / len(checks) if checks else None
    else:
        row["f1"] = shingle_f1(page["expected"], text)
    want_day = calendar_day(meta["published"]) if meta.get("published") else None
    if want_day is not None:
        got = (record or {}).get("published")
        row["date"] = got is not None and calendar_day(got) == want_day
    if meta.get("author"):
        got = (record or {}).get("author")
        row["byline"] = bool(got) and people(got) == people(meta["author"])
    return row


# ------------------------------------------------------------------------------------------ driver

def load(dataset: Path) -> list[dict[str, Any]]:
    pages = []
    for page_dir in sorted(dataset.glob("*/*/page.html.gz")):
        folder = page_dir.parent
        pages.append({"set": folder.parent.name, "name": folder.name, "gz": page_dir,
                      "meta": json.loads((folder / "meta.json").read_text(encoding="utf-8")),
                      "expected": (folder / "expected.txt").read_text(encoding="utf-8")})
    return pages


def run(system: str, files: list[str]) -> tuple[dict[str, dict[str, Any]], float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", system, *files],
                          capture_output=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{system} worker failed: {done.stderr.decode('utf-8', 'replace')[-800:]}")
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines() if line.startswith("{")]
    return {r["file"]: r for r in records}, wall


def _mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):6.3f}" if values else "     -"


def _share(values: list[bool]) -> str:
    return f"{sum(values):3d}/{len(values):<3d}" if values else "    -  "


def table(title: str, groups: dict[str, dict[str, list[dict[str, Any]]]], speeds: dict[str, float]) -> None:
    print(f"\n{title}")
    print(f"{'group':26s} {'system':12s} {'pages':>5s} {'F1':>6s} {'empty':>5s} {'date':>7s} {'byline':>7s} "
          f"{'snip':>6s}")
    for key in sorted(groups, key=lambda k: (-len(next(iter(groups[k].values()))), k)):
        for system, rows in groups[key].items():
            print(f"{key[:26]:26s} {system:12s} {len(rows):5d} {_mean([r['f1'] for r in rows if 'f1' in r])} "
                  f"{sum(r['empty'] for r in rows):5d} {_share([r['date'] for r in rows if 'date' in r]):>7s} "
                  f"{_share([r['byline'] for r in rows if 'byline' in r]):>7s} "
                  f"{_mean([r['snip'] for r in rows if r.get('snip') is not None])}")
    if speeds:
        print("pages/s (one subprocess over all pages, start included): "
              + "  ".join(f"{s} {v:.1f}" for s, v in speeds.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, help="directory of <set>/<page>/ folders")
    parser.add_argument("--only", action="append", choices=SYSTEMS, help="run only these systems")
    parser.add_argument("--details", type=Path, help="write per-page scores (JSON lines) here")
    parser.add_argument("--rounds", type=int, default=1, help="timing rounds; pages/s is the best round's")
    parser.add_argument("--worker", choices=SYSTEMS, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.worker:
        _worker(args.worker, rest)
        return
    if args.dataset is None or not args.dataset.is_dir():
        parser.error("--dataset DIR is required (the labelled pages' directory)")
    pages = load(args.dataset)
    if not pages:
        parser.error(f"no <set>/<page>/page.html.gz under {args.dataset}")
    systems = tuple(args.only or SYSTEMS)
    by_set: dict[str, dict[str, list[dict[str, Any]]]] = collections.defaultdict(dict)
    by_lang: dict[str, dict[str, list[dict[str, Any]]]] = collections.defaultdict(dict)
    speeds: dict[str, float] = {}
    details = []
    with tempfile.TemporaryDirectory(prefix="bench-extraction-") as tmp:
        files = []
        for page in pages:
            path = Path(tmp) / f"{page['set']}__{page['name']}.html"
            path.write_bytes(gzip.decompress(page["gz"].read_bytes()))
            files.append(str(path))
        walls: dict[str, float] = {}
        runs: dict[str, dict[str, dict[str, Any]]] = {}
        for _ in range(max(args.rounds, 1)):  # rounds interleave systems: load on the machine hits all alike
            for system in systems:
                records, wall = run(system, files)
                runs.setdefault(system, records)
                walls[system] = min(wall, walls.get(system, wall))
        for system in systems:
            records = runs[system]
            speeds[system] = len(files) / walls[system]
            rows = [score(page, records.get(name)) for page, name in zip(pages, files, strict=True)]
            for row in rows:
                by_set[row["set"]].setdefault(system, []).append(row)
                by_lang[row["lang"]].setdefault(system, []).append(row)
                by_lang["ALL"].setdefault(system, []).append(row)
                details.append({"system": system, **row})
    print(f"{len(pages)} pages from {args.dataset}")
    table("per set", by_set, {})
    table("per language", by_lang, speeds)
    if args.details:
        args.details.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in details), encoding="utf-8")


if __name__ == "__main__":
    main()
