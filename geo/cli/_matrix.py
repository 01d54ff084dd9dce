"""``geo matrix``: origin-destination travel times as partitioned Parquet (``from_id, to_id, minutes``)."""

from __future__ import annotations

import argparse
import sys

from geo.batch import od_matrix_batch, read_points
from geo.cli._batch_args import add_batch_arguments, batch_options, network_source
from geo.errors import InputError
from geo.modes import ROAD_MODES

EPILOG = """\
examples:
  # every node of the Andorra drive network to 50 points of a file, on a local Dask cluster
  geo matrix --network ../shared/data/osm_samples/andorra-latest_osm2gpd_2023-07.osm.pbf \\
      --origins nodes --destinations hospitals.geojson --max-minutes 30 --sparse --out out/matrix

  # villages x county seats from CSV files (lon,lat columns), on a running cluster
  geo matrix --network shaanxi.osm.pbf --origins villages.csv --destinations seats.csv \\
      --scheduler tcp://head:8786 --out out/villages_seats

notes:
  POINTS is a GeoJSON / GeoPackage / CSV (lon,lat) file or the word nodes (every network node,
  ids 0..n-1). Ids are the file's id column, else its feature ids or row numbers.
  DIR gets part-NNNNN.parquet files (read them with pandas.read_parquet(DIR) or dask), a
  _manifest.json and, when complete, _SUCCESS. Rerunning the same command resumes.
  Unreachable pairs (or slower than --max-minutes) have NaN minutes; --sparse leaves them out.
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "matrix",
        help="origin-destination travel times (partitioned Parquet), in-process or on Dask",
        description="Travel times from every origin to every destination, written as partitioned Parquet "
        "with columns from_id, to_id, minutes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--network", required=True, metavar="FILE", help=".osm.pbf, .osm, OSM GeoJSON lines or a saved .geonet")
    p.add_argument("--origins", required=True, metavar="POINTS", help="GeoJSON/GeoPackage/CSV (lon,lat) file, or: nodes")
    p.add_argument("--destinations", required=True, metavar="POINTS", help="GeoJSON/GeoPackage/CSV (lon,lat) file, or: nodes")
    p.add_argument("--mode", default="drive", help=f"{', '.join(ROAD_MODES)} (default: drive)")
    p.add_argument("--max-minutes", type=float, default=None, metavar="T", help="cut-off: slower pairs are NaN")
    p.add_argument("--max-snap", type=float, default=None, metavar="M", help="largest point-to-road distance in metres (default 1000)")
    p.add_argument("--sparse", action="store_true", help="write only reachable pairs")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (partitioned Parquet)")
    add_batch_arguments(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    if args.max_minutes is not None and not (0 < args.max_minutes < float("inf")):
        raise InputError(f"--max-minutes must be a positive number, got {args.max_minutes}", "pass e.g. --max-minutes 60")
    if args.max_snap is not None and not (0 < args.max_snap < float("inf")):
        raise InputError(f"--max-snap must be a positive number of metres, got {args.max_snap}", "pass e.g. --max-snap 500")
    opts = batch_options(args)
    src, net = network_source(args)
    origins = read_points(args.origins, option="--origins", net=net)
    destinations = read_points(args.destinations, option="--destinations", net=net)
    res = od_matrix_batch(
        src,
        origins,
        destinations,
        out_dir=args.out,
        max_minutes=args.max_minutes,
        max_snap_m=args.max_snap,
        engine=args.engine,
        sparse=args.sparse,
        **opts,
    )
    if not opts["quiet"]:
        print(
            f"wrote {len(origins):,} x {len(destinations):,} travel times to {res.out_dir} "
            f"({res.partitions} partitions: {res.computed} computed, {res.skipped} already done; {res.where}, {res.seconds:.1f} s)",
            file=sys.stderr,
        )
    return 0
