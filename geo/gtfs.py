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
import pickle
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo._private.cache import cache_path, cached_value, input_key
from geo.errors import InputError
from geo.lines import Line, LineStation

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
    seconds = float(seconds)
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


def _as_date(date: Any) -> np.datetime64:
    """``YYYY-MM-DD``, ``YYYYMMDD``, a date or datetime64 -> numpy day; InputError if malformed."""
    if isinstance(date, np.datetime64):
        return date.astype("datetime64[D]")
    if hasattr(date, "year") and hasattr(date, "month"):
        return np.datetime64(f"{date.year:04d}-{date.month:02d}-{date.day:02d}", "D")
    s = str(date).strip()
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", s)
    try:
        if not m:
            raise ValueError(s)
        return np.datetime64(f"{m.group(1)}-{m.group(2)}-{m.group(3)}", "D")
    except ValueError:
        raise InputError(f"date {date!r} is not a date", "write it as YYYY-MM-DD, e.g. --date 2026-10-05") from None

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
    routes: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=["route_id", "route_short_name", "route_long_name", "route_type"]))
    calendar: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    calendar_dates: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    transfers: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"]))
    _memo: dict[Any, Any] = dataclasses.field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"<Feed stops={len(self.stops)} trips={len(self.trips)} stop_times={len(self.stop_times)} source={self.source}>"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_memo"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ------------------------------------------------------------ calendars
    def services_on(self, date: Any) -> np.ndarray:
        """Boolean mask over :attr:`trips`: the trip runs on service day ``date``.

        ``calendar.txt`` gives weekdays within a date range, ``calendar_dates.txt``
        adds (``exception_type`` 1) or removes (2) single dates. Trips without
        a ``service_id``, and all trips of a feed with neither calendar file
        (flat extracts), run every day.
        """
        d = _as_date(date)
        if not len(self.calendar) and not len(self.calendar_dates):
            return np.ones(len(self.trips), bool)  # no calendar at all: every trip runs every day
        sid = self.trips["service_id"] if "service_id" in self.trips.columns else pd.Series([None] * len(self.trips))
        active = self._active_services(d)
        return (sid.isna() | sid.isin(active)).to_numpy()

    def _active_services(self, d: np.datetime64) -> set[str]:
        active: set[str] = set()
        cal = self.calendar
        if len(cal):
            wd = _DAYS[int((d.astype("datetime64[D]").astype(np.int64) - 4) % 7)]  # 1970-01-01 was a Thursday
            on = cal[wd].to_numpy(bool) & (cal["start_date"].to_numpy("datetime64[D]") <= d) & (cal["end_date"].to_numpy("datetime64[D]") >= d)
            active = set(cal.loc[on, "service_id"])
        cd = self.calendar_dates
        if len(cd):
            today = cd[cd["date"].to_numpy("datetime64[D]") == d]
            active |= set(today.loc[today["exception_type"] == 1, "service_id"])
            active -= set(today.loc[today["exception_type"] == 2, "service_id"])
        return active

    def service_dates(self) -> tuple[np.datetime64, np.datetime64] | None:
        """First and last date any calendar mentions (None without calendars)."""
        ds = []
        if len(self.calendar):
            ds += [self.calendar["start_date"].min(), self.calendar["end_date"].max()]
        if len(self.calendar_dates):
            ds += [self.calendar_dates["date"].min(), self.calendar_dates["date"].max()]
        if not ds:
            return None
        return np.datetime64(min(ds), "D"), np.datetime64(max(ds), "D")

    def default_date(self) -> tuple[str, str]:
        """The date used when none is given: ``(YYYY-MM-DD, why)``.

        The Monday of the feed's first full service week (every day of it has
        trips), as R5 and OpenTripPlanner users are told to pick; else the first
        day with service; for feeds without calendars, any date (every trip runs daily).
        """
        span = self.service_dates()
        if span is None:
            return "2026-01-05", "any day: the feed has no calendar, every trip runs every day"
        d0, d1 = span
        if "default_date" in self._memo:
            return self._memo["default_date"]
        sid = self.trips["service_id"] if "service_id" in self.trips.columns else pd.Series([None] * len(self.trips))
        used = set(sid.dropna())
        days = np.arange(d0, d1 + np.timedelta64(1, "D"), dtype="datetime64[D]")
        wd = ((days.astype(np.int64) - 4) % 7).astype(int)
        n = len(days)
        cal = self.calendar[self.calendar["service_id"].isin(used)] if len(self.calendar) else self.calendar
        on = np.zeros((len(cal), n), bool)
        if len(cal):
            flags = cal[list(_DAYS)].to_numpy(bool)
            start = cal["start_date"].to_numpy("datetime64[D]")[:, None]
            end = cal["end_date"].to_numpy("datetime64[D]")[:, None]
            on = flags[:, wd] & (days[None, :] >= start) & (days[None, :] <= end)
        active = [set(cal["service_id"].to_numpy()[on[:, i]]) if len(cal) else set() for i in range(n)]
        cd = self.calendar_dates
        if len(cd):
            pos = ((cd["date"].to_numpy("datetime64[D]") - d0).astype(np.int64)).tolist()
            for p_, s_, e_ in zip(pos, cd["service_id"].tolist(), cd["exception_type"].tolist(), strict=True):
                if 0 <= p_ < n:
                    if e_ == 1:
                        active[p_].add(s_)
                    else:
                        active[p_].discard(s_)
        always = bool(sid.isna().any())
        has = {days[i]: always or bool(active[i] & used) for i in range(n)}
        monday = d0 + np.timedelta64(int((7 - (d0.astype(np.int64) - 4) % 7) % 7), "D")
        while monday + np.timedelta64(6, "D") <= d1:
            if all(has.get(monday + np.timedelta64(i, "D"), False) for i in range(7)):
                self._memo["default_date"] = (str(monday), "the Monday of the feed's first full service week")
                return self._memo["default_date"]
            monday = monday + np.timedelta64(7, "D")
        first = next((d for d, v in has.items() if v), d0)
        self._memo["default_date"] = (str(first), "the feed's first day with service (no full service week)")
        return self._memo["default_date"]

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

    def to_lines(self, date: Any = None) -> list[Any]:
        """One :class:`geo.lines.Line` per stop pattern (trips with the same stops), for multimodal routing.

        Section run and dwell times are the medians over the pattern's trips;
        the headway is the pattern's mean headway over its service span
        (NaN for a single trip, i.e. schedule-only).

        Parameters
        ----------
        date
            Only trips running on this service day count. Default: for a feed
            with calendars, :meth:`default_date` (pooling weekday, Saturday and
            Sunday trips would make headways a fraction of the real ones);
            without calendars, every trip.

        A line is named after its trips when there are at most three
        (``t1/t2 A–B``), otherwise after its route (``1 (212 trips) A–B``).
        """
        b = trip_patterns(self)
        keep = b["pattern"] >= 0
        if date is not None or len(self.calendar) or len(self.calendar_dates):
            keep &= self.services_on(date if date is not None else self.default_date()[0])
        tids = np.flatnonzero(keep)
        if not len(tids):
            return []
        pat = b["pattern"][tids]
        order = np.lexsort((self.trips["trip_id"].to_numpy(dtype=str)[tids], pat))
        tids, pat = tids[order], pat[order]
        groups = np.split(tids, np.flatnonzero(np.diff(pat)) + 1)
        ptr, arr_all, dep_all, stops_all = b["ptr"], b["arr"], b["dep"], b["stops"]
        sname = self.stops["stop_name"].astype(str).to_numpy()
        slon = self.stops["stop_lon"].to_numpy(dtype=float)
        slat = self.stops["stop_lat"].to_numpy(dtype=float)
        dist = self.stop_times["shape_dist_traveled"].to_numpy(dtype=float)
        trip_ids = self.trips["trip_id"].astype(str).to_numpy()
        route_of = self.trips["route_id"].to_numpy(dtype=object) if "route_id" in self.trips.columns else None
        short = dict(zip(self.routes["route_id"], self.routes["route_short_name"], strict=False)) if len(self.routes) else {}
        lines = []
        for tg in groups:
            ns = int(ptr[tg[0] + 1] - ptr[tg[0]])
            idx = ptr[tg][:, None] + np.arange(ns)[None, :]
            arr = arr_all[idx].astype(float)
            dep = dep_all[idx].astype(float)
            run = np.nanmedian(arr[:, 1:] - dep[:, :-1], axis=0)
            dwell = np.nanmedian(dep - arr, axis=0)
            dwell[0] = dwell[-1] = 0.0
            km = dist[idx[0]]
            km = km - km[0] if np.isfinite(km[0]) else km
            pat_stops = stops_all[idx[0]]
            sts = [
                LineStation(str(sname[s]), float(slon[s]), float(slat[s]), float(km[i]), float(dwell[i]), "timetable")
                for i, s in enumerate(pat_stops)
            ]
            first = np.sort(dep[:, 0])
            headway = float((first[-1] - first[0]) / 60.0 / (len(first) - 1)) if len(first) > 1 else math.nan
            if len(tg) <= 3:
                label = "/".join(sorted(trip_ids[tg]))
            else:
                rid = route_of[tg[0]] if route_of is not None else None
                r = short.get(rid) if rid is not None else None
                label = f"{r if isinstance(r, str) and r else (rid or trip_ids[tg[0]])} ({len(tg)} trips)"
            lines.append(
                Line(
                    name=f"{label} {sts[0].name}–{sts[-1].name}",
                    stations=sts,
                    run_s=[float(x) for x in run],
                    headway_min=headway if math.isfinite(headway) else None,
                    source=self.source,
                    departures_s=[float(x) for x in first],
                )
            )
        return lines


def trip_patterns(feed: Feed) -> dict[str, Any]:
    """Date-independent arrays of ``feed``: trip offsets into stop_times, stops, times, stop patterns.

    Memoised on the feed; used by :meth:`Feed.to_lines` and :mod:`geo.timetable`.
    """
    if "base" in feed._memo:
        return feed._memo["base"]
    st = feed.stop_times
    n_trips = len(feed.trips)
    tidx = st["trip_index"].to_numpy()
    counts = np.bincount(tidx, minlength=n_trips)
    ptr = np.zeros(n_trips + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    stops = st["stop_index"].to_numpy().astype(np.int32)
    arr = np.round(st["arrival_time"].to_numpy(dtype=float)).astype(np.int32)
    dep = np.round(st["departure_time"].to_numpy(dtype=float)).astype(np.int32)
    pattern = np.full(n_trips, -1, np.int64)
    pats: dict[bytes, int] = {}
    for t in range(n_trips):
        if counts[t] < 2:
            continue
        key = stops[ptr[t] : ptr[t + 1]].tobytes()
        pattern[t] = pats.setdefault(key, len(pats))
    first_dep = np.where(counts > 0, dep[np.minimum(ptr[:-1], len(dep) - 1)], 0)
    last_arr = np.where(counts > 0, arr[np.maximum(ptr[1:] - 1, 0)], 0)
    out = {"ptr": ptr, "stops": stops, "arr": arr, "dep": dep, "pattern": pattern, "n_patterns": len(pats),
           "first_dep": first_dep, "last_arr": last_arr}
    feed._memo["base"] = out
    return out


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
LOADER_VERSION = "gtfs-3"  # part of the cache key: bump it when Feed or the parsing changes
_OPTIONAL = ("trips.txt", "routes.txt", "calendar.txt", "calendar_dates.txt", "transfers.txt", "frequencies.txt", "feed_info.txt")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _read_bytes(src: Path, name: str, required: bool) -> bytes | None:
    try:
        if src.is_dir():
            p = src / name
            if not p.exists():
                if required:
                    raise InputError(f"GTFS folder {src} has no {name}", f"add {name} to the feed (a GTFS feed needs stops.txt and stop_times.txt)")
                return None
            return p.read_bytes()
        with zipfile.ZipFile(src) as z:
            members = {Path(m).name: m for m in z.namelist()}
            if name not in members:
                if required:
                    raise InputError(f"GTFS zip {src} has no {name}", f"add {name} to the feed (a GTFS feed needs stops.txt and stop_times.txt)")
                return None
            return z.read(members[name])
    except zipfile.BadZipFile:
        raise InputError(f"{src} is not a readable zip file", "give a GTFS .zip, a GTFS folder or a stop_times extract CSV") from None


def _read_table(src: Path, name: str, required: bool = True) -> pd.DataFrame | None:
    text = _read_bytes(src, name, required)
    if text is None:
        return None
    if not text.strip():
        if not required:
            return None
        raise InputError(f"{src}/{name} is empty", f"give a {name} with a header line and rows")
    df = pd.read_csv(io.BytesIO(text), dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    df.columns = [str(c).strip() for c in df.columns]
    return df


def feed_key(paths: Sequence[Path]) -> str:
    """Hash of the feed files' contents and names (SHA-1, as :func:`geo.io.cache_key`) and the loader version."""
    files = [[p / name for name in ("stops.txt", "stop_times.txt", *_OPTIONAL) if (p / name).exists()] if p.is_dir() else [p] for p in paths]
    return input_key([f for group in files for f in group], {"files": [[f.name for f in group] for group in files]}, salt=LOADER_VERSION)


def load_gtfs(path: Any, *, cache: bool = True) -> Feed:
    """Load a GTFS folder or zip (or several), a flat stop_times extract CSV, or a DataFrame of such rows.

    Parameters
    ----------
    path
        A GTFS folder or ``.zip``; a list of them (several feeds at once:
        their ids are prefixed ``<feed name>:`` so they cannot collide); a
        flat stop_times extract CSV; or a DataFrame of extract rows.
    cache
        Keep the parsed feed under ``geo.settings.cache_dir() / "gtfs"``,
        keyed by a hash of the files' contents, so the next load of the
        same files takes a fraction of a second.

    Reads ``stops.txt`` (with ``location_type``/``parent_station``),
    ``stop_times.txt``, and when present ``trips.txt``, ``routes.txt``,
    ``calendar.txt``, ``calendar_dates.txt``, ``transfers.txt`` and
    ``frequencies.txt`` (frequency-based trips are expanded into one trip per
    departure, ``<trip_id>@HH:MM:SS``; ``exact_times=0`` is treated the same,
    a caveat: real vehicles only keep the headway on average).

    Raises
    ------
    InputError
        Missing file or columns, empty files, malformed times or dates,
        stop ids of ``stop_times.txt`` absent from ``stops.txt``, trips absent
        from ``trips.txt``, decreasing times -- naming the file and line.
    """
    if isinstance(path, pd.DataFrame):
        return _from_flat(path.astype({c: str for c in path.columns if c not in ("stop_lon", "stop_lat")}), "in-memory")
    if isinstance(path, list | tuple):
        paths = [_existing(p) for p in path]
        if len(paths) == 1:
            return load_gtfs(paths[0], cache=cache)
        if not paths:
            raise InputError("no GTFS feed given", "pass one or more GTFS folders/zips")
        return _cached([p for p in paths], cache, lambda: _merge([_load_one(p) for p in paths]))
    p = _existing(path)
    if p.is_dir() or p.suffix.lower() == ".zip":
        return _cached([p], cache, lambda: _load_one(p))
    if p.stat().st_size == 0:
        raise InputError(f"{p} is empty", "give a stop_times CSV with a header line and rows")
    df = pd.read_csv(p, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    return _from_flat(df, str(p))


def _existing(path: Any) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"timetable {str(p)!r} does not exist", "give a GTFS folder, a GTFS .zip or a stop_times extract CSV (--gtfs PATH)")
    return p


def _cached(paths: list[Path], cache: bool, build: Any) -> Feed:
    def load(f: Path) -> Feed | None:
        with open(f, "rb") as fh:
            feed = pickle.load(fh)
        return dataclasses.replace(feed, source=",".join(map(str, paths)), _memo={}) if isinstance(feed, Feed) else None

    def save(tmp: Path, feed: Feed) -> None:
        tmp.write_bytes(pickle.dumps(feed, protocol=pickle.HIGHEST_PROTOCOL))

    f = cache_path("gtfs", paths[0].stem, feed_key(paths), ".pickle") if cache else None
    feed, _ = cached_value(f, build, load, save)
    return feed


def _load_one(p: Path) -> Feed:
    stops = _read_table(p, "stops.txt")
    st = _read_table(p, "stop_times.txt")
    assert stops is not None and st is not None
    extra = {n[:-4]: _read_table(p, n, required=False) for n in _OPTIONAL}
    return _from_tables(stops, st, extra.pop("trips"), str(p), tables=extra)


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


def _times(col: pd.Series, file: str, column: str, lines: np.ndarray | None = None) -> np.ndarray:
    """Vectorised ``H:MM:SS`` -> seconds (float, NaN for empty); InputError naming the first bad line.

    Timetables repeat few distinct strings, so each distinct one is parsed once.
    """
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    vals = np.empty(len(uniques) + 1)
    vals[-1] = np.nan  # code -1 (missing) -> NaN
    for k, u in enumerate(uniques):
        m = _TIME.match(str(u))
        if m:
            vals[k] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
        elif not str(u).strip():
            vals[k] = np.nan
        else:
            i = int(np.flatnonzero(codes == k)[0])
            line = int(lines[i]) if lines is not None else i + 2
            raise InputError(
                f"{file} line {line}: {column} {u!r} is not a time",
                "write times as HH:MM:SS (hours may exceed 24 for trips after midnight, e.g. 25:10:00)",
            )
    return vals[codes]


def _dates(col: pd.Series, file: str, column: str) -> np.ndarray:
    """``YYYYMMDD`` -> numpy datetime64[D]; InputError naming the first bad line."""
    s = col.astype(object).where(col.notna(), "").astype(str).str.strip()
    d = pd.to_datetime(s, format="%Y%m%d", errors="coerce")
    bad = d.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{file} line {i + 2}: {column} {s.iloc[i]!r} is not a date", "write dates as YYYYMMDD, e.g. 20261005")
    return d.to_numpy().astype("datetime64[D]")


def _ints(col: pd.Series, file: str, column: str, allowed: Sequence[int] | None = None, default: int | None = None) -> np.ndarray:
    v = pd.to_numeric(col, errors="coerce")
    if default is not None:
        v = v.where(col.notna(), default)
    bad = (v.isna() | (v != v.round())).to_numpy()
    if allowed is not None:
        bad = bad | ~v.isin(list(allowed)).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        want = f"one of {', '.join(map(str, allowed))}" if allowed is not None else "an integer"
        raise InputError(f"{file} line {i + 2}: {column} {col.iloc[i]!r} is not {want}", f"write {column} as {want} (see gtfs.org/schedule/reference)")
    return v.to_numpy(dtype=np.int64)


def _strip(col: pd.Series) -> pd.Series:
    return col.astype(object).where(col.notna(), None).map(lambda x: x.strip() if isinstance(x, str) else x)


class _Lazy:
    """Row ``i`` of a factorized column (``uniques[codes[i]]``) without building the whole column."""

    def __init__(self, uniques: np.ndarray, codes: np.ndarray) -> None:
        self.uniques, self.codes = uniques, codes

    @property
    def iloc(self) -> _Lazy:
        return self

    def __getitem__(self, i: int) -> Any:
        return self.uniques[self.codes[i]]


def _from_tables(
    stops: pd.DataFrame,
    st: pd.DataFrame,
    trips: pd.DataFrame | None,
    src: str,
    stops_file: str | None = None,
    tables: dict[str, pd.DataFrame | None] | None = None,
) -> Feed:
    tables = tables or {}
    flat = stops_file is not None
    sf = stops_file or f"{src}/stops.txt"
    tf = src if flat else f"{src}/stop_times.txt"
    _require(stops, STOPS_REQUIRED, sf)
    _require(st, STOP_TIMES_REQUIRED, tf)
    stops = stops.copy().reset_index(drop=True)
    stops["stop_id"] = stops["stop_id"].astype(str).str.strip()
    stops["stop_name"] = stops["stop_name"].astype(object).where(stops["stop_name"].notna(), "").astype(str).str.strip()
    dup = stops["stop_id"].duplicated()
    if dup.any() and not flat:
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{sf} line {i + 2}: stop_id {stops['stop_id'].iloc[i]!r} appears twice", "give every stop a unique stop_id")
    for c in ("stop_lon", "stop_lat"):
        vals = pd.to_numeric(stops[c], errors="coerce")
        bad = vals.isna() & stops[c].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{sf} line {i + 2}: {c} {stops[c].iloc[i]!r} is not a number", "write WGS84 decimal degrees")
        stops[c] = vals
    lt = stops["location_type"] if "location_type" in stops.columns else pd.Series([None] * len(stops))
    stops["location_type"] = _ints(lt, sf, "location_type", allowed=(0, 1, 2, 3, 4), default=0)
    if "parent_station" in stops.columns:
        ps = stops["parent_station"].astype(object).where(stops["parent_station"].notna(), "").astype(str).str.strip()
        unknown = (ps != "") & ~ps.isin(set(stops["stop_id"]))
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise InputError(f"{sf} line {i + 2}: parent_station {ps.iloc[i]!r} is not a stop_id of {sf}", "add the station row (location_type 1) or clear parent_station")
        stops["parent_station"] = ps.where(ps != "", None)
    else:
        stops["parent_station"] = None
    keep = [c for c in ("stop_id", "stop_name", "stop_lat", "stop_lon", "location_type", "parent_station", "stop_code", "platform_code") if c in stops.columns]
    stops = stops[keep]

    st = st.reset_index(drop=True)
    lines = np.arange(len(st)) + 2
    for c in ("trip_id", "stop_id"):
        miss = st[c].isna().to_numpy()
        if miss.any():
            i = int(np.flatnonzero(miss)[0])
            raise InputError(f"{tf} line {i + 2}: {c} is empty", f"give every stop_times row a {c}")
    arr = _times(st["arrival_time"], tf, "arrival_time")
    dep = _times(st["departure_time"], tf, "departure_time")
    arr = np.where(np.isnan(arr), dep, arr)
    dep = np.where(np.isnan(dep), arr, dep)
    q_codes, q_uniq = pd.factorize(st["stop_sequence"])  # few distinct values: convert each once
    q_vals = np.r_[pd.to_numeric(pd.Series(np.asarray(q_uniq, dtype=object)), errors="coerce").to_numpy(dtype=float), np.nan]
    seq = pd.Series(q_vals[q_codes])
    if seq.isna().any():
        i = int(np.flatnonzero(seq.isna().to_numpy())[0])
        raise InputError(f"{tf} line {i + 2}: stop_sequence {st['stop_sequence'].iloc[i]!r} is not an integer", "number the stops of each trip 1, 2, 3, ...")
    s_codes, s_uniq = pd.factorize(st["stop_id"])  # strip and look up each distinct id once
    s_uniq = np.asarray([str(x).strip() for x in s_uniq], dtype=object)
    stop_index = pd.Index(stops["stop_id"])
    sidx = stop_index.get_indexer(s_uniq)[s_codes]
    sid = _Lazy(s_uniq, s_codes)
    if (sidx < 0).any():
        i = int(np.flatnonzero(sidx < 0)[0])
        raise InputError(
            f"{tf} line {i + 2}: stop_id {sid.iloc[i]!r} is not in {sf}",
            "add the stop to stops.txt or correct the stop_id",
        )
    lt_of = stops["location_type"].to_numpy()[sidx]
    if (lt_of != 0).any():
        i = int(np.flatnonzero(lt_of != 0)[0])
        raise InputError(
            f"{tf} line {i + 2}: stop_id {sid.iloc[i]!r} is a station or entrance (location_type {int(lt_of[i])}), not a stop or platform",
            "use one of its platforms (stops.txt rows with parent_station set to it), or set its location_type to 0",
        )
    t_codes, t_uniq = pd.factorize(st["trip_id"])
    t_uniq = np.asarray([str(x).strip() for x in t_uniq], dtype=object)
    tid = _Lazy(t_uniq, t_codes)
    dist_col = next((c for c in ("shape_dist_traveled_km", "shape_dist_traveled") if c in st.columns), None)
    dist = pd.to_numeric(st[dist_col], errors="coerce").to_numpy(dtype=float) if dist_col else np.full(len(st), np.nan)

    # trips
    if trips is None:
        trips = pd.DataFrame({"trip_id": pd.unique(t_uniq)})
    else:
        _require(trips, ("trip_id",), f"{src}/trips.txt")
        trips = trips.copy()
        for c in trips.columns:
            trips[c] = _strip(trips[c])
        dup = trips["trip_id"].duplicated()
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise InputError(f"{src}/trips.txt line {i + 2}: trip_id {trips['trip_id'].iloc[i]!r} appears twice", "give every trip a unique trip_id")
    trips = trips.reset_index(drop=True)
    trip_index = pd.Index(trips["trip_id"])
    tidx = trip_index.get_indexer(t_uniq)[t_codes]
    if (tidx < 0).any():
        i = int(np.flatnonzero(tidx < 0)[0])
        raise InputError(f"{tf} line {i + 2}: trip_id {tid.iloc[i]!r} is not in {src}/trips.txt", "add the trip to trips.txt or correct the trip_id")

    order = np.lexsort((seq.to_numpy(dtype=float), tidx))
    tidx, sidx, arr, dep, dist, lines = tidx[order], sidx[order], arr[order], dep[order], dist[order], lines[order]
    seqv = seq.to_numpy()[order].astype(np.int64)
    same = tidx[1:] == tidx[:-1]
    back = same & ((arr[1:] < dep[:-1]) | (dep[1:] < arr[1:]))
    back = np.concatenate([[bool(dep[0] < arr[0])] if len(dep) else [], back]) if len(dep) else back
    if back.any():
        k = int(np.flatnonzero(back)[0])
        raise InputError(
            f"{tf} line {int(lines[k])}: trip {trip_index[tidx[k]]} runs backwards in time at stop_sequence {int(seqv[k])}",
            "check the times (use hours past 24, e.g. 25:10:00, for trips after midnight)",
        )
    nan_t = np.isnan(arr)
    first = np.concatenate([[True], ~same]) if len(tidx) else np.zeros(0, bool)
    last = np.concatenate([~same, [True]]) if len(tidx) else np.zeros(0, bool)
    if (nan_t & (first | last)).any():
        k = int(np.flatnonzero(nan_t & (first | last))[0])
        raise InputError(f"{tf} line {int(lines[k])}: the first and last stop of trip {trip_index[tidx[k]]} need times", "give arrival_time and departure_time at both ends of every trip")
    if nan_t.any():  # interpolate untimed intermediate stops linearly by position
        ser = pd.Series(arr)
        grp = pd.Series(tidx)
        arr = ser.groupby(grp).transform(lambda x: x.interpolate()).to_numpy()
        dep = np.where(np.isnan(dep), arr, dep)

    cats_trip = pd.Categorical.from_codes(tidx, categories=trip_index.astype(str))
    cats_stop = pd.Categorical.from_codes(sidx, categories=stop_index.astype(str))
    names = stops["stop_name"].to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "trip_id": cats_trip,
            "stop_id": cats_stop,
            "stop_sequence": seqv,
            "arrival_time": arr,
            "departure_time": dep,
            "shape_dist_traveled": dist,
            "stop_name": pd.Categorical(names[sidx]),
            "trip_index": tidx.astype(np.int32),
            "stop_index": sidx.astype(np.int32),
        }
    )
    routes = _routes(tables.get("routes"), trips, src)
    cal, cdates = _calendars(tables.get("calendar"), tables.get("calendar_dates"), trips, src)
    transfers = _transfers(tables.get("transfers"), stop_index, src)
    feed = Feed(stops, trips, out, src, routes=routes, calendar=cal, calendar_dates=cdates, transfers=transfers)
    freq = tables.get("frequencies")
    if freq is not None and len(freq):
        feed = _expand_frequencies(feed, freq, f"{src}/frequencies.txt")
    return feed


def _routes(routes: pd.DataFrame | None, trips: pd.DataFrame, src: str) -> pd.DataFrame:
    cols = ["route_id", "route_short_name", "route_long_name", "route_type"]
    if routes is None:
        return pd.DataFrame(columns=cols)
    _require(routes, ("route_id",), f"{src}/routes.txt")
    routes = routes.copy()
    for c in cols:
        routes[c] = _strip(routes[c]) if c in routes.columns else None
    if "route_id" in trips.columns:
        unknown = trips["route_id"].notna() & ~trips["route_id"].isin(set(routes["route_id"]))
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise InputError(f"{src}/trips.txt line {i + 2}: route_id {trips['route_id'].iloc[i]!r} is not in {src}/routes.txt", "add the route or correct the route_id")
    return routes.reset_index(drop=True)


def _calendars(cal: pd.DataFrame | None, cd: pd.DataFrame | None, trips: pd.DataFrame, src: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    c_out = pd.DataFrame({"service_id": pd.Series(dtype=object), **{d: pd.Series(dtype=bool) for d in _DAYS},
                          "start_date": pd.Series(dtype="datetime64[s]"), "end_date": pd.Series(dtype="datetime64[s]")})
    d_out = pd.DataFrame({"service_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[s]"), "exception_type": pd.Series(dtype=np.int64)})
    if cal is not None and len(cal):
        f = f"{src}/calendar.txt"
        _require(cal, ("service_id", *_DAYS, "start_date", "end_date"), f)
        c_out = pd.DataFrame({"service_id": _strip(cal["service_id"])})
        for d in _DAYS:
            c_out[d] = _ints(cal[d], f, d, allowed=(0, 1)).astype(bool)
        c_out["start_date"] = _dates(cal["start_date"], f, "start_date")
        c_out["end_date"] = _dates(cal["end_date"], f, "end_date")
        bad = (c_out["end_date"] < c_out["start_date"]).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{f} line {i + 2}: end_date is before start_date", "swap or correct the dates")
    if cd is not None and len(cd):
        f = f"{src}/calendar_dates.txt"
        _require(cd, ("service_id", "date", "exception_type"), f)
        d_out = pd.DataFrame({"service_id": _strip(cd["service_id"]), "date": _dates(cd["date"], f, "date"),
                              "exception_type": _ints(cd["exception_type"], f, "exception_type", allowed=(1, 2))})
    if (cal is not None or cd is not None) and "service_id" in trips.columns:
        known = set(c_out["service_id"]) | set(d_out["service_id"])
        unknown = trips["service_id"].notna() & ~trips["service_id"].isin(known)
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise InputError(
                f"{src}/trips.txt line {i + 2}: service_id {trips['service_id'].iloc[i]!r} is in neither calendar.txt nor calendar_dates.txt",
                "add the service to calendar.txt (weekdays and date range) or calendar_dates.txt",
            )
    return c_out.reset_index(drop=True), d_out.reset_index(drop=True)


def _transfers(tr: pd.DataFrame | None, stop_index: pd.Index, src: str) -> pd.DataFrame:
    cols = {"from_stop_id": pd.Series(dtype=object), "to_stop_id": pd.Series(dtype=object),
            "transfer_type": pd.Series(dtype=np.int64), "min_transfer_time": pd.Series(dtype=float)}
    if tr is None or not len(tr):
        return pd.DataFrame(cols)
    f = f"{src}/transfers.txt"
    _require(tr, ("from_stop_id", "to_stop_id"), f)
    out = pd.DataFrame({"from_stop_id": _strip(tr["from_stop_id"]), "to_stop_id": _strip(tr["to_stop_id"])})
    ttype = tr["transfer_type"] if "transfer_type" in tr.columns else pd.Series([None] * len(tr))
    out["transfer_type"] = _ints(ttype, f, "transfer_type", allowed=(0, 1, 2, 3, 4, 5), default=0)
    mt = pd.to_numeric(tr["min_transfer_time"], errors="coerce") if "min_transfer_time" in tr.columns else pd.Series(np.nan, index=tr.index)
    if "min_transfer_time" in tr.columns:
        bad = (tr["min_transfer_time"].notna() & (mt.isna() | (mt < 0))).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{f} line {i + 2}: min_transfer_time {tr['min_transfer_time'].iloc[i]!r} is not seconds >= 0", "write whole seconds, e.g. 180")
    out["min_transfer_time"] = mt.to_numpy(dtype=float)
    for c in ("from_stop_id", "to_stop_id"):
        miss = out[c].isna().to_numpy() | (stop_index.get_indexer(out[c].fillna("")) < 0)
        if miss.any():
            i = int(np.flatnonzero(miss)[0])
            raise InputError(f"{f} line {i + 2}: {c} {out[c].iloc[i]!r} is not in stops.txt", "correct the stop id or drop the row")
    return out


def _expand_frequencies(feed: Feed, freq: pd.DataFrame, f: str) -> Feed:
    _require(freq, ("trip_id", "start_time", "end_time", "headway_secs"), f)
    fr = pd.DataFrame({"trip_id": _strip(freq["trip_id"])})
    fr["start"] = _times(freq["start_time"], f, "start_time")
    fr["end"] = _times(freq["end_time"], f, "end_time")
    fr["headway"] = _ints(freq["headway_secs"], f, "headway_secs")
    bad = ((fr["headway"] <= 0) | (fr["end"] < fr["start"]) | fr["start"].isna()).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{f} line {i + 2}: the window or headway_secs is not valid", "give start_time <= end_time and headway_secs > 0")
    unknown = ~fr["trip_id"].isin(set(feed.trips["trip_id"]))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(f"{f} line {i + 2}: trip_id {fr['trip_id'].iloc[i]!r} is not in trips.txt", "correct the trip_id")
    st = feed.stop_times
    templ = set(fr["trip_id"])
    keep_st = st[~st["trip_id"].isin(templ)]
    new_trips, new_st = [feed.trips[~feed.trips["trip_id"].isin(templ)]], []
    trips_by_id = feed.trips.set_index("trip_id")
    sub = st[st["trip_id"].isin(templ)]
    by_trip = {str(k): g.astype({"trip_id": str}) for k, g in sub.groupby(sub["trip_id"].astype(str), sort=False)}
    for row in fr.itertuples(index=False):
        g = by_trip[row.trip_id]
        t0 = float(g["departure_time"].iloc[0])
        starts = np.arange(row.start, row.end, row.headway) if row.end > row.start else np.array([row.start])
        ids = [f"{row.trip_id}@{format_time(s)}:{int(s) % 60:02d}" for s in starts]
        n = len(g)
        gg = g.iloc[np.tile(np.arange(n), len(starts))].copy()
        off = np.repeat(starts - t0, n)
        gg["arrival_time"] = gg["arrival_time"].to_numpy() + off
        gg["departure_time"] = gg["departure_time"].to_numpy() + off
        gg["trip_id"] = np.repeat(ids, n)
        new_st.append(gg)
        tr = trips_by_id.loc[[row.trip_id] * len(ids)].reset_index()
        tr["trip_id"] = ids
        new_trips.append(tr)
    trips = pd.concat(new_trips, ignore_index=True)
    sts = pd.concat([keep_st.astype({"trip_id": str}), *[x.astype({"trip_id": str}) for x in new_st]], ignore_index=True)
    tindex = pd.Index(trips["trip_id"])
    tidx = tindex.get_indexer(sts["trip_id"])
    order = np.lexsort((sts["stop_sequence"].to_numpy(), tidx))
    sts = sts.iloc[order].reset_index(drop=True)
    sts["trip_index"] = tidx[order].astype(np.int32)
    sts["trip_id"] = pd.Categorical.from_codes(sts["trip_index"].to_numpy(), categories=tindex.astype(str))
    sts["stop_id"] = pd.Categorical(sts["stop_id"].astype(str), categories=pd.Index(feed.stops["stop_id"]).astype(str))
    sts["stop_name"] = pd.Categorical(sts["stop_name"].astype(str))
    return dataclasses.replace(feed, trips=trips, stop_times=sts, _memo={})


def _merge(feeds: list[Feed]) -> Feed:
    """Several feeds as one; ids prefixed ``<feed name>:``."""
    names: list[str] = []
    for f in feeds:
        n = Path(f.source).stem or "feed"
        while n in names:
            n += "_"
        names.append(n)

    def pre(col: pd.Series, n: str) -> pd.Series:
        c = col.astype(object)
        return c.where(c.isna(), n + ":" + c.astype(str))

    stops, trips, sts, routes, cals, cds, trs = [], [], [], [], [], [], []
    n_stops = n_trips = 0
    for f, n in zip(feeds, names, strict=True):
        s = f.stops.copy()
        s["stop_id"] = pre(s["stop_id"], n)
        s["parent_station"] = pre(s["parent_station"], n)
        stops.append(s)
        t = f.trips.copy()
        for c in ("trip_id", "route_id", "service_id"):
            if c in t.columns:
                t[c] = pre(t[c], n)
        trips.append(t)
        st = f.stop_times.copy()
        st["trip_id"] = pre(st["trip_id"], n)
        st["stop_id"] = pre(st["stop_id"], n)
        st["stop_name"] = st["stop_name"].astype(str)
        st["trip_index"] = st["trip_index"] + n_trips
        st["stop_index"] = st["stop_index"] + n_stops
        sts.append(st)
        r = f.routes.copy()
        r["route_id"] = pre(r["route_id"], n)
        routes.append(r)
        c = f.calendar.copy()
        c["service_id"] = pre(c["service_id"], n)
        cals.append(c)
        d = f.calendar_dates.copy()
        d["service_id"] = pre(d["service_id"], n)
        cds.append(d)
        x = f.transfers.copy()
        x["from_stop_id"] = pre(x["from_stop_id"], n)
        x["to_stop_id"] = pre(x["to_stop_id"], n)
        trs.append(x)
        n_stops += len(f.stops)
        n_trips += len(f.trips)
    st_all = pd.concat(sts, ignore_index=True)
    stops_all = pd.concat(stops, ignore_index=True)
    trips_all = pd.concat(trips, ignore_index=True)
    # a feed without calendars runs every day; give its trips an always-on service so others' calendars do not exclude them
    for f, t in zip(feeds, trips, strict=True):
        if f.calendar.empty and f.calendar_dates.empty:
            t["service_id"] = None
    trips_all = pd.concat(trips, ignore_index=True)
    st_all["trip_id"] = pd.Categorical.from_codes(st_all["trip_index"].to_numpy(), categories=pd.Index(trips_all["trip_id"]).astype(str))
    st_all["stop_id"] = pd.Categorical.from_codes(st_all["stop_index"].to_numpy(), categories=pd.Index(stops_all["stop_id"]).astype(str))
    st_all["stop_name"] = pd.Categorical(st_all["stop_name"])
    return Feed(
        stops_all,
        trips_all,
        st_all,
        ",".join(f.source for f in feeds),
        routes=pd.concat(routes, ignore_index=True),
        calendar=pd.concat(cals, ignore_index=True),
        calendar_dates=pd.concat(cds, ignore_index=True),
        transfers=pd.concat(trs, ignore_index=True),
    )
