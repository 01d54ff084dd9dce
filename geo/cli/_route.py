"""``geo route``: door-to-door travel time between two places, with its legs."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math

from geo._private.claim_rail import journey_band
from geo.cli._common import existing_file, refuse_options
from geo.cli._rail_args import (
    RAIL_ASSUMPTIONS,
    RAIL_INPUTS,
    add_rail_arguments,
    options_from_args,
    rail_context_from_args,
)
from geo.cli._timetable import TIMETABLE_OPTIONS, add_timetable_arguments, run_timetable, wants_timetable
from geo.errors import InputError
from geo.gazetteer import resolve_place
from geo.gtfs import format_time
from geo.modes import DOOR_TO_DOOR_MODES, ROAD_MODES, road_part
from geo.multimodal import Journey, door_to_door, road_trip
from geo.network import Network
from geo.results import Leg

EPILOG = """\
places: a station or county-seat name (西安东, Lantian, 柞水县) or LON,LAT in WGS84 (108.9423,34.2610).

examples:
  # station to station over the OSM rail graph: calibrated model with its band, a D train stopping at 蓝田
  geo route --from 西安东 --to 商洛西 --mode rail --train-class D --via 蓝田 \\
      --rail ../shared/data/xian_zhashui/shaanxi_osm_rail_lines.geojson \\
      --stations ../shared/data/xian_zhashui/shaanxi_osm_rail_stations.geojson

  # fastest timetabled train
  geo route --from 太原南 --to 忻州西 --mode rail --gtfs ../shared/data/rail/gtfs_20261004_stop_times_extract.csv

  # timetable on a date from a departure time (stop names or ids of the feed), or over a window
  geo route --mode rail --gtfs subway/ --from "Van Cortlandt Park-242 St" --to "Coney Island-Stillwell Av" \
      --date 2026-10-05 --depart 08:00 --json
  geo route --mode rail --gtfs subway/ --from 101 --to D43 --window 07:00-09:00

  # door to door, Bell Tower -> Zhashui county seat, by the planned Xi'an–Ankang HSR and car
  geo route --from 108.9423,34.2610 --to 柞水县 --mode rail+drive --line data/lines/xian_ankang_hsr.yaml --json

  # by road on a network you downloaded
  geo route --from 112.5800,37.8563 --to 112.6048,37.7913 --mode drive --network taiyuan.geojson

Rail times carry their evidence: "34 min, timetable" (a GTFS trip) or "35 min (30–42), modelled" (the
calibrated run-time model and its band of nominal 80 % coverage, see 'geo rail calibrate'). With --gtfs the timetable decides
and, when --rail is given too, the model is shown beside it.

Legs without a road network use a stated fallback (straight line x1.3 at 40 km/h driving, 5 km/h walking)
and say so in their 'method'.
"""


#: options of the modelled train (OSM rail run-time model) with their defaults
MODEL_OPTIONS: dict[str, object] = {"--train-class": None, "--via": []}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "route",
        help="door-to-door travel time and legs (drive, walk, rail, rail+walk, rail+drive)",
        description="Travel time between two places with its legs (access, wait, ride, transfer, egress).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--from", dest="origin", required=True, metavar="PLACE", help="origin: name or LON,LAT")
    p.add_argument("--to", dest="destination", required=True, metavar="PLACE", help="destination: name or LON,LAT")
    p.add_argument("--mode", default="rail+drive", choices=list(DOOR_TO_DOOR_MODES), help="default rail+drive")
    p.add_argument("--network", metavar="ROADS", help="road network file (.osm.pbf, .osm, GeoJSON lines, .geonet)")
    p.add_argument("--json", action="store_true", help="print a JSON object {total_minutes, legs: [{mode, from, to, minutes, ...}]}")
    p.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "cch", "dijkstra"],
        help="shortest-path engine for road legs (same times; auto picks the faster, see docs/benchmarks.md)",
    )
    add_rail_arguments(p)
    add_timetable_arguments(p)
    r = p.add_argument_group("rail run-time model (OSM rail, --mode rail)")
    r.add_argument("--train-class", metavar="TRAIN", help="train number or class letter (G, D, C, K, T, Z, D5264): limits lines and top speed")
    r.add_argument("--via", metavar="STATION", action="append", default=[], help="intermediate stop of the modelled train (repeatable, in order)")
    p.set_defaults(func=run)


def _place(text: str, stations: str | None):
    return resolve_place(text, stations=[stations] if stations else None)


def run(args: argparse.Namespace) -> int:
    if args.mode in ROAD_MODES:
        rail_opts = {k: v for k, v in RAIL_INPUTS.items() if k != "--stations"}  # --stations also names places
        refuse_options(
            args,
            {**rail_opts, **RAIL_ASSUMPTIONS, **TIMETABLE_OPTIONS, **MODEL_OPTIONS},
            f"with --mode {args.mode} (no rail)",
            "use --mode rail, rail+walk or rail+drive to ride trains, or drop the option",
        )
    feed = wants_timetable(args)
    if feed is not None:
        return run_timetable(args, feed)
    opt = options_from_args(args)
    a = _place(args.origin, args.stations)
    b = _place(args.destination, args.stations)
    road = None
    if args.network:
        road_mode = "walk" if args.mode == "rail" else road_part(args.mode)
        road = Network.from_file(existing_file(args.network, "--network"), mode=road_mode)
    if args.mode in ROAD_MODES:
        j: Journey = road_trip(a, b, road, args.mode, opt)
    else:
        ctx = rail_context_from_args(args)
        if ctx is None:
            raise InputError(
                f"mode {args.mode} needs rail data",
                "pass --gtfs FEED, --line SPEC.yaml, or --rail LINES --stations STATIONS",
            )
        in_feed = ctx.feed is not None and a.name in set(ctx.feed.stops["stop_name"]) and b.name in set(ctx.feed.stops["stop_name"])
        osm_pair = ctx.rail is not None and a.kind == "station" and b.kind == "station"
        if args.mode == "rail" and in_feed and (timetabled := _timetable_ride(ctx.feed, a, b)) is not None:
            # the timetable decides; the model (when OSM rail is given) is shown beside it
            j = timetabled
            if osm_pair:
                _model_beside(j, ctx, a, b, args)
        elif args.mode == "rail" and osm_pair and not ctx.lines:
            j = _osm_station_run(ctx, a, b, args)
        else:
            j = door_to_door(a, b, ctx, mode=args.mode, road=road, options=opt)
            _annotate(j)
    if args.json:
        print(json.dumps(j.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(j)
        for leg in j.legs:
            if leg.model is not None:
                print(f"  model beside the timetable: {leg.model}")
        if j.fallback:
            print("note: legs marked 'fallback' have no road network; pass --network for routed legs")
    return 0 if math.isfinite(j.total_minutes) else 1


def _model_run(ctx, a, b, args):
    return ctx.rail.run_time([a.name, *args.via, b.name], train=args.train_class, design_speed_kmh=ctx.design_speed_kmh)


def _osm_station_run(ctx, a, b, args):
    rt = _model_run(ctx, a, b, args)
    top = float(rt.sections["top_kmh"].max())
    via = f", stopping at {', '.join(args.via)}" if args.via else ", non-stop"
    hubs = rt.sections[rt.sections["hub_minutes"] > 0]
    hub = "".join(f", {m:.1f} min hub arrival at {t}" for t, m in zip(hubs["to"], hubs["hub_minutes"], strict=True))
    method = (
        f"calibrated run-time model over OSM rail ({rt.class_label}, top {top:.0f} km/h{via}{hub}, "
        f"design speed {ctx.design_speed_kmh or 'calibrated line speeds'}; calibration {rt.calibration})"
    )
    leg = Leg(
        "rail", a.name, b.name, float(rt.minutes), minutes_low=rt.minutes_low, minutes_high=rt.minutes_high,
        metres=float(rt.km) * 1000.0, evidence="model", calibration=rt.calibration, train_class=rt.train_class,
        stops_between=len(args.via), method=method,
    )  # fmt: skip
    return Journey(a.name, b.name, "rail", float(rt.minutes), [leg], minutes_low=rt.minutes_low, minutes_high=rt.minutes_high, evidence="model")


def _model_beside(j, ctx, a, b, args) -> None:
    """Add the model's estimate for the timetabled train's stops and class to the timetable leg (for comparison)."""
    leg = j.legs[0]
    try:
        stops = list(leg.stops or (a.name, b.name))
        inner = len(stops) - 2
        dwell = list(leg.dwell_s or ()) or None
        rt = ctx.rail.run_time(stops, train=args.train_class or leg.trip, dwell_s=dwell[1:-1] if dwell and inner else None, design_speed_kmh=ctx.design_speed_kmh)
    except Exception as exc:  # a station of the trip not on the OSM graph
        j.legs[0] = dataclasses.replace(leg, model=f"not available ({exc})")
        return
    label = f"{rt.label} (calibration {rt.calibration}, {rt.class_label}, same stops)"
    j.legs[0] = dataclasses.replace(leg, model_minutes=rt.minutes, model_low=rt.minutes_low, model_high=rt.minutes_high, model=label)


def _annotate(j) -> None:
    """Band and evidence of a door-to-door journey from its rail legs (geo._private.claim_rail.journey_band)."""
    if not math.isfinite(j.total_minutes):
        return
    low, high, evidence = journey_band(j.total_minutes, j.legs)
    if evidence is None:
        return
    j.minutes_low, j.minutes_high, j.evidence = low, high, evidence.kind
    j.assumptions = {**j.assumptions, "evidence": evidence.detail}


def _timetable_ride(feed, a, b):
    r = feed.fastest(a.name, b.name)
    if r is None:
        return None
    leg = Leg(
        "rail", a.name, b.name, r["minutes"], metres=r["km"] * 1000.0 if math.isfinite(r["km"]) else math.nan,
        method=f"fastest timetabled train {r['trip_id']} {format_time(r['dep_s'])}->{format_time(r['arr_s'])}",
        stops_between=len(r["stops"]) - 2, evidence="timetable", trip=str(r["trip_id"]), stops=tuple(r["stops"]),
        dwell_s=tuple(float(x) for x in r.get("dwell_s", [])),
    )  # fmt: skip
    m = float(r["minutes"])
    return Journey(a.name, b.name, "rail", m, [leg], minutes_low=m, minutes_high=m, evidence="timetable")
