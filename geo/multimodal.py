"""Door-to-door travel by road and rail: access, wait, ride, transfer, egress.

The rail side is a set of :class:`geo.lines.Line` services -- from a GTFS
timetable (:meth:`geo.gtfs.Feed.to_lines`), planned-line specs
(:func:`geo.lines.load_line`) or runs over an OSM rail graph
(:meth:`geo.rail.RailNetwork.as_line`) -- gathered in a :class:`RailContext`.
Stations of different sources are the same station when they have the same
name.

A journey is a shortest path (:func:`geo.routing.graph_search`, the compiled Dijkstra
behind geo's one routing door) over a small time-expanded-by-stop graph:

``origin -> [access leg + parking + boarding] -> station -> [wait = headway/2] ->
ride (run times, dwells at stops passed) -> [alight] -> station ->
(transfer: minimum transfer time -> board again) -> [alighting + pick-up + egress] -> destination``

Access and egress legs are driven or walked on a road :class:`Network` when
one is given and covers the leg; otherwise a **stated fallback** is used:
straight line x ``detour_factor`` at a stated speed, and the leg's
``method`` says so, e.g. ``"fallback: straight line x1.3 at 40 km/h"``.

Examples
--------
>>> from geo.lines import load_line
>>> line = load_line({"name": "L", "run_times_minutes": [20], "headway_minutes": 10, "dwell_minutes": 0,
...     "stations": [{"name": "A", "lon": 0.0, "lat": 0.0}, {"name": "B", "lon": 0.3, "lat": 0.0}]})
>>> j = door_to_door((0.0, 0.01), (0.3, 0.01), RailContext([line]), mode="rail+walk")
>>> [leg.mode for leg in j.legs]
['walk', 'board', 'wait', 'rail', 'alight', 'walk']
>>> round(j.total_minutes, 1)  # 2 x 1.113 km x 1.3 at 5 km/h + 10 board + 5 wait + 20 ride + 5 alight
74.7
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from geo._private.geodesy import haversine_m
from geo.errors import GeoError, InputError
from geo.gazetteer import resolve_place
from geo.gtfs import load_gtfs
from geo.lines import Line, load_line
from geo.modes import DOOR_TO_DOOR_MODES, RAIL_ROAD_MODES, LegMode
from geo.network import Network
from geo.rail import build_rail_network, format_estimate
from geo.results import Leg, Trip
from geo.routing import graph_search, od_matrix, point_seconds, route, search, search_nodes, seeds, snap

MODES = DOOR_TO_DOOR_MODES


@dataclasses.dataclass(frozen=True)
class Options:
    """Assumptions of door-to-door journeys (all stated in the output).

    Attributes
    ----------
    walk_kmh, drive_kmh : float
        Fallback speeds where no road network covers a leg.
    detour_factor : float
        Fallback distance = straight line x this factor.
    boarding_min : float
        From the station entrance to the train (entry, security and ticket
        checks at Chinese stations).
    alighting_min : float
        From the train to the station exit.
    parking_min : float
        Park the car and walk to the entrance (drive access).
    pickup_min : float
        Reach a car or taxi at the exit (drive egress).
    min_transfer_min : float
        Minimum time between alighting and boarding another train.
    default_headway_min : float
        Headway assumed for services with none (single timetabled trips,
        planned lines without a published frequency); the wait is half.
    max_access_km : float or None
        Only stations within this straight-line distance of the origin or
        destination are used for access and egress (default: 100 km driving,
        5 km walking).
    max_snap_m : float
        Largest distance from a point to the road network.
    engine : str
        Shortest-path engine for road legs: ``auto``, ``cch`` or ``dijkstra``
        (:func:`geo.routing.od_matrix`; the same times either way).
    """

    walk_kmh: float = 5.0
    drive_kmh: float = 40.0
    detour_factor: float = 1.3
    boarding_min: float = 10.0
    alighting_min: float = 5.0
    parking_min: float = 5.0
    pickup_min: float = 5.0
    min_transfer_min: float = 10.0
    default_headway_min: float = 60.0
    max_access_km: float | None = None
    max_snap_m: float = 1000.0
    engine: str = "auto"

    def access_km(self, road_mode: str) -> float:
        if self.max_access_km is not None:
            return self.max_access_km
        return 100.0 if road_mode == "drive" else 5.0

    def fallback_kmh(self, road_mode: str) -> float:
        return self.drive_kmh if road_mode == "drive" else self.walk_kmh

    def fallback_method(self, road_mode: str) -> str:
        return f"fallback: straight line x{self.detour_factor:g} at {self.fallback_kmh(road_mode):g} km/h"


@dataclasses.dataclass
class RailContext:
    """Rail services and optional OSM rail graph for multimodal routing.

    Parameters
    ----------
    lines
        Services (:class:`geo.lines.Line`).
    rail
        An OSM :class:`geo.rail.RailNetwork`; when given, stations near the
        origin and destination are also joined by direct runs estimated over
        the graph (``design_speed_kmh`` on high-speed track), an assumption
        stated in the ride leg.
    design_speed_kmh
        Design speed for runs over ``rail``.
    """

    lines: list[Line] = dataclasses.field(default_factory=list)
    rail: Any = None
    design_speed_kmh: float | None = None
    feed: Any = None

    @classmethod
    def from_sources(
        cls,
        *,
        gtfs: Any = None,
        lines: Sequence[Any] = (),
        rail_lines: Any = None,
        rail_stations: Any = None,
        design_speed_kmh: float | None = None,
    ) -> RailContext:
        """Gather services from a GTFS feed, line specs and OSM rail files."""
        out: list[Line] = []
        feed = None
        if gtfs is not None:
            feed = load_gtfs(gtfs)
            out.extend(feed.to_lines())
        out.extend(load_line(s) for s in lines)
        rail = None
        if rail_lines is not None:
            rail = build_rail_network(rail_lines, rail_stations, design_speed_kmh=design_speed_kmh)
        return cls(out, rail, design_speed_kmh, feed)

    def stations(self) -> pd.DataFrame:
        """All stations of the services (first known coordinates per name)."""
        rows: dict[str, tuple[float, float]] = {}
        for line in self.lines:
            for s in line.stations:
                if s.name not in rows or not np.isfinite(rows[s.name][0]):
                    rows[s.name] = (s.lon, s.lat)
        if self.rail is not None:
            for r in self.rail.stations.itertuples(index=False):
                if r.name not in rows or not np.isfinite(rows[r.name][0]):
                    rows[r.name] = (float(r.lon), float(r.lat))
        return pd.DataFrame([(k, v[0], v[1]) for k, v in rows.items()], columns=["name", "lon", "lat"])


# ----------------------------------------------------------------- road legs
def _leg_times(
    road: Network | None, origin: tuple[float, float], points: np.ndarray, road_mode: str, opt: Options, reverse: bool = False
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Minutes, metres and method from ``origin`` to each point (or from each point to it if ``reverse``)."""
    n = len(points)
    crow = haversine_m(origin[0], origin[1], points[:, 0], points[:, 1]) if n else np.zeros(0)
    fb_m = crow * opt.detour_factor
    fb_min = fb_m / 1000.0 / opt.fallback_kmh(road_mode) * 60.0
    minutes = fb_min.copy()
    metres = fb_m.copy()
    method = [opt.fallback_method(road_mode)] * n
    if road is not None and n:
        if reverse:
            od = od_matrix(road, points, [origin], max_snap_m=opt.max_snap_m, engine=opt.engine)
            t = od.sort_values("origin")["minutes"].to_numpy(dtype=float)
        else:
            od = od_matrix(road, [origin], points, max_snap_m=opt.max_snap_m, engine=opt.engine)
            t = od.sort_values("destination")["minutes"].to_numpy(dtype=float)
        ok = np.isfinite(t)
        minutes[ok] = t[ok]
        metres[ok] = np.nan  # filled for the chosen legs by _road_metres
        for i in np.flatnonzero(ok):
            method[i] = f"road network ({road.mode}, {road.meta.get('source', 'in-memory')})"
    return minutes, metres, method


def _road_metres(road: Network, a: tuple[float, float], b: tuple[float, float], opt: Options) -> float:
    try:
        r = route(road, a, b, max_snap_m=opt.max_snap_m, engine=opt.engine)
    except GeoError:  # the leg was routable in od_matrix; metres are a nicety
        return math.nan
    return float(r.metres) if r.reachable else math.nan


# ----------------------------------------------------------------- journey
@dataclasses.dataclass
class Journey:
    """A door-to-door answer: legs and total minutes (NaN if unreachable)."""

    origin: str
    destination: str
    mode: str
    total_minutes: float
    legs: list[Leg]
    assumptions: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: uncertainty band of ``total_minutes`` (NaN where not known) and its evidence: "timetable" or "model"
    minutes_low: float = math.nan
    minutes_high: float = math.nan
    evidence: str | None = None

    @property
    def fallback(self) -> bool:
        return any(leg.is_fallback for leg in self.legs)

    @property
    def km(self) -> float:
        tot = 0.0
        for leg in self.legs:
            if leg.metres is not None and math.isfinite(leg.metres):
                tot += leg.metres
        return tot / 1000.0

    def to_dict(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, np.floating | np.integer):
                return clean(v.item())
            return v

        return {
            "from": self.origin,
            "to": self.destination,
            "mode": self.mode,
            "total_minutes": clean(round(self.total_minutes, 2) if math.isfinite(self.total_minutes) else math.nan),
            "minutes_low": clean(round(self.minutes_low, 2) if math.isfinite(self.minutes_low) else math.nan),
            "minutes_high": clean(round(self.minutes_high, 2) if math.isfinite(self.minutes_high) else math.nan),
            "evidence": self.evidence,
            "fallback": self.fallback,
            "legs": [leg.to_dict() for leg in self.legs],
            "assumptions": self.assumptions,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame([leg.to_dict(clean=False) for leg in self.legs])

    def __str__(self) -> str:
        if not math.isfinite(self.total_minutes):
            return f"{self.origin} -> {self.destination} by {self.mode}: unreachable"
        if self.evidence:
            head = format_estimate(self.total_minutes, self.minutes_low, self.minutes_high, self.evidence)
        else:
            head = f"{self.total_minutes:.1f} min"
        out = [f"{self.origin} -> {self.destination} by {self.mode}: {head}"]
        for leg in self.legs:
            m = leg.metres
            dist = f", {m / 1000:.1f} km" if m is not None and math.isfinite(m) and m > 0 else ""
            extra = leg.method or leg.line or leg.note or ""
            out.append(f"  {leg.mode:<7} {leg.from_name} -> {leg.to_name}: {leg.minutes:.1f} min{dist}" + (f"  [{extra}]" if extra else ""))
        return "\n".join(out)


class _Graph:
    def __init__(self) -> None:
        self.u: list[int] = []
        self.v: list[int] = []
        self.w: list[float] = []
        self.info: list[dict[str, Any]] = []
        self.n = 0

    def node(self) -> int:
        self.n += 1
        return self.n - 1

    def edge(self, u: int, v: int, w: float, **info: Any) -> None:
        if not math.isfinite(w) or w < 0:
            return
        self.u.append(u)
        self.v.append(v)
        self.w.append(w)
        self.info.append(info)

    def solve(self, source: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u = np.asarray(self.u, dtype=np.int64)
        order = np.argsort(u, kind="stable")
        indptr = np.searchsorted(u[order], np.arange(self.n + 1)).astype(np.int64)
        v = np.asarray(self.v, dtype=np.int64)[order]
        w = np.asarray(self.w, dtype=np.float64)[order]

        dist, pred, _, _ = graph_search(indptr, v, w, np.array([source], dtype=np.int64))
        return dist, pred, order


def _build_rail_graph(ctx: RailContext, opt: Options, g: _Graph) -> tuple[dict[str, int], dict[str, int], list[Line]]:
    lines = list(ctx.lines)
    s_in: dict[str, int] = {}
    s_out: dict[str, int] = {}

    def station(name: str) -> None:
        if name not in s_in:
            s_in[name] = g.node()
            s_out[name] = g.node()
            g.edge(s_out[name], s_in[name], opt.min_transfer_min * 60.0, kind="transfer", station=name)

    for li, line in enumerate(lines):
        headway = line.headway_min if line.headway_min else opt.default_headway_min
        assumed = not line.headway_min
        for s in line.stations:
            station(s.name)
        n = len(line.stations)
        dirs = [list(range(n))] + ([] if line.one_way else [list(range(n - 1, -1, -1))])
        for seq in dirs:
            arr = [g.node() for _ in seq]
            dep = [g.node() for _ in seq]
            for k, i in enumerate(seq):
                st = line.stations[i]
                if k < len(seq) - 1:
                    g.edge(s_in[st.name], dep[k], headway * 30.0, kind="wait", station=st.name, line=li, headway=headway, assumed=assumed)
                    j = seq[k + 1]
                    run = line.run_to(i, j)
                    g.edge(dep[k], arr[k + 1], run, kind="ride", line=li, a=i, b=j)
                if 0 < k < len(seq) - 1:
                    g.edge(arr[k], dep[k], st.dwell_s, kind="dwell", line=li, station=st.name)
                if k > 0:
                    g.edge(arr[k], s_out[st.name], 0.0, kind="alight", station=st.name, line=li)
    return s_in, s_out, lines


def _osm_runs(ctx: RailContext, names_a: Sequence[str], names_b: Sequence[str]) -> list[Line]:
    """Direct runs over the OSM rail graph between candidate stations (both ways)."""
    out = []
    rail = ctx.rail
    have = set(rail.stations["name"])
    for a in names_a:
        for b in names_b:
            if a == b or a not in have or b not in have:
                continue
            try:
                line = rail.as_line([a, b], name=f"OSM rail run {a}–{b}", design_speed_kmh=ctx.design_speed_kmh)
            except GeoError:  # not connected
                continue
            out.append(line)
    return out


def door_to_door(
    origin: Any,
    destination: Any,
    ctx: RailContext,
    *,
    mode: str = "rail+drive",
    road: Network | None = None,
    egress_road: Network | None = None,
    options: Options | None = None,
    max_stations: int = 6,
) -> Journey:
    """Fastest door-to-door journey by rail with road access and egress.

    Parameters
    ----------
    origin, destination
        ``(lon, lat)`` or a place name / ``"lon,lat"`` (:func:`geo.gazetteer.resolve_place`).
    ctx
        Rail services.
    mode
        ``rail+drive``, ``rail+walk`` or ``rail`` (station to station: the
        nearest stations stand for the places, access/egress not counted).
    road, egress_road
        Road networks for the access and egress legs (default: ``road`` for
        both). Legs they do not cover use the stated fallback.
    options
        Assumptions, see :class:`Options`.
    max_stations
        Candidate stations per end (nearest first, within ``max_access_km``).
    """
    rail_modes = ("rail", *RAIL_ROAD_MODES)
    if mode not in rail_modes:
        raise InputError(f"door_to_door mode {mode!r} is not a rail mode", f"use {', '.join(rail_modes)}")
    opt = options or Options()
    o_name, o = _place(origin)
    d_name, d = _place(destination)
    road_mode: LegMode = "drive" if mode == "rail+drive" else "walk"
    egress_road = egress_road if egress_road is not None else road
    stations = ctx.stations().dropna(subset=["lon", "lat"]).reset_index(drop=True)
    if stations.empty:
        raise InputError("no rail station with coordinates is known", "give a GTFS feed (--gtfs), a line spec (--line) or OSM rail (--rail, --stations)")
    pts = stations[["lon", "lat"]].to_numpy(dtype=float)
    lim_km = opt.access_km(road_mode) if mode != "rail" else opt.access_km("walk")
    cand_a = _candidates(o, pts, lim_km, max_stations)
    cand_b = _candidates(d, pts, lim_km, max_stations)
    if not len(cand_a) or not len(cand_b):
        far = o_name if not len(cand_a) else d_name
        raise InputError(
            f"no station within {lim_km:g} km of {far}",
            "use rail+drive for longer access legs, or raise Options.max_access_km",
        )
    if ctx.rail is not None:
        extra = _osm_runs(ctx, stations["name"].iloc[cand_a].tolist(), stations["name"].iloc[cand_b].tolist())
        ctx = dataclasses.replace(ctx, lines=list(ctx.lines) + extra)
    g = _Graph()
    src, dst = g.node(), g.node()
    s_in, s_out, lines = _build_rail_graph(ctx, opt, g)
    if mode == "rail":
        acc_min = np.zeros(len(cand_a))
        acc_m = haversine_m(o[0], o[1], pts[cand_a, 0], pts[cand_a, 1])
        acc_meth = ["nearest station stands for the place (not counted)"] * len(cand_a)
        egr_min = np.zeros(len(cand_b))
        egr_m = haversine_m(d[0], d[1], pts[cand_b, 0], pts[cand_b, 1])
        egr_meth = ["nearest station stands for the place (not counted)"] * len(cand_b)
        # only the nearest station at each end
        cand_a, acc_min, acc_m = cand_a[:1], acc_min[:1], acc_m[:1]
        cand_b, egr_min, egr_m = cand_b[:1], egr_min[:1], egr_m[:1]
        board = alight = park = pick = 0.0
    else:
        acc_min, acc_m, acc_meth = _leg_times(road, o, pts[cand_a], road_mode, opt)
        egr_min, egr_m, egr_meth = _leg_times(egress_road, d, pts[cand_b], road_mode, opt, reverse=True)
        board, alight = opt.boarding_min, opt.alighting_min
        park = opt.parking_min if road_mode == "drive" else 0.0
        pick = opt.pickup_min if road_mode == "drive" else 0.0
    for k, i in enumerate(cand_a):
        name = str(stations["name"].iloc[i])
        if name in s_in:
            g.edge(src, s_in[name], (acc_min[k] + park + board) * 60.0, kind="access", station=name, k=k)
    for k, i in enumerate(cand_b):
        name = str(stations["name"].iloc[i])
        if name in s_out:
            g.edge(s_out[name], dst, (egr_min[k] + alight + pick) * 60.0, kind="egress", station=name, k=k)
    dist, pred, order = g.solve(src)
    assumptions = dataclasses.asdict(opt)
    if not np.isfinite(dist[dst]):
        return Journey(o_name, d_name, mode, math.nan, [], assumptions)
    # walk back
    info = [g.info[i] for i in order]
    uu = np.asarray(g.u, dtype=np.int64)[order]
    path = []
    node = dst
    while pred[node] >= 0:
        e = int(pred[node])
        path.append((e, info[e]))
        node = int(uu[e])
    path.reverse()
    w = np.asarray(g.w, dtype=np.float64)[order]
    legs: list[Leg] = []
    ride: dict[str, Any] | None = None
    for e, inf in path:
        kind = inf["kind"]
        if kind == "access":
            k = inf["k"]
            m = acc_m[k]
            if road is not None and not acc_meth[k].startswith("fallback") and mode != "rail":
                m = _road_metres(road, o, tuple(pts[cand_a[k]]), opt)
            legs.append(Leg(road_mode if mode != "rail" else "access", o_name, inf["station"], float(acc_min[k]), metres=float(m), method=acc_meth[k]))
            if park:
                legs.append(Leg("park", inf["station"], inf["station"], park, method="assumed parking and walk to the entrance"))
            if board:
                legs.append(Leg("board", inf["station"], inf["station"], board, method="assumed entry, security and ticket check"))
        elif kind == "wait":
            line = lines[inf["line"]]
            how = f"half the assumed {inf['headway']:g}-min headway" if inf["assumed"] else f"half the {inf['headway']:g}-min headway"
            legs.append(Leg("wait", inf["station"], inf["station"], float(w[e]) / 60.0, method=how, line=line.name))
        elif kind in ("ride", "dwell"):
            line = lines[inf["line"]]
            if ride is None:
                a = line.stations[inf["a"]].name
                ride = {"from_name": a, "to_name": a, "minutes": 0.0, "metres": 0.0, "line": line.name, "stops_between": -1,
                        "evidence": line.evidence or "timetable", "calibration": line.calibration, "notes": set()}  # fmt: skip
            ride["minutes"] += w[e] / 60.0
            if kind == "ride":
                sa, sb = line.stations[inf["a"]], line.stations[inf["b"]]
                ride["to_name"] = sb.name
                ride["metres"] += abs(sb.km - sa.km) * 1000.0
                ride["stops_between"] += 1
                for s in (sa, sb):
                    if "assumed" in s.source:
                        ride["notes"].add(f"{s.name}: {s.source}")
        elif kind == "alight":
            if ride is not None:
                notes = ride.pop("notes")
                legs.append(Leg("rail", **ride, note="; ".join(sorted(notes)) if notes else None))
            ride = None
        elif kind == "transfer":
            legs.append(Leg("transfer", inf["station"], inf["station"], float(w[e]) / 60.0, method="minimum transfer time"))
        elif kind == "egress":
            k = inf["k"]
            if alight:
                legs.append(Leg("alight", inf["station"], inf["station"], alight, method="assumed platform to exit"))
            if pick:
                legs.append(Leg("pickup", inf["station"], inf["station"], pick, method="assumed reaching a car or taxi"))
            m = egr_m[k]
            if egress_road is not None and not egr_meth[k].startswith("fallback") and mode != "rail":
                m = _road_metres(egress_road, tuple(pts[cand_b[k]]), d, opt)
            legs.append(Leg(road_mode if mode != "rail" else "egress", inf["station"], d_name, float(egr_min[k]), metres=float(m), method=egr_meth[k]))
    legs = [leg for leg in legs if not (leg.mode in ("access", "egress") and leg.minutes == 0 and (leg.metres or 0) == 0)]
    return Journey(o_name, d_name, mode, float(dist[dst]) / 60.0, legs, assumptions)


def _candidates(p: tuple[float, float], pts: np.ndarray, lim_km: float, k: int) -> np.ndarray:
    d = haversine_m(p[0], p[1], pts[:, 0], pts[:, 1]) / 1000.0
    idx = np.argsort(d)
    idx = idx[d[idx] <= lim_km]
    return idx[:k]


def _place(p: Any) -> tuple[str, tuple[float, float]]:
    if isinstance(p, tuple | list | np.ndarray) and len(p) == 2:
        lon, lat = float(p[0]), float(p[1])
        return f"{lon:.4f},{lat:.4f}", (lon, lat)
    if hasattr(p, "lon") and hasattr(p, "lat"):
        return str(getattr(p, "name", f"{p.lon:.4f},{p.lat:.4f}")), (float(p.lon), float(p.lat))

    hit = resolve_place(str(p))
    return hit.name, (hit.lon, hit.lat)


def road_trip(origin: Any, destination: Any, road: Network | None, mode: str = "drive", options: Options | None = None) -> Journey:
    """A road-only journey (``drive`` or ``walk``) with the same leg format; stated fallback without a network."""
    opt = options or Options()
    o_name, o = _place(origin)
    d_name, d = _place(destination)
    mins, metres, meth = _leg_times(road, o, np.array([d]), mode, opt)
    m = float(metres[0])
    if road is not None and not meth[0].startswith("fallback"):
        m = _road_metres(road, o, d, opt)
    leg = Leg(cast(LegMode, mode), o_name, d_name, float(mins[0]), metres=m, method=meth[0])
    return Journey(o_name, d_name, mode, float(mins[0]), [leg], dataclasses.asdict(opt))


# ------------------------------------------------------------ isochrone field
def multimodal_node_seconds(
    road: Network,
    ctx: RailContext,
    origin: Any,
    *,
    mode: str = "rail+walk",
    max_minutes: float | None = None,
    options: Options | None = None,
) -> np.ndarray:
    """Seconds from ``origin`` to every node of ``road`` by road alone or road + rail (NaN unreached).

    Feed the result to :func:`geo.isochrones.isochrones_from_times` for
    rail+walk / rail+drive isochrones. Stations off the road network are
    reached by the stated straight-line fallback.

    Examples
    --------
    >>> from geo.lines import load_line
    >>> from geo.network import Network
    >>> # two 1.1 km streets 33 km apart, joined by a 20-min train every 10 min
    >>> road = Network.from_edges([0, 0.01, 0.3, 0.31], [0, 0, 0, 0], [0, 1, 2, 3], [1, 0, 3, 2], speed_kmh=5)
    >>> line = load_line({"name": "L", "run_times_minutes": [20], "headway_minutes": 10, "dwell_minutes": 0,
    ...     "stations": [{"name": "A", "lon": 0.01, "lat": 0.0}, {"name": "B", "lon": 0.3, "lat": 0.0}]})
    >>> t = multimodal_node_seconds(road, RailContext([line]), (0.0, 0.0), mode="rail+walk")
    >>> np.round(t / 60, 1).tolist()  # 13.3 walk + 10 board + 5 wait + 20 ride + 5 alight (+ 13.3 walk)
    [0.0, 13.3, 53.3, 66.7]
    """
    opt = options or Options()
    field_modes = ("walk", "drive", *RAIL_ROAD_MODES)
    if mode not in field_modes:
        raise InputError(f"mode {mode!r} has no node-time field", f"use {', '.join(field_modes)}")
    road_mode = "drive" if mode.endswith("drive") else "walk"
    _, o = _place(origin)
    limit = math.inf if max_minutes is None else float(max_minutes) * 60.0
    res = search(road, [o], max_minutes=max_minutes, max_snap_m=opt.max_snap_m)
    direct = res.seconds.copy()
    if mode in ("walk", "drive"):
        return np.where(np.isfinite(direct) & (direct <= limit), direct, np.nan)
    stations = ctx.stations().dropna(subset=["lon", "lat"]).reset_index(drop=True)
    if stations.empty:
        return np.where(np.isfinite(direct), direct, np.nan)
    pts = stations[["lon", "lat"]].to_numpy(dtype=float)
    g = _Graph()
    src = g.node()
    s_in, s_out, _ = _build_rail_graph(ctx, opt, g)
    # access: road seconds at each station (snapped), fallback beyond the road network
    sn = snap(road, pts, max_snap_m=opt.max_snap_m, errors="nan")
    acc_s = point_seconds(road, res.seconds, sn, road.reverse_edge())
    crow = haversine_m(o[0], o[1], pts[:, 0], pts[:, 1])
    fb = crow * opt.detour_factor / (opt.fallback_kmh(road_mode) / 3.6)
    acc_s = np.where(np.isfinite(acc_s), acc_s, fb)
    park = opt.parking_min if road_mode == "drive" else 0.0
    for i, name in enumerate(stations["name"].tolist()):
        if name in s_in and crow[i] <= opt.access_km(road_mode) * 1000.0:
            g.edge(src, s_in[name], acc_s[i] + (park + opt.boarding_min) * 60.0)
    dist, _, _ = g.solve(src)
    arr = np.array([dist[s_out[n]] if n in s_out else np.inf for n in stations["name"]])
    pick = opt.pickup_min if road_mode == "drive" else 0.0
    arr = arr + (opt.alighting_min + pick) * 60.0
    ok = np.isfinite(arr) & (sn.edge >= 0) & (arr <= limit)
    out = direct
    if ok.any():
        s2 = dataclasses.replace(sn, edge=sn.edge[ok], fraction=sn.fraction[ok], distance_m=sn.distance_m[ok], access_s=sn.access_s[ok])
        nodes, costs, labs = seeds(road, s2, np.arange(int(ok.sum())))
        costs = costs + arr[ok][labs]
        d2 = search_nodes(road, nodes, costs, labs, limit_s=limit).seconds
        out = np.minimum(direct, d2)
    return np.where(np.isfinite(out) & (out <= limit), out, np.nan)


# ------------------------------------------------------------------ claims
def claim_trips(mode: str, inputs: Any, a: Any, bs: Sequence[Any], options: Mapping[str, Any]) -> list[Trip]:
    """Door-to-door journeys for :mod:`geo.claims` (``rail+drive`` / ``rail+walk``), one :class:`~geo.results.Trip` per place."""
    rail = dict(getattr(inputs, "rail", {}) or {})

    lines = [x for x in (rail.get("lines") or []) if Path(str(x)).exists()]
    gtfs = rail.get("gtfs") if rail.get("gtfs") is not None and Path(str(rail.get("gtfs"))).exists() else None
    ctx = RailContext.from_sources(
        gtfs=gtfs,
        lines=lines,
        rail_lines=rail.get("osm_lines"),
        rail_stations=rail.get("stations"),
        design_speed_kmh=rail.get("design_speed_kmh"),
    )
    road_mode = "drive" if mode == "rail+drive" else "walk"
    nets = inputs.road_networks(road_mode) if hasattr(inputs, "road_networks") else []
    road = nets[0] if nets else None
    known = {f.name for f in dataclasses.fields(Options)}
    vals: dict[str, Any] = {k: (str(v) if k == "engine" else float(v)) for k, v in dict(options).items() if k in known}
    opt = Options(**vals)
    out = []
    for b in bs:
        j = door_to_door(a, b, ctx, mode=mode, road=road, options=opt)
        note = "; ".join(sorted({str(leg.method) for leg in j.legs if leg.is_fallback}))
        out.append(Trip(j.total_minutes, tuple(j.legs), km=j.km if j.legs else math.nan, fallback=j.fallback, note=note))
    return out
