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
existing axes, and ``path=`` to save right away.
"""

from __future__ import annotations

import functools
import io
import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo._private import style as S
from geo._private.layers import as_gdf, check_bands, extent_of, network_lines, points, rail_kind, rings, route_gdf
from geo._private.writeout import write_bytes
from geo.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from geo.network import Network

__all__ = [
    "cjk_font",
    "comparison_plot",
    "gains_plot",
    "isochrone_plot",
    "network_plot",
    "rail_plot",
    "route_plot",
    "save_figure",
]

_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff]")
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)
FORMATS = ("png", "svg", "pdf")


@functools.cache
def cjk_font() -> str | None:
    """Name of an installed font that has Chinese glyphs, or None.

    Examples
    --------
    >>> f = cjk_font()
    >>> f is None or isinstance(f, str)
    True
    """
    from matplotlib import font_manager

    def find() -> str | None:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in _CJK_FONTS if name in installed), None)

    found = find()
    if found is None:
        # matplotlib's font cache may predate the font's installation: register CJK font files directly
        pattern = re.compile(r"(cjk|wqy|wenquanyi|sourcehan|simhei|msyh|ukai|uming)", re.I)
        for f in font_manager.findSystemFonts():
            if pattern.search(Path(f).name):
                try:
                    font_manager.fontManager.addfont(f)
                except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
                    continue
        found = find()
    return found


def _rc() -> Any:
    fonts = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk:
        fonts = [cjk, *fonts]
    return {"font.family": "sans-serif", "font.sans-serif": fonts, "svg.fonttype": "none" if cjk is None else "path"}


def _warn_cjk(texts: Sequence[Any]) -> None:
    if cjk_font() is None and any(_CJK.search(str(t)) for t in texts if t is not None):
        warnings.warn(
            "no Chinese (CJK) font is installed, Chinese labels will show as boxes; "
            "install one, e.g. `apt-get install fonts-noto-cjk`",
            stacklevel=3,
        )


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _metric_crs(bounds: Sequence[float]) -> str:
    try:
        from geo.crs import local_metric_crs

        return str(local_metric_crs(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]])))
    except ImportError:  # pragma: no cover - geo.crs ships with geo
        from geo._private.geodesy import utm_epsg

        return f"EPSG:{utm_epsg((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)}"


class _Canvas:
    """An axes in a local metric CRS with helpers to draw WGS84 layers."""

    def __init__(self, ax: Axes, bounds: Sequence[float], crs: str | None = None) -> None:
        self.ax = ax
        self.crs = getattr(ax, "_geo_crs", None) or crs or _metric_crs(bounds)
        ax._geo_crs = self.crs  # type: ignore[attr-defined]
        self.handles: list[Any] = []
        self.texts: list[Any] = []

    def proj(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        if gdf.crs is None:
            gdf = gdf.set_crs(4326)
        return gdf.to_crs(self.crs)

    def set_extent(self, bounds: Sequence[float], pad: float = 0.06) -> None:
        import geopandas as gpd
        import shapely

        box = gpd.GeoSeries([shapely.box(*bounds)], crs=4326).to_crs(self.crs)
        minx, miny, maxx, maxy = box.total_bounds
        w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        self.ax.set_xlim(minx - w * pad, maxx + w * pad)
        self.ax.set_ylim(miny - h * pad, maxy + h * pad)
        self.ax.set_aspect("equal")


def _style_axes(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#f5f4f0")
    for sp in ax.spines.values():
        sp.set_color("#bbbbbb")


def _nice_length(span_m: float) -> float:
    """A round length (1, 2, 5 x 10^k metres) at most a fifth of ``span_m``.

    Examples
    --------
    >>> _nice_length(9000), _nice_length(230), _nice_length(60000)
    (1000.0, 20.0, 10000.0)
    """
    target = max(span_m / 5.0, 1e-9)
    k = 10 ** math.floor(math.log10(target))
    for f in (5, 2, 1):
        if f * k <= target:
            return float(f * k)
    return float(k)


def _scale_bar(ax: Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    h = (y1 - y0) * 0.008
    ax.add_patch(_rect(bx, by, length / 2, h, "#333333"))
    ax.add_patch(_rect(bx + length / 2, by, length / 2, h, "#ffffff"))
    ax.add_patch(_rect(bx, by, length, h, "none", edge="#333333"))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx + length / 2, by + h * 2.2, label, ha="center", va="bottom", fontsize=8, color="#222222", zorder=20)


def _rect(x: float, y: float, w: float, h: float, face: str, edge: str = "#333333") -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, linewidth=0.8, zorder=20)


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.95, 0.93),
        xytext=(0.95, 0.83),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#222222", "lw": 1.5},
        zorder=20,
    )


def _finish(
    c: _Canvas,
    *,
    title: str | None,
    legend_title: str | None,
    attribution: str | None,
    scale_bar: bool,
    north_arrow: bool,
    legend_loc: Any = "lower right",
) -> None:
    ax = c.ax
    _style_axes(ax)
    if title:
        ax.set_title(title, fontsize=13, fontweight="bold", color="#222222")
        c.texts.append(title)
    if c.handles:
        leg = ax.legend(
            handles=c.handles,
            title=legend_title,
            loc=legend_loc,
            fontsize=8,
            title_fontsize=9,
            framealpha=0.93,
            edgecolor="#cccccc",
        )
        leg.set_zorder(30)
    if scale_bar:
        _scale_bar(ax)
    if north_arrow:
        _north_arrow(ax)
    if attribution:
        ax.text(
            0.005,
            0.005,
            attribution,
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=6.5,
            color="#555555",
            zorder=25,
            bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1.5},
        )
    _warn_cjk(c.texts)


# ---------------------------------------------------------------------------------------------- layers
def _draw_network(c: _Canvas, net: Any, max_segments: int = 250_000, legend: bool = False) -> None:
    from matplotlib.lines import Line2D

    lines, _ = network_lines(net, max_segments)
    if not len(lines):
        return
    g = c.proj(lines)
    for cls, geom in zip(g["class"], g.geometry):
        colour, weight, z = S.ROAD_STYLE[cls]
        _plot_lines(c.ax, geom, color=colour, linewidth=weight * 0.45, zorder=5 + z * 0.1, dashed=cls == "rail")
        if legend:
            c.handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    lw=max(weight * 0.6, 1.0),
                    ls="--" if cls == "rail" else "-",
                    label=S.ROAD_LABEL[cls],
                )
            )


def _plot_lines(
    ax: Axes, geom: Any, *, color: str, linewidth: float, zorder: float, dashed: bool = False, alpha: float = 1.0
) -> None:
    import shapely
    from matplotlib.collections import LineCollection

    parts = shapely.get_parts(shapely.get_parts(geom))
    segs = [np.asarray(p.coords)[:, :2] for p in parts if p.geom_type == "LineString" and not p.is_empty]
    if not segs:
        return
    lc = LineCollection(
        segs,
        colors=color,
        linewidths=linewidth,
        zorder=zorder,
        linestyles="--" if dashed else "-",
        alpha=alpha,
        capstyle="round",
        joinstyle="round",
    )
    ax.add_collection(lc)


def _plot_polygons(
    ax: Axes,
    geoms: Sequence[Any],
    *,
    face: Sequence[str] | str,
    edge: Sequence[str] | str,
    alpha: float,
    linewidth: float = 0.8,
    zorder: float = 3,
    linestyle: str = "-",
    hatch: str | None = None,
) -> None:
    import shapely
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    faces = [face] * len(geoms) if isinstance(face, str) else list(face)
    edges = [edge] * len(geoms) if isinstance(edge, str) else list(edge)
    for geom, fc, ec in zip(geoms, faces, edges):
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            verts, codes = [], []
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                verts.append(xy)
                codes.append([MPath.MOVETO] + [MPath.LINETO] * (len(xy) - 2) + [MPath.CLOSEPOLY])
            path = MPath(np.concatenate(verts), np.concatenate(codes))
            if fc != "none":
                ax.add_patch(PathPatch(path, facecolor=fc, edgecolor="none", alpha=alpha, zorder=zorder, hatch=hatch))
            ax.add_patch(
                PathPatch(
                    path, facecolor="none", edgecolor=ec, linewidth=linewidth, zorder=zorder + 0.01, linestyle=linestyle
                )
            )


def _draw_boundaries(c: _Canvas, boundaries: Any, bounds: Sequence[float]) -> None:
    g = as_gdf(boundaries, "boundaries")
    if g.crs is None:
        raise InputError("the boundaries have no CRS", "use a file with a CRS (e.g. *_wgs84.geojson)")
    g = g.to_crs(4326)
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) * 0.5 + 0.01, (maxy - miny) * 0.5 + 0.01
    g = g.cx[minx - dx : maxx + dx, miny - dy : maxy + dy]
    if not len(g):
        return
    p = c.proj(g)
    _plot_polygons(
        c.ax, list(p.geometry), face="none", edge="#6b6b6b", alpha=1, linewidth=0.7, zorder=4, linestyle="--"
    )
    col = next((k for k in ("name", "NAME", "county") if k in g.columns), None)
    if col:
        x0, x1 = c.ax.get_xlim()
        y0, y1 = c.ax.get_ylim()
        for pt, name in zip(p.geometry.representative_point(), g[col]):
            if x0 <= pt.x <= x1 and y0 <= pt.y <= y1:
                c.ax.text(
                    pt.x, pt.y, str(name), fontsize=7, color="#666666", ha="center", va="center", zorder=6, clip_on=True
                )
                c.texts.append(name)


def _draw_bands(
    c: _Canvas,
    bands: gpd.GeoDataFrame,
    *,
    colors: Sequence[str] | None,
    all_minutes: Sequence[float] | None = None,
    alpha: float = 0.6,
    legend: bool = True,
    outline_only: bool = False,
    label_suffix: str = "",
) -> None:
    from matplotlib.patches import Patch

    r = rings(bands)
    scale = sorted(set(all_minutes)) if all_minutes is not None else list(r["minutes"])
    colour_of = dict(zip(scale, S.band_colors(len(scale), colors)))
    labels = dict(zip(scale, S.band_labels(scale)))
    rp = c.proj(r).iloc[::-1]
    faces = [colour_of[x] for x in rp["minutes"]]
    if outline_only:
        _plot_polygons(
            c.ax,
            list(rp.geometry),
            face="none",
            edge=[S.darker(f, 0.6) for f in faces],
            alpha=1,
            linewidth=1.1,
            zorder=3.5,
            linestyle="--",
        )
    else:
        _plot_polygons(
            c.ax,
            list(rp.geometry),
            face=faces,
            edge=[S.darker(f, 0.75) for f in faces],
            alpha=alpha,
            linewidth=0.7,
            zorder=3,
        )
    if legend:
        for x in scale:
            c.handles.append(
                Patch(
                    facecolor=colour_of[x],
                    edgecolor=S.darker(colour_of[x], 0.75),
                    alpha=alpha,
                    label=f"{labels[x]}{label_suffix}",
                )
            )


def _draw_points(c: _Canvas, pts: gpd.GeoDataFrame, *, label: str | None, labels: bool = True) -> None:
    from matplotlib.lines import Line2D

    if not len(pts):
        return
    p = c.proj(pts)
    c.ax.scatter(p.geometry.x, p.geometry.y, s=60, facecolor="white", edgecolor="#111111", linewidth=2, zorder=12)
    if labels and "name" in pts.columns and len(pts) <= 40:
        for x, y, name in zip(p.geometry.x, p.geometry.y, pts["name"]):
            c.ax.annotate(
                str(name),
                (x, y),
                xytext=(6, 5),
                textcoords="offset points",
                fontsize=8,
                color="#111111",
                zorder=13,
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1},
            )
            c.texts.append(name)
    if label:
        c.handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor="white",
                markeredgecolor="#111111",
                markeredgewidth=2,
                label=label,
            )
        )


def _bounds_or_fail(*layers: Any) -> tuple[float, float, float, float]:
    b = extent_of(*layers)
    if b is None:
        raise InputError("nothing to draw: all layers are empty", "pass non-empty bands, lines or points")
    return b


# ---------------------------------------------------------------------------------------------- builders
def isochrone_plot(
    bands: gpd.GeoDataFrame,
    origins: Any = None,
    *,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    title: str | None = None,
    colors: Sequence[str] | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (8.0, 8.0),
    attribution: str | None = S.OSM_ATTRIBUTION,
    scale_bar: bool = True,
    north_arrow: bool = False,
    path: str | Path | None = None,
) -> Figure:
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
    import matplotlib

    with matplotlib.rc_context(_rc()):
        bands = check_bands(bands)
        pts = points(origins)
        bounds = _bounds_or_fail(bands, pts)
        fig, axes = _new_axes(ax, figsize)
        c = _Canvas(axes, bounds)
        c.set_extent(bounds)
        if boundaries is not None:
            _draw_boundaries(c, boundaries, bounds)
        if network is not None:
            _draw_network(c, network)
        if len(bands):
            _draw_bands(c, bands, colors=colors)
        _draw_points(c, pts, label="Origin" if len(pts) == 1 else "Origins")
        _finish(
            c,
            title=title,
            legend_title="Travel time (minutes)",
            attribution=attribution,
            scale_bar=scale_bar,
            north_arrow=north_arrow,
        )
        if path is not None:
            save_figure(fig, path)
    return fig


def network_plot(
    net: Network | gpd.GeoDataFrame,
    *,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (8.0, 8.0),
    attribution: str | None = S.OSM_ATTRIBUTION,
    scale_bar: bool = True,
    north_arrow: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """Static map of a network by road class.

    Examples
    --------
    >>> from geo.network import Network
    >>> net = Network.from_edges([0.0, 0.01, 0.02], [0.0, 0.0, 0.01], [0, 1], [1, 2], speed_kmh=50)
    >>> fig = network_plot(net)
    >>> len(fig.axes[0].collections) > 0
    True
    """
    import matplotlib

    with matplotlib.rc_context(_rc()):
        bounds = _bounds_or_fail(net if hasattr(net, "indptr") else as_gdf(net, "network"))
        fig, axes = _new_axes(ax, figsize)
        c = _Canvas(axes, bounds)
        c.set_extent(bounds)
        if boundaries is not None:
            _draw_boundaries(c, boundaries, bounds)
        _draw_network(c, net, legend=True)
        _finish(
            c,
            title=title,
            legend_title="Network",
            attribution=attribution,
            scale_bar=scale_bar,
            north_arrow=north_arrow,
        )
        if path is not None:
            save_figure(fig, path)
    return fig


def route_plot(
    route: Any,
    *,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (8.0, 8.0),
    attribution: str | None = S.OSM_ATTRIBUTION,
    scale_bar: bool = True,
    north_arrow: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """Static map of a route (a :class:`geo.routing.Route`, legs GeoDataFrame or list), coloured by ``mode``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> legs = gpd.GeoDataFrame({"mode": ["walk", "rail"]},
    ...     geometry=[shapely.LineString([(0, 0), (0.01, 0)]), shapely.LineString([(0.01, 0), (0.2, 0.1)])], crs=4326)
    >>> [t.get_text() for t in route_plot(legs).axes[0].get_legend().get_texts()]
    ['walk', 'rail', 'Start', 'End']
    """
    import matplotlib
    import shapely
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(_rc()):
        g = route_gdf(route)
        g = (g.set_crs(4326) if g.crs is None else g).to_crs(4326)
        g = g[~(g.geometry.isna() | g.geometry.is_empty)]
        bounds = _bounds_or_fail(g)
        fig, axes = _new_axes(ax, figsize)
        c = _Canvas(axes, bounds)
        c.set_extent(bounds, pad=0.12)
        if boundaries is not None:
            _draw_boundaries(c, boundaries, bounds)
        if network is not None:
            _draw_network(c, network)
        modes = g["mode"].astype(str).tolist() if "mode" in g.columns else ["drive"] * len(g)
        p = c.proj(g)
        for geom, md in zip(p.geometry, modes):
            col = S.ROUTE_COLORS.get(md, S.ROUTE_COLORS["drive"])
            _plot_lines(c.ax, geom, color="white", linewidth=5, zorder=9)
            _plot_lines(c.ax, geom, color=col, linewidth=3, zorder=10, dashed=md in ("walk", "transfer"))
        for md in dict.fromkeys(modes):
            c.handles.append(
                Line2D(
                    [],
                    [],
                    color=S.ROUTE_COLORS.get(md, S.ROUTE_COLORS["drive"]),
                    lw=3,
                    ls="--" if md in ("walk", "transfer") else "-",
                    label=md,
                )
            )
        ends = [shapely.get_point(p.geometry.iloc[0], 0), shapely.get_point(p.geometry.iloc[-1], -1)]
        for pt, face, label in zip(ends, ("white", "#111111"), ("Start", "End")):
            if pt is not None and not pt.is_empty:
                c.ax.scatter([pt.x], [pt.y], s=55, facecolor=face, edgecolor="#111111", linewidth=2, zorder=12)
                c.handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        ls="",
                        markerfacecolor=face,
                        markeredgecolor="#111111",
                        markeredgewidth=2,
                        label=label,
                    )
                )
        _finish(
            c, title=title, legend_title="Route", attribution=attribution, scale_bar=scale_bar, north_arrow=north_arrow
        )
        if path is not None:
            save_figure(fig, path)
    return fig


def rail_plot(
    lines: gpd.GeoDataFrame | str | Path | None,
    stations: gpd.GeoDataFrame | str | Path | None = None,
    *,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (8.0, 8.0),
    attribution: str | None = S.OSM_ATTRIBUTION,
    scale_bar: bool = True,
    north_arrow: bool = False,
    labels: bool = True,
    path: str | Path | None = None,
) -> Figure:
    """Static map of rail lines (high-speed, conventional, metro) and labelled stations.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> lines = gpd.GeoDataFrame({"rail_type": ["hsr"]}, geometry=[shapely.LineString([(108.9, 34.3), (109.0, 33.7)])], crs=4326)
    >>> [t.get_text() for t in rail_plot(lines).axes[0].get_legend().get_texts()]
    ['High-speed rail']
    """
    import matplotlib
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(_rc()):
        lg = as_gdf(lines, "rail lines").to_crs(4326) if lines is not None else None
        sg = as_gdf(stations, "stations") if stations is not None else None
        if sg is not None:
            sg = (sg.set_crs(4326) if sg.crs is None else sg).to_crs(4326)
        bounds = _bounds_or_fail(lg, sg)
        fig, axes = _new_axes(ax, figsize)
        c = _Canvas(axes, bounds)
        c.set_extent(bounds)
        if boundaries is not None:
            _draw_boundaries(c, boundaries, bounds)
        if lg is not None and len(lg):
            kinds = [rail_kind(r) for _, r in lg.iterrows()]
            p = c.proj(lg)
            for geom, k in zip(p.geometry, kinds):
                _plot_lines(
                    c.ax,
                    geom,
                    color=S.RAIL_COLORS.get(k, S.RAIL_COLORS["rail"]),
                    linewidth=2.2 if k == "hsr" else 1.4,
                    zorder=8 if k == "hsr" else 7,
                )
            for k in dict.fromkeys(kinds):
                label = {"hsr": "High-speed rail", "rail": "Railway"}.get(k, k.replace("_", " ").title())
                c.handles.append(Line2D([], [], color=S.RAIL_COLORS.get(k, S.RAIL_COLORS["rail"]), lw=2.2, label=label))
        if sg is not None and len(sg):
            _draw_points(c, sg, label="Station", labels=labels)
        _finish(
            c, title=title, legend_title=None, attribution=attribution, scale_bar=scale_bar, north_arrow=north_arrow
        )
        if path is not None:
            save_figure(fig, path)
    return fig


def comparison_plot(
    before_bands: gpd.GeoDataFrame,
    after_bands: gpd.GeoDataFrame,
    proposed_lines: gpd.GeoDataFrame | str | Path | None = None,
    *,
    origins: Any = None,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    title: str | None = None,
    colors: Sequence[str] | None = None,
    side_by_side: bool = True,
    figsize: tuple[float, float] | None = None,
    attribution: str | None = S.OSM_ATTRIBUTION,
    scale_bar: bool = True,
    north_arrow: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """Before/after bands: two panels side by side (default), or one panel with "before" as dashed outlines.

    The proposed roads or lines are drawn in magenta on the "after" panel.

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
    import matplotlib
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(_rc()):
        before = check_bands(before_bands, "before_bands")
        after = check_bands(after_bands, "after_bands")
        prop = None
        if proposed_lines is not None:
            prop = as_gdf(proposed_lines, "proposed lines")
            prop = (prop.set_crs(4326) if prop.crs is None else prop).to_crs(4326)
        pts = points(origins)
        bounds = _bounds_or_fail(before, after, prop, pts)
        all_minutes = sorted(
            set(pd.to_numeric(before["minutes"]).astype(float)) | set(pd.to_numeric(after["minutes"]).astype(float))
        )
        from matplotlib.figure import Figure

        crs = _metric_crs(bounds)
        if figsize is None:
            import geopandas as gpd
            import shapely

            mb = gpd.GeoSeries([shapely.box(*bounds)], crs=4326).to_crs(crs).total_bounds
            aspect = min(max((mb[3] - mb[1]) / max(mb[2] - mb[0], 1.0), 0.4), 2.0)
            figsize = (13.0, 6.5 * aspect + 1.2) if side_by_side else (8.0, 8.0 * aspect + 0.8)
        if side_by_side:
            fig = Figure(figsize=figsize, layout="constrained")
            axes = fig.subplots(1, 2)
            panels = [(axes[0], before, "Before", False), (axes[1], after, "After", True)]
        else:
            fig = Figure(figsize=figsize, layout="constrained")
            panels = [(fig.add_subplot(), after, "Before (dashed) / after", True)]
        for i, (axes_i, bands, panel_title, is_after) in enumerate(panels):
            c = _Canvas(axes_i, bounds, crs)
            c.set_extent(bounds)
            if boundaries is not None:
                _draw_boundaries(c, boundaries, bounds)
            if network is not None:
                _draw_network(c, network)
            if len(bands):
                _draw_bands(c, bands, colors=colors, all_minutes=all_minutes)
            if not side_by_side and len(before):
                _draw_bands(c, before, colors=colors, all_minutes=all_minutes, outline_only=True, legend=False)
                c.handles.append(Line2D([], [], color="#555555", ls="--", lw=1.1, label="before (outline)"))
            if is_after and prop is not None and len(prop):
                pp = c.proj(prop)
                for geom in pp.geometry:
                    _plot_lines(c.ax, geom, color="white", linewidth=6, zorder=10)
                    _plot_lines(c.ax, geom, color=S.PROPOSED_COLOR, linewidth=3.5, zorder=11)
                c.handles.append(Line2D([], [], color=S.PROPOSED_COLOR, lw=3.5, label="proposed"))
                if "name" in prop.columns:
                    c.texts.extend(prop["name"].tolist())
            _draw_points(c, pts, label="Origin" if len(pts) == 1 else "Origins")
            _finish(
                c,
                title=panel_title,
                legend_title="Travel time (minutes)",
                attribution=attribution if i == len(panels) - 1 else None,
                scale_bar=scale_bar,
                north_arrow=north_arrow,
            )
        if title:
            fig.suptitle(title, fontsize=14, fontweight="bold")
            _warn_cjk([title])
        if path is not None:
            save_figure(fig, path)
    return fig


def gains_plot(
    points_gdf: gpd.GeoDataFrame,
    *,
    before: str = "before_minutes",
    after: str = "after_minutes",
    label: str = "name",
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (8.0, 8.0),
    attribution: str | None = S.OSM_ATTRIBUTION,
    scale_bar: bool = True,
    path: str | Path | None = None,
) -> Figure:
    """Places coloured and sized by minutes saved (``before - after``); newly reachable places in blue.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame({"name": ["A", "B"], "before_minutes": [30.0, float("nan")],
    ...     "after_minutes": [20.0, 25.0]}, geometry=[shapely.Point(0, 0), shapely.Point(0.1, 0)], crs=4326)
    >>> [t.get_text() for t in gains_plot(pts).axes[0].get_legend().get_texts()]
    ['10 min faster', 'newly reachable', 'no change / unreachable']
    """
    import matplotlib
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(_rc()):
        g = as_gdf(points_gdf, "points")
        for col in (before, after):
            if col not in g.columns:
                raise InputError(
                    f"points have no {col!r} column (columns: {list(g.columns)})", f"pass {before}/{after}"
                )
        g = (g.set_crs(4326) if g.crs is None else g).to_crs(4326).copy()
        g.geometry = g.geometry.representative_point()
        bounds = _bounds_or_fail(g)
        fig, axes = _new_axes(ax, figsize)
        c = _Canvas(axes, bounds)
        c.set_extent(bounds, pad=0.15)
        if boundaries is not None:
            _draw_boundaries(c, boundaries, bounds)
        if network is not None:
            _draw_network(c, network)
        b = pd.to_numeric(g[before], errors="coerce").to_numpy(dtype=float)
        a = pd.to_numeric(g[after], errors="coerce").to_numpy(dtype=float)
        saved = b - a
        pos = saved[np.isfinite(saved) & (saved > 1e-9)]
        top = float(pos.max()) if pos.size else 1.0
        p = c.proj(g)
        colours, sizes = [], []
        for i in range(len(g)):
            if np.isnan(b[i]) and np.isfinite(a[i]):
                colours.append(S.NEW_REACH_COLOR)
                sizes.append(140.0)
            elif np.isfinite(saved[i]) and saved[i] > 1e-9:
                t = saved[i] / top
                colours.append(S.ramp(S.GAIN_RAMP[1:], t))
                sizes.append(30 + 110 * t)
            elif np.isfinite(saved[i]) and saved[i] < -1e-9:
                colours.append(S.LOSS_COLOR)
                sizes.append(50.0)
            else:
                colours.append(S.NO_CHANGE_COLOR)
                sizes.append(20.0)
        c.ax.scatter(p.geometry.x, p.geometry.y, s=sizes, c=colours, edgecolors="#333333", linewidths=0.8, zorder=12)
        if label in g.columns and len(g) <= 40:
            for x, y, nm in zip(p.geometry.x, p.geometry.y, g[label]):
                c.ax.annotate(str(nm), (x, y), xytext=(7, 4), textcoords="offset points", fontsize=8, zorder=13)
                c.texts.append(nm)
        if pos.size:
            c.handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    markerfacecolor=S.ramp(S.GAIN_RAMP[1:], 1.0),
                    markeredgecolor="#333333",
                    markersize=10,
                    label=f"{top:.0f} min faster",
                )
            )
        if np.any(np.isnan(b) & np.isfinite(a)):
            c.handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    markerfacecolor=S.NEW_REACH_COLOR,
                    markeredgecolor="#333333",
                    markersize=10,
                    label="newly reachable",
                )
            )
        if np.any(saved < -1e-9):
            c.handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    markerfacecolor=S.LOSS_COLOR,
                    markeredgecolor="#333333",
                    markersize=7,
                    label="slower",
                )
            )
        c.handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor=S.NO_CHANGE_COLOR,
                markeredgecolor="#333333",
                markersize=5,
                label="no change / unreachable",
            )
        )
        _finish(
            c,
            title=title,
            legend_title="Minutes saved",
            attribution=attribution,
            scale_bar=scale_bar,
            north_arrow=False,
        )
        if path is not None:
            save_figure(fig, path)
    return fig


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 150) -> bytes:
    """Render a figure to PNG/SVG/PDF bytes (e.g. to embed in a report).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_bytes(Figure(figsize=(1, 1)))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"unknown image format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(_rc()):
        metadata = {"Software": None} if fmt == "png" else ({"Date": None} if fmt == "svg" else None)
        with warnings.catch_warnings():
            # reported once by _warn_cjk; matplotlib would repeat it for every glyph
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
            fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a figure atomically; the format comes from the suffix (``.png``, ``.svg``, ``.pdf``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> p = save_figure(Figure(figsize=(1, 1)), pathlib.Path(tempfile.mkdtemp()) / "x.svg")
    >>> p.read_text()[:5]
    '<?xml'
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"cannot tell the image format of {path.name!r}", "use a .png, .svg or .pdf file name")
    return write_bytes(figure_bytes(fig, fmt, dpi), path)
