"""Rebuild newsroll's shipped stock list (scraper/stocks/data/stocks.csv) from offline material.

    python benchmarks/build_stock_list.py ADATA_CODE_CSV scraper/stocks/data/stocks.csv

ADATA_CODE_CSV is ``adata/stock/cache/code.csv`` from the adata wheel (``pip download adata==2.9.5
--no-deps``, unzip): ``stock_code,short_name,list_date2`` for SH/SZ/BJ. Rows are written as
``code,name,listed`` with normalized codes (SH600519) and names as published (NFKC, spaces
removed: "万  科Ａ" → "万科A"); ``listed`` is the listing date, empty for delisted companies.
Companies listed after that file was made, named in the project's sample payloads, and a few
Hong Kong companies (HK_EXTRA) are added by hand; see scraper/stocks/data/SOURCES.md.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

from scraper.stocks import normalize_code

# Companies named in the wires' sample payloads (tests/fixtures/stocks/SOURCES.md) but listed after
# adata's file was made.
SAMPLE_EXTRA = [("SH688727", "恒坤新材", "")]
# Hong Kong: hand-entered large companies traded only in Hong Kong (A+H companies are tagged as their
# A-share); short names without the "-W"/"-SW" marks, as news text writes them.
HK_EXTRA = [
    ("HK00700", "腾讯控股"), ("HK09988", "阿里巴巴"), ("HK03690", "美团"), ("HK01810", "小米集团"),
    ("HK09618", "京东集团"), ("HK09999", "网易"), ("HK00005", "汇丰控股"), ("HK00941", "中国移动"),
    ("HK01299", "友邦保险"), ("HK00388", "香港交易所"), ("HK01024", "快手"), ("HK09888", "百度集团"),
    ("HK02015", "理想汽车"), ("HK09868", "小鹏汽车"), ("HK09866", "蔚来"), ("HK00883", "中国海洋石油"),
    ("HK02020", "安踏体育"), ("HK02331", "李宁"), ("HK00016", "新鸿基地产"), ("HK01876", "百威亚太"),
    # added 2026-12-07: more companies listed only in Hong Kong that mainland news names often
    ("HK00175", "吉利汽车"), ("HK00291", "华润啤酒"), ("HK06862", "海底捞"), ("HK09633", "农夫山泉"),
    ("HK02269", "药明生物"), ("HK01093", "石药集团"), ("HK01177", "中国生物制药"), ("HK00992", "联想集团"),
    ("HK01109", "华润置地"), ("HK00688", "中国海外发展"), ("HK00960", "龙湖集团"), ("HK02007", "碧桂园"),
    ("HK01918", "融创中国"), ("HK02382", "舜宇光学科技"), ("HK00285", "比亚迪电子"), ("HK00268", "金蝶国际"),
    ("HK00772", "阅文集团"), ("HK00241", "阿里健康"), ("HK06618", "京东健康"), ("HK03888", "金山软件"),
    ("HK09626", "哔哩哔哩"), ("HK09961", "携程集团"), ("HK00027", "银河娱乐"), ("HK00011", "恒生银行"),
    ("HK00066", "港铁公司"), ("HK00017", "新世界发展"), ("HK02328", "中国财险"), ("HK00836", "华润电力"),
    ("HK00384", "中国燃气"), ("HK02688", "新奥能源"), ("HK00151", "中国旺旺"), ("HK00322", "康师傅控股"),
    ("HK02319", "蒙牛乳业"), ("HK06186", "中国飞鹤"), ("HK09987", "百胜中国"), ("HK09992", "泡泡玛特"),
    ("HK01801", "信达生物"), ("HK09926", "康方生物"), ("HK02057", "中通快递"), ("HK00968", "信义光能"),
    ("HK09863", "零跑汽车"), ("HK01797", "东方甄选"), ("HK06969", "思摩尔国际"), ("HK03692", "翰森制药"),
    ("HK00123", "越秀地产"), ("HK00733", "合富辉煌"),
]
# Other names news text uses for them (a code's later rows are aliases, scraper.stocks.directory).
HK_ALIASES = [("HK00700", "腾讯")]


def clean_name(raw: str) -> str:
    return "".join(unicodedata.normalize("NFKC", raw).split())


def build(adata_csv: Path) -> list[tuple[str, str, str]]:
    rows: dict[str, tuple[str, str, str]] = {}
    with adata_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = normalize_code(row["stock_code"].strip())
            name = clean_name(row["short_name"]).replace("(已合并)", "")
            if code and name:
                rows[code] = (code, name, (row.get("list_date2") or "").strip())
    for code, name, listed in SAMPLE_EXTRA:
        rows.setdefault(code, (code, name, listed))
    for code, name in HK_EXTRA:
        rows.setdefault(code, (code, name, ""))
    return sorted(rows.values()) + [(code, name, "") for code, name in HK_ALIASES]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    rows = build(Path(argv[1]))
    with Path(argv[2]).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "listed"])
        writer.writerows(rows)
    print(f"{len(rows)} companies written to {argv[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
