"""The health page as one self-contained HTML document: inline SVG charts, inline CSS, no script and
nothing fetched from the network (pure: the report in, text out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from archive.web.health import FeedHealth, HealthReport

STATUS_COLOURS = {
    "ok": "#2e7d32",
    "silent": "#ef6c00",
    "failing": "#c62828",
    "backoff": "#ad1457",
    "disabled": "#616161",
    "unpolled": "#1565c0",
}
STATUS_HELP = {
    "ok": "polled fine, new articles within the last day",
    "silent": "polled fine, but nothing new for over a day",
    "failing": "its last polls failed",
    "backoff": "failing; not polled again until the backoff ends",
    "disabled": "not polled (disabled)",
    "unpolled": "articles archived, but no polling record (imported, or never polled)",
}
CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.1em;margin:1.2em 0 .4em}
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #ddd;
vertical-align:middle;font-size:.9em} th{background:#f5f5f5}
.status{display:inline-block;padding:.1em .5em;border-radius:.8em;color:#fff;font-size:.85em}
.error{color:#b71c1c;font-size:.85em;max-width:28em;overflow-wrap:anywhere}
.legend span{margin-right:1.2em} .swatch{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin-right:.3em}
svg text{font-family:system-ui,sans-serif;font-size:10px;fill:#555}
"""
FETCHED, PUBLISHED = "#1976d2", "#f57c00"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def bar_chart(
    values: Sequence[int], *, label: str, width: int, height: int, line: Sequence[int] | None = None,
    hours: Sequence[datetime] = (), css_class: str = "chart",
) -> str:
    """An SVG bar chart of ``values`` (one bar per hour), with ``line`` drawn over it; the tallest
    value is labelled, and the first and last hours when ``hours`` are given."""
    top = max([*values, *(line or []), 1])
    n = max(len(values), 1)
    pad_left, pad_bottom = 28, 14 if hours else 2
    plot_w, plot_h = width - pad_left - 2, height - pad_bottom - 4
    step = plot_w / n
    parts = [
        f'<svg class="{css_class}" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>',
        f'<line x1="{pad_left}" y1="{4 + plot_h}" x2="{width - 2}" y2="{4 + plot_h}" stroke="#bbb"/>',
        f'<text x="{pad_left - 4}" y="12" text-anchor="end">{top}</text>',
        f'<text x="{pad_left - 4}" y="{4 + plot_h}" text-anchor="end">0</text>',
    ]
    for i, value in enumerate(values):
        if value:
            h = plot_h * value / top
            parts.append(
                f'<rect class="bar" x="{pad_left + i * step + 0.5:.1f}" y="{4 + plot_h - h:.1f}" '
                f'width="{max(step - 1, 0.8):.1f}" height="{h:.1f}" fill="{FETCHED}"><title>{value}</title></rect>'
            )
    if line is not None and any(line):
        points = " ".join(
            f"{pad_left + (i + 0.5) * step:.1f},{4 + plot_h - plot_h * v / top:.1f}" for i, v in enumerate(line)
        )
        parts.append(f'<polyline class="line" points="{points}" fill="none" stroke="{PUBLISHED}" stroke-width="1.5"/>')
    if hours:
        parts.append(f'<text x="{pad_left}" y="{height - 2}">{hours[0]:%m-%d %H:00}</text>')
        parts.append(f'<text x="{width - 2}" y="{height - 2}" text-anchor="end">{hours[-1]:%m-%d %H:00}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _feed_row(feed: FeedHealth, report: HealthReport) -> str:
    state = feed.state
    colour = STATUS_COLOURS.get(feed.status, "#000")
    failures = state.consecutive_failures if state else 0
    error = f'<div class="error">{escape(state.error)}</div>' if state and state.error else ""
    backoff = _when(state.backoff_until) if state and state.backoff_until and state.backoff_until > report.now else "—"
    chart = bar_chart(
        feed.fetched, line=feed.published, width=360, height=54,
        label=f"{feed.name}: articles per hour, fetched (bars) and published (line)",
    )
    return (
        f'<tr class="feed" data-feed="{escape(feed.name)}" data-status="{feed.status}">'
        f'<td class="name">{escape(feed.name)}</td>'
        f'<td><span class="status" style="background:{colour}" title="{escape(STATUS_HELP.get(feed.status, ""))}">'
        f"{feed.status}</span>{error}</td>"
        f"<td>{sum(feed.fetched)}</td><td>{feed.total}</td>"
        f"<td>{_when(state.last_success if state else None)}</td><td>{_when(feed.last_new)}</td>"
        f"<td>{failures}</td><td>{backoff}</td><td>{chart}</td></tr>"
    )


def render_health(report: HealthReport, *, title: str = "newsroll: feed health") -> str:
    """The whole page."""
    hours = [report.hour(i) for i in range(report.hours)]
    counts: dict[str, int] = {}
    for feed in report.feeds:
        counts[feed.status] = counts.get(feed.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no feeds yet"
    overall = bar_chart(
        report.totals(), line=[sum(f.published[i] for f in report.feeds) for i in range(report.hours)],
        width=900, height=160, hours=hours, css_class="chart overall",
        label="all feeds: articles per hour, fetched (bars) and published (line)",
    )
    legend = (
        f'<p class="legend"><span><i class="swatch" style="background:{FETCHED}"></i>articles fetched per hour</span>'
        f'<span><i class="swatch" style="background:{PUBLISHED}"></i>articles published per hour</span></p>'
    )
    statuses = "".join(
        f'<span><i class="swatch" style="background:{STATUS_COLOURS[s]}"></i><b>{s}</b>: {escape(h)}</span><br>'
        for s, h in STATUS_HELP.items()
    )
    rows = "".join(_feed_row(feed, report) for feed in report.feeds)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>'
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{len(report.feeds)} feeds ({escape(summary)}); the last {report.hours} hours up to '
        f"{_when(report.now)}.</p>"
        f"<h2>All feeds</h2>{legend}{overall}"
        f"<h2>Each feed</h2>"
        f'<table class="feeds"><thead><tr><th>feed</th><th>status</th><th>fetched ({report.hours} h)</th>'
        f"<th>articles (all time)</th><th>last success</th><th>last new article</th><th>failures in a row</th>"
        f"<th>backoff until</th><th>per hour (bars: fetched, line: published)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f'<h2>Statuses</h2><p class="legend">{statuses}</p>'
        "</body></html>\n"
    )
