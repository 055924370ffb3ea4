"""The text tagger: each way a code is written, company names, and the traps (numbers that are
not codes, common words that are names, names inside longer names, spaced/full-width names)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.models import StockTag
from scraper.stocks import default_directory, merge_tags, normalize_text, tag_text

FIXTURES = Path(__file__).parent / "fixtures" / "stocks"


def tags(text: str) -> list[tuple[str, str]]:
    return [(t.code, t.how) for t in tag_text(text, default_directory())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("贵州茅台(600519)发布年报", [("SH600519", "code")]),
        ("宁德时代（300750.SZ）股价创新高", [("SZ300750", "code")]),
        ("消息称300750.SZ午后拉升", [("SZ300750", "code")]),
        ("腾讯控股00700.HK今日回购", [("HK00700", "code")]),
        ("贵州茅台600519.SS", [("SH600519", "code")]),
        ("诺思兰德（430047.BJ）公告", [("BJ430047", "code")]),
        ("$贵州茅台(SH600519)$ 今天又涨了", [("SH600519", "code")]),
        ("$腾讯控股(00700)$ 回购", [("HK00700", "code")]),
        ("$苹果(AAPL)$ 发布会", [("US:AAPL", "code")]),
        ("盘前 $AAPL 上涨", [("US:AAPL", "code")]),
        ("Apple (NASDAQ: AAPL) rose", [("US:AAPL", "code")]),
        ("阿里巴巴（NYSE：BABA）", [("US:BABA", "code"), ("HK09988", "name")]),  # its New York and HK lines
        ("苹果(AAPL.O)收涨", [("US:AAPL", "code")]),
        ("股票代码：601390", [("SH601390", "code")]),
        ("行情 sz000001 走强", [("SZ000001", "code")]),
        ("腾讯控股（００７００）", [("HK00700", "code")]),
    ],
)
def test_codes_written_in_text(text: str, expected: list[tuple[str, str]]) -> None:
    assert tags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "飞天一瓶600519元",  # a price, not a code
        "股价报(600519元)",
        "营收达600519万元，同比增长",
        "2023年（2023）全年",  # years
        "咨询电话(010)62345678，或拨打400-600-5190",  # phone numbers
        "邮编(100000)",  # not an exchange's range
        "上证指数SH000001收涨，深证成指399001.SZ",  # index codes, not companies
        "上证指数(000001)收涨0.5%",  # 000001 is also 平安银行's code: after an index name it is the index
        "中证500指数（000905）",
        "均价$100，US$5",  # dollar prices
        "(600519)",  # a bracketed number with no name before it
        "编号x600519.SH与1234567.SH",  # part of longer tokens
        "U.S. GDP and A.N. Other",
    ],
)
def test_numbers_that_are_not_codes_are_never_tagged(text: str) -> None:
    assert tags(text) == []


def test_company_names_in_text() -> None:
    assert tags("中国中铁与四川省签署深化战略合作协议") == [("SH601390", "name")]
    assert tags("恒坤新材：TEOS产能利用率50%以上") == [("SH688727", "name")]  # listed after the adata list


def test_spaced_and_full_width_names() -> None:
    assert tags("万  科Ａ公布销售额") == [("SZ000002", "name")]
    assert tags("万科发布公告") == [("SZ000002", "name")]  # class-A alias
    assert normalize_text("万  科Ａ（６００５１９）") == "万科A(600519)"
    assert normalize_text("Apple Inc 万科") == "Apple Inc 万科"  # spaces between Latin words stay


def test_a_name_inside_a_longer_name_is_not_tagged() -> None:
    assert tags("东方通信发布公告") == [("SH600776", "name")]  # not also 东方通 (SZ300379)
    assert tags("东方通发布公告") == [("SZ300379", "name")]


def test_common_words_places_and_sources_are_not_companies() -> None:
    for text in ("工业机器人销量大增", "西太平洋斑海豹", "荆州、连云港、汕头入围热门旅游城市",
                 "据新华网报道", "网易财经讯", "线上线下融合"):
        assert tags(text) == [], text
    assert tags("连云港市政府") == []
    assert tags("据同花顺数据显示，东方财富网报道") == []
    assert tags("东方财富发布三季报") == [("SZ300059", "name")]
    # a stop-listed name still tags when the text says it is the company
    assert tags("太平洋证券发布研报") == [("SH601099", "name")]
    # so does a headline that opens with it and a colon, as the wires write a company's news
    assert tags("中国建筑：1-10月新签合同额3.2万亿元") == [("SH601668", "name")]
    assert tags("【中国建筑：新签合同额增长】") == [("SH601668", "name")]
    assert tags("中国建筑公告称，拟回购股份") == [("SH601668", "name")]
    assert tags("工信部：中国建筑业协会发布报告") == []  # inside a longer word, not opening a headline


def test_risk_warning_aliases_keep_three_characters() -> None:
    # *ST/ST prefixes dropped only when what is left is not a two-character common word
    assert tags("生态环境部发布通知") == []
    assert tags("环保督察") == []


def test_latin_names_do_not_run_into_latin_words() -> None:
    assert tags("TCL科技发布公告") == [("SZ000100", "name")]
    assert tags("XTCL科技") == []


def test_codes_before_names_and_each_company_once() -> None:
    found = tag_text("贵州茅台(600519)大涨，贵州茅台成交额居首；宁德时代跟涨", default_directory())
    assert found == (StockTag("SH600519", "贵州茅台", "code"), StockTag("SZ300750", "宁德时代", "name"))


def test_merge_keeps_the_most_reliable_origin() -> None:
    merged = merge_tags(
        [StockTag("SH600519", "贵州茅台", "name"), StockTag("SZ300750", "", "code")],
        [StockTag("SH600519", "", "source")],
        [StockTag("SZ300750", "宁德时代", "link")],
    )
    assert merged == (StockTag("SH600519", "贵州茅台", "source"), StockTag("SZ300750", "宁德时代", "link"))


def test_wire_samples_are_found_in_their_text_without_their_labels() -> None:
    records = json.loads((FIXTURES / "labelled.json").read_text(encoding="utf-8"))
    wires = [r for r in records if not r["id"].startswith(("money163", "seed", "sina", "wallstreetcn"))]
    assert {r["label_from"] for r in wires} == {"stcn tags[][].stock_code", "eastmoney stockList", "cls stock_list"}
    for record in wires:
        found = [t.code for t in tag_text(record["text"], default_directory())]
        assert found == record["labels"], record["id"]


def test_a_price_beside_an_everyday_name_is_not_a_code() -> None:
    assert tags("茅台一瓶600519元") == [("SH600519", "name")]  # 茅台 is the company's everyday name; 600519元 a price


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("茅台股价创新高，特斯拉、英伟达大涨", [("SH600519", "name"), ("US:TSLA", "name"), ("US:NVDA", "name")]),
        ("京东方A和京东", [("SZ000725", "name"), ("HK09618", "name")]),  # the longer name wins where written
        ("格力地产与格力", [("SH600185", "name"), ("SZ000651", "name")]),
        ("苹果公司发布新品", [("US:AAPL", "name")]),
    ],
)
def test_everyday_names(text: str, expected: list[tuple[str, str]]) -> None:
    assert tags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "北京东路一带交通管制",  # 京东 inside 北京东…
        "高通胀压力仍在",  # 高通 inside 高通胀
        "180只隶属化工行业",  # no 工行 alias at all: it sits inside 化工行业
        "成交行情清淡",  # nor 交行
        "苹果期货主力合约上涨",  # 苹果 alone is the fruit
        "百度百科显示该物种濒危",  # a cited source
        "伊利诺伊州州长",  # no 伊利 alias: Illinois
    ],
)
def test_everyday_names_inside_other_words_are_not_tagged(text: str) -> None:
    assert tags(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中国银行业协会发布报告", []),  # the banking sector, not 中国银行
        ("北京银行业金融机构", []),
        ("原中国银行保险监督管理委员会", []),  # the regulator
        ("中国银行业绩快报", [("SH601988", "name")]),  # 业绩: the bank's results
        ("中国电信业务收入增长", [("SH601728", "name")]),
        ("中国石油化工股份有限公司", [("SH600028", "name")]),  # Sinopec, not 中国石油 (PetroChina)
        ("中国石油天然气股份有限公司", [("SH601857", "name")]),
    ],
)
def test_a_name_that_opens_a_longer_word(text: str, expected: list[tuple[str, str]]) -> None:
    assert tags(text) == expected
