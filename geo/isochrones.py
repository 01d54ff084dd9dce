"""Isochrone polygons from a travel-time field.

An isochrone of ``T`` minutes is the set of places reachable within ``T``:
every point of the network reached by ``T`` (edges are interpolated, so a
partly traversed edge counts up to the point where time runs out), plus an
*off-network leg* from the road into its surroundings at
``offnetwork_speed_kmh``, at most ``offnetwork_m`` metres. A point of a road
reached at time ``t`` therefore covers a disc of radius
``min(offnetwork_m, (T - t) * speed)``; along an edge the radius varies
linearly and the union of the discs is a "tapered capsule" (the convex hull
of the end discs). Bands are cumulative and strictly nested
(``15 ⊂ 30 ⊂ 60``), unreached pockets larger than ``min_hole_km2`` stay holes,
smaller ones are filled; several origins can be given (nearest origin wins).

Two methods compute the same geometry (see ``docs/isochrones.md``):

``"raster"`` (default)
    Evaluates the exact travel-time field at the centres of a grid aligned to
    multiples of ``cell_m`` in the network's metric CRS (compiled); cells
    crossed by a reached road also take the time the road enters them, so
    every reached road point is inside its band. Thresholds and polygonizes
    the cells. Fast at any size (1M nodes in under a second); boundaries are
    within one cell diagonal of the exact ones and drawn as cell edges.
``"vector"``
    Builds every tapered capsule as a polygon and unions them (GEOS).
    Boundaries are exact up to the 32-gon approximation of the discs, which
    is inscribed, so nothing beyond the off-network limit is ever covered.
    Slower (seconds for a city), meant for small areas and as a reference.

Examples
--------
>>> from geo.network import Network
>>> # a 2 km east-west street, 36 km/h (10 m/s) both ways
>>> net = Network.from_edges([0.0, 0.018], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
>>> iso = isochrones(net, (0.0, 0.0), [1, 2], offnetwork_m=100, method="vector")
>>> # by hand: 1 min = hull of an 83 m disc and the point 600 m along (0.0614 km²);
>>> # 2 min = 100 m capsule over 480 m, then tapering to 0 at 1200 m (0.1844 km²)
>>> iso[["minutes", "area_km2"]].round(3).to_dict("list")
{'minutes': [1.0, 2.0], 'area_km2': [0.061, 0.185]}
>>> bool(iso.geometry.iloc[1].contains(iso.geometry.iloc[0]))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._private.surface import Grid, Segments, auto_cell, edge_segments, origin_segments, rasterize_segments
from geo.crs import local_metric_crs
from geo.errors import InputError
from geo.network import Network
from geo.routing import DEFAULT_MAX_SNAP_M, DEFAULT_SNAP_SPEED_KMH, PointsLike, SearchResult, as_points
from geo.routing import search as _search

#: default distance (metres) one may walk from a road into its surroundings
DEFAULT_OFFNETWORK_M = 200.0
#: default speed (km/h) of the off-network leg
DEFAULT_OFFNETWORK_SPEED_KMH = 5.0
#: unreached pockets smaller than this (km²) are filled
DEFAULT_MIN_HOLE_KM2 = 0.05
#: grids larger than this many cells are refused (or coarsened when automatic)
MAX_CELLS = 40_000_000
#: vertices per disc in the vector method
_DISC_VERTICES = 32

METHODS = ("raster", "vector")


def check_minutes(minutes: float | Iterable[float]) -> list[float]:
    """Validate band thresholds: positive finite numbers, returned sorted and unique.

    Examples
    --------
    >>> check_minutes([30, 15, 15])
    [15.0, 30.0]
    >>> check_minutes(-5)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: minutes must be positive numbers, got -5. Fix: pass e.g. minutes=[5, 10, 15]
    """
    items = [minutes] if np.isscalar(minutes) else list(minutes)  # type: ignore[arg-type,list-item]
    out = []
    for m in items:
        try:
            v = float(m)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError(f"minutes must be numbers, got {m!r}", "pass e.g. minutes=[5, 10, 15]") from None
        if not (v > 0 and np.isfinite(v)):
            raise InputError(f"minutes must be positive numbers, got {m!r}", "pass e.g. minutes=[5, 10, 15]")
        out.append(v)
    if not out:
        raise InputError("no minutes given", "pass e.g. minutes=[5, 10, 15]")
    return sorted(set(out))


def isochrones(
    net: Network,
    origins: tuple[float, float] | PointsLike,
    minutes: float | Iterable[float],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
    offnetwork_m: float = DEFAULT_OFFNETWORK_M,
    offnetwork_speed_kmh: float = DEFAULT_OFFNETWORK_SPEED_KMH,
    min_hole_km2: float = DEFAULT_MIN_HOLE_KM2,
    method: str = "raster",
    cell_m: float | None = None,
    simplify_m: float | None = None,
    search: SearchResult | None = None,
    edge_mask: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Cumulative isochrone polygons around one or several origins.

    Parameters
    ----------
    net
        The network (any mode).
    origins
        One ``(lon, lat)`` pair or a list of them (WGS84), or a GeoDataFrame
        of points (any CRS). With several origins every place takes the time
        of the nearest one (one set of bands); for a set per origin, with
        each origin's id as ``origin_id``, see :func:`geo.batch.isochrones_batch`.
    minutes
        Band thresholds, e.g. ``[15, 30, 60]``.
    max_snap_m, snap_speed_kmh
        Snapping of the origins onto the network (see :func:`geo.routing.snap`);
        an origin farther than ``max_snap_m`` raises :class:`~geo.errors.SnapError`.
    offnetwork_m, offnetwork_speed_kmh
        The off-network leg at the destination end: from any reached point of
        a road, walk at most ``offnetwork_m`` metres at this speed.
    min_hole_km2
        Unreached pockets smaller than this are filled; larger ones are holes.
    method
        ``"raster"`` (fast, exact to half a cell) or ``"vector"`` (GEOS union
        of exact capsules; slow on large areas).
    cell_m
        Cell size of the raster method in metres; default automatic (about
        250,000 cells over the reached area, at most ``offnetwork_m / 2``,
        snapped to 5/10/20/25/50/100/... m).
    simplify_m
        Simplify the polygons with this tolerance (metres) for display; bands
        stay nested. ``None``: no simplification.
    search
        A precomputed :func:`geo.routing.search` result for these origins
        (reused instead of searching again).
    edge_mask
        Boolean per edge: only edges where it is True (and the origins) spread
        into the surroundings, e.g. ``highway != "motorway"``. Default: all.

    Returns
    -------
    GeoDataFrame (EPSG:4326), one row per threshold in ascending order, with
    columns ``minutes``, ``area_km2`` and the (Multi)Polygon ``geometry``.

    Examples
    --------
    >>> from geo.network import Network
    >>> net = Network.from_edges([0.0, 0.018], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
    >>> iso = isochrones(net, (0.0, 0.0), [1, 2], offnetwork_m=100, cell_m=10)
    >>> iso[["minutes", "area_km2"]].round(3).to_dict("list")  # exact: 0.0614, 0.1844 (10 m cells)
    {'minutes': [1.0, 2.0], 'area_km2': [0.062, 0.185]}
    """
    mins = check_minutes(minutes)
    _check_params(offnetwork_m, offnetwork_speed_kmh, method, cell_m, simplify_m, min_hole_km2)
    pts = _origin_array(origins)
    limit_s = mins[-1] * 60.0
    if search is None:
        search = _search(net, pts, max_minutes=mins[-1], max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh)

    tr = net.to_metric
    ox, oy = tr.transform(pts[:, 0], pts[:, 1])
    seg = Segments.concat(
        [
            edge_segments(net, search.seconds, limit_s, edge_mask),
            origin_segments(net, np.column_stack([ox, oy]), search.origins, edge_mask),
        ]
    )
    gdf = _bands(seg, mins, net.metric_crs, offnetwork_m, offnetwork_speed_kmh, min_hole_km2, method, cell_m, simplify_m)
    gdf.attrs["origins"] = [tuple(map(float, p)) for p in pts]
    return gdf


def isochrones_from_times(
    net: Network,
    node_seconds: np.ndarray,
    minutes: float | Iterable[float],
    *,
    offnetwork_m: float = DEFAULT_OFFNETWORK_M,
    offnetwork_speed_kmh: float = DEFAULT_OFFNETWORK_SPEED_KMH,
    min_hole_km2: float = DEFAULT_MIN_HOLE_KM2,
    method: str = "raster",
    cell_m: float | None = None,
    simplify_m: float | None = None,
    edge_mask: np.ndarray | None = None,
    points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> gpd.GeoDataFrame:
    """Isochrones from a travel-time field you computed yourself.

    Use this for multimodal or scheduled travel (rail + walk, scenarios): pass
    the seconds to every node of ``net`` (``inf`` or NaN where unreached) and
    get the same polygons :func:`isochrones` draws.

    Parameters
    ----------
    net
        The network the times refer to.
    node_seconds
        Seconds per node, shape ``(net.n_nodes,)``.
    points
        Optional extra reached places ``(lon, lat, seconds)`` (arrays), e.g.
        the origins themselves or station exits, that spread into the
        surroundings like road points do.
    other parameters
        As in :func:`isochrones`.

    Examples
    --------
    >>> from geo.network import Network
    >>> net = Network.from_edges([0.0, 0.018], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
    >>> iso = isochrones_from_times(net, np.array([0.0, 200.0]), [1, 2], offnetwork_m=100, method="vector")
    >>> iso["area_km2"].round(3).tolist()
    [0.061, 0.185]
    """
    mins = check_minutes(minutes)
    _check_params(offnetwork_m, offnetwork_speed_kmh, method, cell_m, simplify_m, min_hole_km2)
    t = np.asarray(node_seconds, dtype=np.float64)
    if t.shape != (net.n_nodes,):
        raise InputError(
            f"node_seconds has shape {t.shape}, the network has {net.n_nodes} nodes",
            "pass one travel time (seconds) per node",
        )
    t = np.where(np.isnan(t), np.inf, t)
    limit_s = mins[-1] * 60.0
    parts = [edge_segments(net, t, limit_s, edge_mask)]
    if points is not None:

        lon, lat, sec = (np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in points)
        tr = net.to_metric
        x, y = tr.transform(lon, lat)
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        parts.append(Segments.one_way(x, y, x, y, sec, sec))
    seg = Segments.concat(parts)
    return _bands(seg, mins, net.metric_crs, offnetwork_m, offnetwork_speed_kmh, min_hole_km2, method, cell_m, simplify_m)


def band_rings(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Non-overlapping rings for display: band ``k`` minus band ``k-1``.

    Adds ``minutes_from`` (the previous threshold, 0 for the first band) and
    recomputes ``area_km2`` for the ring.

    Examples
    --------
    >>> from geo.network import Network
    >>> net = Network.from_edges([0.0, 0.018], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
    >>> rings = band_rings(isochrones(net, (0.0, 0.0), [1, 2], offnetwork_m=100, method="vector"))
    >>> rings[["minutes_from", "minutes", "area_km2"]].round(3).to_dict("list")
    {'minutes_from': [0.0, 1.0], 'minutes': [1.0, 2.0], 'area_km2': [0.061, 0.123]}
    """
    g = gdf.sort_values("minutes").reset_index(drop=True)
    geoms = list(g.geometry.values)
    rings = [geoms[0]] + [shapely.difference(geoms[i], geoms[i - 1]) for i in range(1, len(geoms))]
    out = g.drop(columns="geometry").copy()
    out.insert(0, "minutes_from", [0.0, *g["minutes"].iloc[:-1].astype(float).tolist()])
    gs = gpd.GeoSeries(rings, crs=gdf.crs)
    if len(gs) and gdf.crs is not None:
        c = gs.union_all().centroid if not gs.union_all().is_empty else None
        if c is not None:
            out["area_km2"] = gs.to_crs(local_metric_crs(c.x, c.y)).area.values / 1e6
    return gpd.GeoDataFrame(out, geometry=gs, crs=gdf.crs)


# ---------------------------------------------------------------- internals
def _origin_array(origins: Any) -> np.ndarray:
    return as_points(origins)


def _check_params(
    offnetwork_m: float,
    speed_kmh: float,
    method: str,
    cell_m: float | None,
    simplify_m: float | None,
    min_hole_km2: float,
) -> None:
    if method not in METHODS:
        raise InputError(f"unknown isochrone method {method!r}", f"use one of {', '.join(METHODS)}")
    if not (np.isfinite(offnetwork_m) and offnetwork_m > 0):
        raise InputError(
            f"offnetwork_m must be a positive distance in metres, got {offnetwork_m!r}",
            "polygons need an area around the roads; pass e.g. offnetwork_m=200",
        )
    if not (np.isfinite(speed_kmh) and speed_kmh > 0):
        raise InputError(f"offnetwork_speed_kmh must be positive, got {speed_kmh!r}", "pass e.g. 5 (walking)")
    if cell_m is not None and not (np.isfinite(cell_m) and cell_m > 0):
        raise InputError(f"cell_m must be a positive size in metres, got {cell_m!r}", "pass e.g. cell_m=25")
    if simplify_m is not None and not (np.isfinite(simplify_m) and simplify_m >= 0):
        raise InputError(f"simplify_m must be >= 0 metres, got {simplify_m!r}", "pass e.g. simplify_m=20")
    if not (np.isfinite(min_hole_km2) and min_hole_km2 >= 0):
        raise InputError(f"min_hole_km2 must be >= 0, got {min_hole_km2!r}", "pass e.g. min_hole_km2=0.05")


def _bands(
    seg: Segments,
    mins: list[float],
    metric_crs: str,
    offnetwork_m: float,
    speed_kmh: float,
    min_hole_km2: float,
    method: str,
    cell_m: float | None,
    simplify_m: float | None,
) -> gpd.GeoDataFrame:
    speed = speed_kmh / 3.6
    thresholds = [m * 60.0 for m in mins]
    info: dict[str, Any] = {"method": method, "offnetwork_m": offnetwork_m, "offnetwork_speed_kmh": speed_kmh}
    if method == "raster":
        geoms, cell = _raster_bands(seg, thresholds, offnetwork_m, speed, min_hole_km2, cell_m)
        info["cell_m"] = cell
    else:
        geoms = _vector_bands(seg, thresholds, offnetwork_m, speed, min_hole_km2)
    geoms = _nest(geoms, simplify_m)
    area = shapely.area(np.asarray(geoms, dtype=object)) / 1e6
    gs = gpd.GeoSeries(geoms, crs=metric_crs).to_crs("EPSG:4326")
    gs = gpd.GeoSeries(shapely.normalize(gs.values), crs="EPSG:4326")
    out = gpd.GeoDataFrame({"minutes": np.asarray(mins, dtype=float), "area_km2": area}, geometry=gs, crs="EPSG:4326")
    out.attrs.update(info)
    return out


def _empty() -> Any:
    return shapely.MultiPolygon()


def band_masks(
    surface_s: np.ndarray, thresholds_s: Sequence[float], min_hole_cells: float
) -> list[np.ndarray]:
    """Nested boolean masks ``surface <= T`` with small unreached pockets filled.

    Pockets are 4-connected unreached components that do not touch the grid
    border; filling those smaller than ``min_hole_cells`` keeps the masks
    nested (a small pocket of a band can only contain smaller pockets of the
    next band).
    """
    from scipy import ndimage  # 0.25 s: only the raster method needs it (the CLI imports this module for --help)

    masks = []
    prev = None
    for t in thresholds_s:
        m = surface_s <= t
        if prev is not None:
            m |= prev
        if min_hole_cells > 0 and m.any():
            lab, n = ndimage.label(~m)
            if n > 1:
                size = np.bincount(lab.ravel(), minlength=n + 1)
                border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
                small = size < min_hole_cells
                small[0] = False
                small[border] = False
                if small.any():
                    m |= small[lab]
        masks.append(m)
        prev = m
    return masks


def polygonize(mask: np.ndarray, transform: Any) -> Any:
    """The cells of a boolean mask as one (Multi)Polygon (4-connected parts)."""
    from rasterio import features  # GDAL (0.1 s): only the raster method needs it

    if not mask.any():
        return _empty()
    polys = []
    for geom, _ in features.shapes(mask.view(np.uint8), mask=mask, connectivity=4, transform=transform):
        rings = geom["coordinates"]
        polys.append(shapely.Polygon(rings[0], rings[1:]))
    if len(polys) == 1:
        return polys[0]
    return shapely.MultiPolygon(polys)


def _raster_bands(
    seg: Segments,
    thresholds: list[float],
    dmax: float,
    speed: float,
    min_hole_km2: float,
    cell_m: float | None,
) -> tuple[list[Any], float]:
    limit = thresholds[-1]
    extent = seg.reached_extent(limit, speed, dmax)
    if not np.isfinite(extent[0]):
        return [_empty() for _ in thresholds], float(cell_m or np.nan)
    cell = float(cell_m) if cell_m else auto_cell(extent, dmax)
    grid = Grid.covering(extent, cell, pad_cells=2)
    if grid.n_cells > MAX_CELLS:
        if cell_m:
            raise InputError(
                f"a {cell:g} m grid over the reached area would have {grid.n_cells:,} cells",
                f"use a larger cell_m (at least {cell * np.sqrt(grid.n_cells / MAX_CELLS):.0f})",
            )
        cell = cell * np.sqrt(grid.n_cells / MAX_CELLS) * 1.01
        grid = Grid.covering(extent, cell, pad_cells=2)
    surface = rasterize_segments(seg, grid, speed, dmax, limit)
    masks = band_masks(surface, thresholds, min_hole_km2 * 1e6 / (cell * cell))
    return [polygonize(m, grid.transform) for m in masks], cell


def _capsules(seg: Segments, t_s: float, dmax: float, speed: float) -> np.ndarray:
    """Tapered capsules (convex hulls of two inscribed 32-gons) covering band ``t_s``."""
    seg = seg.directed()
    ok = seg.t0 <= t_s
    s = seg.take(np.flatnonzero(ok))
    if len(s) == 0:
        return np.zeros(0, dtype=object)
    dt = s.t1 - s.t0
    with np.errstate(divide="ignore", invalid="ignore"):
        # fraction of the segment reached by t_s, and where the radius starts shrinking below dmax
        f_end = np.where(dt > 0, np.clip((t_s - s.t0) / dt, 0.0, 1.0), 1.0)
        f_cap = np.where(dt > 0, np.clip((t_s - dmax / speed - s.t0) / dt, 0.0, 1.0), 1.0)
    f_cap = np.minimum(f_cap, f_end)

    def pt(f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = s.x0 + f * (s.x1 - s.x0)
        y = s.y0 + f * (s.y1 - s.y0)
        r = np.minimum(dmax, np.maximum(t_s - (s.t0 + f * dt), 0.0) * speed)
        return x, y, r

    xa, ya, ra = pt(np.zeros(len(s)))
    xc, yc, rc = pt(f_cap)
    xe, ye, re_ = pt(f_end)
    ang = np.linspace(0.0, 2 * np.pi, _DISC_VERTICES, endpoint=False)
    cos, sin = np.cos(ang), np.sin(ang)

    def hull(x1, y1, r1, x2, y2, r2):
        px = np.concatenate([x1[:, None] + r1[:, None] * cos, x2[:, None] + r2[:, None] * cos], axis=1)
        py = np.concatenate([y1[:, None] + r1[:, None] * sin, y2[:, None] + r2[:, None] * sin], axis=1)
        return shapely.convex_hull(shapely.multipoints(np.stack([px, py], axis=-1)))

    full = hull(xa, ya, ra, xc, yc, rc)  # constant radius dmax part (or a disc)
    taper_idx = np.flatnonzero(f_end > f_cap)
    taper = hull(xc[taper_idx], yc[taper_idx], rc[taper_idx], xe[taper_idx], ye[taper_idx], re_[taper_idx])
    geoms = np.concatenate([full, taper])
    return geoms[shapely.area(geoms) > 0]


def _fill_small_holes(geom: Any, min_area_m2: float) -> Any:
    if geom.is_empty or min_area_m2 <= 0:
        return geom
    parts = shapely.get_parts(geom)
    out = []
    for p in parts:
        holes = [r for r in p.interiors if shapely.Polygon(r).area >= min_area_m2]
        out.append(shapely.Polygon(p.exterior, holes))
    return shapely.union_all(out) if len(out) > 1 else out[0]


def _vector_bands(seg: Segments, thresholds: list[float], dmax: float, speed: float, min_hole_km2: float) -> list[Any]:
    out = []
    for t in thresholds:
        caps = _capsules(seg, t, dmax, speed)
        g = shapely.union_all(caps) if len(caps) else _empty()
        out.append(_fill_small_holes(g, min_hole_km2 * 1e6))
    return out


def _nest(geoms: list[Any], simplify_m: float | None) -> list[Any]:
    """Enforce ``band_k ⊂ band_{k+1}`` (after optional simplification)."""
    g = list(geoms)
    # union lower into higher: guards against floating-point slivers
    for k in range(1, len(g)):
        if not g[k - 1].is_empty and not g[k].covers(g[k - 1]):
            g[k] = shapely.union(g[k], g[k - 1])
    if simplify_m:
        g = [shapely.simplify(x, simplify_m, preserve_topology=True) for x in g]
        for k in range(len(g) - 2, -1, -1):
            if not g[k + 1].covers(g[k]):
                g[k] = _polygonal(shapely.intersection(g[k], g[k + 1]))
    return [_polygonal(shapely.make_valid(x)) if not x.is_valid else x for x in g]


def _polygonal(geom: Any) -> Any:
    """Drop points and lines that overlay operations can leave behind."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return _empty()
    u = shapely.union_all(parts)
    return u if u.geom_type in ("Polygon", "MultiPolygon") else _empty()


def as_frame(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """The table without geometry (for printing and JSON summaries)."""
    return pd.DataFrame(gdf.drop(columns="geometry"))
