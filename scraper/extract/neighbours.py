"""Article text next to the chosen container: a lead outside it, a continuation in another row.

Two ways the density scorer's container cuts an article short, on any site:

* **A lead paragraph outside the body container.** Templates print the headline, a standfirst
  or the agency's opening paragraph, a byline and a date, then open the body container. The lead
  is one paragraph: it scores too little to join on its own. So, from the first chosen node,
  the blocks before it are read backwards, up through a few ancestors, until the headline: the
  blocks of article prose met on the way (long enough, sentence punctuation, little link
  text, not a byline/date/source line, not in a boilerplate-named block) are the lead. Short
  lines (bylines, dates, share buttons) are stepped over; anything else (navigation, a list of
  links, another heading) stops the search, and so does not meeting the headline at all:
  prose is joined only from *between* the headline and the body.
* **An article continued in another table row.** Old portal layouts put the text in cells of
  consecutive rows of one table (an advert or an image row between them). For a chosen
  ``<td>``, the cells of the same table, in every row, are its siblings
  (:func:`table_cells`); the scorer's usual sibling rule decides which join.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

__all__ = ["lead_blocks", "table_cells"]

_BLOCKS = "h1, h2, h3, p"
_BLOCK_TAGS = frozenset({"h1", "h2", "h3", "p"})
_HEADINGS = frozenset({"h1", "h2", "h3"})
_MIN_LEAD = 40  # characters, spaces excluded
_SHORT_LINE = 100  # a shorter block that is not prose is stepped over (byline, date, share bar)
_MAX_LINK_SHARE = 0.25
_MAX_BLOCKS = 12
_MAX_LEADS = 3
_MAX_LEVELS = 3
_PUNCTUATION = re.compile(r"[，。！？；、,.!?;:：]")
_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\d{1,2}:\d{2}")
_NOT_LEAD = re.compile(
    r"^\s*(?:by\s|written by|updated|published|posted|last updated|作者|记者|本报记者|来源|文\s*[/／]|"
    r"责任编辑|编辑|发布时间|时间|日期|摘要\s*[:：]?$)",
    re.IGNORECASE,
)
_BOILERPLATE_NAMES = re.compile(
    r"(^|[-_\s])(byline|author|date|time|meta|info|share|social|tags?|related|nav|menu|breadcrumbs?|crumbs?|"
    r"ad|ads|advert|sidebar|comments?|caption|credit|toolbar|subscribe|newsletter|promo)([-_\s]|$)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"\s[|•·]\s")  # "Le Monde | 04.05.2015 à 13h36 | Par …": a meta line


def _length(text: str) -> int:
    return len(_SPACES.sub("", text))


def _link_share(node: LexborNode, length: int) -> float:
    if not length:
        return 1.0
    return min(sum(_length(a.text(deep=True)) for a in node.css("a")) / length, 1.0)


def _names(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def _is_headline(node: LexborNode, headline: str | None) -> bool:
    if node.tag == "h1":
        return True
    if node.tag not in _HEADINGS or not headline:
        return False
    text = _SPACES.sub(" ", node.text(deep=True)).strip()
    return bool(text) and (headline[:12] in text or text[:12] in headline)


def _elements_before(node: LexborNode) -> list[LexborNode]:
    """The element siblings before ``node``, nearest first."""
    found = []
    sibling = node.prev
    while sibling is not None:
        if sibling.tag and not sibling.tag.startswith(("-", "_", "!")):
            found.append(sibling)
        sibling = sibling.prev
    return found


def _blocks(node: LexborNode) -> list[LexborNode]:
    """A sibling's text blocks in document order: its paragraphs, or itself."""
    if node.tag in _BLOCK_TAGS:
        return [node]
    inner = node.css(_BLOCKS)
    return inner if inner else [node]


# What one block says about the search: a lead, a line to step over, the headline, or a stop.
_LEAD, _SKIP, _HEADLINE, _STOP = range(4)


def _classify(block: LexborNode, headline: str | None) -> int:
    if _is_headline(block, headline):
        return _HEADLINE
    if block.tag in _HEADINGS:
        return _STOP  # another section's heading
    text = _SPACES.sub(" ", block.text(deep=True)).strip()
    length = _length(text)
    if not length:
        return _SKIP
    prose = (
        length >= _MIN_LEAD
        and _link_share(block, length) < _MAX_LINK_SHARE
        and len(_PUNCTUATION.findall(text)) >= 2
        and not _NOT_LEAD.search(text)
        and not (length < 60 and _DATE.search(text))
        and not _SEPARATORS.search(text)
        and not _BOILERPLATE_NAMES.search(_names(block))
    )
    if prose:
        return _LEAD
    return _SKIP if length < _SHORT_LINE else _STOP


def lead_blocks(first: LexborNode, headline: str | None, body_text: str = "") -> list[LexborNode]:
    """Prose blocks between the headline and ``first`` (the first chosen node), in page order.

    Empty when the headline is not met within a few ancestors' preceding siblings, or when
    something other than prose and short lines stands between it and ``first``. A block whose
    text the body (``body_text``) repeats is a summary of it, not its lead, and is left out.
    """
    body = _SPACES.sub("", body_text)
    leads: list[LexborNode] = []
    seen = 0
    node = first
    for _ in range(_MAX_LEVELS):
        for sibling in _elements_before(node):
            if _BOILERPLATE_NAMES.search(_names(sibling)) and sibling.css_first("h1") is None:
                continue  # a byline, date or share block as a whole
            for block in reversed(_blocks(sibling)):
                seen += 1
                kind = _classify(block, headline)
                if kind == _HEADLINE:
                    return list(reversed(leads))
                if kind == _STOP or seen > _MAX_BLOCKS:
                    return []
                if kind == _LEAD and _SPACES.sub("", block.text(deep=True))[:40] not in body:
                    if len(leads) == _MAX_LEADS:
                        return []
                    leads.append(block)
        parent = node.parent
        if parent is None or parent.tag in ("body", "html"):
            return []
        node = parent
    return []


def table_cells(cell: LexborNode) -> list[LexborNode] | None:
    """The cells of the table ``cell`` sits in (every row, not nested tables'), in page order;
    None when ``cell`` is not a table cell."""
    if cell.tag != "td" or cell.parent is None or cell.parent.tag != "tr":
        return None
    table = cell.parent.parent
    if table is not None and table.tag in ("tbody", "thead", "tfoot"):
        table = table.parent
    if table is None or table.tag != "table":
        return None

    def own(td: LexborNode) -> bool:
        row = td.parent
        group = row.parent if row is not None else None
        if group is not None and group.tag in ("tbody", "thead", "tfoot"):
            group = group.parent
        return group is not None and group.mem_id == table.mem_id

    return [td for td in table.css("td") if own(td)]
