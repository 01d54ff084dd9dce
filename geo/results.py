"""Typed results: the legs of a journey, its evidence, a claim's verdict and a scenario change.

Every product that answers "how long from A to B" (claims, ``geo route``,
door-to-door journeys, studies) builds these frozen dataclasses instead of
plain dicts; :meth:`to_dict` gives the JSON form the CLI and reports print
(the keys they always had). Each validates itself on construction and raises
:class:`~geo.errors.InputError` naming the bad value (negative minutes, an
unknown mode, a band whose low end is above its high end).

:class:`Leg`
    One leg: a ride, a drive or walk, or a step such as waiting or boarding.
    Optional fields are ``None`` when they do not apply (then absent from
    :meth:`Leg.to_dict`) and NaN when they apply but are unknown (``null``).
:class:`Evidence`
    Why a rail time is believed: ``timetable`` (which trips) or ``model``
    (which calibration, with its band of nominal 80 % coverage).
:class:`Trip`
    A computed journey: minutes, legs, distance, band and evidence.
:class:`Verdict`
    The outcome of one claim: ``holds``, ``fails``, ``uncertain`` or
    ``cannot-evaluate`` (the one way to say that data is missing; it is what
    :class:`~geo.errors.CannotEvaluate` becomes when a product catches it).
:class:`Change`
    One change of a scenario file (``add_road``, ``upgrade``, ``remove``,
    ``add_rail_line``).

Examples
--------
>>> leg = Leg("rail", "Xi'an North", "Shangluo West", 48.0, km=117.0, evidence="timetable", trip="D5265")
>>> leg.to_dict()
{'mode': 'rail', 'from': "Xi'an North", 'to': 'Shangluo West', 'minutes': 48.0, 'km': 117.0, 'trip': 'D5265', 'evidence': 'timetable'}
>>> Leg.from_dict(leg.to_dict()) == leg
True
>>> Leg("rail", "A", "B", -3.0)
Traceback (most recent call last):
...
geo.errors.InputError: leg A -> B: minutes must be >= 0, got -3.0. Fix: ...
>>> Evidence("timetable", trips=("D5265",)).detail
'timetable: trip D5265'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, cast, get_args

import numpy as np

from geo.errors import InputError
from geo.modes import CLAIM_MODES, LEG_MODES, LegMode, TripMode, check_mode

#: what a claim's evaluation concludes; ``cannot-evaluate`` is the one value for missing data
VerdictValue = Literal["holds", "fails", "uncertain", "cannot-evaluate"]
VERDICTS: tuple[VerdictValue, ...] = get_args(VerdictValue)
#: the kinds of claim (:mod:`geo.claims`)
ClaimKind = Literal["within", "coverage", "circle"]
KINDS: tuple[ClaimKind, ...] = get_args(ClaimKind)
#: what a rail time rests on
EvidenceKind = Literal["timetable", "model"]
EVIDENCE_KINDS: tuple[EvidenceKind, ...] = get_args(EvidenceKind)
#: the changes a scenario file may list (:mod:`geo.scenario`)
ChangeKind = Literal["add_road", "upgrade", "remove", "add_rail_line"]
CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)

__all__ = [
    "CHANGE_KINDS",
    "EVIDENCE_KINDS",
    "KINDS",
    "VERDICTS",
    "Change",
    "ChangeKind",
    "ClaimKind",
    "Evidence",
    "EvidenceKind",
    "Leg",
    "Trip",
    "Verdict",
    "VerdictValue",
    "json_value",
]


def json_value(x: Any) -> Any:
    """``x`` as JSON can hold it: NaN/inf become None, numpy scalars Python numbers, tuples lists.

    Examples
    --------
    >>> json_value((np.float64(1.5), math.nan, {"a": np.int64(2)}))
    [1.5, None, {'a': 2}]
    """
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Mapping):
        return {k: json_value(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_value(v) for v in x]
    return x


def _check_minutes(value: float | None, what: str, where: str) -> None:
    """InputError if ``value`` is negative or infinite (None and NaN -- unknown -- pass)."""
    if value is None:
        return
    if math.isinf(value) or value < 0:
        raise InputError(f"{where}: {what} must be >= 0, got {value!r}", f"compute {what} as a non-negative number (NaN if unknown)")


def _check_band(low: float | None, high: float | None, what: str, where: str) -> None:
    if low is not None and high is not None and low > high:
        raise InputError(f"{where}: {what} band is backwards ({low!r} > {high!r})", "give the low end first")


def _check_choice(value: object, allowed: tuple[str, ...], what: str, where: str) -> None:
    if value not in allowed:
        raise InputError(f"{where}: unknown {what} {value!r}", f"use one of {', '.join(allowed)}")


# =================================================================== legs
@dataclasses.dataclass(frozen=True)
class Leg:
    """One leg of a journey.

    Attributes
    ----------
    mode : LegMode
        ``drive``, ``walk``, ``bike``, ``rail`` or a step of a rail journey
        (``access``, ``egress``, ``park``, ``board``, ``wait``, ``transfer``,
        ``alight``, ``pickup``); :data:`geo.modes.LEG_MODES`.
    from_name, to_name : str
        Where the leg starts and ends (``from`` / ``to`` in :meth:`to_dict`).
    minutes : float
        Time of the leg (>= 0).
    minutes_low, minutes_high : float, optional
        The leg's band where it is modelled.
    metres, km : float, optional
        Length where known (door-to-door journeys give metres, claims km).
    method : str, optional
        How the leg was timed (``"fallback: straight line x1.3 at 40 km/h"``...).
    source : str, optional
        Which input timed a rail ride (``"timetable stop_times.csv"``...).
    line, trip : str, optional
        The line ridden; the timetabled trip.
    departs, arrives : str, optional
        Clock times of a timetabled ride (``HH:MM``).
    stops_between : int, optional
        Intermediate stops of a ride.
    evidence : {"timetable", "model"}, optional
        What a ride's time rests on.
    calibration : str, optional
        Version of the run-time calibration of a modelled ride.
    train_class : str, optional
    stops : tuple of str, optional
        Stations of a timetabled ride, first to last.
    dwell_s : tuple of float, optional
        Dwell seconds at those stations.
    other_trips : tuple of str, optional
        Other timetabled trips between the same stations.
    model_minutes, model_low, model_high : float, optional
        The run-time model beside a timetabled ride, for comparison.
    model_line, model : str, optional
        Which model that was; a one-line description (``geo route``).
    network : str, optional
        The road network a road leg was routed on.
    note : str, optional
    """

    mode: LegMode
    from_name: str
    to_name: str
    minutes: float
    minutes_low: float | None = None
    minutes_high: float | None = None
    metres: float | None = None
    km: float | None = None
    method: str | None = None
    source: str | None = None
    line: str | None = None
    trip: str | None = None
    departs: str | None = None
    arrives: str | None = None
    stops_between: int | None = None
    evidence: EvidenceKind | None = None
    calibration: str | None = None
    train_class: str | None = None
    stops: tuple[str, ...] | None = None
    dwell_s: tuple[float, ...] | None = None
    other_trips: tuple[str, ...] | None = None
    model_minutes: float | None = None
    model_low: float | None = None
    model_high: float | None = None
    model_line: str | None = None
    model: str | None = None
    network: str | None = None
    note: str | None = None

    #: JSON key of each field where it differs from the field name
    _KEYS: ClassVar[dict[str, str]] = {"from_name": "from", "to_name": "to"}
    #: number fields: ``null`` in JSON reads back as NaN (present but unknown)
    _NUMBERS: ClassVar[frozenset[str]] = frozenset(
        {"minutes", "minutes_low", "minutes_high", "metres", "km", "model_minutes", "model_low", "model_high"}
    )

    def __post_init__(self) -> None:
        where = f"leg {self.from_name} -> {self.to_name}"
        _check_choice(self.mode, LEG_MODES, "leg mode", where)
        if self.evidence is not None:
            _check_choice(self.evidence, EVIDENCE_KINDS, "evidence", where)
        for name in ("minutes", "minutes_low", "minutes_high", "model_minutes", "model_low", "model_high"):
            _check_minutes(getattr(self, name), name, where)
        for name in ("metres", "km"):
            v = getattr(self, name)
            if v is not None and v < 0:
                raise InputError(f"{where}: {name} must be >= 0, got {v!r}", "give the leg's length as a non-negative number (NaN if unknown)")
        _check_band(self.minutes_low, self.minutes_high, "the minutes", where)
        _check_band(self.model_low, self.model_high, "the model's", where)

    @property
    def is_fallback(self) -> bool:
        """True when the leg was timed by a stated straight-line fallback (no network covered it)."""
        return (self.method or "").startswith("fallback")

    def to_dict(self, *, clean: bool = True) -> dict[str, Any]:
        """The leg as a mapping with its JSON keys (fields that do not apply are left out).

        Keys come in field order: ``mode, from, to, minutes``, then the optional
        fields that are set. ``clean=False`` keeps NaN and numpy numbers (for a
        DataFrame); the default gives JSON-ready values.
        """
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if v is None:
                continue
            out[self._KEYS.get(f.name, f.name)] = json_value(v) if clean else v
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Leg:
        """A leg from its :meth:`to_dict` form (``null`` numbers read as NaN: present but unknown).

        Raises
        ------
        InputError
            An unknown key, a missing ``mode``/``from``/``to``/``minutes`` or a bad value.
        """
        names = {cls._KEYS.get(f.name, f.name): f for f in dataclasses.fields(cls)}
        unknown = [k for k in d if k not in names]
        if unknown:
            raise InputError(f"leg {dict(d)!r}: unknown key(s) {', '.join(map(str, unknown))}", f"use only {', '.join(names)}")
        missing = [k for k in ("mode", "from", "to", "minutes") if k not in d]
        if missing:
            raise InputError(f"leg {dict(d)!r}: missing {', '.join(missing)}", "give mode, from, to and minutes")
        kw: dict[str, Any] = {}
        for key, v in d.items():
            f = names[key]
            if isinstance(v, list):
                v = tuple(v)
            elif v is None and f.name in cls._NUMBERS:
                v = math.nan
            kw[f.name] = v
        return cls(**kw)


# =================================================================== evidence
@dataclasses.dataclass(frozen=True)
class Evidence:
    """What a journey's rail time rests on.

    Attributes
    ----------
    kind : {"timetable", "model"}
        ``timetable``: scheduled trips; ``model``: a planned line or the OSM
        run-time model, calibrated (:mod:`geo._private.runtime`).
    trips : tuple of str
        Timetabled trips ridden (``timetable``).
    lines : tuple of str
        Timetabled lines ridden without a trip id (``timetable``), or the
        modelled lines (``model``).
    calibration : str
        Calibration version(s) of a model (``model``; ``""`` for a timetable).
    band_minutes : (float, float) or None
        The model's band (nominal 80 % coverage on lines not fitted on) around the modelled ride, as offsets in
        minutes (e.g. ``(-1.2, +2.0)``); None for a timetable.

    Examples
    --------
    >>> Evidence("model", lines=("Xi'an-Shiyan HSR",), calibration="2026.1", band_minutes=(-1.25, 2.0)).detail
    "model: Xi'an-Shiyan HSR; calibration 2026.1, band -1.2/+2.0 min (80 % band of held-out errors)"
    """

    kind: EvidenceKind
    trips: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    calibration: str = ""
    band_minutes: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        where = f"{self.kind} evidence"
        _check_choice(self.kind, EVIDENCE_KINDS, "evidence", "evidence")
        if not (self.trips or self.lines):
            raise InputError(f"{where} names no trip or line", "give the trips (timetable) or the modelled lines")
        if self.kind == "model":
            if not self.calibration or self.band_minutes is None:
                raise InputError(f"{where} needs its calibration version and band", "pass calibration= and band_minutes=")
            _check_band(self.band_minutes[0], self.band_minutes[1], "the model's", where)
        elif self.band_minutes is not None:
            raise InputError(f"{where} has a band", "a timetable has no band: leave band_minutes None")

    @property
    def detail(self) -> str:
        """One line for reports: ``"timetable: trip D5265"`` or ``"model: LINE; calibration V, band -1.2/+2.0 min (...)"``."""
        if self.kind == "timetable":
            what = ("trip " + ", ".join(self.trips)) if self.trips else ("timetabled line " + ", ".join(self.lines))
            return f"timetable: {what}"
        lo, hi = self.band_minutes or (math.nan, math.nan)
        return f"model: {', '.join(self.lines)}; calibration {self.calibration}, band {lo:+.1f}/{hi:+.1f} min (80 % band of held-out errors)"

    def to_dict(self) -> dict[str, Any]:
        """``{"evidence": kind, "evidence_detail": detail}``: the keys a verdict's JSON carries."""
        return {"evidence": self.kind, "evidence_detail": self.detail}


# =================================================================== trips
@dataclasses.dataclass(frozen=True)
class Trip:
    """A computed journey from one place to another (what a verdict is decided on).

    ``minutes`` is NaN when the destination is unreachable. A band that is not
    given (NaN) is the minutes themselves: a timetable or a road time has no band.
    """

    minutes: float
    legs: tuple[Leg, ...] = ()
    km: float = math.nan
    fallback: bool = False
    note: str = ""
    minutes_low: float = math.nan
    minutes_high: float = math.nan
    evidence: Evidence | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.legs, tuple):  # a list from a producer: store it immutably
            object.__setattr__(self, "legs", tuple(self.legs))
        if math.isnan(self.minutes_low):
            object.__setattr__(self, "minutes_low", self.minutes)
        if math.isnan(self.minutes_high):
            object.__setattr__(self, "minutes_high", self.minutes)
        where = "trip " + (f"{self.legs[0].from_name} -> {self.legs[-1].to_name}" if self.legs else "")
        for name in ("minutes", "minutes_low", "minutes_high"):
            _check_minutes(getattr(self, name), name, where.strip())
        _check_band(self.minutes_low, self.minutes_high, "the minutes", where.strip())

    def to_dict(self) -> dict[str, Any]:
        """``{minutes, legs, km, fallback, note}`` (legs as their dicts), JSON-ready."""
        return {
            "minutes": json_value(self.minutes),
            "legs": [leg.to_dict() for leg in self.legs],
            "km": json_value(self.km),
            "fallback": self.fallback,
            "note": self.note,
        }


# =================================================================== verdicts
@dataclasses.dataclass(frozen=True)
class Verdict:
    """The result of evaluating one claim.

    ``minutes`` is NaN when not computed; ``margin_minutes`` is
    ``threshold - minutes`` (negative when the claim fails). A
    ``cannot-evaluate`` verdict names the missing data in ``reason`` and how to
    supply it in ``fix``.

    Attributes
    ----------
    id : str
    verdict : {"holds", "fails", "uncertain", "cannot-evaluate"}
    minutes, threshold_minutes, margin_minutes : float
    reason : str
    text, kind, mode : str
        The claim as written.
    legs : tuple of Leg
        The journey decided on (the slowest place of a ``circle`` claim).
    route_km, average_speed_kmh, required_speed_kmh, minutes_to_save : float
        What it would take.
    fix : str or None
    estimate_minutes : float
        A fallback estimate behind a ``cannot-evaluate`` verdict (not a verdict).
    origin, target : str or None
    source : dict
        The claim's citation.
    details : tuple of dict
        One row per place (``circle``) or region (``coverage``).
    inputs : tuple of str
    minutes_low, minutes_high : float
        The band of a modelled time (equal to ``minutes`` for a timetable or road).
    evidence : Evidence or None
        What the rail time rests on (None without rail).
    """

    id: str
    verdict: VerdictValue
    minutes: float
    threshold_minutes: float
    reason: str
    text: str = ""
    kind: ClaimKind = "within"
    mode: TripMode = "drive"
    margin_minutes: float = math.nan
    legs: tuple[Leg, ...] = ()
    route_km: float = math.nan
    average_speed_kmh: float = math.nan
    required_speed_kmh: float = math.nan
    minutes_to_save: float = math.nan
    fix: str | None = None
    estimate_minutes: float = math.nan
    origin: str | None = None
    target: str | None = None
    source: dict[str, Any] = dataclasses.field(default_factory=dict)
    details: tuple[dict[str, Any], ...] = ()
    inputs: tuple[str, ...] = ()
    minutes_low: float = math.nan
    minutes_high: float = math.nan
    evidence: Evidence | None = None

    def __post_init__(self) -> None:
        for name in ("legs", "details", "inputs"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        where = f"verdict of claim {self.id!r}"
        _check_choice(self.verdict, VERDICTS, "verdict", where)
        _check_choice(self.kind, KINDS, "claim kind", where)
        check_mode(self.mode, CLAIM_MODES, where=f"{where}: ")
        for name in ("minutes", "minutes_low", "minutes_high", "estimate_minutes"):
            _check_minutes(getattr(self, name), name, where)
        if not (self.threshold_minutes > 0):
            raise InputError(f"{where}: threshold_minutes must be positive, got {self.threshold_minutes!r}", "write e.g. threshold_minutes: 15")
        _check_band(self.minutes_low, self.minutes_high, "the minutes", where)

    @property
    def evidence_detail(self) -> str:
        """The evidence in one line (``""`` without rail)."""
        return self.evidence.detail if self.evidence is not None else ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN becomes None, numbers rounded to 3 decimals); the keys ``geo claim --json`` prints."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "legs":
                v = [leg.to_dict() for leg in v]
            elif f.name == "evidence":
                out.update(self.evidence.to_dict() if self.evidence is not None else {"evidence": None, "evidence_detail": ""})
                continue
            out[f.name] = _rounded(v)
        return out

    def summary(self) -> str:
        """One line: ``id: VERDICT - reason``."""
        return f"{self.id}: {self.verdict.upper()} - {self.reason}" + (f" Fix: {self.fix}" if self.fix else "")


def _rounded(x: Any) -> Any:
    x = json_value(x)
    if isinstance(x, float):
        return round(x, 3)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return x


# =================================================================== scenarios
@dataclasses.dataclass(frozen=True)
class Change:
    """One change of a scenario file, as written (validated by :func:`geo.scenario.load_scenario`).

    Attributes
    ----------
    kind : {"add_road", "upgrade", "remove", "add_rail_line"}
    spec : mapping
        Its options as written (``name``, ``select``, ``speed_kmh``, ``spec``...).
    index : int
        Position in the file's ``changes:`` list (0-based).
    line : int
        Line in the file (0 when unknown).

    Examples
    --------
    >>> ch = Change("upgrade", {"select": {"ref": "G211"}, "speed_kmh": 80}, 0)
    >>> ch.to_dict()
    {'upgrade': {'select': {'ref': 'G211'}, 'speed_kmh': 80}}
    >>> Change.from_dict(ch.to_dict(), 0) == ch
    True
    """

    kind: ChangeKind
    spec: Mapping[str, Any]
    index: int
    line: int = 0

    def __post_init__(self) -> None:
        where = f"change {self.index + 1}"
        _check_choice(self.kind, CHANGE_KINDS, "change", where)
        if not isinstance(self.spec, Mapping):
            raise InputError(f"{where}: {self.kind} needs a mapping of options, got {self.spec!r}", "see docs/scenarios.md")
        if self.index < 0:
            raise InputError(f"{where}: index must be >= 0, got {self.index}", "count changes from 0")

    @property
    def label(self) -> str:
        """The change's ``name`` (or ``id``) as written, ``""`` if it has none."""
        return str(self.spec.get("name") or self.spec.get("id") or "")

    def where(self, file: str) -> str:
        """``FILE line N (change I: KIND 'name')`` for messages."""
        loc = f"{file} line {self.line}" if self.line else file
        label = self.label
        return f"{loc} (change {self.index + 1}: {self.kind}{' ' + repr(label) if label else ''})"

    def to_dict(self) -> dict[str, Any]:
        """``{kind: options}``: the change as a scenario file writes it."""
        return {self.kind: dict(self.spec)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], index: int, line: int = 0) -> Change:
        """A change from its file form ``{kind: options}`` (one key)."""
        if not isinstance(d, Mapping) or len(d) != 1:
            raise InputError(
                f"change {index + 1}: each change is a mapping with one key ({', '.join(CHANGE_KINDS)})",
                "write e.g. '- upgrade: {select: {ref: G211}, speed_kmh: 80}'",
            )
        kind, spec = next(iter(d.items()))
        _check_choice(kind, CHANGE_KINDS, "change", f"change {index + 1}")
        return cls(cast(ChangeKind, kind), spec, index, line)

