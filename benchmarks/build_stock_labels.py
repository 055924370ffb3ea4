"""Build the labelled set for the stock tagger (tests/fixtures/stocks/labelled.json) from the
project's shared fixtures. Run once; the output is committed (tests never read the shared folder).

    python benchmarks/build_stock_labels.py SHARED_FIXTURES_DIR tests/fixtures/stocks/labelled.json

Each record: ``id``, ``origin`` (file it came from), ``label_from`` (which structured data labelled
it), ``text`` (title + body text the tagger reads) and ``labels`` (normalized codes). Labels are the
sources' own data, never the tagger's output:

- the wires' sample payloads (apis/samples): 证券时报 ``tags[][].stock_code``, 东方财富 ``stockList``,
  财联社 ``stock_list`` (empty: a negative);
- 网易财经 pages of the cx163 extraction set (MIT): the quote links its editors' system puts in the
  article body (``#endText``: quotes.money.163.com/0600519.html = SH600519, /1000001.html = SZ000001,
  /hkstock/00700.html); index links (上证综指 0000001, 深证成指 1399001) and US ticker links (the
  163 linker links English words: "CEO", "MA") are not companies' A/H codes and are left out; text =
  the set's expected.txt;
- the Sina post of the seed system whose body carries Sina's ``span#stock_…`` links;
- the wires' payloads whose list is empty (华尔街见闻 ``symbols: []``): negatives;
- the real Sina pages of ``pages/`` whose article body links quote pages (``span#usstock_AAPL``):
  labels = those links, US tickers included (text = newsroll's extraction of the page).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

from scraper.extract import extract
from scraper.sanitize import html_to_text
from scraper.stocks import article_body_html, codes_in_fragment, normalize_code

_163_BODY = re.compile(r'id="endText"(.*?)(?:<!--\s*AD|class="ep-source|<div class="ep-tie)', re.S)


def wire_samples(root: Path) -> list[dict[str, object]]:
    samples = root / "apis" / "samples"
    out: list[dict[str, object]] = []
    for item in json.loads((samples / "stcn-kx-items.json").read_text(encoding="utf-8")):
        codes = [normalize_code(t["stock_code"]) for group in item["tags"] for t in group if t.get("stock_code")]
        out.append({"id": f"stcn-{item['id']}", "origin": "apis/samples/stcn-kx-items.json",
                    "label_from": "stcn tags[][].stock_code",
                    "text": f"{item['title']}\n{item['content']}", "labels": [c for c in codes if c]})
    for item in json.loads((samples / "eastmoney-fastnews.json").read_text(encoding="utf-8"))["data"]["fastNewsList"]:
        codes = [normalize_code(c) for c in item["stockList"]]
        out.append({"id": f"eastmoney-{item['code']}", "origin": "apis/samples/eastmoney-fastnews.json",
                    "label_from": "eastmoney stockList", "text": f"{item['title']}\n{item['summary'].strip()}",
                    "labels": [c for c in codes if c]})
    cls = json.loads((samples / "cls-roll-item-2026.json").read_text(encoding="utf-8"))
    out.append({"id": f"cls-{cls['id']}", "origin": "apis/samples/cls-roll-item-2026.json",
                "label_from": "cls stock_list", "text": f"{cls['title']}\n{cls['brief']}",
                "labels": [normalize_code(s["StockID"]) for s in cls["stock_list"]]})
    return out


def wallstreetcn_samples(root: Path) -> list[dict[str, object]]:
    samples = root / "apis" / "samples"
    lives = json.loads((samples / "wallstreetcn-lives-2018.json").read_text(encoding="utf-8"))["data"]["items"]
    one = json.loads((samples / "wallstreetcn-live-item-2026.json").read_text(encoding="utf-8"))
    out: list[dict[str, object]] = []
    for name, item in [("wallstreetcn-lives-2018.json", i) for i in lives] + [("wallstreetcn-live-item-2026.json", one)]:
        codes = [normalize_code(str(s.get("key", s) if isinstance(s, dict) else s)) for s in item["symbols"]]
        out.append({"id": f"wallstreetcn-{item['id']}", "origin": f"apis/samples/{name}",
                    "label_from": "wallstreetcn symbols",
                    "text": f"{item.get('title') or ''}\n{item.get('content_text') or ''}", "labels": [c for c in codes if c]})
    return out


def sina_pages(root: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in sorted((root / "pages").glob("*.html")):
        body = article_body_html(path.read_text(encoding="utf-8", errors="replace"))
        codes = list(codes_in_fragment(body))
        if not codes:
            continue
        # the text the pipeline tags: newsroll's own extraction (the body element also holds teasers)
        extracted = extract(path.read_bytes(), f"https://finance.sina.com.cn/{path.stem}.shtml", rules_name="sina")
        out.append({"id": f"sina-{path.stem}", "origin": f"pages/{path.name}",
                    "label_from": "Sina span#usstock_/stock_ links in the body",
                    "text": f"{extracted.title or ''}\n{extracted.body_text}", "labels": codes})
    return out


def netease_pages(root: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for folder in sorted((root / "extraction-dev" / "cx163").iterdir()):
        html = gzip.decompress((folder / "page.html.gz").read_bytes()).decode("gbk", errors="replace")
        body = _163_BODY.search(html)
        codes = [c for c in codes_in_fragment(body.group(1) if body else "") if not c.startswith("US:")]
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        text = (folder / "expected.txt").read_text(encoding="utf-8")
        out.append({"id": folder.name, "origin": f"extraction-dev/cx163/{folder.name} ({meta.get('url')})",
                    "label_from": "163 quote links in #endText", "text": f"{meta.get('title') or ''}\n{text}",
                    "labels": codes})
    return out


def seed_post(root: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in sorted((root / "seed-system").rglob("*.md")):
        source = path.read_text(encoding="utf-8")
        if "stock_s" not in source:
            continue
        front, _, body = source.partition("\n---\n\n")
        title = re.search(r"^title: '(.*)'$", front, re.M)
        out.append({"id": f"seed-{path.stem[:12]}", "origin": f"seed-system/{path.relative_to(root / 'seed-system')}",
                    "label_from": "Sina span#stock_ links in the body",
                    "text": f"{title.group(1) if title else ''}\n{html_to_text(body)}",
                    "labels": list(codes_in_fragment(body))})
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    root = Path(argv[1])
    records = wire_samples(root) + netease_pages(root) + seed_post(root) + wallstreetcn_samples(root) + sina_pages(root)
    Path(argv[2]).write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    labelled = sum(1 for r in records if r["labels"])
    print(f"{len(records)} records ({labelled} with labels, "
          f"{sum(len(r['labels']) for r in records)} labels) written to {argv[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
