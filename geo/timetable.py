"""Timetable routing on a GTFS feed: earliest arrival on a date, departure windows, readable legs.

:func:`timetable` turns a :class:`geo.gtfs.Feed` into the arrays of one
service day (trips of the day before that run past midnight are included,
shifted by -24 h, and the next morning's trips, shifted by +24 h); the RAPTOR
kernel in :mod:`geo._private.raptor` answers queries over them.

* :func:`journey` -- earliest arrival from A to B leaving at a time, with the
  legs taken (route, headsign, trip, clock times, transfers);
* :func:`one_to_all` -- earliest arrival at every stop;
* :func:`window` -- minutes A -> B for every departure minute of a window,
  and :func:`window_percentiles` (5/25/50/75/95, as R5 reports them);
* :func:`window_one_to_all` -- per-stop percentiles over a window (the input
  of isochrones by percentile).

Transfers: ``transfers.txt`` when the feed has one (``min_transfer_time``;
rows naming a parent station apply to all its platforms; a row from a stop to
itself is the change time at that stop); otherwise walking footpaths between
stops closer than ``max_walk_m`` (straight line x ``detour`` at ``walk_kmh``).
Only one footpath is walked between two vehicles (RAPTOR's usual rule).

Places: a stop name, a stop id, a parent station id (all its platforms), or
a ``(lon, lat)`` point reached on foot from the stops within
``max_access_m`` (straight line, or over a road network when one is given).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from geo import routing
from geo._private.geodesy import haversine_m
from geo._private.raptor import raptor, raptor_window
from geo.errors import InputError
from geo.gazetteer import PlaceHit
from geo.gtfs import Feed, _as_date, parse_time, trip_patterns
from geo.isochrones import isochrones_from_times
from geo.network import Network

DAY = 86400
INF = 2**30
ROUTE_MODES = {0: "tram", 1: "subway", 2: "rail", 3: "bus", 4: "ferry", 5: "cable tram", 6: "aerial lift", 7: "funicular", 11: "trolleybus", 12: "monorail"}


@dataclasses.dataclass(frozen=True, eq=False)
class Timetable:
    """The arrays of one service day (see :mod:`geo._private.raptor` for their layout)."""

    date: str
    route_stop_ptr: np.ndarray
    route_stops: np.ndarray
    route_trip_ptr: np.ndarray
    route_time_ptr: np.ndarray
    arr_t: np.ndarray
    dep_t: np.ndarray
    stop_route_ptr: np.ndarray
    stop_route_r: np.ndarray
    stop_route_pos: np.ndarray
    fp_ptr: np.ndarray
    fp_to: np.ndarray
    fp_dur: np.ndarray
    change_s: np.ndarray
    trip_feed: np.ndarray  # day trip -> feed trip index
    trip_shift: np.ndarray  # day trip -> seconds added (-86400, 0, +86400)
    footpaths: str

    @property
    def n_routes(self) -> int:
        return int(self.route_stop_ptr.shape[0] - 1)

    @property
    def n_trips(self) -> int:
        return int(self.trip_feed.shape[0])

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        return (self.route_stop_ptr, self.route_stops, self.route_trip_ptr, self.route_time_ptr, self.arr_t, self.dep_t,
                self.stop_route_ptr, self.stop_route_r, self.stop_route_pos, self.fp_ptr, self.fp_to, self.fp_dur, self.change_s)


# ------------------------------------------------------------------ building


def timetable(
    feed: Feed,
    date: Any,
    *,
    footpaths: str = "auto",
    max_walk_m: float = 400.0,
    walk_kmh: float = 5.0,
    detour: float = 1.3,
    next_day_until: str | None = None,
) -> Timetable:
    """The RAPTOR arrays of service day ``date`` (memoised per feed and options).

    Parameters
    ----------
    footpaths
        ``"transfers"`` (transfers.txt), ``"walk"`` (stops within
        ``max_walk_m``), or ``"auto"``: transfers.txt when the feed has one.
    next_day_until
        Trips of the next service day (+24 h) starting before this time are
        included so journeys late in the evening can use them; None: all of
        them (exact, a larger timetable).
    """
    d = _as_date(date)
    if footpaths not in ("auto", "transfers", "walk"):
        raise InputError(f"footpaths {footpaths!r} is not known", "use 'auto', 'transfers' or 'walk'")
    if not (max_walk_m >= 0 and walk_kmh > 0 and detour >= 1):
        raise InputError("max_walk_m must be >= 0, walk_kmh > 0 and detour >= 1", "use e.g. max_walk_m=400, walk_kmh=5, detour=1.3")
    mk = ("tt", str(d), footpaths, max_walk_m, walk_kmh, detour, next_day_until)
    if mk in feed._memo:
        return feed._memo[mk]
    b = trip_patterns(feed)
    one = np.timedelta64(1, "D")
    until = parse_time(next_day_until) if next_day_until is not None else math.inf
    pattern = b["pattern"]
    sel_prev = np.flatnonzero(feed.services_on(d - one) & (b["last_arr"] >= DAY) & (pattern >= 0))
    sel_cur = np.flatnonzero(feed.services_on(d) & (pattern >= 0))
    sel_next = np.flatnonzero(feed.services_on(d + one) & (b["first_dep"] < until) & (pattern >= 0))
    trips = np.concatenate([sel_prev, sel_cur, sel_next]).astype(np.int64)
    shift = np.concatenate([np.full(len(sel_prev), -DAY), np.zeros(len(sel_cur)), np.full(len(sel_next), DAY)]).astype(np.int32)
    ptr, arr_all, dep_all, stops_all = b["ptr"], b["arr"], b["dep"], b["stops"]
    order = np.lexsort((b["first_dep"][trips] + shift, pattern[trips]))
    trips, shift = trips[order], shift[order]
    pat_of = pattern[trips]
    bounds = np.flatnonzero(np.diff(pat_of)) + 1
    groups = np.split(np.arange(len(trips)), bounds) if len(trips) else []

    r_stop_ptr, r_stops, r_trip_ptr, r_time_ptr = [0], [], [0], [0]
    arr_parts, dep_parts, trip_feed, trip_shift = [], [], [], []
    for g in groups:
        tg = trips[g]
        sh = shift[g]
        ns = int(ptr[tg[0] + 1] - ptr[tg[0]])
        idx = ptr[tg][:, None] + np.arange(ns)[None, :]
        A = arr_all[idx] + sh[:, None]
        D = dep_all[idx] + sh[:, None]
        stops_r = stops_all[ptr[tg[0]] : ptr[tg[0] + 1]]
        for chain in _fifo_chains(A, D):
            r_stops.append(stops_r)
            r_stop_ptr.append(r_stop_ptr[-1] + ns)
            r_trip_ptr.append(r_trip_ptr[-1] + len(chain))
            r_time_ptr.append(r_time_ptr[-1] + len(chain) * ns)
            arr_parts.append(A[chain].ravel())
            dep_parts.append(D[chain].ravel())
            trip_feed.append(tg[chain])
            trip_shift.append(sh[chain])
    n_stops = len(feed.stops)
    route_stops = np.concatenate(r_stops).astype(np.int32) if r_stops else np.zeros(0, np.int32)
    route_stop_ptr = np.asarray(r_stop_ptr, np.int64)
    # stop -> (route, position)
    rid = np.repeat(np.arange(len(r_stop_ptr) - 1), np.diff(route_stop_ptr))
    pos = np.arange(len(route_stops)) - route_stop_ptr[rid]
    o = np.argsort(route_stops, kind="stable")
    s_ptr = np.zeros(n_stops + 1, np.int64)
    np.cumsum(np.bincount(route_stops, minlength=n_stops), out=s_ptr[1:])
    fp_ptr, fp_to, fp_dur, change, how = _footpaths(feed, footpaths, max_walk_m, walk_kmh, detour)
    tt = Timetable(
        date=str(d),
        route_stop_ptr=route_stop_ptr,
        route_stops=route_stops,
        route_trip_ptr=np.asarray(r_trip_ptr, np.int64),
        route_time_ptr=np.asarray(r_time_ptr, np.int64),
        arr_t=np.concatenate(arr_parts).astype(np.int32) if arr_parts else np.zeros(0, np.int32),
        dep_t=np.concatenate(dep_parts).astype(np.int32) if dep_parts else np.zeros(0, np.int32),
        stop_route_ptr=s_ptr,
        stop_route_r=rid[o].astype(np.int32),
        stop_route_pos=pos[o].astype(np.int32),
        fp_ptr=fp_ptr,
        fp_to=fp_to,
        fp_dur=fp_dur,
        change_s=change,
        trip_feed=np.concatenate(trip_feed).astype(np.int64) if trip_feed else np.zeros(0, np.int64),
        trip_shift=np.concatenate(trip_shift).astype(np.int32) if trip_shift else np.zeros(0, np.int32),
        footpaths=how,
    )
    feed._memo[mk] = tt
    return tt


def _fifo_chains(A: np.ndarray, D: np.ndarray) -> list[np.ndarray]:
    """Split trips (rows, sorted by first departure) into chains where no trip overtakes another."""
    if len(A) < 2 or (np.all(np.diff(A, axis=0) >= 0) and np.all(np.diff(D, axis=0) >= 0)):
        return [np.arange(len(A))]
    chains: list[list[int]] = []
    for j in range(len(A)):
        for c in chains:
            last = c[-1]
            if np.all(A[last] <= A[j]) and np.all(D[last] <= D[j]):
                c.append(j)
                break
        else:
            chains.append([j])
    return [np.asarray(c) for c in chains]


def _children(feed: Feed) -> dict[int, np.ndarray]:
    if "children" in feed._memo:
        return feed._memo["children"]
    s = feed.stops
    idx = pd.Index(s["stop_id"])
    par = s["parent_station"].to_numpy(dtype=object)
    has = pd.notna(par)
    out: dict[int, list[int]] = {}
    if has.any():
        pi = idx.get_indexer(par[has])
        for c, p in zip(np.flatnonzero(has), pi, strict=True):
            out.setdefault(int(p), []).append(int(c))
    res = {k: np.asarray(v, np.int64) for k, v in out.items()}
    feed._memo["children"] = res
    return res


def _footpaths(feed: Feed, mode: str, max_walk_m: float, walk_kmh: float, detour: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    n = len(feed.stops)
    change = np.zeros(n, np.int32)
    tr = feed.transfers
    use_transfers = mode == "transfers" or (mode == "auto" and len(tr) > 0)
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    dur: list[np.ndarray] = []
    lon = feed.stops["stop_lon"].to_numpy(dtype=float)
    lat = feed.stops["stop_lat"].to_numpy(dtype=float)
    speed = walk_kmh / 3.6
    if use_transfers:
        how = "transfers.txt"
        idx = pd.Index(feed.stops["stop_id"])
        kids = _children(feed)
        tr = tr[~tr["transfer_type"].isin([3, 4, 5])]
        fi = idx.get_indexer(tr["from_stop_id"])
        ti = idx.get_indexer(tr["to_stop_id"])
        mt = tr["min_transfer_time"].to_numpy(dtype=float)
        for a, b, m in zip(fi, ti, mt, strict=True):
            fa = kids.get(int(a), np.asarray([a]))
            tb = kids.get(int(b), np.asarray([b]))
            aa, bb = np.repeat(fa, len(tb)), np.tile(tb, len(fa))
            if math.isfinite(m):
                w = np.full(len(aa), m)
            else:  # no time given: walk the straight line
                w = _metres(lon[aa], lat[aa], lon[bb], lat[bb]) * detour / speed
            src.append(aa)
            dst.append(bb)
            dur.append(w)
    else:
        how = f"walking <= {max_walk_m:g} m (straight line x {detour:g} at {walk_kmh:g} km/h)"
        if max_walk_m > 0 and n > 1:
            from scipy.spatial import cKDTree  # 0.13 s: only walking transfers need it

            lat0 = float(np.nanmean(lat))
            xy = np.c_[np.radians(lon) * 6371008.8 * math.cos(math.radians(lat0)), np.radians(lat) * 6371008.8]
            ok = np.isfinite(xy).all(axis=1)
            tree = cKDTree(xy[ok])
            pairs = tree.query_pairs(max_walk_m / detour * 1.01, output_type="ndarray")
            if len(pairs):
                m_ok = np.flatnonzero(ok)
                a, b = m_ok[pairs[:, 0]], m_ok[pairs[:, 1]]
                d = _metres(lon[a], lat[a], lon[b], lat[b]) * detour
                keep = d <= max_walk_m
                a, b, d = a[keep], b[keep], d[keep]
                src += [a, b]
                dst += [b, a]
                dur += [d / speed, d / speed]
    if src:
        s = np.concatenate(src).astype(np.int64)
        t = np.concatenate(dst).astype(np.int64)
        w = np.ceil(np.concatenate(dur)).astype(np.int64)
        same = s == t
        if same.any():
            df = pd.DataFrame({"s": s[same], "w": w[same]}).groupby("s")["w"].min()
            change[df.index.to_numpy()] = df.to_numpy()
        s, t, w = s[~same], t[~same], w[~same]
        df = pd.DataFrame({"s": s, "t": t, "w": w}).groupby(["s", "t"], as_index=False)["w"].min()
        s, t, w = df["s"].to_numpy(), df["t"].to_numpy(), df["w"].to_numpy()
    else:
        s = t = w = np.zeros(0, np.int64)
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=ptr[1:])
    o = np.argsort(s, kind="stable")
    return ptr, t[o].astype(np.int32), w[o].astype(np.int32), change, how


def _metres(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


# ------------------------------------------------------------------ places
@dataclasses.dataclass(frozen=True)
class StopPlace:
    """A place in the feed: ``stops`` (indices into ``feed.stops``) with access seconds ``offset_s``."""

    name: str
    stops: np.ndarray
    offset_s: np.ndarray
    lon: float
    lat: float
    kind: str  # "stop", "station", "station complex", "point"
    stop_id: str = ""


def _norm(s: str) -> str:
    return re.sub(r"[\s'’\-_.]", "", str(s)).lower()


def _station_of(feed: Feed) -> np.ndarray:
    """Index of each stop's station (itself when it has no parent)."""
    if "station_of" in feed._memo:
        return feed._memo["station_of"]
    s = feed.stops
    idx = pd.Index(s["stop_id"])
    par = s["parent_station"].to_numpy(dtype=object)
    out = np.arange(len(s))
    has = pd.notna(par)
    out[has] = idx.get_indexer(par[has])
    feed._memo["station_of"] = out
    return out


def _routes_at(feed: Feed, stations: Sequence[int]) -> dict[int, str]:
    """Route short names serving each station (for listing ambiguous candidates)."""
    so = _station_of(feed)
    st = feed.stop_times
    sta = so[st["stop_index"].to_numpy()]
    want = np.isin(sta, np.asarray(list(stations)))
    trips = feed.trips
    rcol = trips["route_id"].to_numpy(dtype=object) if "route_id" in trips.columns else np.full(len(trips), None, dtype=object)
    names = dict(zip(feed.routes["route_id"], feed.routes["route_short_name"].fillna(feed.routes["route_id"]), strict=False)) if len(feed.routes) else {}
    df = pd.DataFrame({"station": sta[want], "route": rcol[st["trip_index"].to_numpy()[want]]}).drop_duplicates()
    out: dict[int, str] = {}
    for s, g in df.groupby("station"):
        out[int(s)] = " ".join(sorted({str(names.get(r, r)) for r in g["route"] if r is not None}))
    return out


def find_stop(feed: Feed, text: str) -> StopPlace:
    """A stop name, stop id or parent-station id -> :class:`StopPlace` (all platforms of a station).

    Raises
    ------
    InputError
        Unknown (with close matches from the feed) or ambiguous (several
        stations of that name, listed with their ids and routes).
    """
    key = str(text).strip()
    s = feed.stops
    ids = s["stop_id"].to_numpy(dtype=object)
    kids = _children(feed)
    hit = np.flatnonzero(ids == key)
    if len(hit):
        i = int(hit[0])
        members = kids.get(i, np.asarray([i]))
        return _place(feed, s.iloc[i]["stop_name"], members, i, "station" if i in kids else "stop")
    names = s["stop_name"].astype(str).to_numpy()
    so = _station_of(feed)
    match = np.flatnonzero(names == key)
    if not len(match):
        nk = _norm(key)
        match = np.flatnonzero(np.asarray([_norm(n) == nk for n in names]))
    if not len(match):
        uniq = sorted(set(names))
        close = difflib.get_close_matches(key, uniq, n=4, cutoff=0.6)
        if not close:
            lowered = {n.lower(): n for n in uniq}
            close = [lowered[c] for c in difflib.get_close_matches(key.lower(), list(lowered), n=4, cutoff=0.6)]
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise InputError(f"stop {key!r} is not in the timetable{hint}", "give a stop_name or stop_id of the feed (stops.txt)")
    stations = sorted(set(so[match].tolist()))
    if len(stations) > 1 and _one_complex(feed, stations):
        # stations of one name within a short walk of each other (e.g. the four "Times Sq-42 St" of the
        # New York subway, one per line group) are one place: every platform of each is a start/end
        members = np.unique(np.concatenate([kids.get(k, np.asarray([k])) for k in stations]))
        return _place(feed, names[match[0]], members, stations[0], "station complex")
    if len(stations) > 1:
        routes = _routes_at(feed, stations)
        cands = "; ".join(f"{ids[k]} ({routes.get(k, '') or 'no trips'})" for k in stations[:12])
        more = f" and {len(stations) - 12} more" if len(stations) > 12 else ""
        raise InputError(
            f"stop name {key!r} is ambiguous: {len(stations)} stations have it: {cands}{more}",
            f"give the stop_id instead of the name, e.g. --from {ids[stations[0]]}",
        )
    st_i = stations[0]
    members = kids.get(st_i, np.asarray([st_i]))
    members = np.union1d(members, match[match != st_i]) if st_i in kids else members
    return _place(feed, names[match[0]], members, st_i, "station" if st_i in kids else "stop")


#: stations sharing a name count as one complex when all lie within this distance of each other
COMPLEX_M = 500.0


def _one_complex(feed: Feed, stations: Sequence[int]) -> bool:
    s = feed.stops
    lon = s["stop_lon"].to_numpy(float)[list(stations)]
    lat = s["stop_lat"].to_numpy(float)[list(stations)]
    d = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    return bool(np.nanmax(d) <= COMPLEX_M)


def _place(feed: Feed, name: str, members: np.ndarray, i: int, kind: str) -> StopPlace:
    s = feed.stops
    return StopPlace(str(name), np.asarray(members, np.int32), np.zeros(len(members), np.int32),
                     float(s["stop_lon"].iloc[i]), float(s["stop_lat"].iloc[i]), kind, str(s["stop_id"].iloc[i]))


def point_place(feed: Feed, lon: float, lat: float, *, name: str = "", max_access_m: float = 800.0, walk_kmh: float = 5.0,
                detour: float = 1.3, road: Any = None) -> StopPlace:
    """A point reached on foot from/to the stops within ``max_access_m``.

    Without ``road`` the walk is the straight line x ``detour`` at ``walk_kmh``;
    with a road network (:class:`geo.network.Network`, walk mode) the walk
    times come from :func:`geo.routing.travel_times` over it.

    Raises
    ------
    InputError
        No stop within reach.
    """
    s = feed.stops
    lo, la = s["stop_lon"].to_numpy(dtype=float), s["stop_lat"].to_numpy(dtype=float)
    d = _metres(np.full(len(s), lon), np.full(len(s), lat), lo, la) * detour
    served = np.zeros(len(s), bool)
    served[feed.stop_times["stop_index"].unique()] = True
    near = np.flatnonzero((d <= max_access_m) & served)
    if not len(near):
        dd = np.where(served, d, np.inf)
        j = int(np.argmin(dd)) if np.isfinite(dd).any() else -1
        nearest = f"; the nearest is {s['stop_name'].iloc[j]} at {dd[j] / detour:,.0f} m" if j >= 0 else ""
        raise InputError(f"no stop within {max_access_m:g} m of {lon:.5f},{lat:.5f}{nearest}", "raise --max-access-m or give a stop name")
    secs = d[near] / (walk_kmh / 3.6)
    if road is not None:
        secs = _road_walk_s(road, lon, lat, lo[near], la[near])
        keep = np.isfinite(secs)
        near, secs = near[keep], secs[keep]
        if not len(near):
            raise InputError(f"no stop within {max_access_m:g} m of {lon:.5f},{lat:.5f} is reachable on the road network", "check the network covers the place, or drop --network")
    return StopPlace(name or f"{lon:.4f},{lat:.4f}", near.astype(np.int32), np.ceil(secs).astype(np.int32), float(lon), float(lat), "point")


def _road_walk_s(road: Any, lon: float, lat: float, slon: np.ndarray, slat: np.ndarray) -> np.ndarray:
    """Seconds over the road network from (lon, lat) to each stop (NaN where unreachable)."""
    m = routing.od_matrix(road, [(lon, lat)], np.c_[slon, slat])
    return m.sort_values("destination")["minutes"].to_numpy(dtype=float) * 60.0


def stop_resolver(feed: Feed) -> Any:
    """A resolver for :func:`geo.gazetteer.resolve_place` (``extra=``): feed stop names and ids -> PlaceHit.

    The hit's ``source`` is ``gtfs:<stop_id>`` and its ``kind`` ``"stop"`` or
    ``"station"``; unknown names give None (the gazetteer is asked next);
    ambiguous names raise :class:`~geo.errors.InputError` listing the candidates.
    """
    def hook(text: str) -> Any:
        try:
            sp = find_stop(feed, text)
        except InputError as e:
            if "ambiguous" in str(e):
                raise
            return None
        return PlaceHit(sp.lon, sp.lat, sp.name, f"gtfs:{sp.stop_id}", sp.kind)

    return hook


def resolve(feed: Feed, place: Any, **point_kw: Any) -> StopPlace:
    """A stop name/id, ``"lon,lat"``, a ``(lon, lat)`` pair, or a :class:`StopPlace` -> :class:`StopPlace`."""
    if isinstance(place, StopPlace):
        return place
    if isinstance(place, tuple | list) and len(place) == 2:
        return point_place(feed, float(place[0]), float(place[1]), **point_kw)
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*", str(place))
    if m:
        return point_place(feed, float(m.group(1)), float(m.group(2)), **point_kw)
    return find_stop(feed, str(place))


# ------------------------------------------------------------------ queries
def _run(tt: Timetable, origin: StopPlace, t0: int, targets: np.ndarray, max_rounds: int) -> tuple[np.ndarray, ...]:
    fn: Any = raptor
    return fn(*tt.kernel_args(), origin.stops.astype(np.int32), (origin.offset_s + t0).astype(np.int32),
                  targets.astype(np.int32), int(max_rounds))


def _depart_s(depart: Any) -> int:
    if isinstance(depart, int | float | np.integer | np.floating):
        return int(depart)
    s = str(depart).strip()
    if re.fullmatch(r"\d{1,2}:\d{2}", s):
        s += ":00"
    try:
        v = parse_time(s)
    except ValueError:
        v = math.nan
    if not math.isfinite(v):
        raise InputError(f"departure time {depart!r} is not a time", "write it as HH:MM, e.g. --depart 08:00")
    return int(v)


def one_to_all(feed: Feed, origin: Any, *, date: Any = None, depart: Any = "08:00", max_rounds: int = 12, **opts: Any) -> pd.DataFrame:
    """Earliest arrival at every stop from ``origin`` leaving at ``depart`` on ``date``.

    Returns
    -------
    DataFrame
        ``stop_id, stop_name, arrival`` (clock, GTFS style: hours past 24 are
        the next morning), ``arrival_s``, ``minutes`` (NaN when unreachable).
    """
    tt = timetable(feed, date if date is not None else feed.default_date()[0], **opts)
    o = resolve(feed, origin)
    t0 = _depart_s(depart)
    best = _run(tt, o, t0, np.zeros(0, np.int32), max_rounds)[0].astype(float)
    best[best >= INF] = np.nan
    return pd.DataFrame({
        "stop_id": feed.stops["stop_id"].to_numpy(),
        "stop_name": feed.stops["stop_name"].to_numpy(),
        "arrival": [clock(x) for x in best],
        "arrival_s": best,
        "minutes": (best - t0) / 60.0,
    })


def clock(seconds: float) -> str:
    """Seconds after midnight -> ``HH:MM:SS`` (GTFS style, hours may exceed 24); ``""`` for NaN."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    s = round(seconds)
    sign = "-" if s < 0 else ""
    s = abs(s)
    return f"{sign}{s // 3600:02d}:{(s % 3600) // 60:02d}:{s % 60:02d}"


def journey(
    feed: Feed,
    origin: Any,
    destination: Any,
    *,
    date: Any = None,
    depart: Any = "08:00",
    max_rounds: int = 12,
    **opts: Any,
) -> dict[str, Any]:
    """Earliest arrival from ``origin`` to ``destination`` leaving at ``depart`` on ``date``, with its legs.

    Returns
    -------
    dict
        ``from, to, mode ("rail"), date, date_note, depart, arrival,
        total_minutes`` (arrival minus departure time, initial wait included;
        NaN if unreachable), ``transfers`` and ``legs``: ``wait``, ``walk``,
        ride legs (``mode`` = the route type, ``route``, ``route_id``,
        ``headsign``, ``trip_id``, ``from``/``to`` names and stop ids,
        ``departure``/``arrival`` clock times, ``minutes``, ``stops``) and
        ``transfer`` legs (``minutes`` from arrival to the next departure,
        ``walk_minutes``, ``min_transfer_minutes``). Leg minutes add up to
        ``total_minutes``.
    """
    note = ""
    if date is None:
        date, why = feed.default_date()
        note = f"no date given: {date} ({why})"
    tt = timetable(feed, date, **opts)
    o = resolve(feed, origin)
    dpl = resolve(feed, destination)
    t0 = _depart_s(depart)
    _, ride, ride_trip, ride_board, walk, walk_from, rounds = _run(tt, o, t0, dpl.stops, max_rounds)
    out: dict[str, Any] = {"from": o.name, "to": dpl.name, "mode": "rail", "date": str(_as_date(date)), "date_note": note,
                           "depart": clock(t0), "arrival": "", "total_minutes": math.nan, "transfers": None, "legs": [],
                           "footpaths": tt.footpaths, "source": feed.source}
    egress = dict(zip(dpl.stops.tolist(), dpl.offset_s.tolist(), strict=True))
    cand = []
    K = int(rounds[0])
    for q, e in egress.items():
        for k in range(K + 1):
            if ride[k, q] < INF:
                cand.append((int(ride[k, q]) + e, k, 0, q))
            if walk[k, q] < INF:
                cand.append((int(walk[k, q]) + e, k, 1, q))
    if not cand:
        return out
    arr_dest, k, kind, q = min(cand)
    steps = _reconstruct(tt, ride, ride_trip, ride_board, walk, walk_from, q, k, "walk" if kind else "ride", o, t0)
    if egress[q] > 0:
        steps.append(("walk", q, -1, steps[-1][4] if steps else t0 + 0, arr_dest, -1))
    out["legs"] = _legs(feed, tt, steps, o, dpl, t0)
    out["arrival"] = clock(arr_dest)
    out["total_minutes"] = (arr_dest - t0) / 60.0
    out["transfers"] = max(0, sum(1 for leg in out["legs"] if leg.get("trip_id")) - 1)
    return out


def _reconstruct(tt: Timetable, ride: np.ndarray, ride_trip: np.ndarray, ride_board: np.ndarray, walk: np.ndarray,
                 walk_from: np.ndarray, q: int, k: int, kind: str, o: StopPlace, t0: int) -> list[tuple[Any, ...]]:
    """Steps ``(kind, from_stop, to_stop, t_start, t_end, day_trip)`` in time order (access offsets as walks)."""
    steps: list[tuple[Any, ...]] = []
    src_t = {int(s): t0 + int(off) for s, off in zip(o.stops, o.offset_s, strict=True)}
    while True:
        if kind == "walk":
            f = int(walk_from[k, q])
            if f < 0:  # the source itself
                break
            start = src_t[f] if k == 0 else int(ride[k, f])
            steps.append(("walk", f, q, start, int(walk[k, q]), -1))
            if k == 0:
                q = f
                break
            q, kind = f, "ride"
            continue
        trip = int(ride_trip[k, q])
        b = int(ride_board[k, q])
        r = int(np.searchsorted(tt.route_trip_ptr, trip, side="right") - 1)
        s0, ns = int(tt.route_stop_ptr[r]), int(tt.route_stop_ptr[r + 1] - tt.route_stop_ptr[r])
        base = int(tt.route_time_ptr[r]) + (trip - int(tt.route_trip_ptr[r])) * ns
        rs = tt.route_stops[s0 : s0 + ns]
        i_q = next(i for i in range(ns) if rs[i] == q and tt.arr_t[base + i] == ride[k, q])
        i_b = max(i for i in range(i_q) if rs[i] == b)
        dep = int(tt.dep_t[base + i_b])
        steps.append(("ride", b, q, dep, int(ride[k, q]), trip, i_b, i_q))
        # predecessor label at b with ready <= dep
        found = None
        for j in range(k - 1, -1, -1):
            if j >= 1 and ride[j, b] < INF and ride[j, b] + tt.change_s[b] <= dep:
                found = (j, "ride")
                break
            if walk[j, b] <= dep:
                found = (j, "walk")
                break
        if found is None:  # cannot happen for labels written by the kernel
            raise RuntimeError("RAPTOR labels are inconsistent")
        k, kind, q = found[0], found[1], b
    if q in src_t and src_t[q] > t0:
        steps.append(("walk", -1, q, t0, src_t[q], -1))
    return steps[::-1]


def _legs(feed: Feed, tt: Timetable, steps: list[tuple[Any, ...]], o: StopPlace, dpl: StopPlace, t0: int) -> list[dict[str, Any]]:
    stops = feed.stops
    names = stops["stop_name"].astype(str).to_numpy()
    sids = stops["stop_id"].astype(str).to_numpy()
    trips = feed.trips
    routes = feed.routes.set_index("route_id") if len(feed.routes) else None

    def nm(i: int, end: StopPlace) -> str:
        return end.name if i < 0 else str(names[i])

    legs: list[dict[str, Any]] = []
    t = t0
    pending_walk: list[tuple[Any, ...]] = []
    last_ride_end: tuple[int, int] | None = None  # (stop, time)
    for st in steps:
        if st[0] == "walk":
            pending_walk.append(st)
            continue
        _, b, q, dep, arr, trip = st[:6]
        i_b, i_q = st[6], st[7]
        if last_ride_end is None:
            for w in pending_walk:
                legs.append(_walk_leg(nm(w[1], o), nm(w[2], o), w[3], w[4], "access walk"))
                t = w[4]
            if dep > t:
                legs.append({"mode": "wait", "from": names[b], "to": names[b], "stop_id": sids[b], "departure": clock(t), "arrival": clock(dep), "minutes": (dep - t) / 60.0})
        else:
            s_prev, t_prev = last_ride_end
            walk_s = sum(w[4] - w[3] for w in pending_walk)
            legs.append({
                "mode": "transfer", "from": names[s_prev], "from_stop_id": sids[s_prev], "to": names[b], "to_stop_id": sids[b],
                "departure": clock(t_prev), "arrival": clock(dep), "minutes": (dep - t_prev) / 60.0,
                "walk_minutes": walk_s / 60.0, "wait_minutes": (dep - t_prev - walk_s) / 60.0,
                "min_transfer_minutes": (walk_s if pending_walk else int(tt.change_s[b])) / 60.0,
            })
        pending_walk = []
        ft = int(tt.trip_feed[trip])
        tr = trips.iloc[ft]
        rid = tr.get("route_id") if "route_id" in trips.columns else None
        rrow = routes.loc[rid] if routes is not None and rid is not None and rid in routes.index else None
        rtype = int(float(rrow["route_type"])) if rrow is not None and pd.notna(rrow["route_type"]) else 2
        short = (rrow["route_short_name"] if rrow is not None and pd.notna(rrow["route_short_name"]) and str(rrow["route_short_name"]) else
                 (rrow["route_long_name"] if rrow is not None and pd.notna(rrow["route_long_name"]) else rid))
        head = tr.get("trip_headsign") if "trip_headsign" in trips.columns else None
        legs.append({
            "mode": ROUTE_MODES.get(rtype, "transit"), "route": None if short is None else str(short), "route_id": rid,
            "headsign": head if isinstance(head, str) and head else None, "trip_id": str(tr["trip_id"]),
            "from": names[b], "from_stop_id": sids[b], "to": names[q], "to_stop_id": sids[q],
            "departure": clock(dep), "arrival": clock(arr), "minutes": (arr - dep) / 60.0, "stops": int(i_q - i_b),
        })
        last_ride_end = (q, arr)
        t = arr
    for w in pending_walk:  # egress
        legs.append(_walk_leg(nm(w[1], dpl), nm(w[2], dpl), w[3], w[4], "egress walk"))
    return legs


def _walk_leg(a: str, b: str, t_from: int, t_to: int, method: str) -> dict[str, Any]:
    return {"mode": "walk", "from": a, "to": b, "departure": clock(t_from), "arrival": clock(t_to), "minutes": (t_to - t_from) / 60.0, "method": method}


# ------------------------------------------------------------------ windows
def parse_window(text: Any) -> tuple[int, int]:
    """``"07:00-09:00"`` (or a pair) -> seconds ``(start, end)``; InputError if malformed or backwards."""
    if isinstance(text, tuple | list) and len(text) == 2:
        a, b = _depart_s(text[0]), _depart_s(text[1])
    else:
        m = re.fullmatch(r"\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*-\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*", str(text))
        if not m:
            raise InputError(f"window {text!r} is not FROM-TO", "write it as HH:MM-HH:MM, e.g. --window 07:00-09:00")
        a, b = _depart_s(m.group(1)), _depart_s(m.group(2))
    if b <= a:
        raise InputError(f"window {text!r} ends before it starts", "give an end after the start, e.g. --window 07:00-09:00 (past midnight: 23:30-24:30)")
    return a, b


def window(feed: Feed, origin: Any, destination: Any, window: Any = "07:00-09:00", *, date: Any = None, step_s: int = 60,
           max_rounds: int = 12, **opts: Any) -> pd.DataFrame:
    """Minutes from ``origin`` to ``destination`` for every departure minute of ``window`` (end excluded).

    Returns
    -------
    DataFrame
        ``depart`` (clock), ``depart_s``, ``arrival``, ``minutes`` (arrival
        minus departure, wait included; NaN if unreachable).
    """
    if date is None:
        date = feed.default_date()[0]
    tt = timetable(feed, date, **opts)
    o, dpl = resolve(feed, origin), resolve(feed, destination)
    a, b = parse_window(window)
    deps = np.arange(a, b, int(step_s), dtype=np.int32)
    best = _window_best(tt, o, deps, dpl.stops, max_rounds)
    arr = (best[:, dpl.stops].astype(np.int64) + dpl.offset_s[None, :]).min(axis=1).astype(float)
    arr[arr >= INF] = np.nan
    return pd.DataFrame({"depart": [clock(float(x)) for x in deps], "depart_s": deps, "arrival": [clock(x) for x in arr],
                         "minutes": (arr - deps) / 60.0})


def _window_best(tt: Timetable, o: StopPlace, deps: np.ndarray, targets: np.ndarray, max_rounds: int) -> np.ndarray:
    fn: Any = raptor_window
    return fn(*tt.kernel_args(), o.stops.astype(np.int32), o.offset_s.astype(np.int32), deps.astype(np.int32),
                         targets.astype(np.int32), int(max_rounds))


def window_percentiles(minutes: Any, q: Sequence[float] = (5, 25, 50, 75, 95)) -> dict[str, float]:
    """Nearest-rank percentiles of minutes over departure minutes; unreachable departures count as infinitely long.

    The index is ``ceil(p / 100 * n) - 1`` of the sorted times, as in R5's
    ``TravelTimeReducer.findPercentileIndex`` (no interpolation); R5 also
    truncates times to whole minutes, geo keeps seconds. As in R5, a
    percentile that falls on an unreachable departure gives NaN (not reachable
    at that percentile), so p95 is NaN when more than 5 % of the departures
    cannot reach the destination.

    Examples
    --------
    >>> window_percentiles([10, 20, 30, 40, float("nan")], q=(20, 50, 100))
    {'p20_minutes': 10.0, 'p50_minutes': 30.0, 'p100_minutes': nan}
    """
    x = np.asarray(minutes["minutes"] if isinstance(minutes, pd.DataFrame) else minutes, dtype=float)
    x = np.sort(np.where(np.isfinite(x), x, np.inf))
    out: dict[str, float] = {}
    for p in q:
        if not len(x):
            out[f"p{p:g}_minutes"] = math.nan
            continue
        rank = max(1, math.ceil(p / 100.0 * len(x)))
        v = float(x[rank - 1])
        out[f"p{p:g}_minutes"] = v if math.isfinite(v) else math.nan
    return out


def window_one_to_all(feed: Feed, origin: Any, window: Any = "07:00-09:00", *, date: Any = None, step_s: int = 60,
                      q: Sequence[float] = (5, 25, 50, 75, 95), max_rounds: int = 12, **opts: Any) -> pd.DataFrame:
    """Per-stop percentiles of minutes over a departure window (the input of isochrones by percentile).

    Returns
    -------
    DataFrame
        ``stop_id, stop_name, stop_lon, stop_lat`` and ``p<q>_minutes`` per
        percentile (nearest rank, unreachable = infinite -> NaN, as
        :func:`window_percentiles`).
    """
    if date is None:
        date = feed.default_date()[0]
    tt = timetable(feed, date, **opts)
    o = resolve(feed, origin)
    a, b = parse_window(window)
    deps = np.arange(a, b, int(step_s), dtype=np.int32)
    best = _window_best(tt, o, deps, np.zeros(0, np.int32), max_rounds).astype(float)
    best[best >= INF] = np.inf
    mins = np.sort((best - deps[:, None]) / 60.0, axis=0)
    out = feed.stops[["stop_id", "stop_name", "stop_lon", "stop_lat"]].copy()
    n = len(deps)
    for p in q:
        rank = max(1, math.ceil(p / 100.0 * n))
        v = mins[rank - 1]
        out[f"p{p:g}_minutes"] = np.where(np.isfinite(v), v, np.nan)
    return out


def percentile_isochrones(
    feed: Feed,
    origin: Any,
    minutes: Any,
    window: Any = "07:00-09:00",
    *,
    percentile: float = 50,
    date: Any = None,
    road: Any = None,
    walk_m: float = 800.0,
    walk_kmh: float = 5.0,
    max_rounds: int = 12,
    method: str = "vector",
    **opts: Any,
) -> Any:
    """Isochrones of the ``percentile``-th travel time over a departure window (R5's isochrones by percentile).

    Every stop takes its ``percentile``-th minutes over the window's
    departure minutes (:func:`window_one_to_all`) and spreads on foot: up to
    ``walk_m`` off-network at ``walk_kmh`` around the stop without ``road``;
    with a road network (walk mode) over its streets too (the stop times seed
    :func:`geo.isochrones.isochrones_from_times` as reached points).

    Returns
    -------
    GeoDataFrame
        The bands of :func:`geo.isochrones.isochrones_from_times`, plus the
        ``percentile`` and ``window`` they describe.

    Caveat: walking between stops and the final walk use straight lines when
    no road network is given; the origin itself is included as reached at 0.
    """
    per = window_one_to_all(feed, origin, window, date=date, q=(percentile,), max_rounds=max_rounds, **opts)
    col = f"p{percentile:g}_minutes"
    reached = per[np.isfinite(per[col].to_numpy(dtype=float))]
    o = resolve(feed, origin)
    lon = np.r_[reached["stop_lon"].to_numpy(dtype=float), o.lon]
    lat = np.r_[reached["stop_lat"].to_numpy(dtype=float), o.lat]
    sec = np.r_[reached[col].to_numpy(dtype=float) * 60.0, 0.0]
    if road is None:
        # a two-node stand-in network (no streets): only the reached points spread on foot
        net = Network.from_edges(np.r_[lon[:1], lon[:1] + 1e-6], np.r_[lat[:1], lat[:1]], np.array([0]), np.array([1]), speed_kmh=walk_kmh, mode="walk")
        node_s = np.full(net.n_nodes, np.inf)
    else:
        net = road
        node_s = np.full(net.n_nodes, np.inf)
        # walk from every reached stop over the streets: the earliest (stop time + walk) per node
        limit_min = float(np.max(np.atleast_1d(np.asarray(minutes, dtype=float))))
        for x, y, t in zip(lon, lat, sec, strict=True):
            if t / 60.0 >= limit_min:
                continue
            try:
                res = routing.search(net, [(x, y)], max_minutes=limit_min - t / 60.0)
            except InputError:  # the stop is off the road network: it still spreads as a point
                continue
            node_s = np.minimum(node_s, t + res.seconds)
    iso = isochrones_from_times(net, node_s, minutes, offnetwork_m=walk_m, offnetwork_speed_kmh=walk_kmh, points=(lon, lat, sec), method=method)
    iso["percentile"] = percentile
    iso["window"] = str(window)
    return iso
