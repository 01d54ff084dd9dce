"""Errors that tell the user what went wrong and how to fix it.

Every error raised on bad user input is a :class:`GeoError` with two parts: the
problem (what was wrong, naming the file, row, feature or value) and the fix
(what to do about it). The CLI prints ``error: <problem>. Fix: <fix>`` on one
line and exits non-zero; ``--debug`` adds the traceback.

Exit status: 2 for a usage error (:class:`InputError`: a missing or malformed
file, value or option), 1 for data that parses but cannot be used
(:class:`DataError`, :class:`SnapError`), 3 when an online source is
unreachable.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np


class GeoError(Exception):
    """Base class for errors caused by input the user can correct.

    Parameters
    ----------
    problem
        What is wrong, with the offending value, file, row or feature.
    fix
        What the user should do about it.

    Examples
    --------
    >>> err = InputError("minutes must be positive, got -5", "pass e.g. --minutes 5,10,15")
    >>> str(err)
    'minutes must be positive, got -5. Fix: pass e.g. --minutes 5,10,15'
    """

    exit_code = 2

    def __init__(self, problem: str, fix: str | None = None) -> None:
        self.problem = problem.rstrip(". ")
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.fix:
            return f"{self.problem}. Fix: {self.fix}"
        return self.problem


class InputError(GeoError, ValueError):
    """A file, value or option given by the user is missing or malformed."""


class DataError(GeoError):
    """Input parses but its content cannot be used (empty network, wrong CRS...)."""

    exit_code = 1


class SnapError(GeoError):
    """A point is too far from the network to be snapped to it."""

    exit_code = 1


class NetworkUnavailableError(GeoError):
    """An online source (Overpass, Nominatim) could not be reached."""

    exit_code = 3


class CannotEvaluate(GeoError):
    """A claim, trip or scenario cannot be evaluated with the data given (the one way to say so).

    Not a crash: products catch it and report the verdict ``cannot-evaluate``
    with :attr:`reason` and :attr:`fix` (and, if one was computed, an
    :attr:`estimate` that is *not* a verdict, e.g. a trip with straight-line
    fallback legs). Uncaught, the CLI prints it like any :class:`GeoError`.

    Parameters
    ----------
    reason
        What data is missing or unusable, naming it.
    fix
        What to supply to make the evaluation possible.
    estimate
        Optional best effort computed anyway (a trip record, a number...).

    Examples
    --------
    >>> err = CannotEvaluate("no timetable serves Zhashui", "pass a GTFS feed with --gtfs")
    >>> err.reason, err.fix, err.estimate
    ('no timetable serves Zhashui', 'pass a GTFS feed with --gtfs', None)
    >>> isinstance(err, GeoError), err.exit_code
    (True, 1)
    """

    exit_code = 1

    def __init__(self, reason: str, fix: str | None = None, estimate: Any = None) -> None:
        super().__init__(reason, fix)
        self.reason = reason
        self.estimate = estimate


def close_names(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` of ``choices`` closest to ``word`` (for "did you mean" hints).

    Examples
    --------
    >>> close_names("max_station_mm", ["max_station_m", "max_snap_m", "text"])
    ['max_station_m', 'max_snap_m']
    """
    return difflib.get_close_matches(str(word), [str(c) for c in choices], n=n, cutoff=0.6)


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value, for messages (``1``, not ``np.int64(1)``).

    Examples
    --------
    >>> import numpy as np
    >>> repr(plain(np.int64(1))), repr(plain("a"))
    ('1', "'a'")
    """
    return value.item() if isinstance(value, np.generic) else value


def check_keys(mapping: Mapping[str, Any], allowed: Iterable[str], where: str, what: str = "key") -> None:
    """Raise :class:`InputError` naming the first key of ``mapping`` not in ``allowed``.

    The fix suggests the closest allowed key, or lists them all.

    Examples
    --------
    >>> check_keys({"id": 1, "max_station_mm": 5}, ["id", "max_station_m", "max_snap_m"], "c.yaml line 3 (claim 'a')")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: c.yaml line 3 (claim 'a'): unknown key 'max_station_mm'. Fix: did you mean 'max_station_m'? ...
    """
    allowed = list(allowed)
    for key in mapping:
        if key not in allowed:
            near = close_names(str(key), allowed)
            listing = f"allowed keys: {', '.join(allowed)}"
            fix = f"did you mean {near[0]!r}? ({listing})" if near else f"remove or rename it ({listing})"
            raise InputError(f"{where}: unknown {what} {key!r}", fix)
