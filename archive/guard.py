"""Translate foreign errors at the archive's boundary: every public method of a class, once.

A class decorated with :func:`translating` raises only :class:`archive.errors.ArchiveError` (and
KeyError/ValueError where its methods document them): sqlite3 errors and OSErrors become the
DatabaseFault that says what happened (archive.errors.translate). Generators are wrapped too, so
an error while a caller iterates (``export``, ``raw_pages``) is translated as well.
"""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from archive.errors import translate

T = TypeVar("T", bound=type)
_FOREIGN = (sqlite3.Error, OSError)


def _database(instance: Any) -> object:
    return getattr(instance, "database", "the archive")


def _wrap_iterator(iterator: Iterator[Any], instance: Any) -> Iterator[Any]:
    try:
        yield from iterator
    except _FOREIGN as exc:
        translated = translate(exc, _database(instance))
        if translated is None:
            raise
        raise translated from exc


def _wrap(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = method(self, *args, **kwargs)
        except _FOREIGN as exc:
            translated = translate(exc, _database(self))
            if translated is None:
                raise
            raise translated from exc
        if inspect.isgenerator(result) or (isinstance(result, Iterator) and not isinstance(result, list)):
            return _wrap_iterator(result, self)
        return result

    return wrapper


def translating(cls: T) -> T:
    """Wrap every public method of ``cls`` (and ``__init__``) so foreign errors are translated."""
    for name, member in list(vars(cls).items()):
        if callable(member) and (not name.startswith("_") or name == "__init__"):
            setattr(cls, name, _wrap(member))
    return cls
