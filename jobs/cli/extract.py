"""`newsroll extract`: what newsroll would extract from saved pages, as JSON records."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from scraper.errors import ExtractError
from scraper.extract import extract, local_published

logger = logging.getLogger(__name__)


def extract_file(path: Path, *, url: str | None = None, rules_name: str | None = None) -> dict[str, Any]:
    content = path.read_bytes()
    page_url = url or path.resolve().as_uri()
    result = extract(content, page_url, rules_name=rules_name)
    published = local_published(result)  # the page's own day: a Chinese page's 07:00 is not yesterday
    return {
        "file": str(path),
        "title": result.title,
        "author": result.author or result.source,
        "source": result.source,
        "editor": result.editor,
        "published": _iso(published) if published else None,
        "image": result.image,
        "canonical_url": result.canonical_url,
        "rules": result.rules,
        "body_html": result.body_html,
        "body_text": result.body_text,
    }


def _iso(when: datetime) -> str:
    text = when.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def extract_files(
    files: tuple[str, ...], *, url: str | None = None, rules_name: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """One record per file, in order. A file that fails still yields a record with ``error``."""
    records: list[dict[str, Any]] = []
    failed = 0
    for name in files:
        path = Path(name)
        try:
            records.append(extract_file(path, url=url, rules_name=rules_name))
        except (OSError, ExtractError) as exc:
            failed += 1
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            logger.error("%s: %s", name, message)
            records.append({"file": name, "error": message, "title": None, "author": None, "published": None,
                            "image": None, "body_html": "", "body_text": ""})
    return records, failed


@click.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", default=None, help="The page's original URL (selects site rules, resolves links).")
@click.option("--rules", "rules_name", default=None, help="Force a site rule set (e.g. sina).")
@click.option("--format", "fmt", default="jsonl", show_default=True, type=click.Choice(["json", "jsonl"]))
def extract_cmd(files: tuple[str, ...], url: str | None, rules_name: str | None, fmt: str) -> None:
    """Show what newsroll extracts from saved HTML pages (one JSON object per file)."""
    records, failed = extract_files(files, url=url, rules_name=rules_name)
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        for record in records:
            click.echo(json.dumps(record, ensure_ascii=False))
    sys.exit(1 if failed else 0)
