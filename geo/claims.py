"""Claims: published travel-time promises, checked by computation.

A claim file (YAML) lists promises such as *"Zhashui is in Xi'an's
15-minute economic circle"* with their published source, and the data inputs
needed to check them. Each claim evaluates to a :class:`Verdict`:

``holds``
    the computed time is within the threshold;
``fails``
    it is not (or the target is unreachable on the given network);
``uncertain``
    the time is modelled (planned line, OSM run-time model) and the threshold
    lies inside its uncertainty band (nominal 80 % coverage: quantiles of the
    calibrated model's errors on corridors it was not fitted on, levels chosen
    so the band holds the real time about 8 times in 10 on such corridors,
    :func:`geo._private.railcal.calibrated_band`): the data cannot tell;
``cannot-evaluate``
    some input is missing; ``reason`` names it and ``fix`` says how to supply it.

Every rail verdict states its evidence: ``timetable`` (which trips) or
``model`` (calibration version and band, :mod:`geo._private.runtime`). A
modelled time holds only if the whole band is within the threshold and fails
only if the whole band is over it. Where a timetable covers the pair it
decides, and a planned line's model is shown beside it.

Verdicts (:class:`geo.results.Verdict`, with :class:`~geo.results.Leg` legs
and :class:`~geo.results.Evidence`) carry the minutes, the legs, the margin (threshold - minutes) and what
it would take (required average speed over the route, minutes to save).
Nothing in a claim file states an expected outcome: verdicts come only from
computation on the inputs.

Claim kinds
-----------
``within``
    ``origin`` within ``threshold_minutes`` of ``target`` (time from origin to target).
``circle``
    which of ``places`` lie inside ``target``'s T-minute circle (time from the
    target to each place); holds if every listed place does.
``coverage``
    at least ``share_percent`` % of the population of ``region`` within T of
    ``target``; needs a population raster.

Modes: ``drive``, ``walk`` (a road network), ``station-to-station`` (rail
in-vehicle time from a timetable or planned-line spec), ``rail`` (same,
but origin/target may be any places: nearest stations), ``rail+drive`` and
``rail+walk`` (door to door, :mod:`geo.multimodal`).

Examples
--------
>>> import numpy as np
>>> from geo.network import Network
>>> # a 20 km two-way corridor at 60 km/h: 20 minutes end to end
>>> lon = np.linspace(108.0, 108.0 + 20 / 92.4, 21); lat = np.full(21, 34.0)
>>> u = np.r_[np.arange(20), np.arange(1, 21)]; v = np.r_[np.arange(1, 21), np.arange(20)]
>>> net = Network.from_edges(lon, lat, u, v, speed_kmh=60.0)
>>> c = Claim(id="c1", text="B within 15 minutes of A", kind="within", mode="drive",
...           origin={"name": "B", "lon": float(lon[-1]), "lat": 34.0},
...           target={"name": "A", "lon": 108.0, "lat": 34.0}, threshold_minutes=15)
>>> v = evaluate_claim(c, ClaimInputs(networks=[net]))
>>> v.verdict, round(v.minutes), round(v.margin_minutes), round(v.required_speed_kmh)
('fails', 20, -5, 80)
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._private.claim_rail import journey_band, rail_trips
from geo._private.yamlio import load_yaml
from geo.errors import CannotEvaluate, GeoError, InputError, check_keys
from geo.isochrones import isochrones
from geo.modes import CLAIM_MODES, ROAD_MODES, LegMode, TripMode, check_mode
from geo.network import Network
from geo.places import Place, resolve_path, resolve_place_spec
from geo.raster import population_in_bands
from geo.results import KINDS, VERDICTS, ClaimKind, Evidence, Leg, Trip, Verdict, VerdictValue
from geo.routing import route, snap

#: the modes a claim may use (:data:`geo.modes.CLAIM_MODES`; road modes are :data:`geo.modes.ROAD_MODES`)
MODES = CLAIM_MODES
__all__ = [
    "KINDS",
    "MODES",
    "VERDICTS",
    "Claim",
    "ClaimFile",
    "ClaimInputs",
    "Evidence",
    "Leg",
    "Trip",
    "Verdict",
    "band_verdict",
    "coverage_share",
    "evaluate_claim",
    "evaluate_claims",
    "load_claims",
    "parse_claim",
    "parse_inputs",
    "verdicts_frame",
    "verdicts_json",
]

#: default snap limit (m) between a claim's place and a road network
DEFAULT_MAX_SNAP_M = 2000.0

_REQUIRED = ("id", "text", "kind", "mode", "threshold_minutes")
#: options a claim may set (evaluation settings, not outcomes)
CLAIM_OPTIONS = ("max_snap_m", "max_station_m", "allow_fallback", "snap_speed_kmh")
#: every key a claim mapping may have; any other key is an error (a misspelt option must not pass silently)
CLAIM_KEYS = (*_REQUIRED, "origin", "target", "places", "region", "share_percent", "source", "notes", *CLAIM_OPTIONS)
SOURCE_KEYS = ("title", "publisher", "author", "url", "urls", "date", "file", "quote", "note")
FILE_KEYS = ("title", "notes", "inputs", "claims")
INPUT_KEYS = ("networks", "rail", "population", "download_hint")
RAIL_INPUT_KEYS = ("gtfs", "lines", "osm_lines", "stations", "design_speed_kmh")


# =================================================================== model
@dataclasses.dataclass
class Claim:
    """One claim as written in a claim file (places not yet resolved).

    Attributes
    ----------
    id, text : str
        Identifier and the promise as published.
    kind : {"within", "circle", "coverage"}
    mode : TripMode
        One of :data:`MODES`.
    threshold_minutes : float
    origin, target : place spec
        See :mod:`geo.places`. ``circle`` and ``coverage`` use ``target`` as
        the centre.
    places : list of place specs
        For ``circle``.
    region : place spec (county) and share_percent : float
        For ``coverage``.
    source : dict
        Citation (``title``, ``url``, ``date``, optional ``quote``).
    options : dict
        Per-claim options: ``max_snap_m``, ``allow_fallback``, ``direction``.
    """

    id: str
    text: str
    kind: ClaimKind
    mode: TripMode
    threshold_minutes: float
    origin: Any = None
    target: Any = None
    places: list[Any] = dataclasses.field(default_factory=list)
    region: Any = None
    share_percent: float | None = None
    source: dict[str, Any] = dataclasses.field(default_factory=dict)
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    file: str = "<claim>"
    line: int = 0

    def where(self) -> str:
        loc = f"{self.file} line {self.line}" if self.line else self.file
        return f"{loc} (claim {self.id!r})"


@dataclasses.dataclass
class ClaimInputs:
    """Data inputs for evaluating claims.

    Attributes
    ----------
    networks : list
        Road networks: :class:`Network` objects or paths (loaded on first use
        with :meth:`Network.from_file`; a path's mode is given as
        ``(path, mode)`` or defaults to ``drive``).
    rail : dict
        Rail inputs: ``gtfs`` (timetable file/folder), ``osm_lines`` and
        ``stations`` (OSM rail), ``lines`` (planned-line specs), ``design_speed_kmh``.
    population : path or None
        A population raster (GeoTIFF) for coverage claims.
    download_hint : str
        What to download when no road network covers a claim.
    progress : bool
    """

    networks: list[Any] = dataclasses.field(default_factory=list)
    rail: dict[str, Any] = dataclasses.field(default_factory=dict)
    population: Any = None
    download_hint: str = "a Geofabrik .osm.pbf extract of the region (download.geofabrik.de)"
    progress: bool = False
    _loaded: dict[int, Network] = dataclasses.field(default_factory=dict, repr=False)

    def road_networks(self, mode: str) -> list[Network]:
        """Networks of ``mode`` (loading paths on first use)."""
        out = []
        for i, n in enumerate(self.networks):
            if isinstance(n, Network):
                net = n
            else:
                path, nmode = n if isinstance(n, tuple) else (n, mode)
                if nmode != mode:
                    continue
                if i not in self._loaded:
                    self._loaded[i] = _load_network(path, nmode)
                net = self._loaded[i]
            if net.mode == mode:
                out.append(net)
        return out


def _load_network(path: Any, mode: str) -> Network:
    if not Path(str(path)).exists():
        raise CannotEvaluate(
            f"the {mode} network file {path} does not exist",
            "check the path in inputs.networks / --network (shared: paths need GEO_SHARED_DATA)",
        )
    try:
        return Network.from_file(path, mode=mode)
    except ImportError as exc:
        raise CannotEvaluate(f"cannot load {path}: the network loader is unavailable ({exc})", "install geo completely") from None


@dataclasses.dataclass
class ClaimFile:
    """A parsed claim file: claims and the data inputs it names."""

    path: str
    title: str
    claims: list[Claim]
    inputs: ClaimInputs
    notes: str = ""


# =================================================================== parsing
def _num(value: Any, where: str, field: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {field} must be a number, got {value!r}", f"write e.g. {field}: 15") from None
    if not (math.isfinite(x) and x > 0):
        raise InputError(f"{where}: {field} must be positive, got {value!r}", f"write e.g. {field}: 15")
    return x


def parse_claim(d: Mapping[str, Any], file: str = "<claim>") -> Claim:
    """Validate one claim mapping from a YAML file.

    Raises
    ------
    InputError
        Missing field, unknown kind or mode, bad threshold -- naming the file,
        line and claim.
    """
    line = int(getattr(d, "line", 0))
    cid = str(d.get("id", "?"))
    loc = f"{file} line {line}" if line else file
    where = f"{loc} (claim {cid!r})"
    if not isinstance(d, Mapping):
        raise InputError(f"{loc}: a claim must be a mapping, got {d!r}", "write each claim as 'id: ..., text: ...'")
    check_keys(d, CLAIM_KEYS, where)
    missing = [k for k in _REQUIRED if k not in d]
    if missing:
        raise InputError(f"{where}: missing field(s) {', '.join(missing)}", f"add {', '.join(missing)} to the claim")
    kind = cast(ClaimKind, str(d["kind"]))
    if kind not in KINDS:
        raise InputError(f"{where}: unknown kind {kind!r}", f"use one of {', '.join(KINDS)}")
    mode = cast(TripMode, check_mode(str(d["mode"]), MODES, where=f"{where}: "))
    thr = _num(d["threshold_minutes"], where, "threshold_minutes")
    need = {"within": ("origin", "target"), "circle": ("target", "places"), "coverage": ("target", "region", "share_percent")}
    miss = [k for k in need[kind] if d.get(k) in (None, "", [])]
    if miss:
        raise InputError(f"{where}: a {kind} claim needs {', '.join(miss)}", f"add {', '.join(miss)} to the claim")
    share = None
    if kind == "coverage":
        share = _num(d["share_percent"], where, "share_percent")
        if share > 100:
            raise InputError(f"{where}: share_percent {share} is more than 100", "give a percentage 0-100")
    if kind == "circle" and not isinstance(d["places"], list):
        raise InputError(f"{where}: places must be a list", "write places: [柞水县, 镇安县]")
    src = d.get("source") or {}
    if not isinstance(src, Mapping):
        raise InputError(f"{where}: source must be a mapping (title, url, date)", "write source: {title: ..., url: ..., date: ...}")
    check_keys(src, SOURCE_KEYS, f"{where} source")
    opts = {k: d[k] for k in CLAIM_OPTIONS if k in d}
    for k in ("max_snap_m", "max_station_m", "snap_speed_kmh"):
        if k in opts:
            opts[k] = _num(opts[k], where, k)
    if "allow_fallback" in opts and not isinstance(opts["allow_fallback"], bool):
        raise InputError(f"{where}: allow_fallback must be true or false, got {opts['allow_fallback']!r}", "write allow_fallback: true")
    return Claim(
        id=cid,
        text=str(d["text"]),
        kind=kind,
        mode=mode,
        threshold_minutes=thr,
        origin=d.get("origin"),
        target=d.get("target"),
        places=list(d.get("places") or []),
        region=d.get("region"),
        share_percent=share,
        source=dict(src),
        options=opts,
        file=file,
        line=line,
    )


def parse_inputs(d: Mapping[str, Any] | None, base: Path | None, file: str) -> ClaimInputs:
    """The ``inputs:`` section of a claim or study file."""
    d = d or {}
    if not isinstance(d, Mapping):
        raise InputError(f"{file}: inputs must be a mapping", "write inputs: {networks: [...], rail: {...}}")
    check_keys(d, INPUT_KEYS, f"{file} inputs")
    if not isinstance(d.get("networks") or [], list):
        raise InputError(f"{file}: inputs.networks must be a list", "write networks: [{path: roads.osm.pbf, mode: drive}]")
    if not isinstance(d.get("rail") or {}, Mapping):
        raise InputError(f"{file}: inputs.rail must be a mapping", "write rail: {gtfs: FEED, lines: [SPEC.yaml]}")
    check_keys(d.get("rail") or {}, RAIL_INPUT_KEYS, f"{file} inputs.rail")
    nets: list[Any] = []
    for i, n in enumerate(d.get("networks") or []):
        if isinstance(n, Mapping):
            check_keys(n, ("path", "mode"), f"{file} inputs.networks[{i}]")
            if "path" not in n:
                raise InputError(f"{file}: inputs.networks[{i}] has no path", "write - {path: roads.osm.pbf, mode: drive}")
            mode = check_mode(n.get("mode", "drive"), ROAD_MODES, where=f"{file} inputs.networks[{i}]: ")
            nets.append((_optional_path(n["path"], base), mode))
        else:
            nets.append((_optional_path(str(n), base), "drive"))
    rail: dict[str, Any] = {}
    for k, v in dict(d.get("rail") or {}).items():
        if k in ("gtfs", "osm_lines", "stations"):
            rail[k] = _optional_path(v, base)
        elif k == "lines":
            if not isinstance(v or [], list):
                raise InputError(f"{file}: inputs.rail.lines must be a list", "write lines: [../lines/line.yaml]")
            rail[k] = [_optional_path(x, base) for x in (v or [])]
        else:
            rail[k] = v
    pop = _optional_path(d["population"], base) if d.get("population") else None
    return ClaimInputs(
        networks=nets,
        rail=rail,
        population=pop,
        download_hint=str(d.get("download_hint") or ClaimInputs.download_hint),
    )


def _optional_path(v: Any, base: Path | None) -> Path | str:
    """A path, or the unresolved ``shared:`` string when shared data is absent (reported later)."""
    try:
        return resolve_path(v, base)
    except InputError:
        return str(v)


def load_claims(path: str | Path) -> ClaimFile:
    """Read and validate a claim file.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "c.yaml")
    >>> _ = open(p, "w").write('''
    ... claims:
    ...   - id: a
    ...     text: "A within 10 min of B"
    ...     kind: within
    ...     mode: walk
    ...     origin: {lon: 24.94, lat: 60.17}
    ...     target: {lon: 24.95, lat: 60.17}
    ...     threshold_minutes: 10
    ... ''')
    >>> cf = load_claims(p)
    >>> [c.id for c in cf.claims]
    ['a']
    """
    p = Path(path)
    data = load_yaml(p)
    name = str(p)
    if not isinstance(data, Mapping) or "claims" not in data:
        raise InputError(f"{name}: no 'claims:' list", "start the file with 'claims:' followed by a list of claims")
    check_keys(data, FILE_KEYS, name)
    items = data["claims"]
    if not isinstance(items, list) or not items:
        raise InputError(f"{name}: 'claims' must be a non-empty list", "write claims: followed by '- id: ...' items")
    claims = [parse_claim(c, name) if isinstance(c, Mapping) else _bad_item(name, i, c) for i, c in enumerate(items)]
    ids = [c.id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{name}: duplicate claim id(s) {', '.join(dup)}", "give each claim its own id")
    inputs = parse_inputs(data.get("inputs"), p.parent, name)
    return ClaimFile(path=name, title=str(data.get("title", p.stem)), claims=claims, inputs=inputs, notes=str(data.get("notes", "")))


def _bad_item(name: str, i: int, c: Any) -> Claim:
    raise InputError(f"{name}: claims[{i}] is not a mapping ({c!r})", "write each claim as a mapping with id, text, kind, ...")


# =================================================================== evaluation
def band_verdict(minutes: float, low: float, high: float, threshold: float) -> VerdictValue:
    """``holds`` if the whole band is within the threshold, ``fails`` if the whole band is over it (or
    unreachable), else ``uncertain``.

    Examples
    --------
    >>> band_verdict(16, 14, 18, 15), band_verdict(16, 14, 18, 20), band_verdict(16, 14, 18, 13)
    ('uncertain', 'holds', 'fails')
    >>> band_verdict(16, 16, 16, 15)  # a timetable: no band
    'fails'
    """
    if not math.isfinite(minutes):
        return "fails"
    lo = low if math.isfinite(low) else minutes
    hi = high if math.isfinite(high) else minutes
    if hi <= threshold:
        return "holds"
    if lo > threshold:
        return "fails"
    return "uncertain"


def _resolve(spec: Any, claim: Claim, field: str) -> Place:
    return resolve_place_spec(spec, where=f"{claim.where()} {field}")


def _covering_network(nets: Sequence[Network], points: Sequence[Place], max_snap_m: float) -> Network | None:
    for net in nets:
        s = snap(net, [p.lonlat for p in points], max_snap_m=max_snap_m, errors="nan")
        if (s.edge >= 0).all():
            return net
    return None


def _road_trips(claim: Claim, inputs: ClaimInputs, a: Place, bs: Sequence[Place]) -> list[Trip]:
    """Road times from ``a`` to each of ``bs`` (NaN minutes where unreachable)."""
    max_snap = float(claim.options.get("max_snap_m", DEFAULT_MAX_SNAP_M))
    snap_speed = float(claim.options.get("snap_speed_kmh", 5.0))
    nets = inputs.road_networks(claim.mode)
    net = _covering_network(nets, [a, *bs], max_snap)
    if net is None:
        names = "–".join(p.name for p in [a, *bs][:3]) + ("…" if len(bs) > 2 else "")
        have = f" ({len(nets)} {claim.mode} network(s) given, none within {max_snap:.0f} m of all the places)" if nets else ""
        raise CannotEvaluate(
            f"no {claim.mode} road network covers {names}{have}",
            f"download {inputs.download_hint} and pass it with --network PATH (or list it under inputs.networks in the claim file)",
        )
    out = []
    for b in bs:
        r = route(net, a.lonlat, b.lonlat, max_snap_m=max_snap, snap_speed_kmh=snap_speed)
        src = net.meta.get("source", "road network")
        if not r.reachable:
            out.append(Trip(math.nan, note=f"{b.name} is not reachable from {a.name} on {src}"))
            continue
        legs = []
        if r.access_minutes > 0:
            legs.append(Leg("walk", a.name, "road", r.access_minutes, note="off-network access"))
        # on the road: the total less the off-network ends (clipped at 0 against float rounding when both ends are on one edge)
        on_road = max(0.0, r.minutes - r.access_minutes - r.egress_minutes)
        legs.append(Leg(cast(LegMode, claim.mode), a.name, b.name, on_road, km=r.metres / 1000.0, network=str(src)))
        if r.egress_minutes > 0:
            legs.append(Leg("walk", "road", b.name, r.egress_minutes, note="off-network egress"))
        out.append(Trip(r.minutes, tuple(legs), r.metres / 1000.0))
    return out


def _rail_trips(claim: Claim, inputs: ClaimInputs, a: Place, bs: Sequence[Place]) -> list[Trip]:
    """Rail trips (:mod:`geo._private.claim_rail`) with the band and evidence of their rides."""
    out = []
    for t in rail_trips(claim.mode, inputs, a, bs, claim.options):
        low, high, evidence = journey_band(t.minutes, t.legs)
        out.append(dataclasses.replace(t, minutes_low=low, minutes_high=high, evidence=evidence))
    return out


def _trips(claim: Claim, inputs: ClaimInputs, a: Place, bs: Sequence[Place]) -> list[Trip]:
    if claim.mode in ROAD_MODES:
        return _road_trips(claim, inputs, a, bs)
    return _rail_trips(claim, inputs, a, bs)


def _what_it_takes(trip: Trip, threshold: float) -> dict[str, Any]:
    """The verdict fields a trip decides: minutes, band, evidence, legs, margin and what it would take."""
    f: dict[str, Any] = {
        "minutes": trip.minutes,
        "minutes_low": trip.minutes_low,
        "minutes_high": trip.minutes_high,
        "evidence": trip.evidence,
        "legs": trip.legs,
        "route_km": trip.km,
    }
    if math.isfinite(trip.minutes):
        f["margin_minutes"] = threshold - trip.minutes
        f["minutes_to_save"] = max(0.0, trip.minutes - threshold)
        if math.isfinite(trip.km) and trip.minutes > 0:
            f["average_speed_kmh"] = trip.km / (trip.minutes / 60.0)
            f["required_speed_kmh"] = trip.km / (threshold / 60.0)
    return f


def _fmt(x: float) -> str:
    return "unreachable" if not math.isfinite(x) else f"{x:.1f} min"


def evaluate_claim(claim: Claim, inputs: ClaimInputs | None = None) -> Verdict:
    """Evaluate one claim on the given inputs.

    Input errors in the claim itself (unknown place, bad coordinates) raise
    :class:`~geo.errors.InputError`; missing *data* gives a
    ``cannot-evaluate`` verdict naming the data and how to supply it.
    """
    inputs = inputs or ClaimInputs()
    # the verdict's fields, filled in as the evaluation gets them (kept when it stops with CannotEvaluate)
    f: dict[str, Any] = {
        "id": claim.id,
        "verdict": "cannot-evaluate",
        "minutes": math.nan,
        "threshold_minutes": claim.threshold_minutes,
        "reason": "",
        "text": claim.text,
        "kind": claim.kind,
        "mode": claim.mode,
        "source": dict(claim.source),
    }
    try:
        if claim.kind == "within":
            _eval_within(claim, inputs, f)
        elif claim.kind == "circle":
            _eval_circle(claim, inputs, f)
        else:
            _eval_coverage(claim, inputs, f)
    except CannotEvaluate as exc:
        f.update(verdict="cannot-evaluate", reason=exc.reason, fix=exc.fix)
        est = exc.estimate
        if isinstance(est, Trip) and math.isfinite(est.minutes):
            f.update(estimate_minutes=est.minutes, legs=est.legs)
            f["reason"] += f"; an estimate with stated fallback legs gives {est.minutes:.1f} min (not a verdict)"
    return Verdict(**f)


def _eval_within(claim: Claim, inputs: ClaimInputs, f: dict[str, Any]) -> None:
    a = _resolve(claim.origin, claim, "origin")
    b = _resolve(claim.target, claim, "target")
    f.update(origin=a.describe(), target=b.describe())
    trip = _trips(claim, inputs, a, [b])[0]
    if trip.fallback and not claim.options.get("allow_fallback", False):
        raise CannotEvaluate(
            f"part of the {claim.mode} journey {a.name} → {b.name} has no network ({trip.note})",
            f"download {inputs.download_hint} and pass --network, or set allow_fallback: true on the claim to accept "
            "the stated straight-line fallback",
            trip,
        )
    thr = claim.threshold_minutes
    f.update(_what_it_takes(trip, thr))
    if not math.isfinite(trip.minutes):
        f["verdict"] = "fails"
        f["reason"] = trip.note or f"{b.name} is not reachable from {a.name} by {claim.mode}"
        return
    ok = trip.minutes <= thr
    verdict = f["verdict"] = band_verdict(trip.minutes, trip.minutes_low, trip.minutes_high, thr)
    margin = f["margin_minutes"]
    fb = " (includes stated fallback legs)" if trip.fallback else ""
    rel = f"within {thr:g} min by {margin:.1f} min" if ok else f"over {thr:g} min by {-margin:.1f} min"
    if verdict == "uncertain":
        rel = f"the {thr:g}-min threshold lies inside the band {trip.minutes_low:.1f}–{trip.minutes_high:.1f} min"
    elif trip.evidence is not None and trip.evidence.kind == "model":
        rel += f" (whole band {trip.minutes_low:.1f}–{trip.minutes_high:.1f} min)"
    reason = f"{claim.mode} {a.name} → {b.name}: {_fmt(trip.minutes)}{fb}, {rel}"
    if trip.evidence is not None:
        reason += f"; evidence: {trip.evidence.detail}"
    need = f.get("required_speed_kmh", math.nan)
    if verdict == "fails" and math.isfinite(need):
        reason += (
            f"; it would take an average {need:.0f} km/h over the {trip.km:.1f} km route "
            f"(now {f['average_speed_kmh']:.0f} km/h), i.e. saving {f['minutes_to_save']:.1f} min"
        )
    f["reason"] = reason


def _eval_circle(claim: Claim, inputs: ClaimInputs, f: dict[str, Any]) -> None:
    centre = _resolve(claim.target, claim, "target")
    places = [_resolve(p, claim, f"places[{i}]") for i, p in enumerate(claim.places)]
    f["target"] = centre.describe()
    trips = _trips(claim, inputs, centre, places)
    thr = claim.threshold_minutes
    rows: list[dict[str, Any]] = []
    for p, t in zip(places, trips):
        state = band_verdict(t.minutes, t.minutes_low, t.minutes_high, thr)
        rows.append(
            {
                "place": p.name,
                "lon": p.lon,
                "lat": p.lat,
                "minutes": t.minutes,
                "minutes_low": t.minutes_low,
                "minutes_high": t.minutes_high,
                "evidence": t.evidence.kind if t.evidence is not None else None,
                "state": state,
                "margin_minutes": thr - t.minutes if math.isfinite(t.minutes) else math.nan,
                "km": t.km,
                "inside": state == "holds",
                "fallback": t.fallback,
            }
        )
    f["details"] = rows
    if any(r["fallback"] for r in rows) and not claim.options.get("allow_fallback", False):
        raise CannotEvaluate(
            f"some {claim.mode} journeys from {centre.name} have no network",
            f"download {inputs.download_hint} and pass --network, or set allow_fallback: true",
        )
    inside = [r["place"] for r in rows if r["state"] == "holds"]
    outside = [r["place"] for r in rows if r["state"] == "fails"]
    unsure = [r["place"] for r in rows if r["state"] == "uncertain"]
    worst = max(rows, key=lambda r: r["minutes"] if math.isfinite(r["minutes"]) else math.inf)
    f.update(_what_it_takes(trips[rows.index(worst)], thr))
    f["verdict"] = "fails" if outside else ("uncertain" if unsure else "holds")
    f["reason"] = (
        f"{len(inside)} of {len(rows)} places inside {centre.name}'s {thr:g}-minute {claim.mode} circle"
        + (f"; outside: {', '.join(outside)}" if outside else "")
        + (f"; threshold inside the band for: {', '.join(unsure)}" if unsure else "")
        + f"; slowest {worst['place']} at {_fmt(worst['minutes'])}"
    )
    ev = sorted({t.evidence.detail for t in trips if t.evidence is not None})
    if ev:
        f["reason"] += "; evidence: " + " | ".join(ev)


def _eval_coverage(claim: Claim, inputs: ClaimInputs, f: dict[str, Any]) -> None:
    centre = _resolve(claim.target, claim, "target")
    region = _resolve(claim.region, claim, "region")
    f.update(target=centre.describe(), origin=region.name)
    if region.polygon is None:
        raise InputError(f"{claim.where()} region: {region.name!r} is not a polygon", "write region: {county: 柞水县}")
    pop = inputs.population
    if pop is None or not Path(str(pop)).exists():
        what = f"the population raster {pop} does not exist" if pop else "no population raster is given"
        raise CannotEvaluate(
            f"a coverage claim counts people: {what}",
            "download a WorldPop raster (e.g. chn_ppp_2020_1km_Aggregated.tif from hub.worldpop.org) and pass "
            "--population PATH (or inputs.population in the claim file)",
        )
    if claim.mode not in ROAD_MODES:
        raise CannotEvaluate(
            f"coverage claims are computed on road networks; mode {claim.mode!r} is not supported for coverage",
            "use mode drive or walk for coverage claims",
        )
    nets = inputs.road_networks(claim.mode)
    max_snap = float(claim.options.get("max_snap_m", DEFAULT_MAX_SNAP_M))
    net = _covering_network(nets, [centre, region], max_snap)
    if net is None:
        raise CannotEvaluate(
            f"no {claim.mode} road network covers {centre.name} and {region.name}",
            f"download {inputs.download_hint} and pass it with --network PATH",
        )
    share, reached, total = coverage_share(net, centre, region.polygon, claim.threshold_minutes, Path(str(pop)))
    f["details"] = [{"region": region.name, "population": total, "population_within": reached, "share_percent": share}]
    f["verdict"] = "holds" if share >= float(claim.share_percent or 0) else "fails"
    f["reason"] = (
        f"{share:.1f} % of {region.name}'s population ({reached:,.0f} of {total:,.0f}) is within "
        f"{claim.threshold_minutes:g} min of {centre.name} by {claim.mode}; the claim needs {claim.share_percent:g} %"
    )


def coverage_share(net: Network, centre: Place, region: Any, minutes: float, raster: Path) -> tuple[float, float, float]:
    """Share (%) of a region's population within ``minutes`` of ``centre``.

    Returns ``(share_percent, population_within, population_total)``.
    """
    bands = isochrones(net, [centre.lonlat], minutes=[minutes])
    clipped = bands.copy()
    clipped["geometry"] = bands.geometry.intersection(region)
    within = population_in_bands(clipped, raster)
    whole = gpd.GeoDataFrame({"minutes": [minutes]}, geometry=[region], crs="EPSG:4326")
    total_df = population_in_bands(whole, raster)
    reached = float(np.nansum(within["population"]))
    total = float(np.nansum(total_df["population"]))
    share = 100.0 * reached / total if total > 0 else math.nan
    return share, reached, total


def evaluate_claims(
    claims: Iterable[Claim] | ClaimFile | str | Path,
    inputs: ClaimInputs | None = None,
    *,
    networks: Sequence[Any] = (),
    population: Any = None,
) -> list[Verdict]:
    """Evaluate claims (a file path, a :class:`ClaimFile` or claims).

    ``networks`` and ``population`` are added to (and take precedence over)
    the inputs named in the file.
    """
    if isinstance(claims, str | Path):
        claims = load_claims(claims)
    if isinstance(claims, ClaimFile):
        base = claims.inputs if inputs is None else inputs
        items: list[Claim] = claims.claims
    else:
        base = inputs or ClaimInputs()
        items = list(claims)
    extra = [n if isinstance(n, Network | tuple) else (Path(n), None) for n in networks]
    if extra or population is not None:
        base = dataclasses.replace(
            base,
            networks=[*_with_mode(extra), *base.networks],
            population=population if population is not None else base.population,
            _loaded={},
        )
    out = []
    for c in items:
        try:
            out.append(evaluate_claim(c, base))
        except GeoError as exc:
            if isinstance(exc, InputError):
                raise
            out.append(
                Verdict(c.id, "cannot-evaluate", math.nan, c.threshold_minutes, exc.problem, text=c.text, kind=c.kind, mode=c.mode, fix=exc.fix)
            )
    return out


def _with_mode(extra: list[Any]) -> list[Any]:
    # CLI networks have no mode: load them as every road mode the claims may need (drive first)
    out: list[Any] = []
    for n in extra:
        if isinstance(n, tuple) and n[1] is None:
            out.extend([(n[0], "drive"), (n[0], "walk")])
        else:
            out.append(n)
    return out


def verdicts_frame(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """A table of verdicts (one row per claim) with unit-suffixed columns."""
    rows = []
    for v in verdicts:
        rows.append(
            {
                "id": v.id,
                "verdict": v.verdict,
                "kind": v.kind,
                "mode": v.mode,
                "minutes": v.minutes,
                "minutes_low": v.minutes_low,
                "minutes_high": v.minutes_high,
                "evidence": v.evidence.kind if v.evidence is not None else "",
                "evidence_detail": v.evidence_detail,
                "threshold_minutes": v.threshold_minutes,
                "margin_minutes": v.margin_minutes,
                "route_km": v.route_km,
                "average_speed_kmh": v.average_speed_kmh,
                "required_speed_kmh": v.required_speed_kmh,
                "minutes_to_save": v.minutes_to_save,
                "reason": v.reason,
                "fix": v.fix or "",
                "source": v.source.get("title", "") if v.source else "",
                "source_url": (v.source.get("url") or v.source.get("file") or "") if v.source else "",
            }
        )
    return pd.DataFrame(rows)


def verdicts_json(verdicts: Sequence[Verdict]) -> str:
    """JSON list of verdict objects (``id``, ``verdict``, ``minutes``, ``threshold_minutes``, ``reason``, ...)."""
    return json.dumps([v.to_dict() for v in verdicts], ensure_ascii=False, indent=2)
