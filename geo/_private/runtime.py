"""Train run-time model: minimum running time over a speed-limit profile.

The classic "running time calculation" of railway timetabling (as in
OpenTrack, RailSys or UIC leaflet 451-1): the train accelerates with a
tractive effort limited by adhesion at low speed and by power at high speed,
minus running resistance (Davis formula); it brakes at a constant service
deceleration; it never exceeds the track speed limit nor its own top speed.
The speed profile is the minimum of a forward (acceleration) pass and a
backward (braking) pass over a distance grid, and the time is its integral.
A running-time supplement (recovery margin) and dwell times are added on top.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit

from geo.errors import DataError, InputError
from geo.speeds import RAIL_DESIGN_CLASSES, RAIL_DESIGN_RADIUS_M

#: top speed (km/h) by the letter of a Chinese train number
CLASS_TOP_SPEED_KMH: dict[str, float] = {"G": 350.0, "C": 350.0, "D": 250.0, "Z": 160.0, "T": 140.0, "K": 120.0}


@dataclasses.dataclass(frozen=True)
class TrainModel:
    """Performance of a train, per unit mass (so the figures do not depend on train length).

    The defaults are of the order of an 8-car 350 km/h EMU (CR400AF/BF class:
    about 10 MW of traction power for about 500 t loaded). They are stated
    assumptions, not measurements; change them for other stock.

    Attributes
    ----------
    max_speed_kmh : float
        Top speed of the train.
    start_accel_ms2 : float
        Adhesion-limited acceleration at low speed.
    power_w_per_kg : float
        Traction power per unit mass; above the adhesion limit the tractive
        acceleration is ``power / v``.
    davis_a, davis_b, davis_c : float
        Running resistance per unit mass, ``a + b v + c v^2`` in m/s² with
        ``v`` in m/s.
    brake_ms2 : float
        Service braking deceleration used for timetabling.
    supplement : float
        Running-time supplement (recovery margin) as a fraction of the pure
        running time (UIC 451-1 recommends a few per cent).

    Examples
    --------
    >>> TrainModel().max_speed_kmh
    350.0
    """

    max_speed_kmh: float = 350.0
    start_accel_ms2: float = 0.4
    power_w_per_kg: float = 20.0
    davis_a: float = 0.006
    davis_b: float = 1.0e-4
    davis_c: float = 1.2e-5
    brake_ms2: float = 0.5
    supplement: float = 0.05

    @classmethod
    def for_train_number(cls, train: str, **overrides: float) -> TrainModel:
        """A model capped at the top speed of a Chinese train class (:data:`CLASS_TOP_SPEED_KMH`).

        The letter of a Chinese train number states its class: ``G`` trains
        run up to 350 km/h, ``D`` (EMU) trains up to 250 km/h, ``C``
        (intercity) up to 350 km/h, ``Z``/``T``/``K`` conventional trains
        160/140/120 km/h. Unknown prefixes keep the default 350 km/h.

        Examples
        --------
        >>> TrainModel.for_train_number("D5264").max_speed_kmh
        250.0
        >>> TrainModel.for_train_number("G87").max_speed_kmh
        350.0
        """
        letter = str(train).strip()[:1].upper()
        top = CLASS_TOP_SPEED_KMH.get(letter, cls.max_speed_kmh)
        return cls(**{"max_speed_kmh": float(top), **overrides})

    def accel(self, v: float) -> float:
        """Net acceleration (m/s²) at speed ``v`` (m/s) under full traction."""
        traction = self.start_accel_ms2 if v <= 0 else min(self.start_accel_ms2, self.power_w_per_kg / v)
        return traction - (self.davis_a + self.davis_b * v + self.davis_c * v * v)

    def check(self) -> None:
        for name in ("max_speed_kmh", "start_accel_ms2", "power_w_per_kg", "brake_ms2"):
            val = getattr(self, name)
            if not (isinstance(val, int | float) and val > 0 and math.isfinite(val)):
                raise InputError(f"train model: {name} must be a positive number, got {val!r}", f"set {name} > 0")
        if not 0 <= self.supplement < 1:
            raise InputError(f"train model: supplement must be in [0, 1), got {self.supplement!r}", "use e.g. 0.05 for 5 %")
        if self.accel(1.0) <= 0:
            raise InputError("train model: resistance exceeds traction at 1 m/s", "lower davis_a or raise start_accel_ms2")


@njit(cache=True, nogil=True)
def _profile_seconds(vlim, ds, start_accel, power, da, db, dc, brake):  # pragma: no cover - compiled
    """Seconds over a grid of speed limits (m/s) spaced ``ds`` metres, standstill at both ends."""
    n = vlim.shape[0]
    fwd = np.empty(n)
    fwd[0] = 0.0
    for i in range(n - 1):
        v = fwd[i]
        tr = start_accel if v <= 0 else min(start_accel, power / v)
        a = tr - (da + db * v + dc * v * v)
        nxt = v
        if a > 0:
            nxt = math.sqrt(v * v + 2.0 * a * ds)
        fwd[i + 1] = min(nxt, vlim[i + 1])
    bwd = np.empty(n)
    bwd[n - 1] = 0.0
    b2 = 2.0 * brake * ds
    for i in range(n - 2, -1, -1):
        bwd[i] = min(math.sqrt(bwd[i + 1] * bwd[i + 1] + b2), vlim[i])
    t = 0.0
    vmax = 0.0
    for i in range(n):
        v = min(fwd[i], bwd[i])
        fwd[i] = v
        if v > vmax:
            vmax = v
    for i in range(n - 1):
        vm = fwd[i] + fwd[i + 1]
        if vm <= 0:
            return math.inf, vmax
        t += 2.0 * ds / vm
    return t, vmax


def speed_limit_grid(
    seg_length_m: Sequence[float] | np.ndarray,
    seg_speed_kmh: Sequence[float] | np.ndarray,
    top_kmh: float,
    step_m: float = 25.0,
    restrictions: Sequence[tuple[float, float, float]] = (),
    profile: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """Speed limit (m/s) at each point of a distance grid, and the grid step.

    The limit at a grid point is the lowest of the segments touching it, the
    train's ``top_kmh``, every restriction ``(start_m, end_m, kmh)``
    covering it (station throats, junctions) and ``profile``
    ``(positions_m, kmh)`` interpolated at it (curves).
    """
    lengths = np.asarray(seg_length_m, dtype=np.float64)
    speeds = np.asarray(seg_speed_kmh, dtype=np.float64)
    total = float(lengths.sum())
    n = max(2, math.ceil(total / step_m) + 1)
    s = np.linspace(0.0, total, n)
    ds = s[1] - s[0] if total > 0 else 0.0
    bounds = np.concatenate([[0.0], np.cumsum(lengths)])
    idx = np.clip(np.searchsorted(bounds, s, side="right") - 1, 0, len(lengths) - 1)
    idx_l = np.clip(np.searchsorted(bounds, s, side="left") - 1, 0, len(lengths) - 1)
    vlim = np.minimum(np.minimum(speeds[idx], speeds[idx_l]), top_kmh)
    for a, b, kmh in restrictions:
        m = (s >= a - ds / 2) & (s <= b + ds / 2)
        vlim[m] = np.minimum(vlim[m], kmh)
    if profile is not None and len(profile[0]):
        vlim = np.minimum(vlim, np.interp(s, profile[0], profile[1]))
    return vlim / 3.6, float(ds)


def pure_running_time(
    seg_length_m: Sequence[float] | np.ndarray,
    seg_speed_kmh: Sequence[float] | np.ndarray,
    train: TrainModel,
    step_m: float = 25.0,
    restrictions: Sequence[tuple[float, float, float]] = (),
    profile: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[float, float]:
    """Seconds to run from standstill to standstill over consecutive segments.

    Parameters
    ----------
    seg_length_m, seg_speed_kmh
        The route as consecutive pieces with their speed limits.
    train
        Train performance.
    step_m
        Distance step of the integration.
    restrictions
        Extra speed restrictions ``(start_m, end_m, kmh)`` along the route
        (station throats, junctions).
    profile
        Speed limit ``(positions_m, kmh)`` interpolated along the route (curves).

    Returns
    -------
    (seconds, top speed reached in km/h), without supplement or dwell.

    Examples
    --------
    A pure trapezoid: 10 km at 36 km/h (10 m/s) with a train accelerating at a
    constant 0.5 m/s² (no resistance) and braking at 0.5 m/s²: accelerating
    and braking take 20 s each over 100 m each, cruising 9.8 km takes 980 s.

    >>> tm = TrainModel(max_speed_kmh=36, start_accel_ms2=0.5, power_w_per_kg=1e9,
    ...                 davis_a=0, davis_b=0, davis_c=0, brake_ms2=0.5)
    >>> t, vmax = pure_running_time([10_000], [36], tm, step_m=1.0)
    >>> round(t, 1), round(vmax, 1)
    (1020.0, 36.0)
    """
    lengths = np.asarray(seg_length_m, dtype=np.float64)
    if float(lengths.sum()) <= 0:
        return 0.0, 0.0
    vlim, ds = speed_limit_grid(lengths, seg_speed_kmh, train.max_speed_kmh, step_m, restrictions, profile)
    t, vmax = _profile_seconds(
        vlim, ds, train.start_accel_ms2, train.power_w_per_kg, train.davis_a, train.davis_b, train.davis_c, train.brake_ms2
    )
    return float(t), float(vmax * 3.6)


def section_times(
    sections: Sequence[tuple[Sequence[float], Sequence[float]]],
    train: TrainModel,
    step_m: float = 25.0,
) -> list[float]:
    """Running seconds of each stop-to-stop section, supplement included."""
    out = []
    for lengths, speeds in sections:
        t, _ = pure_running_time(lengths, speeds, train, step_m)
        out.append(t * (1.0 + train.supplement))
    return out


# ---------------------------------------------------------------- calibrated model
#: curve lateral acceleration (m/s²), stated, not fitted: v²/r of the top row of the high-speed radius table
#: (geo.speeds.RAIL_DESIGN_RADIUS_M, TB 10621: 350 km/h from 7000 m, (350/3.6)²/7000 = 1.35 m/s², cant plus cant
#: deficiency of about 206 mm). The same table classifies a line as 350 km/h from its radius, so a 7000 m curve lets
#: 350 km/h through. Fitted up to calibration format 4 (bounded below by this value): a free fit fell to 0.74 m/s²
#: in one cross-validation fold (a 7000 m curve capped at 258 km/h), and once the route radii no longer read thin
#: geometry tight (format 5) the data hardly identified it (1.35 against 3.0 m/s² moved no section by more than
#: 0.8 %) and the fit ran to its upper bound of 3.0 m/s², which no passenger train is allowed.
CURVE_ACCEL_MS2: float = max((kmh / 3.6) ** 2 / r for r, kmh in RAIL_DESIGN_RADIUS_M["highspeed"] if r > 0)

#: heading window (m) over which the curve radius along a route is measured for the curve speed limit: the
#: window that measures a line's design radius (geo.rail.line_design_radius), so a line classified 350 km/h from
#: its curves is not throttled by the same curves read on a shorter, noisier window. It is also the scale of a
#: high-speed curve (a 7000 m curve turning 20 degrees is 2.4 km long). Up to calibration format 2 it was 1000 m:
#: on the thinned OSM geometry of 西安北->华山北 (徐兰高速线, a 350 km/h line) that read radii down to 3160 m
#: (7.6 km of route below 4500 m; the 2000 m window: none below 5390 m) and cost 2.5 min of curve limits on a
#: run G trains make in 28 min.
CURVE_WINDOW_M: float = 2000.0

#: the free parameters of the calibrated model, in fit order, with their search bounds
FIT_PARAMETERS: dict[str, tuple[float, float]] = {
    # line speed as a fraction of the line's design speed (from its curvature, or published): one figure
    # for high-speed, conventional and connecting lines alike
    "design_fraction": (0.4, 1.0),
    "stop_loss_s": (0.0, 300.0),  # start/stop loss and timetable allowance per stop-to-stop section
    "supplement": (0.0, 0.4),  # running-time supplement, fraction of the pure running time
    # arrival allowance at a junction station (geo.rail.RailNetwork.is_hub): the run into a hub through its long
    # interlocking and grade-separated approaches, and the wait for a path across it (format 6)
    "hub_arrival_s": (0.0, 600.0),
}

#: packaged calibration file (written by ``scripts/calibrate_rail.py`` / ``geo rail calibrate``)
CALIBRATION_FILE = Path(__file__).resolve().parent.parent / "data" / "rail_calibration.json"


def train_class(train: str | None) -> str:
    """The class letter of a Chinese train number (``"G87"`` -> ``"G"``, ``"1234"`` -> ``""``).

    ``None`` or an empty string stands for an unknown class (``"?"``): any
    line, default top speed.

    Examples
    --------
    >>> train_class("D5264"), train_class("g"), train_class(None), train_class("1461")
    ('D', 'G', '?', '')
    """
    if train is None or not str(train).strip():
        return "?"
    c = str(train).strip()[:1].upper()
    return c if c.isalpha() else ""


@dataclasses.dataclass(frozen=True)
class Calibration:
    """Fitted parameters of the calibrated run-time model and their uncertainty band.

    A stop-to-stop section takes ``stop_loss_s + (1 + supplement) * T``
    (plus ``hub_arrival_s`` when it ends at a junction station,
    :meth:`geo.rail.RailNetwork.is_hub`) where
    ``T`` is the minimum running time (:func:`pure_running_time`) over the
    route's speed limits: ``maxspeed`` where OSM has it, otherwise
    ``design_fraction`` times the line's design speed (inferred from the
    line's minimum curve radius, :func:`geo.speeds.rail_design_speed`, or
    published, :meth:`line_speeds`); in curves and junctions ``sqrt(curve_accel_ms2 * radius)`` (stated, :data:`CURVE_ACCEL_MS2`)
    (radius measured on the OSM geometry, :func:`curve_radii`);
    never above the train class's top speed. Station approaches are governed
    by the braking and acceleration curves (:class:`TrainModel`): a separate
    station-throat speed limit was fitted up to calibration format 1 and was
    inactive at every value above ~140 km/h (the train is already below it
    over the last 1.5 km of a braking curve at 0.5 m/s²), so the data could
    not identify it; it is no longer a parameter.

    Attributes
    ----------
    version : str
    params : dict
        The fitted :data:`FIT_PARAMETERS`.
    fixed : dict
        Stated, not fitted: ``curve_window_m``, ``curve_accel_ms2``, ``dwell_s`` (median
        dwell of the calibration trips), ``class_top_kmh``.
    band : (float, float)
        Low and high ratio of observed/modelled time: quantiles ``(t, 1 - t)``
        of sections on held-out corridors (leave-one-corridor-out
        cross-validation), ``t`` chosen so the band's coverage on corridors
        not fitted on is its nominal 80 % (:func:`geo._private.railcal.calibrated_band`;
        a fixed 10-90 % band up to calibration format 3).
    meta : dict
        The whole calibration file (fit date, inputs and hashes, CV table).
    """

    version: str
    params: dict[str, float]
    fixed: dict[str, Any]
    band: tuple[float, float]
    meta: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Calibration:
        p = {k: float(d["parameters"][k]) for k in FIT_PARAMETERS}
        float(d["fixed"]["curve_accel_ms2"])  # stated since format 5 (a KeyError: a file of an older format)
        b = d["band"]
        return cls(str(d["version"]), p, dict(d["fixed"]), (float(b["low_ratio"]), float(b["high_ratio"])), dict(d))

    def top_kmh(self, cls_letter: str) -> float:
        """Top speed of a train class (``"?"`` = unknown: the fastest class)."""
        tops = {str(k): float(v) for k, v in self.fixed["class_top_kmh"].items()}
        return tops.get(cls_letter, max(tops.values()))

    def line_speeds(
        self,
        rail_class: np.ndarray,
        maxspeed_kmh: np.ndarray,
        class_speed_kmh: np.ndarray,
        design_speed_kmh: float | None = None,
        *,
        design_kmh: np.ndarray | None = None,
        published_kmh: np.ndarray | None = None,
    ) -> np.ndarray:
        """Speed limit of each edge: tagged maxspeed, else ``design_fraction`` x the line's design speed.

        The design speed is the line's published one where ``fixed["published_speeds"]``
        is true and ``published_kmh`` has it, else the one inferred from the
        line's curvature (``design_kmh``, :func:`geo.speeds.rail_design_speed`),
        else the class table (``class_speed_kmh``). Classes outside
        :data:`geo.speeds.RAIL_DESIGN_CLASSES` (metro, tram, sidings) keep the
        class table. ``design_speed_kmh`` (a scenario's design speed) replaces
        the design speed of high-speed edges.
        """
        n = len(rail_class)
        design = np.full(n, np.nan) if design_kmh is None else np.asarray(design_kmh, dtype=float)
        if self.fixed.get("published_speeds") and published_kmh is not None:
            pub = np.asarray(published_kmh, dtype=float)
            design = np.where(np.isfinite(pub), pub, design)
        if design_speed_kmh is not None:
            design = np.where(rail_class == "highspeed", float(design_speed_kmh), design)
        mainline = np.isin(rail_class, list(RAIL_DESIGN_CLASSES))
        design = np.where(np.isfinite(design), design, class_speed_kmh)
        sp = np.where(mainline, self.params["design_fraction"] * design, class_speed_kmh)
        return np.where(np.isfinite(maxspeed_kmh) & (maxspeed_kmh > 0), maxspeed_kmh, sp)

    def section_seconds(
        self,
        seg_length_m: np.ndarray,
        seg_speed_kmh: np.ndarray,
        train: TrainModel,
        step_m: float = 25.0,
        curves: tuple[np.ndarray, np.ndarray] | None = None,
        hub_arrival: bool = False,
    ) -> tuple[float, float]:
        """Seconds of one stop-to-stop section (stop loss and supplement included), top km/h.

        ``hub_arrival``: the section ends at a junction station, so the hub
        arrival allowance (``hub_arrival_s``) is added.
        """
        total = float(np.sum(seg_length_m))
        if total <= 0:
            return 0.0, 0.0
        p = self.params
        prof = None
        if curves is not None and len(curves[0]):
            prof = (curves[0], 3.6 * np.sqrt(float(self.fixed["curve_accel_ms2"]) * curves[1]))
        t, top = pure_running_time(seg_length_m, seg_speed_kmh, train, step_m, profile=prof)
        return p["stop_loss_s"] + (1.0 + p["supplement"]) * t + (p["hub_arrival_s"] if hub_arrival else 0.0), top

    def band_minutes(self, minutes: float) -> tuple[float, float]:
        """The band (nominal 80 % coverage) around a modelled time; it always contains ``minutes``."""
        if not math.isfinite(minutes):
            return math.nan, math.nan
        lo, hi = self.band
        return minutes * min(lo, 1.0), minutes * max(hi, 1.0)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Calibration:
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return Calibration.from_dict(d)
    except FileNotFoundError:
        raise DataError(f"rail calibration file {path} does not exist", "run scripts/calibrate_rail.py (or geo rail calibrate --write)") from None
    except (KeyError, ValueError, TypeError) as exc:
        raise DataError(f"rail calibration file {path} is not valid: {exc}", "rewrite it with geo rail calibrate --write") from None


def load_calibration(path: str | Path | None = None) -> Calibration:
    """The packaged calibration (:data:`CALIBRATION_FILE`) or the one at ``path``."""
    return _load(str(Path(path) if path is not None else CALIBRATION_FILE))


def curve_radii(
    x: np.ndarray, y: np.ndarray, window_m: float = 1000.0, step_m: float = 50.0, vertex_arcs: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Curve radius (m) along a polyline in metres: ``(positions_m, radius_m)``.

    The polyline is resampled every ``step_m``; the radius at a point is
    ``window_m`` divided by the change of heading over the window centred on
    it (infinite on straight track). OSM geometry is coarse, so radii below
    a few hundred metres mostly mean a junction or a digitising kink.

    With ``vertex_arcs`` the heading change at a vertex of the polyline belongs
    to the arc of its two adjacent half-chords (the discrete curvature of a
    polyline), so the radius is ``max(window_m, A) / |heading change|``, ``A``
    being the arc those vertices represent (each counted by the share of its turn
    the window holds). Where chords are longer than the window, the window
    alone sees a whole turn and reads ``window_m / turn``, below the radius; a
    regular polygon inscribed in a circle of radius ``R`` with chords ``c`` reads
    ``c / (2 asin(c / 2R))``, ``R`` to within 1 % for ``c <= R / 2``. On densely
    drawn track ``A`` does not exceed the window and the reading is unchanged.
    Vertices turning less than 1e-6 rad (points splitting a chord: junctions,
    station links) do not cut a chord.

    Examples
    --------
    >>> t = np.linspace(0, np.pi / 2, 200); r = 5000.0
    >>> pos, rad = curve_radii(r * np.cos(t), r * np.sin(t))
    >>> bool(np.all(np.abs(rad[30:-30] - r) < 50))
    True
    >>> t = np.arange(9) * 2 * np.arcsin(2700.0 / 2 / 7000.0)   # 7000 m arc drawn with 2.7 km chords
    >>> pos, rad = curve_radii(7000 * np.sin(t), 7000 * (1 - np.cos(t)), window_m=2000.0, vertex_arcs=True)
    >>> round(float(rad[(pos > 2700) & (pos < 18900)].min()))
    6956
    """
    seg = np.hypot(np.diff(x), np.diff(y))
    cum = np.r_[0.0, np.cumsum(seg)]
    total = float(cum[-1])
    if total < 2 * step_m:
        return np.zeros(0), np.zeros(0)
    keep = np.r_[True, seg > 1e-6]
    cum, x, y = cum[keep], x[keep], y[keep]
    s = np.arange(0.0, total + step_m / 2, step_m)
    xs, ys = np.interp(s, cum, x), np.interp(s, cum, y)
    mid = (s[1:] + s[:-1]) / 2
    head = np.unwrap(np.arctan2(np.diff(ys), np.diff(xs)))
    half = window_m / 2
    lo_m, hi_m = np.clip(mid - half, mid[0], mid[-1]), np.clip(mid + half, mid[0], mid[-1])
    h_lo = np.interp(lo_m, mid, head)
    h_hi = np.interp(hi_m, mid, head)
    span = hi_m - lo_m
    if vertex_arcs:
        span = np.maximum(span, _vertex_arc_m(cum, x, y, mid, lo_m, hi_m, step_m))
    with np.errstate(divide="ignore", invalid="ignore"):
        rad = np.where(np.abs(h_hi - h_lo) > 1e-9, span / np.abs(h_hi - h_lo), np.inf)
    return mid, rad


def _vertex_arc_m(
    cum: np.ndarray, x: np.ndarray, y: np.ndarray, mid: np.ndarray, lo_m: np.ndarray, hi_m: np.ndarray, step_m: float
) -> np.ndarray:
    """Arc (m) represented by the polyline vertices whose turn the heading window ``[lo_m, hi_m]`` counts.

    A vertex represents half of each adjacent chord (chords between turning vertices). The resampled heading
    of :func:`curve_radii` takes a vertex's turn over the ``step_m`` segment around it, and the window reads it
    by linear interpolation between segment midpoints, so a vertex's arc is counted by the same share:
    ``G(m) = sum_i a_i * clip((m + step/2 - c_i) / step, 0, 1)`` at the midpoints, interpolated, ``A = G(hi) - G(lo)``.
    """
    d = np.diff(np.arctan2(np.diff(y), np.diff(x)))
    turn = np.abs((d + np.pi) % (2 * np.pi) - np.pi)
    at = cum[[0, *(np.flatnonzero(turn > 1e-6) + 1), len(cum) - 1]]  # ends, then turning vertices, in order
    at = np.unique(at)
    if len(at) <= 2:
        return np.zeros_like(mid)
    c = at[1:-1]
    a = (at[2:] - at[:-2]) / 2  # half of each adjacent chord
    # G(m) = (Q(m + step/2) - Q(m - step/2)) / step, Q(x) = integral of sum_i a_i H(t - c_i) dt up to x
    knots = np.r_[c, c[-1] + 2 * step_m + (mid[-1] - mid[0]) + 1.0]
    slope = np.cumsum(a)  # S(t) just after each knot
    q = np.r_[0.0, np.cumsum(slope * np.diff(knots))]

    def big_q(v: np.ndarray) -> np.ndarray:
        return np.interp(v, knots, q, left=0.0)

    g = (big_q(mid + step_m / 2) - big_q(mid - step_m / 2)) / step_m
    return np.interp(hi_m, mid, g) - np.interp(lo_m, mid, g)
