"""OSM way filtering per travel mode and reading ways from OSM files and line layers.

Everything here produces a :class:`Ways` table (ways with their tags and the
flat list of their node references and coordinates); :func:`build_graph` then
turns it into directed edges between consecutive nodes.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import re
import warnings
from array import array
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import pandas as pd
from osmium.filter import EntityFilter, KeyFilter
from tqdm.auto import tqdm

from geo._private.geodesy import haversine_m
from geo.errors import DataError, InputError
from geo.speeds import parse_maxspeeds

# tags kept while reading (anything the filters, oneway logic, speeds or attributes use)
KEEP_TAGS = (
    "highway",
    "railway",
    "name",
    "ref",
    "maxspeed",
    "maxspeed:forward",
    "maxspeed:backward",
    "lanes",
    "bridge",
    "tunnel",
    "oneway",
    "oneway:bicycle",
    "cycleway",
    "junction",
    "service",
    "access",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "foot",
    "bicycle",
    "area",
    "usage",
    "highspeed",
    "electrified",
)

# --------------------------------------------------------------------------- filters (osmnx-like)
_DRIVE_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)
_DRIVE_BAD_SERVICE = frozenset({"parking_aisle", "driveway", "parking", "private", "emergency_access", "drive-through"})
_NEVER = frozenset(
    {"abandoned", "construction", "planned", "proposed", "razed", "raceway", "no", "platform", "bus_guideway", "disused"}
)
_WALK_EXCLUDED = _NEVER | {"motorway", "motorway_link", "bus_stop", "escalator_no"}
_BIKE_EXCLUDED = _NEVER | {"motorway", "motorway_link", "steps", "corridor", "elevator", "escalator"}
_RAILWAYS = frozenset({"rail", "light_rail", "subway", "narrow_gauge"})
_NO = frozenset({"no", "private"})
_YES = frozenset({"yes", "designated", "permissive", "destination", "customers", "delivery", "official"})


def keep_way(tags: Mapping[str, Any], mode: str) -> bool:
    """Whether a way with these tags belongs to the network of ``mode`` (osmnx-like filters).

    Examples
    --------
    >>> keep_way({"highway": "primary"}, "drive"), keep_way({"highway": "footway"}, "drive")
    (True, False)
    >>> keep_way({"highway": "residential", "access": "private"}, "drive")
    False
    >>> keep_way({"highway": "motorway"}, "walk"), keep_way({"highway": "steps"}, "walk")
    (False, True)
    >>> keep_way({"railway": "rail"}, "rail"), keep_way({"railway": "abandoned"}, "rail")
    (True, False)
    """
    get = tags.get
    if mode == "rail":
        return get("railway") in _RAILWAYS
    hw = get("highway")
    if not isinstance(hw, str) or get("area") == "yes":
        return False
    access = get("access")
    if mode == "drive":
        if hw not in _DRIVE_HIGHWAYS:
            return False
        if hw == "service" and get("service") in _DRIVE_BAD_SERVICE:
            return False
        motor = get("motorcar") or get("motor_vehicle") or get("vehicle")
        if motor in _NO:
            return False
        return not (access in _NO and motor not in _YES)
    if mode == "walk":
        if hw in _WALK_EXCLUDED:
            return False
        foot = get("foot")
        if foot in _NO:
            return False
        if hw == "cycleway" and foot not in _YES:
            return False
        if get("service") == "private":
            return False
        return not (access in _NO and foot not in _YES)
    if mode == "bike":
        if hw in _BIKE_EXCLUDED:
            return False
        bike = get("bicycle")
        if bike in _NO:
            return False
        if hw in ("footway", "pedestrian") and bike not in _YES:
            return False
        if get("service") == "private":
            return False
        return not (access in _NO and bike not in _YES)
    raise InputError(f"unknown mode {mode!r}", "use one of drive, walk, bike, rail")


def overpass_filter(mode: str) -> str:
    """An Overpass way filter that returns every way :func:`keep_way` could keep for ``mode`` (a superset).

    Downloads use it to fetch less; :func:`keep_way` still decides, so the
    rules are the same as for a file.

    Examples
    --------
    >>> overpass_filter("walk")
    '["highway"]'
    >>> overpass_filter("rail")
    '["railway"~"^(light_rail|narrow_gauge|rail|subway)$"]'
    >>> "residential" in overpass_filter("drive") and "footway" not in overpass_filter("drive")
    True
    """
    if mode == "rail":
        return f'["railway"~"^({"|".join(sorted(_RAILWAYS))})$"]'
    if mode == "drive":
        return f'["highway"~"^({"|".join(sorted(_DRIVE_HIGHWAYS))})$"]'
    return '["highway"]'


_ONEWAY_FWD = frozenset({"yes", "1", "true"})
_ONEWAY_BWD = frozenset({"-1", "reverse"})
_ONEWAY_NO = frozenset({"no", "0", "false", "reversible", "alternating"})


def oneway_direction(tags: Mapping[str, Any], mode: str) -> int:
    """``1`` travel only along the way, ``-1`` only against it, ``0`` both directions.

    ``oneway=yes/1/true`` and ``-1``; implied for ``highway=motorway`` and
    roundabouts unless ``oneway=no``. ``reversible``/``alternating`` ways are
    open in both directions (at different times), as in osmnx. Walking
    ignores oneway; cycling honours ``oneway:bicycle=no`` and
    ``cycleway=opposite*``.

    Examples
    --------
    >>> oneway_direction({"oneway": "yes"}, "drive"), oneway_direction({"oneway": "-1"}, "drive")
    (1, -1)
    >>> oneway_direction({"highway": "motorway"}, "drive"), oneway_direction({"junction": "roundabout"}, "drive")
    (1, 1)
    >>> oneway_direction({"oneway": "yes"}, "walk"), oneway_direction({"oneway": "reversible"}, "drive")
    (0, 0)
    """
    if mode == "walk":
        return 0
    get = tags.get
    if mode == "bike":
        ob = get("oneway:bicycle")
        cw = get("cycleway")
        if ob in _ONEWAY_NO or (isinstance(cw, str) and cw.startswith("opposite")):
            return 0
        if ob in _ONEWAY_FWD:
            return 1
    ow = get("oneway")
    if isinstance(ow, str):
        ow = ow.strip().lower()
    if ow in _ONEWAY_FWD:
        return 1
    if ow in _ONEWAY_BWD:
        return -1
    if ow in _ONEWAY_NO:
        return 0
    if get("highway") == "motorway" or get("junction") in ("roundabout", "circular"):
        return 1
    return 0


# --------------------------------------------------------------------------- way table
@dataclasses.dataclass
class Ways:
    """Kept ways: per-way ``way_id``, ``tags`` (DataFrame), ``direction``; flat node lists.

    Way ``i`` has nodes ``ptr[i]:ptr[i+1]`` of ``node_ref``/``lon``/``lat``;
    coordinates are ``nan`` for node references missing from the file.
    """

    way_id: np.ndarray
    tags: pd.DataFrame
    direction: np.ndarray
    ptr: np.ndarray
    node_ref: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    source: str = ""
    node_ids_are_osm: bool = True


class _Collector:
    """Accumulates ways while reading (lists, converted to arrays at the end)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.way_id: list[int] = []
        self.tags: list[dict[str, Any]] = []
        self.direction: list[int] = []
        self.counts: list[int] = []

    def add_tags(self, wid: int, tags: dict[str, Any], n: int) -> None:
        self.way_id.append(wid)
        self.tags.append(tags)
        self.direction.append(oneway_direction(tags, self.mode))
        self.counts.append(n)

    def finish(self, source: str, node_ids_are_osm: bool = True) -> Ways:
        ptr = np.zeros(len(self.counts) + 1, dtype=np.int64)
        np.cumsum(self.counts, out=ptr[1:])
        tags = pd.DataFrame.from_records(self.tags, columns=list(KEEP_TAGS)) if self.tags else _empty_tags()
        return Ways(
            way_id=np.asarray(self.way_id, dtype=np.int64),
            tags=tags,
            direction=np.asarray(self.direction, dtype=np.int8),
            ptr=ptr,
            node_ref=np.zeros(0, dtype=np.int64),
            lon=np.zeros(0),
            lat=np.zeros(0),
            source=source,
            node_ids_are_osm=node_ids_are_osm,
        )


def _empty_tags() -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series([], dtype=object) for k in KEEP_TAGS})


def _progress(progress: bool, desc: str, unit: str = "ways", total: int | None = None) -> Any:
    # disable=None: no bar when stderr is not a terminal (logs, pipes), so an error stays one line there
    return tqdm(desc=desc, unit=unit, total=total, disable=None if progress else True, leave=False, mininterval=0.5)


# --------------------------------------------------------------------------- OSM (pbf / xml)
_UNDEFINED = 2147483647  # libosmium's undefined coordinate
_OSM_FORMATS = {
    ".osm.pbf": "pbf",
    ".pbf": "pbf",
    ".osm": "osm",
    ".xml": "osm",
    ".osm.bz2": "osm.bz2",
    ".osm.gz": "osm.gz",
    ".xml.bz2": "osm.bz2",
    ".xml.gz": "osm.gz",
}


def osm_format(path: Path) -> str | None:
    """osmium format string for an OSM file name, or None if it is not one.

    Examples
    --------
    >>> osm_format(Path("a/monaco.osm.pbf")), osm_format(Path("x.OSM")), osm_format(Path("x.geojson"))
    ('pbf', 'osm', None)
    """
    name = path.name.lower()
    for suffix in sorted(_OSM_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return _OSM_FORMATS[suffix]
    return None


def read_osm(path: Path, mode: str, *, progress: bool = True) -> Ways:
    """Read the ways of ``mode`` from an ``.osm.pbf`` / ``.osm`` (XML) file with pyosmium.

    Node locations are cached in memory (``flex_mem``); tag filtering on the
    ``highway``/``railway`` key happens in C++. Node references missing from
    the file (clipped extracts) get ``nan`` coordinates.
    """
    fmt = osm_format(path) or "pbf"
    key = "railway" if mode == "rail" else "highway"
    col = _Collector(mode)
    fp = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt))
        .with_locations()
        .with_filter(EntityFilter(osmium.osm.WAY))
        .with_filter(KeyFilter(key))
    )
    refs = array("q")
    xs = array("i")  # libosmium fixed-point coordinates (1e-7 degrees); missing nodes give _UNDEFINED
    ys = array("i")
    bar = _progress(progress, f"reading {path.name}")
    seen = 0
    try:
        for w in fp:
            seen += 1
            if seen % 2000 == 0:
                bar.update(2000)
            t = w.tags
            tags = {k: v for k in KEEP_TAGS if (v := t.get(k)) is not None}  # small dicts: ~4 keys
            if not keep_way(tags, mode):
                continue
            nodes = w.nodes  # type: ignore[union-attr]
            for n in nodes:
                refs.append(n.ref)
                xs.append(n.x)
                ys.append(n.y)
            col.add_tags(w.id, tags, len(nodes))
    except RuntimeError as exc:
        raise DataError(
            f"could not read {path}: {exc} (the file is corrupt, truncated or not an OSM {fmt} file)",
            "download the extract again, e.g. from https://download.geofabrik.de, and check its size",
        ) from exc
    finally:
        bar.update(seen % 2000)
        bar.close()
    x = np.frombuffer(xs, dtype=np.int32) if len(xs) else np.zeros(0, np.int32)
    y = np.frombuffer(ys, dtype=np.int32) if len(ys) else np.zeros(0, np.int32)
    bad = (x == _UNDEFINED) | (y == _UNDEFINED)
    lon = np.where(bad, np.nan, x / 1e7)
    lat = np.where(bad, np.nan, y / 1e7)
    ways = col.finish(str(path))
    ways.node_ref = np.frombuffer(refs, dtype=np.int64).copy() if len(refs) else np.zeros(0, np.int64)
    ways.lon = lon
    ways.lat = lat
    return ways


# --------------------------------------------------------------------------- line layers
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*(?:"((?:[^"\\]|\\.)*)"|NULL)')
_UNESCAPE = re.compile(r"\\(.)")


def parse_hstore(text: Any) -> dict[str, str]:
    """Parse an ogr2ogr/osm2pgsql ``other_tags`` hstore string into a dict.

    Examples
    --------
    >>> parse_hstore('"oneway"=>"yes","maxspeed"=>"60"')
    {'oneway': 'yes', 'maxspeed': '60'}
    >>> parse_hstore('"name:en"=>"A \\\\"quoted\\\\" road"')
    {'name:en': 'A "quoted" road'}
    >>> parse_hstore(None)
    {}
    """
    if not isinstance(text, str) or not text:
        return {}
    out = {}
    for m in _HSTORE.finditer(text):
        k = _UNESCAPE.sub(r"\1", m.group(1))
        v = m.group(2)
        if v is not None:
            out[k] = _UNESCAPE.sub(r"\1", v)
    return out


def _list_text(v: str) -> str:
    """osmnx writes merged tags as Python list literals ("['primary', 'secondary']"): keep the first value."""
    if len(v) > 2 and v[0] == "[" and v[-1] == "]":
        try:
            items = ast.literal_eval(v)
        except (ValueError, SyntaxError):
            return v
        if isinstance(items, list) and items:
            return str(items[0])
    return v


def _osm_id_value(v: Any) -> int:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return -1
    if isinstance(v, (int, np.integer)):
        return int(v)
    m = re.search(r"(\d+)", str(v))  # "123", "way/123", "w123"
    return int(m.group(1)) if m else -1


def _unreadable(path: Path, exc: BaseException) -> DataError:
    """A short error saying what is wrong with a vector file GDAL cannot read."""
    fix = "export the roads as GeoJSON lines (WGS84) with OSM tags, or pass the .osm.pbf extract"
    if path.suffix.lower() in (".geojson", ".json"):
        with open(path, "rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head:
            return DataError(f"{path} is empty (only whitespace)", fix)
        if head[:1] not in (b"{", b"["):
            return DataError(f"{path} is not JSON (it starts with {head[:20]!r})", fix)
        if path.stat().st_size < 50_000_000:
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, ValueError) as err:
                return DataError(f"{path} is not valid JSON ({str(err)[:80]})", fix)
            kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
            if kind not in ("FeatureCollection", "Feature"):
                return DataError(f"{path} is JSON but not GeoJSON (type {kind!r}, expected a FeatureCollection)", fix)
            if not _finite_coordinates(doc):
                return DataError(f"{path} has NaN or infinite coordinates", "re-export the geometry; every vertex needs finite lon/lat")
    first = str(exc).split(";")[0].strip()[:120]
    return DataError(f"cannot read {path} as a GeoJSON/GeoPackage layer ({first})", fix)


def _finite_coordinates(doc: Any) -> bool:
    """False if any number under a ``coordinates`` key of GeoJSON ``doc`` is NaN or infinite."""
    stack = [doc]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, float) and not math.isfinite(x):
            return False
    return True


def _pick_layer(path: Path, layer: str | None) -> str | None:
    import pyogrio  # GDAL (0.1 s): only vector-file input needs it, `import geo` loads this module

    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio/GDAL raise several types for unreadable files
        raise _unreadable(path, exc) from exc
    names = [str(r[0]) for r in layers]
    if layer is not None:
        if layer not in names:
            raise InputError(f"{path} has no layer {layer!r} (layers: {', '.join(names)})", "pass one of those names")
        return layer
    if len(names) <= 1:
        return names[0] if names else None
    lines = [str(r[0]) for r in layers if r[1] and "LINE" in str(r[1]).upper()]
    for preferred in ("lines", "edges", "roads"):
        if preferred in lines:
            return preferred
    if lines:
        return lines[0]
    raise DataError(f"{path} has no line layer (layers: {', '.join(names)})", "export the OSM ways as lines")


def read_lines(path: Path, mode: str, *, layer: str | None = None, progress: bool = True) -> Ways:
    """Read OSM ways from a vector line layer (GeoJSON, GeoPackage, Shapefile, FlatGeobuf).

    Tags come from plain columns (``highway``, ``oneway``, ``maxspeed`` ...)
    and from an ``other_tags`` hstore column (ogr2ogr's OSM driver); plain
    columns win. Node identity is the coordinate rounded to 1e-7 degrees, so
    ways are split wherever they share a vertex.
    """
    import pyogrio  # GDAL (0.1 s): only vector-file input needs it, `import geo` loads this module
    import shapely

    lyr = _pick_layer(path, layer)
    try:
        gdf = pyogrio.read_dataframe(path, layer=lyr)
    except Exception as exc:  # pyogrio/GDAL raise several types for unreadable files
        raise _unreadable(path, exc) from exc
    crs = gdf.crs
    if crs is not None and (not crs.is_geographic or crs.to_epsg() not in (4326, None)):
        gdf = gdf.to_crs("EPSG:4326")
    col = _Collector(mode)
    if len(gdf) == 0:
        raise DataError(f"{path} holds no features (an empty layer or FeatureCollection)", "export the road lines of the area into it")
    geoms = gdf.geometry.values
    xy = shapely.get_coordinates(geoms)
    if xy.size and not np.isfinite(xy).all():
        raise DataError(f"{path} has NaN or infinite coordinates", "re-export the geometry; every vertex needs finite lon/lat")
    if xy.size and (np.abs(xy[:, 0]).max() > 180.0 or np.abs(xy[:, 1]).max() > 90.0):
        i = int(np.argmax((np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)))
        if abs(xy[i, 0]) <= 90 and abs(xy[i, 1]) <= 180:
            raise DataError(
                f"{path} has coordinates like ({xy[i, 0]:.4f}, {xy[i, 1]:.4f}): latitude and longitude look swapped",
                "write GeoJSON positions as [lon, lat] (longitude first)",
            )
        raise DataError(
            f"{path} has coordinates like ({xy[i, 0]:.1f}, {xy[i, 1]:.1f}) that are not WGS84 lon/lat "
            "(projected coordinates without a declared CRS?)",
            "reproject the file to EPSG:4326, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson",
        )
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    plain = [c for c in cols if c in KEEP_TAGS]
    id_col = next((c for c in ("osm_id", "osm_way_id", "osmid", "id", "@id") if c in cols), None)
    has_other = "other_tags" in cols
    records = gdf[plain].to_dict("records") if plain else [{}] * len(gdf)
    other = gdf["other_tags"].tolist() if has_other else [None] * len(gdf)
    ids = gdf[id_col].tolist() if id_col else [None] * len(gdf)
    key = "railway" if mode == "rail" else "highway"

    keep_rows: list[int] = []
    bar = _progress(progress, f"reading {path.name}", total=len(gdf))
    for i, (rec, ot) in enumerate(zip(records, other)):
        tags = parse_hstore(ot) if ot else {}
        for k, v in rec.items():
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                tags[k] = _list_text(v) if isinstance(v, str) else str(v)
        if key not in tags or not keep_way(tags, mode):
            continue
        keep_rows.append(i)
        col.add_tags(_osm_id_value(ids[i]), {k: v for k in KEEP_TAGS if (v := tags.get(k)) is not None}, 0)
    bar.update(len(gdf))
    bar.close()
    if not keep_rows:
        return col.finish(str(path), node_ids_are_osm=False)
    kept = geoms[np.asarray(keep_rows)]
    parts, part_of = shapely.get_parts(kept, return_index=True)
    types = shapely.get_type_id(parts)
    ok = types == 1  # LineString
    if (types == 2).any():  # LinearRing
        ok |= types == 2
    parts, part_of = parts[ok], part_of[ok]
    coords, coord_of = shapely.get_coordinates(parts, return_index=True)
    counts = np.bincount(coord_of, minlength=len(parts))
    # one way per part: repeat the way records for multi-part geometries
    way_id = np.asarray(col.way_id, dtype=np.int64)[part_of]
    tags_list = [col.tags[j] for j in part_of]
    direction = np.asarray(col.direction, dtype=np.int8)[part_of]
    lon = coords[:, 0].astype(np.float64)
    lat = coords[:, 1].astype(np.float64)
    ptr = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return Ways(
        way_id=way_id,
        tags=pd.DataFrame.from_records(tags_list, columns=list(KEEP_TAGS)) if tags_list else _empty_tags(),
        direction=direction,
        ptr=ptr,
        node_ref=coordinate_keys(lon, lat),
        lon=lon,
        lat=lat,
        source=str(path),
        node_ids_are_osm=False,
    )


def coordinate_keys(lon: np.ndarray, lat: np.ndarray, decimals: int = 7) -> np.ndarray:
    """An int64 key per point: equal for coordinates equal after rounding to ``decimals``.

    Examples
    --------
    >>> k = coordinate_keys(np.array([112.5, 112.50000001, 112.6]), np.array([37.8, 37.8, 37.8]))
    >>> bool(k[0] == k[1]), bool(k[0] == k[2])
    (True, False)
    """
    scale = 10.0**decimals
    x = np.round(np.asarray(lon) * scale).astype(np.int64)
    y = np.round(np.asarray(lat) * scale).astype(np.int64)
    # x in +-1.8e9 (< 2**31), y in +-9e8: pack into one int64 without collisions
    return (x << np.int64(31)) ^ (y + np.int64(2**30))


# --------------------------------------------------------------------------- graph building
EDGE_COLUMNS = (
    "highway",
    "railway",
    "name",
    "ref",
    "maxspeed",
    "lanes",
    "bridge",
    "tunnel",
    "service",
    "access",
    "junction",
    "usage",
    "highspeed",
    "electrified",
)


def _yes(series: pd.Series) -> np.ndarray:
    s = series.astype(object)
    return s.isin(["yes", "true", "1", "viaduct", "building_passage", "culvert", "covered", "aqueduct"]).to_numpy()


def way_attributes(way_id: np.ndarray, tags: pd.DataFrame, direction: np.ndarray, mode: str) -> pd.DataFrame:
    """Per-way edge attributes (categoricals) from way ids, tags (KEEP_TAGS columns) and directions."""
    t = tags
    out = pd.DataFrame({"osm_id": np.asarray(way_id, dtype=np.int64)})
    for c in ("highway", "railway", "name", "ref"):
        if mode == "rail" and c == "highway":
            continue
        if mode != "rail" and c == "railway":
            continue
        out[c] = pd.Categorical(t[c].astype(object))
    out["maxspeed"] = pd.Categorical(t["maxspeed"].astype(object))
    out["maxspeed_kmh"] = parse_maxspeeds(t["maxspeed"].astype(object)).astype(np.float32)
    lanes = pd.to_numeric(t["lanes"].astype(object).map(_first_number), errors="coerce")
    out["lanes"] = lanes.astype("float32")
    out["bridge"] = _yes(t["bridge"])
    out["tunnel"] = _yes(t["tunnel"])
    out["oneway"] = np.asarray(direction) != 0
    out["service"] = pd.Categorical(t["service"].astype(object))
    if mode == "rail":
        for c in ("usage", "highspeed", "electrified"):
            out[c] = pd.Categorical(t[c].astype(object))
    else:
        out["access"] = pd.Categorical(t["access"].astype(object))
    return out


def _first_number(v: Any) -> float:
    if not isinstance(v, str):
        return math.nan
    m = re.match(r"\s*(\d+(?:\.\d+)?)", v)
    return float(m.group(1)) if m else math.nan


def _directional_maxspeed(attrs: pd.DataFrame, tags: pd.DataFrame, edge_way: np.ndarray, forward: np.ndarray) -> None:
    """Apply ``maxspeed:forward`` / ``maxspeed:backward`` to the edges running that way along their way."""
    ms = attrs["maxspeed_kmh"].to_numpy(dtype=np.float32, copy=True)
    changed = False
    for col, along in (("maxspeed:forward", forward), ("maxspeed:backward", ~forward)):
        if col not in tags or tags[col].isna().all():
            continue
        per_edge = parse_maxspeeds(tags[col].astype(object)).astype(np.float32)[edge_way]
        sel = along & np.isfinite(per_edge)
        ms[sel] = per_edge[sel]
        changed = True
    if changed:
        attrs["maxspeed_kmh"] = ms


@dataclasses.dataclass
class Graph:
    """Directed edges between node positions, with per-edge attributes (no speeds yet)."""

    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    attrs: pd.DataFrame
    stats: dict[str, Any]


def build_graph(
    ways: Ways, mode: str, *, bbox: tuple[float, float, float, float] | None = None, warn: bool = True
) -> Graph:
    """Turn ways into directed edges between consecutive nodes.

    Every node of a kept way becomes a network node; ways sharing a node
    reference are connected there. Nodes with unknown coordinates (missing
    from a clipped extract) or outside ``bbox`` are dropped and the way is
    split there: no edge ever spans a gap.
    """
    nw = len(ways.way_id)
    counts = np.diff(ways.ptr)
    way_of = np.repeat(np.arange(nw, dtype=np.int64), counts)
    valid = np.isfinite(ways.lon) & np.isfinite(ways.lat)
    n_missing = int((~valid).sum())
    ways_missing = int(np.unique(way_of[~valid]).size) if n_missing else 0
    inside = valid.copy()
    if bbox is not None:
        w, s, e, n = bbox
        inside &= (ways.lon >= w) & (ways.lon <= e) & (ways.lat >= s) & (ways.lat <= n)
    i = np.flatnonzero(
        (way_of[:-1] == way_of[1:]) & inside[:-1] & inside[1:] & (ways.node_ref[:-1] != ways.node_ref[1:])
    )
    j = i + 1
    used = np.concatenate([i, j])
    node_id, first, inv = np.unique(ways.node_ref[used], return_index=True, return_inverse=True)
    pos_i = inv[: len(i)]
    pos_j = inv[len(i) :]
    lon = ways.lon[used][first]
    lat = ways.lat[used][first]
    seg_way = way_of[i]
    d = ways.direction[seg_way]
    fwd = d >= 0
    bwd = d <= 0
    u = np.concatenate([pos_i[fwd], pos_j[bwd]])
    v = np.concatenate([pos_j[fwd], pos_i[bwd]])
    edge_way = np.concatenate([seg_way[fwd], seg_way[bwd]])
    forward = np.concatenate([np.ones(int(fwd.sum()), bool), np.zeros(int(bwd.sum()), bool)])
    # store edges sorted by start node: Network.from_edges' stable sort is then a linear pass
    order = np.argsort(u, kind="stable")
    u, v, edge_way, forward = u[order], v[order], edge_way[order], forward[order]
    length = haversine_m(lon[u], lat[u], lon[v], lat[v])
    per_way = way_attributes(ways.way_id, ways.tags, ways.direction, mode)
    attrs = per_way.iloc[edge_way].reset_index(drop=True)
    attrs["forward"] = forward
    _directional_maxspeed(attrs, ways.tags, edge_way, forward)
    if not ways.node_ids_are_osm:
        node_id = np.arange(len(node_id), dtype=np.int64)
    stats = {
        "ways": nw,
        "missing_node_refs": n_missing,
        "ways_with_missing_nodes": ways_missing,
    }
    if n_missing and warn:
        warnings.warn(
            f"{n_missing:,} node references of {ways_missing:,} ways are missing from {ways.source} "
            "(a clipped extract?); those ways were split at the missing nodes",
            stacklevel=3,
        )
    return Graph(node_id=node_id, lon=lon, lat=lat, u=u, v=v, length_m=length, attrs=attrs, stats=stats)


def keep_largest_component(graph: Graph, connection: str) -> Graph:
    """Keep only the largest weakly (``"weak"``) or strongly (``"strong"``) connected component."""
    import scipy.sparse as sp  # 0.1 s: only component filtering needs it, `import geo` loads this module
    from scipy.sparse.csgraph import connected_components

    n = len(graph.lon)
    if n == 0:
        return graph
    adj = sp.csr_matrix((np.ones(len(graph.u), dtype=np.int8), (graph.u, graph.v)), shape=(n, n))
    _, label = connected_components(adj, directed=True, connection=connection)
    big = int(np.argmax(np.bincount(label)))
    keep_node = label == big
    keep_edge = keep_node[graph.u] & keep_node[graph.v]
    new_pos = np.cumsum(keep_node) - 1
    stats = dict(graph.stats)
    stats[f"dropped_nodes_outside_largest_{connection}_component"] = int(n - keep_node.sum())
    return Graph(
        node_id=graph.node_id[keep_node],
        lon=graph.lon[keep_node],
        lat=graph.lat[keep_node],
        u=new_pos[graph.u[keep_edge]],
        v=new_pos[graph.v[keep_edge]],
        length_m=graph.length_m[keep_edge],
        attrs=graph.attrs.iloc[np.flatnonzero(keep_edge)].reset_index(drop=True),
        stats=stats,
    )
