"""Static map images (PNG, SVG) for documents and reports, drawn with matplotlib (Agg, no display needed).

The same colours as the interactive maps (:mod:`geo.maps`), drawn in a local
metric projection so that the scale bar is true, with a legend, a scale bar,
an optional north arrow and the data attribution::

    fig = isochrone_plot(bands, origins=[(112.58, 37.856)], network=net, title="Drive time")
    save_figure(fig, "maps/taiyuan.png")      # or .svg

Chinese labels need a CJK font (Debian: ``apt-get install fonts-noto-cjk``).
Without one the figure is still written; CJK characters then show as boxes
and a warning says so.

All functions return a :class:`matplotlib.figure.Figure` (not attached to
pyplot, so nothing leaks between calls) and accept ``ax=`` to draw into an
existing axes, and ``path=`` to save right away. What each map shows is
described once in :mod:`geo.render.describe` (shared with :mod:`geo.maps`);
this module draws those descriptions with :mod:`geo.render.mpl`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from geo._private import style as S
from geo.render import describe as D
from geo.render.mpl import FORMATS, cjk_font, draw, figure_bytes, save_figure

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from geo.network import Network

    Net: TypeAlias = Network | gpd.GeoDataFrame
    Layer: TypeAlias = gpd.GeoDataFrame | str | Path  # a GeoDataFrame or a file

__all__ = ["FORMATS", "cjk_font", "comparison_plot", "figure_bytes", "gains_plot", "isochrone_plot", "network_plot",
           "rail_plot", "route_plot", "save_figure"]  # fmt: skip


def isochrone_plot(bands: gpd.GeoDataFrame, origins: Any = None, *, network: Net | None = None,
                   boundaries: Layer | None = None, title: str | None = None, colors: Sequence[str] | None = None,
                   ax: Axes | None = None, figsize: tuple[float, float] = (8.0, 8.0),
                   attribution: str | None = S.OSM_ATTRIBUTION, scale_bar: bool = True, north_arrow: bool = False,
                   path: str | Path | None = None) -> Figure:  # fmt: skip
    """Static map of travel-time bands (rings, shortest on top) with legend, scale bar and attribution.

    Parameters are as in :func:`geo.maps.isochrone_map`; ``path`` saves the
    figure (PNG, SVG or PDF by suffix).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> p = shapely.Point(112.58, 37.86)
    >>> bands = gpd.GeoDataFrame({"minutes": [5, 10]}, geometry=[p.buffer(0.01), p.buffer(0.02)], crs=4326)
    >>> fig = isochrone_plot(bands, origins=(112.58, 37.86), title="Drive time")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['0–5', '5–10', 'Origin']
    """
    spec = D.framed(D.isochrone(bands, origins, name="Travel time", colors=colors), network, boundaries, title,
                    attribution)  # fmt: skip
    return draw(spec, ax=ax, figsize=figsize, scale_bar=scale_bar, north_arrow=north_arrow, path=path)


def network_plot(net: Net, *, boundaries: Layer | None = None, title: str | None = None, ax: Axes | None = None,
                 figsize: tuple[float, float] = (8.0, 8.0), attribution: str | None = S.OSM_ATTRIBUTION,
                 scale_bar: bool = True, north_arrow: bool = False,
                 path: str | Path | None = None) -> Figure:  # fmt: skip
    """Static map of a network by road class.

    Examples
    --------
    >>> from geo.network import Network
    >>> net = Network.from_edges([0.0, 0.01, 0.02], [0.0, 0.0, 0.01], [0, 1], [1, 2], speed_kmh=50)
    >>> fig = network_plot(net)
    >>> len(fig.axes[0].collections) > 0
    True
    """
    spec = D.framed(D.network_map(net), None, boundaries, title, attribution)
    return draw(spec, ax=ax, figsize=figsize, scale_bar=scale_bar, north_arrow=north_arrow, path=path)


def route_plot(route: Any, *, network: Net | None = None, boundaries: Layer | None = None, title: str | None = None,
               ax: Axes | None = None, figsize: tuple[float, float] = (8.0, 8.0),
               attribution: str | None = S.OSM_ATTRIBUTION, scale_bar: bool = True, north_arrow: bool = False,
               path: str | Path | None = None) -> Figure:  # fmt: skip
    """Static map of a route (a :class:`geo.routing.Route`, legs GeoDataFrame or list), coloured by ``mode``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> legs = gpd.GeoDataFrame({"mode": ["walk", "rail"]},
    ...     geometry=[shapely.LineString([(0, 0), (0.01, 0)]), shapely.LineString([(0.01, 0), (0.2, 0.1)])], crs=4326)
    >>> [t.get_text() for t in route_plot(legs).axes[0].get_legend().get_texts()]
    ['walk', 'rail', 'Start', 'End']
    """
    spec = D.framed(D.route(route), network, boundaries, title, attribution)
    return draw(spec, ax=ax, figsize=figsize, scale_bar=scale_bar, north_arrow=north_arrow, path=path)


def rail_plot(lines: Layer | None, stations: Layer | None = None, *, boundaries: Layer | None = None,
              title: str | None = None, ax: Axes | None = None, figsize: tuple[float, float] = (8.0, 8.0),
              attribution: str | None = S.OSM_ATTRIBUTION, scale_bar: bool = True, north_arrow: bool = False,
              labels: bool = True, path: str | Path | None = None) -> Figure:  # fmt: skip
    """Static map of rail lines (high-speed, conventional, metro) and labelled stations.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> line = shapely.LineString([(108.9, 34.3), (109.0, 33.7)])
    >>> lines = gpd.GeoDataFrame({"rail_type": ["hsr"]}, geometry=[line], crs=4326)
    >>> [t.get_text() for t in rail_plot(lines).axes[0].get_legend().get_texts()]
    ['High-speed rail']
    """
    spec = D.framed(D.rail(lines, stations, labels=labels), None, boundaries, title, attribution)
    return draw(spec, ax=ax, figsize=figsize, scale_bar=scale_bar, north_arrow=north_arrow, path=path)


def comparison_plot(before_bands: gpd.GeoDataFrame, after_bands: gpd.GeoDataFrame,
                    proposed_lines: Layer | None = None, *, origins: Any = None, network: Net | None = None,
                    boundaries: Layer | None = None, title: str | None = None, colors: Sequence[str] | None = None,
                    side_by_side: bool = True, figsize: tuple[float, float] | None = None,
                    attribution: str | None = S.OSM_ATTRIBUTION, scale_bar: bool = True, north_arrow: bool = False,
                    path: str | Path | None = None) -> Figure:  # fmt: skip
    """Before/after bands: two panels side by side (default), or one panel with "before" as dashed outlines.

    The proposed roads or lines are drawn in magenta on the "after" panel.
    ``figsize=None`` sizes the figure to the area's aspect.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> p = shapely.Point(112.58, 37.86)
    >>> before = gpd.GeoDataFrame({"minutes": [10]}, geometry=[p.buffer(0.02)], crs=4326)
    >>> after = gpd.GeoDataFrame({"minutes": [10]}, geometry=[p.buffer(0.03)], crs=4326)
    >>> fig = comparison_plot(before, after)
    >>> [a.get_title() for a in fig.axes]
    ['Before', 'After']
    """
    spec = D.comparison(before_bands, after_bands, proposed_lines, origins, colors=colors, side_by_side=side_by_side)
    spec = D.framed(spec, network, boundaries, title, attribution)
    return draw(spec, figsize=figsize, scale_bar=scale_bar, north_arrow=north_arrow, path=path)


def gains_plot(points_gdf: gpd.GeoDataFrame, *, before: str = "before_minutes", after: str = "after_minutes",
               label: str = "name", network: Net | None = None, boundaries: Layer | None = None,
               title: str | None = None, ax: Axes | None = None, figsize: tuple[float, float] = (8.0, 8.0),
               attribution: str | None = S.OSM_ATTRIBUTION, scale_bar: bool = True,
               path: str | Path | None = None) -> Figure:  # fmt: skip
    """Places coloured and sized by minutes saved (``before - after``); newly reachable places in blue.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame({"name": ["A", "B"], "before_minutes": [30.0, float("nan")],
    ...     "after_minutes": [20.0, 25.0]}, geometry=[shapely.Point(0, 0), shapely.Point(0.1, 0)], crs=4326)
    >>> [t.get_text() for t in gains_plot(pts).axes[0].get_legend().get_texts()]
    ['10 min faster', 'newly reachable', 'no change / unreachable']
    """
    spec = D.gains(points_gdf, before=before, after=after, label=label, name="Minutes saved")
    spec = D.framed(spec, network, boundaries, title, attribution)
    return draw(spec, ax=ax, figsize=figsize, scale_bar=scale_bar, path=path)
