"""``python -m jobs`` is the same as the ``newsroll`` command."""

from jobs.cli import main

main()
