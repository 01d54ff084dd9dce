"""``geo access``: accessibility of every origin (cumulative, gravity, 2SFCA), one row per origin."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo._private.writeout import atomic_target, write_csv, write_gpkg
from geo.access import _check_measure, accessibility
from geo.batch import read_points
from geo.cli._batch_args import add_batch_arguments, batch_options, network_source
from geo.errors import InputError
from geo.modes import ROAD_MODES

EPILOG = """\
examples:
  # hospital beds within 30 minutes' drive of every node of the network
  geo access --network ../shared/data/osm_samples/andorra-latest_osm2gpd_2023-07.osm.pbf \\
      --origins nodes --opportunities hospitals.geojson --weight beds \\
      --measure cumulative --minutes 30 --out out/beds30.parquet

  # 2SFCA doctors per resident (residents per village as demand), enhanced with exponential decay
  geo access --network shaanxi.osm.pbf --origins villages.gpkg --demand population \\
      --opportunities clinics.csv --weight doctors --measure 2sfca --minutes 30 --decay exp --beta 0.05 \\
      --out out/doctors.gpkg

  # gravity access on a 500 m grid over the network, power decay t^-1
  geo access --network taiyuan.geojson --origins grid:500 --opportunities schools.csv \\
      --measure gravity --decay power --beta 1 --out out/schools_gravity.parquet

notes:
  POINTS is a GeoJSON / GeoPackage / CSV (lon,lat) file, nodes (every network node) or, for
  --origins, grid:METRES (centres of square cells over the network's extent).
  cumulative: sum of --weight within --minutes. gravity: sum of weight * f(t), f = exp(-beta t)
  (default) or max(t,1)^-beta; --minutes is an optional cut-off. 2sfca: two-step floating catchment
  within --minutes, supply --weight per unit of origin --demand; with --decay, enhanced (kernel) 2SFCA.
  FILE is .parquet (GeoParquet), .gpkg, .geojson or .csv; FILE.parts/ keeps the partitions (resumable).
  Origins farther than --max-snap from the network get NaN.
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "access",
        help="accessibility of every origin: cumulative, gravity, 2SFCA (one row per origin)",
        description="Accessibility measures for every origin (network nodes, grid cells or your points), "
        "computed in blocks of bounded memory, in-process or on Dask.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--network", required=True, metavar="FILE", help=".osm.pbf, .osm, OSM GeoJSON lines or a saved .geonet")
    p.add_argument("--origins", required=True, metavar="POINTS", help="GeoJSON/GeoPackage/CSV (lon,lat) file, nodes, or grid:METRES")
    p.add_argument("--opportunities", required=True, metavar="POINTS", help="GeoJSON/GeoPackage/CSV (lon,lat) file, or nodes")
    p.add_argument("--weight", default=None, metavar="COLUMN", help="opportunity column (jobs, beds, doctors); default 1 each")
    p.add_argument("--demand", default=None, metavar="COLUMN", help="2sfca: origin column (population); default 1 each")
    p.add_argument("--measure", required=True, choices=("cumulative", "gravity", "2sfca"), help="accessibility measure")
    p.add_argument("--minutes", type=float, default=None, metavar="T", help="time limit (cumulative, 2sfca) or cut-off (gravity)")
    p.add_argument("--decay", default=None, choices=("exp", "power"), help="distance decay (gravity default exp; 2sfca: enhanced)")
    p.add_argument("--beta", type=float, default=0.1, help="decay parameter (default 0.1)")
    p.add_argument("--mode", default="drive", help=f"{', '.join(ROAD_MODES)} (default: drive)")
    p.add_argument("--max-snap", type=float, default=None, metavar="M", help="largest point-to-road distance in metres (default 1000)")
    p.add_argument("--out", required=True, metavar="FILE", help="output: .parquet, .gpkg, .geojson or .csv")
    add_batch_arguments(p)
    p.set_defaults(func=run)
    return p


_SUFFIXES = (".parquet", ".gpkg", ".geojson", ".csv")


def grid_points(net: Any, cell_m: float) -> Any:
    """Centres of square ``cell_m`` cells over the network's extent (local metric CRS), as ``id, lon, lat``."""
    xy = net.xy
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    nx, ny = int((x1 - x0) // cell_m) + 1, int((y1 - y0) // cell_m) + 1
    if nx * ny > 50_000_000:
        raise InputError(f"grid:{cell_m:g} gives {nx * ny:,} cells over this network", "use larger cells, e.g. grid:1000")
    cx = x0 + (np.arange(nx) + 0.5) * cell_m
    cy = y0 + (np.arange(ny) + 0.5) * cell_m
    gx, gy = np.meshgrid(cx, cy)
    back = Transformer.from_crs(net.metric_crs, "EPSG:4326", always_xy=True)
    lon, lat = back.transform(gx.ravel(), gy.ravel())
    return pd.DataFrame({"id": np.arange(nx * ny), "lon": lon, "lat": lat, "cell_m": float(cell_m)})


def _origins(spec: str, net: Any) -> Any:
    if spec.startswith("grid:"):
        try:
            cell = float(spec[5:])
        except ValueError:
            cell = float("nan")
        if not (cell > 0 and cell < float("inf")):
            raise InputError(f"--origins {spec!r}: the cell size must be a positive number of metres", "pass e.g. --origins grid:500")
        return grid_points(net, cell)
    return read_points(spec, option="--origins", net=net)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in _SUFFIXES:
        raise InputError(f"--out {out.name!r} has an unknown extension", f"end it with one of {', '.join(_SUFFIXES)}")
    _check_measure(args.measure, args.minutes, args.decay, args.beta)
    if args.max_snap is not None and not (0 < args.max_snap < float("inf")):
        raise InputError(f"--max-snap must be a positive number of metres, got {args.max_snap}", "pass e.g. --max-snap 500")
    opts = batch_options(args)
    src, net = network_source(args)

    origins = _origins(args.origins, net)
    opp = read_points(args.opportunities, option="--opportunities", net=net)
    res = accessibility(
        src,
        origins,
        opp,
        measure=args.measure,
        out_dir=out.with_name(out.name + ".parts"),
        minutes=args.minutes,
        weight=args.weight,
        demand=args.demand,
        decay_kind=args.decay,
        beta=args.beta,
        max_snap_m=args.max_snap,
        engine=args.engine,
        **opts,
    )
    _write(res, out)
    if not opts["quiet"]:
        col = "opportunities" if args.measure == "cumulative" else "access"
        v = res[col]
        print(
            f"wrote {len(res):,} origins to {out} ({col}: median {v.median():.6g}, max {v.max():.6g}; "
            f"{int(v.isna().sum()):,} off the network)",
            file=sys.stderr,
        )
    return 0


def _write(gdf: Any, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        with atomic_target(out) as tmp:
            gdf.to_parquet(tmp, index=False)
    elif suffix == ".gpkg":
        write_gpkg({"access": gdf}, out)
    elif suffix == ".geojson":
        with atomic_target(out) as tmp:
            gdf.to_file(tmp, driver="GeoJSON")
    else:
        write_csv(gdf, out)
