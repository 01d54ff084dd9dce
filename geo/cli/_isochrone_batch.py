"""``geo isochrone --origins POINTS``: separate bands around every origin of a file, on the batch layer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from geo.batch import isochrones_batch, read_points
from geo.cli._batch_args import batch_options, network_source
from geo.cli._common import parse_minutes, refuse_options
from geo.cli._rail_args import RAIL_ASSUMPTIONS, RAIL_INPUTS
from geo.errors import InputError


def run_each(args: argparse.Namespace) -> int:
    if args.origin:
        raise InputError("--origin and --origins were both given", "use --origin for nearest-origin bands or --origins FILE for bands per origin")
    if args.mode.startswith("rail+") or args.place:
        raise InputError("--origins (bands per origin) works with --network and road modes", "pass --network FILE --mode drive|walk|bike")
    if args.crs != "wgs84":
        raise InputError("--origins files are read as WGS84", "convert the file to WGS84 (EPSG:4326) and drop --crs")

    refuse_options(
        args,
        {**RAIL_INPUTS, **RAIL_ASSUMPTIONS, "--population": None, "--raster": False, "--json": False, "--memory-budget": 1024.0},
        "with --origins (bands per origin, written as GeoParquet)",
        "drop the option, or use --origin for one set of bands with a map, raster and population",
    )
    if not args.network:
        raise InputError("no network given", "pass --network PATH (an OSM file)")
    minutes = parse_minutes(args.minutes)
    for value, option in ((args.cell_size, "--cell-size"), (args.max_snap, "--max-snap"), (args.offnetwork, "--offnetwork")):
        if value is not None and not (0 < value < float("inf")):
            raise InputError(f"{option} must be a positive number of metres, got {value!r}", f"pass e.g. {option} 100")
    opts = batch_options(args)
    opts.pop("memory_budget")
    src, net = network_source(args)
    origins = read_points(args.origins, option="--origins", net=net)
    kw: dict[str, Any] = {"method": args.method}
    for key, value in (("max_snap_m", args.max_snap), ("offnetwork_m", args.offnetwork), ("simplify_m", args.simplify), ("cell_m", args.cell_size)):
        if value is not None:
            kw[key] = value
    out = Path(args.out) / "isochrones"
    res = isochrones_batch(src, origins, minutes, out_dir=out, **opts, **kw)
    if not opts["quiet"]:
        print(
            f"wrote bands of {', '.join(f'{m:g}' for m in minutes)} min around {len(origins):,} origins to {out} "
            f"({res.partitions} partitions: {res.computed} computed, {res.skipped} already done; {res.where}, {res.seconds:.1f} s)",
            file=sys.stderr,
        )
    return 0
