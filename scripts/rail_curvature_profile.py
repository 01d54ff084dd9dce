"""Curve-radius profile of one OSM rail line: where its inferred design speed comes from (issue 9, fifth pass).

    PYTHONPATH=. python scripts/rail_curvature_profile.py                 # 包西高速线 (Xi'an–Yan'an HSR)
    PYTHONPATH=. python scripts/rail_curvature_profile.py --line 西成客专线

Prints, for the line's merged pieces (as :func:`geo.rail.line_design_radius` measures them): length, vertex
spacing and the 5th-percentile radius over 2 km heading windows, read two ways: as the design speed reads it (the
polyline as a polygon, each chord's heading constant along it: :func:`geo._private.runtime.curve_radii`; route
curve limits spread a vertex's turn over its half-chords instead, ``vertex_arcs=True``, since the sixth pass) and
as a smooth curve through the vertices (each chord's heading at its midpoint, linear in between: exact on a
circular arc whatever the vertex spacing). Then the stretches of the longest piece below 7000 m (the
high-speed table's 350 km/h row) with the circumradius of the vertices there (the circle through three
consecutive vertices: exact for vertices on a circular arc) and the nearest station along the line; and the
design radius and speed of every high-speed line under both readings. The figures are quoted in docs/rail.md.
"""

from __future__ import annotations

import argparse
import sys
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo._private import runtime
from geo.rail import _read_lines, classify, line_design_radius, utm_epsg
from geo.settings import shared_data_dir
from geo.speeds import rail_design_speed

WINDOW_M = runtime.CURVE_WINDOW_M
STEP_M = 50.0


def smooth_radii(x: np.ndarray, y: np.ndarray, window_m: float = 1000.0, step_m: float = 50.0) -> tuple[np.ndarray, np.ndarray]:
    """Curve radius along a polyline read as a smooth curve through its vertices (chord headings at chord midpoints)."""
    seg = np.hypot(np.diff(x), np.diff(y))
    total = float(seg.sum())
    if total < 2 * step_m:
        return np.zeros(0), np.zeros(0)
    keep = seg > 1e-6
    head = np.unwrap(np.arctan2(np.diff(y)[keep], np.diff(x)[keep]))
    at = (np.r_[0.0, np.cumsum(seg)][:-1] + seg / 2)[keep]
    s = np.arange(0.0, total + step_m / 2, step_m)
    mid = (s[1:] + s[:-1]) / 2
    a = np.clip(mid - window_m / 2, mid[0], mid[-1])
    b = np.clip(mid + window_m / 2, mid[0], mid[-1])
    turn = np.abs(np.interp(b, at, head) - np.interp(a, at, head))
    with np.errstate(divide="ignore", invalid="ignore"):
        return mid, np.where(turn > 1e-9, (b - a) / turn, np.inf)


def circumradii(xy: np.ndarray) -> np.ndarray:
    """Radius of the circle through each three consecutive vertices (inf where collinear)."""
    p, q, r = xy[:-2], xy[1:-1], xy[2:]
    a, b, c = np.hypot(*(q - p).T), np.hypot(*(r - q).T), np.hypot(*(r - p).T)
    cross = np.abs((q - p)[:, 0] * (r - p)[:, 1] - (q - p)[:, 1] * (r - p)[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cross > 0, a * b * c / (2 * cross), np.inf)


def _read(fn, xy: np.ndarray, length: float) -> tuple[np.ndarray, np.ndarray]:
    pos, r = fn(xy[:, 0], xy[:, 1], window_m=WINDOW_M, step_m=STEP_M)
    r = np.where(np.isfinite(r), r, 1e9)
    keep = (pos >= WINDOW_M) & (pos <= length - WINDOW_M)  # as line_design_radius: the piece's ends left out
    return pos[keep], r[keep]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--line", default="包西高速线", help="OSM line name")
    args = ap.parse_args(argv)
    d = shared_data_dir()
    if d is None:
        print("../shared/data is absent: set GEO_SHARED_DATA", file=sys.stderr)
        return 2
    gdf, _ = _read_lines(d / "xian_zhashui" / "shaanxi_osm_rail_lines.geojson")
    st = gpd.read_file(d / "xian_zhashui" / "shaanxi_osm_rail_stations.geojson")
    ll = shapely.get_coordinates(gdf.geometry.values)
    tr = Transformer.from_crs("EPSG:4326", f"EPSG:{utm_epsg(float(np.median(ll[:, 0])), float(np.median(ll[:, 1])))}", always_xy=True)
    sel = gdf[gdf["name"].astype("string").str.strip() == args.line]
    if sel.empty:
        print(f"no OSM way named {args.line}", file=sys.stderr)
        return 2
    geoms = shapely.transform(sel.geometry.values, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    merged = shapely.line_merge(shapely.union_all(geoms))
    parts = sorted(getattr(merged, "geoms", [merged]), key=lambda p: -p.length)
    print(f"{args.line}: {len(sel)} ways, {len(parts)} merged pieces; 2 km heading windows, the first and last 2 km of each piece left out\n")
    print("| piece | km | vertices | chord m (median / p90 / max) | q05 polygon m | q05 smooth m | km < 7000 polygon | km < 7000 smooth |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for i, p in enumerate(parts):
        xy = shapely.get_coordinates(p)
        seg = np.hypot(*np.diff(xy, axis=0).T)
        row = f"| {i} | {p.length / 1000:.1f} | {len(xy)} | {np.median(seg):.0f} / {np.quantile(seg, 0.9):.0f} / {seg.max():.0f} |"
        if p.length >= 4 * WINDOW_M:
            _, rp = _read(runtime.curve_radii, xy, p.length)
            _, rs = _read(smooth_radii, xy, p.length)
            row += f" {np.quantile(rp, 0.05):.0f} | {np.quantile(rs, 0.05):.0f} | {np.sum(rp < 7000) * STEP_M / 1000:.1f} | {np.sum(rs < 7000) * STEP_M / 1000:.1f} |"
        else:
            row += " (short: not measured) | | | |"
        print(row)

    p = parts[0]
    xy = shapely.get_coordinates(p)
    cum = np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]
    cr = circumradii(xy)
    pos, rp = _read(runtime.curve_radii, xy, p.length)
    spos, rs = _read(smooth_radii, xy, p.length)
    sx, sy = tr.transform(st.geometry.x.to_numpy(), st.geometry.y.to_numpy())
    on = np.array([p.distance(shapely.Point(a, b)) <= 1500.0 for a, b in zip(sx, sy, strict=True)])
    at = np.array([p.project(shapely.Point(a, b)) for a, b in zip(sx[on], sy[on], strict=True)])
    names = st["name"].astype(str).to_numpy()[on]
    print(f"\nPiece 0 ({p.length / 1000:.1f} km): stretches below 7000 m read as a polygon (the model's reading)\n")
    print("| km along | polygon min m | smooth min m | chords there m | circumradius of the vertices there m | nearest station within 1.5 km of the track |")
    print("|---|---:|---:|---|---|---|")
    low = rp < 7000
    edges = np.flatnonzero(np.diff(np.r_[0, low.astype(int), 0]))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        s0, s1 = pos[a], pos[b - 1]
        v = np.flatnonzero((cum[1:-1] >= s0 - WINDOW_M / 2) & (cum[1:-1] <= s1 + WINDOW_M / 2))
        sm = rs[(spos >= s0) & (spos <= s1)]
        ch = np.diff(cum)[np.r_[v, v + 1]] if len(v) else np.zeros(0)
        chords = f"{ch.min():.0f}–{ch.max():.0f}" if len(ch) else "—"
        circ = f"{np.min(cr[v]):.0f}–{np.max(cr[v][np.isfinite(cr[v])]):.0f} (median {np.median(cr[v]):.0f})" if len(v) else "—"
        j = int(np.argmin(np.abs(at - (s0 + s1) / 2))) if len(at) else -1
        near = f"{names[j]} at {at[j] / 1000:.1f} km" if j >= 0 else "—"
        print(f"| {s0 / 1000:.1f}–{s1 / 1000:.1f} | {rp[a:b].min():.0f} | {sm.min() if len(sm) else float('nan'):.0f} | {chords} | {circ} | {near} |")

    hs = classify(gdf.drop(columns=[c for c in ("name", "name:zh") if c in gdf.columns])).to_numpy() == "highspeed"
    cls = classify(gdf).to_numpy()
    poly = line_design_radius(gdf)
    with mock.patch.object(runtime, "curve_radii", smooth_radii):
        smooth = line_design_radius(gdf)
    t = pd.DataFrame({"line": gdf["name"].astype(str), "class": cls, "hs": hs, "polygon": poly, "smooth": smooth})
    t = t[(t["class"] == "highspeed") & np.isfinite(t["polygon"])].groupby("line").first()
    print("\nHigh-speed lines: design radius (5th pct, m) and speed (km/h) from curvature, the two readings\n")
    print("| line | polygon m | km/h | smooth m | km/h |")
    print("|---|---:|---:|---:|---:|")
    for name, r in t.sort_values("polygon").iterrows():
        vp, vs = rail_design_speed([r["polygon"], r["smooth"]], True)
        print(f"| {name} | {r['polygon']:.0f} | {vp:.0f} | {r['smooth']:.0f} | {vs:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
