"""A fast main-content finder on the selectolax tree (readability-style paragraph scoring).

Every text paragraph votes for its parent (full score) and grandparent (half) with a score
that grows with its length and punctuation (commas, 。，！？) and shrinks with its share of
link text. The best-scoring container wins; sibling containers that scored well join it
(articles split over several blocks; for a table cell, the cells of every row of its table),
and so does a lead paragraph printed between the headline and the container
(:mod:`scraper.extract.neighbours`). Inside the winner, link-dense short blocks (related
lists, tag clouds, share bars) and blocks whose class/id names them as boilerplate go.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.neighbours import lead_blocks, table_cells

logger = logging.getLogger(__name__)

__all__ = ["ContentCandidate", "find_content"]

_PARAGRAPH_SELECTOR = "p, pre, td, blockquote, li, h2, h3, h4, div, section, article, span, font"
_CONTAINER_TAGS = frozenset({"div", "article", "section", "main", "td", "body", "center", "font", "span"})
_LEAF_BLOCKS = frozenset({"p", "pre", "blockquote", "h2", "h3", "h4", "li", "td"})
_PUNCTUATION = re.compile(r"[，。！？；、,.!?;:：]")
_BOILERPLATE = re.compile(
    r"(^|[-_\s])(comment|comments|share|sharing|social|related|recommend|recommended|hot|popular|"
    r"sidebar|side|footer|foot|header|nav|navigation|menu|breadcrumb|crumb|ad|ads|advert|advertisement|banner|"
    r"sponsor|promo|promotion|subscribe|newsletter|signup|login|qrcode|qr|erweima|tags|tag|keywords|"
    r"pagination|pager|copyright|disclaimer|outbrain|taboola|more|rank|list-?news|most-?read|trending|"
    r"toolbar|tools|widget|modal|popup|cookie|author-?bio)([-_\s]|$)",
    re.IGNORECASE,
)
_POSITIVE = re.compile(r"article|content|body|entry|main|post|story|text|detail|artibody|正文", re.IGNORECASE)
_MIN_PARAGRAPH = 20
_RERANKED = 12
_PRUNABLE = frozenset({"ul", "ol", "div", "section", "dl", "table", "p"})
_CREDIT_LINE = re.compile(r"责任编辑|责编\s*[:：]|【纠错】|^\s*[（(【]?\s*编辑\s*[:：]")
_SENTENCE_END = re.compile(r"[。！？.!?]")


@dataclass(frozen=True)
class ContentCandidate:
    """The chosen content container(s) and how confident the choice is."""

    nodes: tuple[LexborNode, ...]
    score: float
    text_length: int


def _text_length(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t")


def _link_density(node: LexborNode, length: int) -> float:
    if length == 0:
        return 1.0
    linked = sum(_text_length(a.text(deep=True)) for a in node.css("a"))
    return min(linked / length, 1.0)


def _class_weight(node: LexborNode) -> float:
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if not names.strip():
        return 1.0
    weight = 1.0
    if _BOILERPLATE.search(names):
        weight -= 0.5
    if _POSITIVE.search(names):
        weight += 0.5
    return weight


def _own_text_length(node: LexborNode) -> int:
    """Text directly inside ``node`` (not inside child elements): divs that hold bare text."""
    total = 0
    child = node.child
    while child is not None:
        if child.tag == "-text":
            total += _text_length(child.text_content or "")
        elif child.tag in ("br", "b", "strong", "em", "i", "a", "span", "font"):
            total += _text_length(child.text(deep=True)) if child.tag != "br" else 0
        child = child.next
    return total


def _own_headline(node: LexborNode) -> str | None:
    """The text of the headline a block opens with (a post of its own), else None."""
    child = node.child
    while child is not None and child.tag == "-text" and not (child.text_content or "").strip():
        child = child.next
    return child.text(deep=True).strip() if child is not None and child.tag in ("h1", "h2", "h3") else None


def _headline_bonus(ranked: list[tuple[float, int]], nodes: dict[int, LexborNode], page_text: str,
                    headline: str) -> list[tuple[float, int]]:
    """Re-rank the top candidates by where they sit relative to the headline: the article
    follows its headline closely; blocks before it (navigation, tickers) rarely are it."""
    anchor = page_text.find(headline[:16])
    if anchor < 0:
        return ranked
    reranked = []
    for score, key in ranked[:8]:
        sample = nodes[key].text(deep=True).strip()[:24]
        position = page_text.find(sample, max(anchor - 20000, 0)) if sample else -1
        if position >= anchor and position - anchor < 4000:
            score *= 1.6
        elif 0 <= position < anchor:
            score *= 0.6
        opening = _own_headline(nodes[key])
        if opening is not None and headline[:16] not in opening:
            score *= 0.6  # opens with another headline: the next post on the page
        reranked.append((score, key))
    return sorted(reranked, reverse=True) + ranked[8:]


def _siblings(node: LexborNode) -> list[LexborNode]:
    """``node`` and its siblings in page order; for a table cell, every cell of its table."""
    cells = table_cells(node)
    if cells is not None:
        return cells
    parent = node.parent
    return list(parent.iter()) if parent is not None else [node]


def find_content(tree: LexborHTMLParser, headline: str | None = None) -> ContentCandidate | None:
    """The node(s) most likely to hold the article text, or None for pages without prose.

    ``headline`` (the page's title) lets candidates right after the headline win ties.
    """
    root = tree.body
    if root is None:
        return None
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for node in root.css(_PARAGRAPH_SELECTOR):
        if node.tag in _LEAF_BLOCKS:
            text = node.text(deep=True)
            length = _text_length(text)
        else:
            length = _own_text_length(node)
            if length < _MIN_PARAGRAPH * 2:
                continue
            text = node.text(deep=False)
        if length < _MIN_PARAGRAPH:
            continue
        score = 1.0 + min(len(_PUNCTUATION.findall(text)), 10) + min(length / 100, 3.0)
        link_share = _link_density(node, length)
        # A list item that is mostly a link is a headline in a list, not a paragraph.
        score *= (1.0 - link_share) ** (2 if node.tag == "li" else 1)
        if score <= 0.5:
            continue
        parent = node.parent if node.tag in _LEAF_BLOCKS else node
        for depth, ancestor_weight in enumerate((1.0, 0.5, 0.25)):
            if parent is None or parent.tag == "html":
                break
            if parent.tag in _CONTAINER_TAGS or depth == 0:
                key = parent.mem_id
                nodes[key] = parent
                scores[key] = scores.get(key, 0.0) + score * ancestor_weight
            parent = parent.parent
    if not scores:
        return None
    ranked = sorted(
        ((score * _class_weight(nodes[key]), key) for key, score in scores.items()), reverse=True
    )
    # As readability does: a container's score shrinks with its own share of link text, so a
    # list of ~90 reply or headline links, each voting for the list, does not beat a post.
    top = [(score * (1.0 - _link_density(nodes[key], _text_length(nodes[key].text(deep=True)))), key)
           for score, key in ranked[:_RERANKED]]
    ranked = sorted(top, reverse=True) + ranked[_RERANKED:]
    if headline and len(headline) >= 6:
        ranked = _headline_bonus(ranked, nodes, root.text(deep=True), headline)
    best_score, best_key = ranked[0]
    best = nodes[best_key]
    chosen = []
    for sibling in _siblings(best):  # in page order, ``best`` among them
        if sibling.mem_id == best_key:
            chosen.append(sibling)
        elif sibling.mem_id in scores and _own_headline(sibling) is None:
            length = _text_length(sibling.text(deep=True))
            sibling_score = scores[sibling.mem_id] * _class_weight(sibling) * (1.0 - _link_density(sibling, length))
            if sibling_score >= max(best_score * 0.2, 10.0):
                chosen.append(sibling)
    chosen = lead_blocks(chosen[0], headline, "".join(n.text(deep=True) for n in chosen)) + chosen
    length = sum(_text_length(n.text(deep=True)) for n in chosen)
    return ContentCandidate(tuple(chosen), best_score, length)


def prune_boilerplate(container: LexborNode) -> None:
    """Drop link-dense short blocks and boilerplate-named blocks inside a chosen container."""
    doomed = []
    for node in container.css("div, ul, ol, section, aside, table, p, span, dl"):
        attrs = node.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        text = node.text(deep=True)
        length = _text_length(text)
        if names.strip() and _BOILERPLATE.search(names) and not _POSITIVE.search(names) and length < 400:
            doomed.append(node)
            continue
        if length < 80 and _CREDIT_LINE.search(text):  # editor credits, "report an error" links
            doomed.append(node)
            continue
        if node.tag in _PRUNABLE and length < 300 and node.css_first("img") is None and length:
            density = _link_density(node, length)
            if (density > 0.6 and len(_PUNCTUATION.findall(text)) < 3) or (
                    density >= 0.4 and length < 60 and not _SENTENCE_END.search(text)):
                doomed.append(node)
    for node in reversed(doomed):
        node.decompose()
