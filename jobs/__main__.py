"""``python -m jobs`` is the same as the ``newsroll`` command."""

from jobs.cli import main

if __name__ == "__main__":  # importing the module (a spawned process, a tool) runs nothing
    main()
