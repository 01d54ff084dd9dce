"""Rail journeys for claims: station to station from a timetable or planned-line spec, door to door.

Used by :mod:`geo.claims`. Each function returns plain dicts
(``minutes``, ``legs``, ``km``, ``fallback``, ``note``) or raises
:class:`CannotEvaluateError` naming the missing data and the fix.

Station-to-station times come from, in order:

1. a timetable (GTFS folder/zip via :mod:`geo.gtfs` when available, or a
   ``stop_times`` extract CSV with ``stop_name`` and coordinates): the fastest
   in-vehicle time over all trips calling at both stations in order;
2. planned-line specs (:mod:`geo.lines`): run time between the two stations.

Door to door (``rail+drive``, ``rail+walk``) is delegated to
:mod:`geo.multimodal`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo._private.geodesy import haversine_m

#: default largest distance (m) from a place to "its" station for mode ``rail``
DEFAULT_MAX_STATION_M = 3000.0


class CannotEvaluateError(Exception):
    """Missing data for a rail claim (reason, fix and an optional estimate dict)."""

    def __init__(self, reason: str, fix: str, estimate: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix
        self.estimate = estimate


def _hms(s: Any) -> float:
    """``"25:10:00"`` -> seconds (times past 24:00 allowed); NaN if malformed."""
    try:
        h, m, sec = str(s).strip().split(":")
        return int(h) * 3600 + int(m) * 60 + int(sec)
    except (ValueError, AttributeError):
        return math.nan


@lru_cache(maxsize=8)
def load_stop_times(path: str) -> pd.DataFrame:
    """Timetable rows: ``trip_id, stop_name, seq, arr_s, dep_s, km, lon, lat``.

    Accepts a GTFS folder or zip (``stops.txt`` + ``stop_times.txt``) or an
    extract CSV that already carries ``stop_name`` (and optional coordinates
    and ``shape_dist_traveled_km``).
    """
    from geo.errors import InputError

    p = Path(path)
    if p.is_dir() or p.suffix.lower() == ".zip":
        try:
            import importlib

            _gtfs: Any = importlib.import_module("geo.gtfs")  # rail helper's loader
            feed = _gtfs.load_gtfs(p)
            st = feed.stop_times.merge(feed.stops[["stop_id", "stop_name", "stop_lon", "stop_lat"]], on="stop_id")
        except (ImportError, AttributeError):
            st = _read_gtfs_tables(p)
        df = pd.DataFrame(
            {
                "trip_id": st["trip_id"].astype(str),
                "stop_name": st["stop_name"].astype(str),
                "seq": pd.to_numeric(st["stop_sequence"]),
                "arr_s": st["arrival_time"].map(_hms) if st["arrival_time"].dtype == object else st["arrival_time"],
                "dep_s": st["departure_time"].map(_hms) if st["departure_time"].dtype == object else st["departure_time"],
                "km": pd.to_numeric(st.get("shape_dist_traveled", pd.Series(np.nan, index=st.index)), errors="coerce"),
                "lon": st["stop_lon"].astype(float),
                "lat": st["stop_lat"].astype(float),
            }
        )
    else:
        raw = pd.read_csv(p, dtype=str)
        need = {"trip_id", "arrival_time", "departure_time", "stop_sequence", "stop_name"}
        miss = need - set(raw.columns)
        if miss:
            raise InputError(f"{p}: timetable lacks column(s) {', '.join(sorted(miss))}", "give a GTFS folder/zip or a stop_times CSV with stop_name")
        df = pd.DataFrame(
            {
                "trip_id": raw["trip_id"],
                "stop_name": raw["stop_name"],
                "seq": pd.to_numeric(raw["stop_sequence"]),
                "arr_s": raw["arrival_time"].map(_hms),
                "dep_s": raw["departure_time"].map(_hms),
                "km": pd.to_numeric(raw.get("shape_dist_traveled_km", pd.Series(np.nan, index=raw.index)), errors="coerce"),
                "lon": pd.to_numeric(raw.get("stop_lon_wgs84", raw.get("stop_lon", pd.Series(np.nan, index=raw.index))), errors="coerce"),
                "lat": pd.to_numeric(raw.get("stop_lat_wgs84", raw.get("stop_lat", pd.Series(np.nan, index=raw.index))), errors="coerce"),
            }
        )
    return df.sort_values(["trip_id", "seq"]).reset_index(drop=True)


def _read_gtfs_tables(p: Path) -> pd.DataFrame:
    import zipfile

    def read(name: str) -> pd.DataFrame:
        if p.is_dir():
            return pd.read_csv(p / name, dtype=str)
        with zipfile.ZipFile(p) as z, z.open(name) as f:
            return pd.read_csv(f, dtype=str)

    return read("stop_times.txt").merge(read("stops.txt")[["stop_id", "stop_name", "stop_lon", "stop_lat"]], on="stop_id")


def fastest_timetable_ride(st: pd.DataFrame, a: str, b: str) -> dict[str, Any] | None:
    """Fastest in-vehicle ride from station ``a`` to ``b`` in a timetable.

    Returns ``{trip_id, dep_s, arr_s, minutes, km, stops_between}`` or None.

    Examples
    --------
    >>> st = pd.DataFrame({"trip_id": ["t1"] * 3 + ["t2"] * 2, "stop_name": ["A", "B", "C", "A", "C"],
    ...     "seq": [1, 2, 3, 1, 2], "arr_s": [0, 600, 1500, 3600, 4800], "dep_s": [0, 660, 1500, 3600, 4800],
    ...     "km": [0, 10, 25, 0, 25], "lon": 0.0, "lat": 0.0})
    >>> fastest_timetable_ride(st, "A", "C")["minutes"], fastest_timetable_ride(st, "A", "C")["trip_id"]
    (20.0, 't2')
    >>> fastest_timetable_ride(st, "C", "A") is None
    True
    """
    sa = st[st["stop_name"] == a][["trip_id", "seq", "dep_s", "km"]]
    sb = st[st["stop_name"] == b][["trip_id", "seq", "arr_s", "km"]]
    m = sa.merge(sb, on="trip_id", suffixes=("_a", "_b"))
    m = m[m["seq_b"] > m["seq_a"]]
    if m.empty:
        return None
    m = m.assign(minutes=(m["arr_s"] - m["dep_s"]) / 60.0).dropna(subset=["minutes"])
    if m.empty:
        return None
    best = m.sort_values(["minutes", "dep_s"]).iloc[0]
    trip = st[st["trip_id"] == best["trip_id"]]
    between = int(((trip["seq"] > best["seq_a"]) & (trip["seq"] < best["seq_b"])).sum())
    km = float(best["km_b"] - best["km_a"]) if pd.notna(best["km_a"]) and pd.notna(best["km_b"]) else math.nan
    return {
        "trip_id": str(best["trip_id"]),
        "dep_s": float(best["dep_s"]),
        "arr_s": float(best["arr_s"]),
        "minutes": float(best["minutes"]),
        "km": km,
        "stops_between": between,
        "trips_found": int(m["trip_id"].nunique()),
    }


def _hhmm(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}"


def _stations_of(st: pd.DataFrame) -> pd.DataFrame:
    return st.groupby("stop_name", as_index=False)[["lon", "lat"]].first()


def _station_for(place: Any, st: pd.DataFrame, mode: str, max_m: float) -> tuple[str, float]:
    """The timetable station standing for a place, and its distance (m)."""
    names = set(st["stop_name"])
    if place.name in names:
        return place.name, 0.0
    if mode == "station-to-station":
        raise CannotEvaluateError(
            f"station {place.name!r} has no trips in the timetable",
            "check the station name against the timetable, add a planned-line spec (inputs.rail.lines) "
            "for lines not yet in the feed, or use mode rail+drive for door-to-door",
        )
    stations = _stations_of(st).dropna()
    if stations.empty:
        raise CannotEvaluateError("the timetable has no station coordinates", "use a GTFS feed with stops.txt coordinates")
    d = haversine_m(place.lon, place.lat, stations["lon"].to_numpy(), stations["lat"].to_numpy())
    i = int(np.argmin(d))
    if d[i] > max_m:
        raise CannotEvaluateError(
            f"{place.name} is {d[i] / 1000:.1f} km from the nearest timetable station ({stations['stop_name'].iloc[i]})",
            "use mode rail+drive or rail+walk for door-to-door journeys",
        )
    return str(stations["stop_name"].iloc[i]), float(d[i])


def _planned_ride(lines: Sequence[Any], a: str, b: str) -> dict[str, Any] | None:
    """Run time between two stations of a planned-line spec (geo.lines)."""
    if not lines:
        return None
    import importlib

    _lines: Any = importlib.import_module("geo.lines")  # rail helper

    for spec in lines:
        line = _lines.load_line(spec)  # type: ignore[attr-defined]
        t = _lines.station_to_station(line, a, b)  # type: ignore[attr-defined]
        if t is not None:
            return {**t, "line": getattr(line, "name", str(spec))}
    return None


def rail_trips(mode: str, inputs: Any, a: Any, bs: Sequence[Any], options: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rail journeys from place ``a`` to each place in ``bs`` for a claim ``mode``."""
    if mode in ("rail+drive", "rail+walk"):
        return _door_to_door(mode, inputs, a, bs, options)
    rail = inputs.rail or {}
    gtfs = rail.get("gtfs")
    listed = list(rail.get("lines") or [])
    lines = [x for x in listed if Path(str(x)).exists()]
    missing_lines = [str(x) for x in listed if not Path(str(x)).exists()]
    if (gtfs is None or not Path(str(gtfs)).exists()) and not lines:
        what = f"the timetable {gtfs} does not exist" if gtfs else "no rail timetable (GTFS) or planned-line spec is given"
        raise CannotEvaluateError(
            f"{what} for {a.name} → {', '.join(b.name for b in bs)}",
            "pass --gtfs FEED (a GTFS folder/zip or stop_times extract) or list inputs.rail.gtfs / inputs.rail.lines "
            "in the claim file (set GEO_SHARED_DATA for shared: paths)",
        )
    st = load_stop_times(str(gtfs)) if gtfs is not None and Path(str(gtfs)).exists() else None
    max_m = float(options.get("max_station_m", DEFAULT_MAX_STATION_M))
    out = []
    for b in bs:
        ride = None
        sa, sb = a.name, b.name
        da = db = 0.0
        src = ""
        if st is not None:
            try:
                sa, da = _station_for(a, st, mode, max_m)
                sb, db = _station_for(b, st, mode, max_m)
                ride = fastest_timetable_ride(st, sa, sb)
                src = f"timetable {Path(str(gtfs)).name}"
            except CannotEvaluateError:
                if not lines and not missing_lines:
                    raise
        if ride is None and lines:
            ride = _planned_ride(lines, a.name, b.name)
            src = f"planned line {ride.get('line')}" if ride else ""
        if ride is None and missing_lines:
            raise CannotEvaluateError(
                f"no train in the timetable runs from {sa} to {sb}, and the planned-line spec(s) {', '.join(missing_lines)} do not exist",
                "write the planned-line spec (see docs/rail.md, geo.lines) or fix its path in inputs.rail.lines / --line",
            )
        if ride is None:
            raise CannotEvaluateError(
                f"no train in the timetable{' or planned lines' if lines else ''} runs from {sa} to {sb}",
                "the extract may not hold every train: pass a fuller GTFS feed, or add a planned-line spec for the line",
            )
        legs = []
        if da > 0:
            legs.append({"mode": "access", "from": a.name, "to": sa, "minutes": 0.0, "km": da / 1000, "note": "station stands for the place (not counted)"})
        leg = {"mode": "rail", "from": sa, "to": sb, "minutes": ride["minutes"], "km": ride.get("km", math.nan), "source": src}
        if "trip_id" in ride:
            leg.update(
                trip=ride["trip_id"],
                departs=_hhmm(ride["dep_s"]),
                arrives=_hhmm(ride["arr_s"]),
                stops_between=ride["stops_between"],
            )
        legs.append(leg)
        if db > 0:
            legs.append({"mode": "egress", "from": sb, "to": b.name, "minutes": 0.0, "km": db / 1000, "note": "station stands for the place (not counted)"})
        out.append({"minutes": ride["minutes"], "legs": legs, "km": ride.get("km", math.nan), "fallback": False, "note": src})
    return out


def _door_to_door(mode: str, inputs: Any, a: Any, bs: Sequence[Any], options: Mapping[str, Any]) -> list[dict[str, Any]]:
    import importlib

    try:
        mm: Any = importlib.import_module("geo.multimodal")
    except ImportError:
        raise CannotEvaluateError(
            "door-to-door rail journeys need geo.multimodal, which is not installed in this version",
            "evaluate the station-to-station claim instead",
        ) from None
    return mm.claim_trips(mode, inputs, a, bs, options)  # type: ignore[attr-defined]
