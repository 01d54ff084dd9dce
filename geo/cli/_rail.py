"""``geo rail calibrate``: fit the rail run-time model on timetables and print the cross-validation table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo._private.railcal import calibrate, format_table
from geo._private.runtime import CALIBRATION_FILE
from geo._private.writeout import write_text
from geo.cli._common import add_progress_args, existing_file
from geo.errors import InputError
from geo.settings import shared_data_dir

EPILOG = """\
examples:
  # refit on the shared calibration set and print the leave-one-corridor-out table
  geo rail calibrate
  # ... and write the fitted parameters into the package (geo/data/rail_calibration.json)
  geo rail calibrate --write
  # print the table of the packaged calibration without refitting
  geo rail calibrate --show
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("rail", help="rail run-time model: calibrate on timetables", description="Rail run-time model tools.")
    sub = p.add_subparsers(dest="rail_command", metavar="ACTION")
    c = sub.add_parser(
        "calibrate",
        help="fit the run-time model on GTFS trips and print the leave-one-corridor-out table",
        description="Fit the calibrated run-time model (geo._private.runtime.Calibration) on a stop_times extract "
        "and cross-validate it leaving one corridor out at a time.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("--calibration", metavar="CSV", help="stop_times extract to fit on (default shared rail/gtfs_20261004_shaanxi_calibration.csv)")
    c.add_argument("--held-out", metavar="CSV", help="extract never fitted on, to check (default shared rail/gtfs_20261004_stop_times_extract.csv)")
    c.add_argument("--rail", metavar="OSM_RAIL_FILE", help="OSM railway ways (default shared xian_zhashui/shaanxi_osm_rail_lines.geojson)")
    c.add_argument("--stations", metavar="STATIONS_FILE", help="OSM station points (default shared xian_zhashui/shaanxi_osm_rail_stations.geojson)")
    c.add_argument("--write", nargs="?", const="", metavar="JSON", help="write the calibration file (default: the packaged geo/data/rail_calibration.json)")
    c.add_argument("--show", action="store_true", help="print the packaged calibration's table, no refit")
    c.add_argument("--json", action="store_true", help="print the whole calibration as JSON")

    add_progress_args(c)  # -q/--debug also after "rail calibrate"
    c.set_defaults(func=run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run(args: argparse.Namespace) -> int:
    if args.show:
        d = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    else:
        d = calibrate(*default_inputs(args), progress=not args.quiet)
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
    else:
        print(format_table(d))
    if args.write is not None and not args.show:
        out = Path(args.write) if args.write else CALIBRATION_FILE
        write_text(json.dumps(d, ensure_ascii=False, indent=1) + "\n", out)
        if not args.quiet:
            print(f"wrote {out}")
    return 0


def default_inputs(args: argparse.Namespace) -> tuple:
    """(calibration csv, rail lines, stations, held-out csv) from the options or the shared data."""
    d = shared_data_dir()
    defaults = {
        "calibration": "rail/gtfs_20261004_shaanxi_calibration.csv",
        "held_out": "rail/gtfs_20261004_stop_times_extract.csv",
        "rail": "xian_zhashui/shaanxi_osm_rail_lines.geojson",
        "stations": "xian_zhashui/shaanxi_osm_rail_stations.geojson",
    }
    out = []
    for key in ("calibration", "rail", "stations", "held_out"):
        given = getattr(args, key, None)
        if given:
            out.append(existing_file(given, "--" + key.replace("_", "-")))
        elif d is None:
            raise InputError(f"--{key.replace('_', '-')} is not given and the shared data folder is absent", "pass the file, or set GEO_SHARED_DATA")
        else:
            out.append(d / defaults[key])
    return tuple(out)
