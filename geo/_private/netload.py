"""Build the parts of a network (nodes, directed edges, times, attributes) from files or osmnx.

This is the loader layer under :class:`geo.network.Network`: it reads OSM
files, OSM line layers, saved networks and osmnx graphs and returns a
:class:`Parts` record of arrays; ``Network.from_file`` / ``from_place`` /
... turn that into a :class:`~geo.network.Network` with
``Network.from_parts``. It never imports :mod:`geo.network` (which imports
it), and :mod:`geo.io` is the public face of the same functions.

:func:`load_file` reads the file types listed in :mod:`geo.io` (pbf, OSM XML, OSM line layers, saved
networks).

Every OSM node of a kept way becomes a network node and every pair of
consecutive nodes a straight edge (both directions unless one-way). Built
graphs are cached under ``geo.settings.cache_dir() / "networks"``, keyed by
a hash of the input file and the options that change the graph; speeds are
re-applied on every load, so changing speeds never needs a rebuild.

**One set of rules.** A download with osmnx (:func:`download`) asks for every
``highway`` (or rail) way *as tagged* -- all ways in their node order, with
the tags in :data:`~geo._private.osm.KEEP_TAGS` -- and then applies the same
filters (:func:`~geo._private.osm.keep_way`), one-way rules
(:func:`~geo._private.osm.oneway_direction`), graph building
(:func:`~geo._private.osm.build_graph`), speeds and intersection delays as a
file. So the same ways give the same network whichever way they arrive.

Examples
--------
>>> import tempfile, pathlib
>>> osm = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
>>> _ = osm.write_text('''<osm version="0.6">
...  <node id="1" lat="0.0" lon="0.0"/><node id="2" lat="0.0" lon="0.001"/>
...  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
... </osm>''')
>>> parts = load_file(osm, "drive", cache=False, progress=False)
>>> len(parts.lon), len(parts.u), parts.attrs["speed_kmh"].tolist()
(2, 1, [65.0])
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import itertools
import math
import os
import socket
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from geo._private import netfile
from geo._private.cache import cache_path, cached_value, input_key
from geo._private.geodesy import haversine_m
from geo._private.osm import (
    KEEP_TAGS,
    Graph,
    Ways,
    _Collector,
    build_graph,
    keep_largest_component,
    keep_way,
    osm_format,
    overpass_filter,
    read_lines,
    read_osm,
    way_attributes,
)
from geo.errors import DataError, InputError, NetworkUnavailableError
from geo.modes import check_mode
from geo.settings import cache_dir, configure_osmnx, offline
from geo.speeds import edge_speeds, intersection_delays, resolve_profile

__all__ = ["Parts", "cache_key", "download", "from_osmnx_graph", "load_file", "osmnx_overrides", "read_saved", "write_saved"]

#: bump whenever parsing or graph building changes, so stale cache entries are ignored
LOADER_VERSION = 3
_LINE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".geojsonl", ".geojsons")
_SAVED_SUFFIXES = (".geonet", ".npz")
_MODE_WORDS = {"drive": "drivable roads", "walk": "walkable ways", "bike": "cyclable ways", "rail": "railway lines"}
_GEOFABRIK = "https://download.geofabrik.de"


@dataclasses.dataclass(frozen=True)
class Parts:
    """What a network is made of, before it is a :class:`~geo.network.Network`.

    The fields are the arguments of :meth:`Network.from_edges
    <geo.network.Network.from_edges>`: node coordinates and ids, directed
    edges as node positions, their lengths (metres), times (seconds) and
    attributes, the mode and provenance ``meta``.
    """

    lon: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    time_s: np.ndarray
    length_m: np.ndarray
    node_id: np.ndarray
    attrs: pd.DataFrame
    mode: str
    meta: dict[str, Any]

    def edges_kwargs(self) -> dict[str, Any]:
        """The fields as keyword arguments of ``Network.from_edges``."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# --------------------------------------------------------------------------- files
def load_file(  # warnings use stacklevel=3: the caller of load_network / Network.from_file
    path: str | Path,
    mode: str = "drive",
    *,
    speeds: Mapping[str, float] | str | Path | None = None,
    profile: str = "auto",
    intersection_delay_s: float = 0.0,
    cache: bool = True,
    progress: bool = True,
    bbox: tuple[float, float, float, float] | None = None,
    layer: str | None = None,
    use_maxspeed: bool = True,
    component: str = "all",
) -> Parts:
    """The arrays of a routable network of ``mode`` read from a local file.

    Parameters, errors and the columns of ``attrs`` are documented once, on the public
    :func:`geo.io.load_network` (which wraps this in a :class:`~geo.network.Network`).
    """
    t0 = time.perf_counter()
    _check_mode(mode)
    if component not in ("all", "weak", "strong"):
        raise InputError(f"unknown component option {component!r}", "use 'all', 'weak' or 'strong'")
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(
            f"network file {path} does not exist",
            f"check the path, or download an OSM extract (.osm.pbf), e.g. from {_GEOFABRIK}",
        )
    if path.is_dir():
        raise InputError(f"network path {path} is a folder", "pass an .osm.pbf, .osm or .geojson file")
    if path.stat().st_size == 0:
        raise DataError(f"network file {path} is empty (0 bytes)", "download or export it again (.osm.pbf, .osm or OSM GeoJSON lines)")
    kind = _file_kind(path)
    if kind == "saved":
        net = read_saved(path)
        if net.mode != mode:
            raise InputError(
                f"{path} holds a {net.mode} network, not {mode}",
                f"pass mode={net.mode!r} (--mode {net.mode}) or load the OSM file for {mode}",
            )
        if speeds is None and intersection_delay_s == 0 and profile == "auto" and use_maxspeed and component == "all":
            return net
        saved = Graph(
            net.node_id,
            net.lon,
            net.lat,
            net.u,
            net.v,
            net.length_m,
            net.attrs.drop(columns=["speed_kmh"], errors="ignore"),
            dict(net.meta.get("stats", {})),
        )
        if component != "all":
            saved = keep_largest_component(saved, component)
        return _finish(saved, mode, speeds, profile, intersection_delay_s, use_maxspeed, dict(net.meta), t0)
    bbox = _check_bbox(bbox)
    key = cache_key(path, mode, bbox=bbox, layer=layer)
    cached = cache_path("networks", f"{path.name[:48]}-{mode}", key, ".geonet")
    graph, hit = cached_value(
        cached if cache else None,
        lambda: _build(path, kind, mode, bbox=bbox, layer=layer, progress=progress),
        _read_graph,
        lambda tmp, g: _write_graph(tmp, g, {"source": str(path), "mode": mode}),
    )
    if graph.stats.get("missing_node_refs"):
        warnings.warn(
            f"{graph.stats['missing_node_refs']:,} node references of {graph.stats['ways_with_missing_nodes']:,} "
            f"ways are missing from {path} (a clipped extract?); those ways were split at the missing nodes",
            stacklevel=3,
        )
    if component != "all":
        graph = keep_largest_component(graph, component)
    meta = {
        "source": str(path.resolve()),
        "format": kind,
        "cache_key": key,
        "cache_hit": hit,
        "cache_file": str(cached) if cache else None,
        "bbox": list(bbox) if bbox else None,
        "layer": layer,
        "component": component,
    }
    return _finish(graph, mode, speeds, profile, intersection_delay_s, use_maxspeed, meta, t0)


def write_saved(path: str | Path, arrays: Mapping[str, np.ndarray], attrs: pd.DataFrame, mode: str, meta: Mapping[str, Any]) -> Path:
    """Write a network's arrays (``Network`` field names) to a ``.geonet`` file, atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> arrays = {"node_id": np.arange(2), "lon": np.array([0.0, 0.001]), "lat": np.zeros(2),
    ...           "indptr": np.array([0, 1, 1]), "edge_u": np.array([0]), "edge_v": np.array([1]),
    ...           "edge_length_m": np.array([111.2]), "edge_time_s": np.array([11.1])}
    >>> p = write_saved(pathlib.Path(tempfile.mkdtemp()) / "n.geonet", arrays, pd.DataFrame(index=range(1)), "walk", {})
    >>> read_saved(p).mode, len(read_saved(p).u)
    ('walk', 1)
    """
    path = Path(path).expanduser()
    if path.suffix.lower() not in _SAVED_SUFFIXES:
        raise InputError(f"cannot save a network as {path.name}", "use a .geonet (or .npz) file name")
    return netfile.write(path, dict(arrays), attrs, {"kind": "network", "mode": mode, "meta": dict(meta)})


def read_saved(path: str | Path) -> Parts:
    """Read a network written by :func:`write_saved` (checks that the arrays fit together)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"network file {path} does not exist", "check the path")
    arrays, attrs, meta = netfile.read(path)
    if meta.get("kind") != "network":
        raise DataError(f"{path} is a cached graph, not a saved network", "save networks with geo.io.save_network")
    try:
        parts = Parts(
            lon=arrays["lon"],
            lat=arrays["lat"],
            u=arrays["edge_u"],
            v=arrays["edge_v"],
            time_s=arrays["edge_time_s"],
            length_m=arrays["edge_length_m"],
            node_id=arrays["node_id"],
            attrs=attrs,
            mode=str(meta["mode"]),
            meta=dict(meta.get("meta", {})),
        )
        indptr = arrays["indptr"]
    except KeyError as exc:
        raise DataError(f"{path} lacks the field {exc}", "re-save the network with geo.io.save_network") from exc
    n, m = parts.lon.shape[0], parts.u.shape[0]
    if indptr.shape[0] != n + 1 or parts.v.shape[0] != m or parts.time_s.shape[0] != m or len(attrs) != m:
        raise DataError(f"{path} has inconsistent array lengths", "re-save the network with geo.io.save_network")
    return parts


def cache_key(
    path: str | Path, mode: str, *, bbox: tuple[float, float, float, float] | None = None, layer: str | None = None
) -> str:
    """Hash of the input file's content and the options that change the graph.

    Files up to 256 MB are hashed whole (SHA-1, so copies of a file share a
    cache entry); larger ones by size, modification time and their first
    and last MiB. Speeds are not part of the key: they are applied after
    loading.
    """
    params = {"mode": mode, "bbox": list(bbox) if bbox else None, "layer": layer, "loader": LOADER_VERSION, "geo": _geo_version()}
    return input_key([path], params, salt="network")


# --------------------------------------------------------------------------- internals
def _geo_version() -> str:
    """The installed geo version (from package metadata: importing ``geo`` here would be a cycle)."""
    try:
        return importlib.metadata.version("geo")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "?"


def _check_mode(mode: str) -> None:
    check_mode(mode)


def _check_bbox(bbox: Any) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    try:
        w, s, e, n = (float(x) for x in bbox)
    except (TypeError, ValueError) as exc:
        raise InputError(f"bbox must be (west, south, east, north), got {bbox!r}", "pass four numbers") from exc
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(
            f"bbox {bbox!r} is not (west, south, east, north) in WGS84 degrees",
            "pass e.g. (112.4, 37.7, 112.7, 38.0) with west < east and south < north",
        )
    return (w, s, e, n)


def _file_kind(path: Path) -> str:
    name = path.name.lower()
    if osm_format(path) is not None:
        return "osm"
    if name.endswith(_LINE_SUFFIXES):
        return "lines"
    if name.endswith(_SAVED_SUFFIXES):
        return "saved"
    raise InputError(
        f"unknown network file type {path.name!r}",
        "use .osm.pbf, .osm/.xml (.bz2/.gz), .geojson/.gpkg/.shp/.fgb OSM line layers, or a saved .geonet",
    )


def _build(
    path: Path, kind: str, mode: str, *, bbox: tuple[float, float, float, float] | None, layer: str | None, progress: bool
) -> Graph:
    if kind == "osm":
        if path.stat().st_size == 0:
            raise DataError(f"{path} is empty", f"download the extract again, e.g. from {_GEOFABRIK}")
        ways = read_osm(path, mode, progress=progress)
    else:
        ways = read_lines(path, mode, layer=layer, progress=progress)
    graph = build_graph(ways, mode, bbox=bbox, warn=False)
    if len(graph.u) == 0:
        what = _MODE_WORDS[mode]
        where = f" inside bbox {list(bbox)}" if bbox else ""
        if mode == "rail":
            fix = "check that the file contains railway=rail/light_rail/subway/narrow_gauge ways"
        else:
            fix = f"try --mode {'walk' if mode != 'walk' else 'drive'} or check the file (right area and type?)"
        if bbox:
            fix += ", or widen the bbox"
        raise DataError(f"no {what} in {path}{where} ({len(ways.way_id):,} {mode} ways kept)", fix)
    return graph


def _finish(
    graph: Graph,
    mode: str,
    speeds: Mapping[str, float] | str | Path | None,
    profile: str,
    intersection_delay_s: float,
    use_maxspeed: bool,
    meta: dict[str, Any],
    t0: float,
) -> Parts:
    prof = resolve_profile(profile, graph.lon, graph.lat)
    attrs = graph.attrs.copy()
    speed = edge_speeds(attrs, mode, prof, speeds, use_maxspeed=use_maxspeed)
    with np.errstate(divide="ignore"):
        time_s = np.where(speed > 0, graph.length_m / (speed / 3.6), np.inf)
    delay = float(intersection_delay_s or 0.0)
    if delay:
        time_s = time_s + intersection_delays(graph.u, graph.v, len(graph.lon), delay)
    attrs["speed_kmh"] = speed.astype(np.float32)
    meta = dict(meta)
    meta.update(
        mode=mode,
        options={
            "speeds": (str(speeds) if isinstance(speeds, (str, Path)) else dict(speeds) if speeds else None),
            "profile": prof,
            "intersection_delay_s": delay,
            "use_maxspeed": use_maxspeed,
        },
        stats=graph.stats,
    )
    meta["load_time_s"] = round(time.perf_counter() - t0, 3)
    return Parts(
        lon=graph.lon,
        lat=graph.lat,
        u=graph.u,
        v=graph.v,
        time_s=time_s,
        length_m=graph.length_m,
        node_id=graph.node_id,
        attrs=attrs,
        mode=mode,
        meta=meta,
    )


def _write_graph(target: Path, graph: Graph, meta: dict[str, Any]) -> None:
    """Write a cache entry to ``target`` (a temporary path: :func:`~geo._private.cache.cached_value` renames it)."""
    arrays = {
        "node_id": graph.node_id,
        "lon": graph.lon,
        "lat": graph.lat,
        "u": graph.u,
        "v": graph.v,
        "length_m": graph.length_m,
    }
    netfile.write(target, arrays, graph.attrs, {"kind": "graph", "stats": graph.stats, **meta}, atomic=False)


def _read_graph(path: Path) -> Graph:
    arrays, attrs, meta = netfile.read(path)
    if meta.get("kind") != "graph":
        raise DataError(f"{path} is not a cached graph", "delete it")
    try:
        return Graph(
            node_id=arrays["node_id"],
            lon=arrays["lon"],
            lat=arrays["lat"],
            u=arrays["u"],
            v=arrays["v"],
            length_m=arrays["length_m"],
            attrs=attrs,
            stats=dict(meta.get("stats", {})),
        )
    except KeyError as exc:
        raise DataError(f"{path} lacks {exc}", "delete it") from exc


# --------------------------------------------------------------------------- online (osmnx)
_OFFLINE_FIX = f"load a local .osm.pbf with --network, e.g. from Geofabrik ({_GEOFABRIK})"


def _probe(hosts: list[str], timeout_s: float) -> None:
    """Fail fast (within ``timeout_s``) when the hosts cannot be reached at all."""
    errors: dict[str, str] = {}

    def attempt(host: str) -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout_s):
                pass
        except OSError as exc:  # refused, unreachable, DNS failure, timeout (all OSError)
            errors[host] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=attempt, args=(h,), daemon=True) for h in hosts]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout_s
    for t, h in zip(threads, hosts):
        t.join(max(0.0, deadline - time.monotonic()))
        if t.is_alive():
            errors.setdefault(h, f"no answer within {timeout_s:g} s")
    if errors:
        detail = "; ".join(f"{h}: {e}" for h, e in errors.items())
        raise NetworkUnavailableError(f"could not reach Overpass/Nominatim: {detail}", _OFFLINE_FIX)


#: osmnx reverses the nodes of ways with these ``oneway`` values even when every way is one-way
#: (``osmnx.graph._add_paths``); :func:`_tagged_ways` turns them back into their node order
_OSMNX_REVERSED = frozenset({"-1", "reverse", "T"})


def osmnx_overrides() -> dict[str, Any]:
    """osmnx settings under which a graph holds the ways *as tagged* (see :func:`download`).

    ``all_oneway``: every way is added once, in its node order, and keeps its
    ``oneway`` tag; ``useful_tags_way``: every tag the rules in
    :mod:`geo._private.osm` read. Pass them to
    :func:`geo.settings.configure_osmnx`.
    """
    return {"all_oneway": True, "useful_tags_way": list(KEEP_TAGS)}


def download(
    kind: str,
    query: Any,
    mode: str = "drive",
    *,
    speeds: Mapping[str, float] | str | Path | None = None,
    profile: str = "auto",
    intersection_delay_s: float = 0.0,
    progress: bool = True,
    timeout_s: float = 10.0,
    use_maxspeed: bool = True,
) -> Parts:
    """Download a network with osmnx (needs internet) and build it like a file.

    osmnx is asked for every way the mode could use
    (:func:`~geo._private.osm.overpass_filter`) as tagged (:func:`osmnx_overrides`); the ways of ``mode``, their
    directions, speeds and delays then follow the same rules as
    :func:`load_file`, so a place and its OSM extract give the same network.
    The osmnx settings are restored afterwards. Parameters and errors are documented once, on
    :func:`geo.io.network_from_osmnx`.
    """
    t0 = time.perf_counter()
    _check_mode(mode)
    if kind not in ("place", "bbox", "polygon", "point"):
        raise InputError(f"unknown osmnx query kind {kind!r}", "use place, bbox, polygon or point")
    if offline():
        raise NetworkUnavailableError(
            "could not reach Overpass/Nominatim: GEO_OFFLINE=1 forbids online downloads", _OFFLINE_FIX
        )
    import osmnx as ox  # 0.5 s to import with requests; only downloads need them, so `import geo` does not pay
    import requests

    with configure_osmnx(timeout_s, cache_folder=cache_dir() / "osmnx", **osmnx_overrides()):  # restored afterwards
        hosts = [urlparse(ox.settings.overpass_url).hostname or "overpass-api.de"]
        if kind == "place":
            hosts.append(urlparse(ox.settings.nominatim_url).hostname or "nominatim.openstreetmap.org")
        if not (os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")):
            _probe(hosts, min(timeout_s, 5.0))
        kw: dict[str, Any] = {
            "simplify": False,
            "retain_all": True,
            "custom_filter": overpass_filter(mode),  # a superset of what keep_way keeps
        }
        try:
            if kind == "place":
                G = ox.graph_from_place(query, **kw)
            elif kind == "bbox":
                bb = _check_bbox(query)
                assert bb is not None
                G = ox.graph_from_bbox(bb, **kw)
            elif kind == "polygon":
                G = ox.graph_from_polygon(query, **kw)
            else:
                (lon, lat), dist = query
                G = ox.graph_from_point((float(lat), float(lon)), dist=float(dist), **kw)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, OSError) as exc:
            raise NetworkUnavailableError(f"could not reach Overpass/Nominatim: {exc}", _OFFLINE_FIX) from exc
        except ox._errors.InsufficientResponseError as exc:
            raise DataError(
                f"OpenStreetMap returned no usable {mode} data for {kind} {query!r}: {exc}",
                "check the place name or area, or try another mode",
            ) from exc
        except ox._errors.ResponseStatusCodeError as exc:
            raise NetworkUnavailableError(f"Overpass/Nominatim refused the request: {exc}", _OFFLINE_FIX) from exc
    ways = _tagged_ways(G, mode, progress=progress)
    graph = build_graph(ways, mode, warn=False)
    if len(graph.u) == 0:
        raise DataError(f"OpenStreetMap has no {_MODE_WORDS[mode]} for {kind} {query!r}", "check the area or try another mode")
    graph.stats["osmnx_edges"] = G.number_of_edges()
    meta = {"source": f"osmnx:{kind}:{query!r}", "format": "osmnx", "cache_key": None, "cache_hit": False}
    return _finish(graph, mode, speeds, profile, intersection_delay_s, use_maxspeed, meta, t0)


def _tagged_ways(G: Any, mode: str, *, progress: bool = False) -> Ways:
    """The ways of ``mode`` in an osmnx graph built under :func:`osmnx_overrides`, one per edge.

    Each edge is a two-node piece of its way (node order restored), filtered
    with :func:`~geo._private.osm.keep_way` and given its direction by
    :func:`~geo._private.osm.oneway_direction`, exactly as when reading a file.
    """
    col = _Collector(mode)
    refs: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    node = G.nodes
    edges = G.edges(data=True)
    for u, v, d in tqdm(edges, total=G.number_of_edges(), disable=not progress, desc="converting", leave=False):
        tags = {t: x for t in KEEP_TAGS if (x := _text(d.get(t))) is not None}
        if not keep_way(tags, mode):
            continue
        if tags.get("oneway") in _OSMNX_REVERSED:
            u, v = v, u
        for n in (u, v):
            refs.append(int(n))
            xs.append(float(node[n]["x"]))
            ys.append(float(node[n]["y"]))
        col.add_tags(int(_first(d.get("osmid")) or -1), tags, 2)
    ways = col.finish("osmnx")
    ways.node_ref = np.asarray(refs, dtype=np.int64)
    ways.lon = np.asarray(xs, dtype=np.float64)
    ways.lat = np.asarray(ys, dtype=np.float64)
    return ways


def _first(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return v[0] if v else None
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _text(v: Any) -> str | None:
    """osmnx tag value (maybe a list from simplification) as an OSM-style string."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (list, tuple)):
        vals = [str(x) for x in v if x is not None]
        return ";".join(vals) if vals else None
    return str(v)


def from_osmnx_graph(
    G: Any,
    mode: str = "drive",
    *,
    speeds: Mapping[str, float] | str | Path | None = None,
    profile: str = "auto",
    intersection_delay_s: float = 0.0,
    use_maxspeed: bool = True,
    progress: bool = False,
    meta: Mapping[str, Any] | None = None,
) -> Parts:
    """Convert an osmnx ``MultiDiGraph`` you built (nodes with ``x``/``y``) into network parts.

    The graph's edges are taken as they are: osmnx already chose the ways
    (its ``network_type``) and their directions, so a graph you filtered
    differently gives a different network than :func:`load_file` or
    :func:`download` (which apply geo's rules to the ways as tagged).
    Edge ``geometry`` (simplified graphs) is expanded: its interior vertices
    become nodes, so edges stay straight segments. Both directions of a
    two-way street share these vertices. Tags merged into lists by osmnx
    simplification use their first value (``maxspeed``: the lowest).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(crs="epsg:4326")
    >>> G.add_node(1, x=0.0, y=0.0); G.add_node(2, x=0.002, y=0.0)
    >>> _ = G.add_edge(1, 2, osmid=5, highway="residential", oneway=True)
    >>> parts = from_osmnx_graph(G, "drive", profile="default")
    >>> len(parts.lon), len(parts.u), float(parts.attrs["speed_kmh"][0])
    (2, 1, 30.0)
    """
    t0 = time.perf_counter()
    _check_mode(mode)
    crs = str(G.graph.get("crs", "epsg:4326")).lower()
    if crs not in ("epsg:4326", "wgs84", "+init=epsg:4326") and "4326" not in crs:
        raise DataError(f"the osmnx graph is projected ({crs})", "pass the unprojected graph (before ox.project_graph)")
    node_ids = []
    xs = []
    ys = []
    for nid, d in G.nodes(data=True):
        node_ids.append(int(nid))
        xs.append(float(d["x"]))
        ys.append(float(d["y"]))
    pos = {nid: i for i, nid in enumerate(node_ids)}
    extra: dict[tuple[int, int, int, int], int] = {}
    ex_lon: list[float] = []
    ex_lat: list[float] = []
    n0 = len(node_ids)
    us: list[int] = []
    vs: list[int] = []
    edge_rec: list[int] = []
    records: list[dict[str, Any]] = []
    way_ids: list[int] = []
    dirs: list[int] = []
    forward: list[bool] = []
    edges = G.edges(keys=True, data=True)
    for u, v, _k, d in tqdm(edges, total=G.number_of_edges(), disable=not progress, desc="converting", leave=False):
        rec = {t: _text(d.get(t)) for t in KEEP_TAGS}
        rec["highway"] = _text(_first(d.get("highway")))
        rec["railway"] = _text(_first(d.get("railway")))
        rec["name"] = _text(_first(d.get("name")))
        rec["ref"] = _text(_first(d.get("ref")))
        oneway = d.get("oneway")
        rev = _first(d.get("reversed"))
        records.append(rec)
        way_ids.append(int(_first(d.get("osmid")) or -1))
        dirs.append(1 if oneway is True or oneway in ("yes", "True") else 0)
        fwd = not (rev is True or rev == "True")
        r = len(records) - 1
        chain = [pos[u]]
        geom = d.get("geometry")
        if geom is not None:
            coords = list(geom.coords)[1:-1]
            a, b = (u, v) if u <= v else (v, u)
            for x, y in coords:
                ck = (int(a), int(b), round(x * 1e7), round(y * 1e7))
                idx = extra.get(ck)
                if idx is None:
                    idx = n0 + len(ex_lon)
                    extra[ck] = idx
                    ex_lon.append(float(x))
                    ex_lat.append(float(y))
                chain.append(idx)
        chain.append(pos[v])
        for p, q in itertools.pairwise(chain):
            if p != q:
                us.append(p)
                vs.append(q)
                edge_rec.append(r)
        forward.append(fwd)
    if not us:
        raise DataError(f"the osmnx graph has no {_MODE_WORDS[mode]}", "check the area or try another mode")
    tags = pd.DataFrame.from_records(records, columns=list(KEEP_TAGS))
    per_edge = way_attributes(np.asarray(way_ids), tags, np.asarray(dirs), mode)
    per_edge["forward"] = np.asarray(forward, dtype=bool)
    rows = np.asarray(edge_rec, dtype=np.int64)
    attrs = per_edge.iloc[rows].reset_index(drop=True)
    lon = np.concatenate([np.asarray(xs), np.asarray(ex_lon)])
    lat = np.concatenate([np.asarray(ys), np.asarray(ex_lat)])
    # interior geometry vertices get negative ids (OSM node ids are positive)
    nid = np.concatenate([np.asarray(node_ids, dtype=np.int64), -np.arange(1, len(ex_lon) + 1, dtype=np.int64)])
    u_arr = np.asarray(us, dtype=np.int64)
    v_arr = np.asarray(vs, dtype=np.int64)
    length = haversine_m(lon[u_arr], lat[u_arr], lon[v_arr], lat[v_arr])
    graph = Graph(nid, lon, lat, u_arr, v_arr, length, attrs, {"osmnx_edges": G.number_of_edges()})
    return _finish(
        graph,
        mode,
        speeds,
        profile,
        intersection_delay_s,
        use_maxspeed,
        dict(meta or {"source": "osmnx graph", "format": "osmnx"}),
        t0,
    )
