"""Rail options shared by ``geo route`` and ``geo isochrone``.

``add_rail_arguments(parser)`` adds ``--rail``, ``--stations``, ``--gtfs``,
``--line`` (repeatable), ``--design-speed`` and the multimodal assumptions;
``rail_context_from_args(args)`` turns them into a
:class:`geo.multimodal.RailContext` (or None when no rail input is given) and
``options_from_args(args)`` into :class:`geo.multimodal.Options`.
"""

from __future__ import annotations

import argparse
from typing import Any

from geo.cli._common import existing_file
from geo.errors import InputError
from geo.multimodal import Options, RailContext

#: rail inputs (no default): they only do something in a mode with rail
RAIL_INPUTS: dict[str, object] = {"--rail": None, "--stations": None, "--gtfs": None, "--line": [], "--design-speed": None}
#: assumptions of rail journeys (boarding, transfers, waiting) with their defaults
RAIL_ASSUMPTIONS: dict[str, object] = {
    "--boarding-min": 10.0,
    "--alighting-min": 5.0,
    "--parking-min": 5.0,
    "--pickup-min": 5.0,
    "--transfer-min": 10.0,
    "--headway-min": 60.0,
}


def add_rail_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("rail (for modes rail, rail+walk, rail+drive)")
    g.add_argument("--rail", metavar="OSM_RAIL_FILE", help="OSM railway ways (GeoJSON/GPKG), e.g. shaanxi_osm_rail_lines.geojson")
    g.add_argument("--stations", metavar="STATIONS_FILE", help="station points (GeoJSON, or CSV name,lon,lat); also used to resolve place names")
    g.add_argument("--gtfs", metavar="FEED", help="GTFS folder/zip or a flat stop_times extract CSV")
    g.add_argument("--line", metavar="SPEC.yaml", action="append", default=[], help="planned-line spec (repeatable)")
    g.add_argument("--design-speed", type=float, metavar="KMH", help="design speed of high-speed track for OSM rail runs (e.g. 350)")
    a = parser.add_argument_group("multimodal assumptions (stated in the output)")
    a.add_argument("--boarding-min", type=float, default=10.0, help="entrance to train (default 10)")
    a.add_argument("--alighting-min", type=float, default=5.0, help="train to exit (default 5)")
    a.add_argument("--parking-min", type=float, default=5.0, help="park and walk in, rail+drive (default 5)")
    a.add_argument("--pickup-min", type=float, default=5.0, help="reach a car at the exit, rail+drive (default 5)")
    a.add_argument("--transfer-min", type=float, default=10.0, help="minimum transfer time (default 10)")
    a.add_argument("--headway-min", type=float, default=60.0, help="headway assumed where none is known; the wait is half (default 60)")
    a.add_argument("--detour-factor", type=float, default=1.3, help="fallback legs: straight line x this (default 1.3)")
    a.add_argument("--fallback-drive-kmh", type=float, default=40.0, help="fallback driving speed (default 40)")
    a.add_argument("--fallback-walk-kmh", type=float, default=5.0, help="fallback walking speed (default 5)")


def options_from_args(args: argparse.Namespace) -> Any:
    vals = {
        "boarding_min": getattr(args, "boarding_min", 10.0),
        "alighting_min": getattr(args, "alighting_min", 5.0),
        "parking_min": getattr(args, "parking_min", 5.0),
        "pickup_min": getattr(args, "pickup_min", 5.0),
        "min_transfer_min": getattr(args, "transfer_min", 10.0),
        "default_headway_min": getattr(args, "headway_min", 60.0),
        "detour_factor": getattr(args, "detour_factor", 1.3),
        "drive_kmh": getattr(args, "fallback_drive_kmh", 40.0),
        "walk_kmh": getattr(args, "fallback_walk_kmh", 5.0),
    }
    for k, v in vals.items():
        if v is None or v < 0 or v != v:
            raise InputError(f"--{k.replace('_', '-')} must be a number >= 0, got {v!r}", "pass e.g. 10")
    if vals["detour_factor"] < 1:
        raise InputError("--detour-factor must be >= 1", "pass e.g. --detour-factor 1.3")
    if vals["drive_kmh"] <= 0 or vals["walk_kmh"] <= 0 or vals["default_headway_min"] <= 0:
        raise InputError("fallback speeds and --headway-min must be positive", "pass e.g. --fallback-drive-kmh 40")
    return Options(**vals, engine=getattr(args, "engine", "auto"))


def rail_context_from_args(args: argparse.Namespace) -> Any:
    """A :class:`geo.multimodal.RailContext` from the rail options, or None if none is given."""
    rail = getattr(args, "rail", None)
    gtfs = getattr(args, "gtfs", None)
    lines = list(getattr(args, "line", None) or [])
    if not (rail or gtfs or lines):
        return None
    stations = getattr(args, "stations", None)
    return RailContext.from_sources(
        gtfs=existing_file(gtfs, "--gtfs") if gtfs else None,
        lines=[existing_file(x, "--line") for x in lines],
        rail_lines=existing_file(rail, "--rail") if rail else None,
        rail_stations=existing_file(stations, "--stations") if stations else None,
        design_speed_kmh=getattr(args, "design_speed", None),
    )
