"""Errors that tell the user what went wrong and how to fix it.

Every error raised on bad user input is a :class:`GeoError` with two parts: the
problem (what was wrong, naming the file, row, feature or value) and the fix
(what to do about it). The CLI prints ``error: <problem>. Fix: <fix>`` on one
line and exits non-zero; ``--debug`` adds the traceback.
"""

from __future__ import annotations


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


class SnapError(GeoError):
    """A point is too far from the network to be snapped to it."""


class NetworkUnavailableError(GeoError):
    """An online source (Overpass, Nominatim) could not be reached."""

    exit_code = 3
