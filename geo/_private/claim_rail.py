"""Rail journeys for claims: station to station from a timetable or planned-line spec, door to door.

Used by :mod:`geo.claims`. Each function returns :class:`geo.results.Trip`
records (minutes, :class:`~geo.results.Leg` legs, km, fallback, note) or
raises :class:`CannotEvaluate` naming the missing data and the fix.

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
from geo._private.runtime import load_calibration
from geo.errors import CannotEvaluate, GeoError
from geo.gtfs import load_gtfs
from geo.lines import load_line, station_to_station
from geo.modes import RAIL_ROAD_MODES
from geo.multimodal import claim_trips
from geo.rail import build_rail_network
from geo.results import Evidence, Leg, Trip

#: default largest distance (m) from a place to "its" station for mode ``rail``
DEFAULT_MAX_STATION_M = 3000.0


@lru_cache(maxsize=8)
def _feed(path: str) -> Any:
    """The timetable at ``path`` (GTFS folder/zip or flat extract), loaded once per process."""
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


def journey_band(minutes: float, legs: Sequence[Leg]) -> tuple[float, float, Evidence | None]:
    """Band and evidence of a journey from its legs: ``(minutes_low, minutes_high, evidence)``.

    Rail legs with ``evidence="model"`` (planned lines, OSM runs) carry the
    calibration's band (nominal 80 % coverage) (:meth:`geo._private.runtime.Calibration.band_minutes`);
    timetabled legs none. The evidence is ``model`` if any ride is modelled,
    else ``timetable`` (naming the trips); None without rail legs (then the
    band is the minutes themselves).

    Examples
    --------
    >>> journey_band(30.0, [Leg("rail", "A", "B", 30.0, evidence="timetable", trip="D5265")])[2].detail
    'timetable: trip D5265'
    """
    rides = [leg for leg in legs if leg.mode == "rail"]
    if not rides or not math.isfinite(minutes):
        return minutes, minutes, None
    modelled = [leg for leg in rides if leg.evidence == "model"]
    if not modelled:
        trips = tuple(str(leg.trip) for leg in rides if leg.trip)
        lines = tuple(str(leg.line) for leg in rides if leg.line and not leg.trip)
        return minutes, minutes, Evidence("timetable", trips=trips, lines=lines)
    cal = load_calibration()
    ride = sum(float(leg.minutes) for leg in modelled)
    lo, hi = cal.band_minutes(ride)
    names = tuple(sorted({str(leg.line or f"{leg.from_name}–{leg.to_name}") for leg in modelled}))
    versions = sorted({str(leg.calibration) for leg in modelled if leg.calibration})
    evidence = Evidence("model", lines=names, calibration=", ".join(versions) or cal.version, band_minutes=(lo - ride, hi - ride))
    return minutes - ride + lo, minutes - ride + hi, evidence


def _planned_ride(lines: Sequence[Any], a: str, b: str) -> dict[str, Any] | None:
    """Run time between two stations of a planned-line spec (geo.lines)."""
    if not lines:
        return None
    for spec in lines:
        line = load_line(spec)
        t = station_to_station(line, a, b)
        if t is not None:
            return {**t, "line": getattr(line, "name", str(spec)), "evidence": "model", "calibration": getattr(line, "calibration", "")}
    return None


def rail_trips(mode: str, inputs: Any, a: Any, bs: Sequence[Any], options: Mapping[str, Any]) -> list[Trip]:
    """Rail journeys from place ``a`` to each place in ``bs`` for a claim ``mode``.

    Door to door (``rail+drive``, ``rail+walk``) goes to :func:`geo.multimodal.claim_trips`.
    """
    if mode in RAIL_ROAD_MODES:
        return claim_trips(mode, inputs, a, bs, options)
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
            legs.append(Leg("access", a.name, sa, 0.0, km=da / 1000, note="station stands for the place (not counted)"))
        legs.append(_ride_leg(ride, sa, sb, src, feed, osm, lines))
        if db > 0:
            legs.append(Leg("egress", sb, b.name, 0.0, km=db / 1000, note="station stands for the place (not counted)"))
        out.append(Trip(ride["minutes"], tuple(legs), km=ride.get("km", math.nan), fallback=False, note=src))
    return out


def _ride_leg(ride: Mapping[str, Any], sa: str, sb: str, src: str, feed: Any, osm: Any, lines: Sequence[Any]) -> Leg:
    """The rail leg of a station-to-station ride: a timetabled trip (with the model beside it) or a modelled run."""
    km = ride.get("km", math.nan)
    if "trip_id" not in ride:
        return Leg(
            "rail", sa, sb, ride["minutes"], km=km, source=src, evidence="model", line=ride.get("line"),
            calibration=ride.get("calibration", ""), stops_between=ride.get("stops_between"), note=ride.get("note") or None,
        )  # fmt: skip
    others = sorted({str(r["trip_id"]) for r in feed.rides(sa, sb)} - {str(ride["trip_id"])}) if feed is not None else []
    # the model beside the timetable, for comparison (OSM model for the same train and stops, else a planned line)
    beside = _osm_ride(osm, ride["stops"], ride["trip_id"], ride.get("dwell_s")) if osm is not None else None
    if beside is None and lines:
        beside = _planned_ride(lines, sa, sb)
    model: dict[str, Any] = {}
    if beside is not None:
        lo, hi = load_calibration().band_minutes(beside["minutes"])
        model = {"model_minutes": beside["minutes"], "model_low": lo, "model_high": hi, "model_line": beside["line"]}
    return Leg(
        "rail", sa, sb, ride["minutes"], km=km, source=src, trip=str(ride["trip_id"]), departs=_hhmm(ride["dep_s"]),
        arrives=_hhmm(ride["arr_s"]), stops_between=len(ride["stops"]) - 2, evidence="timetable",
        other_trips=tuple(others) or None, **model,
    )  # fmt: skip


@lru_cache(maxsize=4)
def _osm_network(lines: str, stations: str) -> Any:
    return build_rail_network(lines, stations)


def _osm(lines: Any, stations: Any) -> Any:
    """The OSM rail network of a claim's inputs (``osm_lines`` + ``stations``), or None."""
    if lines is None or stations is None or not Path(str(lines)).exists() or not Path(str(stations)).exists():
        return None
    return _osm_network(str(lines), str(stations))


def _osm_ride(rail: Any, stops: Sequence[str], trip: str | None, dwell_s: Sequence[float] | None) -> dict[str, Any] | None:
    """The calibrated OSM run-time model over ``stops`` (None when a station is not on the graph)."""
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
        "line": f"OSM rail run-time model ({rt.class_label})",
        "evidence": "model",
        "calibration": rt.calibration,
    }
