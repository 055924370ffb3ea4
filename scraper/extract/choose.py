"""Choosing among the generic path's candidate bodies by what they show.

Three extractors each win on different pages: the paragraph-density scorer on portal pages
full of navigation, trafilatura and readability elsewhere. No fixed order picks well, but
their *agreement* does: when two of them find the same text, that text is the article, and
the odd one out found boilerplate or missed a part. So: when the two cheap candidates agree
closely, take the density one; otherwise compute readability too and take the medoid, the
candidate that agrees most with the others. Empty candidates never win while another has text.

Agreement is the F1 of the two texts' 4-token shingle multisets (tokens: ``\\w+`` runs, each
CJK character a token of its own), the measure the extraction benchmarks score with.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

__all__ = ["agreement", "medoid", "AGREE"]

AGREE = 0.95  # two candidates this close are the same article: no third opinion needed
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(r"\w+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_SPLIT = re.compile(f"[{_CJK}]|[^{_CJK}]+")


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens: list[str] = []
    for word in _WORD.findall(text):
        tokens.extend(_CJK_SPLIT.findall(word) if _CJK_CHAR.search(word) else (word,))
    if len(tokens) < 4:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False))


def agreement(first: str, second: str) -> float:
    """Shingle F1 of two texts: 1.0 for the same text, 0.0 for nothing in common."""
    a, b = _shingles(first), _shingles(second)
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    common = sum((a & b).values())
    return 2 * common / (sum(a.values()) + sum(b.values()))


def medoid(texts: Sequence[str], more: Callable[[], str] | None = None) -> int:
    """Index of the text to keep among ``texts`` (in order of preference on ties).

    ``more`` computes a further candidate on demand (the costly one): it is called only when
    the first two candidates disagree, and its text then takes part as index ``len(texts)``.
    """
    texts = list(texts)
    filled = [i for i, text in enumerate(texts) if text.strip()]
    if len(filled) >= 2 and agreement(texts[filled[0]], texts[filled[1]]) >= AGREE:
        return filled[0]
    if more is not None:
        texts.append(more())
        filled = [i for i, text in enumerate(texts) if text.strip()]
    if len(filled) <= 1:
        return filled[0] if filled else 0
    pair: dict[tuple[int, int], float] = {}
    for x in filled:
        for y in filled:
            if x < y:
                pair[(x, y)] = agreement(texts[x], texts[y])
    totals = {i: sum(v for k, v in pair.items() if i in k) for i in filled}
    best = max(totals.values())
    order = [filled[0], *filled[2:], *filled[1:2]] if len(filled) > 2 else filled
    chosen = next(i for i in order if totals[i] >= best - 0.02)
    inside = [i for i in filled if i != chosen and _adds_only_boilerplate(texts[chosen], texts[i])]
    return min(inside, key=lambda i: len(texts[i])) if inside else chosen


_SQUASH = re.compile(r"\s+")
_SENTENCE = re.compile(r"[。！？!?]|[a-z][.!?](?:\s|$)")
_CJK_SHARE = 0.3  # only on Chinese text, where menu lines and short headings are told apart (measured)
_CONTAINED = 0.9  # share of the smaller text's characters found as lines of the larger
_PROSE_EXTRA = 0.3  # more than this share of sentence lines in the extra: it is article text


def _adds_only_boilerplate(larger: str, smaller: str) -> bool:
    """Whether ``larger`` is ``smaller`` plus only short non-sentence lines (menus, section
    names, "0 comments", a headline): the medoid favours such a superset, since it shares
    text with every candidate, but the smaller one is the article. Lines are compared whole
    (sets: linear in the texts' length)."""
    if len(smaller) >= len(larger) or len(_CJK_CHAR.findall(smaller)) < _CJK_SHARE * len(_SQUASH.sub("", smaller)):
        return False  # English menus are lists of words: headings and list items look alike there
    small_lines = {_SQUASH.sub("", line) for line in smaller.splitlines()} - {""}
    large_lines = {_SQUASH.sub("", line): line.strip() for line in larger.splitlines()}
    large_lines.pop("", None)
    total = sum(len(line) for line in small_lines)
    if not total or sum(len(line) for line in small_lines if line in large_lines) < _CONTAINED * total:
        return False
    extra = [line for key, line in large_lines.items() if key not in small_lines]
    extra_chars = sum(len(line) for line in extra)
    if not extra_chars:
        return False
    prose = sum(len(line) for line in extra if _SENTENCE.search(line) and len(line) >= 30)
    return prose <= _PROSE_EXTRA * extra_chars
