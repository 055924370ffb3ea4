"""Front matter of a post as a dict: a strict fast reader for the simple YAML posts use, else PyYAML.

The posts newsroll imports (and writes) hold a flat mapping: ``key: value`` lines whose values are
single-quoted strings, plain words and sentences, ``true``/``false``, or a block list (``categories:``
then `` - item`` lines). Parsing that with PyYAML costs about 1 ms a post even with libyaml (its
constructors are Python); ``fast_load`` reads exactly that subset in a few microseconds and gives up
(returns None) on anything else, so ``load`` hands the document to PyYAML. Whatever it accepts
gives the value PyYAML's safe loader gives: plain scalars are resolved by PyYAML's own resolver and
only those it resolves to a string, a boolean or null are accepted (a number, a date, a merge key
goes to PyYAML), quoting follows YAML's single- and double-quote rules, and any indicator, comment,
tab, anchor, tag, flow collection, multi-line scalar or repeated key sends the document to PyYAML.
``tests/test_frontmatter.py`` checks both readers agree on tricky documents.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

# libyaml's loader when PyYAML was built with it; the same constructors, so the same values
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?:[ ]+(.*?))?[ ]*")
_ITEM_LINE = re.compile(r"([ ]*)-[ ]+(.*?)[ ]*")
# what may not start a plain scalar in block context, and what may not appear inside one
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_BAD = re.compile(r": |:$| #|[\t\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\ufffe\uffff]")
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"')
_QUOTED_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ufeff\u2028\u2029\ufffe\uffff]")
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_STR = "tag:yaml.org,2002:str"
_resolver = Resolver()


def load(head: str) -> Any:
    """The front matter's value, as ``yaml.load(head, Loader=YAML_LOADER)`` gives it (and raising
    what it raises on a bad document)."""
    fast = fast_load(head)
    if fast is not None:
        return fast
    return yaml.load(head, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)


def fast_load(head: str) -> dict[str, Any] | None:
    """The mapping of a simple front matter, or None when it is not in the subset read here."""
    result: dict[str, Any] = {}
    lines = head.split("\n")
    i, count = 0, len(lines)
    while i < count:
        line = lines[i].removesuffix("\r")
        i += 1
        if not line.strip(" "):
            continue
        match = _KEY_LINE.fullmatch(line)
        if match is None:
            return None
        key, raw = match.group(1), match.group(2)
        if key in result or _resolve_plain(key) != _STR:
            return None
        if raw:
            value = _scalar(raw)
            if value is _NOT_SIMPLE:
                return None
            result[key] = value
            continue
        items: list[Any] = []
        indent: str | None = None
        while i < count:
            item_line = lines[i].removesuffix("\r")
            if not item_line.strip(" "):
                i += 1
                continue
            item = _ITEM_LINE.fullmatch(item_line)
            if item is None:
                break
            if indent is None:
                indent = item.group(1)
            elif item.group(1) != indent:
                return None
            value = _scalar(item.group(2))
            if value is _NOT_SIMPLE:
                return None
            items.append(value)
            i += 1
        result[key] = items if items else None
    return result or None  # an empty document is null to YAML, not {}


class _NotSimple:
    pass


_NOT_SIMPLE = _NotSimple()


def _resolve_plain(text: str) -> str:
    return str(_resolver.resolve(ScalarNode, text, (True, False)))


def _scalar(raw: str) -> Any:
    """The value of a one-line scalar, or _NOT_SIMPLE."""
    if not raw:
        return _NOT_SIMPLE
    first = raw[0]
    if first == "'":
        match = _SINGLE_QUOTED.fullmatch(raw)
        if match is None or _QUOTED_BAD.search(raw):
            return _NOT_SIMPLE
        return match.group(1).replace("''", "'")
    if first == '"':
        match = _DOUBLE_QUOTED.fullmatch(raw)
        if match is None or _QUOTED_BAD.search(raw):
            return _NOT_SIMPLE
        return match.group(1)
    if first in _PLAIN_START or _PLAIN_BAD.search(raw):
        return _NOT_SIMPLE
    tag = _resolve_plain(raw)
    if tag == _STR:
        return raw
    if tag == "tag:yaml.org,2002:bool":
        return _BOOLS[raw.lower()]
    if tag == "tag:yaml.org,2002:null":
        return None
    return _NOT_SIMPLE

