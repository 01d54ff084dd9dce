"""Draw a :class:`~geo.render.describe.MapSpec` as a matplotlib figure (no pyplot, no global state).

Layers are drawn in a local metric projection, so that the scale bar is true,
with a legend, a scale bar, an optional north arrow and the attribution.
Figures are :class:`matplotlib.figure.Figure` objects not attached to pyplot:
nothing is left open, and the backend is never switched.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib import font_manager
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MPath

from geo._private.writeout import write_bytes
from geo.crs import local_metric_crs
from geo.errors import InputError
from geo.render.describe import Bounds, Layer, MapSpec, Row

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff]")
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
              "AR PL UMing CN")  # fmt: skip
FORMATS = ("png", "svg", "pdf")
_TEXT: dict[str, dict[str, Any]] = {  # static look of text layers: annotate() keywords
    "area": {"fontsize": 7, "color": "#666666", "ha": "center", "va": "center", "clip_on": True},
    "origin": {"xytext": (6, 5), "textcoords": "offset points", "fontsize": 8, "color": "#111111",
               "bbox": {"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1}},
    "place": {"xytext": (7, 4), "textcoords": "offset points", "fontsize": 8},
}  # fmt: skip
_TEXT["station"] = _TEXT["origin"]


@functools.cache
def cjk_font() -> str | None:
    """Name of an installed font that has Chinese glyphs, or None.

    Examples
    --------
    A font it names is one of the known CJK families, matplotlib finds its
    file, and that file has Chinese glyphs (``None`` when no such font is
    installed):

    >>> from matplotlib import font_manager, ft2font
    >>> f = cjk_font()
    >>> f is None or (f in _CJK_FONTS and
    ...     ft2font.FT2Font(font_manager.findfont(f, fallback_to_default=False)).get_char_index(ord("柞")) > 0)
    True
    """

    if not {f.name for f in font_manager.fontManager.ttflist} & set(_CJK_FONTS):
        # matplotlib's font cache may predate the font's installation: register CJK font files directly
        pattern = re.compile(r"(cjk|wqy|wenquanyi|sourcehan|simhei|msyh|ukai|uming)", re.I)
        for f in font_manager.findSystemFonts():
            if pattern.search(Path(f).name):
                with contextlib.suppress(OSError, RuntimeError, ValueError):  # an unreadable font file
                    font_manager.fontManager.addfont(f)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in installed), None)


def rc() -> Any:
    """rcParams for a figure (used in ``matplotlib.rc_context``, never set globally)."""
    cjk = cjk_font()
    fonts = [cjk, "DejaVu Sans"] if cjk else ["DejaVu Sans"]
    return {"font.family": "sans-serif", "font.sans-serif": fonts, "svg.fonttype": "none" if cjk is None else "path"}


def warn_cjk(texts: Sequence[Any]) -> None:
    if cjk_font() is None and any(_CJK.search(str(t)) for t in texts if t is not None):
        warnings.warn("no Chinese (CJK) font is installed, Chinese labels will show as boxes; "
                      "install one, e.g. `apt-get install fonts-noto-cjk`", stacklevel=4)  # fmt: skip


def _nice_length(span_m: float) -> float:
    """A round length (1, 2, 5 x 10^k metres) at most a fifth of ``span_m``.

    Examples
    --------
    >>> _nice_length(9000), _nice_length(230), _nice_length(60000)
    (1000.0, 20.0, 10000.0)
    """
    target = max(span_m / 5.0, 1e-9)
    k = 10 ** math.floor(math.log10(target))
    return float(next((f * k for f in (5, 2, 1) if f * k <= target), k))


def _scale_bar(ax: Axes) -> None:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    length = _nice_length(x1 - x0)
    bx, by, h = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05, (y1 - y0) * 0.008
    for x, w, face in ((bx, length / 2, "#333333"), (bx + length / 2, length / 2, "#ffffff"), (bx, length, "none")):
        ax.add_patch(Rectangle((x, by), w, h, facecolor=face, edgecolor="#333333", linewidth=0.8, zorder=20))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx + length / 2, by + h * 2.2, label, ha="center", va="bottom", fontsize=8, color="#222222", zorder=20)


def _north_arrow(ax: Axes) -> None:
    ax.annotate("N", xy=(0.95, 0.93), xytext=(0.95, 0.83), xycoords="axes fraction", ha="center", va="center",
                fontsize=11, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "#222222", "lw": 1.5},
                zorder=20)  # fmt: skip


def _polygons(ax: Axes, lay: Layer, geoms: Sequence[Any], dashed: bool) -> None:
    for i, geom in enumerate(geoms):
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            rings = [np.asarray(r.coords)[:, :2] for r in (poly.exterior, *poly.interiors)]
            codes = [[MPath.MOVETO] + [MPath.LINETO] * (len(xy) - 2) + [MPath.CLOSEPOLY] for xy in rings]
            path = MPath(np.concatenate(rings), np.concatenate(codes))
            if lay.fill is not None:
                ax.add_patch(PathPatch(path, facecolor=lay.fill[i], edgecolor="none", alpha=lay.alpha, zorder=lay.z))
            ax.add_patch(PathPatch(path, facecolor="none", edgecolor=lay.color[i], linewidth=lay.lw[i],
                                   zorder=lay.z + 0.01, linestyle="--" if dashed else "-"))  # fmt: skip


def _lines(ax: Axes, geom: Any, color: str, lw: float, z: float, dashed: bool = False) -> None:
    parts = shapely.get_parts(shapely.get_parts(geom))
    segs = [np.asarray(p.coords)[:, :2] for p in parts if p.geom_type == "LineString" and not p.is_empty]
    if segs:
        ax.add_collection(LineCollection(segs, colors=color, linewidths=lw, zorder=z, capstyle="round",
                                         joinstyle="round", linestyles="--" if dashed else "-"))  # fmt: skip


def _handle(r: Row) -> Any:
    if r.kind == "swatch":
        return Patch(facecolor=r.color, edgecolor=r.edge, alpha=r.alpha, label=r.label)
    if r.kind == "line":
        return Line2D([], [], color=r.color, lw=r.lw, ls="-" if r.dash == "solid" else "--", label=r.label)
    kw: dict[str, Any] = {"markersize": r.ms} if r.ms else {}
    return Line2D([], [], marker="o", ls="", markerfacecolor=r.color, markeredgecolor=r.edge, markeredgewidth=r.lw,
                  label=r.label, **kw)  # fmt: skip


def metric_crs(bounds: Bounds) -> str:
    return str(local_metric_crs(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]])))


def _here(x: Layer | Row, panel: str) -> bool:
    """Whether a layer or legend row is drawn in the static ``panel``."""
    return x.static and (not x.panels or panel in x.panels)


def _draw_layer(ax: Axes, lay: Layer, crs: str) -> None:
    """Draw one layer, projected to ``crs``."""
    g = (lay.gdf.set_crs(4326) if lay.gdf.crs is None else lay.gdf).to_crs(crs)
    dashed = [bool(d) for d in (lay.dash or [None] * len(g))]
    if lay.kind == "polygons":
        _polygons(ax, lay, list(g.geometry), any(dashed))
    elif lay.kind == "lines":
        for i, geom in enumerate(g.geometry):
            if lay.casing and lay.casing[1]:
                _lines(ax, geom, "white", lay.casing[1], lay.z - 1)
            _lines(ax, geom, lay.color[i], lay.lw[i], lay.z + 0.001 * i, dashed[i])
    elif lay.kind == "points":
        ax.scatter(g.geometry.x, g.geometry.y, s=lay.size, c=lay.fill, edgecolors=lay.color, linewidths=lay.lw,
                   zorder=lay.z)  # fmt: skip
    else:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        for pt, text in zip(g.geometry, lay.labels or []):
            if lay.label_style != "area" or (x0 <= pt.x <= x1 and y0 <= pt.y <= y1):
                ax.annotate(str(text), (pt.x, pt.y), zorder=lay.z, **_TEXT[lay.label_style])


def _finish(ax: Axes, rows: list[Row], legend_title: str | None, title: str | None, attribution: str | None,
            scale_bar: bool, north_arrow: bool) -> None:  # fmt: skip
    """Frame, title, legend, scale bar, north arrow and attribution of one axes."""
    ax.set(xticks=[], yticks=[], facecolor="#f5f4f0")
    ax.spines[:].set_color("#bbbbbb")
    if title:
        ax.set_title(title, fontsize=13, fontweight="bold", color="#222222")
    if rows:
        leg = ax.legend(handles=[_handle(r) for r in rows], title=legend_title, loc="lower right", fontsize=8,
                        title_fontsize=9, framealpha=0.93, edgecolor="#cccccc")  # fmt: skip
        leg.set_zorder(30)
    if scale_bar:
        _scale_bar(ax)
    if north_arrow:
        _north_arrow(ax)
    if attribution:
        box = {"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1.5}
        ax.text(0.005, 0.005, attribution, transform=ax.transAxes, ha="left", va="bottom", fontsize=6.5,
                color="#555555", zorder=25, bbox=box)  # fmt: skip
    warn_cjk([*(t.get_text() for t in ax.texts), title])


def draw(spec: MapSpec, *, ax: Axes | None = None, figsize: tuple[float, float] | None = (8.0, 8.0),
         scale_bar: bool = True, north_arrow: bool = False, path: str | Path | None = None) -> Figure:  # fmt: skip
    """Draw ``spec`` into ``ax`` or a new figure (one axes per panel, in a local metric CRS); ``path`` saves it."""
    if spec.bounds is None:
        raise InputError("nothing to draw: all layers are empty", "pass non-empty bands, lines or points")
    panels = spec.panels or [("", spec.title or "")]
    crs = getattr(ax, "_geo_crs", None) or metric_crs(spec.bounds)
    minx, miny, maxx, maxy = gpd.GeoSeries([shapely.box(*spec.bounds)], crs=4326).to_crs(crs).total_bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    with matplotlib.rc_context(rc()):
        if ax is not None:
            fig, axes = ax.figure, [ax]
        else:
            if figsize is None:  # fit the panels' aspect
                aspect = min(max((maxy - miny) / w, 0.4), 2.0)
                figsize = (13.0, 6.5 * aspect + 1.2) if len(panels) > 1 else (8.0, 8.0 * aspect + 0.8)
            fig = Figure(figsize=figsize, layout="constrained")
            axes = list(np.atleast_1d(fig.subplots(1, len(panels))))
        for i, ((key, panel_title), a) in enumerate(zip(panels, axes)):
            a._geo_crs = crs  # type: ignore[attr-defined]  # a later draw onto this axes uses the same projection
            a.set(xlim=(minx - w * spec.pad, maxx + w * spec.pad), ylim=(miny - h * spec.pad, maxy + h * spec.pad),
                  aspect="equal")  # fmt: skip
            for lay in spec.layers:
                if _here(lay, key) and len(lay.gdf):
                    _draw_layer(a, lay, crs)
            shown = [lg for lg in spec.legends if any(_here(r, key) for r in lg.rows)]
            rows = [r for lg in shown for r in lg.rows if _here(r, key)]
            _finish(a, rows, shown[0].title if shown else None, panel_title or None,
                    spec.attribution if i == len(panels) - 1 else None, scale_bar, north_arrow)  # fmt: skip
        if spec.panels and spec.title:
            fig.suptitle(spec.title, fontsize=14, fontweight="bold")
            warn_cjk([spec.title])
    if path is not None:
        save_figure(fig, path)  # type: ignore[arg-type]
    return fig  # type: ignore[return-value]


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
    buf = io.BytesIO()
    with matplotlib.rc_context(rc()):
        metadata = {"Software": None} if fmt == "png" else ({"Date": None} if fmt == "svg" else None)
        with warnings.catch_warnings():
            # reported once by warn_cjk; matplotlib would repeat it for every glyph
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
