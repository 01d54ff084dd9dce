"""GTFS timetables: loading, fastest rides, schedule- and frequency-based travel times.

:func:`load_gtfs` reads

* a GTFS feed as a folder or ``.zip`` with ``stops.txt``, ``stop_times.txt``
  and (optionally) ``trips.txt``;
* a flat ``stop_times`` extract CSV that carries the stop names and
  coordinates on each row (``trip_id, arrival_time, departure_time, stop_id,
  stop_sequence, stop_name, stop_lon[_wgs84], stop_lat[_wgs84]``, optional
  ``shape_dist_traveled[_km]``), like ``rail/gtfs_20261004_stop_times_extract.csv``.

Times are seconds after midnight of the service day; GTFS allows hours past
24 (``25:10:00`` is 01:10 the next morning) and so does this loader. Bad
input raises :class:`~geo.errors.InputError` naming the file, the row (line
number in the file, header = line 1) and the fix.

Two ways to turn a timetable into travel times:

* **schedule-based**: :meth:`Feed.travel_times` -- for every departure
  minute in a window, wait for the next train, ride, and arrive; summarised
  with percentiles by :func:`percentiles`;
* **frequency-based**: :meth:`Feed.headway_minutes` -- the mean headway in a
  window, whose half is the expected wait of a passenger arriving at random.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"trip_id": ["t1", "t1", "t2", "t2"],
...     "arrival_time": ["08:00:00", "08:30:00", "24:50:00", "25:15:00"],
...     "departure_time": ["08:00:00", "08:30:00", "24:50:00", "25:15:00"],
...     "stop_id": ["A", "B", "A", "B"], "stop_sequence": [1, 2, 1, 2],
...     "stop_name": ["Aa", "Bb", "Aa", "Bb"], "stop_lon": [0.0, 0.1, 0.0, 0.1], "stop_lat": 0.0})
>>> feed = load_gtfs(rows)
>>> feed.fastest("Aa", "Bb")["minutes"], feed.fastest("Aa", "Bb")["trip_id"]
(25.0, 't2')
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError

_TIME = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")

STOP_TIMES_REQUIRED = ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")
STOPS_REQUIRED = ("stop_id", "stop_name", "stop_lat", "stop_lon")


def parse_time(value: Any) -> float:
    """``"HH:MM:SS"`` (hours may exceed 24) -> seconds; NaN for empty; ValueError if malformed.

    Examples
    --------
    >>> parse_time("25:10:00"), parse_time("7:05:30")
    (90600.0, 25530.0)
    >>> parse_time("")
    nan
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return math.nan
    s = str(value)
    if not s.strip():
        return math.nan
    m = _TIME.match(s)
    if not m:
        raise ValueError(s)
    return float(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)))


def format_time(seconds: float) -> str:
    """Seconds -> ``"HH:MM"`` (past 24:00 kept, e.g. ``"25:10"``); ``""`` for NaN.

    Examples
    --------
    >>> format_time(90600)
    '25:10'
    """
    if seconds is None or not math.isfinite(seconds):
        return ""
    s = round(seconds)
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}"


def _parse_times(col: pd.Series, file: str, column: str) -> np.ndarray:
    out = np.empty(len(col))
    for i, v in enumerate(col.tolist()):
        try:
            out[i] = parse_time(v)
        except ValueError:
            raise InputError(
                f"{file} line {i + 2}: {column} {v!r} is not a time",
                "write times as HH:MM:SS (hours may exceed 24 for trips after midnight, e.g. 25:10:00)",
            ) from None
    return out


def _require(df: pd.DataFrame, cols: Sequence[str], file: str) -> None:
    if df.empty:
        raise InputError(f"{file} has no rows", "give a non-empty GTFS file (check the export)")
    miss = [c for c in cols if c not in df.columns]
    if miss:
        raise InputError(
            f"{file} lacks the column(s) {', '.join(miss)} (has {', '.join(map(str, df.columns))})",
            f"add the GTFS column(s) {', '.join(miss)} (see gtfs.org/schedule/reference)",
        )


@dataclasses.dataclass(frozen=True, eq=False)
class Feed:
    """A loaded timetable.

    Attributes
    ----------
    stops : DataFrame
        ``stop_id, stop_name, stop_lon, stop_lat`` (WGS84).
    trips : DataFrame
        ``trip_id`` (plus ``route_id``, ``service_id`` when given).
    stop_times : DataFrame
        ``trip_id, stop_id, stop_sequence, arrival_time, departure_time``
        (seconds after midnight, may exceed 86400), ``shape_dist_traveled``
        (km for the extract form), ``stop_name``; sorted by trip and sequence.
    source : str
    """

    stops: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    source: str = ""

    def __repr__(self) -> str:
        return f"<Feed stops={len(self.stops)} trips={len(self.trips)} stop_times={len(self.stop_times)} source={self.source}>"

    # ------------------------------------------------------------ lookups
    def stop_ids(self, name_or_id: str) -> list[str]:
        """Stop ids for a stop name or id.

        Raises
        ------
        InputError
            Unknown stop, with close matches.
        """
        key = str(name_or_id)
        ids = self.stops.loc[self.stops["stop_name"] == key, "stop_id"].tolist()
        if not ids and key in set(self.stops["stop_id"]):
            ids = [key]
        if not ids:
            close = difflib.get_close_matches(key, self.stops["stop_name"].astype(str).unique().tolist(), n=3, cutoff=0.4)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise InputError(f"stop {key!r} is not in the timetable {self.source}{hint}", "use a stop name or stop_id of the feed")
        return [str(i) for i in ids]

    def rides(self, a: str, b: str) -> list[dict[str, Any]]:
        """Every trip calling at ``a`` and later at ``b``, fastest first.

        Each ride: ``trip_id, dep_s, arr_s, minutes, km, stops`` (names from a
        to b), ``dwell_s`` (per stop in ``stops``: departure - arrival; 0 at
        the ends).
        """
        ia, ib = set(self.stop_ids(a)), set(self.stop_ids(b))
        st = self.stop_times
        out = []
        for trip_id, g in st[st["trip_id"].isin(st.loc[st["stop_id"].isin(ia), "trip_id"])].groupby("trip_id", sort=False):
            sid = g["stop_id"].tolist()
            try:
                i = next(k for k, s in enumerate(sid) if s in ia)
                j = next(k for k in range(i + 1, len(sid)) if sid[k] in ib)
            except StopIteration:
                continue
            seg = g.iloc[i : j + 1]
            dep = float(seg["departure_time"].iloc[0])
            arr = float(seg["arrival_time"].iloc[-1])
            if not (math.isfinite(dep) and math.isfinite(arr)):
                continue
            dwell = np.array((seg["departure_time"] - seg["arrival_time"]).fillna(0.0), dtype=float)
            dwell[0] = dwell[-1] = 0.0
            km = float(seg["shape_dist_traveled"].iloc[-1] - seg["shape_dist_traveled"].iloc[0])
            out.append(
                {
                    "trip_id": str(trip_id),
                    "dep_s": dep,
                    "arr_s": arr,
                    "minutes": (arr - dep) / 60.0,
                    "km": km,
                    "stops": seg["stop_name"].astype(str).tolist(),
                    "dwell_s": dwell.tolist(),
                }
            )
        return sorted(out, key=lambda r: (r["minutes"], r["dep_s"]))

    def fastest(self, a: str, b: str) -> dict[str, Any] | None:
        """The fastest ride from ``a`` to ``b`` (see :meth:`rides`), or None."""
        r = self.rides(a, b)
        return r[0] if r else None

    def departures(self, a: str, b: str) -> pd.DataFrame:
        """Rides ``a`` -> ``b`` sorted by departure: ``trip_id, dep_s, arr_s, minutes``.

        Trips past midnight are repeated one day earlier (``-86400 s``) so a
        window in the morning sees them too.
        """
        r = self.rides(a, b)
        df = pd.DataFrame(r, columns=["trip_id", "dep_s", "arr_s", "minutes"]) if r else pd.DataFrame(columns=["trip_id", "dep_s", "arr_s", "minutes"])
        late = df[df["dep_s"] >= 86400].copy()
        late["dep_s"] -= 86400
        late["arr_s"] -= 86400
        return pd.concat([df, late], ignore_index=True).sort_values("dep_s").reset_index(drop=True)

    def travel_times(self, a: str, b: str, window: tuple[Any, Any] = ("00:00:00", "24:00:00"), step_minutes: float = 1.0) -> pd.DataFrame:
        """Schedule-based: for each start time in ``window``, minutes until arrival at ``b``.

        A passenger at ``a`` at time ``t`` takes the ride that arrives first
        among those departing at or after ``t``. Columns: ``start`` (HH:MM),
        ``start_s``, ``wait_minutes``, ``in_vehicle_minutes``, ``minutes``
        (NaN when no train leaves after ``t``), ``trip_id``.
        """
        t0, t1 = (parse_time(w) if isinstance(w, str) else float(w) for w in window)
        if not (t1 >= t0) or not step_minutes > 0:
            raise InputError(f"window {window!r} must run forward and step_minutes be > 0", "pass e.g. window=('07:00:00', '09:00:00')")
        dep = self.departures(a, b)
        starts = np.arange(t0, t1 + 1e-9, step_minutes * 60.0)
        rows: list[tuple[Any, ...]] = []
        d, arr = dep["dep_s"].to_numpy(dtype=float), dep["arr_s"].to_numpy(dtype=float)
        for t in starts:
            ok = d >= t
            if not ok.any():
                rows.append((format_time(t), t, math.nan, math.nan, math.nan, None))
                continue
            k = int(np.flatnonzero(ok)[np.argmin(arr[ok])])
            rows.append((format_time(t), t, (d[k] - t) / 60.0, (arr[k] - d[k]) / 60.0, (arr[k] - t) / 60.0, str(dep["trip_id"].iloc[k])))
        return pd.DataFrame(rows, columns=["start", "start_s", "wait_minutes", "in_vehicle_minutes", "minutes", "trip_id"])

    def headway_minutes(self, a: str, b: str, window: tuple[Any, Any] | None = None) -> float:
        """Frequency-based: mean minutes between departures ``a`` -> ``b`` (NaN if fewer than two).

        Within ``window`` the headway is ``window length / departures``; without
        a window, the span from the first to the last departure divided by the
        number of intervals.
        """
        dep = self.departures(a, b)
        d = dep[dep["dep_s"] < 86400]["dep_s"].to_numpy(dtype=float)
        if window is not None:
            t0, t1 = (parse_time(w) if isinstance(w, str) else float(w) for w in window)
            n = int(((d >= t0) & (d < t1)).sum())
            return (t1 - t0) / 60.0 / n if n else math.nan
        if len(d) < 2:
            return math.nan
        return float((d.max() - d.min()) / 60.0 / (len(d) - 1))

    def to_lines(self) -> list[Any]:
        """One :class:`geo.lines.Line` per stop pattern (trips with the same stops), for multimodal routing.

        Section run and dwell times are the medians over the pattern's trips;
        the headway is the pattern's mean headway over its service span
        (NaN for a single trip, i.e. schedule-only).
        """
        from geo.lines import Line, LineStation

        st = self.stop_times
        stops = self.stops.set_index("stop_id")
        lines = []
        pats: dict[tuple[str, ...], list[pd.DataFrame]] = {}
        for _, g in st.groupby("trip_id", sort=False):
            pats.setdefault(tuple(g["stop_id"].tolist()), []).append(g)
        for pat, gs in pats.items():
            arr = np.array([g["arrival_time"].to_numpy(dtype=float) for g in gs])
            dep = np.array([g["departure_time"].to_numpy(dtype=float) for g in gs])
            run = np.nanmedian(arr[:, 1:] - dep[:, :-1], axis=0)
            dwell = np.nanmedian(dep - arr, axis=0)
            dwell[0] = dwell[-1] = 0.0
            km = gs[0]["shape_dist_traveled"].to_numpy(dtype=float)
            km = km - km[0] if np.isfinite(km[0]) else km
            sts = [
                LineStation(str(stops.loc[s, "stop_name"]), float(stops.loc[s, "stop_lon"]), float(stops.loc[s, "stop_lat"]), float(km[i]), float(dwell[i]), "timetable")
                for i, s in enumerate(pat)
            ]
            first = np.sort(dep[:, 0])
            headway = float((first[-1] - first[0]) / 60.0 / (len(first) - 1)) if len(first) > 1 else math.nan
            trips = "/".join(sorted(str(g["trip_id"].iloc[0]) for g in gs))
            lines.append(
                Line(
                    name=f"{trips} {sts[0].name}–{sts[-1].name}",
                    stations=sts,
                    run_s=[float(x) for x in run],
                    headway_min=headway if math.isfinite(headway) else None,
                    source=self.source,
                    departures_s=[float(x) for x in first],
                )
            )
        return lines


def percentiles(times: pd.DataFrame | Sequence[float], q: Sequence[float] = (5, 25, 50, 75, 95)) -> dict[str, float]:
    """Percentiles of travel minutes (NaN rows ignored), e.g. of :meth:`Feed.travel_times`.

    Examples
    --------
    >>> percentiles([10, 20, 30, 40, 50], q=(50, 100))
    {'p50_minutes': 30.0, 'p100_minutes': 50.0}
    """
    x = times["minutes"].to_numpy(dtype=float) if isinstance(times, pd.DataFrame) else np.asarray(times, dtype=float)
    x = x[np.isfinite(x)]
    return {f"p{q_:g}_minutes": (float(np.percentile(x, q_)) if x.size else math.nan) for q_ in q}


# ------------------------------------------------------------------ loading
def _read_table(src: Path, name: str, required: bool = True) -> pd.DataFrame | None:
    try:
        if src.is_dir():
            p = src / name
            if not p.exists():
                if required:
                    raise InputError(f"GTFS folder {src} has no {name}", f"add {name} to the feed (a GTFS feed needs stops.txt and stop_times.txt)")
                return None
            text = p.read_bytes()
        else:
            with zipfile.ZipFile(src) as z:
                members = {Path(m).name: m for m in z.namelist()}
                if name not in members:
                    if required:
                        raise InputError(f"GTFS zip {src} has no {name}", f"add {name} to the feed (a GTFS feed needs stops.txt and stop_times.txt)")
                    return None
                text = z.read(members[name])
    except zipfile.BadZipFile:
        raise InputError(f"{src} is not a readable zip file", "give a GTFS .zip, a GTFS folder or a stop_times extract CSV") from None
    if not text.strip():
        raise InputError(f"{src}/{name} is empty", f"give a {name} with a header line and rows")
    return pd.read_csv(io.BytesIO(text), dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def load_gtfs(path: Any) -> Feed:
    """Load a GTFS folder or zip, a flat stop_times extract CSV, or a DataFrame of such rows.

    Raises
    ------
    InputError
        Missing file or columns, empty files, malformed times, stop ids of
        ``stop_times.txt`` absent from ``stops.txt``, decreasing sequences.
    """
    if isinstance(path, pd.DataFrame):
        return _from_flat(path.astype({c: str for c in path.columns if c not in ("stop_lon", "stop_lat")}), "in-memory")
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"timetable {str(p)!r} does not exist", "give a GTFS folder, a GTFS .zip or a stop_times extract CSV (--gtfs PATH)")
    if p.is_dir() or p.suffix.lower() == ".zip":
        stops = _read_table(p, "stops.txt")
        st = _read_table(p, "stop_times.txt")
        trips = _read_table(p, "trips.txt", required=False)
        assert stops is not None and st is not None
        return _from_tables(stops, st, trips, str(p))
    if p.stat().st_size == 0:
        raise InputError(f"{p} is empty", "give a stop_times CSV with a header line and rows")
    df = pd.read_csv(p, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    return _from_flat(df, str(p))


def _from_flat(df: pd.DataFrame, file: str) -> Feed:
    cols = set(df.columns)
    lon = next((c for c in ("stop_lon_wgs84", "stop_lon", "lon") if c in cols), None)
    lat = next((c for c in ("stop_lat_wgs84", "stop_lat", "lat") if c in cols), None)
    if "stop_name" not in cols or lon is None or lat is None:
        _require(df, [*STOP_TIMES_REQUIRED, "stop_name", "stop_lon", "stop_lat"], file)
    assert lon is not None and lat is not None
    _require(df, STOP_TIMES_REQUIRED, file)
    stops = df[["stop_id", "stop_name", lon, lat]].drop_duplicates("stop_id").rename(columns={lon: "stop_lon", lat: "stop_lat"})
    return _from_tables(stops, df, None, file, stops_file=file)


def _from_tables(stops: pd.DataFrame, st: pd.DataFrame, trips: pd.DataFrame | None, src: str, stops_file: str | None = None) -> Feed:
    flat = stops_file is not None
    sf = stops_file or f"{src}/stops.txt"
    tf = src if flat else f"{src}/stop_times.txt"
    _require(stops, STOPS_REQUIRED, sf)
    _require(st, STOP_TIMES_REQUIRED, tf)
    stops = stops.copy()
    stops["stop_id"] = stops["stop_id"].astype(str).str.strip()
    stops["stop_name"] = stops["stop_name"].astype(str).str.strip()
    for c in ("stop_lon", "stop_lat"):
        vals = pd.to_numeric(stops[c], errors="coerce")
        bad = vals.isna() & stops[c].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{sf} line {i + 2}: {c} {stops[c].iloc[i]!r} is not a number", "write WGS84 decimal degrees")
        stops[c] = vals
    st = st.reset_index(drop=True)
    for c in ("trip_id", "stop_id"):
        miss = st[c].isna()
        if miss.any():
            i = int(np.flatnonzero(miss.to_numpy())[0])
            raise InputError(f"{tf} line {i + 2}: {c} is empty", f"give every stop_times row a {c}")
    arr = _parse_times(st["arrival_time"], tf, "arrival_time")
    dep = _parse_times(st["departure_time"], tf, "departure_time")
    arr = np.where(np.isnan(arr), dep, arr)
    dep = np.where(np.isnan(dep), arr, dep)
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce")
    if seq.isna().any():
        i = int(np.flatnonzero(seq.isna().to_numpy())[0])
        raise InputError(f"{tf} line {i + 2}: stop_sequence {st['stop_sequence'].iloc[i]!r} is not an integer", "number the stops of each trip 1, 2, 3, ...")
    if np.isnan(arr).any():  # GTFS requires times at the first and last stop of a trip
        order = pd.DataFrame({"trip": st["trip_id"].astype(str), "seq": seq, "row": np.arange(len(st))}).sort_values(["trip", "seq"])
        ends = pd.concat([order.groupby("trip").head(1), order.groupby("trip").tail(1)])["row"].to_numpy()
        untimed = ends[np.isnan(arr[ends])]
        if untimed.size:
            i = int(untimed.min())
            raise InputError(
                f"{tf} line {i + 2}: trip {st['trip_id'].iloc[i]!r} has no arrival or departure time at its first or last stop",
                "give times at least at the first and last stop of each trip (GTFS requires them there)",
            )
    sid = st["stop_id"].astype(str).str.strip()
    known = set(stops["stop_id"])
    unknown = ~sid.isin(known)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(
            f"{tf} line {i + 2}: stop_id {sid.iloc[i]!r} is not in {sf}",
            "add the stop to stops.txt or correct the stop_id",
        )
    dist_col = next((c for c in ("shape_dist_traveled_km", "shape_dist_traveled") if c in st.columns), None)
    dist = pd.to_numeric(st[dist_col], errors="coerce") if dist_col else pd.Series(np.nan, index=st.index)
    out = pd.DataFrame(
        {
            "trip_id": st["trip_id"].astype(str).str.strip(),
            "stop_id": sid,
            "stop_sequence": seq.astype(np.int64),
            "arrival_time": arr,
            "departure_time": dep,
            "shape_dist_traveled": dist.to_numpy(dtype=float),
            "_line": np.arange(len(st)) + 2,
        }
    )
    out = out.merge(stops[["stop_id", "stop_name"]], on="stop_id", how="left")
    out = out.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
    # times must not run backwards within a trip
    same = out["trip_id"].to_numpy()[1:] == out["trip_id"].to_numpy()[:-1]
    back = same & (out["arrival_time"].to_numpy()[1:] < out["departure_time"].to_numpy()[:-1])
    back |= (out["departure_time"] < out["arrival_time"]).to_numpy()[1:] & same
    if back.any():
        k = int(np.flatnonzero(back)[0]) + 1
        raise InputError(
            f"{tf} line {int(out['_line'].iloc[k])}: trip {out['trip_id'].iloc[k]} runs backwards in time at stop_sequence {int(out['stop_sequence'].iloc[k])}",
            "check the times (use hours past 24, e.g. 25:10:00, for trips after midnight)",
        )
    if trips is None:
        trips = pd.DataFrame({"trip_id": out["trip_id"].unique()})
    else:
        _require(trips, ("trip_id",), f"{src}/trips.txt")
    return Feed(stops.reset_index(drop=True), trips.reset_index(drop=True), out.drop(columns="_line"), src)
