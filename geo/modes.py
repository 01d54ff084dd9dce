"""Travel modes: the one definition used by the loaders, the CLI, YAML files and products.

A *network mode* (:data:`Mode`) is what one :class:`geo.network.Network` is
built for: which ways it uses, which way it may travel them, at what speed.
A *trip mode* (:data:`TripMode`) may combine networks -- rail with a road
mode at both ends (``rail+walk``, ``rail+drive``) or rail between stations
-- and is what isochrones, door-to-door trips and claims accept. Each of
those accepts the subset named below; a new mode is added here first.

Examples
--------
>>> check_mode("walk")
'walk'
>>> check_mode("car")
Traceback (most recent call last):
...
geo.errors.InputError: unknown mode 'car'. Fix: did you mean 'drive'? use one of drive, walk, bike, rail
>>> road_part("rail+walk"), road_part("bike")
('walk', 'bike')
"""

from __future__ import annotations

from typing import Literal, cast, get_args

from geo.errors import InputError, close_names

#: a mode a single network is built for
Mode = Literal["drive", "walk", "bike", "rail"]
#: every network mode, in the order the CLI lists them
MODES: tuple[Mode, ...] = get_args(Mode)
#: network modes on roads (speed tables per road class)
ROAD_MODES: tuple[Mode, ...] = ("drive", "walk", "bike")

#: a trip: one network mode, rail with a road mode at both ends, or rail between two stations
TripMode = Literal["drive", "walk", "bike", "rail", "rail+walk", "rail+drive", "station-to-station"]
TRIP_MODES: tuple[TripMode, ...] = get_args(TripMode)
#: rail with road access and egress
RAIL_ROAD_MODES: tuple[TripMode, ...] = ("rail+walk", "rail+drive")
#: what ``geo isochrone`` accepts
ISOCHRONE_MODES: tuple[TripMode, ...] = ("drive", "walk", "bike", "rail+walk", "rail+drive")
#: what door-to-door trips (:mod:`geo.multimodal`, ``geo route``) accept
DOOR_TO_DOOR_MODES: tuple[TripMode, ...] = ("drive", "walk", "rail", "rail+walk", "rail+drive")
#: what timetable (RAPTOR) journeys accept (``geo route --gtfs`` with ``--date/--depart/--window``, :mod:`geo.timetable`)
TIMETABLE_MODES: tuple[TripMode, ...] = ("rail", "rail+walk")
#: what claims accept (:mod:`geo.claims`)
CLAIM_MODES: tuple[TripMode, ...] = ("drive", "walk", "rail", "rail+drive", "rail+walk", "station-to-station")

#: what one leg of a journey is: travel on a network mode, or a step of a rail journey
#: (road access/egress standing for a station, parking, boarding, waiting, changing trains, alighting, pick-up)
LegMode = Literal[Mode, "access", "egress", "park", "board", "wait", "transfer", "alight", "pickup"]
LEG_MODES: tuple[LegMode, ...] = get_args(LegMode)

_SYNONYMS = {"car": "drive", "driving": "drive", "foot": "walk", "walking": "walk", "bicycle": "bike",
             "cycling": "bike", "cycle": "bike", "train": "rail"}  # fmt: skip


def check_mode(mode: object, allowed: tuple[str, ...] = MODES, where: str = "", what: str = "mode") -> str:
    """Return ``mode`` if it is one of ``allowed``, else raise a one-line :class:`InputError`.

    Parameters
    ----------
    mode
        The value a user passed (any type: YAML gives numbers and lists too).
    allowed
        The accepted names, :data:`MODES` by default.
    where
        Prefix for the message, e.g. ``"scenario.yaml: "``.
    what
        How the user wrote the option, e.g. ``"--mode"``.
    """
    if isinstance(mode, str) and mode in allowed:
        return mode
    near: list[str] = []
    if isinstance(mode, str):
        syn = _SYNONYMS.get(mode.lower())
        near = [syn] if syn in allowed else close_names(mode, allowed)
    hint = f"did you mean {near[0]!r}? " if near else ""
    raise InputError(f"{where}unknown {what} {mode!r}", f"{hint}use one of {', '.join(allowed)}")


def as_mode(mode: object, where: str = "") -> Mode:
    """:func:`check_mode` for a network mode, typed as :data:`Mode`.

    Examples
    --------
    >>> as_mode("rail")
    'rail'
    """
    return cast(Mode, check_mode(mode, MODES, where))


def road_part(mode: str) -> str:
    """The road network a trip mode travels on: ``rail+walk`` -> ``walk``, ``rail+drive`` -> ``drive``."""
    return mode.split("+", 1)[1] if mode.startswith("rail+") else mode
