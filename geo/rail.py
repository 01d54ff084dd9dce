"""Rail networks from OpenStreetMap: a routable rail graph, stations and run times.

OSM railway ways are often thinned and *not noded* where lines meet (a branch
ends a few metres from the main line, or on the middle of one of its
segments). :func:`build_rail_network` makes a routable graph out of them:

1. vertices with identical coordinates become one node (shared OSM nodes);
2. a way *end* within ``snap_tolerance_m`` of a vertex of another way is
   merged into it;
3. a way end still dangling but within the tolerance of another way's
   *segment* splits that segment and joins it there.

Interior vertices are never merged with other ways' vertices by distance, so
lines that cross on bridges stay unconnected. Every edge is two-way.

Edge speeds come, in order, from a user ``design_speed_kmh`` (applied to
high-speed edges), the ``maxspeed`` tag, then a class table keyed by
``railway`` / ``highspeed`` (or ``rail_type=hsr`` / ``is_hsr``) / ``usage`` /
``service`` (:data:`CLASS_SPEEDS_KMH`). The routing weight is
``length / speed``; realistic station-to-station times come from
:meth:`RailNetwork.run_time`, which integrates a train's speed profile
(acceleration, braking, top speed, track speed limits, a running-time
supplement) and adds a dwell at each intermediate stop
(:mod:`geo._private.runtime`).

Stations (OSM ``railway=station`` points) are attached to all rail nodes
within ``station_radius_m`` (at least the nearest node), so a station served
by several lines is reachable from each of them; through one node per track
system (:data:`TRACK_SYSTEMS`), joined to the station node only where a run
stops, so a train passing a station stays on the track system it came on.

Examples
--------
>>> import geopandas as gpd, shapely
>>> lines = gpd.GeoDataFrame({"railway": ["rail", "rail"], "highspeed": ["yes", "yes"]},
...     geometry=[shapely.LineString([(0, 0), (0.5, 0)]), shapely.LineString([(0.50005, 0), (1.0, 0)])],
...     crs="EPSG:4326")
>>> stations = gpd.GeoDataFrame({"name": ["A", "B"]},
...     geometry=[shapely.Point(0, 0.001), shapely.Point(1.0, 0.001)], crs="EPSG:4326")
>>> rail = build_rail_network(lines, stations, design_speed_kmh=300, cache=False)
>>> rail.net.n_nodes  # 3 track nodes (the 5.6 m gap is closed) + 2 stations x (station + high-speed node) + 2 split points
9
>>> r = rail.run_time(["A", "B"])
>>> round(r.km, 1), 25 < r.minutes < 35
(111.2, True)
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo._private.cache import cache_path, cached_value, input_key
from geo._private.geodesy import haversine_m, utm_epsg
from geo._private.runtime import (
    CLASS_TOP_SPEED_KMH,
    CURVE_WINDOW_M,
    TrainModel,
    curve_radii,
    load_calibration,
    pure_running_time,
    train_class,
)
from geo._private.writeout import write_csv
from geo.errors import DataError, InputError
from geo.gazetteer import read_stations  # lives with the other name lookups; geo.rail.read_stations still works
from geo.io import read_network, save_network
from geo.lines import Line, LineStation
from geo.network import Network
from geo.routing import graph_search, path_edges
from geo.settings import shared_data_dir
from geo.speeds import RAIL_DESIGN_CLASSES, parse_maxspeed, rail_design_speed, rail_published_speeds

# rail line classes and speeds live in geo.speeds; these names are re-exported for existing callers
from geo.speeds import RAIL_LIFECYCLE_STATES as LIFECYCLE_STATES
from geo.speeds import RAIL_LINE_SPEEDS_KMH as CLASS_SPEEDS_KMH
from geo.speeds import rail_lifecycle as lifecycle
from geo.speeds import rail_line_classes as classify
from geo.speeds import rail_line_speeds as edge_speeds
from geo.speeds import rail_track_kind as _track_kind

__all__ = [
    "CLASS_SPEEDS_KMH",
    "HUB_MIN_LINES",
    "HUB_RADIUS_M",
    "LIFECYCLE_STATES",
    "RailNetwork",
    "RunTime",
    "build_rail_network",
    "classify",
    "edge_speeds",
    "format_estimate",
    "lifecycle",
    "line_design_radius",
    "parse_maxspeed",
    "rail_graph",
    "read_stations",
    "shaanxi_rail",
]

#: default tolerance (m) for joining a way end to another way
DEFAULT_SNAP_TOLERANCE_M = 30.0
#: default radius (m) around a station point whose rail nodes belong to it
DEFAULT_STATION_RADIUS_M = 500.0
#: default dwell (s) at an intermediate stop
DEFAULT_DWELL_S = 120.0
#: a junction station ("hub") has at least HUB_MIN_LINES distinctly named main-line ways (lines, connecting and
#: flyover lines 联络线/疏解线, EMU depot lines 动车走行线) within HUB_RADIUS_M of its point. A through station on one
#: line counts one name, a high-speed station beside its conventional line two; 西安北 counts 13, 西安东 9, 咸阳西 4.
#: Trains arriving at a hub cross a long interlocking (many turnouts, grade-separated approaches) and wait for
#: paths through it: the calibrated model adds a fitted arrival allowance there (``hub_arrival_s``,
#: :data:`geo._private.runtime.FIT_PARAMETERS`). On the Shaanxi file radii of 1000-2000 m and thresholds of 3-4
#: give the same hubs (docs/rail.md).
HUB_RADIUS_M = 1500.0
HUB_MIN_LINES = 3
#: railway values that make routable track
RAIL_VALUES = ("rail", "subway", "light_rail", "tram", "monorail", "narrow_gauge", "funicular")
#: rail classes that main-line trains (any Chinese train class) may use; metro, tram etc. are not theirs
MAINLINE_CLASSES = ("highspeed", "link", "main", "rail", "branch", "industrial", "service")
#: longest detour (fastest path length / shortest path length of the lines a class may use) taken as a route:
#: beyond it the shortest path is the route. A 350 km/h class weighted at 350 km/h on 包西高速线 and at the class
#: table's 120 km/h on 包西线 ran 延安->蒲城东 368 km via 西安北 and back north (the C trains: 202 km on 包西线, feed 218)
MAX_DETOUR = 1.5
#: train classes (first letter of a Chinese train number) hauled by locomotives: not allowed on high-speed lines
LOCOMOTIVE_CLASSES = ("K", "T", "Z", "Y", "L", "S", "X", "")
#: classes of multiple-unit trains (allowed on high-speed lines)
CLASS_LETTERS = ("G", "C", "D")
#: zero-length edges inside a station: way to the station's node of a track system (``station_link``), that node
#: to the station node (``station_hub``, usable only at a run's own stops, :meth:`RailNetwork.path`)
STATION_EDGE_CLASSES = ("station_link", "station_hub")
#: track systems a station joins separately: a train passing through a station (not stopping) stays on the
#: system it came on. High-speed and conventional lines that pass the same station point (甘泉 / 甘泉北,
#: 黄陵 and a mine railway) are separate tracks, often on different levels; connecting lines (``link``:
#: 联络线, 疏解线) belong to both, so a change through a station needs a connecting line there. At the run's
#: own stops any change is allowed (the station serves the lines it joins).
TRACK_SYSTEMS: dict[str, tuple[str, ...]] = {
    "highspeed": ("highspeed",),
    "link": ("highspeed", "conventional"),
    "main": ("conventional",),
    "rail": ("conventional",),
    "branch": ("conventional",),
    "industrial": ("conventional",),
    "service": ("conventional",),
}


# ---------------------------------------------------------------- building
class _UnionFind:
    def __init__(self, n: int) -> None:
        self.p = np.arange(n)

    def find(self, a: int) -> int:
        p = self.p
        while p[a] != a:
            p[a] = p[p[a]]
            a = p[a]
        return int(a)

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def _read_lines(lines: Any, include_states: Sequence[str] = ()) -> Any:
    import geopandas as gpd

    if isinstance(lines, gpd.GeoDataFrame):
        gdf = lines
        src = "in-memory"
    else:
        p = Path(lines).expanduser()
        if not p.exists():
            raise InputError(f"rail lines file {str(p)!r} does not exist", "check the path (--rail FILE)")
        try:
            gdf = gpd.read_file(p)
        except Exception as exc:  # pyogrio raises several types
            raise InputError(f"cannot read rail lines file {p}: {exc}", "give a GeoJSON/GPKG of OSM railway ways") from None
        src = str(p)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    gdf = gdf[gdf.geometry.notna()].explode(index_parts=False).reset_index(drop=True)
    gdf = gdf[gdf.geom_type == "LineString"].reset_index(drop=True)
    bad = sorted(set(include_states) - set(LIFECYCLE_STATES))
    if bad:
        raise InputError(f"unknown lifecycle state(s) {', '.join(bad)}", f"use some of {', '.join(LIFECYCLE_STATES)}")
    state = lifecycle(gdf)
    kind = _track_kind(gdf)
    keep = (state == "in service") | state.isin(list(include_states))
    keep &= kind.isna() | kind.isin(list(RAIL_VALUES)).fillna(False)
    gdf = gdf[keep.to_numpy()].assign(status=state[keep.to_numpy()].to_numpy()).reset_index(drop=True)
    if gdf.empty:
        raise DataError(f"{src}: no railway LineStrings", "give OSM railway ways (railway=rail, subway, ...) as lines")
    return gdf, src


def _build_graph(gdf: Any, speed_kmh: np.ndarray, tol_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Noded graph: node lon, lat and undirected edges (u, v, way index)."""
    import shapely
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    geoms = gdf.geometry.values
    coords, way_idx = shapely.get_coordinates(geoms, return_index=True)
    coords = coords[:, :2]
    # 1. identical coordinates (rounded to 1e-7 degree, ~1 cm) are one node
    key = np.round(coords * 1e7).astype(np.int64)
    _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    node_ll = coords[first]
    n = len(node_ll)
    lon0, lat0 = float(np.median(node_ll[:, 0])), float(np.median(node_ll[:, 1]))
    tr = Transformer.from_crs("EPSG:4326", f"EPSG:{utm_epsg(lon0, lat0)}", always_xy=True)
    x, y = tr.transform(node_ll[:, 0], node_ll[:, 1])
    xy = np.column_stack([x, y])
    # consecutive vertex pairs within a way
    same = way_idx[1:] == way_idx[:-1]
    eu, ev, ew = inv[:-1][same], inv[1:][same], way_idx[:-1][same]
    # way ends
    starts = np.r_[0, np.flatnonzero(~same) + 1]
    ends = np.r_[np.flatnonzero(~same), len(way_idx) - 1]
    end_nodes = np.unique(np.r_[inv[starts], inv[ends]])
    # node -> set of ways (to avoid joining a way end to its own way)
    node_ways: dict[int, set[int]] = {}
    for nd, w in zip(inv.tolist(), way_idx.tolist(), strict=True):
        node_ways.setdefault(nd, set()).add(w)
    uf = _UnionFind(n)
    tree = cKDTree(xy)
    # 2. way ends merge into any vertex of another way within the tolerance (nearest first)
    joined = np.zeros(n, dtype=bool)
    for e in end_nodes.tolist():
        cand = tree.query_ball_point(xy[e], tol_m)
        if len(cand) <= 1:
            continue
        d = np.hypot(*(xy[cand] - xy[e]).T)
        for c in np.asarray(cand)[np.argsort(d)].tolist():
            if c == e or node_ways[c] & node_ways[e]:
                continue
            uf.union(e, c)
            joined[e] = True
            break
    root = np.array([uf.find(i) for i in range(n)])
    # degree after merging: which ends still dangle?
    ru, rv = root[eu], root[ev]
    deg = np.bincount(np.r_[ru, rv], minlength=n)
    dangling = [e for e in end_nodes.tolist() if not joined[e] and deg[root[e]] == 1 and len(node_ways[e]) == 1]
    # 3. dangling ends within the tolerance of another way's segment split it
    extra_u: list[int] = []
    extra_v: list[int] = []
    extra_w: list[int] = []
    splits: dict[int, list[tuple[float, int]]] = {}
    if dangling:
        segs = shapely.linestrings(np.stack([xy[eu], xy[ev]], axis=1))
        stree = shapely.STRtree(segs)
        pts = shapely.points(xy[dangling])
        pi, si = stree.query(pts, predicate="dwithin", distance=tol_m)
        order = np.argsort(shapely.distance(pts[pi], segs[si]), kind="stable")
        done: set[int] = set()
        for p, s in zip(pi[order].tolist(), si[order].tolist(), strict=True):
            e = dangling[p]
            if e in done or ew[s] in node_ways[e]:
                continue
            done.add(e)
            a, b = xy[eu[s]], xy[ev[s]]
            ab = b - a
            f = float(np.clip(np.dot(xy[e] - a, ab) / max(float(np.dot(ab, ab)), 1e-9), 0.0, 1.0))
            splits.setdefault(s, []).append((f, e))
    if splits:
        drop = np.zeros(len(eu), dtype=bool)
        for s, lst in splits.items():
            drop[s] = True
            chain = [int(eu[s])] + [e for _, e in sorted(lst)] + [int(ev[s])]
            for a_, b_ in itertools.pairwise(chain):
                extra_u.append(a_)
                extra_v.append(b_)
                extra_w.append(int(ew[s]))
        eu, ev, ew = (
            np.r_[eu[~drop], extra_u].astype(np.int64),
            np.r_[ev[~drop], extra_v].astype(np.int64),
            np.r_[ew[~drop], extra_w].astype(np.int64),
        )
    ru, rv = root[eu], root[ev]
    keep = ru != rv
    ru, rv, ew = ru[keep], rv[keep], ew[keep]
    # compact node numbering
    used, new = np.unique(np.r_[ru, rv], return_inverse=True)
    u_new, v_new = new[: len(ru)], new[len(ru) :]
    lon, lat = node_ll[used, 0], node_ll[used, 1]
    return lon, lat, u_new.astype(np.int64), v_new.astype(np.int64), ew.astype(np.int64)


def _undirected(
    lines: Any, design_speed_kmh: float | None, speeds: Mapping[str, float] | None, snap_tolerance_m: float, include_states: Sequence[str] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, pd.DataFrame, str]:
    if not snap_tolerance_m >= 0:
        raise InputError(f"snap_tolerance_m must be >= 0, got {snap_tolerance_m!r}", "use e.g. 30")
    if design_speed_kmh is not None and not design_speed_kmh > 0:
        raise InputError(f"design speed must be positive, got {design_speed_kmh!r}", "pass e.g. --design-speed 350")

    gdf, src = _read_lines(lines, include_states)
    sp = edge_speeds(gdf, design_speed_kmh, speeds).to_numpy(dtype=float)
    tagged = gdf["maxspeed"].map(parse_maxspeed).to_numpy(dtype=float) if "maxspeed" in gdf.columns else np.full(len(gdf), np.nan)
    lon, lat, u, v, w = _build_graph(gdf, sp, snap_tolerance_m)
    cls = classify(gdf).to_numpy()
    radius = line_design_radius(gdf)
    hs_track = classify(gdf.drop(columns=[c for c in ("name", "name:zh") if c in gdf.columns])).to_numpy() == "highspeed"
    design = np.where(np.isin(cls, list(RAIL_DESIGN_CLASSES)), rail_design_speed(radius, hs_track), np.nan)
    names = gdf["name"].astype("string").str.strip() if "name" in gdf.columns else pd.Series(pd.NA, index=gdf.index, dtype="string")
    published = names.map(rail_published_speeds()).astype(float).to_numpy()
    attrs = pd.DataFrame(
        {
            "osm_id": gdf["osm_id"].astype(str).to_numpy()[w] if "osm_id" in gdf.columns else w.astype(str),
            "name": gdf["name"].astype("string").to_numpy()[w] if "name" in gdf.columns else pd.NA,
            "rail_class": cls[w],
            "speed_kmh": sp[w],
            "maxspeed_kmh": tagged[w],
            "status": gdf["status"].astype(str).to_numpy()[w],
            "line_radius_m": radius[w],
            "design_kmh": design[w],
            "published_kmh": published[w],
        }
    )
    return lon, lat, u, v, attrs, src


def line_design_radius(
    gdf: Any, quantile: float = 0.05, window_m: float = CURVE_WINDOW_M, step_m: float = 50.0, min_measured_m: float = 1000.0
) -> np.ndarray:
    """Minimum curve radius (m) of each way's line, measured on the OSM geometry.

    Ways are grouped into lines by ``name`` (an unnamed way is its own line),
    merged end to end, and the curve radius (:func:`geo._private.runtime.curve_radii`)
    sampled every ``step_m`` with a ``window_m`` heading window over the
    merged pieces at least ``4 * window_m`` long, their first and last
    ``window_m`` left out (junctions, throats); a line with no such piece
    (a connecting line) is measured on all its pieces with a window of a
    quarter of their length. The line's radius is the
    ``quantile`` of the samples over its length: robust to single digitising
    kinks and to the short tight curves of station throats, which the
    long window averages out. NaN for a line with less than
    ``min_measured_m`` measured (station tracks, sidings): the class table
    applies.

    Caveats: the figure reads low where OSM digitising is coarse (a smooth
    7000 m curve drawn as a few straight pieces), and a line that mixes
    sections of different design (an old and a new section under one name)
    gets the design of its tighter sections (徐兰高速线 covers both
    Zhengzhou–Xi'an and Xi'an–Baoji). Measuring per stretch of ~30 km
    instead was tried and made the cross-validation worse (noisier figures).
    """
    import shapely
    from pyproj import Transformer

    out = np.full(len(gdf), np.nan)
    if len(gdf) == 0:
        return out
    ll = shapely.get_coordinates(gdf.geometry.values)
    tr = Transformer.from_crs("EPSG:4326", f"EPSG:{utm_epsg(float(np.median(ll[:, 0])), float(np.median(ll[:, 1])))}", always_xy=True)
    geoms = shapely.transform(gdf.geometry.values, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    names = gdf["name"].astype("string").str.strip().fillna("") if "name" in gdf.columns else pd.Series("", index=gdf.index)
    key = np.where(names.to_numpy() == "", np.array([f"\0way{i}" for i in range(len(gdf))]), names.to_numpy().astype(str))
    for idx in pd.Series(np.arange(len(gdf))).groupby(key).groups.values():
        idx = np.asarray(idx)
        merged = shapely.line_merge(shapely.union_all(geoms[idx]))  # noded: pieces end at every crossover and junction
        parts = list(getattr(merged, "geoms", [merged]))
        long_only = any(float(part.length) >= 4 * window_m for part in parts)
        rad = []
        for part in parts:
            xy = shapely.get_coordinates(part)
            length = float(part.length)
            if long_only and length < 4 * window_m:
                continue  # throat tracks and short pieces of a long line
            win = min(window_m, length / 4)
            if win < 2 * step_m:
                continue
            st = min(step_m, win / 4)
            pos, r = curve_radii(xy[:, 0], xy[:, 1], window_m=win, step_m=st)
            r = np.where(np.isfinite(r), r, 1e9)
            if long_only:
                keep = (pos >= win) & (pos <= length - win)  # the ends: junctions, station throats
                pos, r = pos[keep], r[keep]
            rad.append(r)
        r_all = np.concatenate(rad) if rad else np.zeros(0)
        if len(r_all) * step_m < min_measured_m:
            continue  # too short to say (station tracks, sidings): NaN
        out[idx] = float(np.quantile(r_all, quantile))
    return out


def _network(lon: np.ndarray, lat: np.ndarray, u: np.ndarray, v: np.ndarray, attrs: pd.DataFrame, meta: dict[str, Any]) -> Network:
    uu, vv = np.r_[u, v], np.r_[v, u]
    attrs2 = pd.concat([attrs, attrs], ignore_index=True)
    length = haversine_m(lon[uu], lat[uu], lon[vv], lat[vv])
    link = attrs2["rail_class"].isin(STATION_EDGE_CLASSES).to_numpy()
    length[link] = 0.0
    return Network.from_edges(
        lon, lat, uu, vv, length_m=length, speed_kmh=attrs2["speed_kmh"].to_numpy(), attrs=attrs2, mode="rail", meta=meta
    )


def rail_graph(
    lines: Any,
    *,
    design_speed_kmh: float | None = None,
    speeds: Mapping[str, float] | None = None,
    snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
    include_states: Sequence[str] = (),
) -> Network:
    """A two-way rail :class:`~geo.network.Network` (``mode="rail"``) from OSM railway ways, without stations.

    Parameters
    ----------
    lines
        Path of a GeoJSON/GPKG of railway ways, or a GeoDataFrame.
    design_speed_kmh
        If given, the speed of every high-speed edge.
    speeds
        Overrides of :data:`CLASS_SPEEDS_KMH`.
    snap_tolerance_m
        Largest gap (m) between a way end and another way that is closed.
    include_states
        Lifecycle states (:data:`LIFECYCLE_STATES`) whose ways are routable
        too, e.g. ``("construction",)`` for a scenario that opens lines being
        built. By default only ways in service are.
    """
    lon, lat, u, v, attrs, src = _undirected(lines, design_speed_kmh, speeds, snap_tolerance_m, include_states)
    meta = {"source": src, "design_speed_kmh": design_speed_kmh, "snap_tolerance_m": snap_tolerance_m, "kind": "osm-rail"}
    return _network(lon, lat, u, v, attrs, meta)


def _attach_stations(
    lon: np.ndarray, lat: np.ndarray, u: np.ndarray, v: np.ndarray, attrs: pd.DataFrame, st: pd.DataFrame, radius_m: float, max_snap_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Split, on every way passing within ``radius_m`` of a station, its nearest segment at the
    station's projection, and link those points to a station node (zero-length links)."""
    import shapely
    from pyproj import Transformer

    if st.empty:
        return lon, lat, u, v, attrs, st.assign(node=pd.Series(dtype=np.int64), snap_m=pd.Series(dtype=float), lines_nearby=pd.Series(dtype=np.int64))
    tr = Transformer.from_crs("EPSG:4326", f"EPSG:{utm_epsg(float(np.median(lon)), float(np.median(lat)))}", always_xy=True)
    inv = Transformer.from_crs(tr.target_crs, "EPSG:4326", always_xy=True)
    x, y = tr.transform(lon, lat)
    xy = np.column_stack([x, y])
    sx, sy = tr.transform(st["lon"].to_numpy(), st["lat"].to_numpy())
    segs = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
    tree = shapely.STRtree(segs)
    pts = shapely.points(sx, sy)
    reach = max(radius_m, 1.0)
    pi, si = tree.query(pts, predicate="dwithin", distance=reach)
    d = shapely.distance(pts[pi], segs[si])
    # stations with no segment within the radius: nearest segment up to max_snap_m
    has = np.zeros(len(st), dtype=bool)
    has[pi] = True
    if (~has).any() and max_snap_m > reach:
        (qi, qs), qd = tree.query_nearest(pts[~has], max_distance=max_snap_m, return_distance=True)
        miss = np.flatnonzero(~has)
        pi, si, d = np.r_[pi, miss[qi]], np.r_[si, qs], np.r_[d, qd]
    cand = pd.DataFrame({"st": pi, "seg": si, "d": d, "way": attrs["osm_id"].to_numpy()[si]})
    cand = cand.sort_values("d").drop_duplicates(["st", "way"])  # nearest segment of each way
    n0 = len(lon)
    new_lon, new_lat = list(lon), list(lat)
    st_node = np.full(len(st), -1, dtype=np.int64)
    snap = np.full(len(st), np.nan)
    splits: dict[int, list[tuple[float, int]]] = {}
    link_u: list[int] = []
    link_v: list[int] = []
    hub_u: list[int] = []
    hub_v: list[int] = []
    system_node: dict[tuple[int, str], int] = {}
    rail_class = attrs["rail_class"].astype(str).to_numpy()
    for i in np.unique(cand["st"].to_numpy()).tolist():
        st_node[i] = len(new_lon)
        new_lon.append(float(st["lon"].iloc[i]))
        new_lat.append(float(st["lat"].iloc[i]))
    for s_i, seg, dist in cand[["st", "seg", "d"]].itertuples(index=False):
        a, b = xy[u[seg]], xy[v[seg]]
        ab = b - a
        f = float(np.clip(np.dot(np.array([sx[s_i], sy[s_i]]) - a, ab) / max(float(np.dot(ab, ab)), 1e-9), 0.0, 1.0))
        px, py = a + f * ab
        plon, plat = inv.transform(px, py)
        k = len(new_lon)
        new_lon.append(float(plon))
        new_lat.append(float(plat))
        splits.setdefault(int(seg), []).append((f, k))
        # the way joins the station's node of each track system it belongs to (TRACK_SYSTEMS; metro, tram ...: its class);
        # those nodes join the station node (hub) that runs start and end at
        for system in TRACK_SYSTEMS.get(str(rail_class[seg]), (str(rail_class[seg]),)):
            key = (int(s_i), system)
            if key not in system_node:
                system_node[key] = len(new_lon)
                new_lon.append(float(st["lon"].iloc[s_i]))
                new_lat.append(float(st["lat"].iloc[s_i]))
                hub_u.append(int(st_node[s_i]))
                hub_v.append(system_node[key])
            link_u.append(system_node[key])
            link_v.append(k)
        snap[s_i] = dist if np.isnan(snap[s_i]) else min(snap[s_i], dist)
    drop = np.zeros(len(u), dtype=bool)
    eu, ev, rows = [], [], []
    for seg, lst in splits.items():
        drop[seg] = True
        chain = [int(u[seg])] + [k for _, k in sorted(lst)] + [int(v[seg])]
        for a_, b_ in itertools.pairwise(chain):
            eu.append(a_)
            ev.append(b_)
            rows.append(seg)
    keep = np.flatnonzero(~drop)
    link_attrs = pd.DataFrame(
        {
            "osm_id": "",
            "name": pd.array([pd.NA] * (len(link_u) + len(hub_u)), dtype="string"),
            "rail_class": ["station_link"] * len(link_u) + ["station_hub"] * len(hub_u),
            "speed_kmh": 1e6,
            "maxspeed_kmh": np.nan,
            "status": "in service",
        }
    )
    attrs_out = pd.concat([attrs.iloc[keep], attrs.iloc[rows], link_attrs], ignore_index=True)
    u_out = np.r_[u[keep], np.asarray(eu, dtype=np.int64), np.asarray(link_u, dtype=np.int64), np.asarray(hub_u, dtype=np.int64)].astype(np.int64)
    v_out = np.r_[v[keep], np.asarray(ev, dtype=np.int64), np.asarray(link_v, dtype=np.int64), np.asarray(hub_v, dtype=np.int64)].astype(np.int64)
    st = st.assign(node=st_node, snap_m=snap, lines_nearby=_lines_nearby(xy, u, v, attrs, np.column_stack([sx, sy]), HUB_RADIUS_M))
    st = st[st["node"] >= 0].reset_index(drop=True)
    assert len(new_lon) >= n0
    return np.asarray(new_lon), np.asarray(new_lat), u_out, v_out, attrs_out, st


def _lines_nearby(xy: np.ndarray, u: np.ndarray, v: np.ndarray, attrs: pd.DataFrame, points: np.ndarray, radius_m: float) -> np.ndarray:
    """Number of distinct names of main-line ways (:data:`MAINLINE_CLASSES`) within ``radius_m`` of each point.

    ``xy``: node coordinates in metres, ``points`` the same CRS. Unnamed ways do not count.
    """
    import shapely

    out = np.zeros(len(points), dtype=np.int64)
    names = attrs["name"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
    main = np.isin(attrs["rail_class"].astype(str).to_numpy(), MAINLINE_CLASSES) & (names != "")
    seg = np.flatnonzero(main)
    if not len(seg) or not len(points):
        return out
    tree = shapely.STRtree(shapely.linestrings(np.stack([xy[u[seg]], xy[v[seg]]], axis=1)))
    pi, si = tree.query(shapely.points(points[:, 0], points[:, 1]), predicate="dwithin", distance=radius_m)
    counts = pd.DataFrame({"p": pi, "name": names[seg[si]]}).drop_duplicates().groupby("p").size()
    out[counts.index.to_numpy()] = counts.to_numpy()
    return out


# ---------------------------------------------------------------- runtime
@dataclasses.dataclass(frozen=True)
class RunTime:
    """Estimated run of a train over a list of stops.

    Attributes
    ----------
    stops : list of str
    sections : DataFrame
        One row per stop-to-stop section: ``from``, ``to``, ``km``,
        ``run_minutes`` (stop loss, supplement and hub arrival allowance
        included), ``hub_minutes`` (that allowance: the section ends at a
        junction station, :meth:`RailNetwork.is_hub`), ``dwell_minutes``
        (at ``to``, 0 at the last stop), ``top_kmh``.
    minutes : float
        Total in-vehicle minutes from the first to the last stop (runs plus
        dwells at intermediate stops).
    km : float
    edges : list of int arrays
        Rail edges of each section.
    minutes_low, minutes_high : float
        Uncertainty band of nominal 80 % coverage (quantiles of the model's
        error on corridors it was not fitted on, levels chosen so the band
        holds the real time 8 times in 10 on held-out corridors,
        :class:`geo._private.runtime.Calibration`);
        NaN for the uncalibrated physics model.
    evidence : str
        ``"model"`` (always, for runs over OSM geometry).
    calibration : str
        Version of the calibration used (``""`` when uncalibrated).
    train_class : str
        Class letter the run was modelled for (``"?"`` = unknown).
    hub_arrival_minutes : float
        The calibration's allowance on a run arriving at a junction station
        (:meth:`RailNetwork.is_hub`), whether or not this run arrives at one;
        0 for the uncalibrated physics model.
    """

    stops: list[str]
    sections: pd.DataFrame
    minutes: float
    km: float
    edges: list[np.ndarray]
    minutes_low: float = math.nan
    minutes_high: float = math.nan
    evidence: str = "model"
    calibration: str = ""
    train_class: str = "?"
    hub_arrival_minutes: float = 0.0

    @property
    def class_label(self) -> str:
        """``"class D"``, or ``"any class"`` when no train class was known (modelled for the fastest)."""
        return "any class" if self.train_class in ("?", "") else f"class {self.train_class}"

    @property
    def label(self) -> str:
        """``"16 min (14–18), modelled"``: the estimate, its band and its evidence."""
        return format_estimate(self.minutes, self.minutes_low, self.minutes_high, self.evidence)

    def __str__(self) -> str:
        cal = f", calibration {self.calibration}" if self.calibration else ", uncalibrated physics"
        lines = [f"{' -> '.join(self.stops)}: {self.label} over {self.km:.1f} km ({self.class_label}{cal})"]
        for r in self.sections.itertuples(index=False):
            lines.append(f"  {r[0]} -> {r[1]}: {r.km:.1f} km, run {r.run_minutes:.1f} min, top {r.top_kmh:.0f} km/h, dwell {r.dwell_minutes:.1f} min")
        return "\n".join(lines)


def format_estimate(minutes: float, low: float = math.nan, high: float = math.nan, evidence: str = "model") -> str:
    """``"16 min (14–18), modelled"`` / ``"34 min, timetable"``.

    Examples
    --------
    >>> format_estimate(16.2, 14.1, 18.4)
    '16 min (14–18), modelled'
    >>> format_estimate(34.0, evidence="timetable")
    '34 min, timetable'
    """
    if not math.isfinite(minutes):
        return "unreachable"
    what = "modelled" if evidence == "model" else evidence
    band = f" ({low:.0f}–{high:.0f})" if evidence == "model" and math.isfinite(low) and math.isfinite(high) else ""
    return f"{minutes:.0f} min{band}, {what}"


@dataclasses.dataclass(frozen=True, eq=False)
class RailNetwork:
    """A rail graph with its stations.

    Attributes
    ----------
    net : Network
        Two-way rail network (``mode="rail"``); ``edge_attrs`` has ``speed_kmh``.
    stations : DataFrame
        ``name, name_en, lon, lat, node, snap_m, lines_nearby, source``
        (``node`` is the station's node, ``snap_m`` the distance to its
        nearest way, ``lines_nearby`` the number of distinctly named
        main-line ways within :data:`HUB_RADIUS_M`, :meth:`is_hub`).
    station_radius_m : float
        Rail nodes within this distance of a station point belong to it.
    """

    net: Network
    stations: pd.DataFrame
    station_radius_m: float = DEFAULT_STATION_RADIUS_M

    @functools.cached_property
    def rail_class(self) -> np.ndarray:
        """``rail_class`` of every edge as strings (read once: every path asks for it)."""
        return self.net.edge_attrs["rail_class"].astype(str).to_numpy()

    def __repr__(self) -> str:
        return f"<RailNetwork nodes={self.net.n_nodes:,} edges={self.net.n_edges:,} stations={len(self.stations)}>"

    def station(self, name: str) -> pd.Series:
        """The station row of ``name`` (exact name, or ``name:en``).

        Raises
        ------
        InputError
            Unknown name, with close matches.
        """
        hit = self.stations[self.stations["name"] == name]
        if hit.empty:
            hit = self.stations[self.stations["name_en"].fillna("").str.lower() == str(name).lower()]
        if hit.empty:
            close = difflib.get_close_matches(str(name), self.stations["name"].tolist(), n=3, cutoff=0.4)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise InputError(f"station {name!r} is not among the {len(self.stations)} rail stations{hint}", "use a station name from the stations file")
        return hit.iloc[0]

    def is_hub(self, name: str) -> bool:
        """Whether station ``name`` is a junction station (:data:`HUB_MIN_LINES` named lines within :data:`HUB_RADIUS_M`).

        Arrivals there carry the calibrated hub arrival allowance (``hub_arrival_s``).
        """
        row = self.station(name)
        n = row.get("lines_nearby", 0)
        return bool(pd.notna(n) and int(n) >= HUB_MIN_LINES)

    def station_nodes(self, name: str) -> np.ndarray:
        """Rail node positions that stand for station ``name`` (its station node)."""
        return np.array([int(self.station(name)["node"])], dtype=np.int64)

    def allowed_edges(self, train: str | None = None) -> np.ndarray:
        """Which edges a train class may use (boolean per edge).

        ``train`` is a train number or class letter (``"D5264"``, ``"G"``).
        Main-line classes use main-line track only (no metro, tram ...);
        locomotive-hauled classes (K, T, Z, ... and numbers without a letter)
        not high-speed lines. Unknown (``None``): main-line track too, unless
        the graph has none (a metro or tram network): then every edge.
        """
        cls = train_class(train)
        rc = self.rail_class
        ok = np.isin(rc, [*MAINLINE_CLASSES, *STATION_EDGE_CLASSES])
        if cls == "?":
            return ok if ok[~np.isin(rc, STATION_EDGE_CLASSES)].any() else np.ones(len(rc), dtype=bool)
        if cls in LOCOMOTIVE_CLASSES:
            ok &= rc != "highspeed"
        return ok

    def edge_seconds(self, train: str | None = None, published: bool = True) -> np.ndarray:
        """Routing weight (s) per edge: high-speed edges at their line's design speed, capped at the class top.

        The design speed of a high-speed edge is its tagged ``maxspeed``, else
        the published one (``published``), else the one inferred from its
        line's curvature (:func:`geo.speeds.rail_design_speed`); so a G train
        takes the 350 km/h line where a 250 km/h one runs beside it. Other
        edges keep the class table (``net.edge_time_s``).
        """
        net = self.net
        at = net.edge_attrs
        if "design_kmh" not in at.columns:
            return net.edge_time_s
        d = at["design_kmh"].to_numpy(dtype=float)
        if published:
            pub = at["published_kmh"].to_numpy(dtype=float)
            d = np.where(np.isfinite(pub), pub, d)
        ms = at["maxspeed_kmh"].to_numpy(dtype=float)
        d = np.where(np.isfinite(ms) & (ms > 0), ms, d)
        if net.meta.get("design_speed_kmh") is not None:
            d = np.full(len(d), float(net.meta["design_speed_kmh"]))
        top = CLASS_TOP_SPEED_KMH.get(train_class(train), max(CLASS_TOP_SPEED_KMH.values()))
        hs = (self.rail_class == "highspeed") & np.isfinite(d)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(hs, net.edge_length_m / (np.minimum(d, top) / 3.6), net.edge_time_s)

    def path(self, a: str, b: str, train: str | None = None, published: bool = True) -> tuple[np.ndarray, float]:
        """Fastest rail path (edge indices) from station ``a`` to ``b`` and its length in metres.

        ``train`` (a train number or class letter; None: unknown) limits the
        lines used (:meth:`allowed_edges`); weights: :meth:`edge_seconds`.
        Where the fastest path is more than :data:`MAX_DETOUR` times as long as
        the shortest one the class may use, the shortest is taken.

        Raises
        ------
        DataError
            When the two stations are not connected (for that train class).
        """
        src = self.station_nodes(a)
        dst = self.station_nodes(b)
        net = self.net
        ok = self.allowed_edges(train)
        # a station node joins its track systems only where the run starts or ends (TRACK_SYSTEMS)
        hub = self.rail_class == "station_hub"
        ends = np.r_[src, dst]
        ok &= ~hub | np.isin(net.edge_u, ends) | np.isin(net.edge_v, ends)
        w = np.where(ok, self.edge_seconds(train, published), np.inf)
        dist, pred, _, _ = graph_search(net.indptr, net.edge_v, w, src)
        best = dst[np.argmin(dist[dst])]
        if not np.isfinite(dist[best]):
            cls = f" for a {train} train" if train else ""
            raise DataError(
                f"stations {a} and {b} are not connected in the rail graph{cls}",
                "check that both lie on the lines given (in service), the train class, or raise the snap tolerance (--snap-tolerance)",
            )
        edges_arr, _ = path_edges(pred, net.edge_u, int(best))
        length = float(net.edge_length_m[edges_arr].sum())
        # a timetable does not send a train the long way round: where the fastest path is more than MAX_DETOUR
        # times the shortest one the class may use, the shortest is taken
        dist_m, pred_m, _, _ = graph_search(net.indptr, net.edge_v, np.where(ok, net.edge_length_m, np.inf), src)
        near = dst[np.argmin(dist_m[dst])]
        if length > MAX_DETOUR * float(dist_m[near]):
            edges_arr, _ = path_edges(pred_m, net.edge_u, int(near))
            length = float(net.edge_length_m[edges_arr].sum())
        return edges_arr, length

    def section_geometry(self, a: str, b: str, train: str | None = None, published: bool = True) -> dict[str, Any]:
        """The route of one stop-to-stop section as the run-time model sees it.

        Returns ``{edges, length_m, rail_class, maxspeed_kmh, class_speed_kmh,
        design_kmh, published_kmh, curves}`` (arrays over the route's edges, station links dropped;
        ``design_kmh``: the line's design speed from its curvature,
        :func:`line_design_radius`; ``published_kmh``: a published design speed or NaN;
        ``curves``:
        ``(positions_m, radius_m)`` from :func:`geo._private.runtime.curve_radii` over
        :data:`geo._private.runtime.CURVE_WINDOW_M`, each vertex's turn spread over the arc of its two
        half-chords, so thinly drawn curves are not read tighter than they are).
        """
        edges, _ = self.path(a, b, train, published)
        at = self.net.edge_attrs
        rc = self.rail_class[edges]
        keep = ~np.isin(rc, STATION_EDGE_CLASSES)
        e = edges[keep]
        length = self.net.edge_length_m[e]
        rcls = rc[keep]
        ms = at["maxspeed_kmh"].to_numpy(dtype=float)[e] if "maxspeed_kmh" in at.columns else np.full(len(e), np.nan)
        if len(e):
            nodes = np.r_[self.net.edge_u[e], self.net.edge_v[e[-1]]]
            lon, lat = self.net.lon[nodes], self.net.lat[nodes]
            k = math.cos(math.radians(float(np.mean(lat))))
            curves = curve_radii(
                (lon - lon[0]) * 111_320.0 * k, (lat - lat[0]) * 110_574.0, window_m=CURVE_WINDOW_M, vertex_arcs=True
            )
        else:
            curves = (np.zeros(0), np.zeros(0))
        def col(name: str) -> np.ndarray:
            return at[name].to_numpy(dtype=float)[e] if name in at.columns else np.full(len(e), np.nan)

        return {
            "edges": edges,
            "length_m": length,
            "rail_class": rcls,
            "maxspeed_kmh": ms,
            "class_speed_kmh": at["speed_kmh"].to_numpy(dtype=float)[e],
            "design_kmh": col("design_kmh"),
            "published_kmh": col("published_kmh"),
            "curves": curves,
        }

    def run_time(
        self,
        stops: Sequence[str],
        *,
        train: TrainModel | str | None = None,
        dwell_s: float | Sequence[float] | None = None,
        design_speed_kmh: float | None = None,
        calibration: Any = None,
        calibrated: bool = True,
    ) -> RunTime:
        """Estimated in-vehicle time over ``stops`` (first to last, stopping at each).

        Parameters
        ----------
        stops
            Station names in running order (at least two).
        train
            A train number or class letter (``"D5264"``, ``"G"``): limits the
            lines (:meth:`allowed_edges`) and the top speed (class top speed
            of the calibration). Or a :class:`TrainModel` (its top speed caps
            the track speeds; any line). Default: class unknown.
        dwell_s
            Dwell at each intermediate stop (one value, or one per
            intermediate stop); default the calibration's median dwell.
        design_speed_kmh
            If given, overrides the track speed of high-speed edges for this
            run (the graph is not changed); default the graph's build-time
            design speed, if any, else the calibrated line speed.
        calibration
            A :class:`geo._private.runtime.Calibration`; default the packaged one.
        calibrated
            False: the bare physics model (no throats, junctions, stop
            losses; track speeds from the class table, ``TrainModel``
            supplement), kept for comparison.
        """
        if len(stops) < 2:
            raise InputError("a run needs at least two stops", "pass e.g. ['西安东', '蓝田', '商洛西']")
        cal = (calibration or load_calibration()) if calibrated else None
        number = train if isinstance(train, str) else None
        cls = train_class(number)
        if cls not in ("?", *CLASS_LETTERS, *LOCOMOTIVE_CLASSES):
            raise InputError(
                f"unknown train class {cls!r} (from {number!r})",
                "give a Chinese train number (G87, D5264, K1461) or a class letter: G, C, D, Z, T, K",
            )
        if isinstance(train, TrainModel):
            tm = train
        elif cal is not None:
            tm = TrainModel(max_speed_kmh=cal.top_kmh(cls))
        else:
            tm = TrainModel.for_train_number(number) if number else TrainModel()
        tm.check()
        if dwell_s is None:
            dwell_s = float(cal.fixed["dwell_s"]) if cal is not None else DEFAULT_DWELL_S
        inner = len(stops) - 2
        dw = np.broadcast_to(np.asarray(dwell_s, dtype=float), (inner,)) if inner else np.zeros(0)
        if np.any(dw < 0):
            raise InputError("dwell times must be >= 0", "pass e.g. dwell_s=120")
        if design_speed_kmh is None and self.net.meta.get("design_speed_kmh") is not None:
            design_speed_kmh = float(self.net.meta["design_speed_kmh"])  # the graph's build-time design speed
        rows, edges_list = [], []
        total_s = 0.0
        for i, (a, b) in enumerate(itertools.pairwise(stops)):
            g = self.section_geometry(a, b, number, bool(cal.fixed.get("published_speeds", True)) if cal is not None else True)
            if cal is not None:
                sp = cal.line_speeds(g["rail_class"], g["maxspeed_kmh"], g["class_speed_kmh"], design_speed_kmh, design_kmh=g["design_kmh"], published_kmh=g["published_kmh"])
                hub = self.is_hub(b)
                t, top = cal.section_seconds(g["length_m"], sp, tm, curves=g["curves"], hub_arrival=hub)
                hub_s = float(cal.params["hub_arrival_s"]) if hub else 0.0
            else:
                hub_s = 0.0
                sp = g["class_speed_kmh"]
                if design_speed_kmh is not None:
                    sp = np.where(g["rail_class"] == "highspeed", float(design_speed_kmh), sp)
                t, top = pure_running_time(g["length_m"], sp, tm)
                t *= 1.0 + tm.supplement
            d = float(dw[i]) if i < inner else 0.0
            total_s += t + d
            km = float(np.sum(g["length_m"])) / 1000.0
            rows.append({"from": a, "to": b, "km": km, "run_minutes": t / 60.0, "hub_minutes": hub_s / 60.0, "dwell_minutes": d / 60.0, "top_kmh": top})
            edges_list.append(g["edges"])
        sections = pd.DataFrame(rows)
        minutes = total_s / 60.0
        lo, hi = cal.band_minutes(minutes) if cal is not None else (math.nan, math.nan)
        return RunTime(
            list(stops), sections, minutes, float(sections["km"].sum()), edges_list, lo, hi, "model", cal.version if cal is not None else "", cls,
            float(cal.params["hub_arrival_s"]) / 60.0 if cal is not None else 0.0,
        )  # fmt: skip

    def as_line(self, stops: Sequence[str], *, name: str = "", headway_min: float | None = None, **kw: Any) -> Any:
        """The run over ``stops`` as a :class:`geo.lines.Line` for multimodal routing."""
        rt = self.run_time(stops, **kw)
        dwell = [0.0] + rt.sections["dwell_minutes"].tolist()[:-1] + [0.0]
        hub_s = rt.hub_arrival_minutes * 60.0
        sts = []
        km = 0.0
        for i, s in enumerate(stops):
            row = self.station(s)
            arrival = hub_s if self.is_hub(s) else 0.0  # either direction: a train arriving here crosses the hub
            sts.append(LineStation(str(row["name"]), float(row["lon"]), float(row["lat"]), km, dwell[i] * 60.0, "rail stations", arrival))
            if i < len(rt.sections):
                km += float(rt.sections["km"].iloc[i])
        run = ((rt.sections["run_minutes"] - rt.sections["hub_minutes"]) * 60.0).tolist()
        return Line(
            name or f"{stops[0]}–{stops[-1]} (OSM rail)",
            sts,
            run,
            headway_min,
            source=str(self.net.meta.get("source", "")),
            evidence="model",
            calibration=rt.calibration,
        )


def build_rail_network(
    lines: Any,
    stations: Any = None,
    *,
    design_speed_kmh: float | None = None,
    speeds: Mapping[str, float] | None = None,
    snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
    station_radius_m: float = DEFAULT_STATION_RADIUS_M,
    max_station_snap_m: float = 2000.0,
    cache: bool = True,
    include_states: Sequence[str] = (),
) -> RailNetwork:
    """Build a :class:`RailNetwork` from OSM railway ways and station points.

    Parameters
    ----------
    lines
        Railway ways (file path or GeoDataFrame), see :func:`rail_graph`.
    stations
        Station points (file path, GeoDataFrame or DataFrame), see
        :func:`read_stations`. ``None``: no stations.
    design_speed_kmh, speeds, snap_tolerance_m
        As in :func:`rail_graph`.
    station_radius_m
        Every way passing within this distance of a station point is split
        at its nearest point and linked to the station node, so the station
        joins all the lines that serve it.
    max_station_snap_m
        A station with no way within ``station_radius_m`` is linked to the
        nearest way up to this distance; beyond it the station is dropped.
    include_states
        Lifecycle states routable besides "in service" (see :func:`rail_graph`).
    cache
        Keep the built graph and station table in ``cache_dir()/rail``
        (:mod:`geo._private.cache`), keyed by a hash of the input files
        (path, size, mtime) and the options.
    """
    params = {
        "design": design_speed_kmh,
        "speeds": dict(speeds or {}),
        "tol": snap_tolerance_m,
        "radius": station_radius_m,
        "maxsnap": max_station_snap_m,
        "states": tuple(sorted(include_states)),
        "published": sorted(rail_published_speeds().items()),  # packaged data the graph's edges carry
    }
    paths = [Path(p).expanduser() for p in (lines, stations) if isinstance(p, str | Path)]
    cache_file = None
    if cache and len(paths) == (1 if stations is None else 2) and all(p.exists() for p in paths):
        cache_file = cache_path("rail", "rail", input_key(paths, params, salt="rail-graph-v11", content=False), ".geonet")

    def build() -> tuple[Network, pd.DataFrame]:
        lon, lat, u, v, attrs, src = _undirected(lines, design_speed_kmh, speeds, snap_tolerance_m, include_states)
        st = read_stations(stations) if stations is not None else pd.DataFrame(columns=["name", "name_en", "lon", "lat", "osm_id", "source"])
        lon, lat, u, v, attrs, st = _attach_stations(lon, lat, u, v, attrs, st, station_radius_m, max_station_snap_m)
        meta = {"source": src, "design_speed_kmh": design_speed_kmh, "snap_tolerance_m": snap_tolerance_m, "kind": "osm-rail"}
        return _network(lon, lat, u, v, attrs, meta), st

    def load(f: Path) -> tuple[Network, pd.DataFrame]:
        st = pd.read_csv(f.with_suffix(".stations.csv"), dtype={"name": "string", "name_en": "string", "osm_id": str, "source": str})
        return read_network(f), st

    def save(tmp: Path, value: tuple[Network, pd.DataFrame]) -> None:
        assert cache_file is not None
        write_csv(value[1], cache_file.with_suffix(".stations.csv"))  # first: it exists whenever the graph does
        save_network(value[0], tmp)

    (net, st), _ = cached_value(cache_file, build, load, save)
    return RailNetwork(net, st, station_radius_m)


def shaanxi_rail(design_speed_kmh: float | None = None, data_dir: str | Path | None = None) -> RailNetwork:
    """The Shaanxi OSM rail network of the shared data (cached after the first build).

    Raises
    ------
    InputError
        When the shared-data folder is absent.
    """
    d = Path(data_dir) if data_dir is not None else shared_data_dir()
    if d is None:
        raise InputError(
            "the shared data folder (with xian_zhashui/shaanxi_osm_rail_lines.geojson) is absent",
            "set GEO_SHARED_DATA, or pass your own --rail LINES --stations STATIONS files",
        )
    return build_rail_network(
        d / "xian_zhashui" / "shaanxi_osm_rail_lines.geojson",
        d / "xian_zhashui" / "shaanxi_osm_rail_stations.geojson",
        design_speed_kmh=design_speed_kmh,
    )
