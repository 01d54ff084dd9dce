"""Travel speeds: parse OSM ``maxspeed`` tags and assign a speed to every edge.

Speeds come from two sources:

1. the ``maxspeed`` tag of the way (drive, rail; for bike it caps the bike
   speed), parsed by :func:`parse_maxspeed` -- numbers, units (``mph``,
   ``knots``), lists (``"50;60"``), and country-implicit values such as
   ``CN:urban`` or ``DE:rural``;
2. otherwise a default per road class from an editable table,
   ``geo/data/speeds.csv`` (columns ``profile,mode,class,speed_kmh``), with a
   ``default`` profile and a ``china`` profile (expressway/motorway 110, trunk
   80, primary 60, secondary 50, tertiary 40, residential 30, service 20...).

Users override classes with a mapping (``{"primary": 70}``) or their own CSV
(same columns; ``profile``/``mode`` optional). Overrides change the class
default; a tagged ``maxspeed`` still wins unless ``use_maxspeed=False`` (the
osmnx convention).

Examples
--------
>>> parse_maxspeed("50 mph")
80.4672
>>> parse_maxspeed("CN:urban")
50.0
>>> import pandas as pd
>>> attrs = pd.DataFrame({"highway": ["primary", "residential"], "maxspeed_kmh": [float("nan"), 20.0]})
>>> edge_speeds(attrs, "drive", "china").tolist()
[60.0, 20.0]
>>> edge_speeds(attrs, "drive", "china", {"primary": 70}).tolist()
[70.0, 20.0]
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import DataError, InputError
from geo.modes import check_mode

__all__ = [
    "IMPLICIT_MAXSPEED_KMH",
    "PROFILES",
    "RAIL_DESIGN_RADIUS_M",
    "RAIL_LIFECYCLE_STATES",
    "RAIL_LINE_SPEEDS_KMH",
    "edge_speeds",
    "intersection_delays",
    "parse_maxspeed",
    "rail_design_speed",
    "rail_lifecycle",
    "rail_line_classes",
    "rail_line_speeds",
    "rail_published_speeds",
    "rail_track_kind",
    "resolve_profile",
    "speed_table",
]

_DATA = Path(__file__).resolve().parent / "data" / "speeds.csv"
PROFILES = ("default", "china")

MPH = 1.609344
KNOT = 1.852
WALKING_PACE_KMH = 6.0  # maxspeed=walk ("Schrittgeschwindigkeit"), also DE:living_street

#: Country-implicit maxspeed values (km/h), from the OSM wiki "Default speed limits"
#: page and national traffic law. ``nan`` means "no limit": the class default applies.
#: ``CN:expressway`` is not an official OSM code; it is read as an urban expressway (100).
IMPLICIT_MAXSPEED_KMH: dict[str, float] = {
    # China: Road Traffic Safety Law implementing regulations, art. 45/78
    "CN:urban": 50.0,
    "CN:rural": 70.0,
    "CN:motorway": 120.0,
    "CN:expressway": 100.0,
    "CN:trunk": 100.0,
    "CN:living_street": 20.0,
    # Germany
    "DE:urban": 50.0,
    "DE:rural": 100.0,
    "DE:motorway": math.nan,
    "DE:trunk": math.nan,
    "DE:living_street": WALKING_PACE_KMH,
    "DE:bicycle_road": 30.0,
    # Russia
    "RU:urban": 60.0,
    "RU:rural": 90.0,
    "RU:motorway": 110.0,
    "RU:living_street": 20.0,
    # France
    "FR:urban": 50.0,
    "FR:rural": 80.0,
    "FR:motorway": 130.0,
    "FR:zone30": 30.0,
    # United Kingdom (national speed limits, mph)
    "GB:nsl_single": 60 * MPH,
    "GB:nsl_dual": 70 * MPH,
    "GB:motorway": 70 * MPH,
    "GB:nsl_restricted": 30 * MPH,
    # others
    "AT:urban": 50.0,
    "AT:rural": 100.0,
    "AT:motorway": 130.0,
    "CH:urban": 50.0,
    "CH:rural": 80.0,
    "CH:motorway": 120.0,
    "IT:urban": 50.0,
    "IT:rural": 90.0,
    "IT:motorway": 130.0,
    "ES:urban": 50.0,
    "ES:rural": 90.0,
    "ES:motorway": 120.0,
    "PL:urban": 50.0,
    "PL:rural": 90.0,
    "PL:motorway": 140.0,
    "JP:urban": 60.0,
    "JP:rural": 60.0,
    "JP:motorway": 100.0,
}

#: Used for ``XX:<kind>`` codes of countries not listed above.
_GENERIC_IMPLICIT = {
    "urban": 50.0,
    "rural": 90.0,
    "motorway": 120.0,
    "trunk": 100.0,
    "living_street": 10.0,
    "walk": WALKING_PACE_KMH,
}

_NO_VALUE = {"none", "signals", "variable", "unknown", "no", "implicit", "default", "fixme", "?"}
_NUM_UNIT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|km|mph|knots|kn)?\s*$")
_ZONE = re.compile(r"zone:?(\d+)$")


@lru_cache(maxsize=4096)
def _parse_one(text: str) -> float:
    s = text.strip()
    if not s:
        return math.nan
    low = s.lower()
    if low in _NO_VALUE:
        return math.nan
    if low == "walk":
        return WALKING_PACE_KMH
    m = _NUM_UNIT.match(low)
    if m:
        value = float(m.group(1).replace(",", "."))
        unit = m.group(2)
        if unit == "mph":
            value *= MPH
        elif unit in ("knots", "kn"):
            value *= KNOT
        return value if value > 0 else math.nan
    if ":" in s:
        if s in IMPLICIT_MAXSPEED_KMH:
            return IMPLICIT_MAXSPEED_KMH[s]
        upper = s[:2].upper() + s[2:]
        if upper in IMPLICIT_MAXSPEED_KMH:
            return IMPLICIT_MAXSPEED_KMH[upper]
        z = _ZONE.search(low)
        if z:
            return float(z.group(1))
        kind = low.split(":", 1)[1]
        return _GENERIC_IMPLICIT.get(kind, math.nan)
    return math.nan


def parse_maxspeed(value: Any) -> float:
    """Parse an OSM ``maxspeed`` value into km/h (``nan`` when there is no usable number).

    Handles plain numbers (km/h), units (``"30 mph"``, ``"10 knots"``, ``"50 km/h"``),
    lists (``"50;60"`` and per-lane ``"80|60"``: the lowest value, the
    conservative choice), country-implicit codes (``"CN:urban"``,
    ``"DE:rural"``, ``"RU:motorway"``, zones like ``"DE:zone30"``; see
    :data:`IMPLICIT_MAXSPEED_KMH`) and ``"walk"`` (6 km/h). ``"none"`` (no
    limit), ``"signals"`` and ``"variable"`` give ``nan`` so the class default
    applies.

    Examples
    --------
    >>> parse_maxspeed("60"), parse_maxspeed(80), parse_maxspeed("50;60")
    (60.0, 80.0, 50.0)
    >>> parse_maxspeed("30 mph")
    48.28032
    >>> parse_maxspeed("RU:rural"), parse_maxspeed("DE:zone30"), parse_maxspeed("walk")
    (90.0, 30.0, 6.0)
    >>> parse_maxspeed("none"), parse_maxspeed("signals"), parse_maxspeed(None)
    (nan, nan, nan)
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return v if math.isfinite(v) and v > 0 else math.nan
    if isinstance(value, (list, tuple)):  # osmnx merges tags of simplified edges into lists
        vals = [parse_maxspeed(x) for x in value]
        vals = [x for x in vals if not math.isnan(x)]
        return min(vals) if vals else math.nan
    text = str(value)
    if ";" in text or "|" in text:
        vals = [_parse_one(p) for p in re.split(r"[;|]", text)]
        vals = [x for x in vals if not math.isnan(x)]
        return min(vals) if vals else math.nan
    return _parse_one(text)


def parse_maxspeeds(values: Any) -> np.ndarray:
    """Vectorised :func:`parse_maxspeed` (parses each distinct value once).

    Examples
    --------
    >>> parse_maxspeeds(["50", None, "50", "20 mph"]).round(2).tolist()
    [50.0, nan, 50.0, 32.19]
    """
    s = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    parsed = np.array([parse_maxspeed(u) for u in uniques] + [math.nan], dtype=np.float64)
    return parsed[np.where(codes < 0, len(uniques), codes)]


# --------------------------------------------------------------------------- tables
def _read_table(path: Path) -> pd.DataFrame:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.reader(line for line in fh if line.strip() and not line.lstrip().startswith("#"))]
    except OSError as exc:
        raise InputError(f"cannot read speed table {path}: {exc}", "pass an existing CSV file") from exc
    if not rows:
        raise InputError(f"speed table {path} is empty", "give columns class,speed_kmh (optionally profile,mode)")
    header = [h.strip() for h in rows[0]]
    if "class" not in header or "speed_kmh" not in header:
        raise InputError(
            f"speed table {path} needs columns 'class' and 'speed_kmh' (found {', '.join(header)})",
            "use the layout of geo/data/speeds.csv: profile,mode,class,speed_kmh",
        )
    df = pd.DataFrame([r + [""] * (len(header) - len(r)) for r in rows[1:]], columns=header)
    for col in ("profile", "mode"):
        if col not in df:
            df[col] = ""
    df["class"] = df["class"].str.strip()
    bad = pd.to_numeric(df["speed_kmh"], errors="coerce")
    if bad.isna().any() or (bad < 0).any():
        i = int(np.flatnonzero(bad.isna() | (bad < 0))[0])
        raise InputError(
            f"speed table {path}, row {i + 2}: speed_kmh {df['speed_kmh'].iloc[i]!r} is not a non-negative number",
            "write speeds in km/h, e.g. 60",
        )
    df["speed_kmh"] = bad.astype(float)
    return df[["profile", "mode", "class", "speed_kmh"]]


@lru_cache(maxsize=1)
def _builtin_table() -> pd.DataFrame:
    return _read_table(_DATA)


def speed_table(
    mode: str, profile: str = "default", overrides: Mapping[str, float] | str | Path | None = None
) -> dict[str, float]:
    """The class -> km/h table for a mode and profile, with user overrides applied.

    Rows of the ``default`` profile apply unless the chosen profile redefines
    the class; then the overrides (a mapping or a CSV path) are applied.

    Examples
    --------
    >>> t = speed_table("drive", "china")
    >>> t["primary"], t["trunk"], t["motorway"]
    (60.0, 80.0, 110.0)
    >>> speed_table("walk")["*"]
    5.0
    """
    check_mode(mode)
    if profile not in PROFILES:
        raise InputError(f"unknown speed profile {profile!r}", f"use one of {', '.join(PROFILES)} or 'auto'")
    base = _builtin_table()
    out: dict[str, float] = {}
    for prof in ("default", profile) if profile != "default" else ("default",):
        rows = base[(base["mode"] == mode) & (base["profile"] == prof)]
        out.update(zip(rows["class"], rows["speed_kmh"].astype(float)))
    if overrides is not None:
        if isinstance(overrides, (str, Path)):
            user = _read_table(Path(overrides))
            sel = user[(user["mode"].isin(["", mode]))]
            # profile-less rows, then default, then the chosen profile
            for prof in ("", "default", profile):
                rows = sel[sel["profile"] == prof]
                out.update(zip(rows["class"], rows["speed_kmh"].astype(float)))
        elif isinstance(overrides, Mapping):
            for k, v in overrides.items():
                try:
                    fv = float(v)
                except (TypeError, ValueError):
                    fv = math.nan
                if not math.isfinite(fv) or fv < 0:
                    raise InputError(f"speed override {k}={v!r} is not a non-negative number", "pass km/h, e.g. 70")
                out[str(k)] = fv
        else:
            raise InputError(
                f"speeds must be a mapping or a CSV path, got {type(overrides).__name__}",
                'pass e.g. speeds={"primary": 70} or speeds="my_speeds.csv"',
            )
    return out


def _as_object(attrs: pd.DataFrame, name: str) -> np.ndarray:
    if name not in attrs:
        return np.full(len(attrs), None, dtype=object)
    return np.asarray(attrs[name].astype(object), dtype=object)


def speed_classes(attrs: pd.DataFrame, mode: str) -> pd.Categorical:
    """The class of each edge used to look up the speed table (highway, or the rail class).

    Edges without a class get ``"*"``.

    Examples
    --------
    >>> df = pd.DataFrame({"railway": ["rail", "rail", "subway"], "highspeed": ["yes", None, None],
    ...                    "usage": [None, "main", None]})
    >>> speed_classes(df, "rail").tolist()
    ['rail:highspeed', 'rail:main', 'subway']
    """
    if mode != "rail":
        if "highway" not in attrs:
            return pd.Categorical(["*"] * len(attrs))
        cat = pd.Categorical(attrs["highway"])  # categoricals stay as they are: work on the categories
        if (np.asarray(cat.codes) < 0).any():
            if "*" not in cat.categories:
                cat = cat.add_categories("*")
            cat = cat.fillna("*")
        return cat
    railway = _as_object(attrs, "railway")
    highspeed = _as_object(attrs, "highspeed")
    usage = _as_object(attrs, "usage")
    service = _as_object(attrs, "service")
    is_rail = railway == "rail"
    out = np.where(pd.isna(railway), "*", railway).astype(object)
    out[is_rail & np.isin(usage, ["main", "branch"])] = "rail:" + usage[is_rail & np.isin(usage, ["main", "branch"])]
    out[is_rail & np.isin(service, ["yard", "siding", "spur", "crossover"])] = "rail:service"
    out[is_rail & (highspeed == "yes")] = "rail:highspeed"
    return pd.Categorical(out)


def edge_speeds(
    attrs: pd.DataFrame,
    mode: str,
    profile: str = "default",
    overrides: Mapping[str, float] | str | Path | None = None,
    *,
    use_maxspeed: bool = True,
) -> np.ndarray:
    """Speed in km/h for each edge (row of ``attrs``).

    Parameters
    ----------
    attrs
        Edge attributes with ``highway`` (or ``railway``/``usage``/``highspeed``
        for rail) and optionally ``maxspeed_kmh`` (parsed, ``nan`` if untagged).
    mode
        ``drive``, ``walk``, ``bike`` or ``rail``.
    profile
        ``default`` or ``china`` (see :func:`resolve_profile` for ``auto``).
    overrides
        Class -> km/h mapping or a CSV path; replaces class defaults.
    use_maxspeed
        Use tagged ``maxspeed`` where present (drive, rail; bike speeds are
        capped by it). Walking ignores ``maxspeed``.

    Rules: drive and rail use ``maxspeed`` when tagged, else the class
    speed; walk uses the class speed (5 km/h, steps 2.5); bike uses the class
    speed capped by ``maxspeed``. Classes missing from the table use ``"*"``.

    Examples
    --------
    >>> df = pd.DataFrame({"highway": ["footway", "steps"], "maxspeed_kmh": [50.0, float("nan")]})
    >>> edge_speeds(df, "walk").tolist()
    [5.0, 2.5]
    >>> edge_speeds(df, "bike").tolist()
    [10.0, 3.0]
    """
    table = speed_table(mode, profile, overrides)
    fallback = table.get("*", math.nan)
    classes = speed_classes(attrs, mode)
    uniques = [str(c) for c in classes.categories]
    lut = np.array([table.get(c, fallback) for c in uniques], dtype=np.float64)
    speed = lut[np.asarray(classes.codes)] if len(attrs) else np.zeros(0)
    if use_maxspeed and "maxspeed_kmh" in attrs and mode != "walk":
        ms = np.asarray(attrs["maxspeed_kmh"], dtype=np.float64)
        tagged = np.isfinite(ms) & (ms > 0)
        if mode == "bike":
            speed = np.where(tagged, np.minimum(speed, ms), speed)
        else:
            speed = np.where(tagged, ms, speed)
    if np.isnan(speed).any():
        raise InputError(
            f"no speed for some {mode} edges (classes {sorted(set(uniques) - set(table))[:5]})",
            'add a "*" row to the speed table or pass speeds={"<class>": km/h}',
        )
    return speed


def intersection_delays(u: np.ndarray, v: np.ndarray, n_nodes: int, seconds: float) -> np.ndarray:
    """Extra seconds per edge: ``seconds`` for edges ending at an intersection, else 0.

    An intersection is a node with three or more distinct neighbours (ignoring
    direction). This is a crude stand-in for signal and turn delays: it
    treats all intersections alike, also uncontrolled minor ones, and charges
    straight-through movements like turns.

    Examples
    --------
    >>> u = np.array([0, 1, 1, 1, 2, 3]); v = np.array([1, 0, 2, 3, 1, 1])
    >>> intersection_delays(u, v, 4, 10.0).tolist()
    [10.0, 0.0, 0.0, 0.0, 10.0, 10.0]
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    if seconds == 0 or u.size == 0:
        return np.zeros(u.shape[0])
    if seconds < 0 or not math.isfinite(seconds):
        raise InputError(f"intersection delay must be >= 0 seconds, got {seconds}", "pass e.g. 5")
    a = np.minimum(u, v)
    b = np.maximum(u, v)
    pairs = np.unique(np.stack([a, b], axis=1)[a != b], axis=0)
    degree = np.bincount(pairs.ravel(), minlength=n_nodes)
    return np.where(degree[v] >= 3, float(seconds), 0.0)


# mainland China, Hainan and Taiwan approximated by boxes; enough to pick a speed profile
_CHINA_BOXES = (
    (73.5, 34.0, 97.0, 49.2),  # Xinjiang, Tibet west
    (78.0, 26.5, 105.0, 42.0),  # Tibet, Qinghai, Gansu, Sichuan west
    (97.0, 22.0, 123.0, 42.5),  # core provinces to the coast, Taiwan
    (107.9, 20.2, 117.5, 22.0),  # Guangxi and Guangdong coast (not Vietnam)
    (105.0, 41.5, 126.0, 45.0),  # Inner Mongolia south, Jilin, Liaoning north
    (119.0, 45.0, 135.1, 53.6),  # Heilongjiang, Hulunbuir
    (108.5, 18.1, 111.1, 20.2),  # Hainan
)


# --------------------------------------------------------------------------- rail line layers
#: speed (km/h) by rail class of a line layer (:func:`rail_line_classes`) when no ``maxspeed`` is tagged;
#: used by :func:`geo.rail.build_rail_network` (``geo.rail.CLASS_SPEEDS_KMH`` is this table). OSM rail
#: *networks* (``mode="rail"``) use the ``rail`` rows of ``geo/data/speeds.csv`` instead.
RAIL_LINE_SPEEDS_KMH: dict[str, float] = {
    "highspeed": 300.0,
    "link": 80.0,
    "main": 160.0,
    "rail": 120.0,
    "branch": 100.0,
    "industrial": 40.0,
    "service": 40.0,
    "subway": 80.0,
    "light_rail": 80.0,
    "monorail": 60.0,
    "tram": 40.0,
    "narrow_gauge": 40.0,
    "funicular": 20.0,
}
#: OSM lifecycle states of a way that is not (or no longer) in service
RAIL_LIFECYCLE_STATES = ("construction", "proposed", "disused", "abandoned", "preserved", "razed")

#: design speed (km/h) of a line from its minimum curve radius (m): ``(radius_at_least, design_kmh)`` rows,
#: first match wins. High-speed lines: TB 10621 (350 km/h: 7000 m general minimum; 250: 4500; 200: 2800;
#: below that 160). Conventional lines: TB 10098 (200 km/h: 3500 m; 160: 2000; 120: 1200; 100: 800; else 80).
#: The general (not the difficult-terrain) minimum: a line measured on OSM geometry at the lower figure is
#: read as the slower class. Stated, not fitted.
RAIL_DESIGN_RADIUS_M: dict[str, tuple[tuple[float, float], ...]] = {
    "highspeed": ((7000.0, 350.0), (4500.0, 250.0), (2800.0, 200.0), (0.0, 160.0)),
    "conventional": ((3500.0, 200.0), (2000.0, 160.0), (1200.0, 120.0), (800.0, 100.0), (0.0, 80.0)),
}
#: rail classes whose speed comes from the line's design speed (main-line track)
RAIL_DESIGN_CLASSES = ("highspeed", "link", "main", "rail", "branch")
#: published design speeds of named lines, with their sources (``name, design_speed_kmh, source``)
RAIL_PUBLISHED_SPEEDS_FILE = Path(__file__).resolve().parent / "data" / "rail_line_design_speeds.csv"


def _tag(df: pd.DataFrame, col: str) -> pd.Series:
    if col in df.columns:
        return df[col].astype("string").str.strip().str.lower()
    return pd.Series(pd.NA, index=df.index, dtype="string")


def rail_lifecycle(df: pd.DataFrame) -> pd.Series:
    """Lifecycle state of each way: ``"in service"`` or one of :data:`RAIL_LIFECYCLE_STATES`.

    Read from ``railway=<state>`` (OSM's classic tagging, with the track kind
    in ``<state>=rail``), from a ``<state>:railway`` lifecycle-prefix tag on a
    way without ``railway``, or from ``<state>=yes`` on a ``railway=rail`` way.

    Examples
    --------
    >>> df = pd.DataFrame({"railway": ["rail", "construction", None, "rail"],
    ...                    "disused:railway": [None, None, "rail", None], "proposed": [None, "rail", None, "yes"]})
    >>> rail_lifecycle(df).tolist()
    ['in service', 'construction', 'disused', 'proposed']
    """
    railway = _tag(df, "railway")
    out = pd.Series("in service", index=df.index, dtype=object)
    for state in RAIL_LIFECYCLE_STATES:
        pref = _tag(df, f"{state}:railway")
        out = out.mask((railway.isna() & pref.notna()).fillna(False).to_numpy(), state)
        out = out.mask((_tag(df, state) == "yes").fillna(False).to_numpy(), state)
    for state in RAIL_LIFECYCLE_STATES:
        out = out.mask((railway == state).fillna(False).to_numpy(), state)
    return out


def rail_track_kind(df: pd.DataFrame) -> pd.Series:
    """The ``railway`` value a way has (or will have / had): ``construction=rail`` -> ``rail``."""
    railway = _tag(df, "railway")
    kind = railway.copy()
    for state in RAIL_LIFECYCLE_STATES:
        inner = _tag(df, state).where(lambda x: x != "yes")
        pref = _tag(df, f"{state}:railway")
        kind = kind.mask((railway == state).fillna(False), inner.fillna("rail"))
        kind = kind.mask((railway.isna() & pref.notna()).fillna(False), pref)
    return kind


def rail_line_classes(df: pd.DataFrame) -> pd.Series:
    """Rail class of each line of a rail layer (a key of :data:`RAIL_LINE_SPEEDS_KMH`).

    ``railway`` (default ``rail``; a lifecycle way by the track it has or
    will have, :func:`rail_track_kind`), refined by ``usage`` (main, branch,
    industrial), ``service`` (siding, yard, spur, crossover -> ``service``),
    high-speed markers (``highspeed=yes``, ``rail_type=hsr``, ``is_hsr``) and
    connecting-line names (联络线, 疏解线, 动走线, "connecting line", "chord"
    -> ``link``, whatever their speed class).

    Examples
    --------
    >>> df = pd.DataFrame({"railway": ["rail", "rail", "subway", "rail"], "highspeed": [None, "yes", None, None],
    ...                    "usage": ["branch", "main", None, None], "name": [None, None, None, "咸阳西联络线"]})
    >>> rail_line_classes(df).tolist()
    ['branch', 'highspeed', 'subway', 'link']
    """
    railway = rail_track_kind(df).fillna("rail")
    hs = _tag(df, "highspeed").isin(["yes", "true", "1"])
    hs |= _tag(df, "rail_type").isin(["hsr", "highspeed", "high_speed"])
    if "is_hsr" in df.columns:
        hs |= pd.to_numeric(df["is_hsr"], errors="coerce").fillna(0).astype(float) > 0
    usage = _tag(df, "usage")
    service = _tag(df, "service")
    cls = railway.where(railway.isin(list(RAIL_LINE_SPEEDS_KMH)), "rail")
    is_rail = railway == "rail"
    cls = cls.mask(is_rail & usage.isin(["main", "branch", "industrial"]).fillna(False), usage)
    cls = cls.mask(is_rail & service.notna() & service.isin(["siding", "yard", "spur", "crossover"]).fillna(False), "service")
    cls = cls.mask(is_rail & hs.fillna(False), "highspeed")
    name = _tag(df, "name").fillna(_tag(df, "name:zh")).fillna("")
    link = name.str.contains(r"联络线|疏解.?线|动走线|connecting line|chord", regex=True).fillna(False)
    cls = cls.mask(is_rail & link, "link")
    return cls.astype(str)


def rail_line_speeds(
    df: pd.DataFrame, design_speed_kmh: float | None = None, speeds: Mapping[str, float] | None = None
) -> pd.Series:
    """Speed (km/h) of each line of a rail layer: design speed, else ``maxspeed``, else the class table.

    Parameters
    ----------
    df
        Line attributes (``railway``, ``usage``, ``highspeed``, ``maxspeed`` ...).
    design_speed_kmh
        Replaces the speed of every high-speed line (a scenario's design speed).
    speeds
        Overrides of :data:`RAIL_LINE_SPEEDS_KMH` by class.

    ``maxspeed`` is read by :func:`parse_maxspeed` (units, lists: the lowest).
    This is the routing weight's speed; run times use the calibrated model
    (:mod:`geo._private.runtime`), which reads the line's design speed
    (:func:`rail_design_speed`).

    Examples
    --------
    >>> df = pd.DataFrame({"railway": ["rail", "rail"], "highspeed": ["yes", None], "maxspeed": [None, "100 mph"]})
    >>> rail_line_speeds(df, design_speed_kmh=350).round(1).tolist()
    [350.0, 160.9]
    """
    table = {**RAIL_LINE_SPEEDS_KMH, **dict(speeds or {})}
    cls = rail_line_classes(df)
    sp = cls.map(table).astype(float)
    if "maxspeed" in df.columns:
        tagged = pd.Series(parse_maxspeeds(df["maxspeed"].astype(object)), index=df.index)
        sp = tagged.where(tagged.notna() & (tagged > 0), sp)
    if design_speed_kmh is not None:
        sp = sp.mask(cls == "highspeed", float(design_speed_kmh))
    return sp


def rail_design_speed(radius_m: Any, highspeed: Any) -> np.ndarray:
    """Design speed (km/h) of lines from their minimum curve radius (:data:`RAIL_DESIGN_RADIUS_M`).

    ``highspeed`` (bool per line) picks the high-speed or the conventional
    table. A NaN radius (a line too short to measure) gives NaN.

    Examples
    --------
    >>> rail_design_speed([8000, 5000, 8000, 2500, float("nan")], [True, True, False, False, True]).tolist()
    [350.0, 250.0, 200.0, 160.0, nan]
    """
    r = np.atleast_1d(np.asarray(radius_m, dtype=float))
    hs = np.broadcast_to(np.asarray(highspeed, dtype=bool), r.shape)
    out = np.full(r.shape, np.nan)
    for key, m in (("highspeed", hs), ("conventional", ~hs)):
        done = np.zeros(r.shape, dtype=bool)
        for at_least, kmh in RAIL_DESIGN_RADIUS_M[key]:
            hit = m & ~done & (r >= at_least)
            out[hit] = kmh
            done |= hit
    return out


@lru_cache(maxsize=2)
def _published(path: str) -> dict[str, float]:
    try:
        df = pd.read_csv(path, comment="#", dtype={"name": str, "source": str})
        kmh = pd.to_numeric(df["design_speed_kmh"], errors="raise")
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"published rail line speeds {path} are not readable: {exc}", "columns: name,design_speed_kmh,source") from None
    if df["source"].fillna("").str.strip().eq("").any():
        raise DataError(f"{path}: a line without a source", "every published speed needs its source")
    return dict(zip(df["name"].str.strip(), kmh.astype(float), strict=True))


def rail_published_speeds(path: str | Path | None = None) -> dict[str, float]:
    """Published design speeds (km/h) by OSM line name (:data:`RAIL_PUBLISHED_SPEEDS_FILE`)."""
    return dict(_published(str(path or RAIL_PUBLISHED_SPEEDS_FILE)))


def resolve_profile(profile: str, lon: np.ndarray | None = None, lat: np.ndarray | None = None) -> str:
    """Resolve ``"auto"`` to ``"china"`` when the median point lies in China, else ``"default"``.

    Examples
    --------
    >>> resolve_profile("auto", np.array([112.58]), np.array([37.86]))  # Taiyuan
    'china'
    >>> resolve_profile("auto", np.array([7.42]), np.array([43.73]))  # Monaco
    'default'
    """
    if profile != "auto":
        if profile not in PROFILES:
            raise InputError(f"unknown speed profile {profile!r}", f"use one of {', '.join(PROFILES)} or 'auto'")
        return profile
    if lon is None or lat is None or len(lon) == 0:
        return "default"
    x, y = float(np.nanmedian(lon)), float(np.nanmedian(lat))
    inside = any(w <= x <= e and s <= y <= n for w, s, e, n in _CHINA_BOXES)
    return "china" if inside else "default"
