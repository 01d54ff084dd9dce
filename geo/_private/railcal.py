"""Calibration of the rail run-time model on real timetables, with leave-one-corridor-out cross-validation.

Used by ``scripts/calibrate_rail.py`` and ``geo rail calibrate``. The steps:

1. :func:`timetable_sections`: the stop-to-stop sections of every trip of a
   flat GTFS ``stop_times`` extract (``trip_id, arrival_time,
   departure_time, stop_sequence, stop_name``) whose two stations are in the
   OSM station file: observed running seconds (arrival at B - departure from
   A, whole minutes in the source) and the train class (first letter of the
   trip id).
2. :func:`assign_corridors`: each section gets the corridor (a named list
   of stations, :data:`CORRIDORS`) that holds both its stations and most of
   its trip's stations.
3. :func:`prepare`: each section's route over the OSM graph for its train
   class (lines it may use), as arrays.
4. :func:`fit`: ``scipy.optimize.least_squares`` of the free parameters
   (:data:`geo._private.runtime.FIT_PARAMETERS`) on log(modelled/observed).
5. :func:`cross_validate`: refit leaving one corridor out at a time,
   predict its sections; the table of errors per held-out corridor and the
   band of observed/modelled on held-out sections whose quantile levels give
   its nominal 80 % coverage on held-out corridors (:func:`calibrated_band`,
   checked nested).

Caveat: observed times are whole minutes (±1 min), so a 10-minute section
carries ±10 % of rounding alone.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from geo._private.runtime import (
    CURVE_ACCEL_MS2,
    CURVE_WINDOW_M,
    FIT_PARAMETERS,
    Calibration,
    TrainModel,
    pure_running_time,
    train_class,
)
from geo.errors import DataError
from geo.rail import HUB_MIN_LINES, HUB_RADIUS_M, build_rail_network
from geo.speeds import RAIL_DESIGN_RADIUS_M, RAIL_PUBLISHED_SPEEDS_FILE

#: corridors of the calibration set (stations as in ../shared/data/rail/FACTS.md section 6 headings)
CORRIDORS: dict[str, tuple[str, ...]] = {
    "Xi'an–Baoji HSR": ("西安北", "咸阳西", "杨陵南", "岐山", "宝鸡南"),
    "Zhengzhou–Xi'an HSR (west end)": ("西安北", "渭南北", "华山北"),
    "Xi'an–Chengdu HSR": ("西安东", "西安北", "西安西", "鄠邑", "佛坪", "洋县西", "城固北", "汉中", "宁强南"),
    "Datong–Xi'an HSR (Shaanxi end)": ("大荔", "渭南北", "西安北"),
    "Xi'an–Yan'an HSR": ("西安北", "延安"),
    "Xi'an–Yan'an conventional": ("西安", "蒲城东", "黄陵南", "洛川北", "富县东", "延安"),
}

#: stated (not fitted) assumptions of the calibrated model
FIXED_ASSUMPTIONS: dict[str, Any] = {
    "curve_window_m": CURVE_WINDOW_M,  # heading window of the curve radii along a route (geo.rail.RailNetwork.section_geometry)
    # route curve radii: a vertex's turn spread over the arc of its two half-chords (geo._private.runtime.curve_radii,
    # vertex_arcs), so a 7000 m curve drawn with 2.7 km chords reads ~7000 m, not window / turn ~5100 m (format 5)
    "curve_vertex_arcs": True,
    # lateral acceleration in curves, v = sqrt(a * radius): the design standard's (350 km/h)² / 7000 m (TB 10621), the table
    # that classifies a line as 350 km/h (fitted up to format 4, where it ran to its bound of 3 m/s² once radii read right)
    "curve_accel_ms2": CURVE_ACCEL_MS2,
    # top speed (km/h) of Chinese train classes by the letter of the train number (CR operating rules):
    # G 350 (300 on most lines), C intercity 350, D EMU 250, Z 160, T 140, K 120; others 120
    "class_top_kmh": {"G": 350.0, "C": 350.0, "D": 250.0, "Z": 160.0, "T": 140.0, "K": 120.0, "": 120.0},
    # a line's design speed from its minimum curve radius (geo.speeds.RAIL_DESIGN_RADIUS_M, TB 10621 / TB 10098),
    # radius = 5th percentile of curve radii over the line (geo.rail.line_design_radius, 2000 m window)
    "design_radius_m": {k: [list(r) for r in v] for k, v in RAIL_DESIGN_RADIUS_M.items()},
    "design_radius_quantile": 0.05,
    "design_window_m": CURVE_WINDOW_M,
    "design_min_measured_m": 1000.0,
    # published design speeds (geo/data/rail_line_design_speeds.csv) override the inferred ones
    "published_speeds": True,
    # junction stations, where the fitted hub_arrival_s applies: this many distinctly named main-line ways within this
    # radius of the station point (geo.rail.RailNetwork.is_hub; format 6)
    "hub_radius_m": HUB_RADIUS_M,
    "hub_min_lines": HUB_MIN_LINES,
}

#: stated model parameters printed beside the fitted ones (FIXED_ASSUMPTIONS)
STATED_PARAMETERS: tuple[str, ...] = ("curve_accel_ms2",)

#: calibration file format version
FORMAT_VERSION = 6


def _seconds(hms: Any) -> float:
    try:
        h, m, s = (int(x) for x in str(hms).split(":"))
    except ValueError:
        return math.nan
    return h * 3600.0 + m * 60.0 + s


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def timetable_sections(csv: str | Path, stations: Sequence[str]) -> pd.DataFrame:
    """Stop-to-stop sections of a flat stop_times extract whose both stations are in ``stations``.

    Returns columns ``trip, train_class, from, to, observed_s, dwell_before_s,
    feed_km, trip_stations`` (``trip_stations``: every station of the trip,
    for corridor assignment).
    """
    df = pd.read_csv(csv, dtype=str)
    need = {"trip_id", "arrival_time", "departure_time", "stop_sequence", "stop_name"}
    missing = need - set(df.columns)
    if missing:
        raise DataError(f"{csv}: missing column(s) {', '.join(sorted(missing))}", "give a GTFS stop_times extract with stop names")
    df["seq"] = pd.to_numeric(df["stop_sequence"], errors="coerce")
    df["arr"] = df["arrival_time"].map(_seconds)
    df["dep"] = df["departure_time"].map(_seconds)
    km = pd.to_numeric(df.get("shape_dist_traveled_km"), errors="coerce") if "shape_dist_traveled_km" in df else pd.Series(np.nan, index=df.index)
    df["km"] = km
    have = set(stations)
    rows = []
    for trip, g in df.sort_values(["trip_id", "seq"]).groupby("trip_id", sort=True):
        names = g["stop_name"].tolist()
        arr, dep, kms = g["arr"].to_numpy(), g["dep"].to_numpy(), g["km"].to_numpy()
        for i in range(len(g) - 1):
            a, b = names[i], names[i + 1]
            if a not in have or b not in have or a == b:
                continue
            obs = arr[i + 1] - dep[i]
            if not (math.isfinite(obs) and obs > 0):
                continue
            rows.append(
                {
                    "trip": str(trip),
                    "train_class": train_class(str(trip)),
                    "from": a,
                    "to": b,
                    "observed_s": float(obs),
                    "dwell_before_s": float(dep[i] - arr[i]) if i > 0 else math.nan,
                    "feed_km": float(kms[i + 1] - kms[i]),
                    "trip_stations": tuple(names),
                }
            )
    return pd.DataFrame(rows)


def median_dwell_s(csv: str | Path) -> float:
    """Median dwell (s) at intermediate stops of all trips in the extract."""
    df = pd.read_csv(csv, dtype=str)
    d = df["departure_time"].map(_seconds) - df["arrival_time"].map(_seconds)
    seq = pd.to_numeric(df["stop_sequence"], errors="coerce")
    last = seq == seq.groupby(df["trip_id"]).transform("max")
    inner = d[(seq > seq.groupby(df["trip_id"]).transform("min")) & ~last]
    return float(np.median(inner[inner.notna()]))


def assign_corridors(sections: pd.DataFrame, corridors: Mapping[str, Sequence[str]] = CORRIDORS) -> pd.Series:
    """Corridor of each section: the one holding both stations and most of the trip's stations (first on ties); "" if none."""
    out = []
    for r in sections.itertuples(index=False):
        best, score = "", -1
        for name, sts in corridors.items():
            if r[2] in sts and r[3] in sts:
                sc = len(set(r.trip_stations) & set(sts))
                if sc > score:
                    best, score = name, sc
        out.append(best)
    return pd.Series(out, index=sections.index, dtype=object)


@dataclasses.dataclass
class Prepared:
    """Sections with their routes over the OSM graph (arrays per section)."""

    table: pd.DataFrame
    geoms: list[dict[str, Any]]


def prepare(rail: Any, sections: pd.DataFrame, published: bool = True) -> Prepared:
    """Route every section over ``rail`` for its train class; unroutable sections are dropped (``note``).

    ``published``: route with published design speeds (else with those from curvature alone). The table
    gains ``track_km`` and ``to_hub`` (the section ends at a junction station, :meth:`geo.rail.RailNetwork.is_hub`).
    """
    geoms, keep = [], []
    cache: dict[tuple[str, str, str], dict[str, Any]] = {}
    for i, r in enumerate(sections.itertuples(index=False)):
        key = (r[2], r[3], r.train_class)
        if key not in cache:
            try:
                cache[key] = rail.section_geometry(r[2], r[3], r.train_class or "K", published)
            except Exception:  # not connected for that class
                continue
        geoms.append(cache[key])
        keep.append(i)
    t = sections.iloc[keep].reset_index(drop=True)
    t["track_km"] = [float(np.sum(g["length_m"])) / 1000.0 for g in geoms]
    t["to_hub"] = [rail.is_hub(str(b)) for b in t["to"]]
    return Prepared(t, geoms)


def calibration_from(params: Mapping[str, float], fixed: Mapping[str, Any], band: tuple[float, float] = (1.0, 1.0), version: str = "fit") -> Calibration:
    return Calibration(version, {k: float(params[k]) for k in FIT_PARAMETERS}, dict(fixed), band)


def predict(prep: Prepared, cal: Calibration, idx: Sequence[int] | None = None) -> np.ndarray:
    """Modelled seconds of the sections ``idx`` (default all)."""
    idx = range(len(prep.geoms)) if idx is None else idx
    classes = prep.table["train_class"].astype(str).to_numpy()
    to_hub = prep.table["to_hub"].to_numpy(dtype=bool)
    out = []
    for i in idx:
        g = prep.geoms[i]
        sp = cal.line_speeds(g["rail_class"], g["maxspeed_kmh"], g["class_speed_kmh"], design_kmh=g["design_kmh"], published_kmh=g["published_kmh"])
        tm = TrainModel(max_speed_kmh=cal.top_kmh(classes[i]))
        t, _ = cal.section_seconds(g["length_m"], sp, tm, curves=g["curves"], hub_arrival=bool(to_hub[i]))
        out.append(t)
    return np.asarray(out, dtype=float)


def fit(prep: Prepared, fixed: Mapping[str, Any], idx: Sequence[int] | None = None) -> tuple[dict[str, float], dict[str, Any]]:
    """Least-squares fit of :data:`FIT_PARAMETERS` on log(modelled / observed) of sections ``idx``.

    Deterministic: fixed start (middle of the bounds) and fixed solver settings.
    Returns (parameters, solver info).
    """
    from scipy.optimize import least_squares

    idx = list(range(len(prep.geoms)) if idx is None else idx)
    obs = prep.table["observed_s"].to_numpy(dtype=float)[idx]
    names = list(FIT_PARAMETERS)
    lo = np.array([FIT_PARAMETERS[k][0] for k in names])
    hi = np.array([FIT_PARAMETERS[k][1] for k in names])
    x0 = (lo + hi) / 2
    # each corridor weighs the same in the fit (its sections share one line, one design speed, one bias)
    corr = prep.table["corridor"].astype(str).to_numpy()[idx] if "corridor" in prep.table.columns else np.full(len(idx), "")
    _, inv, counts = np.unique(corr, return_inverse=True, return_counts=True)
    wt = np.sqrt(len(idx) / (len(counts) * counts[inv]))

    def resid(x: np.ndarray) -> np.ndarray:
        cal = calibration_from(dict(zip(names, x, strict=True)), fixed)
        return wt * np.log(predict(prep, cal, idx) / obs)

    res = least_squares(resid, x0, bounds=(lo, hi), x_scale=hi - lo, diff_step=1e-3, method="trf", xtol=1e-8, ftol=1e-10, max_nfev=400)
    params = {k: float(v) for k, v in zip(names, res.x, strict=True)}
    return params, {"cost": float(res.cost), "nfev": int(res.nfev), "status": int(res.status)}


def error_stats(err_pct: np.ndarray) -> dict[str, float]:
    """median |error| %, worst |error| %, signed bias (median error) %."""
    e = np.asarray(err_pct, dtype=float)
    return {
        "median_abs_pct": float(np.median(np.abs(e))),
        "worst_abs_pct": float(np.max(np.abs(e))),
        "bias_pct": float(np.median(e)),
    }


def cross_validate(prep: Prepared, fixed: Mapping[str, Any], progress: bool = False) -> dict[str, Any]:
    """Leave-one-corridor-out: per held-out corridor the error table, held-out residuals, band and coverage.

    Inside each fold, the other corridors are held out in turn too (the model
    refit without both), so the band's coverage on the fold's corridor is
    checked on residuals of models that never saw it (:func:`calibrated_band`).
    """
    corr = prep.table["corridor"].to_numpy()
    obs = prep.table["observed_s"].to_numpy(dtype=float)
    names = [c for c in dict.fromkeys(corr) if c]
    pred = np.full(len(obs), np.nan)
    folds = []
    inner: dict[str, np.ndarray] = {}  # per held-out corridor: the others' ratios, each fitted without it and the corridor
    it: Any = names
    if progress:
        it = tqdm(names, desc="cross-validation folds", unit="fold")
    for c in it:
        train = np.flatnonzero(corr != c)
        test = np.flatnonzero(corr == c)
        params, _ = fit(prep, fixed, train.tolist())
        pred[test] = predict(prep, calibration_from(params, fixed), test.tolist())
        folds.append({"corridor": c, "params": params})
        inner[c] = np.full(len(obs), np.nan)
        for k in names:
            if k != c:
                kt = np.flatnonzero(corr == k)
                p_in, _ = fit(prep, fixed, np.flatnonzero((corr != c) & (corr != k)).tolist())
                inner[c][kt] = obs[kt] / predict(prep, calibration_from(p_in, fixed), kt.tolist())
    err = 100.0 * (pred - obs) / obs
    ratio = obs / pred
    rows = []
    for f in folds:
        m = corr == f["corridor"]
        rows.append({"corridor": f["corridor"], "sections": int(m.sum()), **error_stats(err[m])})
    held = np.isfinite(err)
    band = calibrated_band(ratio, corr, held, inner)
    return {
        "table": rows,
        "overall": {"sections": int(held.sum()), **error_stats(err[held])},
        "band": {k: band[k] for k in ("low_ratio", "high_ratio", "quantiles", "nominal_coverage", "method")},
        "coverage_held_out": band["coverage_held_out"],
        "coverage_by_corridor": band["coverage_by_corridor"],
        "coverage_plain_10_90": band["coverage_plain_10_90"],
        "predicted_s": pred.tolist(),
        "folds": folds,
    }


#: the band's nominal coverage (a 10-90 % band: 8 times in 10 on lines not fitted on)
BAND_NOMINAL = 0.8
#: candidate tail levels of the band (quantiles ``(t, 1 - t)`` of observed/modelled), narrowest first
BAND_TAILS = tuple(round(0.25 - 0.005 * i, 3) for i in range(51))


def _loco_hits(ratio: np.ndarray, corr: np.ndarray, names: Sequence[str], tail: float) -> tuple[int, int, dict[str, float]]:
    """Sections of each corridor in ``names`` inside the band taken from the other corridors of ``names`` at ``tail``."""
    hits, n, by = 0, 0, {}
    for c in names:
        m = corr == c
        others = np.isin(corr, [k for k in names if k != c])
        lo, hi = np.quantile(ratio[others], [tail, 1.0 - tail])
        h = int(np.sum((ratio[m] >= min(lo, 1.0)) & (ratio[m] <= max(hi, 1.0))))
        hits, n, by[c] = hits + h, n + int(m.sum()), h / int(m.sum())
    return hits, n, by


def choose_tail(ratio: np.ndarray, corr: np.ndarray, names: Sequence[str], nominal: float = BAND_NOMINAL) -> float:
    """The widest tail level ``t`` (narrowest band) whose leave-one-corridor-out coverage over ``names`` is >= ``nominal``.

    The band at ``t`` is the ``t`` and ``1 - t`` quantiles of observed/modelled;
    for each corridor in ``names`` it is taken from the others' ratios and
    counted on its sections (pooled over sections). 0 (the others' extremes)
    if no level reaches ``nominal``.
    """
    for t in BAND_TAILS:
        hits, n, _ = _loco_hits(ratio, corr, names, t)
        if n and hits / n >= nominal:
            return t
    return 0.0


def calibrated_band(
    ratio: np.ndarray, corr: np.ndarray, held: np.ndarray, inner: Mapping[str, np.ndarray] | None = None, nominal: float = BAND_NOMINAL
) -> dict[str, Any]:
    """The band of observed/modelled whose coverage on corridors not fitted on is ``nominal``, and its nested check.

    ``ratio``: observed/modelled of every section, each predicted by the model
    fitted without its corridor (``corr``); ``held``: sections with a
    prediction. The band's quantiles ``(t, 1 - t)`` are chosen by
    leave-one-corridor-out over the corridors (:func:`choose_tail`), not
    fixed at 10-90 %: the residuals of one corridor are correlated (one line,
    one design speed), so a band from pooled sections is too narrow for a
    corridor not in it. The coverage reported is nested: for each corridor,
    both the level and the band are chosen from the other corridors only and
    counted on its sections, so the figure is not fitted on itself.
    ``inner[k]``: observed/modelled of the other corridors' sections, each
    predicted by the model fitted without it *and* without ``k`` (NaN on
    ``k``): the level and band for ``k`` come from them, so no model behind
    ``k``'s coverage figure saw ``k``. Without ``inner`` the other corridors'
    ``ratio`` stand in (their models did see ``k``).
    """
    r, c = ratio[held], corr[held]
    names = [k for k in dict.fromkeys(c) if k]
    hits, n, by = 0, 0, {}
    for k in names:
        rest = [j for j in names if j != k]
        ri = r if inner is None else np.asarray(inner[k], dtype=float)[held]
        t = choose_tail(ri, c, rest, nominal)
        lo, hi = np.quantile(ri[np.isin(c, rest)], [t, 1.0 - t])
        m = c == k
        h = int(np.sum((r[m] >= min(lo, 1.0)) & (r[m] <= max(hi, 1.0))))
        hits, n, by[k] = hits + h, n + int(m.sum()), h / int(m.sum())
    plain_hits, plain_n, _ = _loco_hits(r, c, names, 0.1)
    t = choose_tail(r, c, names, nominal)
    lo, hi = (float(x) for x in np.quantile(r, [t, 1.0 - t]))
    return {
        "low_ratio": lo,
        "high_ratio": hi,
        "quantiles": [t, round(1.0 - t, 6)],
        "nominal_coverage": nominal,
        "method": "quantiles (t, 1-t) of observed/modelled on held-out corridors, t the widest level whose "
        "leave-one-corridor-out coverage is >= nominal; coverage nested (for each corridor, level and band from the "
        + ("other corridors' residuals of models refit without it)" if inner is not None else "other corridors)"),
        "coverage_held_out": hits / n,
        "coverage_by_corridor": by,
        "coverage_plain_10_90": plain_hits / plain_n,
    }


def baseline(prep: Prepared) -> dict[str, float]:
    """Errors of the uncalibrated physics model (issue 9's starting point): class-table track speeds
    (high-speed 300 km/h), the default 350 km/h train, 5 % supplement, no throats, curves or stop losses."""
    obs = prep.table["observed_s"].to_numpy(dtype=float)
    tm = TrainModel()
    pred = np.array([pure_running_time(g["length_m"], g["class_speed_kmh"], tm)[0] * (1 + tm.supplement) for g in prep.geoms])
    return {"sections": len(obs), **error_stats(100.0 * (pred - obs) / obs)}


def held_out_check(prep: Prepared, cal: Calibration, fitted_pairs: set[frozenset[str]] | None = None) -> dict[str, Any]:
    """Errors and band coverage of the final model on sections it was not fitted on.

    ``fitted_pairs``: station pairs of the calibration set; the stats of
    sections between *other* pairs are reported as ``new_pairs``.
    """
    obs = prep.table["observed_s"].to_numpy(dtype=float)
    pred = predict(prep, cal)
    err = 100.0 * (pred - obs) / obs
    new = np.array([frozenset((r[2], r[3])) not in (fitted_pairs or set()) for r in prep.table.itertuples(index=False)], dtype=bool)
    lo = np.array([cal.band_minutes(p)[0] for p in pred])
    hi = np.array([cal.band_minutes(p)[1] for p in pred])
    rows = [
        {
            "trip": r.trip,
            "from": r[2],
            "to": r[3],
            "observed_min": r.observed_s / 60.0,
            "modelled_min": p / 60.0,
            "error_pct": e,
            "inside_band": bool(a <= o <= b),
        }
        for r, p, e, a, b, o in zip(prep.table.itertuples(index=False), pred, err, lo, hi, obs, strict=True)
    ]
    inside = np.array([r["inside_band"] for r in rows], dtype=bool)
    out: dict[str, Any] = {"sections": len(rows), **error_stats(err), "coverage": float(np.mean(inside)) if rows else math.nan}
    if new.any():
        out["new_pairs"] = {
            "sections": int(new.sum()),
            "pairs": sorted({f"{r['from']}–{r['to']}" for r, n in zip(rows, new, strict=True) if n}),
            **error_stats(err[new]),
            "coverage": float(np.mean(inside[new])),
        }
    return {**out, "rows": rows}


def held_out_pairs(rail: Any, csv: str | Path, cal: Calibration) -> dict[str, Any]:
    """Every station pair (i < j) of every trip of an extract, as a user would ask it.

    The model runs the trip's own stops, dwells and class between the two
    stations (only stretches whose every stop is on the graph). Returns
    error stats and band coverage.
    """
    df = pd.read_csv(csv, dtype=str)
    df["seq"] = pd.to_numeric(df["stop_sequence"], errors="coerce")
    df["arr"] = df["arrival_time"].map(_seconds)
    df["dep"] = df["departure_time"].map(_seconds)
    have = set(rail.stations["name"].astype(str))
    err, inside, pairs = [], [], set()
    for trip, g in df.sort_values(["trip_id", "seq"]).groupby("trip_id", sort=True):
        names = g["stop_name"].tolist()
        arr, dep = g["arr"].to_numpy(), g["dep"].to_numpy()
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                stops = names[i : j + 1]
                if any(s not in have for s in stops):
                    break
                obs = (arr[j] - dep[i]) / 60.0
                dwell = [float(dep[k] - arr[k]) for k in range(i + 1, j)]
                try:
                    rt = rail.run_time(stops, train=str(trip), dwell_s=dwell or None, calibration=cal)
                except Exception:  # not connected for the class
                    continue
                err.append(100.0 * (rt.minutes - obs) / obs)
                inside.append(bool(rt.minutes_low <= obs <= rt.minutes_high))
                pairs.add(frozenset((stops[0], stops[-1])))
    if not err:
        return {"trip_pairs": 0}
    return {"trip_pairs": len(err), "station_pairs": len(pairs), **error_stats(np.array(err)), "coverage": float(np.mean(inside))}


def calibrate(
    calibration_csv: str | Path,
    rail_lines: str | Path,
    rail_stations: str | Path,
    held_out_csv: str | Path | None = None,
    *,
    progress: bool = False,
    today: str | None = None,
) -> dict[str, Any]:
    """Fit on every calibration section, cross-validate by corridor, check on a held-out extract.

    Returns the calibration file's content (a JSON-ready dict).
    """
    rail = build_rail_network(rail_lines, rail_stations)
    names = rail.stations["name"].astype(str).tolist()
    sec = timetable_sections(calibration_csv, names)
    sec["corridor"] = assign_corridors(sec)
    sec = sec[sec["corridor"] != ""].reset_index(drop=True)
    prep = prepare(rail, sec)
    fixed = {**FIXED_ASSUMPTIONS, "dwell_s": median_dwell_s(calibration_csv)}
    params, info = fit(prep, fixed)
    cv = cross_validate(prep, fixed, progress=progress)
    # the same cross-validation with design speeds from geometry alone (no published speeds)
    cv_geom = cross_validate(prepare(rail, sec, published=False), {**fixed, "published_speeds": False}, progress=progress)
    cal = calibration_from(params, fixed, (cv["band"]["low_ratio"], cv["band"]["high_ratio"]))
    pred = predict(prep, cal)
    err = 100.0 * (pred - prep.table["observed_s"].to_numpy()) / prep.table["observed_s"].to_numpy()
    inputs = {
        "calibration_csv": {"file": Path(calibration_csv).name, "sha256": sha256(calibration_csv)},
        "rail_lines": {"file": Path(rail_lines).name, "sha256": sha256(rail_lines)},
        "rail_stations": {"file": Path(rail_stations).name, "sha256": sha256(rail_stations)},
        "published_speeds": {"file": RAIL_PUBLISHED_SPEEDS_FILE.name, "sha256": sha256(RAIL_PUBLISHED_SPEEDS_FILE)},
    }
    held = None
    if held_out_csv is not None:
        inputs["held_out_csv"] = {"file": Path(held_out_csv).name, "sha256": sha256(held_out_csv)}
        hs = timetable_sections(held_out_csv, names)
        hs["corridor"] = "held-out extract"
        hprep = prepare(rail, hs)
        held = held_out_check(hprep, cal, {frozenset((r[2], r[3])) for r in prep.table.itertuples(index=False)})
        held["uncalibrated"] = baseline(hprep)
        held["pairs"] = held_out_pairs(rail, held_out_csv, cal)
    digest = hashlib.sha256(repr(sorted((k, round(v, 6)) for k, v in params.items())).encode()).hexdigest()[:8]
    date = today or _dt.date.today().isoformat()
    return {
        "format": FORMAT_VERSION,
        "version": f"{date}-{digest}",
        "fit_date": date,
        "model": "stop_loss_s + (1 + supplement) * minimum running time over OSM track (class top speed, "
        "line speed = design_fraction x design speed (published, else from the line's curvature) where no maxspeed, "
        "curve speed sqrt(a R)) + hub_arrival_s on a section ending at a junction station (3+ named lines within 1.5 km)",
        "inputs": inputs,
        "parameters": params,
        "bounds": {k: list(v) for k, v in FIT_PARAMETERS.items()},
        "fixed": fixed,
        "solver": {"method": "scipy.optimize.least_squares trf, residual log(modelled/observed)", **info},
        "fit_residuals_pct": {
            "sections": len(err),
            **error_stats(err),
            "quantiles": {str(q): float(np.quantile(err, q)) for q in (0.1, 0.25, 0.5, 0.75, 0.9)},
        },
        "uncalibrated_fit_sections": baseline(prep),
        "band": cv["band"],
        "cross_validation": {
            "scheme": "leave one corridor out; errors of the held-out corridor with the model fitted on the others",
            "targets": {"median_abs_pct": 10.0, "worst_abs_pct": 25.0},
            "table": cv["table"],
            "overall": cv["overall"],
            "band_coverage_held_out": cv["coverage_held_out"],
            "band_coverage_by_corridor": cv["coverage_by_corridor"],
            "band_coverage_plain_10_90": cv["coverage_plain_10_90"],
            "fold_parameters": cv["folds"],
        },
        "cross_validation_geometry_only": {
            "scheme": "as cross_validation, every line's design speed inferred from its curvature (published speeds ignored)",
            "table": cv_geom["table"],
            "overall": cv_geom["overall"],
            "band": cv_geom["band"],
            "band_coverage_held_out": cv_geom["coverage_held_out"],
            "fold_parameters": cv_geom["folds"],
        },
        "held_out_extract": None if held is None else {k: v for k, v in held.items() if k != "rows"} | {"rows": held["rows"]},
        "sections": [
            {
                "trip": r.trip,
                "class": r.train_class,
                "from": r[2],
                "to": r[3],
                "corridor": r.corridor,
                "observed_min": r.observed_s / 60.0,
                "track_km": r.track_km,
                "fitted_min": p / 60.0,
                "cv_min": c / 60.0,
            }
            for r, p, c in zip(prep.table.itertuples(index=False), pred, cv["predicted_s"], strict=True)
        ],
    }


def _cv_rows(cv: Mapping[str, Any]) -> list[str]:
    lines = [
        "| held-out corridor | sections | median abs error % | worst % | signed bias % |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in cv["table"]:
        lines.append(f"| {r['corridor']} | {r['sections']} | {r['median_abs_pct']:.1f} | {r['worst_abs_pct']:.1f} | {r['bias_pct']:+.1f} |")
    o = cv["overall"]
    lines.append(f"| all held-out sections | {o['sections']} | {o['median_abs_pct']:.1f} | {o['worst_abs_pct']:.1f} | {o['bias_pct']:+.1f} |")
    return lines


def _band_line(b: Mapping[str, Any], cv: Mapping[str, Any]) -> str:
    cov = 100 * cv["band_coverage_held_out"]
    q = b["quantiles"]
    by = ", ".join(f"{k} {100 * v:.0f} %" for k, v in cv["band_coverage_by_corridor"].items())
    return (
        f"Band (nominal {100 * b['nominal_coverage']:.0f} %): x{b['low_ratio']:.3f} to x{b['high_ratio']:.3f}, the {100 * q[0]:.1f}th-{100 * q[1]:.1f}th pct "
        f"of observed/modelled on held-out corridors, levels chosen by leave-one-corridor-out coverage; achieved coverage on "
        f"held-out folds {cov:.0f} % (nested: each fold's levels and band from the other corridors only, their residuals from models "
        f"refit without the fold; by corridor: {by}); "
        f"the plain 10th-90th pct band held {100 * cv['band_coverage_plain_10_90']:.0f} %."
    )


def format_table(d: Mapping[str, Any]) -> str:
    """The cross-validation table(s) of a calibration dict as Markdown (what the script and CLI print)."""
    cv = d["cross_validation"]
    t = cv["targets"]
    g = d.get("cross_validation_geometry_only")
    lines = []
    if g:
        lines.append("Design speeds from published figures where known (geo/data/rail_line_design_speeds.csv), else from curvature:")
        lines.append("")
    lines += _cv_rows(cv)
    if g:
        lines.append("")
        lines.append(
            f"Design speeds from curvature alone (published speeds ignored): band coverage on held-out folds "
            f"{100 * g['band_coverage_held_out']:.0f} %."
        )
        lines.append("")
        lines += _cv_rows(g)
    b = d["band"]
    lines.append("")
    lines.append(
        f"Targets per held-out corridor: median abs error <= {t['median_abs_pct']:g} %, worst <= {t['worst_abs_pct']:g} %. "
        + _band_line(b, cv)
    )
    h = d.get("held_out_extract")
    if h:
        lines.append(
            f"Held-out extract ({h['sections']} sections of trips not fitted on): median abs error {h['median_abs_pct']:.1f} %, "
            f"worst {h['worst_abs_pct']:.1f} %, bias {h['bias_pct']:+.1f} %, band coverage {100 * h['coverage']:.0f} %."
        )
        n = h.get("new_pairs")
        if n:
            lines.append(
                f"Of them, {n['sections']} sections between station pairs absent from the calibration set ({', '.join(n['pairs'])}): "
                f"median abs error {n['median_abs_pct']:.1f} %, worst {n['worst_abs_pct']:.1f} %, bias {n['bias_pct']:+.1f} %, "
                f"band coverage {100 * n['coverage']:.0f} %."
            )
        q = h.get("pairs")
        if q and q.get("trip_pairs"):
            lines.append(
                f"Held-out extract as a user asks it ({q['trip_pairs']} trip station pairs, {q['station_pairs']} distinct, the trip's own stops, "
                f"dwells and class): median abs error {q['median_abs_pct']:.1f} %, worst {q['worst_abs_pct']:.1f} %, "
                f"bias {q['bias_pct']:+.1f} %, band coverage {100 * q['coverage']:.0f} %."
            )
    u = d.get("uncalibrated_fit_sections")
    if u:
        lines.append(
            f"Uncalibrated physics model (before issue 9) on the same {u['sections']} sections: median abs error "
            f"{u['median_abs_pct']:.1f} %, worst {u['worst_abs_pct']:.1f} %, bias {u['bias_pct']:+.1f} %"
            + (
                f"; on the held-out extract {h['uncalibrated']['median_abs_pct']:.1f} %, worst {h['uncalibrated']['worst_abs_pct']:.1f} %, "
                f"bias {h['uncalibrated']['bias_pct']:+.1f} %."
                if h and "uncalibrated" in h
                else "."
            )
        )
    p = d["parameters"]
    stated = {k: d["fixed"][k] for k in STATED_PARAMETERS if k in d.get("fixed", {})}
    lines.append(
        "Parameters (" + d["version"] + "): " + ", ".join(f"{k} {v:.3g}" for k, v in p.items())
        + "".join(f"; {k} {v:.3g} (stated)" for k, v in stated.items()) + "."
    )
    return "\n".join(lines)
