"""jobs: the composition root — config, the CLI, the daemon, backfill and the poll pipeline.

The only package that imports both ``scraper`` and ``archive``.

- :mod:`jobs.config`    ``load_settings(path)`` → ``Settings`` (validated; ConfigError names the key);
                        the records themselves are in :mod:`jobs.settings`
- :mod:`jobs.pipeline`  ``poll(ctx, feed, state)`` → ``PollResult`` (report + next state): one poll
- :mod:`jobs.compose`   ``open_archive``, ``poll_context``: the archive + fetcher every run uses
- :mod:`jobs.cli`       the ``newsroll`` command (errors → one line + exit code, only here)
- :mod:`jobs.daemon`    the scheduler, backoff, ``run --once``, feed health
- :mod:`jobs.backfill`  paging back through a feed's history, resumable
- :mod:`jobs.reparse`   re-extract stored pages
- :mod:`jobs.errors`    ``JobsError`` and its exit codes
"""
