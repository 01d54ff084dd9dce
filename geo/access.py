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

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import batch
from geo.batch import engine_kwargs
from geo.crs import local_metric_crs
from geo.errors import InputError, plain
from geo.routing import DEFAULT_MAX_SNAP_M, od_matrix, snap


def _metric(*frames: gpd.GeoDataFrame) -> list[gpd.GeoDataFrame]:
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


def _key(od: pd.DataFrame, ids: str, positions: str) -> str:
    return ids if ids in od.columns else positions


def _od(od: pd.DataFrame) -> pd.DataFrame:
    """``origin, destination, minutes`` of the reachable pairs, keyed by ids when the table has them.

    :func:`geo.routing.od_matrix` adds ``from_id`` / ``to_id`` (the ids of
    origins / destinations given as frames): they are used instead of the
    positions, so opportunities indexed like the destinations frame line up
    and results are indexed like the origins frame.
    """
    o, d = _key(od, "from_id", "origin"), _key(od, "to_id", "destination")
    if not {o, d, "minutes"} <= set(od.columns):
        raise InputError(
            f"the OD table needs columns origin, destination, minutes; it has {', '.join(map(str, od.columns))}",
            "pass the output of geo.routing.od_matrix",
        )
    minutes = pd.to_numeric(od["minutes"], errors="coerce").to_numpy(float)
    out = pd.DataFrame({"origin": od[o].to_numpy(), "destination": od[d].to_numpy(), "minutes": minutes})
    return out[np.isfinite(minutes)]


def _origins_index(od: pd.DataFrame, origins: pd.Index | None) -> pd.Index:
    """The output index: ``origins`` or every origin of the (unfiltered) table, in order of appearance."""
    return origins if origins is not None else pd.Index(pd.unique(od[_key(od, "from_id", "origin")]))


def cumulative_opportunities(
    od: pd.DataFrame, opportunities: pd.Series, minutes: float, *, origins: pd.Index | None = None
) -> pd.Series:
    """Opportunities reachable within ``minutes`` from each origin.

    ``opportunities`` is indexed by destination id: ``to_id`` when ``od``
    has it (:func:`geo.routing.od_matrix` of a destinations frame, so e.g.
    ``hospitals["beds"]`` lines up), else the destination position. The
    result is indexed by origin id likewise (``from_id`` or position), so
    ``origins.join(result)`` adds it to an origins frame. Origins that reach
    nothing get 0; pass ``origins`` to fix the output index.

    Examples
    --------
    >>> od = pd.DataFrame({"origin": [0, 0, 1], "destination": [0, 1, 1], "minutes": [5.0, 20.0, 8.0],
    ...                    "from_id": ["home", "home", "work"], "to_id": [10, 11, 11]})
    >>> cumulative_opportunities(od, pd.Series({10: 3.0, 11: 4.0}), 10).to_dict()
    {'home': 3.0, 'work': 4.0}
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

    Ids as in :func:`cumulative_opportunities` (``from_id`` / ``to_id`` when
    ``od`` has them, else positions).

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
    ``destination`` (or ``from_id`` / ``to_id``, used when present: then
    ``supply`` and ``demand`` are indexed like the frames given to
    :func:`geo.routing.od_matrix`). Step 1: each facility's ratio
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


# --------------------------------------------------------------------------- every origin (batch)
#: measures of :func:`accessibility`
MEASURES = ("cumulative", "gravity", "2sfca")
#: decay functions
DECAYS = ("exp", "power")


def _check_measure(measure: str, minutes: float | None, decay_kind: str | None, beta: float) -> None:
    if measure not in MEASURES:
        raise InputError(f"unknown measure {measure!r}", f"use one of {', '.join(MEASURES)}")
    if measure in ("cumulative", "2sfca") and minutes is None:
        raise InputError(f"the {measure} measure needs a time limit", "pass minutes=30 (--minutes 30)")
    if minutes is not None and not (np.isfinite(minutes) and minutes > 0):
        raise InputError(f"minutes must be a positive number, got {minutes!r}", "pass e.g. --minutes 30")
    if decay_kind is not None and decay_kind not in DECAYS:
        raise InputError(f"unknown decay {decay_kind!r}", f"use one of {', '.join(DECAYS)}")
    if not (np.isfinite(beta) and beta >= 0):
        raise InputError(f"beta must be a non-negative number, got {beta!r}", "pass e.g. --beta 0.1")


def _partition_od(net: Any, origins: pd.DataFrame, opp: pd.DataFrame, minutes: float | None, max_snap_m: float | None, engine: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Sparse OD (positions) from a partition of origins to the opportunities, and which origins snapped."""
    snap_m = DEFAULT_MAX_SNAP_M if max_snap_m is None else max_snap_m
    o = origins[["lon", "lat"]].to_numpy(float)
    snapped = snap(net, o, max_snap_m=snap_m, errors="nan").edge >= 0
    od = od_matrix(net, o, opp[["lon", "lat"]].to_numpy(float), max_minutes=minutes, max_snap_m=snap_m, sparse=True, **engine_kwargs(engine))
    return od, snapped


def access_partition(
    net: Any,
    origins: pd.DataFrame,
    shared: Any,
    *,
    measure: str,
    minutes: float | None = None,
    decay_kind: str | None = None,
    beta: float = 0.1,
    max_snap_m: float | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """One partition of :func:`accessibility` (pure function of network, origins and parameters).

    ``cumulative`` / ``gravity``: one row per origin (``id``, the measure,
    ``reached``, point geometry). ``2sfca``: the partition's sparse travel
    times (``origin`` = row of the origin in the whole job, ``destination`` =
    row of the opportunity, ``minutes``), reduced afterwards by
    :func:`_two_step_from_parts`.
    """
    opp = shared["opportunities"]
    od, snapped = _partition_od(net, origins, opp, minutes, max_snap_m, engine)
    if measure == "2sfca":
        rows = origins["_row"].to_numpy(np.int64)
        return pd.DataFrame(
            {
                "origin": rows[od["origin"].to_numpy(np.int64)],
                "destination": od["destination"].to_numpy(np.int64),
                "minutes": od["minutes"].to_numpy(float),
            }
        )
    weights = pd.Series(opp["weight"].to_numpy(float))
    index = pd.RangeIndex(len(origins))
    if measure == "cumulative":
        assert minutes is not None
        value = cumulative_opportunities(od, weights, minutes, origins=index)
        name = "opportunities"
    else:
        value = gravity_access(od, weights, kind=decay_kind or "exp", beta=beta, max_minutes=minutes, origins=index)
        name = "access"
    reached = od.groupby("origin").size().reindex(index, fill_value=0).to_numpy(np.int64)
    vals = np.where(snapped, value.to_numpy(float), np.nan)
    return gpd.GeoDataFrame(
        {"id": origins["id"].to_numpy(), name: vals, "reached": np.where(snapped, reached, 0)},
        geometry=gpd.points_from_xy(origins["lon"], origins["lat"]),
        crs="EPSG:4326",
    )


def _two_step_from_parts(
    files: list[Any], demand: np.ndarray, supply: np.ndarray, decay_kind: str | None, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """2SFCA / enhanced 2SFCA streamed over the partitions' travel-time files (one in memory at a time)."""
    load = np.zeros(len(supply))
    for f in files:
        od = pd.read_parquet(f)
        d = od["destination"].to_numpy(np.int64)
        w = np.ones(len(od)) if decay_kind is None else decay(od["minutes"].to_numpy(float), decay_kind, beta)
        np.add.at(load, d, demand[od["origin"].to_numpy(np.int64)] * w)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(load > 0, supply / load, np.nan)
    r0 = np.nan_to_num(ratio, nan=0.0)
    acc = np.zeros(len(demand))
    for f in files:
        od = pd.read_parquet(f)
        d = od["destination"].to_numpy(np.int64)
        w = np.ones(len(od)) if decay_kind is None else decay(od["minutes"].to_numpy(float), decay_kind, beta)
        np.add.at(acc, od["origin"].to_numpy(np.int64), r0[d] * w)
    return acc, ratio


def accessibility(
    network: Any,
    origins: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    measure: str,
    out_dir: Any,
    minutes: float | None = None,
    weight: str | None = None,
    demand: str | None = None,
    decay_kind: str | None = None,
    beta: float = 0.1,
    max_snap_m: float | None = None,
    engine: str | None = None,
    memory_budget: int | None = None,
    partition_size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    network_transfer: str = "auto",
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """Accessibility of every origin (network nodes, grid cells, a user's points), in bounded memory.

    Parameters
    ----------
    network
        A :class:`geo.batch.NetworkSource` or a loaded network.
    origins, opportunities
        Tables ``id, lon, lat`` (+ columns), see :func:`geo.batch.read_points`,
        or GeoDataFrames (any CRS; ids: the ``id`` column, else the index).
    measure
        ``cumulative``: sum of ``weight`` within ``minutes``; ``gravity``:
        ``sum_j O_j f(t_ij)`` (``decay_kind`` ``exp`` -- the default -- or
        ``power``; ``minutes`` an optional cut-off); ``2sfca``: two-step
        floating catchment within ``minutes`` (Luo & Wang 2003; with a
        ``decay_kind``, the enhanced / kernel-weighted variant, the same weight
        in both steps), supply ``weight`` of the opportunities per unit of
        ``demand`` of the origins.
    out_dir
        Folder of the partitioned results (resumable; see :mod:`geo.batch`).
        For 2SFCA it holds the partitions' travel times within ``minutes``.
    weight, demand
        Columns of ``opportunities`` (supply) and ``origins`` (2SFCA demand);
        1 per point when omitted.
    memory_budget
        Bytes of travel times one partition may hold (default 1 GB): origins
        are processed in blocks so that no dense matrix exceeds it.
    workers, scheduler, client, network_transfer, quiet
        Where it runs, see :func:`geo.batch.run_batch`.

    Returns
    -------
    GeoDataFrame
        One row per origin, in input order and with the index of ``origins``
        (so ``origins.join(result[["access"]])`` adds the measure): ``id``, the measure
        (``opportunities`` for cumulative, else ``access``), ``reached``
        (opportunities within the limit; 2SFCA: facilities in the catchment)
        and point geometry. Origins farther than the snap limit from the
        network get NaN; origins that reach nothing get 0.

    Caveats
    -------
    Travel times are origin -> opportunity (one-way streets make them
    asymmetric); 2SFCA uses the same direction in both steps.
    """
    _check_measure(measure, minutes, decay_kind, beta)
    index = origins.index
    origins = batch.as_points_table(origins, "origins")
    opportunities = batch.as_points_table(opportunities, "opportunities")
    opp = opportunities[["id", "lon", "lat"]].copy()
    opp["weight"] = _column(opportunities, weight, "--weight", "opportunities")
    org = origins[["id", "lon", "lat"]].copy()
    org["_row"] = np.arange(len(org))
    dem = _column(origins, demand, "--demand", "origins")
    if measure == "2sfca":
        org["demand"] = dem
    batch.engine_kwargs(engine)
    size = partition_size or batch.partition_size_for(len(org), len(opp), memory_budget or batch.DEFAULT_MEMORY_BUDGET)
    params = {"measure": measure, "minutes": minutes, "decay_kind": decay_kind, "beta": beta, "max_snap_m": max_snap_m, "engine": engine}
    res = batch.run_batch(
        f"access-{measure}",
        access_partition,
        org,
        network=network,
        out_dir=out_dir,
        params=params,
        shared={"opportunities": opp},
        inputs={"opportunities": batch.points_fingerprint(opp)},
        partition_size=size,
        workers=workers,
        scheduler=scheduler,
        client=client,
        network_transfer=network_transfer,
        quiet=quiet,
    )
    if measure != "2sfca":
        out = res.read()
        return gpd.GeoDataFrame(out.set_axis(index), geometry="geometry", crs="EPSG:4326")
    acc, _ = _two_step_from_parts(res.files, dem, opp["weight"].to_numpy(float), decay_kind, beta)
    reached = np.zeros(len(org), dtype=np.int64)
    for f in res.files:
        np.add.at(reached, pd.read_parquet(f, columns=["origin"])["origin"].to_numpy(np.int64), 1)
    net = network.load() if isinstance(network, batch.NetworkSource) else network

    ok = snap(net, org[["lon", "lat"]].to_numpy(float), max_snap_m=DEFAULT_MAX_SNAP_M if max_snap_m is None else max_snap_m, errors="nan").edge >= 0
    return gpd.GeoDataFrame(
        {"id": org["id"].to_numpy(), "access": np.where(ok, acc, np.nan), "reached": reached},
        geometry=gpd.points_from_xy(org["lon"], org["lat"]),
        crs="EPSG:4326",
        index=index,
    )


def _column(df: pd.DataFrame, column: str | None, option: str, what: str) -> np.ndarray:
    if column is None:
        return np.ones(len(df))
    if column not in df.columns:
        raise InputError(f"{what} have no column {column!r} ({option})", f"use one of {', '.join(map(str, df.columns))}")
    v = pd.to_numeric(df[column], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{what} column {column!r} has a missing, negative or non-numeric value at id {plain(df['id'].iloc[i])!r} ({plain(df[column].iloc[i])!r})",
            f"fill {column} with numbers >= 0",
        )
    return v
