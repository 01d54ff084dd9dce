"""Rail journeys for claims: station to station from a timetable or planned-line spec, door to door.

Used by :mod:`geo.claims`. Each function returns plain dicts
(``minutes``, ``legs``, ``km``, ``fallback``, ``note``) or raises
:class:`CannotEvaluate` naming the missing data and the fix.

Station-to-station times come from, in order:

1. a timetable (:func:`geo.gtfs.load_gtfs`: GTFS folder/zip or a flat
   ``stop_times`` extract CSV): the fastest in-vehicle time over all trips
   calling at both stations in order;
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

from geo._private.geodesy import haversine_m
from geo.errors import CannotEvaluate

#: default largest distance (m) from a place to "its" station for mode ``rail``
DEFAULT_MAX_STATION_M = 3000.0



@lru_cache(maxsize=8)
def _feed(path: str) -> Any:
    """The timetable at ``path`` (GTFS folder/zip or flat extract), loaded once per process."""
    from geo.gtfs import load_gtfs

    return load_gtfs(path)


def _hhmm(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}"


def _station_for(place: Any, feed: Any, mode: str, max_m: float) -> tuple[str, float]:
    """The timetable station standing for a place, and its distance (m)."""
    names = set(feed.stops["stop_name"])
    if place.name in names:
        return place.name, 0.0
    if mode == "station-to-station":
        raise CannotEvaluate(
            f"station {place.name!r} has no trips in the timetable",
            "check the station name against the timetable, add a planned-line spec (inputs.rail.lines) "
            "for lines not yet in the feed, or use mode rail+drive for door-to-door",
        )
    stations = (
        feed.stops.groupby("stop_name", as_index=False)[["stop_lon", "stop_lat"]].first().dropna()
    )
    if stations.empty:
        raise CannotEvaluate("the timetable has no station coordinates", "use a GTFS feed with stops.txt coordinates")
    d = haversine_m(place.lon, place.lat, stations["stop_lon"].to_numpy(), stations["stop_lat"].to_numpy())
    i = int(np.argmin(d))
    if d[i] > max_m:
        raise CannotEvaluate(
            f"{place.name} is {d[i] / 1000:.1f} km from the nearest timetable station ({stations['stop_name'].iloc[i]})",
            "use mode rail+drive or rail+walk for door-to-door journeys",
        )
    return str(stations["stop_name"].iloc[i]), float(d[i])


def journey_band(minutes: float, legs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Band and evidence of a journey from its legs.

    Rail legs marked ``evidence: "model"`` (planned lines, OSM runs) carry
    the calibration's 10-90 % band (:meth:`geo._private.runtime.Calibration.band_minutes`);
    timetabled legs none. Returns ``{minutes_low, minutes_high, evidence,
    evidence_detail}``: evidence ``"model"`` if any ride is modelled, else
    ``"timetable"`` (naming the trips); ``None`` without rail legs.

    Examples
    --------
    >>> journey_band(30.0, [{"mode": "rail", "minutes": 30.0, "evidence": "timetable", "trip": "D5265"}])["evidence_detail"]
    'timetable: trip D5265'
    """
    rides = [leg for leg in legs if leg.get("mode") == "rail"]
    if not rides or not math.isfinite(minutes):
        return {"minutes_low": minutes, "minutes_high": minutes, "evidence": None, "evidence_detail": ""}
    modelled = [leg for leg in rides if leg.get("evidence") == "model"]
    if not modelled:
        trips = [str(leg.get("trip")) for leg in rides if leg.get("trip")]
        lines = [str(leg.get("line")) for leg in rides if leg.get("line") and not leg.get("trip")]
        what = ("trip " + ", ".join(trips)) if trips else ("timetabled line " + ", ".join(lines))
        return {"minutes_low": minutes, "minutes_high": minutes, "evidence": "timetable", "evidence_detail": f"timetable: {what}"}
    from geo._private.runtime import load_calibration

    cal = load_calibration()
    ride = sum(float(leg["minutes"]) for leg in modelled)
    lo, hi = cal.band_minutes(ride)
    names = sorted({str(leg.get("line") or f"{leg.get('from')}–{leg.get('to')}") for leg in modelled})
    versions = sorted({str(leg.get("calibration")) for leg in modelled if leg.get("calibration")})
    detail = (
        f"model: {', '.join(names)}; calibration {', '.join(versions) or cal.version}, "
        f"band {lo - ride:+.1f}/{hi - ride:+.1f} min (10-90 % of held-out errors)"
    )
    return {"minutes_low": minutes - ride + lo, "minutes_high": minutes - ride + hi, "evidence": "model", "evidence_detail": detail}


def _planned_ride(lines: Sequence[Any], a: str, b: str) -> dict[str, Any] | None:
    """Run time between two stations of a planned-line spec (geo.lines)."""
    if not lines:
        return None
    from geo.lines import load_line, station_to_station

    for spec in lines:
        line = load_line(spec)
        t = station_to_station(line, a, b)
        if t is not None:
            return {**t, "line": getattr(line, "name", str(spec)), "evidence": "model", "calibration": getattr(line, "calibration", "")}
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
    osm = _osm(rail.get("osm_lines"), rail.get("stations"))
    if (gtfs is None or not Path(str(gtfs)).exists()) and not lines and osm is None:
        what = f"the timetable {gtfs} does not exist" if gtfs else "no rail timetable (GTFS) or planned-line spec is given"
        raise CannotEvaluate(
            f"{what} for {a.name} → {', '.join(b.name for b in bs)}",
            "pass --gtfs FEED (a GTFS folder/zip or stop_times extract) or list inputs.rail.gtfs / inputs.rail.lines "
            "(or inputs.rail.osm_lines + stations for the OSM run-time model) in the claim file (set GEO_SHARED_DATA for shared: paths)",
        )
    feed = _feed(str(gtfs)) if gtfs is not None and Path(str(gtfs)).exists() else None
    max_m = float(options.get("max_station_m", DEFAULT_MAX_STATION_M))
    out = []
    for b in bs:
        ride = None
        sa, sb = a.name, b.name
        da = db = 0.0
        src = ""
        if feed is not None:
            try:
                sa, da = _station_for(a, feed, mode, max_m)
                sb, db = _station_for(b, feed, mode, max_m)
                ride = feed.fastest(sa, sb)
                src = f"timetable {Path(str(gtfs)).name}"
            except CannotEvaluate:
                if not lines and not missing_lines and osm is None:
                    raise
        if ride is None and lines:
            ride = _planned_ride(lines, a.name, b.name)
            src = f"planned line {ride.get('line')}" if ride else ""
        if ride is None and osm is not None:
            ride = _osm_ride(osm, [a.name, b.name], None, None)
            src = "OSM rail run-time model" if ride else ""
        if ride is None and missing_lines:
            raise CannotEvaluate(
                f"no train in the timetable runs from {sa} to {sb}, and the planned-line spec(s) {', '.join(missing_lines)} do not exist",
                "write the planned-line spec (see docs/rail.md, geo.lines) or fix its path in inputs.rail.lines / --line",
            )
        if ride is None:
            raise CannotEvaluate(
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
                stops_between=len(ride["stops"]) - 2,
                evidence="timetable",
            )
            others = sorted({str(r["trip_id"]) for r in feed.rides(sa, sb)} - {str(ride["trip_id"])}) if feed is not None else []
            if others:
                leg["other_trips"] = others
            # the model beside the timetable, for comparison (OSM model for the same train and stops, else a planned line)
            beside = _osm_ride(osm, ride["stops"], ride["trip_id"], ride.get("dwell_s")) if osm is not None else None
            if beside is None and lines:
                beside = _planned_ride(lines, sa, sb)
            if beside is not None:
                lo, hi = _band(beside["minutes"])
                leg.update(model_minutes=beside["minutes"], model_low=lo, model_high=hi, model_line=beside["line"])
        else:
            leg.update(evidence="model", line=ride.get("line"), calibration=ride.get("calibration", ""), stops_between=ride.get("stops_between"))
        legs.append(leg)
        if db > 0:
            legs.append({"mode": "egress", "from": sb, "to": b.name, "minutes": 0.0, "km": db / 1000, "note": "station stands for the place (not counted)"})
        out.append({"minutes": ride["minutes"], "legs": legs, "km": ride.get("km", math.nan), "fallback": False, "note": src})
    return out


@lru_cache(maxsize=4)
def _osm_network(lines: str, stations: str) -> Any:
    from geo.rail import build_rail_network

    return build_rail_network(lines, stations)


def _osm(lines: Any, stations: Any) -> Any:
    """The OSM rail network of a claim's inputs (``osm_lines`` + ``stations``), or None."""
    if lines is None or stations is None or not Path(str(lines)).exists() or not Path(str(stations)).exists():
        return None
    return _osm_network(str(lines), str(stations))


def _osm_ride(rail: Any, stops: Sequence[str], trip: str | None, dwell_s: Sequence[float] | None) -> dict[str, Any] | None:
    """The calibrated OSM run-time model over ``stops`` (None when a station is not on the graph)."""
    from geo.errors import GeoError

    have = set(rail.stations["name"])
    if any(s not in have for s in stops):
        return None
    try:
        dw = list(dwell_s)[1:-1] if dwell_s is not None and len(stops) > 2 else None
        rt = rail.run_time(list(stops), train=trip, dwell_s=dw)
    except GeoError:
        return None
    return {
        "minutes": rt.minutes,
        "km": rt.km,
        "stops_between": len(stops) - 2,
        "line": f"OSM rail run-time model (class {rt.train_class})",
        "evidence": "model",
        "calibration": rt.calibration,
    }


def _band(minutes: float) -> tuple[float, float]:
    from geo._private.runtime import load_calibration

    return load_calibration().band_minutes(minutes)


def _door_to_door(mode: str, inputs: Any, a: Any, bs: Sequence[Any], options: Mapping[str, Any]) -> list[dict[str, Any]]:
    from geo.multimodal import claim_trips

    return claim_trips(mode, inputs, a, bs, options)
