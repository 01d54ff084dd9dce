"""Before/after comparisons of a scenario: place times, bands, area and people gained.

The *after* network of an additive scenario (new roads, faster speeds) is a
superset of the base: every base edge survives (split edges keep their total
time), so no node or place can get slower. Places and origins are snapped in
the after network both to any edge and to base-derived edges only, and the
faster of the two is kept, so a place next to a new one-way road is never
made slower by snapping onto it.

Examples
--------
>>> import numpy as np
>>> from geo.network import Network
>>> from geo.scenario import add_road
>>> # an L-shaped street (2 km via the corner) and a new 1.42 km diagonal shortcut
>>> base = Network.from_edges([0, 0.009, 0.009], [0, 0, 0.009], [0, 1, 1, 2], [1, 0, 2, 1], speed_kmh=60.0)
>>> after, _ = add_road(base, [(0.0, 0.0), (0.009, 0.009)], speed_kmh=60.0)
>>> t = compare_places(base, after, [(0.0, 0.0)], [("corner", 0.009, 0.0), ("far", 0.009, 0.009)])
>>> t[["place", "before_minutes", "after_minutes"]].round(2).to_dict("list")
{'place': ['far', 'corner'], 'before_minutes': [2.0, 1.0], 'after_minutes': [1.42, 1.0]}
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._private.geodesy import utm_epsg
from geo.isochrones import isochrones_from_times
from geo.network import Network
from geo.raster import population_in_bands
from geo.routing import (
    DEFAULT_MAX_SNAP_M,
    DEFAULT_SNAP_SPEED_KMH,
    PointsLike,
    as_points,
    point_seconds,
    points_table,
    same_edge_seconds,
    search_nodes,
    seeds,
    snap,
)

PlaceLike = Any  # geo.places.Place, (name, lon, lat) or a GeoDataFrame of points with "name"


def _base_mask(net: Network) -> np.ndarray | None:
    a = net.edge_attrs
    if "base_edge" not in a.columns:
        return None
    return (pd.to_numeric(a["base_edge"], errors="coerce").fillna(-1).to_numpy() >= 0)


def _places_frame(places: PlaceLike) -> pd.DataFrame:
    """``place, lon, lat`` for any accepted places input; a GeoDataFrame's ids (``id`` column, else index) as ``to_id``."""
    if isinstance(places, gpd.GeoDataFrame):
        t = points_table(places, "places")
        name = t["name"] if "name" in t.columns else pd.Series([f"place {i}" for i in range(len(t))])
        return pd.DataFrame({"place": name.astype(str).to_numpy(), "to_id": t["id"].to_numpy(), "lon": t["lon"], "lat": t["lat"]})
    rows = []
    for i, p in enumerate(places):
        if hasattr(p, "lon"):
            rows.append((p.name, float(p.lon), float(p.lat)))
        elif len(p) == 3:
            rows.append((str(p[0]), float(p[1]), float(p[2])))
        else:
            rows.append((f"place {i}", float(p[0]), float(p[1])))
    return pd.DataFrame(rows, columns=["place", "lon", "lat"])


def node_seconds(
    net: Network,
    origins: PointsLike,
    *,
    max_minutes: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
) -> np.ndarray:
    """Seconds from the nearest origin to every node (``inf`` unreached).

    In a scenario network the origins are snapped both to any edge and to
    base-derived edges; both snaps start the search.
    """
    pts = as_points(origins)
    parts = [snap(net, pts, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh, errors="nan")]
    mask = _base_mask(net)
    if mask is not None and not mask.all():
        parts.append(snap(net, pts, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh, edge_mask=mask, errors="nan"))
    srcs = [seeds(net, s, np.zeros(len(s.edge), dtype=np.int64)) for s in parts]
    src = np.concatenate([s[0] for s in srcs])
    cost = np.concatenate([s[1] for s in srcs])
    lab = np.concatenate([s[2] for s in srcs])
    limit = np.inf if max_minutes is None else float(max_minutes) * 60.0
    return search_nodes(net, src, cost, lab, limit_s=limit).seconds


def place_minutes(
    net: Network,
    origins: PointsLike,
    places: PlaceLike,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
) -> np.ndarray:
    """Minutes from the nearest origin to each place (NaN unreachable / off the network)."""
    pf = _places_frame(places)
    pts = pf[["lon", "lat"]].to_numpy()
    sec = node_seconds(net, origins, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh)
    rev = net.reverse_edge()
    opts = as_points(origins)
    masks: list[np.ndarray | None] = [None]
    bm = _base_mask(net)
    if bm is not None and not bm.all():
        masks.append(bm)
    best = np.full(len(pf), np.inf)
    for m in masks:
        d = snap(net, pts, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh, edge_mask=m, errors="nan")
        best = np.minimum(best, point_seconds(net, sec, d, rev))
        o = snap(net, opts, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh, edge_mask=m, errors="nan")
        for i in range(len(opts)):
            best = np.minimum(best, same_edge_seconds(net, o, i, d, rev))
    out = best / 60.0
    out[~np.isfinite(out)] = np.nan
    return out


def compare_places(
    before: Network,
    after: Network,
    origins: PointsLike,
    places: PlaceLike,
    **kw: Any,
) -> pd.DataFrame:
    """Before/after minutes from the origins to each place, most gained first.

    ``origins`` are ``(lon, lat)`` pairs or a frame of points (see
    :func:`geo.routing.as_points`); ``places`` are :class:`geo.places.Place`
    objects, ``(name, lon, lat)`` tuples or a GeoDataFrame (any CRS; names
    from its ``name`` column).

    Returns
    -------
    DataFrame: ``place, lon, lat, before_minutes, after_minutes,
    minutes_saved, percent_saved, newly_reachable``; for a GeoDataFrame of
    places also ``to_id`` (its ``id`` column, else its index), so
    ``places.join(table.set_index("to_id")[["after_minutes"]])`` joins back.
    """
    pf = _places_frame(places)
    rows = list(pf[["place", "lon", "lat"]].itertuples(index=False, name=None))
    b = place_minutes(before, origins, rows, **kw)
    a = place_minutes(after, origins, rows, **kw)
    out = pf.copy()
    out["before_minutes"] = b
    out["after_minutes"] = a
    out["minutes_saved"] = b - a
    with np.errstate(invalid="ignore", divide="ignore"):
        out["percent_saved"] = 100.0 * (b - a) / b
    out["newly_reachable"] = np.isnan(b) & ~np.isnan(a)
    key = np.where(out["newly_reachable"], np.inf, out["minutes_saved"].fillna(-np.inf))
    return out.iloc[np.argsort(-key, kind="stable")].reset_index(drop=True)


def _auto_cell(net: Network, seconds: np.ndarray, limit_s: float, offnetwork_m: float) -> float:
    reached = seconds <= limit_s
    if not reached.any():
        return max(5.0, offnetwork_m / 2)
    xy = net.xy[reached]
    w = float(np.ptp(xy[:, 0])) + 2 * offnetwork_m
    h = float(np.ptp(xy[:, 1])) + 2 * offnetwork_m
    raw = math.sqrt(max(w * h, 1.0) / 250_000.0)
    nice = [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000]
    cell = next((c for c in nice if c >= raw), nice[-1])
    return float(min(cell, max(5.0, offnetwork_m / 2)))


def compare_bands(
    before: Network,
    after: Network,
    origins: PointsLike,
    minutes: Sequence[float],
    *,
    population: Any = None,
    offnetwork_m: float = 200.0,
    offnetwork_speed_kmh: float | None = None,
    cell_m: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> tuple[Any, Any, pd.DataFrame]:
    """Before/after isochrone bands and the area (and people) gained per band.

    Both sides use the same raster cell size so the areas are comparable.

    Returns
    -------
    (before_bands, after_bands, table)
        Bands are GeoDataFrames (``minutes``, ``area_km2``, geometry). The
        table has ``minutes, area_km2_before, area_km2_after, area_km2_gained``
        and, with a population raster, ``population_before``,
        ``population_after``, ``population_gained``.
    """
    mins = sorted(float(m) for m in minutes)
    pts = as_points(origins)
    sb = node_seconds(before, pts, max_minutes=mins[-1], max_snap_m=max_snap_m)
    sa = node_seconds(after, pts, max_minutes=mins[-1], max_snap_m=max_snap_m)
    if cell_m is None:
        cell_m = _auto_cell(after, sa, mins[-1] * 60, offnetwork_m)
    origin_pts = (pts[:, 0], pts[:, 1], np.zeros(len(pts)))
    kw: dict[str, Any] = {"offnetwork_m": offnetwork_m, "cell_m": cell_m, "points": origin_pts}
    if offnetwork_speed_kmh is not None:
        kw["offnetwork_speed_kmh"] = offnetwork_speed_kmh
    bb = isochrones_from_times(before, sb, mins, **kw)
    ba = isochrones_from_times(after, sa, mins, **kw)
    table = pd.DataFrame(
        {
            "minutes": mins,
            "area_km2_before": bb["area_km2"].to_numpy(),
            "area_km2_after": ba["area_km2"].to_numpy(),
        }
    )
    table["area_km2_gained"] = table["area_km2_after"] - table["area_km2_before"]
    if population is not None:
        pb = population_in_bands(bb, population)
        pa = population_in_bands(ba, population)
        table["population_before"] = pb["population"].to_numpy()
        table["population_after"] = pa["population"].to_numpy()
        table["population_gained"] = table["population_after"] - table["population_before"]
    bb.attrs["cell_m"] = ba.attrs["cell_m"] = cell_m
    return bb, ba, table


def gained_areas(before_bands: Any, after_bands: Any) -> Any:
    """Per band, the area reached after but not before (GeoDataFrame, EPSG:4326)."""
    rows = []
    for (_, b), (_, a) in zip(before_bands.iterrows(), after_bands.iterrows()):
        rows.append({"minutes": a["minutes"], "geometry": a.geometry.difference(b.geometry)})

    g = gpd.GeoDataFrame(rows, columns=["minutes", "geometry"], geometry="geometry", crs="EPSG:4326")
    b = after_bands.total_bounds
    if len(g) and np.isfinite(b).all():
        g["area_km2"] = g.to_crs(utm_epsg((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)).area.to_numpy() / 1e6
    else:
        g["area_km2"] = 0.0
    return g


def node_gains(before: Network, after: Network, origins: PointsLike, max_minutes: float | None = None) -> pd.DataFrame:
    """Per base node: before/after minutes and minutes saved (the base nodes keep their positions)."""
    sb = node_seconds(before, origins, max_minutes=max_minutes) / 60.0
    sa = node_seconds(after, origins, max_minutes=max_minutes)[: before.n_nodes] / 60.0
    sb[~np.isfinite(sb)] = np.nan
    sa[~np.isfinite(sa)] = np.nan
    return pd.DataFrame(
        {
            "node_id": before.node_id,
            "lon": before.lon,
            "lat": before.lat,
            "before_minutes": sb,
            "after_minutes": sa,
            "minutes_saved": sb - sa,
        }
    )


def places_geodataframe(table: pd.DataFrame) -> Any:
    """A place comparison table as points (EPSG:4326), for maps and GeoPackages."""
    return gpd.GeoDataFrame(table.copy(), geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326")
