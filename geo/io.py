"""Load and save travel networks: OSM files, OSM line layers, saved networks and (online) osmnx.

The public face of the loaders in :mod:`geo._private.netload`; each function
returns a :class:`~geo.network.Network` (the same as the matching
``Network.from_*`` constructor). Files and downloads go through one set of
rules -- which ways a mode uses, their directions, speeds and intersection
delays -- so a place gives the same network from its OSM extract and from
Overpass.

:func:`load_network` dispatches on the file type:

* ``.osm.pbf`` and ``.osm`` / ``.xml`` (also ``.osm.bz2`` / ``.osm.gz``), read
  with pyosmium; clipped extracts whose ways reference missing nodes are
  split at the missing nodes (with a warning giving the count);
* vector line layers with OSM tags -- ``.geojson`` / ``.json`` / ``.gpkg`` /
  ``.shp`` / ``.fgb`` -- e.g. ogr2ogr exports with an ``other_tags`` hstore
  column; whole ways are split at shared vertices;
* networks saved with :func:`save_network` (``.geonet``, an uncompressed
  ``.npz`` without pickles; ``.npz`` is accepted too).

Built graphs are cached under ``geo.settings.cache_dir() / "networks"``,
keyed by a hash of the input file and the options that change the graph
(:func:`cache_key`); speeds are re-applied on every load, so changing
speeds never needs a rebuild.

Examples
--------
>>> import tempfile, pathlib
>>> osm = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
>>> _ = osm.write_text('''<osm version="0.6">
...  <node id="1" lat="0.0" lon="0.0"/><node id="2" lat="0.0" lon="0.001"/>
...  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
... </osm>''')
>>> net = load_network(osm, "drive", cache=False, progress=False)
>>> net.n_nodes, net.n_edges, net.edge_attrs["speed_kmh"].tolist()
(2, 1, [65.0])
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo._private import netload
from geo._private.netload import cache_key
from geo.modes import Mode
from geo.network import Network

__all__ = [
    "cache_key",
    "graph_from_osmnx",
    "load_network",
    "network_from_osmnx",
    "read_network",
    "save_network",
]

Speeds = Mapping[str, float] | str | Path | None


def load_network(
    path: str | Path,
    mode: Mode | str = "drive",
    *,
    speeds: Speeds = None,
    profile: str = "auto",
    intersection_delay_s: float = 0.0,
    cache: bool = True,
    progress: bool = True,
    bbox: tuple[float, float, float, float] | None = None,
    layer: str | None = None,
    use_maxspeed: bool = True,
    component: str = "all",
) -> Network:
    """Load a routable network of ``mode`` from a local file (no internet needed).

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm``/``.xml`` (``.bz2``/``.gz``), an OSM line layer
        (``.geojson``, ``.gpkg``, ``.shp``, ``.fgb``) or a saved ``.geonet``.
    mode
        ``drive``, ``walk``, ``bike`` or ``rail`` (osmnx-like tag filters).
    speeds
        Class -> km/h overrides (``{"primary": 70}``) or a CSV path with
        columns ``class,speed_kmh`` (optionally ``profile,mode``); see
        :mod:`geo.speeds`.
    profile
        Default speed table: ``"china"``, ``"default"`` or ``"auto"`` (China
        when the network lies in China).
    intersection_delay_s
        Seconds added to edges that end at an intersection (3+ neighbours).
    cache
        Reuse/build the cached graph under ``geo.settings.cache_dir()``.
    progress
        Show progress bars.
    bbox
        ``(west, south, east, north)``: keep only nodes inside (ways are cut).
    layer
        Layer of a multi-layer GeoPackage (default: ``lines`` or the first line layer).
    use_maxspeed
        Use tagged ``maxspeed`` values (else class speeds only).
    component
        ``"all"`` (default) keeps every fragment; ``"strong"`` keeps only the
        largest strongly connected component (every node can reach every
        other: no one-way dead ends at the clip border or at gaps in the
        data); ``"weak"`` the largest weakly connected one (like osmnx's
        ``retain_all=False``).

    Returns
    -------
    Network
        With ``edge_attrs`` columns ``osm_id, highway, name, ref, maxspeed,
        maxspeed_kmh, lanes, bridge, tunnel, oneway, service, access,
        forward, speed_kmh`` (rail: ``railway, usage, highspeed, electrified``
        instead of ``highway``/``access``) and ``meta`` with the source,
        options, cache key and load time.

    Raises
    ------
    InputError
        Missing file, unknown extension, bad option.
    DataError
        Corrupt or truncated file, no ways of this mode, projected coordinates.
    """
    return Network.from_parts(
        netload.load_file(
            path,
            mode,
            speeds=speeds,
            profile=profile,
            intersection_delay_s=intersection_delay_s,
            cache=cache,
            progress=progress,
            bbox=bbox,
            layer=layer,
            use_maxspeed=use_maxspeed,
            component=component,
        )
    )


def save_network(net: Network, path: str | Path) -> Path:
    """Save a network to a ``.geonet`` file (uncompressed ``.npz``, no pickles), atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> net = Network.from_edges([0.0, 0.001], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
    >>> p = save_network(net, pathlib.Path(tempfile.mkdtemp()) / "n.geonet")
    >>> read_network(p).n_edges
    2
    """
    return net.save(path)


def read_network(path: str | Path) -> Network:
    """Read a network written by :func:`save_network`."""
    return Network.from_parts(netload.read_saved(path))


def network_from_osmnx(
    kind: str,
    query: Any,
    mode: Mode | str = "drive",
    *,
    speeds: Speeds = None,
    profile: str = "auto",
    intersection_delay_s: float = 0.0,
    progress: bool = True,
    timeout_s: float = 10.0,
    use_maxspeed: bool = True,
) -> Network:
    """Download a network with osmnx (needs internet); the same rules as :func:`load_network`.

    osmnx fetches every ``highway`` way (``rail``: railway lines) as tagged;
    geo then keeps the ways of ``mode``, sets their directions, speeds and
    intersection delays exactly as for a file, so ``Network.from_place`` and
    ``Network.from_file`` on that place's extract give the same network.
    osmnx's settings are restored afterwards.

    Parameters
    ----------
    kind
        ``"place"`` (query: a place name), ``"bbox"`` (``(west, south, east,
        north)``), ``"polygon"`` (a WGS84 shapely polygon) or ``"point"``
        (``((lon, lat), dist_m)``).
    mode
        ``drive``, ``walk``, ``bike`` or ``rail``.
    timeout_s
        Connection/read timeout; offline the call fails within about this time.

    Raises
    ------
    NetworkUnavailableError
        Offline, ``GEO_OFFLINE=1``, or Overpass/Nominatim unreachable.
    """
    return Network.from_parts(
        netload.download(
            kind,
            query,
            mode,
            speeds=speeds,
            profile=profile,
            intersection_delay_s=intersection_delay_s,
            progress=progress,
            timeout_s=timeout_s,
            use_maxspeed=use_maxspeed,
        )
    )


def graph_from_osmnx(
    G: Any,
    mode: Mode | str = "drive",
    *,
    speeds: Speeds = None,
    profile: str = "auto",
    intersection_delay_s: float = 0.0,
    use_maxspeed: bool = True,
    progress: bool = False,
    meta: Mapping[str, Any] | None = None,
) -> Network:
    """Convert an osmnx ``MultiDiGraph`` you built (nodes with ``x``/``y``) into a :class:`Network`.

    The edges are taken as they are (osmnx chose the ways and directions);
    see :func:`geo._private.netload.from_osmnx_graph`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(crs="epsg:4326")
    >>> G.add_node(1, x=0.0, y=0.0); G.add_node(2, x=0.002, y=0.0)
    >>> _ = G.add_edge(1, 2, osmid=5, highway="residential", oneway=True)
    >>> net = graph_from_osmnx(G, "drive", profile="default")
    >>> net.n_nodes, net.n_edges, float(net.edge_attrs["speed_kmh"][0])
    (2, 1, 30.0)
    """
    return Network.from_parts(
        netload.from_osmnx_graph(
            G,
            mode,
            speeds=speeds,
            profile=profile,
            intersection_delay_s=intersection_delay_s,
            use_maxspeed=use_maxspeed,
            progress=progress,
            meta=meta,
        )
    )
