"""Benchmark: multimodal one-to-all on the Shaanxi OSM rail graph plus a 100k-node synthetic road graph.

Prints a table (seconds, median of repeats) of:

* building the Shaanxi rail graph from OSM (uncached) and loading it from the cache;
* run-time estimates over the rail graph (path + speed-profile integration);
* one-to-all road search (drive) on the 100k-node grid;
* one-to-all rail+drive node seconds (road access -> stations -> rail services -> road egress);
* rail+drive isochrone polygons from those seconds.

Usage: .venv/bin/python scripts/bench_multimodal.py [--repeats 3]
Needs the shared data (GEO_SHARED_DATA or ../shared/data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def timed(fn, repeats: int):
    out = None
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import numpy as np

    from geo.gtfs import load_gtfs
    from geo.isochrones import isochrones_from_times
    from geo.lines import load_line
    from geo.multimodal import RailContext, multimodal_node_seconds
    from geo.rail import build_rail_network
    from geo.routing import node_times
    from geo.settings import shared_data_dir
    from geo.synthetic import grid_network

    d = shared_data_dir()
    if d is None:
        raise SystemExit("shared data folder is absent: set GEO_SHARED_DATA")
    repo = Path(__file__).resolve().parent.parent
    lines_f = d / "xian_zhashui" / "shaanxi_osm_rail_lines.geojson"
    st_f = d / "xian_zhashui" / "shaanxi_osm_rail_stations.geojson"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GEO_CACHE_DIR"] = tmp
        t_build, rail = timed(lambda: build_rail_network(lines_f, st_f, design_speed_kmh=350, cache=True), 1)
        rows.append(("rail graph: build from OSM (9,601 ways, 642 stations)", t_build, f"{rail.net.n_nodes:,} nodes, {rail.net.n_edges:,} edges, {len(rail.stations)} stations"))
        t_cache, _ = timed(lambda: build_rail_network(lines_f, st_f, design_speed_kmh=350, cache=True), args.repeats)
        rows.append(("rail graph: load from cache", t_cache, ""))
    t_rt, rt = timed(lambda: rail.run_time(["西安东", "蓝田", "商洛西"], design_speed_kmh=350), args.repeats)
    rows.append(("run time 西安东-蓝田-商洛西 (path + profile)", t_rt, f"{rt.minutes:.1f} min over {rt.km:.1f} km"))
    feed = load_gtfs(d / "rail" / "gtfs_20261004_stop_times_extract.csv")
    services = feed.to_lines() + [load_line(repo / "data" / "lines" / "xian_ankang_hsr.yaml")]
    services.append(rail.as_line(["西安北", "西安东", "蓝田", "商洛西"], name="OSM run 西安北-商洛西", design_speed_kmh=350))
    ctx = RailContext(services)
    road = grid_network(317, spacing_m=500.0, centre=(109.40, 34.00))
    rows.append(("road grid (synthetic, 500 m spacing)", float("nan"), f"{road.n_nodes:,} nodes, {road.n_edges:,} edges"))
    origin = (108.9423, 34.2610)
    t_road, tr = timed(lambda: node_times(road, [origin]), args.repeats)
    rows.append(("one-to-all drive (road only)", t_road, f"{np.isfinite(tr).sum():,} nodes reached"))
    t_mm, ts = timed(lambda: multimodal_node_seconds(road, ctx, origin, mode="rail+drive"), args.repeats)
    rows.append((f"one-to-all rail+drive ({len(services)} services, {len(ctx.stations())} stations)", t_mm, f"{np.isfinite(ts).sum():,} nodes reached"))
    faster = np.isfinite(ts) & (ts < tr * 60 - 1)
    rows.append(("  nodes where rail+drive beats driving", float("nan"), f"{faster.sum():,}"))
    t_iso, iso = timed(lambda: isochrones_from_times(road, ts, [30, 60, 90]), 1)
    rows.append(("rail+drive isochrones 30/60/90 min (raster)", t_iso, "km2: " + ", ".join(f"{a:,.0f}" for a in iso["area_km2"])))
    w = max(len(r[0]) for r in rows)
    print(f"{'step':<{w}}  {'seconds':>8}  result")
    for name, t, res in rows:
        ts_ = f"{t:8.3f}" if t == t else f"{'':>8}"
        print(f"{name:<{w}}  {ts_}  {res}")


if __name__ == "__main__":
    main()
