"""The scheduler daemon and what it shares with ``run --once``.

    service.py   run_daemon(): APScheduler (asyncio), signals, SIGHUP reload, one job per feed
    schedule.py  each feed's trigger (interval with jitter, or cron), start-up spread
    feedrun.py   FeedRunner: one scheduled run of one feed: poll, decide the next poll, record it
    backoff.py   pure: failures back off, successes recover, server floors, adaptive intervals
    once.py      run --once: which feeds are due now, one pass through FeedRunner
    health.py    a feed's health row for ``newsroll feeds``
"""
