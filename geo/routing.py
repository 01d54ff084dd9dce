"""Travel times over a :class:`~geo.network.Network`.

Points are snapped to the nearest edge (not node) within a maximum snap
distance; the off-network leg between the point and the edge is walked (or
driven) at a stated speed and counted in the result. Searches are bounded by
``max_minutes`` and stop as soon as everything cheaper has been settled.
Unreachable is ``NaN``.

This module is the only door into shortest-path search in geo (an
import-linter contract in ``pyproject.toml`` enforces it): every other module
snaps, searches and times points through the public functions here —
:func:`snap`, :func:`seeds`, :func:`search`, :func:`search_nodes`,
:func:`graph_search`, :func:`path_edges`, :func:`point_seconds`,
:func:`same_edge_seconds`, :func:`node_times`, :func:`od_matrix` and
:func:`route`. The kernels behind it (:mod:`geo._private.dijkstra`, a compiled
Dijkstra over the CSR arrays) are pure functions over arrays.

Examples
--------
>>> import numpy as np
>>> from geo.network import Network
>>> # three nodes on a line 0.01 degrees apart (~1.1 km), 60 km/h both ways
>>> net = Network.from_edges([0, 0.01, 0.02], [0, 0, 0], [0, 1, 1, 2], [1, 0, 2, 1], speed_kmh=60)
>>> tt = node_times(net, [(0.0, 0.0)], max_minutes=5)
>>> np.round(tt, 2).tolist()
[0.0, 1.11, 2.22]
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pandas as pd
import routingkit_cch
from tqdm.auto import tqdm

from geo._private import cch as _cch
from geo._private.cache import cached_value
from geo._private.dijkstra import dijkstra, path_to
from geo._private.segindex import SegmentIndex
from geo.errors import InputError, SnapError, plain
from geo.network import Network

if TYPE_CHECKING:
    import geopandas as gpd

#: default largest distance (metres) between a point and the network
DEFAULT_MAX_SNAP_M = 1000.0
#: default speed (km/h) of the off-network leg (walking to the road)
DEFAULT_SNAP_SPEED_KMH = 5.0
#: points are not snapped onto strongly connected components smaller than this (islands)
DEFAULT_MIN_COMPONENT_NODES = 50

Point = tuple[float, float]


@dataclasses.dataclass(frozen=True)
class Snapped:
    """Points snapped onto edges.

    Attributes
    ----------
    edge : int64 array
        Index of the nearest edge for each point.
    fraction : float64 array
        Position along the edge, 0 at ``edge_u`` and 1 at ``edge_v``.
    distance_m : float64 array
        Straight-line distance from the point to the edge.
    access_s : float64 array
        Seconds spent on the off-network leg.
    """

    edge: np.ndarray
    fraction: np.ndarray
    distance_m: np.ndarray
    access_s: np.ndarray


#: what every function taking points accepts: ``(lon, lat)`` pairs, an ``(n, 2)`` array, a GeoDataFrame or
#: GeoSeries (any CRS), or a DataFrame with ``lon``, ``lat`` columns; see :func:`points_table`
PointsLike: TypeAlias = Iterable[Point] | np.ndarray | pd.DataFrame | pd.Series


def _label(frame: pd.DataFrame, i: int) -> object:
    """How messages name row ``i``: its id (the ``id`` column, else the index)."""
    return plain(frame["id"].iloc[i] if "id" in frame.columns else frame.index[i])


def _frame_points(points: object, what: str) -> pd.DataFrame | None:
    """``lon, lat`` (+ the other columns, index kept) of a (Geo)DataFrame or GeoSeries; None for anything else."""
    # a GeoDataFrame can only exist once geopandas is imported: no need to import it here (`import geo` stays light)
    gpd_module = sys.modules.get("geopandas")
    if gpd_module is not None and isinstance(points, gpd_module.GeoSeries | gpd_module.GeoDataFrame):
        frame = points if isinstance(points, gpd_module.GeoDataFrame) else gpd_module.GeoDataFrame(geometry=points)
        if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
            frame = frame.to_crs("EPSG:4326")
        geom = frame.geometry.values
        missing = np.asarray(geom.isna() | geom.is_empty)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(f"{what} {_label(frame, i)!r} has no geometry", "remove it or give it a point")
        pts = geom if (np.asarray(geom.geom_type) == "Point").all() else geom.representative_point()
        out = pd.DataFrame(frame.drop(columns=[frame.geometry.name, *({"lon", "lat"} & set(frame.columns))]))
        out.insert(0, "lat", np.asarray(pts.y, dtype=float))
        out.insert(0, "lon", np.asarray(pts.x, dtype=float))
    elif isinstance(points, pd.DataFrame):
        if not {"lon", "lat"} <= set(points.columns):
            raise InputError(
                f"{what} table has no lon, lat columns (it has {', '.join(map(str, points.columns))})",
                "pass a GeoDataFrame, or name the WGS84 coordinate columns lon and lat",
            )
        out = points.drop(columns=["lon", "lat"])
        out.insert(0, "lat", pd.to_numeric(points["lat"], errors="coerce").to_numpy(float))
        out.insert(0, "lon", pd.to_numeric(points["lon"], errors="coerce").to_numpy(float))
    else:
        return None
    lon, lat = out["lon"].to_numpy(), out["lat"].to_numpy()
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{what} {_label(out, i)!r} has no valid lon,lat ({lon[i]}, {lat[i]})",
            "give WGS84 longitude and latitude in degrees (a GeoDataFrame without a CRS is read as WGS84: set_crs it)",
        )
    return out



def as_points(points: PointsLike) -> np.ndarray:
    """Validate ``(lon, lat)`` input and return an ``(n, 2)`` float array.

    ``points`` are ``(lon, lat)`` pairs, an ``(n, 2)`` array, a GeoDataFrame
    or GeoSeries (any CRS; lines and polygons by a representative point) or a
    DataFrame with ``lon``, ``lat`` columns (WGS84 degrees).

    Raises
    ------
    InputError
        When the input is not lon,lat pairs or a coordinate is out of range.
    """
    frame = _frame_points(points, "point")
    if frame is not None:
        arr = frame[["lon", "lat"]].to_numpy(float)
    elif isinstance(points, np.ndarray):
        arr = np.asarray(points, dtype=float)
    else:
        arr = np.array(points if isinstance(points, (list, tuple)) else list(points), dtype=float)
    if arr.ndim == 1 and arr.shape[0] == 2:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError("points must be (lon, lat) pairs", "pass e.g. [(112.58, 37.86)]")
    lim = np.abs(arr)
    if not (lim <= (180.0, 90.0)).all():  # also False for NaN
        lon, lat = arr[:, 0], arr[:, 1]
        bad = ~np.isfinite(arr).all(axis=1) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"point {i} ({arr[i, 0]}, {arr[i, 1]}) is not a valid lon,lat",
            "give longitude first, then latitude, in WGS84 degrees",
        )
    return arr


def point_ids(points: PointsLike, what: str = "points") -> np.ndarray | None:
    """The ids results carry for ``points``: a frame's ``id`` column, else its index; None for plain pairs.

    Unique ids are required (they are how results join back to the frame).

    Examples
    --------
    >>> import pandas as pd
    >>> point_ids(pd.DataFrame({"lon": [0.0, 1.0], "lat": [0.0, 1.0]}, index=["a", "b"])).tolist()
    ['a', 'b']
    >>> point_ids([(0.0, 0.0)]) is None
    True
    """
    frame = _frame_points(points, what)
    return None if frame is None else _frame_ids(frame, what)


def _frame_ids(frame: pd.DataFrame, what: str) -> np.ndarray:
    """The unique ids of a frame from :func:`_frame_points`: its ``id`` column, else its index."""
    ids = frame["id"].to_numpy() if "id" in frame.columns else frame.index.to_numpy()
    dup = pd.Index(ids).duplicated()
    if dup.any():
        raise InputError(
            f"{what} id {plain(ids[np.flatnonzero(dup)[0]])!r} appears more than once",
            "make the id column (or, without one, the index) unique: results are joined back by it",
        )
    return ids


def points_table(points: PointsLike, what: str = "points") -> pd.DataFrame:
    """Points as a table ``id, lon, lat`` (+ a frame's other columns), in input order, index 0..n-1.

    Ids follow :func:`point_ids`: a frame's ``id`` column when it has one,
    else its index (so results join back with ``.join`` / ``.merge``), else
    positions 0..n-1 for plain ``(lon, lat)`` pairs.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame({"beds": [5, 9]}, geometry=gpd.points_from_xy([112.5, 112.6], [37.8, 37.9]),
    ...                        index=["north", "south"], crs="EPSG:4326")
    >>> points_table(pts).to_dict("list")
    {'id': ['north', 'south'], 'lon': [112.5, 112.6], 'lat': [37.8, 37.9], 'beds': [5, 9]}
    """
    frame = _frame_points(points, what)  # a frame is read (and reprojected) once
    if frame is None:
        xy = as_points(points)
        out = pd.DataFrame({"lon": xy[:, 0], "lat": xy[:, 1]})
        ids = np.arange(len(xy))
    else:
        ids = _frame_ids(frame, what)
        out = frame.drop(columns="id", errors="ignore").reset_index(drop=True)
    out.insert(0, "id", ids)
    return out


def snap(
    net: Network,
    points: PointsLike,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
    edge_mask: np.ndarray | None = None,
    errors: str = "raise",
    min_component_nodes: int = DEFAULT_MIN_COMPONENT_NODES,
) -> Snapped:
    """Snap ``(lon, lat)`` points to the nearest edge of ``net``.

    Parameters
    ----------
    net
        The network.
    points
        ``(lon, lat)`` pairs in WGS84.
    max_snap_m
        Points farther than this from every edge are not snapped.
    snap_speed_kmh
        Speed of the off-network leg, for ``access_s``.
    edge_mask
        Boolean array; only edges where it is True are candidates.
    errors
        ``"raise"``: a point beyond ``max_snap_m`` raises :class:`SnapError`;
        ``"nan"``: it gets edge -1 and NaN distance.
    min_component_nodes
        Only edges whose ends lie in strongly connected components of at
        least this many nodes are candidates; networks with no component
        that large (toy examples) are left as they are. Islands left by
        clipping an extract, such as a pedestrian tunnel cut off from its
        exits, would otherwise capture nearby points and report everything
        unreachable (R5 prunes such islands too, and OSRM avoids snapping to
        tiny components). ``0`` snaps to any edge.

    Examples
    --------
    >>> from geo.network import Network
    >>> # a two-way street of 60 nodes and, 20 m away, a 2-node island
    >>> lon = [i * 0.001 for i in range(60)] + [0.0300, 0.0310]
    >>> lat = [0.0] * 60 + [0.0002, 0.0002]
    >>> u = [i for i in range(59)] + [i + 1 for i in range(59)] + [60, 61]
    >>> v = [i + 1 for i in range(59)] + [i for i in range(59)] + [61, 60]
    >>> net = Network.from_edges(lon, lat, u, v, speed_kmh=5)
    >>> int(net.edge_u[snap(net, [(0.0305, 0.0002)]).edge[0]]) < 60  # the street, not the island
    True
    >>> int(net.edge_u[snap(net, [(0.0305, 0.0002)], min_component_nodes=0).edge[0]])
    60
    """
    pts = as_points(points)
    index, edge_index = _edge_tree(net, edge_mask, min_component_nodes)

    tr = net.to_metric
    px, py = tr.transform(pts[:, 0], pts[:, 1])
    k, dist = index.nearest(np.asarray(px, dtype=float), np.asarray(py, dtype=float), max_snap_m)
    edge = np.where(k >= 0, edge_index[np.maximum(k, 0)] if len(edge_index) else -1, -1).astype(np.int64)
    missing = edge < 0
    if missing.any() and errors == "raise":
        i = int(np.flatnonzero(missing)[0])
        if min_component_nodes > 0:
            any_index, _ = _edge_tree(net, edge_mask, 0)
            _, near = any_index.nearest(np.asarray(px[i : i + 1], dtype=float), np.asarray(py[i : i + 1], dtype=float), max_snap_m)
            if np.isfinite(near[0]):
                raise SnapError(
                    f"point ({pts[i, 0]:.5f}, {pts[i, 1]:.5f}) is {near[0]:.0f} m from a {net.mode} edge, but every "
                    f"edge within {max_snap_m:.0f} m belongs to a small disconnected piece of the network (fewer than "
                    f"{min_component_nodes} nodes, such as a clipped tunnel or a one-way stub at the edge of an extract)",
                    "move the point onto the connected network, load a larger extract, raise the snap limit "
                    "(--max-snap), or pass min_component_nodes=0 to snap onto islands",
                )
        far = _nearest_node_distance(net, px[i], py[i])
        raise SnapError(
            f"point ({pts[i, 0]:.5f}, {pts[i, 1]:.5f}) is {far / 1000:.1f} km from the nearest "
            f"{net.mode} edge, more than the {max_snap_m:.0f} m snap limit",
            "check the coordinates (lon,lat order; WGS84, not GCJ-02) and that the network covers "
            "the point, or raise the snap limit (--max-snap)",
        )
    frac = np.full(len(pts), np.nan)
    ok = ~missing
    if ok.any():
        e = edge[ok]
        x0, y0 = net.xy[net.edge_u[e]].T
        x1, y1 = net.xy[net.edge_v[e]].T
        dx, dy = x1 - x0, y1 - y0
        l2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            f = ((px[ok] - x0) * dx + (py[ok] - y0) * dy) / l2
        frac[ok] = np.clip(np.where(np.isnan(f), 0.0, f), 0.0, 1.0)
    access = dist / (snap_speed_kmh / 3.6) if snap_speed_kmh > 0 else np.where(dist > 0, np.inf, 0.0)
    return Snapped(edge=edge, fraction=frac, distance_m=dist, access_s=access)


def _nearest_node_distance(net: Network, x: float, y: float) -> float:
    d = np.hypot(net.xy[:, 0] - x, net.xy[:, 1] - y)
    return float(d.min()) if d.size else float("inf")


_TREE_CACHE: dict[tuple[int, int, int | None], tuple[SegmentIndex, np.ndarray, Network]] = {}


def _edge_tree(net: Network, edge_mask: np.ndarray | None, min_component_nodes: int = 0) -> tuple[SegmentIndex, np.ndarray]:
    """A nearest-segment index over the (undirected) edges in the metric CRS and the edge ids it holds.

    Cached per network, mask and island size. Edges with an end in a strongly
    connected component of fewer than ``min_component_nodes`` nodes are left
    out, unless no component is that large.
    """
    key = (id(net), int(min_component_nodes), None if edge_mask is None else hash(edge_mask.tobytes()))
    hit = _TREE_CACHE.get(key)
    if hit is not None and hit[2] is net:
        return hit[0], hit[1]
    u, v = net.edge_u, net.edge_v
    keep = u <= v  # one segment per undirected pair is enough to find the nearest
    keep |= net.reverse_edge() < 0
    if edge_mask is not None:
        keep &= edge_mask
    if min_component_nodes > 0 and net.n_nodes:
        big = net.component_size >= int(min_component_nodes)
        main = big[u] & big[v]
        if main.any():  # a network with no component that large is left as it is
            keep &= main
    idx = np.flatnonzero(keep)
    index = SegmentIndex(net.xy, u[idx], v[idx])
    if len(_TREE_CACHE) > 8:
        _TREE_CACHE.clear()
    _TREE_CACHE[key] = (index, idx, net)
    return index, idx


_EPS = 1e-9


def _along(share: np.ndarray | float, seconds: np.ndarray | float) -> np.ndarray:
    """Seconds to cover ``share`` of an edge taking ``seconds``: none of a closed edge (``inf``) costs 0, not NaN."""
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(share) > 0, np.asarray(share) * seconds, 0.0)

# ---------------------------------------------------------------- engines
#: the search engines a routing call can use
ENGINES = ("auto", "cch", "dijkstra")


def check_engine(engine: str) -> str:
    """Validate an ``engine`` argument (``auto``, ``cch`` or ``dijkstra``)."""
    if engine not in ENGINES:
        raise InputError(f"engine must be one of auto, cch, dijkstra, got {engine!r}", "pass engine='auto' (or --engine auto)")
    return engine


@dataclasses.dataclass(frozen=True, eq=False)
class CCHTopology:
    """A network's contraction order and chordal supergraph (metric-free; see :mod:`geo._private.cch`).

    Built once per network topology (nodes and edge ends, not times) and
    cached in memory and, for networks loaded from a file, on disk next to
    the network cache (same key, suffix ``.cch.npz``).
    """

    rank: np.ndarray
    up_first: np.ndarray
    up_head: np.ndarray
    parent: np.ndarray
    edge_arc: np.ndarray
    edge_up: np.ndarray
    topology_key: str
    build_s: float
    source: str  # "built", "memory" or "disk"

    @property
    def order(self) -> np.ndarray:
        """Node ids by increasing rank (inverse of ``rank``)."""
        cached = self.__dict__.get("_order")
        if cached is None:
            cached = np.empty_like(self.rank)
            cached[self.rank] = np.arange(len(self.rank), dtype=np.int64)
            object.__setattr__(self, "_order", cached)
        return cached

    @property
    def arc_tail(self) -> np.ndarray:
        """The lower end (rank) of every arc."""
        cached = self.__dict__.get("_arc_tail")
        if cached is None:
            cached = np.repeat(np.arange(len(self.rank), dtype=np.int64), np.diff(self.up_first))
            object.__setattr__(self, "_arc_tail", cached)
        return cached

    @property
    def n_arcs(self) -> int:
        return int(self.up_head.shape[0])


@dataclasses.dataclass(frozen=True, eq=False)
class CCHMetric:
    """A :class:`CCHTopology` customized to one set of edge times (a speed profile or scenario)."""

    topology: CCHTopology
    fw: np.ndarray
    bw: np.ndarray
    fw_via: np.ndarray
    bw_via: np.ndarray
    fw_edge: np.ndarray
    bw_edge: np.ndarray
    customize_s: float

    def scratch(self) -> tuple[np.ndarray, ...]:
        """Per-thread work arrays for point-to-point queries (the kernels leave them clean)."""
        store = self.__dict__.setdefault("_scratch", {})
        key = threading.get_ident()
        arrays = store.get(key)
        if arrays is None:
            n = len(self.topology.rank)
            arrays = tuple(
                f() for f in (
                    lambda: np.full(n, np.inf), lambda: np.full(n, -1, dtype=np.int64), lambda: np.zeros(n, dtype=np.bool_),
                ) * 2
            )
            store[key] = arrays
        return arrays  # type: ignore[no-any-return]


_TOPO_CACHE: dict[str, CCHTopology] = {}
_METRIC_CACHE: dict[int, tuple[Network, np.ndarray, CCHMetric]] = {}


_KEY_CACHE: dict[int, tuple[Network, str]] = {}


def _topology_key(net: Network) -> str:
    """SHA-1 of the node count and edge ends (cached per network object: hashing is ~1 ms per 60k edges)."""
    hit = _KEY_CACHE.get(id(net))
    if hit is not None and hit[0] is net:
        return hit[1]
    key = _hash_topology(net)
    if len(_KEY_CACHE) > 16:
        _KEY_CACHE.clear()
    _KEY_CACHE[id(net)] = (net, key)
    return key


def _hash_topology(net: Network) -> str:
    h = hashlib.sha1(b"geo-cch-1")
    h.update(np.int64(net.n_nodes).tobytes())
    h.update(np.ascontiguousarray(net.edge_u, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(net.edge_v, dtype=np.int64).tobytes())
    return h.hexdigest()


def _topology_file(net: Network, key: str) -> Path | None:
    """``<network cache>.cch-<topology key>.npz`` next to the network's cache file, if it has one."""
    cache_file = net.meta.get("cache_file") if net.meta else None
    if not cache_file:
        return None
    p = Path(str(cache_file))
    return p.with_name(f"{p.name}.cch-{key[:16]}.npz")


def _node_order(net: Network) -> np.ndarray:
    """Nested-dissection order (node ids by increasing rank) from RoutingKit (``routingkit-cch``)."""
    order = routingkit_cch.compute_order_inertial(
        int(net.n_nodes), net.edge_u.tolist(), net.edge_v.tolist(), net.lat.tolist(), net.lon.tolist()
    )
    return np.asarray(order, dtype=np.int64)


def cch_topology(net: Network, *, cache: bool = True) -> CCHTopology:
    """The contraction hierarchy topology of ``net``: from memory, from disk, or built (seconds on a city).

    The order (RoutingKit's inertial-flow nested dissection) depends only on
    the nodes and edge ends, so speed profiles and scenarios that change
    edge times share it. Written atomically next to the network cache.
    """
    key = _topology_key(net)
    hit = _TOPO_CACHE.get(key)
    if hit is not None:
        return dataclasses.replace(hit, source="memory")
    t0 = time.perf_counter()
    names = ("rank", "up_first", "up_head", "parent", "edge_arc", "edge_up")

    def load(f: Path) -> CCHTopology:
        with np.load(f) as z:
            arrays = {k: z[k] for k in names}
        return CCHTopology(**arrays, topology_key=key, build_s=time.perf_counter() - t0, source="disk")

    def build() -> CCHTopology:
        order = _node_order(net)
        rank = np.empty(net.n_nodes, dtype=np.int64)
        rank[order] = np.arange(net.n_nodes, dtype=np.int64)
        tail, head = rank[net.edge_u], rank[net.edge_v]
        up_first, up_head, parent = _cch.contract(int(net.n_nodes), tail, head)
        edge_arc, edge_up = _cch.input_arcs(up_first, up_head, tail, head)
        return CCHTopology(rank, up_first, up_head, parent, edge_arc, edge_up, key, time.perf_counter() - t0, "built")

    def save(tmp: Path, topo: CCHTopology) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: getattr(topo, k) for k in names})

    topo, _ = cached_value(_topology_file(net, key) if cache else None, build, load, save)
    if len(_TOPO_CACHE) > 4:
        _TOPO_CACHE.clear()
    _TOPO_CACHE[key] = topo
    return topo


def cch_metric(net: Network, *, cache: bool = True) -> CCHMetric:
    """``net``'s CCH customized to its current edge times (``inf`` = closed).

    Re-customizing for new times (:meth:`Network.with_edge_times`, a
    scenario) reuses the topology: milliseconds on a city, no rebuild.
    Cached per network object.
    """
    hit = _METRIC_CACHE.get(id(net))
    if hit is not None and hit[0] is net and hit[1] is net.edge_time_s:
        return hit[2]
    topo = cch_topology(net, cache=cache)
    w = np.ascontiguousarray(net.edge_time_s, dtype=np.float64)
    if (w < 0).any() or np.isnan(w).any():
        raise InputError("edge times must be non-negative (inf closes an edge)", "fix the network's edge_time_s")
    t0 = time.perf_counter()
    fw, bw, fv, bv, fe, be = _cch.customize(topo.up_first, topo.up_head, topo.edge_arc, topo.edge_up, w)
    m = CCHMetric(topo, fw, bw, fv, bv, fe, be, time.perf_counter() - t0)
    if len(_METRIC_CACHE) > 8:
        _METRIC_CACHE.clear()
    _METRIC_CACHE[id(net)] = (net, net.edge_time_s, m)
    return m


# ---- cost model of engine="auto" (constants measured on this project's machine, one thread, idle;
# scripts/bench_cch.py and scripts/benchmark.py --matrices print the figures; docs/benchmarks.md).
#: Dijkstra: seconds per edge relaxed (Andorra 57,914 edges: ~2.3 ms a search; grid100k: ~20 ms; grid1M:
#: ~0.2 s) and per search of od_matrix (timing the destinations, one row)
_DIJKSTRA_S_PER_EDGE = 5.0e-8
_DIJKSTRA_S_PER_SEARCH = 2.0e-4
#: CCH reference points: a road network (Andorra drive, 1.81 edges per node) and the synthetic grid
#: (grid100k, 3.99 edges per node, the worst case for contraction). Per network: nodes, topology
#: build s (order + contraction), customization s, one upward search s.
_CCH_ROAD = (1.81, 31_936, 0.65, 0.008, 1.2e-5)
_CCH_GRID = (3.99, 99_856, 6.0, 4.5, 0.8e-3)
#: one bucket-scan step of the many-to-many (per origin-destination pair, upper bound), and the
#: per-point work around a search (seeds, offsets)
_CCH_PAIR_S = 1.0e-8
_CCH_POINT_S = 4.0e-5
_CCH_SWEEP_S_PER_ARC = 4.0e-9  # PHAST sweep


def _cch_costs(net: Network) -> tuple[float, float, float]:
    """Estimated (build s, customize s, one upward search s) of ``net``'s CCH.

    Interpolated geometrically between the two measured reference networks by
    edges per node (road networks have many degree-2 nodes and small
    separators, grids neither) and scaled with the nodes: the build grows like
    ``n**1.1``; on a grid the separators grow with the square root of the
    nodes, so customization grows like ``n**2`` (grid1M: far above 5 minutes
    against ~4 s at 100k nodes) and a search like ``n``; on roads they stay
    close to ``n`` and ``n**0.5``. A model, not a promise: it only has to put the
    crossover in the right place.
    """
    n = max(int(net.n_nodes), 1)
    deg = len(net.edge_u) / n
    t = float(np.clip((deg - _CCH_ROAD[0]) / (_CCH_GRID[0] - _CCH_ROAD[0]), 0.0, 1.0))

    def mix(i: int) -> float:
        road = _CCH_ROAD[i] / (_CCH_ROAD[1] if i < 4 else 1.0)
        grid = _CCH_GRID[i] / (_CCH_GRID[1] if i < 4 else 1.0)
        return float(np.exp(np.log(road) * (1 - t) + np.log(grid) * t))

    n_ref = float(np.exp(np.log(_CCH_ROAD[1]) * (1 - t) + np.log(_CCH_GRID[1]) * t))
    ratio = max(n / n_ref, 1e-3)
    return mix(2) * n * ratio**0.1, mix(3) * n * ratio**t, mix(4) * ratio ** (0.5 + 0.5 * t)


_COST_CACHE: dict[int, tuple[Network, tuple[float, float, float]]] = {}


def _cch_costs_cached(net: Network) -> tuple[float, float, float]:
    hit = _COST_CACHE.get(id(net))
    if hit is not None and hit[0] is net:
        return hit[1]
    if len(_COST_CACHE) > 16:
        _COST_CACHE.clear()
    costs = _cch_costs(net)
    _COST_CACHE[id(net)] = (net, costs)
    return costs


def _build_estimate(net: Network) -> float:
    return _cch_costs_cached(net)[0]


def _customize_estimate(net: Network) -> float:
    return _cch_costs_cached(net)[1]


_REACH_CACHE: dict[int, tuple[Network, np.ndarray, tuple[float, float]]] = {}


def _settled_estimate(net: Network, max_minutes: float | None) -> float:
    """Nodes a search settles: all of them, or with a cut-off the share of the network's extent it reaches.

    The reach is a disc of radius T at the median edge speed (an
    over-estimate on winding roads, so it errs towards Dijkstra), never
    below 1 % of the nodes.
    """
    n = max(int(net.n_nodes), 1)
    if max_minutes is None or not len(net.edge_u):
        return float(n)
    hit = _REACH_CACHE.get(id(net))
    if hit is not None and hit[0] is net and hit[1] is net.edge_time_s:
        speed, span = hit[2]
    else:
        ok = (net.edge_time_s > 0) & np.isfinite(net.edge_time_s)
        if not ok.any():
            return float(n)
        speed = float(np.median(net.edge_length_m[ok] / net.edge_time_s[ok]))
        xy = net.xy
        span = float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]), 1.0))
        if len(_REACH_CACHE) > 16:
            _REACH_CACHE.clear()
        _REACH_CACHE[id(net)] = (net, net.edge_time_s, (speed, span))
    reach = speed * float(max_minutes) * 60.0
    return n * float(np.clip((2 * reach / span) ** 2, 0.01, 1.0))


def choose_engine(
    net: Network, n_sources: int, n_targets: int, max_minutes: float | None = None, engine: str = "auto", *, explain: bool = True
) -> tuple[str, str]:
    """The engine a call will use and why (for ``auto``; a named engine is returned as is).

    ``auto`` compares two cost estimates: Dijkstra = one search per source,
    each settling the whole network or, with a cut-off, the part within it
    (estimated from the cut-off as a fraction of the network's reach, never
    below 1 %); CCH = building the topology unless cached (memory or disk) and
    customizing unless the network's metric is cached, plus one upward search
    per source and target and the bucket scans. Constants measured on this
    project's machine (docs/benchmarks.md).
    """
    check_engine(engine)
    if engine != "auto":
        return engine, "requested"
    n = max(int(net.n_nodes), 1)
    settled = _settled_estimate(net, max_minutes)
    ends = 2.0 * max(n_targets, 1)  # a search stops once the destinations' edge ends are settled: ~ends/(ends+1) of it
    edges = len(net.edge_u) * settled / n  # edges relaxed: those out of the settled nodes
    dijkstra_s = n_sources * (edges * ends / (ends + 1) * _DIJKSTRA_S_PER_EDGE + _DIJKSTRA_S_PER_SEARCH)
    prep = 0.0
    why_prep = "cached"
    hit = _METRIC_CACHE.get(id(net))
    if not (hit is not None and hit[0] is net and hit[1] is net.edge_time_s):
        key = _topology_key(net)
        f = _topology_file(net, key)
        if key not in _TOPO_CACHE and not (f is not None and f.exists()):
            prep += _build_estimate(net)
            why_prep = "to build"
        else:
            why_prep = "to customize"
        prep += _customize_estimate(net)
    cch_s = prep + (n_sources + n_targets) * (_cch_costs_cached(net)[2] + _CCH_POINT_S) + n_sources * n_targets * _CCH_PAIR_S
    pick = "cch" if cch_s < dijkstra_s else "dijkstra"
    if not explain:  # the hot path of route(): no string formatting
        return pick, ""
    why = (
        f"{n:,} nodes, {n_sources:,} x {n_targets:,} points"
        + (f", cut-off {max_minutes:g} min" if max_minutes is not None else "")
        + f": Dijkstra ~{dijkstra_s:.3g} s ({n_sources:,} searches x ~{settled:,.0f} nodes) vs "
        f"CCH ~{cch_s:.3g} s (hierarchy {why_prep})"
    )
    return pick, why


def seeds(net: Network, s: Snapped, labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial ``(node, seconds, label)`` triples that start a search from snapped origins.

    ``labels`` gives one label per snapped point (default: its position);
    points that did not snap (edge -1) give no seeds.

    A point at fraction ``f`` of edge u->v reaches ``v`` after ``(1-f)`` of the
    edge, and ``u`` after ``f`` of the reverse edge if there is one. A point
    that lies on a node (``f`` = 0 or 1) starts at that node whatever the
    oneways, and at every other node with the same coordinates, so that the
    answer does not depend on which of several coincident edges was nearest.
    """
    if labels is None:
        labels = np.arange(len(s.edge), dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    rev = net.reverse_edge()
    t = net.edge_time_s
    ok = np.flatnonzero(s.edge >= 0)
    e, f, acc = s.edge[ok], s.fraction[ok], s.access_s[ok]
    r = rev[e]
    has = r >= 0
    at_u = ~has & (f <= _EPS)
    parts_n = [net.edge_v[e], net.edge_v[r[has]], net.edge_u[e[at_u]]]
    parts_c = [acc + _along(1 - f, t[e]), acc[has] + _along(f[has], t[r[has]]), acc[at_u]]
    parts_p = [ok, ok[has], ok[at_u]]
    parts_k = [np.zeros(len(ok), np.int64), np.ones(int(has.sum()), np.int64), np.ones(int(at_u.sum()), np.int64)]
    if net.colocated:
        on_node = (f <= _EPS) | (f >= 1 - _EPS)
        cn, cc, cp = [], [], []
        for i, ei, fi, ai in zip(ok[on_node], e[on_node], f[on_node], acc[on_node]):
            at = net.edge_u[ei] if fi <= _EPS else net.edge_v[ei]
            for other in net.colocated.get(int(at), ()):
                cn.append(other)
                cc.append(ai)
                cp.append(i)
        parts_n.append(np.asarray(cn, dtype=np.int64))
        parts_c.append(np.asarray(cc, dtype=np.float64))
        parts_p.append(np.asarray(cp, dtype=np.int64))
        parts_k.append(np.full(len(cn), 2, dtype=np.int64))
    pidx = np.concatenate(parts_p)
    order = np.lexsort((np.concatenate(parts_k), pidx))  # point by point, as a loop over the points would
    return (
        np.concatenate(parts_n).astype(np.int64)[order],
        np.concatenate(parts_c).astype(np.float64)[order],
        labels[pidx[order]],
    )


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """Raw result of one search (seconds, CSR predecessors).

    Attributes
    ----------
    seconds : float64 array
        Seconds to every node, ``inf`` where unreached.
    pred_edge : int64 array
        Edge (CSR position) used to enter each node, -1 for seeds and unreached nodes;
        :func:`path_edges` walks it back.
    label : int64 array
        Label of the seed that reached each node (-1 unreached).
    settled : int64 array
        The settled nodes in order of increasing time.
    origins : Snapped or None
        The snapped origins (None for :func:`search_nodes`).
    """

    seconds: np.ndarray
    pred_edge: np.ndarray
    label: np.ndarray
    settled: np.ndarray
    origins: Snapped | None


def graph_search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    source_costs: np.ndarray | None = None,
    source_labels: np.ndarray | None = None,
    *,
    limit_s: float = np.inf,
    targets: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bounded multi-source search over any CSR graph (pure function over arrays).

    For graphs that are not a :class:`~geo.network.Network` (the rail and
    time-expanded graphs of :mod:`geo.multimodal`). See
    :func:`geo._private.dijkstra.dijkstra` for the meaning of the arguments;
    costs default to 0 and labels to the source's position.

    Returns
    -------
    ``(seconds, pred_edge, label, settled)`` as in :class:`SearchResult`.

    Examples
    --------
    >>> d, pred, _, _ = graph_search(np.array([0, 1, 2, 2]), np.array([1, 2]), np.array([3.0, 4.0]), np.array([0]))
    >>> d.tolist(), pred.tolist()
    ([0.0, 3.0, 7.0], [-1, 0, 1])
    """
    src = np.asarray(sources, dtype=np.int64)
    cost = np.zeros(len(src)) if source_costs is None else np.asarray(source_costs, dtype=np.float64)
    lab = np.arange(len(src), dtype=np.int64) if source_labels is None else np.asarray(source_labels, dtype=np.int64)
    tg = None if targets is None else np.asarray(targets, dtype=np.int64)
    return dijkstra(  # type: ignore[no-any-return]
        np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64), np.asarray(weights, dtype=np.float64),
        src, cost, lab, float(limit_s), tg,
    )


def search_nodes(
    net: Network,
    nodes: np.ndarray,
    seconds: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    *,
    limit_s: float = np.inf,
    targets: np.ndarray | None = None,
) -> SearchResult:
    """One bounded search over ``net`` from seed nodes already paid for ``seconds``.

    Seeds come from :func:`seeds` (snapped points) or are network nodes
    (stations). ``targets``: stop once these nodes are settled (nodes not
    settled by then stay unreached).
    """
    d, pred, lab, order = graph_search(net.indptr, net.edge_v, net.edge_time_s, nodes, seconds, labels, limit_s=limit_s, targets=targets)
    return SearchResult(seconds=d, pred_edge=pred, label=lab, settled=order, origins=None)


def path_edges(pred_edge: np.ndarray, edge_u: np.ndarray, node: int) -> tuple[np.ndarray, int]:
    """Edges (CSR positions) from the search's seed to ``node``, in travel order, and that seed node.

    ``pred_edge`` comes from :class:`SearchResult` or :func:`graph_search`;
    ``edge_u`` is the start node of every edge (``net.edge_u``).
    """
    edges, src = path_to(pred_edge, edge_u, int(node))
    return edges, int(src)


def search(
    net: Network,
    origins: Iterable[Point] | np.ndarray,
    *,
    max_minutes: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
) -> SearchResult:
    """One bounded search from one or several origins (nearest origin wins).

    Returns seconds to every node (``inf`` where unreached), the edge used to
    enter each node, and the index of the origin that reached it.
    """
    limit = _limit_seconds(max_minutes)
    s = snap(net, origins, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh)
    src, cost, lab = seeds(net, s)
    r = search_nodes(net, src, cost, lab, limit_s=limit)
    return dataclasses.replace(r, origins=s)


def _target_nodes(net: Network, s: Snapped) -> np.ndarray:
    """Both end nodes of every snapped edge: what a search must settle to time those points."""
    e = s.edge[s.edge >= 0]
    return np.unique(np.concatenate([net.edge_u[e], net.edge_v[e]])).astype(np.int64)


def _limit_seconds(max_minutes: float | None) -> float:
    if max_minutes is None:
        return np.inf
    try:
        m = float(max_minutes)
    except (TypeError, ValueError):
        raise InputError(f"max_minutes must be a number, got {max_minutes!r}", "pass e.g. 60") from None
    if not m > 0:
        raise InputError(f"max_minutes must be positive, got {max_minutes!r}", "pass e.g. 60")
    return m * 60.0


def node_times(
    net: Network,
    origins: Iterable[Point] | np.ndarray,
    *,
    max_minutes: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
    engine: str = "auto",
) -> np.ndarray:
    """Minutes from the nearest of ``origins`` to every node; NaN where unreached.

    ``engine``: ``"dijkstra"`` (one bounded search), ``"cch"`` (an upward
    search and one sweep down the hierarchy, PHAST) or ``"auto"`` (CCH only
    when the network's hierarchy is already customized and the cut-off
    reaches most of it; see :func:`choose_one_to_all`). Same minutes.
    """
    check_engine(engine)
    used, _ = choose_one_to_all(net, max_minutes, engine)
    if used == "dijkstra":
        r = search(net, origins, max_minutes=max_minutes, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh)
        sec = r.seconds
    else:
        limit = _limit_seconds(max_minutes)
        sn = snap(net, origins, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh)
        src, cost, lab = seeds(net, sn)
        m = cch_metric(net)
        topo = m.topology
        by_rank, _ = _cch.one_to_all(topo.up_first, topo.up_head, topo.parent, m.fw, m.bw, topo.rank[src], cost, lab, limit)
        sec = by_rank[topo.rank]
    out = sec / 60.0
    out[~np.isfinite(out)] = np.nan
    return out


def choose_one_to_all(net: Network, max_minutes: float | None = None, engine: str = "auto") -> tuple[str, str]:
    """The engine :func:`node_times` uses and why: CCH (PHAST) only once the hierarchy is customized.

    A one-to-all sweep touches every arc of the hierarchy (about 2x the
    edges) but no priority queue; a bounded Dijkstra settles only what the
    cut-off reaches. Building the hierarchy for one search never pays off.
    """
    check_engine(engine)
    if engine != "auto":
        return engine, "requested"
    hit = _METRIC_CACHE.get(id(net))
    if not (hit is not None and hit[0] is net and hit[1] is net.edge_time_s):
        return "dijkstra", "the network has no customized contraction hierarchy yet (building one for a single search does not pay off)"
    settled = _settled_estimate(net, max_minutes)
    dijkstra_s = len(net.edge_u) * settled / max(int(net.n_nodes), 1) * _DIJKSTRA_S_PER_EDGE
    cch_s = hit[2].topology.n_arcs * _CCH_SWEEP_S_PER_ARC
    pick = "cch" if cch_s < dijkstra_s else "dijkstra"
    return pick, f"Dijkstra ~{dijkstra_s:.3g} s (~{settled:,.0f} nodes) vs CCH sweep ~{cch_s:.3g} s ({hit[2].topology.n_arcs:,} arcs)"


def _arrivals(net: Network, seconds: np.ndarray, e: np.ndarray, f: np.ndarray, rev: np.ndarray) -> np.ndarray:
    """Seconds to points at fraction ``f`` of edges ``e``: candidates (n, 3).

    Column 0: along ``e`` from its start; column 1: along the reverse edge
    from ``e``'s end; column 2: standing on ``e``'s end node (``f`` = 1).
    """
    out = np.full((len(e), 3), np.inf)
    out[:, 0] = seconds[net.edge_u[e]] + _along(f, net.edge_time_s[e])
    r = rev[e]
    has_r = r >= 0
    out[has_r, 1] = seconds[net.edge_u[r[has_r]]] + _along(1 - f[has_r], net.edge_time_s[r[has_r]])
    at_end = f >= 1 - _EPS
    out[at_end, 2] = seconds[net.edge_v[e[at_end]]]
    return out


def point_seconds(net: Network, seconds: np.ndarray, dest: Snapped, rev: np.ndarray | None = None) -> np.ndarray:
    """Seconds to snapped destination points given the seconds to every node (``inf`` unreached).

    Each point is reached along its edge from the edge's start, along the
    reverse edge from the other end, or standing on the end node; its
    off-network leg is added. Origins on the same edge are not seen here: see
    :func:`same_edge_seconds`.
    """
    if rev is None:
        rev = net.reverse_edge()
    ok = dest.edge >= 0
    out = np.full(len(dest.edge), np.inf)
    cand = _arrivals(net, seconds, dest.edge[ok], dest.fraction[ok], rev)
    out[ok] = cand.min(axis=1) + dest.access_s[ok]
    return out


def same_edge_seconds(net: Network, o: Snapped, i: int, dest: Snapped, rev: np.ndarray | None = None) -> np.ndarray:
    """Seconds from origin ``i`` of ``o`` straight along its edge to destinations on the same edge (``inf`` elsewhere)."""
    if rev is None:
        rev = net.reverse_edge()
    out = np.full(len(dest.edge), np.inf)
    e = o.edge[i]
    if e < 0:
        return out
    fo = o.fraction[i]
    for j in np.flatnonzero(dest.edge == e):
        fd = dest.fraction[j]
        if fd >= fo:
            out[j] = o.access_s[i] + _along(fd - fo, net.edge_time_s[e]) + dest.access_s[j]
        elif rev[e] >= 0:
            out[j] = o.access_s[i] + _along(fo - fd, net.edge_time_s[rev[e]]) + dest.access_s[j]
    return out


def _dest_seeds(net: Network, d: Snapped, rev: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward seeds ``(ptr, node, seconds)`` of snapped destinations: the candidates of :func:`point_seconds`."""
    t = net.edge_time_s
    ok = np.flatnonzero(d.edge >= 0)
    e, f, acc = d.edge[ok], d.fraction[ok], d.access_s[ok]
    r = rev[e]
    has = r >= 0
    end = f >= 1 - _EPS
    node = np.concatenate([net.edge_u[e], net.edge_u[r[has]], net.edge_v[e[end]]])
    cost = np.concatenate([_along(f, t[e]) + acc, _along(1 - f[has], t[r[has]]) + acc[has], acc[end]])
    j = np.concatenate([ok, ok[has], ok[end]])
    kind = np.concatenate([np.zeros(len(ok), np.int64), np.ones(int(has.sum()), np.int64), np.full(int(end.sum()), 2, np.int64)])
    order = np.lexsort((kind, j))
    ptr = np.searchsorted(j[order], np.arange(len(d.edge) + 1)).astype(np.int64)
    return ptr, node[order].astype(np.int64), cost[order].astype(np.float64)


def _seeds_one(net: Network, e: int, f: float, acc: float, rev: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`seeds` for one snapped point (same arithmetic, scalar: the hot path of :func:`route`)."""
    t = net.edge_time_s
    nodes = [int(net.edge_v[e])]
    costs = [acc + ((1 - f) * t[e] if 1 - f > 0 else 0.0)]
    r = int(rev[e])
    if r >= 0:
        nodes.append(int(net.edge_v[r]))
        costs.append(acc + (f * t[r] if f > 0 else 0.0))
    elif f <= _EPS:
        nodes.append(int(net.edge_u[e]))
        costs.append(acc)
    if net.colocated and (f <= _EPS or f >= 1 - _EPS):
        for other in net.colocated.get(int(net.edge_u[e] if f <= _EPS else net.edge_v[e]), ()):
            nodes.append(int(other))
            costs.append(acc)
    return np.array(nodes, dtype=np.int64), np.array(costs, dtype=np.float64), np.zeros(len(nodes), dtype=np.int64)


def _dest_seeds_one(net: Network, e: int, f: float, acc: float, rev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_dest_seeds` for one snapped point (scalar; same order of candidates)."""
    t = net.edge_time_s
    nodes = [int(net.edge_u[e])]
    costs = [(f * t[e] if f > 0 else 0.0) + acc]
    r = int(rev[e])
    if r >= 0:
        nodes.append(int(net.edge_u[r]))
        costs.append(((1 - f) * t[r] if 1 - f > 0 else 0.0) + acc)
    if f >= 1 - _EPS:
        nodes.append(int(net.edge_v[e]))
        costs.append(acc)
    return np.array(nodes, dtype=np.int64), np.array(costs, dtype=np.float64)


def _origin_seeds(net: Network, o: Snapped) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forward seeds ``(ptr, node, seconds)`` of snapped origins (:func:`seeds`, grouped per origin)."""
    nodes, costs, labs = seeds(net, o)
    ptr = np.searchsorted(labs, np.arange(len(o.edge) + 1)).astype(np.int64)
    return ptr, nodes, costs


def _same_edge_all(net: Network, o: Snapped, d: Snapped, rev: np.ndarray, out: np.ndarray) -> None:
    """Lower ``out[i, j]`` to the direct time along a shared edge, where origin i and destination j share one."""
    by_edge: dict[int, list[int]] = {}
    for j in np.flatnonzero(d.edge >= 0):
        by_edge.setdefault(int(d.edge[j]), []).append(int(j))
    for i in np.flatnonzero(o.edge >= 0):
        if int(o.edge[i]) in by_edge:
            np.minimum(out[i], same_edge_seconds(net, o, int(i), d, rev), out=out[i])


def times_matrix(
    net: Network,
    origins: Snapped,
    destinations: Snapped,
    *,
    limit_s: float = np.inf,
    engine: str = "auto",
    progress: bool = False,
) -> tuple[np.ndarray, str, str]:
    """Seconds from every snapped origin to every snapped destination (``inf`` unreachable or beyond ``limit_s``).

    The array core of :func:`od_matrix`, for callers that work in blocks
    (points snapped once, then any slice of them). Both engines give the same
    times up to float rounding (relative 1e-12; ``tests/test_routing.py``).

    Returns
    -------
    ``(seconds (n_o, n_d), engine used, why)``
    """
    n_o, n_d = len(origins.edge), len(destinations.edge)
    used, why = choose_engine(net, n_o, n_d, None if not np.isfinite(limit_s) else limit_s / 60.0, engine)
    rev = net.reverse_edge()
    out = np.full((n_o, n_d), np.inf)
    if n_o == 0 or n_d == 0:
        return out, used, why
    if used == "cch":
        m = cch_metric(net)
        topo = m.topology
        sp, sn, sc = _origin_seeds(net, origins)
        dp, dn, dc = _dest_seeds(net, destinations, rev)
        out = _cch.many_to_many(
            topo.up_first, topo.up_head, topo.parent, m.fw, m.bw, sp, topo.rank[sn], sc, dp, topo.rank[dn], dc, float(limit_s)
        )
        _same_edge_all(net, origins, destinations, rev, out)
    else:
        targets = _target_nodes(net, destinations)  # each search stops once every destination's edge ends are settled
        it: Iterable[int] = range(n_o)
        if progress:
            it = tqdm(it, total=n_o, desc="origins", unit="origin")
        for i in it:
            if origins.edge[i] < 0:
                continue
            one = Snapped(origins.edge[i : i + 1], origins.fraction[i : i + 1], origins.distance_m[i : i + 1], origins.access_s[i : i + 1])
            src, cost, lab = seeds(net, one, np.zeros(1, dtype=np.int64))
            dist, _, _, _ = dijkstra(net.indptr, net.edge_v, net.edge_time_s, src, cost, lab, limit_s, targets)
            out[i] = np.minimum(point_seconds(net, dist, destinations, rev), same_edge_seconds(net, origins, i, destinations, rev))
    out[~(out <= limit_s)] = np.inf
    return out, used, why


def od_matrix(
    net: Network,
    origins: PointsLike,
    destinations: PointsLike,
    *,
    max_minutes: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
    sparse: bool = False,
    progress: bool = False,
    engine: str = "auto",
) -> pd.DataFrame:
    """Origin-destination travel times.

    Parameters
    ----------
    net
        The network.
    origins, destinations
        ``(lon, lat)`` pairs, or GeoDataFrames (any CRS) / DataFrames with
        ``lon``, ``lat`` columns, whose ids the result carries (see Returns).
    max_minutes
        Cut-off: pairs slower than this are unreachable (NaN).
    sparse
        If True, return only reachable pairs (long format); otherwise all
        ``len(origins) * len(destinations)`` rows with NaN for unreachable.
    progress
        Show a progress bar over origins (Dijkstra engine; the CCH engine
        answers the whole matrix in one compiled call).
    engine
        ``"dijkstra"``: one bounded search per origin; ``"cch"``: the
        network's customizable contraction hierarchy (built once per network
        and cached, customized per edge times); ``"auto"``: whichever
        :func:`choose_engine` estimates faster. Same times either way.

    Returns
    -------
    DataFrame with columns ``origin``, ``destination`` (positions in the
    inputs) and ``minutes``; when ``origins`` is a frame also ``from_id``,
    when ``destinations`` is one also ``to_id``: the frame's ``id`` column
    if it has one, else its index (as in r5py), so
    ``df.merge(origins, left_on="from_id", right_index=True)`` joins back.
    ``df.attrs["engine"]`` and ``df.attrs["engine_reason"]`` say which
    engine ran and why.

    Examples
    --------
    >>> net = Network.from_edges([0, 0.01, 0.02], [0, 0, 0], [0, 1], [1, 2], speed_kmh=60)
    >>> od_matrix(net, [(0, 0)], [(0.02, 0), (0.0, 0.0)]).round(2).to_dict("list")
    {'origin': [0, 0], 'destination': [0, 1], 'minutes': [2.22, 0.0]}
    >>> od_matrix(net, [(0, 0)], [(0.02, 0), (0.0, 0.0)], engine="cch").round(2).to_dict("list")
    {'origin': [0, 0], 'destination': [0, 1], 'minutes': [2.22, 0.0]}
    >>> shops = pd.DataFrame({"lon": [0.02, 0.0], "lat": [0.0, 0.0]}, index=["far", "near"])
    >>> od_matrix(net, [(0, 0)], shops).round(2)[["to_id", "minutes"]].to_dict("list")
    {'to_id': ['far', 'near'], 'minutes': [2.22, 0.0]}
    """
    check_engine(engine)
    from_ids, to_ids = point_ids(origins, "origins"), point_ids(destinations, "destinations")
    limit = _limit_seconds(max_minutes)
    o = snap(net, origins, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh, errors="nan")
    d = snap(net, destinations, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh, errors="nan")
    sec, used, why = times_matrix(net, o, d, limit_s=limit, engine=engine, progress=progress)
    n_o, n_d = sec.shape
    minutes = np.where(np.isfinite(sec), sec / 60.0, np.nan)
    if sparse:
        ii, jj = np.nonzero(np.isfinite(sec))
        df = pd.DataFrame({"origin": ii.astype(np.int64), "destination": jj.astype(np.int64), "minutes": minutes[ii, jj]})
    elif n_o * n_d == 0:
        df = pd.DataFrame({"origin": [], "destination": [], "minutes": []})
    else:
        df = pd.DataFrame(  # copy=False: no consolidation copy of 2 x n_o x n_d ids
            {"origin": np.repeat(np.arange(n_o, dtype=np.int64), n_d), "destination": np.tile(np.arange(n_d, dtype=np.int64), n_o), "minutes": minutes.ravel()},
            copy=False,
        )
    for name, ids, pos in (("from_id", from_ids, "origin"), ("to_id", to_ids, "destination")):
        if ids is not None:
            df.insert(df.columns.get_loc("minutes"), name, ids[df[pos].to_numpy(np.int64)] if len(df) else ids[:0])
    df.attrs["engine"] = used
    df.attrs["engine_reason"] = why
    return df


@dataclasses.dataclass(frozen=True)
class Route:
    """A fastest path between two points.

    Attributes
    ----------
    minutes : float
        Total minutes including the off-network legs (NaN if unreachable).
    metres : float
        Network length of the path (without off-network legs).
    edges : int64 array
        Edge indices along the path.
    access_minutes, egress_minutes : float
        Off-network legs at both ends.
    """

    minutes: float
    metres: float
    edges: np.ndarray
    access_minutes: float
    egress_minutes: float
    network: Network = dataclasses.field(repr=False)

    @property
    def reachable(self) -> bool:
        return bool(np.isfinite(self.minutes))

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The path's edges as a GeoDataFrame (one row per edge)."""
        return self.network.edges.iloc[self.edges].reset_index(drop=True)


def route(
    net: Network,
    origin: Point,
    destination: Point,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
    engine: str = "auto",
) -> Route:
    """Fastest path from ``origin`` to ``destination`` (both ``(lon, lat)``).

    ``engine``: ``"dijkstra"`` (a search that stops at the destination),
    ``"cch"`` (the network's contraction hierarchy; the first call on a
    network builds or loads it) or ``"auto"`` (see :func:`choose_engine`:
    CCH once the hierarchy is ready or its build pays off). The minutes are
    the same either way; where two paths tie, the edges may differ.

    Examples
    --------
    >>> net = Network.from_edges([0, 0.01, 0.02], [0, 0, 0], [0, 1], [1, 2], speed_kmh=60)
    >>> r = route(net, (0, 0), (0.02, 0))
    >>> round(r.minutes, 2), r.edges.tolist()
    (2.22, [0, 1])
    """
    check_engine(engine)
    both = snap(net, [origin, destination], max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh)
    o, d = (Snapped(both.edge[i : i + 1], both.fraction[i : i + 1], both.distance_m[i : i + 1], both.access_s[i : i + 1]) for i in (0, 1))
    rev = net.reverse_edge()
    src, cost, lab = _seeds_one(net, int(o.edge[0]), float(o.fraction[0]), float(o.access_s[0]), rev)
    direct = same_edge_seconds(net, o, 0, d, rev)[0] if o.edge[0] == d.edge[0] else np.inf
    e = int(d.edge[0])
    f = float(d.fraction[0])
    used, _ = choose_engine(net, 1, 1, None, engine, explain=False)
    if used == "cch":
        m = cch_metric(net)
        topo = m.topology
        dn, dc = _dest_seeds_one(net, e, f, float(d.access_s[0]), rev)
        via, inner_c, first_r, last_r = _cch.point_to_point(
            topo.up_first, topo.up_head, topo.parent, m.fw, m.bw, topo.arc_tail, m.fw_via, m.bw_via, m.fw_edge, m.bw_edge,
            topo.rank[src], cost, topo.rank[dn], dc, *m.scratch(),
        )
        best = min(direct, via)
        if np.isfinite(via):
            last_node = int(topo.order[last_r])
            ks = [int(np.argmin(np.where(dn == last_node, dc, np.inf)))]  # the seed the path ends at
            # seed order in _dest_seeds: edge_u[e] (k=0), edge_u[rev] (k=1, if any), edge_v[e] (k=2, at the end)
            kinds = [0] + ([1] if rev[e] >= 0 else []) + ([2] if f >= 1 - _EPS else [])
            k = kinds[ks[0]]
            cch_path: tuple[np.ndarray, int] | None = (inner_c, int(topo.order[first_r]))
        else:
            k, cch_path = 0, None
    else:
        dist, pred, _, _ = dijkstra(
            net.indptr, net.edge_v, net.edge_time_s, src, cost, lab, np.inf, _target_nodes(net, d)
        )  # stops once both ends of the destination's edge are settled
        cand = _arrivals(net, dist, np.array([e]), np.array([f]), rev)[0]
        k = int(np.argmin(cand))
        best = min(direct, cand[k] + d.access_s[0])
        cch_path = None
    if not np.isfinite(best):
        return Route(np.nan, np.nan, np.zeros(0, np.int64), o.access_s[0] / 60, d.access_s[0] / 60, net)
    oe, fo = int(o.edge[0]), float(o.fraction[0])
    if best == direct:
        path = np.array([oe if f >= fo else int(rev[oe])], dtype=np.int64)
        metres = abs(f - fo) * net.edge_length_m[oe]
    else:
        # the last (partial) edge, and the node the search reached before it
        if k == 0:
            last, last_len, node = e, f * net.edge_length_m[e], int(net.edge_u[e])
        elif k == 1:
            last = int(rev[e])
            last_len, node = (1 - f) * net.edge_length_m[last], int(net.edge_u[last])
        else:
            last, last_len, node = -1, 0.0, int(net.edge_v[e])
        if cch_path is not None:
            inner, node = cch_path
        else:
            inner, node = path_to(pred, net.edge_u, node)
        # the first (partial) edge, from the origin point to the source node
        r = int(rev[oe])
        if node == net.edge_v[oe]:
            first, first_len = oe, (1 - fo) * net.edge_length_m[oe]
        elif r >= 0:
            first, first_len = r, fo * net.edge_length_m[r]
        else:  # the origin stands on the start node of a one-way edge
            first, first_len = -1, 0.0
        path = np.concatenate([np.array([first], dtype=np.int64)[: int(first >= 0)], inner, np.array([last], dtype=np.int64)[: int(last >= 0)]])
        metres = first_len + float(net.edge_length_m[inner].sum()) + last_len
    return Route(
        minutes=float(best / 60.0),
        metres=float(metres),
        edges=path,
        access_minutes=float(o.access_s[0] / 60),
        egress_minutes=float(d.access_s[0] / 60),
        network=net,
    )


# Private names kept for code written before the door was opened (other branches); use the public ones.
_as_points = as_points
_sources = seeds
_point_times = point_seconds
_same_edge = same_edge_seconds
