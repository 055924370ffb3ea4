"""Identity of an article: ids, URL keys, content hashes and clause sketches (pure functions).

- ``article_id(identity)``: 16 hex characters of SHA-256 over the identity string.
- ``clean_url(url)``: the link without tracking parameters (``utm_*``, ``spm``, ``from``, click ids)
  or fragment, scheme and host lower-cased, remaining query parameters sorted.
- ``url_key(url)``: what two links of one story share: ``clean_url`` without the scheme, so http and
  https agree; Sina's desktop and mobile pages (``finance.sina.com.cn/…/doc-ikyak….shtml`` and
  ``finance.sina.cn/…/detail-ikyak….d.html``) share the key ``sina:ikyak…``.
- ``content_hash``: same story text, whoever listed it (body alone once it is long enough to be
  distinctive, else title and body). ``version_hash``: title and body, for revisions.
- ``sketch``/``resemblance``: bottom-k MinHash of a text's clauses; near-duplicates resemble ≥ 0.7.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import zlib
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "spm",
        "from",
        "fbclid",
        "gclid",
        "dclid",
        "yclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "igshid",
        "scm",
        "share_token",
        "share_source",
        "wfr",
        "vd_source",
    }
)
_SINA_HOST = re.compile(r"(?:^|\.)sina\.(?:com\.cn|cn)$")
_SINA_DOC = re.compile(r"/(?:doc|detail)-(i[a-z0-9]{6,})")
_CLAUSE_SPLIT = re.compile(r"[.,;:!?。，、；：！？…\n]+")
CONTENT_HASH_MIN_BODY = 200  # characters of normalized body text that identify a story on their own
SKETCH_MIN_TEXT = 80  # shorter texts are too small to call near-duplicates
SKETCH_SIZE = 12
MIN_CLAUSE = 6
NEAR_DUPLICATE = 0.7  # estimated Jaccard similarity of clause sets


def article_id(identity: str) -> str:
    """Stable 16-hex id of an identity string (see ``store`` for what identities look like)."""
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=8192)
def clean_url(url: str) -> str:
    """The link without tracking parameters and fragment; '' stays ''."""
    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    if port and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


@lru_cache(maxsize=8192)
def url_key(url: str) -> str:
    """Key shared by every link to one story (scheme-less clean URL, or ``sina:<doc id>``)."""
    cleaned = clean_url(url)
    if not cleaned:
        return ""
    parts = urlsplit(cleaned)
    if _SINA_HOST.search(parts.hostname or ""):
        match = _SINA_DOC.search(parts.path)
        if match:
            return "sina:" + match.group(1)
    return cleaned.split("://", 1)[-1]


def normalize_text(text: str) -> str:
    """Lower-case, whitespace collapsed: what two copies of one story share.

    (NFKC would also fold full-width punctuation, but costs 0.5 ms on a 2 KB Chinese text.)
    """
    return " ".join(text.split()).lower()


def content_hash(title: str, body_text: str) -> str:
    """Hash naming the story's text ('' when there is no text at all)."""
    return text_hashes(title, body_text)[0]


@lru_cache(maxsize=1024)  # an import asks for a post's hashes twice (already archived? then store)
def text_hashes(title: str, body_text: str) -> tuple[str, str]:
    """``(content_hash, version_hash)``, normalizing each text once."""
    head, body = normalize_text(title), normalize_text(body_text)
    version = hashlib.sha256((head + "\x1f" + body).encode("utf-8")).hexdigest()[:32]
    return _content_hash(head, body), version


def _content_hash(head: str, body: str) -> str:
    if len(body) >= CONTENT_HASH_MIN_BODY:
        basis = body
    else:
        if not head and not body:
            return ""
        basis = head + "\x1f" + body
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def sketch(text: str) -> tuple[int, ...]:
    """Bottom-k MinHash sketch of the text's clauses: the SKETCH_SIZE smallest 63-bit clause hashes.

    Clauses (runs between sentence or comma punctuation, at least MIN_CLAUSE characters) are the
    features: two copies of a story that differ by a header, a footer or a paragraph share most of
    them. Empty for texts too short to call near-duplicates.
    """
    if len(text) < SKETCH_MIN_TEXT:
        return ()
    crc32, adler32 = zlib.crc32, zlib.adler32
    datas = [c.strip().encode("utf-8") for c in _CLAUSE_SPLIT.split(text.lower()) if len(c) >= MIN_CLAUSE]
    hashes = {((crc32(d) << 31) ^ adler32(d)) & 0x7FFF_FFFF_FFFF_FFFF for d in datas}
    if len(hashes) < 3:
        return ()
    return tuple(heapq.nsmallest(SKETCH_SIZE, hashes))


def resemblance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the clause sets behind two sketches (0.0–1.0)."""
    if not a or not b:
        return 0.0
    union = heapq.nsmallest(SKETCH_SIZE, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)
