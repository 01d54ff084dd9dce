"""Opportunities and accessibility measures (pure functions, index-aligned results).

Band sums (schools, hospitals, firms inside each isochrone band):

* :func:`points_in_bands` -- sum of point weights inside each band;
* :func:`areal_weighted_in_bands` -- polygon totals (county census counts)
  apportioned by the share of each polygon's area inside the band.

Measures over an origin-destination table (long format, as returned by
:func:`geo.routing.od_matrix`: columns ``origin``, ``destination``,
``minutes``; unreachable = NaN or absent):

* :func:`cumulative_opportunities` -- opportunities within ``T`` minutes;
* :func:`gravity_access` -- ``sum_j O_j f(t_ij)`` with exponential or power decay;
* :func:`two_step_fca` -- two-step floating catchment area (Luo & Wang 2003),
  supply per demand reachable within a catchment, optionally distance-decayed.

Examples
--------
>>> import pandas as pd
>>> od = pd.DataFrame({"origin": [0, 0, 1], "destination": [0, 1, 1], "minutes": [5.0, 20.0, 8.0]})
>>> cumulative_opportunities(od, pd.Series([10.0, 3.0]), 10).tolist()
[10.0, 3.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd


def _metric(*frames: gpd.GeoDataFrame) -> list[gpd.GeoDataFrame]:
    from geo.crs import local_metric_crs

    b = frames[0].to_crs("EPSG:4326").total_bounds
    crs = local_metric_crs([b[0], b[2]], [b[1], b[3]])
    return [f.to_crs(crs) for f in frames]


def points_in_bands(bands: gpd.GeoDataFrame, points: gpd.GeoDataFrame, weight: str | None = None) -> pd.Series:
    """Sum of ``points[weight]`` (or the count) inside each band (boundary counts as inside).

    Returns a Series aligned with ``bands.index``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> bands = gpd.GeoDataFrame({"minutes": [5, 10]}, geometry=[shapely.box(0, 0, 1, 1), shapely.box(0, 0, 2, 2)], crs=4326)
    >>> pts = gpd.GeoDataFrame({"beds": [10, 20, 40]}, geometry=gpd.points_from_xy([0.5, 1.5, 3], [0.5, 1.5, 3]), crs=4326)
    >>> points_in_bands(bands, pts, "beds").tolist()
    [10.0, 30.0]
    """
    import shapely

    if weight is not None and weight not in points.columns:
        raise InputError(f"points have no column {weight!r}", f"use one of {', '.join(map(str, points.columns))}")
    pts = points.to_crs(bands.crs) if points.crs != bands.crs and bands.crs is not None else points
    w = np.ones(len(pts)) if weight is None else pd.to_numeric(pts[weight], errors="coerce").fillna(0).to_numpy(float)
    geoms = pts.geometry.values
    out = []
    for g in bands.geometry.values:
        if g is None or g.is_empty:
            out.append(0.0)
            continue
        shapely.prepare(g)
        out.append(float(w[shapely.covers(g, geoms)].sum()))
    return pd.Series(out, index=bands.index, name=weight or "count")


def areal_weighted_in_bands(bands: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, column: str) -> pd.Series:
    """Apportion polygon totals (e.g. county population) to bands by area share.

    Each polygon contributes ``total * area(polygon ∩ band) / area(polygon)``
    (assumes the total is spread evenly over the polygon). Areas are computed
    in a local metric CRS.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> bands = gpd.GeoDataFrame({"minutes": [30]}, geometry=[shapely.box(112.0, 37.0, 112.05, 37.1)], crs=4326)
    >>> counties = gpd.GeoDataFrame({"pop": [1000.0]}, geometry=[shapely.box(112.0, 37.0, 112.1, 37.1)], crs=4326)
    >>> round(float(areal_weighted_in_bands(bands, counties, "pop").iloc[0]))
    500
    """
    import shapely

    if column not in polygons.columns:
        raise InputError(f"polygons have no column {column!r}", f"use one of {', '.join(map(str, polygons.columns))}")
    b, p = _metric(bands, polygons)
    total = pd.to_numeric(p[column], errors="coerce").fillna(0).to_numpy(float)
    area = shapely.area(p.geometry.values)
    ok = area > 0
    out = []
    for g in b.geometry.values:
        if g is None or g.is_empty:
            out.append(0.0)
            continue
        inter = shapely.area(shapely.intersection(p.geometry.values[ok], g))
        out.append(float((total[ok] * inter / area[ok]).sum()))
    return pd.Series(out, index=bands.index, name=column)


def _od(od: pd.DataFrame) -> pd.DataFrame:
    need = {"origin", "destination", "minutes"}
    if not need <= set(od.columns):
        raise InputError(
            f"the OD table needs columns origin, destination, minutes; it has {', '.join(map(str, od.columns))}",
            "pass the output of geo.routing.od_matrix",
        )
    return od[np.isfinite(pd.to_numeric(od["minutes"], errors="coerce"))]


def _origins_index(od: pd.DataFrame, origins: pd.Index | None) -> pd.Index:
    """The output index: ``origins`` or every origin of the (unfiltered) table."""
    return origins if origins is not None else pd.Index(np.unique(od["origin"]))


def cumulative_opportunities(
    od: pd.DataFrame, opportunities: pd.Series, minutes: float, *, origins: pd.Index | None = None
) -> pd.Series:
    """Opportunities reachable within ``minutes`` from each origin.

    ``opportunities`` is indexed by destination id. Origins that reach nothing
    get 0; pass ``origins`` to fix the output index.
    """
    d = _od(od)
    d = d[d["minutes"] <= minutes]
    w = d["destination"].map(opportunities).fillna(0.0).to_numpy(float)
    s = pd.Series(w, index=d["origin"].to_numpy()).groupby(level=0).sum()
    return s.reindex(_origins_index(od, origins), fill_value=0.0).astype(float).rename("opportunities")


def decay(minutes: np.ndarray, kind: str = "exp", beta: float = 0.1) -> np.ndarray:
    """Distance-decay weights: ``exp(-beta t)`` or ``t^-beta`` (``t`` >= 1 min for power).

    Examples
    --------
    >>> decay(np.array([0.0, 10.0]), "exp", 0.1).round(3).tolist()
    [1.0, 0.368]
    >>> decay(np.array([0.5, 10.0]), "power", 1.0).tolist()
    [1.0, 0.1]
    """
    t = np.asarray(minutes, dtype=float)
    if kind == "exp":
        return np.exp(-beta * t)
    if kind == "power":
        return np.maximum(t, 1.0) ** (-beta)
    raise InputError(f"unknown decay {kind!r}", "use 'exp' or 'power'")


def gravity_access(
    od: pd.DataFrame,
    opportunities: pd.Series,
    *,
    kind: str = "exp",
    beta: float = 0.1,
    max_minutes: float | None = None,
    origins: pd.Index | None = None,
) -> pd.Series:
    """Gravity accessibility ``A_i = sum_j O_j f(t_ij)`` per origin.

    Examples
    --------
    >>> od = pd.DataFrame({"origin": [0, 0], "destination": ["a", "b"], "minutes": [0.0, 10.0]})
    >>> round(float(gravity_access(od, pd.Series({"a": 1.0, "b": 1.0}), beta=0.1).iloc[0]), 3)
    1.368
    """
    d = _od(od)
    if max_minutes is not None:
        d = d[d["minutes"] <= max_minutes]
    w = d["destination"].map(opportunities).fillna(0.0).to_numpy(float) * decay(d["minutes"].to_numpy(), kind, beta)
    s = pd.Series(w, index=d["origin"].to_numpy()).groupby(level=0).sum()
    return s.reindex(_origins_index(od, origins), fill_value=0.0).astype(float).rename("access")


def two_step_fca(
    od: pd.DataFrame,
    supply: pd.Series,
    demand: pd.Series,
    minutes: float,
    *,
    kind: str | None = None,
    beta: float = 0.1,
) -> tuple[pd.Series, pd.Series]:
    """Two-step floating catchment area.

    ``od`` has demand locations as ``origin`` and facilities as
    ``destination``. Step 1: each facility's ratio
    ``R_j = S_j / sum_{i: t_ij <= T} D_i w(t_ij)``; step 2: each demand
    location's access ``A_i = sum_{j: t_ij <= T} R_j w(t_ij)``; ``w = 1``
    (classic 2SFCA) or a decay (``kind="exp"|"power"``, enhanced 2SFCA).

    Returns ``(access per demand location, ratio per facility)``; access is
    supply per person (e.g. doctors per capita), 0 where no facility is in
    reach, NaN ratio where a facility has no demand in reach.

    Examples
    --------
    >>> od = pd.DataFrame({"origin": [0, 1, 1], "destination": ["h", "h", "k"], "minutes": [10.0, 20.0, 5.0]})
    >>> acc, ratio = two_step_fca(od, pd.Series({"h": 10.0, "k": 5.0}), pd.Series({0: 100.0, 1: 100.0}), 30)
    >>> ratio.round(3).to_dict(), acc.round(3).to_dict()
    ({'h': 0.05, 'k': 0.05}, {0: 0.05, 1: 0.1})
    """
    d = _od(od)
    d = d[d["minutes"] <= minutes]
    w = np.ones(len(d)) if kind is None else decay(d["minutes"].to_numpy(), kind, beta)
    dem = d["origin"].map(demand).fillna(0.0).to_numpy(float) * w
    load = pd.Series(dem, index=d["destination"].to_numpy()).groupby(level=0).sum()
    sup = supply.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (sup / load.reindex(sup.index)).where(load.reindex(sup.index) > 0)
    r = d["destination"].map(ratio).fillna(0.0).to_numpy(float) * w
    acc = pd.Series(r, index=d["origin"].to_numpy()).groupby(level=0).sum()
    acc = acc.reindex(demand.index, fill_value=0.0).astype(float).rename("access")
    return acc, ratio.rename("ratio")


def band_table(bands: gpd.GeoDataFrame, **columns: Any) -> gpd.GeoDataFrame:
    """``bands`` with extra columns (Series aligned to its index), e.g. from the functions above."""
    out = bands.copy()
    for k, v in columns.items():
        out[k] = v
    return out
