"""Proposed-infrastructure scenarios: add, upgrade or close roads; add rail lines.

A scenario file (YAML) lists changes to a base network. Applying it builds a
*new* :class:`~geo.network.Network` from new arrays; the base network is never
modified (it is a frozen dataclass and its arrays are not written to).

Changes
-------
``add_road``
    A LineString (GeoJSON file or inline ``coordinates``, WGS84; ``crs: gcj02``
    accepted) with ``name``, ``class`` (OSM ``highway``), ``speed_kmh``,
    ``lanes``, ``oneway``. Its ends are joined to the nearest network node
    within ``join_tolerance_m``; where it crosses a network edge a junction
    node is inserted on both, unless the road is marked ``bridge``,
    ``tunnel`` or ``expressway`` (grade-separated: joined at its ends only).
``upgrade``
    New ``speed_kmh``, a ``speed_factor``, or a new ``class`` (speed from the
    class table of :mod:`geo.speeds`) for the edges chosen by ``select``.
``remove``
    Close the edges chosen by ``select``.
``add_rail_line``
    A planned-line spec (:mod:`geo.lines`), used by rail comparisons.

``select`` keys (all given keys must match): ``name`` (exact), ``name_contains``,
``ref`` (one token of OSM ``ref`` such as ``G211``), ``osm_id`` (list),
``highway`` (list), ``within`` (``{line|polygon|point: coordinates,
buffer_m: 200}``: edges whose midpoint lies within the buffer).

Examples
--------
>>> import numpy as np
>>> from geo.network import Network
>>> # two parallel one-km streets 1 km apart, not connected
>>> lon = [0.0, 0.009, 0.0, 0.009]; lat = [0.0, 0.0, 0.009, 0.009]
>>> base = Network.from_edges(lon, lat, [0, 1, 2, 3], [1, 0, 3, 2], speed_kmh=36.0)
>>> after, info = add_road(base, [(0.0, 0.0), (0.0, 0.009)], name="link", speed_kmh=36.0)
>>> after.n_edges - base.n_edges, info["joined_ends"]
(2, 2)
>>> base.n_edges  # unchanged
4
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo._private.geodesy import haversine_m
from geo._private.yamlio import load_mapping
from geo.crs import gcj02_to_wgs84
from geo.errors import GeoError, InputError, check_keys
from geo.modes import ROAD_MODES, check_mode
from geo.network import Network
from geo.places import resolve_path, resolve_place_spec
from geo.results import CHANGE_KINDS, Change, ChangeKind
from geo.speeds import resolve_profile, speed_table

#: default distance (m) within which a new road's end joins an existing node
DEFAULT_JOIN_TOLERANCE_M = 100.0
_GRADE_SEPARATED = ("bridge", "tunnel", "expressway")
#: the keys each part of a scenario file may have; any other key is an error naming the closest one
SCENARIO_KEYS = ("id", "title", "status", "notes", "sources", "changes", "compare", "base")
SOURCE_KEYS = ("title", "publisher", "author", "url", "urls", "date", "file", "quote", "note")
COMPARE_KEYS = ("origins", "origins_lonlat", "places", "minutes", "pairs")
BASE_KEYS = ("network", "mode", "rail")
_ROAD_PROPS = ("name", "class", "highway", "speed_kmh", "lanes", "oneway", "join_tolerance_m", *_GRADE_SEPARATED, "note")
CHANGE_KEYS: dict[str, tuple[str, ...]] = {
    "add_road": ("geometry", "coordinates", "from", "to", "via", "crs", *_ROAD_PROPS),
    "upgrade": ("select", "name", "speed_kmh", "speed_factor", "class", "lanes", "note"),
    "remove": ("select", "name", "note"),
    "add_rail_line": ("spec", "name", "note"),
}
SELECT_KEYS = ("name", "name_contains", "ref", "osm_id", "highway", "within")


# =================================================================== model
@dataclasses.dataclass
class Scenario:
    """A parsed scenario file.

    Attributes
    ----------
    id, title : str
    status : str
        ``illustrative`` / ``approximate`` / ``surveyed``: how far the drawn
        geometry can be trusted (shown in reports).
    changes : list of Change
    compare : dict
        What to compare: ``origins``, ``places``, ``minutes``, ``pairs`` (rail).
    base : dict
        Default base inputs (``network``, ``mode``) when none is given.
    sources : list of dict
    """

    id: str
    title: str
    changes: list[Change]
    file: str = "<scenario>"
    status: str = "illustrative"
    notes: str = ""
    compare: dict[str, Any] = dataclasses.field(default_factory=dict)
    base: dict[str, Any] = dataclasses.field(default_factory=dict)
    sources: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    base_dir: Path | None = None

    @property
    def road_changes(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "add_rail_line"]

    @property
    def rail_changes(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "add_rail_line"]


@dataclasses.dataclass
class Applied:
    """Result of :func:`apply_scenario`.

    Attributes
    ----------
    network : Network
        The changed copy (``base_edge`` column: index of the base edge each
        edge comes from, -1 for added edges).
    log : DataFrame
        One row per change: what it did (edges added/changed/removed, joins).
    proposed : GeoDataFrame
        Added and upgraded geometries (for maps), EPSG:4326.
    warnings : list of str
    """

    network: Network
    log: pd.DataFrame
    proposed: Any
    warnings: list[str]


# =================================================================== loading
def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (geometry files are read when applied).

    Raises
    ------
    InputError
        YAML syntax errors (with line), missing fields, unknown change kinds.
    """
    p = Path(path)
    name = str(p)
    data = load_mapping(p, SCENARIO_KEYS, "a scenario file", "start with 'id:', 'title:' and 'changes:'")
    for k in ("id", "changes"):
        if k not in data:
            raise InputError(f"{name}: missing field {k!r}", f"add '{k}:' to the scenario file")
    for k, allowed in (("compare", COMPARE_KEYS), ("base", BASE_KEYS)):
        part = data.get(k) or {}
        if not isinstance(part, Mapping):
            raise InputError(f"{name}: {k} must be a mapping", f"write {k}: {{{allowed[0]}: ...}}")
        check_keys(part, allowed, f"{name} {k}")
    if (data.get("base") or {}).get("mode") is not None:  # scenarios change road networks
        check_mode(data["base"]["mode"], ROAD_MODES, where=f"{name} base: ")
    srcs = data.get("sources") or []
    if not isinstance(srcs, list) or not all(isinstance(x, Mapping) for x in srcs):
        raise InputError(f"{name}: sources must be a list of mappings", "write sources: [{title: ..., url: ..., date: ...}]")
    for j, src in enumerate(srcs):
        check_keys(src, SOURCE_KEYS, f"{name} sources[{j}]")
    items = data["changes"]
    if not isinstance(items, list) or not items:
        raise InputError(f"{name}: 'changes' must be a non-empty list", "write changes: followed by '- add_road: {...}' items")
    changes = []
    for i, item in enumerate(items):
        line = int(getattr(item, "line", 0))
        loc = f"{name} line {line}" if line else name
        if not isinstance(item, Mapping) or len(item) != 1:
            raise InputError(
                f"{loc} (change {i + 1}): each change is a mapping with one key ({', '.join(CHANGE_KINDS)})",
                "write e.g. '- add_road: {geometry: road.geojson, speed_kmh: 60}'",
            )
        kind, spec = next(iter(item.items()))
        if kind not in CHANGE_KINDS:
            raise InputError(f"{loc} (change {i + 1}): unknown change {kind!r}", f"use one of {', '.join(CHANGE_KINDS)}")
        if not isinstance(spec, Mapping):
            raise InputError(f"{loc} (change {i + 1}: {kind}): the change needs a mapping of options", "see docs/scenarios.md")
        ch = Change(cast(ChangeKind, kind), dict(spec), i, int(getattr(spec, "line", line)))
        check_keys(spec, CHANGE_KEYS[kind], ch.where(name))
        _validate_change(ch, name)
        changes.append(ch)
    return Scenario(
        id=str(data["id"]),
        title=str(data.get("title", data["id"])),
        changes=changes,
        file=name,
        status=str(data.get("status", "illustrative")),
        notes=str(data.get("notes", "")),
        compare=dict(data.get("compare") or {}),
        base=dict(data.get("base") or {}),
        sources=[dict(s) for s in srcs] if isinstance(srcs, list) else [],
        base_dir=p.parent,
    )


def _validate_change(ch: Change, file: str) -> None:
    s = ch.spec
    w = ch.where(file)
    if ch.kind == "add_road":
        if "geometry" not in s and "coordinates" not in s and not ("from" in s and "to" in s):
            raise InputError(
                f"{w}: add_road needs geometry (a GeoJSON file), coordinates, or from/to places",
                "add 'geometry: road.geojson', 'coordinates: [[lon, lat], ...]' or 'from: A' and 'to: B'",
            )
    elif ch.kind in ("upgrade", "remove"):
        if not isinstance(s.get("select"), Mapping) or not s["select"]:
            raise InputError(f"{w}: {ch.kind} needs a select mapping", "add e.g. 'select: {ref: G211}' (keys: name, name_contains, ref, osm_id, highway, within)")
        check_keys(s["select"], SELECT_KEYS, w, what="select key")
        if isinstance(s["select"].get("within"), Mapping):
            check_keys(s["select"]["within"], ("line", "polygon", "point", "buffer_m"), f"{w} select.within")
        if ch.kind == "upgrade" and not ({"speed_kmh", "speed_factor", "class"} & set(s)):
            raise InputError(f"{w}: upgrade needs speed_kmh, speed_factor or class", "add e.g. 'speed_kmh: 80'")
        for k in ("speed_kmh", "speed_factor"):
            if k in s and not _positive(s[k]):
                raise InputError(f"{w}: {k} must be a positive number, got {s[k]!r}", f"write e.g. {k}: 80")
    elif ch.kind == "add_rail_line" and "spec" not in s:
        raise InputError(f"{w}: add_rail_line needs spec (a planned-line YAML file)", "add 'spec: ../lines/line.yaml'")


def _positive(x: Any) -> bool:
    try:
        return math.isfinite(float(x)) and float(x) > 0
    except (TypeError, ValueError):
        return False


# =================================================================== geometry input
def road_features(ch: Change, scenario: Scenario) -> list[dict[str, Any]]:
    """The LineString(s) of an ``add_road`` change with their properties, in WGS84.

    Returns a list of ``{"coords": [(lon, lat), ...], "props": {...}, "label": str}``.
    Checks CRS, coordinate ranges and self-intersection.
    """
    s = ch.spec
    w = ch.where(scenario.file)
    feats: list[dict[str, Any]] = []
    if "from" in s and "to" in s:
        a = resolve_place_spec(s["from"], where=f"{w} from")
        b = resolve_place_spec(s["to"], where=f"{w} to")
        coords = [a.lonlat, *[tuple(c) for c in s.get("via") or []], b.lonlat]
        feats.append({"coords": coords, "props": {}, "label": f"{a.name} → {b.name}"})
        crs = "wgs84"
    elif "coordinates" in s:
        feats.append({"coords": s["coordinates"], "props": {}, "label": "coordinates"})
        crs = str(s.get("crs", "wgs84"))
    else:
        path = resolve_path(s["geometry"], scenario.base_dir)
        if not path.exists():
            raise InputError(f"{w}: geometry file {path} does not exist", "check the path (relative to the scenario file)")

        try:
            gj = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{w}: {path.name} is not valid GeoJSON ({exc})", "check the file with a GeoJSON validator") from None
        crs = str(s.get("crs", "wgs84"))
        named = ((gj.get("crs") or {}).get("properties") or {}).get("name", "")
        if named and not any(t in named.upper() for t in ("CRS84", "4326")):
            raise InputError(
                f"{w}: {path.name} declares CRS {named!r}; geo reads GeoJSON in WGS84 lon/lat",
                "re-export the file in EPSG:4326 (WGS84), or give crs: gcj02 for Chinese web-map coordinates",
            )
        items = gj.get("features") if gj.get("type") == "FeatureCollection" else [gj if gj.get("type") == "Feature" else {"type": "Feature", "geometry": gj, "properties": {}}]
        for k, f in enumerate(items or []):
            g = f.get("geometry") or {}
            props = dict(f.get("properties") or {})
            label = f"{path.name} feature {k} ({props.get('name', 'unnamed')})"
            if g.get("type") == "LineString":
                feats.append({"coords": g.get("coordinates"), "props": props, "label": label})
            elif g.get("type") == "MultiLineString":
                for j, part in enumerate(g.get("coordinates") or []):
                    feats.append({"coords": part, "props": props, "label": f"{label} part {j}"})
            else:
                raise InputError(f"{w}: {label} is a {g.get('type')}, not a LineString", "draw roads as LineStrings")
        if not feats:
            raise InputError(f"{w}: {path.name} holds no LineString", "draw the road as a GeoJSON LineString")
    crs_n = crs.lower().replace("-", "").replace(":", "")
    if crs_n not in ("wgs84", "epsg4326", "crs84", "gcj02"):
        raise InputError(f"{w}: unknown crs {crs!r}", "use crs: wgs84 or crs: gcj02")
    out = []
    for f in feats:
        try:
            pts = [(float(p[0]), float(p[1])) for p in f["coords"]]
        except (TypeError, ValueError, IndexError):
            raise InputError(f"{w}: {f['label']}: coordinates must be [lon, lat] pairs", "write coordinates: [[lon, lat], [lon, lat], ...]") from None
        if len(pts) < 2:
            raise InputError(f"{w}: {f['label']}: a road needs at least two points", "add the end point")
        bad = [p for p in pts if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90)]
        if bad:
            raise InputError(
                f"{w}: {f['label']}: coordinate {bad[0]} is not lon/lat in degrees (projected coordinates?)",
                "export the geometry in WGS84 (EPSG:4326) lon/lat",
            )
        if crs_n == "gcj02":
            pts = [gcj02_to_wgs84(x, y) for x, y in pts]
        ls = shapely.LineString(pts)
        if not ls.is_simple:
            raise InputError(
                f"{w}: {f['label']} intersects itself",
                "redraw the road so it does not cross itself (split loops into separate features)",
            )
        out.append({"coords": pts, "props": f["props"], "label": f["label"]})
    return out


# =================================================================== edits
def _class_speed(highway: str, mode: str, net: Network) -> float | None:
    try:
        prof = resolve_profile("auto", net.lon[:1000], net.lat[:1000])
        table = speed_table(mode, prof)
    except GeoError:  # no speed table for this mode/profile: the caller falls back to a default
        return None
    v = table.get(highway)
    return float(v) if v is not None else None


def _attr_frame(net: Network) -> pd.DataFrame:
    a = net.edge_attrs.reset_index(drop=True).copy()
    if "base_edge" not in a.columns:
        a["base_edge"] = np.arange(net.n_edges, dtype=np.int64)
    if "scenario_change" not in a.columns:
        a["scenario_change"] = ""
    return a


def _rebuild(
    net: Network,
    lon: np.ndarray,
    lat: np.ndarray,
    node_id: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    length_m: np.ndarray,
    time_s: np.ndarray,
    attrs: pd.DataFrame,
    meta: Mapping[str, Any],
) -> Network:
    return Network.from_edges(
        lon, lat, u, v, time_s=time_s, length_m=length_m, node_id=node_id, attrs=attrs, mode=net.mode, meta=meta
    )


def add_road(
    net: Network,
    coords: Sequence[tuple[float, float]],
    *,
    name: str = "new road",
    highway: str = "primary",
    speed_kmh: float | None = None,
    lanes: int | None = None,
    oneway: bool = False,
    grade_separated: bool = False,
    join_tolerance_m: float = DEFAULT_JOIN_TOLERANCE_M,
    label: str = "add_road",
    where: str = "add_road",
) -> tuple[Network, dict[str, Any]]:
    """A copy of ``net`` with a new road.

    Parameters
    ----------
    net
        Base network (not modified).
    coords
        The road's ``(lon, lat)`` vertices (WGS84), in driving order if ``oneway``.
    speed_kmh
        Design speed; default the speed of ``highway`` in the class table.
    grade_separated
        Bridge, tunnel or expressway: joined only at its ends, not at crossings.
    join_tolerance_m
        An end joins the nearest node within this distance.

    Returns
    -------
    (Network, info)
        ``info``: ``joined_ends`` (0-2), ``crossings``, ``edges_added``,
        ``length_km``, ``end_gaps_m``.

    Raises
    ------
    InputError
        The road touches no part of the network (no end within tolerance, no
        crossing), or has no speed.
    """
    if speed_kmh is None:
        speed_kmh = _class_speed(highway, net.mode, net)
        if speed_kmh is None:
            raise InputError(f"{where}: no speed for class {highway!r}", "add speed_kmh: to the road")
    if not speed_kmh > 0:
        raise InputError(f"{where}: speed_kmh must be positive, got {speed_kmh}", "write e.g. speed_kmh: 60")
    pts = np.asarray(coords, dtype=np.float64)
    tr = net.to_metric
    rx, ry = tr.transform(pts[:, 0], pts[:, 1])
    rx, ry = np.asarray(rx, dtype=np.float64), np.asarray(ry, dtype=np.float64)
    road = shapely.LineString(np.column_stack([rx, ry]))
    if not road.length >= 1.0:
        raise InputError(
            f"{where}: the road is only {road.length:.2g} m long",
            "give at least two distinct points as [lon, lat] (longitude first, WGS84)",
        )
    if not road.is_simple:
        raise InputError(f"{where}: the road intersects itself", "redraw it without loops")
    xy = net.xy
    # ---- ends: nearest node within tolerance
    end_node: list[int] = []
    gaps: list[float] = []
    for k in (0, len(pts) - 1):
        d = np.hypot(xy[:, 0] - rx[k], xy[:, 1] - ry[k])
        i = int(np.argmin(d)) if d.size else -1
        gaps.append(float(d[i]) if i >= 0 else math.inf)
        end_node.append(i if i >= 0 and d[i] <= join_tolerance_m else -1)
    # ---- crossings with existing edges (split both)
    rev = net.reverse_edge()
    und = np.flatnonzero((net.edge_u < net.edge_v) | (rev < 0))
    crossings: list[tuple[float, float, float, int, float]] = []  # (s along road, x, y, edge, fraction)
    total_len = float(road.length)
    if not grade_separated and und.size:
        segs = shapely.linestrings(np.stack([xy[net.edge_u[und]], xy[net.edge_v[und]]], axis=1))
        tree = shapely.STRtree(segs)
        for j in tree.query(road, predicate="intersects"):
            e = int(und[j])
            inter = road.intersection(segs[j])
            for p in getattr(inter, "geoms", [inter]):
                if p.is_empty or p.geom_type != "Point":
                    continue  # collinear overlaps are not junctions
                s = float(road.project(p))
                if (s <= join_tolerance_m and end_node[0] >= 0) or (s >= total_len - join_tolerance_m and end_node[1] >= 0):
                    continue  # the end join covers it
                seg_len = float(segs[j].length)
                f = float(segs[j].project(p)) / seg_len if seg_len > 0 else 0.0
                crossings.append((s, float(p.x), float(p.y), e, f))
    if end_node[0] < 0 and end_node[1] < 0 and not crossings:
        raise InputError(
            f"{where}: the road touches no part of the {net.mode} network (its ends are {gaps[0]:.0f} m and "
            f"{gaps[1]:.0f} m from the nearest node, more than join_tolerance_m={join_tolerance_m:g}, and it crosses no edge)",
            "check the coordinates are WGS84 lon/lat over the network's area, move an end onto a road, or raise join_tolerance_m",
        )
    n0 = net.n_nodes
    inv = Transformer.from_crs(net.metric_crs, "EPSG:4326", always_xy=True)
    new_x: list[float] = []
    new_y: list[float] = []

    def new_node(x: float, y: float) -> int:
        new_x.append(x)
        new_y.append(y)
        return n0 + len(new_x) - 1

    # nodes along the road, ordered by position s
    seq: list[tuple[float, int]] = []
    vert_s = [float(road.project(shapely.Point(rx[k], ry[k]))) for k in range(len(pts))]
    vert_s[0], vert_s[-1] = 0.0, total_len
    for k in range(len(pts)):
        if k == 0 and end_node[0] >= 0:
            seq.append((0.0, end_node[0]))
        elif k == len(pts) - 1 and end_node[1] >= 0:
            seq.append((total_len, end_node[1]))
        else:
            seq.append((vert_s[k], new_node(float(rx[k]), float(ry[k]))))
    split: dict[int, list[tuple[float, int]]] = {}
    for s, x, y, e, f in crossings:
        if f <= 1e-9:
            node = int(net.edge_u[e])
        elif f >= 1 - 1e-9:
            node = int(net.edge_v[e])
        else:
            node = new_node(x, y)
            split.setdefault(e, []).append((f, node))
        seq.append((s, node))
    seq.sort(key=lambda t: t[0])
    # ---- assemble arrays
    lon_new, lat_new = inv.transform(np.asarray(new_x), np.asarray(new_y)) if new_x else (np.zeros(0), np.zeros(0))
    lon = np.r_[net.lon, np.asarray(lon_new, dtype=np.float64)]
    lat = np.r_[net.lat, np.asarray(lat_new, dtype=np.float64)]
    start_id = min(int(net.node_id.min()) if net.n_nodes else 0, 0) - 1
    node_id = np.r_[net.node_id, start_id - np.arange(len(new_x), dtype=np.int64)]
    attrs = _attr_frame(net)
    drop = np.zeros(net.n_edges, dtype=bool)
    us, vs, ls, ts, rows = [net.edge_u], [net.edge_v], [net.edge_length_m], [net.edge_time_s], [attrs]
    for e, cuts in split.items():
        cuts.sort()
        for edge, fr in ((e, [(f, n) for f, n in cuts]), (int(rev[e]), [(1 - f, n) for f, n in reversed(cuts)])):
            if edge < 0:
                continue
            drop[edge] = True
            fs = [0.0] + [f for f, _ in fr] + [1.0]
            ns = [int(net.edge_u[edge])] + [n for _, n in fr] + [int(net.edge_v[edge])]
            df = np.diff(fs)
            us.append(np.asarray(ns[:-1], dtype=np.int64))
            vs.append(np.asarray(ns[1:], dtype=np.int64))
            ls.append(net.edge_length_m[edge] * df)
            ts.append(net.edge_time_s[edge] * df)
            rows.append(attrs.iloc[[edge] * len(df)])
    # road edges
    ru, rv = [], []
    for (_, a), (_, b) in itertools.pairwise(seq):
        if a != b:
            ru.append(a)
            rv.append(b)
    ru_a, rv_a = np.asarray(ru, dtype=np.int64), np.asarray(rv, dtype=np.int64)
    if not oneway:
        ru_a, rv_a = np.r_[ru_a, rv_a], np.r_[rv_a, ru_a]
    rl = haversine_m(lon[ru_a], lat[ru_a], lon[rv_a], lat[rv_a])
    rt = rl / (speed_kmh / 3.6)
    road_attrs = pd.DataFrame(
        {
            "name": name,
            "highway": highway,
            "speed_kmh": float(speed_kmh),
            "lanes": lanes if lanes is not None else np.nan,
            "oneway": bool(oneway),
            "base_edge": -1,
            "scenario_change": label,
        },
        index=pd.RangeIndex(len(ru_a)),
    )
    us.append(ru_a)
    vs.append(rv_a)
    ls.append(rl)
    ts.append(rt)
    rows.append(road_attrs)
    keep_first = ~drop
    u_all = np.r_[us[0][keep_first], *us[1:]]
    v_all = np.r_[vs[0][keep_first], *vs[1:]]
    l_all = np.r_[ls[0][keep_first], *ls[1:]]
    t_all = np.r_[ts[0][keep_first], *ts[1:]]
    a_all = pd.concat([rows[0][keep_first], *rows[1:]], ignore_index=True)
    meta = {**dict(net.meta), "scenario_changes": [*net.meta.get("scenario_changes", []), label]}
    out = _rebuild(net, lon, lat, node_id, u_all, v_all, l_all, t_all, a_all, meta)
    info = {
        "joined_ends": int(sum(n >= 0 for n in end_node)),
        "end_gaps_m": gaps,
        "crossings": len(crossings),
        "edges_added": len(ru_a),
        "edges_split": int(drop.sum()),
        "length_km": float(rl[: len(ru)].sum() / 1000.0),
    }
    return out, info


def select_edges(net: Network, select: Mapping[str, Any], where: str = "select") -> np.ndarray:
    """Boolean mask of the edges matching every key of ``select``.

    Examples
    --------
    >>> import pandas as pd
    >>> net = Network.from_edges([0, 0.01, 0.02], [0, 0, 0], [0, 1], [1, 2], speed_kmh=50,
    ...     attrs=pd.DataFrame({"name": ["A", "B"], "ref": ["G211;S102", "S102"]}))
    >>> select_edges(net, {"ref": "G211"}).tolist(), select_edges(net, {"ref": "S102"}).tolist()
    ([True, False], [True, True])
    """
    a = net.edge_attrs
    mask = np.ones(net.n_edges, dtype=bool)

    def col(c: str) -> pd.Series:
        if c not in a.columns:
            return pd.Series([None] * net.n_edges)
        return a[c].reset_index(drop=True)

    for key, val in select.items():
        if key == "name":
            names = [val] if isinstance(val, str) else list(val)
            mask &= col("name").isin(names).to_numpy()
        elif key == "name_contains":
            mask &= col("name").fillna("").astype(str).str.contains(str(val), regex=False).to_numpy()
        elif key == "ref":
            wanted = {str(val).replace(" ", "").upper()} if isinstance(val, str) else {str(x).replace(" ", "").upper() for x in val}
            refs = col("ref").fillna("").astype(str)
            mask &= np.array([bool(wanted & {t.strip().replace(" ", "").upper() for t in r.split(";")}) for r in refs], dtype=bool)
        elif key == "osm_id":
            ids = [val] if not isinstance(val, list) else val
            mask &= pd.to_numeric(col("osm_id"), errors="coerce").isin([int(i) for i in ids]).to_numpy()
        elif key == "highway":
            hw = [val] if isinstance(val, str) else list(val)
            mask &= col("highway").isin(hw).to_numpy()
        elif key == "within":
            mask &= _within_mask(net, val, where)
        else:
            raise InputError(f"{where}: unknown select key {key!r}", "use name, name_contains, ref, osm_id, highway, within")
    return mask


def _within_mask(net: Network, spec: Any, where: str) -> np.ndarray:
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: within must be a mapping", "write within: {line: [[lon, lat], ...], buffer_m: 200}")
    buf = float(spec.get("buffer_m", 100.0))
    tr = net.to_metric

    def proj(c: Any) -> np.ndarray:
        arr = np.asarray(c, dtype=np.float64).reshape(-1, 2)
        x, y = tr.transform(arr[:, 0], arr[:, 1])
        return np.column_stack([x, y])

    if "line" in spec:
        g = shapely.LineString(proj(spec["line"]))
    elif "polygon" in spec:
        g = shapely.Polygon(proj(spec["polygon"]))
    elif "point" in spec:
        g = shapely.Point(proj(spec["point"])[0])
    else:
        raise InputError(f"{where}: within needs line, polygon or point", "write within: {point: [lon, lat], buffer_m: 300}")
    area = g.buffer(buf) if buf > 0 else g
    xy = net.xy
    mid = (xy[net.edge_u] + xy[net.edge_v]) / 2
    return np.asarray(shapely.contains_xy(area, mid[:, 0], mid[:, 1]), dtype=bool)


def upgrade_edges(
    net: Network,
    mask: np.ndarray,
    *,
    speed_kmh: float | None = None,
    speed_factor: float | None = None,
    highway: str | None = None,
    lanes: int | None = None,
    label: str = "upgrade",
) -> Network:
    """A copy of ``net`` with new speeds (and class) on the masked edges.

    ``speed_kmh`` sets the speed; else ``speed_factor`` scales the current
    speed; else the class table speed of ``highway`` is used.
    """
    t = net.edge_time_s.copy()
    attrs = _attr_frame(net)
    idx = np.flatnonzero(mask)
    if speed_kmh is None and speed_factor is None and highway is not None:
        speed_kmh = _class_speed(highway, net.mode, net)
        if speed_kmh is None:
            raise InputError(f"{label}: no class speed for {highway!r}", "give speed_kmh")
    if speed_kmh is not None:
        t[idx] = net.edge_length_m[idx] / (float(speed_kmh) / 3.6)
        new_speed = np.full(len(idx), float(speed_kmh))
    else:
        t[idx] = net.edge_time_s[idx] / float(speed_factor or 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            new_speed = net.edge_length_m[idx] / t[idx] * 3.6
    attrs.loc[idx, "speed_kmh"] = new_speed
    if highway is not None:
        attrs.loc[idx, "highway"] = highway
    if lanes is not None:
        attrs.loc[idx, "lanes"] = lanes
    attrs.loc[idx, "scenario_change"] = label
    meta = {**dict(net.meta), "scenario_changes": [*net.meta.get("scenario_changes", []), label]}
    return net.replace(edge_time_s=t, edge_attrs=attrs, meta=meta)


def remove_edges(net: Network, mask: np.ndarray, label: str = "remove") -> Network:
    """A copy of ``net`` without the masked edges (a closure)."""
    attrs = _attr_frame(net)
    keep = ~np.asarray(mask, dtype=bool)
    meta = {**dict(net.meta), "scenario_changes": [*net.meta.get("scenario_changes", []), label]}
    return _rebuild(
        net,
        net.lon,
        net.lat,
        net.node_id,
        net.edge_u[keep],
        net.edge_v[keep],
        net.edge_length_m[keep],
        net.edge_time_s[keep],
        attrs[keep].reset_index(drop=True),
        meta,
    )


def _truthy(x: Any) -> bool:
    return str(x).strip().lower() in ("1", "true", "yes", "y") if not isinstance(x, bool) else x


def apply_scenario(net: Network, scenario: Scenario, *, strict: bool = True) -> Applied:
    """Apply the road changes of ``scenario`` to a copy of ``net``.

    Parameters
    ----------
    strict
        If True, a change that selects no edge raises :class:`InputError`;
        otherwise it is logged as a warning.

    Rail changes (``add_rail_line``) are not network edits; they are used by
    :func:`geo.compare.compare_rail`.
    """
    cur = net
    log: list[dict[str, Any]] = []
    geoms: list[Any] = []
    props: list[dict[str, Any]] = []
    warnings: list[str] = []
    for ch in scenario.road_changes:
        w = ch.where(scenario.file)
        s = ch.spec
        label = f"{ch.index + 1}:{ch.kind}:{s.get('name', '')}"
        if ch.kind == "add_road":
            for f in road_features(ch, scenario):
                p = {**f["props"], **{k: v for k, v in s.items() if k not in ("geometry", "coordinates", "crs", "from", "to", "via")}}
                hw = str(p.get("class") or p.get("highway") or "primary")
                grade = any(_truthy(p.get(k, False)) for k in _GRADE_SEPARATED) or hw in ("motorway", "expressway")
                speed = p.get("speed_kmh")
                if speed is not None and not _positive(speed):
                    raise InputError(f"{w}: {f['label']}: speed_kmh must be a positive number, got {speed!r}", "write e.g. speed_kmh: 60")
                cur, info = add_road(
                    cur,
                    f["coords"],
                    name=str(p.get("name", "new road")),
                    highway=hw,
                    speed_kmh=float(speed) if speed is not None else None,
                    lanes=int(p["lanes"]) if p.get("lanes") is not None else None,
                    oneway=_truthy(p.get("oneway", False)),
                    grade_separated=grade,
                    join_tolerance_m=float(p.get("join_tolerance_m", DEFAULT_JOIN_TOLERANCE_M)),
                    label=label,
                    where=f"{w}: {f['label']}",
                )
                if info["joined_ends"] < 2:
                    warnings.append(
                        f"{w}: {f['label']}: {2 - info['joined_ends']} end(s) not within "
                        f"{p.get('join_tolerance_m', DEFAULT_JOIN_TOLERANCE_M)} m of a node (dead end); gaps {info['end_gaps_m'][0]:.0f} m / {info['end_gaps_m'][1]:.0f} m"
                    )
                log.append({"change": label, "kind": "add_road", "feature": f["label"], **{k: v for k, v in info.items() if k != "end_gaps_m"}})
                geoms.append(shapely.LineString(f["coords"]))
                props.append({"name": str(p.get("name", "new road")), "kind": "add_road", "class": hw, "speed_kmh": speed, "status": scenario.status})
        else:
            mask = select_edges(cur, s["select"], w)
            if not mask.any():
                msg = f"{w}: select {dict(s['select'])} matches no edge of the network"
                if strict:
                    raise InputError(msg, "check the name/ref/osm_id spelling against the network's edge attributes, or widen within.buffer_m")
                warnings.append(msg)
                log.append({"change": label, "kind": ch.kind, "edges_changed": 0})
                continue
            sel_geom = shapely.MultiLineString(
                [[(cur.lon[a], cur.lat[a]), (cur.lon[b], cur.lat[b])] for a, b in zip(cur.edge_u[mask], cur.edge_v[mask])]
            )
            if ch.kind == "upgrade":
                cur = upgrade_edges(
                    cur,
                    mask,
                    speed_kmh=float(s["speed_kmh"]) if "speed_kmh" in s else None,
                    speed_factor=float(s["speed_factor"]) if "speed_factor" in s else None,
                    highway=str(s["class"]) if "class" in s else None,
                    lanes=int(s["lanes"]) if "lanes" in s else None,
                    label=label,
                )
            else:
                cur = remove_edges(cur, mask, label=label)
            log.append({"change": label, "kind": ch.kind, "edges_changed": int(mask.sum())})
            geoms.append(sel_geom)
            props.append({"name": str(s.get("name", label)), "kind": ch.kind, "class": s.get("class"), "speed_kmh": s.get("speed_kmh"), "status": scenario.status})
    proposed = gpd.GeoDataFrame(pd.DataFrame(props), geometry=geoms, crs="EPSG:4326")
    meta = {**dict(cur.meta), "scenario": scenario.id}
    cur = cur.replace(meta=meta)
    return Applied(network=cur, log=pd.DataFrame(log), proposed=proposed, warnings=warnings)
