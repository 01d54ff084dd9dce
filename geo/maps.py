"""Interactive maps (folium/Leaflet) that work with no internet connection.

Every builder returns a :class:`folium.Map` and accepts ``m=`` to draw onto an
existing map instead (like ``GeoDataFrame.explore``), so layers compose::

    m = isochrone_map(bands, origins=[(112.58, 37.856)], network=net)
    route_map(path, m=m)
    save_map(m, "maps/taiyuan.html")

:func:`save_map` writes ONE self-contained HTML file: Leaflet is inlined from
the copy vendored in ``geo/data/vendor``, folium's CDN extras (jQuery,
Bootstrap, Font Awesome, awesome-markers) are replaced or dropped, and the
page is checked to fetch nothing.

Base layers: by default there are no web tiles (they need internet); pass
``network=`` and/or ``boundaries=`` to draw a base from the road network (grey
lines by road class) and county polygons. ``tiles="osm"`` adds OpenStreetMap
tiles; ``tiles="amap"`` (高德, also ``"gaode"``) adds Amap tiles, which are in
GCJ-02, and then every overlay is shifted from WGS84 to GCJ-02 so it lines up.

All text from data (names, labels) is HTML-escaped; Chinese labels render
(pages are UTF-8). What each map shows is described once in
:mod:`geo.render.describe` (shared with the static :mod:`geo.plot`); this
module draws those descriptions with :mod:`geo.render.folium`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from geo._private import style as S
from geo._private.writeout import write_text
from geo.render import describe as D
from geo.render.folium import TILES, draw, map_html

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geo.network import Network

    Net: TypeAlias = Network | gpd.GeoDataFrame
    Layer: TypeAlias = gpd.GeoDataFrame | str | Path  # a GeoDataFrame or a file

__all__ = ["TILES", "base_map", "comparison_map", "gains_map", "isochrone_map", "map_html", "network_map",
           "points_map", "rail_map", "route_map", "save_map"]  # fmt: skip

Tiles = str | Sequence[str] | None
_network_lines = D.network_lines  # kept for callers of the former private helper


def base_map(bounds: Sequence[float] | None = None, *, tiles: Tiles = None, network: Net | None = None,
             boundaries: Layer | None = None, title: str | None = None,
             attribution: str | None = S.OSM_ATTRIBUTION_HTML) -> folium.Map:  # fmt: skip
    """An empty map with an offline base (network, boundaries) and optional web tiles.

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` in WGS84 to fit; defaults to the
        network's or the boundaries' extent.
    tiles
        None (default, no web tiles: renders offline), ``"osm"``, ``"amap"``
        / ``"gaode"`` (GCJ-02; overlays are shifted), ``"amap-satellite"``,
        or a list of these.
    network
        A :class:`~geo.network.Network` or an edges GeoDataFrame drawn as a
        grey base layer by road class.
    boundaries
        County or other polygons (GeoDataFrame or file) drawn as outlines
        with their ``name``; clipped to the map extent.
    title
        Title shown at the top of the map (escaped).
    attribution
        Attribution HTML for the data (default: OpenStreetMap contributors).

    Examples
    --------
    >>> m = base_map((112.5, 37.8, 112.6, 37.9), title="太原 <test>")
    >>> "&lt;test&gt;" in map_html(m)
    True
    """
    if bounds is None:
        bounds = D.extent_of(network, D.as_gdf(boundaries, "boundaries") if boundaries is not None else None)
    box = tuple(float(b) for b in bounds) if bounds is not None else None
    spec = D.MapSpec([], [], box)  # type: ignore[arg-type]
    return draw(D.framed(spec, network, boundaries, title, attribution), tiles=tiles)


def _web(spec: D.MapSpec, m: Any, tiles: Tiles, network: Any = None, boundaries: Any = None,
         title: str | None = None) -> folium.Map:  # fmt: skip
    """Draw a map kind over its offline base, with its title and the OSM attribution."""
    return draw(D.framed(spec, network, boundaries, title, S.OSM_ATTRIBUTION_HTML), m, tiles=tiles)


def add_network(m: folium.Map, net: Net, *, name: str = "Road network", show: bool = True,
                max_segments: int = 250_000) -> folium.Map:  # fmt: skip
    """Draw a network as a light grey base layer (line width by road class) on ``m``.

    Minor roads are left out when the network has more than ``max_segments``
    segments (the page stays small and fast).
    """
    return draw(D.MapSpec(D.network(net, name=name, max_segments=max_segments, show=show)[0], [], None), m)


def add_boundaries(m: folium.Map, boundaries: Layer, *, name: str = "Boundaries", clip: Sequence[float] | None = None,
                   labels: bool = True) -> folium.Map:  # fmt: skip
    """Draw polygon outlines (e.g. counties) with their names on ``m``, clipped to ``clip`` (+50 %)."""
    return draw(D.MapSpec(D.boundaries(boundaries, clip, name=name, labels=labels), [], None), m)


def isochrone_map(bands: gpd.GeoDataFrame, origins: Any = None, *, m: folium.Map | None = None,
                  title: str | None = None, colors: Sequence[str] | None = None, tiles: Tiles = None,
                  network: Net | None = None, boundaries: Layer | None = None, name: str = "Travel time",
                  legend: bool = True) -> folium.Map:  # fmt: skip
    """Map travel-time bands as coloured rings with a legend and origin markers.

    Parameters
    ----------
    bands
        GeoDataFrame (any CRS, converted to EPSG:4326) with a ``minutes``
        column and one (cumulative, nested) polygon per band, e.g. from
        :func:`geo.isochrones.isochrones`; ``area_km2`` and ``population``
        columns are shown in tooltips when present. Several rows with the same
        minutes (several origins) are merged.
    origins
        ``(lon, lat)``, a list of them (optionally ``(lon, lat, name)``),
        shapely points, or a GeoDataFrame of points with a ``name`` column.
    m
        Draw onto this map instead of a new one.
    title
        Title at the top of the map.
    colors
        Band colours, shortest time first (default: a YlOrRd-like ramp).
    tiles
        Web tiles (None: offline, ``"osm"``, ``"amap"``); see :func:`base_map`.
    network, boundaries
        Offline base layers; see :func:`base_map`.
    name
        Layer name in the layer control.
    legend
        Add the "Travel time (minutes)" legend.

    Returns
    -------
    folium.Map
        Fitted to the largest band, with a layer control.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> bands = gpd.GeoDataFrame({"minutes": [5, 10], "area_km2": [1.0, 4.0]},
    ...     geometry=[shapely.Point(112.58, 37.86).buffer(0.01), shapely.Point(112.58, 37.86).buffer(0.02)], crs=4326)
    >>> m = isochrone_map(bands, origins=(112.58, 37.86), title="Demo")
    >>> html = map_html(m)
    >>> "Travel time (minutes)" in html and "https://cdn" not in html
    True
    """
    spec = D.isochrone(bands, origins, name=name, colors=colors, legend=legend)
    return _web(spec, m, tiles, network, boundaries, title)


def network_map(net: Net, m: folium.Map | None = None, *, title: str | None = None, tiles: Tiles = None,
                boundaries: Layer | None = None, name: str = "Road network",
                max_segments: int = 250_000) -> folium.Map:  # fmt: skip
    """Map a network (:class:`~geo.network.Network` or edges GeoDataFrame) by road class, with a legend.

    Examples
    --------
    >>> from geo.network import Network
    >>> net = Network.from_edges([112.5, 112.51, 112.52], [37.8, 37.8, 37.81], [0, 1], [1, 2], speed_kmh=50,
    ...     attrs=__import__("pandas").DataFrame({"highway": ["primary", "residential"]}))
    >>> "Primary" in map_html(network_map(net))
    True
    """
    return _web(D.network_map(net, name=name, max_segments=max_segments), m, tiles, None, boundaries, title)


def route_map(route: Any, m: folium.Map | None = None, *, title: str | None = None, tiles: Tiles = None,
              network: Net | None = None, boundaries: Layer | None = None, name: str = "Route",
              color: str | None = None) -> folium.Map:  # fmt: skip
    """Map a route: a :class:`geo.routing.Route`, a GeoDataFrame of legs/edges, or a list of them.

    Legs are coloured by their ``mode`` column (walk, drive, rail, transfer)
    when present; ``minutes``, ``metres``/``length_metres``, ``name``,
    ``from``/``to`` columns go into the tooltips. Start and end get markers.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> legs = gpd.GeoDataFrame({"mode": ["walk", "rail"], "minutes": [5.0, 20.0]},
    ...     geometry=[shapely.LineString([(0, 0), (0.01, 0)]), shapely.LineString([(0.01, 0), (0.2, 0.1)])], crs=4326)
    >>> "rail" in map_html(route_map(legs))
    True
    """
    return _web(D.route(route, name=name, color=color), m, tiles, network, boundaries, title)


def rail_map(lines: Layer | None, stations: Layer | None = None, m: folium.Map | None = None, *,
             title: str | None = None, tiles: Tiles = None, boundaries: Layer | None = None, name: str = "Rail",
             proposed: bool = False, labels: bool = True) -> folium.Map:  # fmt: skip
    """Map rail lines (coloured by ``rail_type``/``railway``: high-speed, conventional, metro) and stations.

    ``proposed=True`` draws the lines as planned (magenta, dashed). Station
    names (``name`` column) are labelled and escaped.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> lines = gpd.GeoDataFrame({"name": ["西康高铁"], "rail_type": ["hsr"]},
    ...     geometry=[shapely.LineString([(108.9, 34.3), (109.0, 33.7)])], crs=4326)
    >>> st = gpd.GeoDataFrame({"name": ["西安南", "柞水"]},
    ...     geometry=[shapely.Point(108.9, 34.3), shapely.Point(109.0, 33.7)], crs=4326)
    >>> "柞水" in map_html(rail_map(lines, st))
    True
    """
    spec = D.rail(lines, stations, name=name, proposed=proposed, labels=labels)
    return _web(spec, m, tiles, None, boundaries, title)


def points_map(points: Layer, m: folium.Map | None = None, *, name: str = "Opportunities", label: str | None = None,
               color: str = "#1f6fb2", radius: float = 4.0, title: str | None = None, tiles: Tiles = None,
               legend: bool = True) -> folium.Map:  # fmt: skip
    """Map points of interest (schools, hospitals, firms, amenities) as small circles.

    Parameters
    ----------
    points
        Point GeoDataFrame (any CRS) or a file; polygons are drawn at a representative point.
    m
        Draw onto this map instead of a new one.
    label
        Column whose value heads each tooltip (escaped); the other
        non-geometry columns (up to six) are listed below it.
    name
        Layer name (layer control and legend).

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame({"amenity": ["school", "<b>clinic</b>"]},
    ...     geometry=gpd.points_from_xy([24.94, 24.95], [60.17, 60.18]), crs=4326)
    >>> html = map_html(points_map(pts, label="amenity", name="Amenities"))
    >>> "Amenities" in html and "<b>clinic</b>" not in html
    True
    """
    spec = D.points_layer(points, name=name, label=label, color=color, radius=radius, legend=legend)
    return _web(spec, m, tiles, title=title)


def comparison_map(before_bands: gpd.GeoDataFrame, after_bands: gpd.GeoDataFrame,
                   proposed_lines: Layer | None = None, m: folium.Map | None = None, *, origins: Any = None,
                   title: str | None = None, tiles: Tiles = None, network: Net | None = None,
                   boundaries: Layer | None = None, colors: Sequence[str] | None = None, before_name: str = "Before",
                   after_name: str = "After") -> folium.Map:  # fmt: skip
    """Before/after travel-time bands with a layer toggle, the area gained, and proposed roads/lines highlighted.

    The "after" bands are shown; "before" can be switched on in the layer
    control (both use the same colour per minutes). "Area gained" outlines
    in green what each band adds. Proposed lines are drawn in magenta with a
    white casing and their ``name`` in the tooltip.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> p = shapely.Point(112.58, 37.86)
    >>> before = gpd.GeoDataFrame({"minutes": [10]}, geometry=[p.buffer(0.02)], crs=4326)
    >>> after = gpd.GeoDataFrame({"minutes": [10]}, geometry=[p.buffer(0.03)], crs=4326)
    >>> line = shapely.LineString([(112.58, 37.86), (112.61, 37.86)])
    >>> road = gpd.GeoDataFrame({"name": ["new <road>"]}, geometry=[line], crs=4326)
    >>> html = map_html(comparison_map(before, after, road))
    >>> "new <road>" in html, "Proposed road / line" in html
    (False, True)
    """
    spec = D.comparison(before_bands, after_bands, proposed_lines, origins, colors=colors, before_name=before_name,
                        after_name=after_name)  # fmt: skip
    return _web(spec, m, tiles, network, boundaries, title)


def gains_map(points: gpd.GeoDataFrame, m: folium.Map | None = None, *, before: str = "before_minutes",
              after: str = "after_minutes", label: str = "name", title: str | None = None, tiles: Tiles = None,
              network: Net | None = None, boundaries: Layer | None = None,
              name: str = "Minutes saved") -> folium.Map:  # fmt: skip
    """Map places coloured and sized by minutes saved (``before - after``).

    Places that become reachable (before NaN) are marked "newly reachable";
    places still unreachable are grey. A (hypothetical) slow-down is red.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame({"name": ["A", "B"], "before_minutes": [30.0, float("nan")],
    ...     "after_minutes": [20.0, 25.0]}, geometry=[shapely.Point(0, 0), shapely.Point(0.1, 0)], crs=4326)
    >>> "newly reachable" in map_html(gains_map(pts))
    True
    """
    spec = D.gains(points, before=before, after=after, label=label, name=name)
    return _web(spec, m, tiles, network, boundaries, title)


def save_map(m: folium.Map, path: str | Path, *, strict: bool = True) -> Path:
    """Write ``m`` to ``path`` as one self-contained HTML file (atomic write); returns the path.

    ``strict=False`` leaves resources it cannot inline (unknown folium
    plugins) in place instead of raising.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> m = base_map((0, 0, 1, 1))
    >>> p = save_map(m, pathlib.Path(tempfile.mkdtemp()) / "m.html")
    >>> from geo._private.offline import external_references
    >>> external_references(p.read_text(encoding="utf-8"))
    []
    """
    return write_text(map_html(m, strict=strict), path)
