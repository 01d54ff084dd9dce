"""Benchmark isochrones and travel-time rasters; prints a table (median of N warm runs).

    .venv/bin/python scripts/bench_isochrones.py [--repeat 3] [--vector] [--cell 10] [--no-grid]

Cases: the central-Taiyuan OSM network (when ../shared/data is present), a
1M-node synthetic road grid, and a 1000 x 1000-cell travel-time raster.
Targets: Taiyuan 3 bands <= 50 ms; 1M nodes <= 1 s including polygons;
1000 x 1000 raster <= 2 s. ``--cell M`` adds Taiyuan rows with raster cells of M metres (band areas
against the vector method); ``--no-grid`` skips the 1M-node cases.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np


def timed(fn, repeat):
    fn()  # warm-up (numba compile / caches)
    ts = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--vector", action="store_true", help="also time the vector method (slow)")
    ap.add_argument("--cell", type=float, action="append", default=[], help="also Taiyuan raster bands with this cell (m)")
    ap.add_argument("--no-grid", action="store_true", help="skip the 1M-node synthetic grid cases")
    a = ap.parse_args()
    from geo.isochrones import isochrones
    from geo.raster import travel_time_raster
    from geo.routing import search
    from geo.settings import shared_data_dir
    from geo.synthetic import grid_network

    rows = []
    d = shared_data_dir()
    f = d / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson" if d else None
    if f is not None and f.exists():
        from geo.network import Network

        net = Network.from_file(f, mode="drive", progress=False)
        o = (112.5800, 37.8563)
        for mins in ([5, 10, 15], [10, 20, 30]):
            s, _ = timed(lambda m=mins: search(net, [o], max_minutes=max(m)), a.repeat)
            t, g = timed(lambda m=mins: isochrones(net, o, m), a.repeat)
            rows.append((f"Taiyuan drive {net.n_nodes:,} nodes, {mins} min", t, s, g.attrs.get("cell_m"), g["area_km2"].round(1).tolist()))
            for cell in a.cell:
                t, g = timed(lambda m=mins, c=cell: isochrones(net, o, m, cell_m=c), a.repeat)
                rows.append((f"  same, cell_m={cell:g}", t, s, cell, g["area_km2"].round(1).tolist()))
            if a.vector:
                t, g = timed(lambda m=mins: isochrones(net, o, m, method="vector"), 1)
                rows.append(("  same, method=vector", t, s, None, g["area_km2"].round(1).tolist()))
    if a.no_grid:
        _print(rows)
        return
    net = grid_network(1000)
    o = (float(np.median(net.lon)), float(np.median(net.lat)))
    mins = [15, 30, 60]
    s, _ = timed(lambda: search(net, [o], max_minutes=60), a.repeat)
    t, g = timed(lambda m=mins: isochrones(net, o, m), a.repeat)
    rows.append((f"synthetic grid {net.n_nodes:,} nodes, {mins} min", t, s, g.attrs.get("cell_m"), g["area_km2"].round(0).tolist()))
    t, r = timed(lambda: travel_time_raster(net, o, cell_m=100, max_minutes=60), a.repeat)
    h, w = r.minutes.shape
    rows.append((f"travel-time raster {w}x{h} cells (100 m), 60 min", t, s, 100.0, [int(np.isfinite(r.minutes).sum())]))
    _print(rows)


def _print(rows: list) -> None:
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'case':60s} {'total s':>8s} {'search s':>9s} {'cell m':>7s}  result")
    for name, t, s, c, res in rows:
        print(f"{name:60s} {t:8.3f} {s:9.3f} {c if c else '':>7}  {res}")


if __name__ == "__main__":
    main()
