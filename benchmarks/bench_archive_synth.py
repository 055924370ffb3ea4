"""Synthetic finance articles for the archive benchmark (Chinese and English, Zipf-distributed words).

Deterministic for a given seed. Chinese words come from a list of real finance terms plus a long
tail of two-character words drawn from common characters; English from a finance word list plus a
tail of made-up words. Word frequencies follow Zipf's law, so queries can be picked by frequency.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scraper.models import Article

ZH_TERMS = (
    "股市 辟谣 招商引资 人民币 汇率 央行 降准 降息 利率 通胀 债券 基金 券商 银行 保险 信托 证监会 银保监会 "
    "上市公司 科创板 创业板 北交所 沪指 深成指 成交额 北向资金 外资 净流入 净流出 涨停 跌停 板块 龙头 "
    "新能源 光伏 锂电池 半导体 芯片 医药 消费 白酒 房地产 楼市 房贷 土地 财政 税收 专项债 基建 投资 "
    "出口 进口 贸易 顺差 关税 美联储 加息 缩表 美元 欧元 日元 黄金 原油 期货 大宗商品 煤炭 电力 钢铁 "
    "有色金属 稀土 农业 粮食 猪肉 物价 居民 消费者 就业 失业率 工资 社保 养老金 公积金 数字经济 人工智能 "
    "平台 监管 反垄断 合规 风险 违约 评级 估值 市盈率 分红 回购 增持 减持 解禁 定增 并购 重组 退市 "
    "年报 季报 营收 净利润 同比 环比 增长 下降 预期 市场 经济 政策 改革 开放 发展 企业 项目 产业 "
    "浙江 上海 北京 深圳 广东 江苏 香港 国务院 发改委 财政部 商务部 统计局 外汇局 国资委 地方政府"
).split()
ZH_FILLER = "的 了 在 是 和 与 对 将 为 也 等 中 上 下 已 被 由 从 向 于 以 及 其 该 这 此 并 但 而".split()
ZH_CHARS = (
    "一国人年大中生会地行业发市产经时成方部动进公作实用面展分理力全能新合开投资金价化重高长同现关"
    "济明制政机加量区务体法民主要提收管平度基资利设建表外场内和其社结计期情家工正保电源物因"
)
EN_TERMS = (
    "market stocks bonds yields inflation interest rates central bank federal reserve earnings revenue "
    "profit loss growth recession economy dollar euro yuan gold oil futures commodity trade tariff export "
    "import deficit surplus investors analysts shares index nasdaq dow treasury debt credit default rating "
    "merger acquisition ipo listing regulator policy stimulus budget tax jobs unemployment wages housing "
    "mortgage lending banks insurers funds hedge equity volatility rally selloff outlook forecast quarter"
).split()
EN_FILLER = "the a of to in and on for with by at as from that is was has have will said its".split()


def _zipf_cumulative(n: int) -> list[float]:
    """Cumulative Zipf weights (precomputed: random.choices would re-add them on every call)."""
    return list(itertools.accumulate(1.0 / (rank + 1) for rank in range(n)))


class Vocabulary:
    """Word lists with cumulative Zipf weights; ``zh``/``en`` rank 0 is the most frequent."""

    def __init__(self, seed: int = 7, zh_tail: int = 20000, en_tail: int = 20000) -> None:
        rng = random.Random(seed)
        tail = {rng.choice(ZH_CHARS) + rng.choice(ZH_CHARS) for _ in range(zh_tail * 2)}
        self.zh = list(dict.fromkeys([*ZH_TERMS, *sorted(tail)]))[: len(ZH_TERMS) + zh_tail]
        letters = "abcdefghijklmnopqrstuvwxyz"
        made_up = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(en_tail)}
        self.en = list(dict.fromkeys([*EN_TERMS, *sorted(made_up)]))
        self.zh_weights = _zipf_cumulative(len(self.zh))
        self.en_weights = _zipf_cumulative(len(self.en))


class ArticleFactory:
    """Makes synthetic Articles; ``raw_html`` wraps the body in a real page template when given one."""

    def __init__(
        self,
        vocab: Vocabulary,
        seed: int = 11,
        template: bytes | None = None,
        zh_share: float = 0.7,
        body_chars: int = 1500,
    ) -> None:
        self.vocab = vocab
        self.rng = random.Random(seed)
        self.template = template
        self.zh_share = zh_share
        self.body_chars = body_chars
        self.start = datetime(2020, 1, 1, tzinfo=UTC)

    def _zh_sentence(self) -> str:
        words = self.rng.choices(self.vocab.zh, cum_weights=self.vocab.zh_weights, k=self.rng.randint(6, 16))
        out = []
        for word in words:
            out.append(word)
            if self.rng.random() < 0.35:
                out.append(self.rng.choice(ZH_FILLER))
        return "".join(out) + self.rng.choice("。。。，；！")

    def _en_sentence(self) -> str:
        words = self.rng.choices(self.vocab.en, cum_weights=self.vocab.en_weights, k=self.rng.randint(8, 20))
        out = []
        for word in words:
            out.append(word)
            if self.rng.random() < 0.4:
                out.append(self.rng.choice(EN_FILLER))
        return " ".join(out).capitalize() + "."

    def body(self, chinese: bool) -> tuple[str, str]:
        paragraphs: list[str] = []
        size = 0
        sentence = self._zh_sentence if chinese else self._en_sentence
        target = self.body_chars if chinese else self.body_chars * 3
        while size < target:
            para = ("" if chinese else " ").join(sentence() for _ in range(self.rng.randint(2, 5)))
            paragraphs.append(para)
            size += len(para)
        html = "".join(f"<p>{p}</p>\n" for p in paragraphs)
        return html, "\n".join(paragraphs)

    def article(self, n: int, feed_count: int = 20) -> Article:
        chinese = self.rng.random() < self.zh_share
        body_html, body_text = self.body(chinese)
        title = (self._zh_sentence() if chinese else self._en_sentence())[:40].rstrip("。，；！.")
        feed = f"feed-{n % feed_count:02d}"
        raw = None
        if self.template is not None:
            raw = self.template.replace(b"</body>", body_html.encode("utf-8") + b"</body>", 1)
        return Article(
            feed=feed,
            site=f"site-{n % 7}",
            category="金融" if chinese else "finance",
            url=f"https://news{n % 7}.example.com/{n // 1000}/{n}.html",
            title=title,
            published=self.start + timedelta(minutes=n * 3 + self.rng.randint(0, 2)),
            body_html=body_html,
            body_text=body_text,
            guid=f"guid-{n}",
            summary=body_text[:120],
            image=f"https://img.example.com/{n}.jpg",
            raw_html=raw,
            raw_charset="utf-8" if raw else None,
            item_fingerprint=f"fp-{n}",
        )

    def articles(self, count: int, first: int = 0) -> Iterator[Article]:
        for n in range(first, first + count):
            yield self.article(n)


def page_template(root: Path) -> bytes | None:
    """A real Sina article page (from tests/fixtures/pages) to stand in for raw HTML, if present."""
    path = root / "tests" / "fixtures" / "pages" / "gne_tests_sina_sina.html"
    return path.read_bytes() if path.exists() else None
