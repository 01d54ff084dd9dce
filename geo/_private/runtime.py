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
import math
from collections.abc import Sequence

import numpy as np

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
        from geo.errors import InputError

        for name in ("max_speed_kmh", "start_accel_ms2", "power_w_per_kg", "brake_ms2"):
            val = getattr(self, name)
            if not (isinstance(val, int | float) and val > 0 and math.isfinite(val)):
                raise InputError(f"train model: {name} must be a positive number, got {val!r}", f"set {name} > 0")
        if not 0 <= self.supplement < 1:
            raise InputError(f"train model: supplement must be in [0, 1), got {self.supplement!r}", "use e.g. 0.05 for 5 %")
        if self.accel(1.0) <= 0:
            raise InputError("train model: resistance exceeds traction at 1 m/s", "lower davis_a or raise start_accel_ms2")


def pure_running_time(
    seg_length_m: Sequence[float] | np.ndarray,
    seg_speed_kmh: Sequence[float] | np.ndarray,
    train: TrainModel,
    step_m: float = 25.0,
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
    speeds = np.asarray(seg_speed_kmh, dtype=np.float64)
    total = float(lengths.sum())
    if total <= 0:
        return 0.0, 0.0
    n = max(2, math.ceil(total / step_m) + 1)
    s = np.linspace(0.0, total, n)
    ds = s[1] - s[0]
    bounds = np.concatenate([[0.0], np.cumsum(lengths)])
    # speed limit at grid point: limit of the segment containing it (min at boundaries)
    idx = np.clip(np.searchsorted(bounds, s, side="right") - 1, 0, len(lengths) - 1)
    idx_l = np.clip(np.searchsorted(bounds, s, side="left") - 1, 0, len(lengths) - 1)
    vlim = np.minimum(speeds[idx], speeds[idx_l])
    vlim = np.minimum(vlim, train.max_speed_kmh) / 3.6
    fwd = np.empty(n)
    fwd[0] = 0.0
    for i in range(n - 1):
        v = fwd[i]
        a = train.accel(v)
        v2 = v * v + 2.0 * a * ds
        nxt = math.sqrt(v2) if v2 > 0 else 0.0
        if a <= 0:
            nxt = v
        fwd[i + 1] = min(nxt, vlim[i + 1])
    bwd = np.empty(n)
    bwd[-1] = 0.0
    b2 = 2.0 * train.brake_ms2 * ds
    for i in range(n - 2, -1, -1):
        bwd[i] = min(math.sqrt(bwd[i + 1] ** 2 + b2), vlim[i])
    v = np.minimum(fwd, bwd)
    vm = v[:-1] + v[1:]
    if np.any(vm <= 0):
        # a segment with zero speed limit is impassable
        return math.inf, float(v.max() * 3.6)
    return float(np.sum(2.0 * ds / vm)), float(v.max() * 3.6)


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
