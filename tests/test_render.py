"""render_post: byte-compatibility with the seed post and YAML that stays valid for any value."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from archive.render import Post, clean_text, plain_or_quoted, quoted, render_post, rfc1123

SEED = (
    Path(__file__).parent
    / "fixtures/seed-system/金融/新浪财经/新浪财经－国內/10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作.md"
)
SEED_IMAGE = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"


def seed_post(**changes: object) -> Post:
    fields: dict[str, object] = dict(
        title="10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作",
        category="金融",
        site="新浪财经",
        feed="新浪财经－国內",
        image=SEED_IMAGE,
        published=datetime.fromtimestamp(1644307205, UTC),
        source_url="https://finance.sina.com.cn/roll/2022-02-08/doc-ikyakumy4713046.shtml",
        body_html="<p>正文 {x}</p>",
        extra=(("id", "fd445be10ff8758b"), ("source", "浙江发布"), ("editor", "张敏 SF055")),
    )
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


def front_matter(text: str) -> dict[str, object]:
    assert text.startswith("\n---\n")
    head, _, _ = text[5:].partition("\n---\n")
    loaded = yaml.safe_load(head)
    assert isinstance(loaded, dict)
    return loaded


def test_golden_seed_front_matter_byte_for_byte() -> None:
    seed = SEED.read_bytes()
    cut = seed.index(b"\nthumbnail: ")
    cut = seed.index(b"\n", cut + 1) + 1
    rendered = render_post(seed_post()).encode("utf-8")
    assert rendered[:cut] == seed[:cut]
    rest = rendered[cut:].decode()
    assert rest.startswith(
        "source_url: 'https://finance.sina.com.cn/roll/2022-02-08/doc-ikyakumy4713046.shtml'\n"
    )
    assert "id: fd445be10ff8758b\nsource: 浙江发布\neditor: 张敏 SF055\n---\n\n<div>   \n" in rest


def test_body_wrapper_and_brace_escapes() -> None:
    text = render_post(seed_post(body_html="<p>{% raw %} {{ x }}</p>"))
    assert text.endswith("---\n\n<div>   \n<p>&#123;% raw %&#125; &#123;&#123; x &#125;&#125;</p>\n</div>\n")
    assert text.count("{") == 0 and text.count("}") == 0


def test_seed_date_format() -> None:
    assert rfc1123(datetime.fromtimestamp(1644307205, UTC)) == "Tue, 08 Feb 2022 08:00:05 GMT"


NASTY_TITLES = [
    "It's \"quoted\" — 'both' kinds",
    "key: value # not a comment",
    "- leading dash",
    "line one\nline two\r\nthree\ttab",
    "{braces} [brackets] & *star ! %percent @at `tick",
    "",
    " ",
    "'",
    "''",
    "null",
    "...",
    "---",
    "bell\x07 and nul\x00 and bom\ufeff",
    "emoji 📈 and 中文：冒号",
]


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_yaml_valid_for_any_title(title: str) -> None:
    post = seed_post(
        title=title, category=title or "x", site=title or "y", feed=title or "z", source_url=title
    )
    loaded = front_matter(render_post(post))
    assert loaded["title"] == clean_text(title)
    assert loaded["categories"] == [
        clean_text(title or "x"),
        clean_text(title or "y"),
        clean_text(title or "z"),
    ]
    assert loaded["source_url"] == clean_text(title)
    assert all(isinstance(c, str) for c in loaded["categories"])
    assert isinstance(loaded["author"], str)
    assert loaded["comments"] is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("金融", "金融"),
        ("新浪财经－国內", "新浪财经－国內"),
        ("DT 财经 - 数据侠专栏", "DT 财经 - 数据侠专栏"),
        ("cnBeta", "cnBeta"),
        ("yes", "'yes'"),
        ("1e3", "'1e3'"),
        ("0x1F", "'0x1F'"),
        ("a: b", "'a: b'"),
        ("- x", "'- x'"),
        ("#tag", "'#tag'"),
        ("", "''"),
        ("it's", "it's"),
        ("'start", "'''start'"),
    ],
)
def test_plain_only_when_yaml_reads_it_back(value: str, expected: str) -> None:
    assert plain_or_quoted(value) == expected
    assert yaml.safe_load("k: " + expected) == {"k": value}


def test_clean_text_folds_breaks_and_drops_forbidden_characters() -> None:
    assert clean_text("line one\nline two\r\nthree\ttab") == "line one line two three tab"
    assert clean_text("a\x07b\x00c\ufeffd") == "abcd"


def test_quoted_doubles_single_quotes() -> None:
    assert quoted("a'b") == "'a''b'"
    assert yaml.safe_load("k: " + quoted("a'b")) == {"k": "a'b"}


def test_extra_list_values_render_as_block_lists() -> None:
    text = render_post(seed_post(extra=(("flags", ["extract_failed", "yes"]), ("empty", []))))
    assert "flags: \n - extract_failed\n - 'yes'\n---" in text
    assert front_matter(text)["flags"] == ["extract_failed", "yes"]


LABEL_PIECES = (
    "a", "Z", "hexo", "金融", "财经", "é", "ß", "0", "7", "2021-01-01T00:07:05+00:00", ":", "#", " ", "-", "|",
    ",", "[", "]", "{", "}", "'", '"', "!", "&", "*", "?", "%", "@", "`", ".", "~", "<", "=", ">", "\\", "/",
    "yes", "No", "null", "on", "OFF", "y", "true", "inf", ".nan", "－", "，", "\u3000", "\xa0", "_", "+",
)


def test_plain_labels_read_back_unchanged_by_yaml() -> None:
    """Every label written plain (all the shortcuts that skip parsing, e.g. an import's
    ``hexo:<date>|<title>`` guid) is one PyYAML reads back as the same string; generated labels
    mixing letters, CJK, digits, dates, spaces and every YAML indicator."""
    rng = random.Random(15)
    labels = ["hexo:Fri, 01 Jan 2021 00:00:47 GMT|美联储加息25个基点，市场反应平淡", "hexo:x|a:", "a:b:c", "Ab#c",
              "a  b", "a :b", "a: b", "a #b", "a# b", "a - b", "a -b", "a ? b", "a | b", "a > b", "a , b"]
    labels += ["".join(rng.choice(LABEL_PIECES) for _ in range(rng.randint(1, 6))) for _ in range(6000)]
    plain = 0
    for label in labels:
        written = plain_or_quoted(label)
        assert yaml.safe_load("k: " + written) == {"k": clean_text(label)}, (label, written)
        plain += written == clean_text(label)
    assert plain > 1000  # many were written plain, through the shortcuts
    guid = "hexo:Fri, 01 Jan 2021 00:00:47 GMT|标题"
    assert plain_or_quoted(guid) == guid
    assert plain_or_quoted("hexo:x|a:") == "'hexo:x|a:'"
