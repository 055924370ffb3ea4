"""Child process of ``test_verify_kill``: stores batches in a loop until it is killed.

    python tests/test_verify_kill_child.py DB POSTS_DIR START

Each batch has 20 new articles (ids from START on) and edits of 5 articles a previous child
stored (START - 100000 …), so kills land in inserts, revisions, merges and post writes. After each
committed batch it prints one JSON line: ``[[id, title], ...]`` for every stored article.
(No tests here; pytest imports this module harmlessly.)
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def make_article(n: int, version: int):  # type: ignore[no-untyped-def]
    from scraper.models import Article

    body = "。".join(
        f"第{n}号文章第{k}段，股市与招商引资的消息{version if k == 3 else ''}" for k in range(12)
    )
    return Article(
        feed=f"feed-{n % 3}",
        site="测试站",
        category="金融",
        url=f"https://example.com/{n}.html",
        title=f"文章 {n} 版本 {version}",
        published=datetime(2022, 1, 1, tzinfo=UTC) + timedelta(hours=n % 5000),
        body_html=f"<p>{body} {{braces}}</p>" * 3,
        body_text=body,
        guid=f"guid-{n}",
        raw_html=(f"<html><body>{body}</body></html>" * 20).encode(),
        raw_charset="utf-8",
    )


def main() -> None:
    database, posts, start = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    from archive import Archive

    with Archive(database, posts) as archive:
        n = start
        version = start // 100000
        while True:
            batch = [make_article(i, 0) for i in range(n, n + 20)]
            if start >= 100000:
                batch += [make_article(start - 100000 + (n - start) // 4 + k, version) for k in range(5)]
            results = archive.store(batch, now=datetime.now(UTC))
            print(
                json.dumps(
                    [[r.id, a.title] for r, a in zip(results, batch, strict=True)], ensure_ascii=False
                ),
                flush=True,
            )
            n += 20


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
