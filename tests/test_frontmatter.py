"""The front-matter fast path gives PyYAML's values, or declines and leaves the document to PyYAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from archive import frontmatter
from archive.importer import split_front_matter

FIXTURES = Path(__file__).parent / "fixtures"

# documents the fast path reads: it must give exactly what PyYAML's safe loader gives
SIMPLE = [
    "title: 'It''s a \"quote\": yes # not a comment'\ncategories: \n - 金融\n - 新浪财经\n - 新浪财经－国內\n",
    "title: 10000亿元+1000亿美元！浙江省政府发文\ncomments: false\ndate: Tue, 08 Feb 2022 08:00:05 GMT\n",
    "date: Invalid Date\nauthor: 财联社\ntitle: ''\n",
    "categories:\n- a\n- b\nthumbnail: 'https://n.sinaimg.cn/x.png'\n",
    "categories:\n    - 金融\n    - 格隆汇\ncomments: no\nheadimg: ~\nflag: On\ntags:\n",
    "title: \"double quoted, with 'single' inside\"\r\ncategories: \r\n - x \r\n",
    "title: a  b   c   \nsource_url: https://finance.sina.com.cn/a/b.shtml?x=1&y=2#frag\n",
    "title: '  spaced  '\nguid: hexo:Tue, 08 Feb 2022|title\n",
    "\n\ntitle: x\n\ncategories:\n\n - a\n\n",
    "title: 100% [sure] {really}, maybe?\n",
]
# documents it must leave to PyYAML (PyYAML may read them, or refuse them)
DECLINED = [
    "",
    "\n  \n",
    "title: 5\n",
    "title: 1.5\n",
    "date: 2022-02-08 08:00:05\n",
    "date: 2022-02-30\n",
    "title: 'unterminated\n",
    "title: 'two\n  lines'\n",
    "title: plain\n  continued\n",
    "title: a: b\n",
    "title: a #comment\n",
    "# comment\ntitle: a\n",
    "title: &anchor a\nother: *anchor\n",
    "title: !!str 5\n",
    "title: [a, b]\n",
    "title: {a: b}\n",
    "title: |\n  block\n",
    "title: >\n  folded\n",
    'title: "escape \\n"\n',
    "title: a\ntitle: b\n",
    "yes: a\n",
    "null: a\n",
    "categories:\n - a\n   - b\n",
    "categories:\n - a: b\n",
    "categories:\n - - a\n",
    "categories:\n - \n",
    "categories:\n  - a\n - b\n",
    "title:\tx\n",
    "title: a\tb\n",
    "title: x\x85y\n",
    "title: x\u2028y\n",
    "a:\n  b: c\n",
    "- a\n- b\n",
    "plain text\n",
    "title: x\n...\n",
    "%YAML 1.1\n---\ntitle: x\n",
    "title: 'ok' trailing\n",
    "<<: {a: 1}\n",
    "title: -5\n",
    "title: ?x\n",
    "title: @x\n",
]


def _yaml(head: str) -> object:
    return yaml.load(head, Loader=frontmatter.YAML_LOADER)  # noqa: S506 (a safe loader)


@pytest.mark.parametrize("head", SIMPLE)
def test_fast_path_gives_pyyaml_values(head: str) -> None:
    fast = frontmatter.fast_load(head)
    assert fast is not None
    assert fast == _yaml(head)
    assert [type(v) for v in fast.values()] == [type(v) for v in _yaml(head).values()]  # type: ignore[attr-defined]


@pytest.mark.parametrize("head", DECLINED)
def test_fast_path_declines_what_it_does_not_read(head: str) -> None:
    assert frontmatter.fast_load(head) is None


@pytest.mark.parametrize("head", DECLINED)
def test_load_falls_back_to_pyyaml(head: str) -> None:
    try:
        expected: object = _yaml(head)
    except (yaml.YAMLError, ValueError) as exc:
        with pytest.raises(type(exc)):
            frontmatter.load(head)
        return
    assert frontmatter.load(head) == expected


def test_every_fixture_post_reads_the_same_both_ways() -> None:
    posts = [p for p in FIXTURES.rglob("*.md") if p.is_file()]
    read = 0
    for path in posts:
        split = split_front_matter(path.read_text(encoding="utf-8-sig", errors="replace"))
        if split is None:
            continue
        try:
            expected = _yaml(split[0])
        except (yaml.YAMLError, ValueError):
            assert frontmatter.fast_load(split[0]) is None, path
            continue
        fast = frontmatter.fast_load(split[0])
        if fast is not None:
            assert fast == expected, path
            read += 1
    assert read >= 5  # the seed posts are in the fast subset
