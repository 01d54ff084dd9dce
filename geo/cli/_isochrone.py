"""``geo isochrone``: travel-time bands around one or several origins.

Writes ``DIR/isochrones.gpkg`` (layer ``isochrones``: one cumulative polygon
per threshold with ``minutes``, ``area_km2`` and, with ``--population``,
``population`` and ``population_share``) and ``DIR/map.html`` (offline
folium map); ``--raster`` also writes ``DIR/travel_time.tif``.

The parser is built by :func:`build_parser_options` so other modules (rail,
multimodal) can add options to the same command.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

import geopandas as gpd
import numpy as np

from geo._private.writeout import write_gpkg
from geo.cli._batch_args import add_batch_arguments
from geo.cli._common import existing_file, output_dir, parse_lonlat, parse_minutes, refuse_options
from geo.cli._isochrone_batch import run_each
from geo.cli._rail_args import (
    RAIL_ASSUMPTIONS,
    RAIL_INPUTS,
    add_rail_arguments,
    options_from_args,
    rail_context_from_args,
)
from geo.crs import check_datum, geometry_to_datum, to_wgs84
from geo.errors import InputError
from geo.isochrones import isochrones, isochrones_from_times
from geo.maps import isochrone_map, rail_map, save_map
from geo.modes import ISOCHRONE_MODES, check_mode, road_part
from geo.multimodal import multimodal_node_seconds
from geo.network import Network
from geo.raster import population_in_bands, travel_time_raster
from geo.routing import DEFAULT_MAX_SNAP_M

EPILOG = """\
examples:
  # drive-time bands of 5/10/15 minutes around a point of central Taiyuan
  geo isochrone --network ../shared/data/taiyuan_xinzhou/osm_lines_taiyuan_core_2022-01.geojson \\
      --origin 112.5800,37.8563 --minutes 5,10,15 --mode drive --out out/taiyuan

  # walking "15-minute life circle" from two origins (nearest wins), plus a travel-time GeoTIFF
  geo isochrone --network monaco.osm.pbf --mode walk --origin "7.4200,43.7370;7.4270,43.7390" \\
      --minutes 5,10,15 --raster --cell-size 25 --out out/monaco

  # people within reach, from a WorldPop raster; coordinates copied from Amap (GCJ-02)
  geo isochrone --network taiyuan.geojson --origin 112.5862,37.8595 --crs gcj02 \\
      --minutes 10,20,30 --population chn_ppp_2020_1km_Aggregated.tif --out out/pop --json

  # rail + walk: walk to a station, wait half the headway, ride a planned line, walk on
  geo isochrone --network xian_walk.osm.pbf --origin 108.9423,34.2610 --mode rail+walk \
      --line data/lines/xian_ankang_hsr.yaml --minutes 30,60,90 --out out/rail

  # online (needs internet): download the network of a place with osmnx
  geo isochrone --place "Zhashui County, Shaanxi, China" --origin 109.1091,33.6875 --minutes 15,30 --out out/z

notes:
  --origin is LON,LAT (longitude first). Bands are cumulative (15 contains 5 and 10).
  --crs gcj02 reads origins and writes isochrones.gpkg in GCJ-02 (Chinese web-map
  coordinates); map.html and travel_time.tif stay in WGS84 / a metric CRS.
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "isochrone",
        help="travel-time bands (isochrones) around origins: GeoPackage + HTML map",
        description="Compute cumulative travel-time bands around one or several origins and write them "
        "as a GeoPackage and an offline HTML map (optionally a travel-time GeoTIFF and population counts).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build_parser_options(p)
    p.set_defaults(func=run)
    return p


def build_parser_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options of ``geo isochrone`` to ``p`` (extensible by other modules)."""
    src = p.add_argument_group("network (one of)")
    g = src.add_mutually_exclusive_group()
    g.add_argument("--network", metavar="PATH", help=".osm.pbf, .osm, OSM GeoJSON lines or a saved network")
    g.add_argument("--place", metavar="NAME", help="place name to download with osmnx (needs internet)")
    p.add_argument(
        "--origin",
        action="append",
        metavar="LON,LAT",
        help="origin; repeat the option or separate several with ';' (nearest origin wins)",
    )
    p.add_argument("--minutes", default="5,10,15", help="band thresholds in minutes (default: 5,10,15)")
    p.add_argument("--mode", default="drive", help=f"{', '.join(ISOCHRONE_MODES)} (default: drive)")
    p.add_argument("--out", default="out/isochrone", metavar="DIR", help="output folder (default: out/isochrone)")
    p.add_argument("--raster", action="store_true", help="also write DIR/travel_time.tif (minutes, float32)")
    p.add_argument("--cell-size", type=float, default=None, metavar="M", help="raster cell size in metres")
    p.add_argument("--population", metavar="RASTER", help="population GeoTIFF (people per cell, any CRS)")
    p.add_argument("--crs", default="wgs84", help="coordinates of --origin and the GeoPackage: wgs84 or gcj02")
    p.add_argument("--max-snap", type=float, default=None, metavar="M", help="largest origin-to-road distance (m)")
    p.add_argument("--offnetwork", type=float, default=None, metavar="M", help="walk from the road, at most M m")
    p.add_argument("--method", default="raster", choices=("raster", "vector"), help="polygon method")
    p.add_argument("--simplify", type=float, default=None, metavar="M", help="simplify polygons (tolerance, m)")
    p.add_argument("--no-map", action="store_true", help="do not write map.html")
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of a table")
    p.add_argument(
        "--origins",
        metavar="POINTS",
        help="GeoJSON/GeoPackage/CSV (lon,lat) file or nodes: separate bands around EACH origin, written as "
        "partitioned GeoParquet DIR/isochrones/ (batch; see --workers, --scheduler)",
    )
    add_batch_arguments(p, engine=False)
    add_rail_arguments(p)
    return p


def parse_origins(values: list[str], datum: str = "wgs84") -> list[tuple[float, float]]:
    """``["112.58,37.86", "112.6,37.9;112.5,37.8"]`` -> WGS84 ``(lon, lat)`` pairs.

    Examples
    --------
    >>> parse_origins(["1,2;3,4", "5,6"])
    [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]
    """
    pts = []
    for v in values or ():
        for part in str(v).split(";"):
            if part.strip():
                pts.append(parse_lonlat(part.strip(), "--origin"))
    if not pts:
        raise InputError("no --origin given", "pass e.g. --origin 112.5800,37.8563 (or --origins FILE for bands around each point)")
    out = []
    for lon, lat in pts:
        x, y = to_wgs84(lon, lat, datum)
        out.append((float(x), float(y)))
    return out


def _check_mode(mode: str) -> str:
    return check_mode(mode, ISOCHRONE_MODES, what="--mode")


def _positive(value: float | None, option: str) -> None:
    if value is not None and not (value > 0 and value != float("inf")):
        raise InputError(f"{option} must be a positive number of metres, got {value!r}", f"pass e.g. {option} 100")




def load_network_from_args(args: argparse.Namespace, quiet: bool) -> Any:
    if args.network:
        path = existing_file(args.network, "--network")
        return Network.from_file(path, mode=road_part(args.mode), progress=not quiet)
    if args.place:
        return Network.from_place(args.place, mode=road_part(args.mode))
    raise InputError("no network given", "pass --network PATH (an OSM file) or --place NAME (online)")


def run(args: argparse.Namespace) -> int:
    if args.origins:
        return run_each(args)
    refuse_options(
        args,
        {"--workers": None, "--scheduler": None, "--partition-size": None, "--memory-budget": 1024.0, "--network-transfer": "auto"},
        "without --origins (one search from all --origin points)",
        "pass --origins FILE for separate bands around each point, or drop the option",
    )
    quiet = bool(getattr(args, "quiet", False))
    minutes = parse_minutes(args.minutes)
    mode = _check_mode(args.mode)
    datum = check_datum(args.crs)
    origins = parse_origins(args.origin, datum)
    for value, option in ((args.cell_size, "--cell-size"), (args.max_snap, "--max-snap"), (args.offnetwork, "--offnetwork")):
        _positive(value, option)
    if args.simplify is not None and not args.simplify >= 0:
        raise InputError(f"--simplify must be >= 0 metres, got {args.simplify!r}", "pass e.g. --simplify 20")
    if not mode.startswith("rail+"):
        refuse_options(
            args,
            {**RAIL_INPUTS, **RAIL_ASSUMPTIONS, "--detour-factor": 1.3, "--fallback-drive-kmh": 40.0, "--fallback-walk-kmh": 5.0},
            f"with --mode {mode} (no rail)",
            "use --mode rail+walk or rail+drive to ride trains, or drop the option",
        )
    if args.method == "vector" and args.cell_size is not None and not args.raster:
        raise InputError(
            "--cell-size has no effect with --method vector (no raster is made)",
            "drop --cell-size, use --method raster, or add --raster for a travel-time GeoTIFF",
        )
    pop = existing_file(args.population, "--population") if args.population else None
    args.mode = mode
    ctx = rail_context_from_args(args)
    if mode.startswith("rail+") and ctx is None:
        raise InputError(
            f"--mode {mode} needs rail services",
            "pass --line SPEC.yaml, --gtfs FEED or --rail OSM_RAIL_FILE --stations STATIONS_FILE",
        )
    out_dir = output_dir(args.out, "--out", created=getattr(args, "created_dirs", None))
    net = load_network_from_args(args, quiet)
    max_snap = args.max_snap or DEFAULT_MAX_SNAP_M
    kw: dict[str, Any] = {"method": args.method}
    if args.offnetwork:
        kw["offnetwork_m"] = args.offnetwork
    if args.simplify is not None:
        kw["simplify_m"] = args.simplify
    if args.cell_size and args.method == "raster":
        kw["cell_m"] = args.cell_size
    node_seconds = None
    if mode.startswith("rail+"):
        node_seconds = rail_node_seconds(net, ctx, origins, mode, minutes[-1], args, max_snap)

        o = np.asarray(origins, dtype=float)
        bands = isochrones_from_times(net, node_seconds, minutes, points=(o[:, 0], o[:, 1], np.zeros(len(o))), **kw)
    else:
        bands = isochrones(net, origins, minutes, max_snap_m=max_snap, **kw)
    if pop is not None:
        bands = population_in_bands(bands, pop)
    written: dict[str, Any] = {}
    gpkg_bands = bands.copy()
    if datum == "gcj02":
        gpkg_bands = gpkg_bands.set_geometry(geometry_to_datum(gpkg_bands.geometry.values, "gcj02"), crs="EPSG:4326")
    written["isochrones"] = write_gpkg({"isochrones": gpkg_bands}, out_dir / "isochrones.gpkg")
    if args.raster:
        r = travel_time_raster(
            net,
            origins if node_seconds is None else None,
            node_seconds=node_seconds,
            cell_m=args.cell_size or 100.0,
            max_minutes=minutes[-1],
            path=out_dir / "travel_time.tif",
            max_snap_m=max_snap,
            offnetwork_m=kw.get("offnetwork_m", 200.0),
        )
        written["raster"] = r.path
    if not args.no_map:
        title = f"{mode.capitalize()} time, {', '.join(f'{m:g}' for m in minutes)} min"
        m = isochrone_map(bands, origins=origins, title=title)
        if ctx is not None:
            st = ctx.stations().dropna(subset=["lon", "lat"])
            if len(st):
                pts = gpd.GeoDataFrame({"name": st["name"]}, geometry=gpd.points_from_xy(st["lon"], st["lat"]), crs=4326)
                rail_map(None, pts, m=m, name="Stations")
        written["map"] = save_map(m, out_dir / "map.html")
    _report(bands, written, origins, mode, net, args.json, quiet)
    return 0


def rail_node_seconds(
    net: Any, ctx: Any, origins: list[tuple[float, float]], mode: str, max_minutes: float, args: argparse.Namespace, max_snap_m: float
) -> Any:
    """Seconds to every road node by road + rail from the nearest of ``origins`` (NaN unreached)."""
    opt = dataclasses.replace(options_from_args(args), max_snap_m=max_snap_m)
    best = np.full(net.n_nodes, np.nan)
    for o in origins:
        t = multimodal_node_seconds(net, ctx, o, mode=mode, max_minutes=max_minutes, options=opt)
        best = np.fmin(best, t)
    return best


def _report(bands: Any, written: dict[str, Any], origins: list, mode: str, net: Any, as_json: bool, quiet: bool) -> None:
    cols = [c for c in ("minutes", "area_km2", "population", "population_share") if c in bands.columns]
    table = bands[cols]
    if as_json:
        summary = {
            "mode": mode,
            "origins": [list(o) for o in origins],
            "network": {"nodes": net.n_nodes, "edges": net.n_edges, "source": str(net.meta.get("source", ""))},
            "bands": json.loads(table.to_json(orient="records")),
            "files": {k: str(v) for k, v in written.items()},
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    if quiet:
        return
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    for k, v in written.items():
        print(f"wrote {k}: {v}", file=sys.stderr)
