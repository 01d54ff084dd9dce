"""``geo scenario BASE_INPUTS SCENARIO.yaml --out DIR``: before/after tables and maps of a scenario.

``BASE_INPUTS`` is a road network file (``.osm.pbf``, ``.osm``, OSM GeoJSON,
``.geonet``), or ``-`` to use the scenario's own ``base.network``. Writes
``DIR/places.csv``, ``bands.csv``, ``changes.csv``, ``comparison.gpkg``,
``comparison_map.html``, ``gains_map.html``, ``comparison.png``, ``gains.png``
(rail scenarios: ``rail_pairs.csv``). Exit status 0 when the comparison ran.
"""

from __future__ import annotations

import argparse

from geo.cli._common import existing_file, output_dir, parse_lonlat, parse_minutes
from geo.modes import ROAD_MODES, check_mode
from geo.scenario import load_scenario
from geo.study import load_network_spec, parse_network_spec, run_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scenario",
        help="compare travel times before/after a proposed change",
        description="Apply a scenario file to a copy of a base network and write before/after tables and maps.",
        epilog="example: geo scenario taiyuan.geojson data/scenarios/taiyuan_fen_river_link.yaml --out out/fen",
    )
    p.add_argument("base", metavar="BASE_INPUTS", help="road network file, or '-' for the scenario's base.network")
    p.add_argument("scenario", metavar="SCENARIO.yaml")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--mode", default=None, help=f"{', '.join(ROAD_MODES)} (default: the scenario's base.mode or drive)")
    p.add_argument("--origin", action="append", default=[], metavar="LON,LAT", help="origin (repeatable); default compare.origins")
    p.add_argument("--minutes", default=None, help="band thresholds, e.g. 10,20,30 (default compare.minutes)")
    p.add_argument("--gtfs", default=None, metavar="FEED", help="rail timetable for add_rail_line comparisons")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.mode is not None:
        check_mode(args.mode, ROAD_MODES, what="--mode")  # before reading any file
    sc = load_scenario(existing_file(args.scenario, "SCENARIO.yaml"))
    mode = args.mode or str(sc.base.get("mode", "drive"))
    quiet = bool(getattr(args, "quiet", False))
    base = None
    if args.base != "-":
        base = load_network_spec({"path": existing_file(args.base, "BASE_INPUTS"), "mode": mode}, quiet)
    elif sc.base.get("network") and sc.road_changes:
        base = load_network_spec(parse_network_spec({"path": sc.base["network"], "mode": mode}, sc.base_dir, sc.file), quiet)
    origins = [parse_lonlat(o, "--origin") for o in args.origin] or None
    minutes = parse_minutes(args.minutes) if args.minutes else None
    rail = {"gtfs": existing_file(args.gtfs, "--gtfs")} if args.gtfs else None
    out = output_dir(args.out, "--out", created=getattr(args, "created_dirs", None))
    r = run_scenario(base, sc, out, origins=origins, minutes=minutes, rail_inputs=rail, quiet=quiet)
    if r.status != "ran":
        print(f"{sc.id}: cannot evaluate - {r.reason}")
    for w in r.warnings:
        print(f"note: {w}")
    if r.places is not None and not quiet:
        cols = ["place", "before_minutes", "after_minutes", "minutes_saved", "newly_reachable"]
        print(r.places[cols].to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    if r.bands is not None and not quiet:
        print(r.bands.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if r.rail is not None and not quiet:
        print(r.rail.to_string(index=False))
    for name, path in r.files.items():
        if not quiet:
            print(f"wrote {path}" if name else "")
    return 0
