"""Near-duplicate detection on templated texts: precision, recall and work per article.

Run (from the repository root):

    .venv/bin/python benchmarks/bench_neardup.py --stories 3000

The corpus is what the wires are full of: stories written from a few templates (market closes,
公告 lines, flash items) whose clauses repeat from one story to the next while the facts
(companies, codes, figures) differ; those are distinct stories. A share of them (``--copies``) is
also republished by another feed with a source line added, an editor line added, or a sentence
dropped: those copies are the true near-duplicates. Everything is stored with ``Archive.store``
in publication order (batches of 100). Printed:

- precision and recall of the ``minhash`` flags against that truth (a flag is right when it
  points at the copy's original);
- the bounded lookup against an exhaustive one: the copies a brute-force comparison with every
  earlier article would flag (same resemblance threshold), and how many of those we flag;
- resemblance computations per stored article, per thousand articles stored (flat = bounded).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import Archive  # noqa: E402
from archive.identity import NEAR_DUPLICATE, resemblance, sketch  # noqa: E402
from scraper.models import Article  # noqa: E402

COMPANIES = [f"{a}{b}股份" for a in "华中东南西北新天宏金" for b in "科电能信达盛源通润安"]
SECTORS = ["半导体", "光伏设备", "券商", "煤炭", "银行", "白酒", "医药", "汽车整车", "军工", "有色金属"]


def close(rng: random.Random) -> str:
    up, down = rng.sample(SECTORS, 2)
    return (
        f"A股三大指数今日{rng.choice(['集体收涨', '涨跌不一', '集体收跌'])}，沪指报{rng.randint(2800, 3600)}点。"
        f"两市成交额{rng.randint(6000, 15000)}亿元，北向资金全天净{rng.choice(['买入', '卖出'])}{rng.randint(1, 90)}亿元。"
        f"行业板块方面，{up}板块涨幅居前，{down}板块跌幅居前。"
        "分析人士认为，政策面持续释放积极信号，市场风险偏好有望进一步提升。"
    )


def notice(rng: random.Random) -> str:
    company, code = rng.choice(COMPANIES), f"{rng.randint(0, 699999):06d}"
    return (
        f"{company}（{code}）发布公告，公司拟以自有资金回购股份，回购金额不低于{rng.randint(1, 9)}千万元。"
        f"回购价格不超过每股{rng.randint(5, 90)}元，回购期限为自董事会审议通过之日起{rng.randint(3, 12)}个月内。"
        "本次回购的股份将用于员工持股计划或股权激励，公司将根据市场情况择机实施。"
    )


def flash(rng: random.Random) -> str:
    company = rng.choice(COMPANIES)
    return (
        f"财联社{rng.randint(1, 12)}月{rng.randint(1, 28)}日电，{company}盘中涨停，报{rng.randint(3, 80)}.{rng.randint(0, 99):02d}元。"
        f"该股近{rng.randint(2, 10)}个交易日累计涨幅超过{rng.randint(20, 90)}%，成交额{rng.randint(1, 30)}亿元。"
        f"消息面上，公司{rng.choice(['中标重大项目', '发布业绩预增公告', '获得机构调研'])}，所属{rng.choice(SECTORS)}板块走强。"
    )


def republish(rng: random.Random, text: str) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return f"（来源：{rng.choice(['证券时报', '上海证券报', '中国证券报'])}）" + text
    if kind == 1:
        return text + f"责任编辑：{rng.choice(['王一', '李二', '张三'])}，审核：{rng.choice(['赵四', '钱五'])}。"
    sentences = [s for s in text.split("。") if s]
    sentences.pop(rng.randrange(len(sentences)))
    return "。".join(sentences) + "。"


def corpus(stories: int, copies: float, seed: int) -> tuple[list[Article], dict[int, int]]:
    """Articles in publication order, and copy index → original index."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    articles: list[Article] = []
    truth: dict[int, int] = {}
    pending: list[tuple[int, int]] = []  # (publish at index, original index)
    for n in range(stories):
        text = rng.choice((close, notice, flash))(rng)
        articles.append(_article(len(articles), "wire", text, start))
        if rng.random() < copies:
            pending.append((n + rng.randint(1, 20), len(articles) - 1))
        for due in [p for p in pending if p[0] <= n]:
            pending.remove(due)
            original = due[1]
            truth[len(articles)] = original
            articles.append(_article(len(articles), "portal", republish(rng, articles[original].body_text), start))
    return articles, truth


def _article(i: int, feed: str, text: str, start: datetime) -> Article:
    return Article(
        feed=feed, site=feed, category="金融", url=f"https://{feed}.example.com/{i}", title=f"{feed} {i}",
        published=start + timedelta(minutes=i), body_html=f"<p>{text}</p>", body_text=text, guid=f"{feed}-{i}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--copies", type=float, default=0.2, help="share of stories republished")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    articles, truth = corpus(args.stories, args.copies, args.seed)
    work = Path(tempfile.mkdtemp(prefix="nr-neardup-"))
    flagged: dict[int, int] = {}
    checks_per_k: list[float] = []
    try:
        with Archive(work / "a.db", work / "posts") as archive:
            ids: list[str] = []
            mark = (0, 0)  # (stored, checks) at the start of the current thousand
            for i in range(0, len(articles), 100):
                results = archive.store(articles[i : i + 100], now=datetime(2024, 6, 1, tzinfo=UTC))
                ids.extend(r.id for r in results)
                if len(ids) - mark[0] >= 1000 or i + 100 >= len(articles):
                    checks = archive.resemblance_checks
                    checks_per_k.append(round((checks - mark[1]) / (len(ids) - mark[0]), 2))
                    mark = (len(ids), checks)
            index = {article_id: n for n, article_id in enumerate(ids)}
            for r in archive.db.execute(
                "select a.id, a.duplicate_of from articles a where a.duplicate_of is not null "
                "and exists (select 1 from audit u where u.article_id = a.id and u.rule = 'minhash')"
            ):
                flagged[index[r[0]]] = index[r[1]]
            total_checks = archive.resemblance_checks
    finally:
        shutil.rmtree(work, ignore_errors=True)
    right = sum(1 for copy, original in flagged.items() if truth.get(copy) == original)
    sketches = [sketch(a.body_text) for a in articles]
    exhaustive = set()
    for copy in truth:
        best = max((resemblance(sketches[copy], sketches[j]) for j in range(copy)), default=0.0)
        if best >= NEAR_DUPLICATE:
            exhaustive.add(copy)
    print(json.dumps({
        "articles": len(articles), "true_copies": len(truth), "flagged_minhash": len(flagged),
        "precision": round(right / len(flagged), 3) if flagged else None,
        "recall": round(right / len(truth), 3) if truth else None,
        "exhaustive_would_flag": len(exhaustive),
        "bounded_lookup_finds_of_those": sum(1 for c in exhaustive if c in flagged),
        "resemblance_checks_per_article": round(total_checks / len(articles), 2),
        "resemblance_checks_per_article_each_1000": checks_per_k,
    }))


if __name__ == "__main__":
    main()
