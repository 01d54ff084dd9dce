"""Planned rail lines from a YAML spec, and the :class:`Line` used by multimodal routing.

A line spec describes a line that is in no timetable yet::

    name: Xi'an–Ankang HSR (西康高铁)
    source: {url: ..., date: ...}       # where stations and speed come from
    design_speed_kmh: 350               # or run_times_minutes: [..] per section
    length_km: 170.926                  # optional published length
    dwell_minutes: 2                    # dwell at each intermediate stop
    headway_minutes: 30                 # optional; half of it is the wait
    stations:
      - 西安东                          # a name: looked up in the gazetteer
      - {name: 柞水西, lon: 109.0955, lat: 33.66025}   # or coordinates
      - {name: 桐木, position: unknown}  # a stop whose site is not published
      - {name: 安康西, km: 170.926}      # or a chainage
      # hub: true on a station marks a junction station (geo.rail.RailNetwork.is_hub)

Chainages (km along the line) come from ``km`` where given, otherwise from
the straight-line distance between consecutive stations times
``detour_factor`` (default 1.0), scaled so that the last station sits at
``length_km`` when both are known. A stop with an unknown site between two
known ones is placed midway (stated in :attr:`LineStation.source`); the last
station with no site sits at ``length_km``.

Run times per section: given (``run_times_minutes``) or estimated with the
calibrated train run-time model (:class:`geo._private.runtime.Calibration`:
acceleration, braking, top speed = design speed, stop loss,
running-time supplement, and the hub arrival allowance on runs arriving at a
station marked ``hub: true``, a junction station where three or more named
lines meet, as :meth:`geo.rail.RailNetwork.is_hub` finds in OSM; a ``train:`` mapping in the spec switches to the bare
physics model with that train). Either way a planned line is *modelled*
(``Line.evidence == "model"``).

Examples
--------
>>> line = load_line({"name": "L", "design_speed_kmh": 200, "dwell_minutes": 2,
...     "stations": [{"name": "A", "km": 0}, {"name": "B", "km": 50}, {"name": "C", "km": 100}]})
>>> r = station_to_station(line, "A", "C")
>>> r["km"], r["stops_between"], 35 < r["minutes"] < 50
(100.0, 1, True)
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo._private.geodesy import haversine_m
from geo._private.runtime import TrainModel, load_calibration, pure_running_time
from geo._private.yamlio import load_yaml
from geo.errors import InputError, check_keys
from geo.gazetteer import resolve_place


@dataclasses.dataclass(frozen=True)
class LineStation:
    """A stop of a line: name, WGS84 point (NaN if unknown), chainage km, dwell seconds.

    ``arrival_s``: seconds added to every run that arrives here, in either
    direction (the calibrated hub arrival allowance at a junction station,
    :meth:`geo.rail.RailNetwork.is_hub`; 0 elsewhere).
    """

    name: str
    lon: float
    lat: float
    km: float
    dwell_s: float = 0.0
    source: str = ""
    arrival_s: float = 0.0


@dataclasses.dataclass(frozen=True)
class Line:
    """A rail service: ordered stops with section run times (seconds), dwells and a headway.

    Built by :func:`load_line` (planned lines), :meth:`geo.gtfs.Feed.to_lines`
    (timetables) or :meth:`geo.rail.RailNetwork.as_line` (OSM geometry).
    Lines are ridden in both directions unless ``one_way``.
    """

    name: str
    stations: list[LineStation]
    run_s: list[float]
    headway_min: float | None = None
    source: str = ""
    departures_s: list[float] | None = None
    one_way: bool = False
    design_speed_kmh: float | None = None
    #: "model" for planned lines and OSM runs (with the calibration version), "" where not stated (timetables)
    evidence: str = ""
    calibration: str = ""

    def index(self, name: str) -> int | None:
        for i, s in enumerate(self.stations):
            if s.name == name:
                return i
        return None

    def run_to(self, i: int, j: int) -> float:
        """Run seconds from stop ``i`` to the adjacent stop ``j`` (either direction), arrival allowance at ``j`` included."""
        return self.run_s[min(i, j)] + self.stations[j].arrival_s

    def between(self, i: int, j: int) -> tuple[float, float, float]:
        """(run seconds, dwell seconds, km) from stop ``i`` to stop ``j`` (either direction).

        The run includes the arrival allowance of every stop after ``i`` up to ``j``.
        """
        lo, hi = min(i, j), max(i, j)
        step = 1 if j > i else -1
        run = sum(self.run_to(k, k + step) for k in range(i, j, step))
        dwell = sum(s.dwell_s for s in self.stations[lo + 1 : hi])
        km = abs(self.stations[j].km - self.stations[i].km)
        return run, dwell, km

    @property
    def table(self) -> Any:
        """Stations as a DataFrame (``name, lon, lat, km, dwell_minutes, minutes_from_start``)."""
        t = [0.0]
        for k in range(1, len(self.stations)):
            t.append(t[-1] + self.run_to(k - 1, k) / 60 + (self.stations[k - 1].dwell_s / 60 if k > 1 else 0.0))
        return pd.DataFrame(
            {
                "name": [s.name for s in self.stations],
                "lon": [s.lon for s in self.stations],
                "lat": [s.lat for s in self.stations],
                "km": [s.km for s in self.stations],
                "dwell_minutes": [s.dwell_s / 60 for s in self.stations],
                "minutes_from_start": t,
                "position": [s.source for s in self.stations],
            }
        )


def station_to_station(line: Line, a: str, b: str) -> dict[str, Any] | None:
    """In-vehicle minutes from stop ``a`` to ``b`` on ``line`` (dwells at stops between included), or None.

    Returns ``{minutes, km, stops_between, run_minutes, dwell_minutes, line, note}``.
    """
    i, j = line.index(a), line.index(b)
    if i is None or j is None or i == j or (line.one_way and j < i):
        return None
    run, dwell, km = line.between(i, j)
    notes = sorted({s.source for s in line.stations[min(i, j) : max(i, j) + 1] if "assumed" in s.source})
    step = 1 if j > i else -1
    notes += [
        f"{s.arrival_s / 60:.1f} min of it the hub arrival allowance at {s.name}"
        for s in (line.stations[k] for k in range(i + step, j + step, step))
        if s.arrival_s > 0
    ]
    return {
        "minutes": (run + dwell) / 60.0,
        "km": km,
        "stops_between": abs(j - i) - 1,
        "run_minutes": run / 60.0,
        "dwell_minutes": dwell / 60.0,
        "line": line.name,
        "note": "; ".join(notes),
    }


#: keys of a planned-line spec and of one of its stations; any other key is an error naming the closest one
LINE_KEYS = (
    "name", "source", "notes", "stations", "design_speed_kmh", "run_times_minutes", "dwell_minutes",
    "headway_minutes", "length_km", "detour_factor", "train", "one_way",
)  # fmt: skip
LINE_SOURCE_KEYS = ("title", "publisher", "author", "url", "urls", "date", "dates", "file", "quote", "note", "via")
STATION_KEYS = ("name", "lon", "lat", "km", "dwell_minutes", "position", "source", "note", "hub")


def _num(d: Mapping[str, Any], key: str, where: str, positive: bool = True) -> float | None:
    if key not in d or d[key] is None:
        return None
    try:
        v = float(d[key])
    except (TypeError, ValueError):
        raise InputError(f"{where}: {key} must be a number, got {d[key]!r}", f"write e.g. {key}: 350") from None
    if not math.isfinite(v) or (positive and v <= 0) or v < 0:
        raise InputError(f"{where}: {key} must be {'positive' if positive else '>= 0'}, got {d[key]!r}", f"write e.g. {key}: 350")
    return v


def load_line(spec: Any, *, train: TrainModel | None = None) -> Line:
    """Load a planned-line spec (YAML file path or mapping) into a :class:`Line`.

    Raises
    ------
    InputError
        Naming the file and field: missing stations, unknown station names
        (with close matches), neither design speed nor run times, wrong
        number of run times, negative dwell, chainages out of order.
    """
    if isinstance(spec, Line):
        return spec
    if isinstance(spec, Mapping):
        d, where, base = dict(spec), "line spec", None
    else:
        p = Path(spec).expanduser()
        if not p.exists():
            raise InputError(f"line spec {str(p)!r} does not exist", "check the path (--line SPEC.yaml)")
        d = load_yaml(p)
        where, base = str(p), p.parent
        if not isinstance(d, Mapping):
            raise InputError(f"{p}: a line spec must be a mapping", "write name:, design_speed_kmh:, stations: [...]")
        d = dict(d)
    del base
    check_keys(d, LINE_KEYS, where)
    if isinstance(d.get("source"), Mapping):
        check_keys(d["source"], LINE_SOURCE_KEYS, f"{where} source")
    name = str(d.get("name") or "planned line")
    raw = d.get("stations")
    if not isinstance(raw, list) or len(raw) < 2:
        raise InputError(f"{where}: field 'stations' must list at least two stations", "write stations: [西安东, 柞水西, ...]")
    speed = _num(d, "design_speed_kmh", where)
    run_given = d.get("run_times_minutes")
    if speed is None and run_given is None:
        raise InputError(f"{where}: give design_speed_kmh or run_times_minutes", "write e.g. design_speed_kmh: 350")
    dwell_s = (_num(d, "dwell_minutes", where, positive=False) or 0.0) * 60.0 if "dwell_minutes" in d else 120.0
    headway = _num(d, "headway_minutes", where)
    length = _num(d, "length_km", where)
    detour = _num(d, "detour_factor", where) or 1.0
    if detour < 1.0:
        raise InputError(f"{where}: detour_factor must be >= 1, got {detour}", "write e.g. detour_factor: 1.1")
    # ---- resolve stations
    rows: list[dict[str, Any]] = []
    for k, s in enumerate(raw):
        w = f"{where}: stations[{k}]"
        if isinstance(s, str):
            s = {"name": s}
        if not isinstance(s, Mapping) or not s.get("name"):
            raise InputError(f"{w} must be a name or a mapping with name", "write - 西安东 or - {name: 柞水西, lon: 109.0955, lat: 33.66025}")
        check_keys(s, STATION_KEYS, w)
        r: dict[str, Any] = {"name": str(s["name"]), "lon": math.nan, "lat": math.nan, "km": math.nan, "source": ""}
        if "km" in s:
            r["km"] = _num(s, "km", w, positive=False)
        if "dwell_minutes" in s:
            r["dwell_s"] = (_num(s, "dwell_minutes", w, positive=False) or 0.0) * 60.0
        if "hub" in s:
            if not isinstance(s["hub"], bool):
                raise InputError(f"{w}: hub must be true or false, got {s['hub']!r}", "write {name: 西安东, hub: true} for a junction station")
            r["hub"] = s["hub"]
        if "lon" in s or "lat" in s:
            try:
                r["lon"], r["lat"] = float(s["lon"]), float(s["lat"])
            except (KeyError, TypeError, ValueError):
                raise InputError(f"{w}: lon and lat must both be numbers", "write {name: X, lon: 109.09, lat: 33.66} (WGS84)") from None
            if not (-180 <= r["lon"] <= 180 and -90 <= r["lat"] <= 90):
                raise InputError(f"{w}: ({r['lon']}, {r['lat']}) is not a lon,lat pair", "give longitude first, WGS84 degrees")
            r["source"] = "given coordinates"
        elif str(s.get("position", "")).lower() == "unknown":
            r["source"] = "site unknown"
        elif math.isnan(r["km"]):
            try:
                hit = resolve_place(r["name"])
            except InputError as exc:
                raise InputError(
                    f"{w}: {exc.problem}",
                    "give coordinates {name: X, lon: .., lat: ..}, a chainage {name: X, km: ..}, or position: unknown",
                ) from None
            r["lon"], r["lat"], r["source"] = hit.lon, hit.lat, f"gazetteer: {hit.source}"
        rows.append(r)
    names = [r["name"] for r in rows]
    if len(set(names)) != len(names):
        raise InputError(f"{where}: a station is listed twice", "list each station once, in running order")
    _chainages(rows, length, detour, where)
    # ---- run times
    n = len(rows)
    cal = None
    if run_given is not None:
        if not isinstance(run_given, list) or len(run_given) != n - 1:
            raise InputError(
                f"{where}: run_times_minutes must list {n - 1} section times for {n} stations",
                "give one run time (minutes, without dwell) per pair of consecutive stations",
            )
        run_s = []
        for k, x in enumerate(run_given):
            try:
                v = float(x)
            except (TypeError, ValueError):
                raise InputError(f"{where}: run_times_minutes[{k}] must be a number, got {x!r}", "write minutes, e.g. 12.5") from None
            if not v > 0:
                raise InputError(f"{where}: run_times_minutes[{k}] must be positive, got {x!r}", "write minutes, e.g. 12.5")
            run_s.append(v * 60.0)
    else:
        assert speed is not None

        custom = train is not None or "train" in d
        cal = None if custom else load_calibration()
        tm = train or TrainModel(max_speed_kmh=speed)
        if "train" in d and isinstance(d["train"], Mapping):
            try:
                tm = dataclasses.replace(tm, **{k: float(v) for k, v in d["train"].items()})
            except TypeError as exc:
                raise InputError(f"{where}: train: {exc}", f"use fields of TrainModel: {', '.join(f.name for f in dataclasses.fields(TrainModel))}") from None
        tm.check()
        run_s = []
        for k in range(n - 1):
            dist = (rows[k + 1]["km"] - rows[k]["km"]) * 1000.0
            if not math.isfinite(dist):
                run_s.append(math.nan)
                continue
            if cal is not None:  # calibrated: stop loss, supplement (no curves: geometry unknown)
                t, _ = cal.section_seconds(np.array([dist]), np.array([float(speed)]), tm)
                run_s.append(t)
            else:
                t, _ = pure_running_time([dist], [speed], tm)
                run_s.append(t * (1.0 + tm.supplement))
    # hub arrival allowance: calibrated runs only (given run times are as published; a custom train is bare physics)
    hub_s = float(cal.params["hub_arrival_s"]) if cal is not None else 0.0
    stations = [
        LineStation(
            r["name"], r["lon"], r["lat"], r["km"], 0.0 if k in (0, n - 1) else r.get("dwell_s", dwell_s), r["source"], hub_s if r.get("hub") else 0.0
        )
        for k, r in enumerate(rows)
    ]
    version = cal.version if cal is not None else ""
    return Line(
        name,
        stations,
        run_s,
        headway,
        source=str(d.get("source", "")),
        one_way=bool(d.get("one_way", False)),
        design_speed_kmh=speed,
        evidence="model",
        calibration=version,
    )


def _chainages(rows: list[dict[str, Any]], length: float | None, detour: float, where: str) -> None:
    n = len(rows)
    if math.isnan(rows[0]["km"]):
        rows[0]["km"] = 0.0
    # straight-line chainage between consecutive known points
    known = [k for k, r in enumerate(rows) if not math.isnan(r["lon"]) or not math.isnan(r["km"])]
    for a, b in itertools.pairwise(known):
        if not math.isnan(rows[b]["km"]):
            continue
        if math.isnan(rows[a]["lon"]) or math.isnan(rows[b]["lon"]):
            continue
        d = float(haversine_m(rows[a]["lon"], rows[a]["lat"], rows[b]["lon"], rows[b]["lat"])) / 1000.0 * detour
        rows[b]["km"] = rows[a]["km"] + d
        rows[b]["source"] += f"; km from straight line x{detour:g}"
    last = rows[-1]
    if length is not None:
        if math.isnan(last["km"]):
            last["km"] = length
            last["source"] = f"site unknown; km = published length {length:g}"
        elif "straight line" in last["source"] and last["km"] > 0:
            f = length / last["km"]
            for r in rows:
                if "straight line" in r["source"]:
                    r["km"] *= f
                    r["source"] += f", scaled x{f:.3f} to the published length {length:g} km"
    # unknown sites between known chainages: midway (stated)
    k = 0
    while k < n:
        if math.isnan(rows[k]["km"]):
            j = k
            while j < n and math.isnan(rows[j]["km"]):
                j += 1
            if j == n:
                raise InputError(
                    f"{where}: the position of {rows[k]['name']} is unknown and nothing after it is known",
                    "give coordinates or a km for the last station, or length_km for the line",
                )
            lo, hi = rows[k - 1]["km"], rows[j]["km"]
            for m in range(k, j):
                rows[m]["km"] = lo + (hi - lo) * (m - k + 1) / (j - k + 1)
                rows[m]["source"] = "site unknown: assumed evenly spaced between neighbours"
            k = j
        k += 1
    kms = [r["km"] for r in rows]
    for a, b in itertools.pairwise(kms):
        if not b > a:
            raise InputError(f"{where}: station chainages must increase along the line, got {kms}", "list stations in running order; check km values")


def load_lines(specs: Sequence[Any]) -> list[Line]:
    """Load several line specs."""
    return [load_line(s) for s in specs]
