"""Pre-cleaning of the generic path that keeps article text: hidden nodes and image
boilerplate out, page-wide ``<form>`` wrappers unwrapped.

* Hidden nodes (``hidden``, ``display: none``, ``visibility: hidden``) are not what a reader
  sees; they hold alternative layouts, templates and duplicated teasers.
* Media widgets: video player controls, photo galleries and slideshows (counters, a caption
  and a credit per slide).
* Image boilerplate: figure captions, photo credits, "more"/"less" caption toggles and image
  titles are not article text (an archive keeps the images, not their credit lines).
* Forum rules notices (``本版规则``, "Forum rules", a block named ``rules``/``notice``) beside a
  post are the board's, not the post's.
* MathML (``<math>``) is text the sanitizer cannot keep as markup: it becomes its plain text.
* ASP.NET-style pages wrap the whole page in one ``<form>``: dropping forms drops the article.
  A form holding prose is unwrapped; a small one (search box, login, newsletter) is dropped.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["drop_invisible", "drop_link_lists", "drop_notices", "flatten_math", "unwrap_forms"]

_HIDDEN = (
    "[hidden], [style*='display:none' i], [style*='display: none' i], [style*='visibility:hidden' i], "
    "[style*='visibility: hidden' i]"
)
_IMAGE_BOILERPLATE = (
    "figcaption, [class*='caption' i], [id*='caption' i], [class*='credit' i], [class*='photo-desc' i], "
    "[class*='img-desc' i], [class*='image-desc' i], [class*='pic-desc' i]"
)
# Video players and photo galleries: controls, slide counters, a caption and credit per slide.
_MEDIA_WIDGET = re.compile(r"(^|[\s_-])(video-js|vjs|jwplayer|video-?player|media-?player|gallery|slideshow|"
                           r"carousel|legends)([\s_-]|$)", re.IGNORECASE)
_MIN_PROSE_BESIDE = 300  # paragraph text outside a gallery for it to be a gallery *beside* an article
_TOGGLE_WORDS = frozenset({"more", "less", "show more", "show less", "read more", "expand", "collapse",
                           "more+", "less-", "展开", "收起", "展开全文", "更多"})
_TOGGLE_TAGS = "a, span, button, div, p"
_MAX_CAPTION = 400
_MIN_FORM_TEXT = 200
_MIN_LIST_ITEMS = 2
_LINK_ITEM_SHARE = 0.5  # an item whose text is mostly link text is a link
_LINK_LIST_SHARE = 0.8  # a list whose items are mostly links is a link list
_SPACES = re.compile(r"\s+")
# A block that opens with one of these headings is a board's notice (its first child, not a
# block of its own, says so: the container holding the notice *and* the post does not open so).
_NOTICE_WORDS = (r"(?:论坛规则|本版规则|版块规则|版规|发帖须知|发帖规则|社区规则|社区公约|论坛公告|本版公告|forum rules|"
                 r"board rules|posting rules|community rules|community guidelines|forum guidelines)\b")
_NOTICE_HEADING = re.compile(r"^\s*[【\[]?\s*" + _NOTICE_WORDS, re.IGNORECASE)
# Whole class or id tokens only ("rules-of-the-game" may be an article's). Not "notice": a
# site's own notice box (a product page's "sync your profile") is often what readers came for.
_NOTICE_NAMES = frozenset({"rules", "forumrules", "forum-rules", "forum_rules", "bbsrules", "bbs-rules",
                           "board-rules", "boardrules"})
_NOTICE_ANYWHERE = re.compile(_NOTICE_WORDS, re.IGNORECASE)  # no leading \s*: linear on any text
_MAX_NOTICE = 1500
_NOTICE_BLOCKS = "div, section, table, fieldset, dl, ul, aside"
_NOTICE_SELECTOR = ", ".join(f"{tag}[class~='{name}' i], {tag}[id='{name}' i]"
                             for tag in _NOTICE_BLOCKS.split(", ") for name in sorted(_NOTICE_NAMES))
_BLOCK_CHILDREN = frozenset({"div", "section", "article", "main", "table", "ul", "ol", "dl", "form", "aside"})


def _length(node: LexborNode) -> int:
    return len(_SPACES.sub("", node.text(deep=True)))


def _is_caption(node: LexborNode) -> bool:
    # A "caption" class on a wrapper of real text (a table, an article) is not a caption.
    return node.tag not in ("html", "body", "article", "main") and _length(node) <= _MAX_CAPTION \
        and node.css_first("p p, h1, h2, article") is None


def _is_toggle(node: LexborNode) -> bool:
    return node.child is not None and node.child.next is None and \
        _SPACES.sub(" ", node.text(deep=True)).strip().lower() in _TOGGLE_WORDS


def _prose_length(node: LexborNode) -> int:
    return sum(_length(p) for p in node.css("p"))


def _is_media_widget(node: LexborNode, page_prose: int) -> bool:
    """A player or gallery beside an article; a gallery that *is* the article (a photo story:
    little prose elsewhere on the page) stays."""
    if node.tag in ("html", "body", "article", "main"):
        return False
    names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
    return bool(_MEDIA_WIDGET.search(names)) and page_prose - _prose_length(node) >= _MIN_PROSE_BESIDE


def drop_invisible(root: LexborNode) -> None:
    """Remove hidden nodes and image boilerplate (captions, credits, caption toggles).

    One query per kind, removed in reverse document order, so a node is never touched after
    an ancestor of it was removed.
    """
    for selector, doomed in ((_HIDDEN, lambda n: n.tag not in ("html", "body")),
                             (_IMAGE_BOILERPLATE, _is_caption), (_TOGGLE_TAGS, _is_toggle)):
        for node in reversed([n for n in root.css(selector) if doomed(n)]):
            node.decompose()
    page_prose = _prose_length(root)
    for node in reversed([n for n in root.css("div, ul, section, figure, aside") if _is_media_widget(n, page_prose)]):
        node.decompose()


def _opens_with_notice(node: LexborNode) -> bool:
    child = node.child
    while child is not None:
        if child.tag in _BLOCK_CHILDREN:
            return False
        if child.tag != "-comment":
            text = child.text(deep=True) or ""
            if text.strip():
                return bool(_NOTICE_HEADING.match(text))
        child = child.next
    return False


def drop_notices(root: LexborNode) -> None:
    """Remove forum rules notices: a block named ``rules``/``notice``, or one opening with a
    rules heading, of at most a notice's length."""
    found = list(root.css(_NOTICE_SELECTOR))
    if _NOTICE_ANYWHERE.search(root.text(deep=True, separator="\n")):  # mostly not: no walk
        found += [node for node in root.css(_NOTICE_BLOCKS) if _opens_with_notice(node)]
    doomed = {node.mem_id: node for node in found if _length(node) <= _MAX_NOTICE}
    order = {node.mem_id: i for i, node in enumerate(root.css(_NOTICE_BLOCKS))} if len(doomed) > 1 else {}
    for node in sorted(doomed.values(), key=lambda n: order.get(n.mem_id, 0), reverse=True):
        node.decompose()


def unwrap_forms(root: LexborNode) -> None:
    """Unwrap forms that hold prose (a page-wide ASP.NET form); drop the small ones."""
    for node in reversed(root.css("form")):
        if _length(node) >= _MIN_FORM_TEXT:
            node.unwrap()
        else:
            node.decompose()


def flatten_math(root: LexborNode) -> None:
    """Replace each ``<math>`` element with its text (``a ≠ 0``), which the sanitizer keeps.

    A renderer's custom wrapper around it (MathJax's ``<mjx-container>``: glyph boxes without
    text plus an assistive copy) is replaced as a whole, so no extractor drops the formula.
    """
    targets: dict[int, tuple[LexborNode, list[str]]] = {}
    for node in root.css("math"):
        target = node
        while target.parent is not None and "-" in (target.parent.tag or ""):
            target = target.parent
        text = _SPACES.sub(" ", node.text(deep=True, separator=" ")).strip()
        targets.setdefault(target.mem_id, (target, []))[1].append(text)
    for target, texts in reversed(list(targets.values())):
        target.replace_with(" ".join(texts) + " ")


def _link_share(node: LexborNode) -> float:
    total = _length(node)
    return sum(_length(a) for a in node.css("a")) / total if total else 0.0


def drop_link_lists(body_html: str) -> str:
    """Drop lists and tables of links from a sanitized body (related stories, reply titles).

    A ``ul``/``ol``/``dl``/``table`` of at least two items, nearly all of them mostly link
    text, is navigation, whichever extractor kept it. A layout table that holds the article
    has rows of prose and stays.
    """
    if "<a " not in body_html:
        return body_html
    tree = LexborHTMLParser(body_html)
    root = tree.body
    if root is None:
        return body_html
    doomed = []
    for node in root.css("ul, ol, dl, table"):
        items = [item for item in node.css("li, dt, tr") if _length(item)]
        if len(items) < _MIN_LIST_ITEMS:
            continue
        linked = sum(1 for item in items if _link_share(item) >= _LINK_ITEM_SHARE)
        if linked >= _LINK_LIST_SHARE * len(items):
            doomed.append(node)
    if not doomed:
        return body_html
    for node in reversed(doomed):
        node.decompose()
    return str(root.inner_html or "")
