"""What every worker process of ours shares: how it is started, Ctrl-C, and never outliving us.

Workers are started by ``forkserver`` where there is one (a fork of this process would copy the
locks its threads hold), else ``spawn``. A worker ignores Ctrl-C (the terminal sends it to the
whole process group; the loop decides what it means and ends the workers itself). A worker whose
parent is gone (killed, ``kill -9``; a zombie counts as gone) ends within a second: its queue would never close (it holds
both ends), and it would wait forever.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.context import BaseContext
from pathlib import Path

WATCH_SECONDS = 0.5


def process_context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def worker_started(parent: int) -> None:
    """(first thing in a worker) Ignore Ctrl-C; end this process when ``parent`` is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while alive(parent):
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # what was committed stays; an open SQLite transaction is rolled back


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process. A killed one that its own parent has not reaped yet
    (a zombie) is not: waiting for it to go could wait for ever (its parent may be waiting for our
    end of a pipe to close)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc here: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return state not in ("Z", "X")
