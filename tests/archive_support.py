"""Shared helpers for the archive tests (no tests here): an Article factory and an open Archive."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scraper.models import Article

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SEED_PUBLISHED = datetime.fromtimestamp(1644307205, UTC)

BODY_ZH = (
    "为进一步加强招商引资工作，浙江省政府近日印发了《关于进一步加强招商引资工作的指导意见》。"
    "意见提出，到2025年，全省实际使用外资超过1000亿美元。"
    "“十四五”期间，重点围绕数字经济、生命健康、新材料、海洋经济等新兴产业，从省外引进总投资超10亿元的内资产业项目500个。"
    "其中超20亿元项目200个、超50亿元项目100个、超100亿元项目20个。"
    "股市对此反应积极，多家券商发布研报，认为相关板块有望受益。"
    "有关部门表示将加大辟谣力度，防止不实信息扰乱市场秩序。"
    "意见还明确，要聚焦重点招商方向，围绕标志性产业链引进一批龙头企业。"
    "同时创新精准招商方法，深化以商招商，推动项目招引和人才招引深度融合。"
    "各地要建立健全招商引资工作机制，强化要素保障，优化营商环境。"
    "下一步，浙江将定期开展招商引资工作评估，对成效突出的地区给予激励。"
)
BODY_EN = (
    "The Federal Reserve raised interest rates by a quarter point on Wednesday, its tenth increase "
    "in a row. Stocks fell after the announcement as investors weighed the outlook for inflation."
)


def make_article(**changes: Any) -> Article:
    fields: dict[str, Any] = dict(
        feed="新浪财经－国內",
        site="新浪财经",
        category="金融",
        url="https://finance.sina.com.cn/roll/2022-02-08/doc-ikyakumy4713046.shtml",
        title="10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作",
        published=SEED_PUBLISHED,
        body_html="<p>" + BODY_ZH + "</p>",
        body_text=BODY_ZH,
        guid="https://finance.sina.com.cn/roll/2022-02-08/doc-ikyakumy4713046.shtml",
        item_fingerprint="fp1",
    )
    fields.update(changes)
    if "body_text" in changes and "body_html" not in changes:
        fields["body_html"] = "<p>" + str(changes["body_text"]) + "</p>"
    return Article(**fields)

