"""``geo route``: door-to-door travel time between two places, with its legs."""

from __future__ import annotations

import argparse
import json
import math

from geo.cli._common import existing_file
from geo.cli._rail_args import add_rail_arguments, options_from_args, rail_context_from_args

EPILOG = """\
places: a station or county-seat name (西安东, Lantian, 柞水县) or LON,LAT in WGS84 (108.9423,34.2610).

examples:
  # station to station over the OSM rail graph, 350 km/h design speed
  geo route --from 西安东 --to 商洛西 --mode rail --design-speed 350 \\
      --rail ../shared/data/xian_zhashui/shaanxi_osm_rail_lines.geojson \\
      --stations ../shared/data/xian_zhashui/shaanxi_osm_rail_stations.geojson

  # fastest timetabled train
  geo route --from 太原南 --to 忻州西 --mode rail --gtfs ../shared/data/rail/gtfs_20261004_stop_times_extract.csv

  # door to door, Bell Tower -> Zhashui county seat, by the planned Xi'an–Ankang HSR and car
  geo route --from 108.9423,34.2610 --to 柞水县 --mode rail+drive --line data/lines/xian_ankang_hsr.yaml --json

  # by road on a network you downloaded
  geo route --from 112.5800,37.8563 --to 112.6048,37.7913 --mode drive --network taiyuan.geojson

Legs without a road network use a stated fallback (straight line x1.3 at 40 km/h driving, 5 km/h walking)
and say so in their 'method'.
"""


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
    p.add_argument("--mode", default="rail+drive", choices=["drive", "walk", "rail", "rail+walk", "rail+drive"], help="default rail+drive")
    p.add_argument("--network", metavar="ROADS", help="road network file (.osm.pbf, .osm, GeoJSON lines, .geonet)")
    p.add_argument("--json", action="store_true", help="print a JSON object {total_minutes, legs: [{mode, from, to, minutes, ...}]}")
    p.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "cch", "dijkstra"],
        help="shortest-path engine for road legs (same times; auto picks the faster, see docs/benchmarks.md)",
    )
    add_rail_arguments(p)
    p.set_defaults(func=run)


def _place(text: str, stations: str | None):
    from geo.gazetteer import resolve_place

    return resolve_place(text, stations=[stations] if stations else None)


def run(args: argparse.Namespace) -> int:
    from geo.errors import InputError
    from geo.multimodal import Journey, door_to_door, road_trip

    opt = options_from_args(args)
    a = _place(args.origin, args.stations)
    b = _place(args.destination, args.stations)
    road = None
    if args.network:
        from geo.network import Network

        road_mode = "drive" if args.mode in ("drive", "rail+drive") else "walk"
        road = Network.from_file(existing_file(args.network, "--network"), mode=road_mode)
    if args.mode in ("drive", "walk"):
        j: Journey = road_trip(a, b, road, args.mode, opt)
    else:
        ctx = rail_context_from_args(args)
        if ctx is None:
            raise InputError(
                f"mode {args.mode} needs rail data",
                "pass --gtfs FEED, --line SPEC.yaml, or --rail LINES --stations STATIONS",
            )
        if args.mode == "rail" and ctx.rail is not None and not ctx.lines and a.kind == "station" and b.kind == "station":
            j = _osm_station_run(ctx, a, b)
        elif args.mode == "rail" and ctx.feed is not None and a.name in set(ctx.feed.stops["stop_name"]) and b.name in set(ctx.feed.stops["stop_name"]):
            j = _timetable_ride(ctx.feed, a, b)
        else:
            j = door_to_door(a, b, ctx, mode=args.mode, road=road, options=opt)
    if args.json:
        print(json.dumps(j.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(j)
        if j.fallback:
            print("note: legs marked 'fallback' have no road network; pass --network for routed legs")
    return 0 if math.isfinite(j.total_minutes) else 1


def _osm_station_run(ctx, a, b):
    from geo.multimodal import Journey

    rt = ctx.rail.run_time([a.name, b.name], design_speed_kmh=ctx.design_speed_kmh)
    s = rt.sections.iloc[0]
    leg = {
        "mode": "rail",
        "from": a.name,
        "to": b.name,
        "minutes": float(rt.minutes),
        "metres": float(s["km"]) * 1000.0,
        "method": f"run-time model over OSM rail (top {s['top_kmh']:.0f} km/h, design speed {ctx.design_speed_kmh or 'class table'})",
    }
    return Journey(a.name, b.name, "rail", float(rt.minutes), [leg])


def _timetable_ride(feed, a, b):
    from geo.gtfs import format_time
    from geo.multimodal import Journey

    r = feed.fastest(a.name, b.name)
    if r is None:
        return Journey(a.name, b.name, "rail", math.nan, [])
    leg = {
        "mode": "rail",
        "from": a.name,
        "to": b.name,
        "minutes": r["minutes"],
        "metres": r["km"] * 1000.0 if math.isfinite(r["km"]) else None,
        "method": f"fastest timetabled train {r['trip_id']} {format_time(r['dep_s'])}->{format_time(r['arr_s'])}",
        "stops_between": len(r["stops"]) - 2,
    }
    return Journey(a.name, b.name, "rail", r["minutes"], [leg])
