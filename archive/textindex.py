"""Search text for FTS5: CJK bigrams in a shadow column, and user queries translated to match.

SQLite's ``unicode61`` tokenizer keeps a run of Chinese characters as one token, so ``股市`` is
not found inside ``今日股市大涨``; ``trigram`` cannot match terms under three characters at all (and
``LIKE '%股市%'`` silently returns nothing on a trigram table). We index a *shadow* text instead:
every run of CJK characters ``c1 c2 … cn`` becomes the tokens ``c1c2 c2c3 … c(n-1)cn cn`` (one token
per character: the bigram starting there, the last character alone), everything else is left to
``unicode61``. A query term is encoded the same way and searched as an FTS5 phrase, so any Chinese
substring of two or more characters is an exact phrase match, and a single character becomes a
prefix query. See ``benchmarks/bench_archive.py`` for the measurements behind this choice.

Query language (``translate_query``): words and ``"quoted phrases"``, implicit AND, ``AND``,
``OR``, ``NOT`` (binary, as in FTS5), parentheses, a trailing ``*`` for a prefix, and ``-word``
as "and not". Anything else raises ``QueryError`` with a one-line message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.errors import QueryError

_CJK = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_CJK_RUN = re.compile(f"([{_CJK}]+)")
# unicode61 separates on everything that is not a letter/number; we only need to keep CJK apart.
_WORD = re.compile(r"\w", re.UNICODE)


def _encode_run(run: str) -> str:
    """``c1c2 c2c3 … cn`` built with C-level list slicing (3× faster than joining slices)."""
    n = len(run)
    if n == 1:
        return run
    chars = list(run)
    out = [" "] * (3 * n - 2)
    out[0 : 3 * (n - 1) : 3] = chars[:-1]
    out[1 : 3 * (n - 1) : 3] = chars[1:]
    out[3 * (n - 1)] = chars[-1]
    return "".join(out)


def index_text(text: str) -> str:
    """The shadow text stored in the FTS column for ``text`` (see module docstring)."""
    if not text:
        return ""
    parts = _CJK_RUN.split(text)
    if len(parts) == 1:
        return text
    parts[1::2] = map(_encode_run, parts[1::2])
    return " ".join(parts)


def cjk_terms(query: str) -> list[str]:
    """Plain search terms of a query (for snippets): words and phrases, operators dropped."""
    terms = []
    for token in _lex(query):
        if token.kind == "term" and token.text.upper() not in {"AND", "OR", "NOT"}:
            terms.append(token.text.strip('"').rstrip("*").lstrip("-"))
    return [t for t in terms if t]


# --- query translation -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "term", "phrase", "op", "(", ")"
    text: str


_LEX = re.compile(r'\s*(?:(\()|(\))|("(?:[^"]|"")*"?)|([^\s()"]+))')


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        match = _LEX.match(query, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
        if match.group(1):
            tokens.append(_Token("(", "("))
        elif match.group(2):
            tokens.append(_Token(")", ")"))
        elif match.group(3):
            text = match.group(3)
            if len(text) < 2 or not text.endswith('"'):
                raise QueryError(f"unterminated quote in query: {query!r}")
            tokens.append(_Token("phrase", text[1:-1].replace('""', '"')))
        elif match.group(4):
            word = match.group(4)
            if word in {"AND", "OR", "NOT"}:
                tokens.append(_Token("op", word))
            else:
                tokens.append(_Token("term", word))
    return tokens


def _phrase(text: str, prefix: bool) -> str | None:
    """FTS5 phrase for the text of one term, or None when it has nothing searchable."""
    parts = _CJK_RUN.split(text)
    tokens: list[str] = []
    trailing_single = False
    for i, part in enumerate(parts):
        if i % 2:
            last = not any(_WORD.search(p) for p in parts[i + 1 :])
            if len(part) == 1:
                tokens.append(part)
                trailing_single = last
            else:
                tokens.extend(part[j : j + 2] for j in range(len(part) - 1))
                if not last:
                    tokens.append(part[-1])
                trailing_single = False
        elif _WORD.search(part):
            tokens.append(part)
            trailing_single = False
    if not tokens:
        return None
    body = " ".join(tokens).replace('"', '""')
    return f'"{body}"' + (" *" if prefix or trailing_single else "")


class _Parser:
    """expr := and_expr ('OR' and_expr)* ; and_expr := unary (['AND'|'NOT'] unary)* ;
    unary := term | phrase | '(' expr ')' | '-' term"""

    def __init__(self, tokens: list[_Token], query: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.query = query

    def fail(self, message: str) -> QueryError:
        return QueryError(f"{message} in query {self.query!r}")

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expr(self) -> str | None:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text == "OR":
            self.pos += 1
            parts.append(self.and_expr())
        kept = [p for p in parts if p]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else "(" + " OR ".join(kept) + ")"

    def and_expr(self) -> str | None:
        tok = self.peek()
        if tok is None or tok.kind == ")" or tok.kind == "op":
            where = tok.text if tok else "the end"
            raise self.fail(
                f"expected a word before {where}" if where != "NOT" else "NOT needs a word before it"
            )
        if tok.kind == "term" and tok.text.startswith("-") and len(tok.text) > 1:
            raise self.fail(f"'{tok.text}' needs a word before it")
        result = self.unary()
        while (tok := self.peek()) is not None and tok.kind != ")" and tok.text != "OR":
            op = "AND"
            if tok.kind == "op":
                op = tok.text
                self.pos += 1
                after = self.peek()
                if after is None or after.kind in {"op", ")"}:
                    raise self.fail(f"{op} needs a word after it")
            elif tok.kind == "term" and tok.text.startswith("-") and len(tok.text) > 1:
                op = "NOT"
            right = self.unary()
            if right is None:
                continue
            if result is None:
                if op == "NOT":
                    raise self.fail("NOT needs a word before it")
                result = right
            else:
                result = f"({result} {op} {right})"
        return result

    def unary(self) -> str | None:
        tok = self.peek()
        if tok is None:
            raise self.fail("unexpected end")
        self.pos += 1
        if tok.kind == "(":
            inner = self.expr()
            if self.peek() is None or self.peek().kind != ")":  # type: ignore[union-attr]
                raise self.fail("missing ')'")
            self.pos += 1
            return inner
        if tok.kind == ")":
            raise self.fail("unexpected ')'")
        if tok.kind == "op":
            raise self.fail(f"unexpected {tok.text}")
        text = tok.text
        if tok.kind == "term" and text.startswith("-") and len(text) > 1:
            text = text[1:]
        prefix = tok.kind == "term" and text.endswith("*")
        return _phrase(text.rstrip("*") if prefix else text, prefix)


def translate_query(query: str) -> str | None:
    """FTS5 MATCH expression for a user query over the shadow columns; None for an empty query.

    Raises QueryError (one line) when the query is malformed or has no searchable word.
    """
    if not query.strip():
        return None
    tokens = _lex(query)
    parser = _Parser(tokens, query)
    result = parser.expr()
    if parser.peek() is not None:
        raise parser.fail(f"unexpected {parser.peek().text!r}")  # type: ignore[union-attr]
    if result is None:
        raise QueryError(f"no searchable words in query {query!r}")
    return result
