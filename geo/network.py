"""The :class:`Network`: a directed travel network held as compact arrays.

A network is a set of nodes (WGS84 lon/lat) and directed edges, each edge a
straight segment between two nodes with a length in metres and a traversal
time in seconds. Edges are kept sorted by their start node, so the adjacency
is a CSR structure (``indptr``, ``edge_v``, ``edge_time_s``) that the routing
kernels in :mod:`geo.routing` use without any conversion.

Ways are *not* simplified: every OSM node of a routable way is a network node
and every pair of consecutive nodes an edge. This keeps geometry implicit
(edges are straight), makes interpolation along edges exact, and costs ~2x
nodes compared to a simplified graph, which the compiled search handles.

Build networks with the named constructors:

* :meth:`Network.from_file` -- ``.osm.pbf``, ``.osm`` XML, OSM GeoJSON lines;
* :meth:`Network.from_place`, :meth:`Network.from_bbox`,
  :meth:`Network.from_polygon`, :meth:`Network.from_point` -- online, osmnx;
* :meth:`Network.from_edges` -- arrays you already have (tests, rail, GTFS).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo._private import netload
from geo._private.geodesy import haversine_m, utm_epsg
from geo.errors import DataError, InputError
from geo.modes import MODES, Mode, as_mode

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

__all__ = ["MODES", "Mode", "Network"]


@dataclasses.dataclass(frozen=True, eq=False)
class Network:
    """A directed network in CSR form. Create it with a ``from_*`` constructor.

    Attributes
    ----------
    node_id : int64 array (n,)
        External ids (OSM node ids, or 0..n-1).
    lon, lat : float64 arrays (n,)
        WGS84 coordinates of the nodes.
    indptr : int64 array (n+1,)
        Out-edges of node ``i`` are edges ``indptr[i]:indptr[i+1]``.
    edge_u, edge_v : int64 arrays (m,)
        Start and end node *positions* of each edge (sorted by ``edge_u``).
    edge_length_m : float64 array (m,)
    edge_time_s : float64 array (m,)
        Traversal time in seconds (the routing weight).
    edge_attrs : DataFrame (m rows)
        Per-edge attributes aligned with the edge order, e.g. ``osm_id``,
        ``highway``, ``name``, ``ref``, ``speed_kmh``.
    mode : Mode
        ``drive``, ``walk``, ``bike`` or ``rail`` (:data:`geo.modes.Mode`).
    meta : dict
        Provenance: source file, options, cache key.
    """

    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    indptr: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_time_s: np.ndarray
    edge_attrs: pd.DataFrame
    mode: Mode = "drive"
    meta: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_edges(
        cls,
        lon: np.ndarray,
        lat: np.ndarray,
        u: np.ndarray,
        v: np.ndarray,
        *,
        time_s: np.ndarray | None = None,
        speed_kmh: np.ndarray | float | None = None,
        length_m: np.ndarray | None = None,
        node_id: np.ndarray | None = None,
        attrs: pd.DataFrame | None = None,
        mode: Mode | str = "drive",
        meta: Mapping[str, Any] | None = None,
    ) -> Network:
        """Build a network from node coordinates and directed edges.

        Parameters
        ----------
        lon, lat
            Node coordinates (WGS84 degrees).
        u, v
            Edge endpoints as node *positions* (0..n-1). Give both directions
            for a two-way street.
        time_s
            Traversal time per edge in seconds. If omitted, ``speed_kmh`` is
            required and ``time_s = length_m / speed``.
        speed_kmh
            Speed per edge or one speed for all edges.
        length_m
            Length per edge in metres; defaults to the great-circle distance
            between the endpoints.
        node_id
            External node ids; defaults to positions.
        attrs
            Extra per-edge columns, aligned with ``u``/``v``.
        mode
            Travel mode the weights are for.
        meta
            Provenance information kept with the network.

        Examples
        --------
        >>> net = Network.from_edges([0.0, 0.001], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
        >>> net.n_nodes, net.n_edges
        (2, 2)
        >>> round(float(net.edge_time_s[0]), 2)  # 111.2 m at 10 m/s
        11.12
        """
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        n = lon.shape[0]
        if lat.shape != lon.shape:
            raise InputError("lon and lat have different lengths", "pass one coordinate pair per node")
        if u.shape != v.shape:
            raise InputError("u and v have different lengths", "pass one (u, v) pair per edge")
        if u.size and (u.min() < 0 or v.min() < 0 or u.max() >= n or v.max() >= n):
            raise InputError("edge endpoints must be node positions 0..n-1", "renumber the edges")
        checked = as_mode(mode)
        if length_m is None:
            length_m = haversine_m(lon[u], lat[u], lon[v], lat[v])
        length_m = np.asarray(length_m, dtype=np.float64)
        if time_s is None:
            if speed_kmh is None:
                raise InputError("an edge needs a time or a speed", "pass time_s= or speed_kmh=")
            sp = np.broadcast_to(np.asarray(speed_kmh, dtype=np.float64), length_m.shape)
            with np.errstate(divide="ignore"):
                time_s = np.where(sp > 0, length_m / (sp / 3.6), np.inf)
        time_s = np.asarray(time_s, dtype=np.float64)
        if np.any(time_s < 0) or np.any(np.isnan(time_s)):
            raise DataError("edge times must be non-negative numbers", "check speeds and lengths")
        if attrs is None:
            attrs = pd.DataFrame(index=pd.RangeIndex(len(u)))
        elif len(attrs) != len(u):
            raise InputError("attrs must have one row per edge", "align the attribute table with u/v")
        # drop impassable edges (speed 0) so the kernel never sees inf weights
        keep = np.isfinite(time_s)
        order = np.argsort(u[keep], kind="stable")
        idx = np.flatnonzero(keep)[order]
        u, v, length_m, time_s = u[idx], v[idx], length_m[idx], time_s[idx]
        attrs = attrs.iloc[idx].reset_index(drop=True)
        indptr = np.searchsorted(u, np.arange(n + 1)).astype(np.int64)
        if node_id is None:
            node_id = np.arange(n, dtype=np.int64)
        return cls(
            node_id=np.asarray(node_id, dtype=np.int64),
            lon=lon,
            lat=lat,
            indptr=indptr,
            edge_u=u,
            edge_v=v,
            edge_length_m=length_m,
            edge_time_s=time_s,
            edge_attrs=attrs,
            mode=checked,
            meta=dict(meta or {}),
        )

    @classmethod
    def from_parts(cls, parts: netload.Parts) -> Network:
        """Build a network from loader output (:class:`geo._private.netload.Parts`)."""
        return cls.from_edges(**parts.edges_kwargs())

    @classmethod
    def from_file(cls, path: str | Path, mode: Mode | str = "drive", **kwargs: Any) -> Network:
        """Load a network from a local OSM file (no internet needed).

        Supported: ``.osm.pbf``, ``.osm`` / ``.xml`` (also clipped extracts
        whose ways reference missing nodes), ``.geojson`` / ``.gpkg`` line
        layers with OSM tags (whole ways are split at shared vertices), and
        networks saved with :meth:`save`. See :func:`geo.io.load_network` for
        the options (speeds, cache, progress).
        """
        return cls.from_parts(netload.load_file(path, mode, **kwargs))

    @classmethod
    def from_place(cls, place: str, mode: Mode | str = "drive", **kwargs: Any) -> Network:
        """Download the network of a named place with osmnx (needs internet).

        The ways, directions, speeds and delays follow the same rules as
        :meth:`from_file` (see :func:`geo.io.network_from_osmnx`).
        """
        return cls.from_parts(netload.download("place", place, mode, **kwargs))

    @classmethod
    def from_bbox(cls, bbox: tuple[float, float, float, float], mode: Mode | str = "drive", **kwargs: Any) -> Network:
        """Download the network inside ``(west, south, east, north)`` with osmnx."""
        return cls.from_parts(netload.download("bbox", bbox, mode, **kwargs))

    @classmethod
    def from_polygon(cls, polygon: shapely.Geometry, mode: Mode | str = "drive", **kwargs: Any) -> Network:
        """Download the network inside a WGS84 polygon with osmnx."""
        return cls.from_parts(netload.download("polygon", polygon, mode, **kwargs))

    @classmethod
    def from_point(
        cls, point: tuple[float, float], dist_m: float, mode: Mode | str = "drive", **kwargs: Any
    ) -> Network:
        """Download the network within ``dist_m`` of a ``(lon, lat)`` point with osmnx."""
        return cls.from_parts(netload.download("point", (point, dist_m), mode, **kwargs))

    # ------------------------------------------------------------- basic info
    @property
    def n_nodes(self) -> int:
        return int(self.lon.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    def __repr__(self) -> str:
        src = self.meta.get("source", "in-memory")
        return f"<Network mode={self.mode} nodes={self.n_nodes:,} edges={self.n_edges:,} source={src}>"

    @cached_property
    def metric_crs(self) -> str:
        """A local projected CRS (UTM zone of the network's centre) for metric work."""
        if self.n_nodes == 0:
            raise DataError("the network is empty", "load a file or area that contains roads of this mode")
        return f"EPSG:{utm_epsg(float(np.nanmedian(self.lon)), float(np.nanmedian(self.lat)))}"

    @cached_property
    def to_metric(self) -> Any:
        """A pyproj ``Transformer`` from WGS84 (lon, lat) to :attr:`metric_crs` (x, y), created once."""
        from pyproj import Transformer  # heavy libraries stay out of `import geo` (Network is imported eagerly)

        return Transformer.from_crs("EPSG:4326", self.metric_crs, always_xy=True)

    @cached_property
    def xy(self) -> np.ndarray:
        """Node coordinates in :attr:`metric_crs`, shape (n, 2), metres."""
        x, y = self.to_metric.transform(self.lon, self.lat)
        return np.column_stack([x, y])

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` in WGS84 degrees."""
        return (float(self.lon.min()), float(self.lat.min()), float(self.lon.max()), float(self.lat.max()))

    @cached_property
    def component_size(self) -> np.ndarray:
        """For each node, the number of nodes in its strongly connected component.

        Nodes of small components (a footway tunnel whose links were clipped
        off, a one-way stub at the edge of an extract) can reach only a few
        places; :func:`geo.routing.snap` keeps points off them by default.
        Computed once per network and cached; do not modify the returned array.
        """
        import scipy.sparse as sp  # 0.1 s: out of `import geo`, which imports Network eagerly
        from scipy.sparse.csgraph import connected_components

        n = self.n_nodes
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        adj = sp.csr_matrix((np.ones(self.n_edges, dtype=np.int8), (self.edge_u, self.edge_v)), shape=(n, n))
        _, label = connected_components(adj, directed=True, connection="strong")
        return np.bincount(label)[label].astype(np.int64)

    @cached_property
    def colocated(self) -> dict[int, np.ndarray]:
        """Nodes that share their exact coordinates with other nodes: node -> all nodes at that point.

        Duplicate OSM nodes and ways clipped at the same point leave several
        nodes at one location; a traveller standing there can start from any
        of them. Computed once per network and cached.
        """
        if self.n_nodes == 0:
            return {}
        _, inv, cnt = np.unique(self.lon + 1j * self.lat, return_inverse=True, return_counts=True)
        dup = np.flatnonzero(cnt[inv] > 1)
        if not len(dup):
            return {}
        dup = dup[np.argsort(inv[dup], kind="stable")]
        groups = np.split(dup, np.flatnonzero(np.diff(inv[dup])) + 1)
        return {int(n): g for g in groups for n in g}

    def reverse_edge(self) -> np.ndarray:
        """For each edge u->v the index of an edge v->u (the fastest), or -1 if there is none.

        Computed once per network and cached; do not modify the returned array.
        """
        return self._reverse

    @cached_property
    def _reverse(self) -> np.ndarray:
        return _reverse_edges(self.indptr, self.edge_u, self.edge_v, self.edge_time_s)

    # ------------------------------------------------------------ conversions
    @property
    def nodes(self) -> gpd.GeoDataFrame:
        """Nodes as a GeoDataFrame (EPSG:4326), indexed by position."""
        import geopandas as gpd  # 0.1 s with pyproj: out of `import geo`, which imports Network eagerly

        return gpd.GeoDataFrame(
            {"node_id": self.node_id, "lon": self.lon, "lat": self.lat},
            geometry=gpd.points_from_xy(self.lon, self.lat),
            crs="EPSG:4326",
        )

    @property
    def edges(self) -> gpd.GeoDataFrame:
        """Edges as a GeoDataFrame of straight LineStrings (EPSG:4326)."""
        import geopandas as gpd  # 0.1 s with pyproj: out of `import geo`, which imports Network eagerly
        import shapely

        coords = np.stack(
            [
                np.column_stack([self.lon[self.edge_u], self.lat[self.edge_u]]),
                np.column_stack([self.lon[self.edge_v], self.lat[self.edge_v]]),
            ],
            axis=1,
        )
        geom = shapely.linestrings(coords)
        df = pd.DataFrame(
            {
                "u": self.edge_u,
                "v": self.edge_v,
                "length_metres": self.edge_length_m,
                "time_minutes": self.edge_time_s / 60.0,
            }
        )
        df = pd.concat([df, self.edge_attrs.reset_index(drop=True)], axis=1)
        return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")

    def replace(self, **changes: Any) -> Network:
        """A copy with some fields replaced (the original is never modified)."""
        return dataclasses.replace(self, **changes)

    def with_edge_times(self, time_s: np.ndarray) -> Network:
        """A copy with new edge times (same topology), e.g. for a scenario."""
        time_s = np.asarray(time_s, dtype=np.float64)
        if time_s.shape != self.edge_time_s.shape:
            raise InputError("time_s must have one value per edge", "pass an array of length n_edges")
        return self.replace(edge_time_s=time_s)

    def save(self, path: str | Path) -> Path:
        """Save to a single ``.geonet`` file (an uncompressed ``.npz`` without pickles), atomically.

        Read it back with :meth:`from_file` or :func:`geo.io.read_network`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> net = Network.from_edges([0.0, 0.001], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
        >>> p = net.save(pathlib.Path(tempfile.mkdtemp()) / "n.geonet")
        >>> Network.from_file(p).n_edges
        2
        """
        arrays = {
            "node_id": self.node_id,
            "lon": self.lon,
            "lat": self.lat,
            "indptr": self.indptr,
            "edge_u": self.edge_u,
            "edge_v": self.edge_v,
            "edge_length_m": self.edge_length_m,
            "edge_time_s": self.edge_time_s,
        }
        return netload.write_saved(path, arrays, self.edge_attrs, self.mode, self.meta)


def _reverse_edges(indptr: np.ndarray, u: np.ndarray, v: np.ndarray, t: np.ndarray) -> np.ndarray:
    # key each directed edge by (u, v); look up (v, u). Vectorised with a sort.
    n = indptr.shape[0] - 1
    key = u * np.int64(n) + v
    rkey = v * np.int64(n) + u
    order = np.lexsort((t, key))  # among parallel edges prefer the fastest
    sk = key[order]
    pos = np.searchsorted(sk, rkey)
    pos_c = np.minimum(pos, len(sk) - 1) if len(sk) else pos
    found = (pos < len(sk)) & (sk[pos_c] == rkey) if len(sk) else np.zeros(0, bool)
    out = np.full(u.shape[0], -1, dtype=np.int64)
    out[found] = order[pos_c[found]]
    return out
