"""Travel modes: the one definition used by the network loaders, the CLI, YAML files and products.

A *network mode* is what one :class:`geo.network.Network` is built for
(which ways it uses, which way it may travel them, at what speed). A
*trip mode* combines networks (``rail+walk`` ...) and is what claims,
scenarios and door-to-door trips accept.

Examples
--------
>>> check_mode("walk")
'walk'
>>> check_mode("car")
Traceback (most recent call last):
...
geo.errors.InputError: unknown mode 'car'. Fix: use one of drive, walk, bike, rail
"""

from __future__ import annotations

from typing import Literal, cast, get_args

from geo.errors import InputError

#: a mode a single network is built for
Mode = Literal["drive", "walk", "bike", "rail"]
#: every network mode, in the order the CLI lists them
MODES: tuple[Mode, ...] = get_args(Mode)
#: modes on the road network (have speed tables per road class)
ROAD_MODES: tuple[Mode, ...] = ("drive", "walk", "bike")

#: a door-to-door trip: one road mode, rail with a road mode at both ends, or rail between stations
TripMode = Literal["drive", "walk", "bike", "rail", "rail+walk", "rail+drive", "station-to-station"]
TRIP_MODES: tuple[TripMode, ...] = get_args(TripMode)


def check_mode(mode: object, allowed: tuple[str, ...] = MODES, where: str = "") -> str:
    """Return ``mode`` if it is one of ``allowed``, else raise a one-line :class:`InputError`.

    Parameters
    ----------
    mode
        The value a user passed (any type: YAML gives numbers and lists too).
    allowed
        The accepted names, :data:`MODES` by default.
    where
        Prefix for the message, e.g. ``"scenario.yaml: "``.
    """
    if not isinstance(mode, str) or mode not in allowed:
        raise InputError(f"{where}unknown mode {mode!r}", f"use one of {', '.join(allowed)}")
    return mode


def as_mode(mode: object, where: str = "") -> Mode:
    """:func:`check_mode` for a network mode, typed as :data:`Mode`.

    Examples
    --------
    >>> as_mode("rail")
    'rail'
    """
    return cast(Mode, check_mode(mode, MODES, where))
