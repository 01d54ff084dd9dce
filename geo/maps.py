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
(pages are UTF-8).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo._private import style as S
from geo._private.layers import (
    as_gdf as _as_gdf,
)
from geo._private.layers import (
    check_bands as _check_bands,
)
from geo._private.layers import (
    extent_of as _extent_of,
)
from geo._private.layers import (
    network_lines as _network_lines,
)
from geo._private.layers import (
    points as _points,
)
from geo._private.layers import (
    rail_kind as _rail_kind,
)
from geo._private.layers import (
    rings as _rings,
)
from geo._private.layers import (
    route_gdf as _route_gdf,
)
from geo._private.offline import escape, make_offline
from geo._private.writeout import write_text
from geo.errors import GeoError, InputError

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geo.network import Network

__all__ = [
    "TILES",
    "base_map",
    "comparison_map",
    "gains_map",
    "isochrone_map",
    "map_html",
    "network_map",
    "rail_map",
    "route_map",
    "save_map",
]

# name -> (url template, attribution html, datum, subdomains, max zoom)
TILES: dict[str, tuple[str, str, str, str, int]] = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", S.OSM_ATTRIBUTION_HTML, "wgs84", "abc", 19),
    "amap": (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "© 高德地图 AutoNavi (GCJ-02)",
        "gcj02",
        "1234",
        18,
    ),
    "amap-satellite": (
        "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
        "© 高德地图 AutoNavi (GCJ-02)",
        "gcj02",
        "1234",
        18,
    ),
}
TILES["gaode"] = TILES["amap"]

_ROADS_PANE = "geo-roads"  # above the bands (z 450), below markers; not interactive
_BOUNDARY_PANE = "geo-boundaries"
_TOP_PANE = "geo-top"  # routes, proposed lines, points: above the road base (z 460), interactive

_CSS = """
<style>
html body, html body .leaflet-container { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC",
  "Microsoft YaHei", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; }
html body .leaflet-container { background: #f5f4f0; }
.leaflet-control-layers-expanded { font-size: 13px; line-height: 1.5; }
.geo-legend { background: rgba(255,255,255,0.93); padding: 8px 10px; border-radius: 6px; line-height: 1.35;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 12px; color: #222; max-width: 240px; }
.geo-legend .geo-legend-title { font-weight: 600; margin-bottom: 5px; font-size: 13px; }
.geo-legend .geo-row { display: flex; align-items: center; margin: 2px 0; }
.geo-legend .geo-swatch { width: 18px; height: 12px; margin-right: 7px; border: 1px solid rgba(0,0,0,0.35);
  flex: none; }
.geo-legend .geo-line { width: 22px; height: 0; margin-right: 7px; flex: none; }
.geo-legend .geo-dot { width: 11px; height: 11px; border-radius: 50%; margin-right: 7px; flex: none;
  border: 2px solid #111; background: #fff; box-sizing: border-box; }
.geo-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%); z-index: 1000;
  background: rgba(255,255,255,0.93); padding: 6px 14px; border-radius: 6px; font-size: 15px; font-weight: 600;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); color: #222; pointer-events: none; max-width: 70%; text-align: center; }
.geo-label { color: #555; font-size: 11px; text-shadow: 0 0 3px #fff, 0 0 3px #fff; white-space: nowrap;
  pointer-events: none; }
.leaflet-tooltip table td { padding: 0; }
</style>
"""


# ---------------------------------------------------------------------------------------------- folium
def _folium() -> Any:
    try:
        import folium
    except ImportError as exc:  # pragma: no cover - folium is a dependency
        raise GeoError(
            "interactive maps need the 'folium' package, which is not installed",
            "run `pip install folium` (or `pip install -e .` in the geo checkout)",
        ) from exc
    return folium


def _macro(template: str, parent: Any, **attrs: Any) -> Any:
    """Add a branca MacroElement with a script template to ``parent``."""
    from branca.element import MacroElement
    from jinja2 import Template

    el = MacroElement()
    el._template = Template("{% macro script(this, kwargs) %}" + template + "{% endmacro %}")
    for k, v in attrs.items():
        setattr(el, k, v)
    el.add_to(parent)
    return el


def _add_control(m: Any, html_text: str, position: str = "bottomright", css_class: str = "geo-legend") -> None:
    """A Leaflet control whose content is ``html_text`` (already escaped by the caller)."""
    _macro(
        """
        (function(){
          var ctl = L.control({position: {{ this.position|tojson }}});
          ctl.onAdd = function(){
            var d = L.DomUtil.create('div', {{ this.css_class|tojson }});
            d.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
            return d;
          };
          ctl.addTo({{ this._parent.get_name() }});
        })();
        """,
        m,
        position=position,
        css_class=css_class,
        html=html_text,
    )


def _add_attribution(m: Any, text_html: str) -> None:
    key = "_geo_attributions"
    done: set[str] = getattr(m, key, set())
    if text_html in done:
        return
    done.add(text_html)
    setattr(m, key, done)
    _macro(
        "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});",
        m,
        text=text_html,
    )


def _ensure_setup(m: Any) -> None:
    """CSS and custom panes, once per map."""
    if getattr(m, "_geo_setup", False):
        return
    folium = _folium()
    m.get_root().header.add_child(folium.Element(_CSS), name="geo_css")
    folium.map.CustomPane(_BOUNDARY_PANE, z_index=440, pointer_events=False).add_to(m)
    folium.map.CustomPane(_ROADS_PANE, z_index=450, pointer_events=False).add_to(m)
    folium.map.CustomPane(_TOP_PANE, z_index=460, pointer_events=True).add_to(m)
    m._geo_setup = True


def _datum(m: Any) -> str:
    return getattr(m, "_geo_datum", "wgs84")


def _tile_names(tiles: str | Sequence[str] | None) -> list[str]:
    if tiles is None:
        return []
    names = [tiles] if isinstance(tiles, str) else list(tiles)
    out = []
    for t in names:
        key = str(t).strip().lower()
        if key in ("", "none", "offline"):
            continue
        if key not in TILES:
            raise InputError(f"unknown tile layer {t!r}", f"use one of {', '.join(sorted(TILES))}, or None for offline")
        out.append(key)
    datums = {TILES[k][2] for k in out}
    if len(datums) > 1:
        raise InputError(
            f"tile layers {out} mix WGS84 and GCJ-02 providers; overlays can only line up with one",
            "choose OSM tiles or Chinese (Amap) tiles, not both",
        )
    return out


def base_map(
    bounds: Sequence[float] | None = None,
    *,
    tiles: str | Sequence[str] | None = None,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    title: str | None = None,
    attribution: str | None = S.OSM_ATTRIBUTION_HTML,
) -> folium.Map:
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
    folium = _folium()
    names = _tile_names(tiles)
    if bounds is None:
        bounds = _extent_of(network, boundaries)
    minx, miny, maxx, maxy = (float(b) for b in bounds) if bounds is not None else (-180.0, -60.0, 180.0, 75.0)
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=12,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
    )
    m._geo_datum = TILES[names[0]][2] if names else "wgs84"
    _ensure_setup(m)
    for i, key in enumerate(names):
        url, attr, _, subdomains, maxzoom = TILES[key]
        folium.TileLayer(
            tiles=url, attr=attr, name=key, subdomains=subdomains, max_zoom=maxzoom, overlay=False, show=i == 0
        ).add_to(m)
    if attribution:
        _add_attribution(m, attribution)
    if boundaries is not None:
        add_boundaries(m, boundaries, clip=(minx, miny, maxx, maxy))
    if network is not None:
        add_network(m, network)
    if title:
        _set_title(m, title)
    _fit(m, (minx, miny, maxx, maxy))
    return m


def _set_title(m: Any, title: str) -> None:
    folium = _folium()
    m.get_root().html.add_child(folium.Element(f'<div class="geo-title">{escape(title)}</div>'), name="geo_title")


def _fit(m: Any, bounds: Sequence[float]) -> None:
    minx, miny, maxx, maxy = bounds
    if not all(math.isfinite(v) for v in bounds):
        return
    if _datum(m) == "gcj02":
        (minx, maxx), (miny, maxy) = _shift_xy(np.array([minx, maxx]), np.array([miny, maxy]))
    from branca.element import MacroElement
    from jinja2 import Template

    # Leaflet's fitBounds on a container that has no size yet (a map in an iframe that is not laid
    # out, a hidden tab) computes a NaN zoom and breaks the map for good; so fit only once the
    # container is larger than the padding, and wait for a resize otherwise.
    el = MacroElement()
    el._template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  var bounds = {{ this.bounds|tojson }};
  function fit() {
    var size = map.getSize();
    if (size.x <= 48 || size.y <= 48) { return false; }
    map.fitBounds(bounds, {padding: [12, 12]});
    return true;
  }
  if (!fit() && window.ResizeObserver) {
    var ro = new ResizeObserver(function () { if (fit()) { ro.disconnect(); } });
    ro.observe(map.getContainer());
  }
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )
    el.bounds = [[float(miny), float(minx)], [float(maxy), float(maxx)]]  # type: ignore[attr-defined]
    m.add_child(el, name="geo_fit")  # one fit per map: a later call replaces the earlier one


def _get_map(m: Any, bounds: Sequence[float] | None, tiles: Any, **kw: Any) -> tuple[Any, bool]:
    """Return (map, created)."""
    if m is None:
        return base_map(bounds, tiles=tiles, **kw), True
    folium = _folium()
    if not isinstance(m, folium.Map):
        raise InputError(
            f"m= must be a folium.Map, got {type(m).__name__}", "pass a map returned by a geo.maps builder"
        )
    if tiles is not None:
        raise InputError("tiles= only applies when a new map is made", "choose the tiles when creating the first map")
    _ensure_setup(m)
    if kw.get("network") is not None:
        add_network(m, kw["network"])
    if kw.get("boundaries") is not None:
        add_boundaries(m, kw["boundaries"], clip=bounds)
    if kw.get("title"):
        _set_title(m, kw["title"])
    if kw.get("attribution"):
        _add_attribution(m, kw["attribution"])
    return m, False


# ---------------------------------------------------------------------------------------------- geometry
def _shift_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 -> GCJ-02 for arrays (uses geo.crs when available)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    from geo.crs import wgs84_to_gcj02

    out = wgs84_to_gcj02(x, y)
    return np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)


def _prepare(gdf: gpd.GeoDataFrame, m: Any, decimals: int = 6) -> gpd.GeoDataFrame:
    """To EPSG:4326, shifted to the map's datum, coordinates rounded."""
    import shapely

    if gdf.crs is None:
        raise InputError("a layer has no CRS", "set it, e.g. gdf.set_crs('EPSG:4326')")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)].copy()
    shift = _datum(m) == "gcj02"

    def tf(coords: np.ndarray) -> np.ndarray:
        if shift and len(coords):
            x, y = _shift_xy(coords[:, 0], coords[:, 1])
            coords = np.column_stack([x, y])
        return np.round(coords, decimals)

    gdf.geometry = shapely.transform(gdf.geometry.values, tf)
    return gdf


def _geojson(m: Any, gdf: gpd.GeoDataFrame, props: dict[str, Sequence[Any]], decimals: int = 6) -> dict[str, Any]:
    """A FeatureCollection dict with ONLY the given (safe) properties."""
    import shapely

    g = _prepare(gdf, m, decimals)
    keep = np.asarray(~(gdf.geometry.isna() | gdf.geometry.is_empty))
    feats = []
    geoms = g.geometry.values
    cols = {k: [v for v, k2 in zip(vals, keep) if k2] for k, vals in props.items()}
    for i, geom in enumerate(geoms):
        feats.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(geom)),
                "properties": {k: _jsonable(v[i]) for k, v in cols.items()},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _tip(rows: Iterable[tuple[str, Any]], head: str | None = None) -> str:
    """Escaped tooltip HTML from (label, value) pairs."""
    parts = [f"<b>{escape(head)}</b>"] if head else []
    for label, value in rows:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            continue
        parts.append(f"{escape(label)}: {escape(value)}")
    return "<br>".join(parts)


def _add_geojson(
    parent: Any,
    data: dict[str, Any],
    style: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    tooltip: bool = True,
    name: str | None = None,
    highlight: bool = False,
    **options: Any,
) -> Any:
    folium = _folium()
    kw: dict[str, Any] = {}
    if tooltip and data["features"] and "_tip" in data["features"][0]["properties"]:
        kw["tooltip"] = folium.GeoJsonTooltip(fields=["_tip"], labels=False, sticky=True)
    if highlight:
        kw["highlight_function"] = lambda f: {"weight": 3, "fillOpacity": 0.7}
    gj = folium.GeoJson(data, style_function=style, name=name, **kw, **options)
    gj.add_to(parent)
    return gj


def _legend_html(title: str, rows: Sequence[tuple[str, str, str]]) -> str:
    """rows: (kind in swatch/line/dot, css colour or style, label). Labels are escaped here."""
    out = [f'<div class="geo-legend-title">{escape(title)}</div>']
    for kind, colour, label in rows:
        c = escape(colour)
        if kind == "note":
            out.append(f'<div class="geo-row" style="color:#666;font-size:11px;max-width:190px">{escape(label)}</div>')
            continue
        if kind == "swatch":
            sw = f'<span class="geo-swatch" style="background:{c}"></span>'
        elif kind == "line":
            sw = f'<span class="geo-line" style="border-top:{c}"></span>'
        else:
            sw = f'<span class="geo-dot" style="{c}"></span>'
        out.append(f'<div class="geo-row">{sw}<span>{escape(label)}</span></div>')
    return "".join(out)


# ---------------------------------------------------------------------------------------------- base layers
def add_network(
    m: folium.Map,
    net: Network | gpd.GeoDataFrame,
    *,
    name: str = "Road network",
    show: bool = True,
    max_segments: int = 250_000,
) -> folium.Map:
    """Draw a network as a light grey base layer (line width by road class) on ``m``.

    Minor roads are left out when the network has more than ``max_segments``
    segments (the page stays small and fast).
    """
    folium = _folium()
    _ensure_setup(m)
    lines, dropped = _network_lines(net, max_segments)
    if not len(lines):
        return m
    data = _geojson(m, lines, {"class": list(lines["class"])}, decimals=5)

    def style(f: dict[str, Any]) -> dict[str, Any]:
        colour, weight, _ = S.ROAD_STYLE[f["properties"]["class"]]
        dash = "4 3" if f["properties"]["class"] == "rail" else None
        return {"color": colour, "weight": weight, "opacity": 0.9, "dashArray": dash, "lineCap": "round"}

    label = name if not dropped else f"{name} (major roads)"
    fg = folium.FeatureGroup(name=label, show=show)
    _add_geojson(fg, data, style, tooltip=False, pane=_ROADS_PANE, interactive=False)
    fg.add_to(m)
    return m


def add_boundaries(
    m: folium.Map,
    boundaries: gpd.GeoDataFrame | str | Path,
    *,
    name: str = "Boundaries",
    clip: Sequence[float] | None = None,
    labels: bool = True,
) -> folium.Map:
    """Draw polygon outlines (e.g. counties) with their names on ``m``, clipped to ``clip`` (+50 %)."""
    folium = _folium()
    _ensure_setup(m)
    gdf = _as_gdf(boundaries, "boundaries")
    if gdf.crs is None:
        raise InputError("the boundaries have no CRS", "use a file with a CRS (e.g. *_wgs84.geojson)")
    gdf = gdf.to_crs(4326)
    if clip is not None and all(math.isfinite(float(c)) for c in clip):
        minx, miny, maxx, maxy = (float(c) for c in clip)
        dx, dy = (maxx - minx) * 0.5 + 0.01, (maxy - miny) * 0.5 + 0.01
        gdf = gdf.cx[minx - dx : maxx + dx, miny - dy : maxy + dy]
    if not len(gdf):
        return m
    name_col = next((c for c in ("name", "NAME", "name_zh", "county") if c in gdf.columns), None)
    outlines = gdf.copy()
    outlines.geometry = outlines.geometry.boundary
    data = _geojson(m, outlines, {})
    fg = folium.FeatureGroup(name=name, show=True)
    _add_geojson(
        fg,
        data,
        lambda f: {"color": "#5b5b5b", "weight": 1.2, "opacity": 0.8, "dashArray": "6 4"},
        tooltip=False,
        pane=_BOUNDARY_PANE,
        interactive=False,
    )
    if labels and name_col is not None:
        pts = _prepare(gpd_points(gdf.geometry.representative_point()), m)
        for (x, y), label in zip(np.column_stack([pts.geometry.x, pts.geometry.y]), gdf[name_col]):
            folium.Marker(
                [y, x],
                icon=folium.DivIcon(html=f'<div class="geo-label">{escape(label)}</div>', icon_size=(0, 0)),
                interactive=False,
            ).add_to(fg)
    fg.add_to(m)
    return m


def gpd_points(geoms: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def _dot(
    parent: Any, lat: float, lon: float, tooltip: Any, *, radius: float, weight: float,
    color: str = "#111111", fill: str = "#ffffff",
) -> None:
    """An opaque circle marker above the other layers (origins, stations, route ends, places)."""
    _folium().CircleMarker(
        [lat, lon], pane=_TOP_PANE, radius=radius, color=color, weight=weight,
        fill=True, fill_color=fill, fill_opacity=1.0, tooltip=tooltip,
    ).add_to(parent)  # fmt: skip


def _add_origins(m: Any, origins: Any, *, name: str = "Origins", what: str = "origins") -> int:
    folium = _folium()
    pts = _points(origins, what)
    if not len(pts):
        return 0
    shifted = _prepare(pts, m)
    fg = folium.FeatureGroup(name=name if len(pts) > 1 else name.rstrip("s"), show=True)
    for (x, y), (_, row) in zip(np.column_stack([shifted.geometry.x, shifted.geometry.y]), pts.iterrows()):
        lon, lat = row.geometry.x, row.geometry.y
        tip = _tip([("lon, lat (WGS84)", f"{lon:.5f}, {lat:.5f}")], head=str(row["name"]))
        _dot(fg, y, x, folium.Tooltip(tip, sticky=False), radius=7, weight=3)
    fg.add_to(m)
    return len(pts)


# ---------------------------------------------------------------------------------------------- bands
def _add_bands(
    m: Any,
    bands: gpd.GeoDataFrame,
    *,
    name: str,
    colors: Sequence[str] | None,
    show: bool = True,
    fill_opacity: float = S.BAND_FILL_OPACITY,
    dash: str | None = None,
    all_minutes: Sequence[float] | None = None,
) -> list[tuple[str, str, str]]:
    """Draw band rings on ``m``; returns the legend rows (swatches) for the caller to place."""
    folium = _folium()
    rings = _rings(bands)
    minutes = list(rings["minutes"])
    scale = sorted(set(all_minutes)) if all_minutes is not None else minutes
    palette = S.band_colors(len(scale), colors)
    colour_of = dict(zip(scale, palette))
    labels = dict(zip(scale, S.band_labels(scale)))
    order = rings.index[::-1]  # largest first, smallest drawn on top
    rings = rings.loc[order]
    tips = []
    for _, r in rings.iterrows():
        rows: list[tuple[str, Any]] = []
        if "area_km2" in r and pd.notna(r["area_km2"]):
            rows.append((f"area within {S.format_minutes(r['minutes'])} min", f"{r['area_km2']:,.1f} km²"))
        if "population" in r and pd.notna(r["population"]):
            rows.append((f"population within {S.format_minutes(r['minutes'])} min", f"{r['population']:,.0f}"))
        tips.append(_tip(rows, head=f"{name}: {labels[r['minutes']]} min"))
    data = _geojson(m, rings, {"_tip": tips, "_color": [colour_of[x] for x in rings["minutes"]]})

    def style(f: dict[str, Any]) -> dict[str, Any]:
        c = f["properties"]["_color"]
        return {
            "fillColor": c,
            "color": S.darker(c, 0.75),
            "weight": 1.2,
            "opacity": 0.9,
            "fillOpacity": fill_opacity,
            "dashArray": dash,
        }

    fg = folium.FeatureGroup(name=name, show=show)
    _add_geojson(fg, data, style)
    fg.add_to(m)
    return [("swatch", colour_of[x], labels[x]) for x in scale]


def isochrone_map(
    bands: gpd.GeoDataFrame,
    origins: Any = None,
    *,
    m: folium.Map | None = None,
    title: str | None = None,
    colors: Sequence[str] | None = None,
    tiles: str | Sequence[str] | None = None,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    name: str = "Travel time",
    legend: bool = True,
) -> folium.Map:
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
    bands = _check_bands(bands)
    bounds = tuple(bands.total_bounds) if len(bands) else None
    m, created = _get_map(m, bounds, tiles, network=network, boundaries=boundaries, title=title)
    rows = _add_bands(m, bands, name=name, colors=colors) if len(bands) else []
    n = _add_origins(m, origins)
    if n:
        rows.append(("dot", "", "Origin" if n == 1 else "Origins"))
    if legend and rows:
        _add_control(m, _legend_html("Travel time (minutes)", rows))
    if created and bounds is not None:
        _fit(m, bounds)
    _finish(m)
    return m


def _finish(m: Any) -> None:
    """(Re)place the layer control last so it lists every layer."""
    folium = _folium()
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            del m._children[key]
    folium.LayerControl(collapsed=False, position="topright").add_to(m)


# ---------------------------------------------------------------------------------------------- other builders
def network_map(
    net: Network | gpd.GeoDataFrame,
    m: folium.Map | None = None,
    *,
    title: str | None = None,
    tiles: str | Sequence[str] | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    name: str = "Road network",
    max_segments: int = 250_000,
) -> folium.Map:
    """Map a network (:class:`~geo.network.Network` or edges GeoDataFrame) by road class, with a legend.

    Examples
    --------
    >>> from geo.network import Network
    >>> net = Network.from_edges([112.5, 112.51, 112.52], [37.8, 37.8, 37.81], [0, 1], [1, 2], speed_kmh=50,
    ...     attrs=__import__("pandas").DataFrame({"highway": ["primary", "residential"]}))
    >>> "Primary" in map_html(network_map(net))
    True
    """
    bounds = _extent_of(net if hasattr(net, "indptr") else _as_gdf(net, "network"))
    m, created = _get_map(m, bounds, tiles, boundaries=boundaries, title=title, attribution=S.OSM_ATTRIBUTION_HTML)
    lines, _ = _network_lines(net, max_segments)
    add_network(m, net, name=name, max_segments=max_segments)
    present = [c for c in S.ROAD_STYLE if c in set(lines["class"])]
    rows = [
        (
            "line",
            f"{max(S.ROAD_STYLE[c][1], 1.5) + 1:.1f}px {'dashed' if c == 'rail' else 'solid'} {S.ROAD_STYLE[c][0]}",
            S.ROAD_LABEL[c],
        )
        for c in present
    ]
    if rows:
        _add_control(m, _legend_html("Network", rows))
    if created and bounds is not None:
        _fit(m, bounds)
    _finish(m)
    return m


def route_map(
    route: Any,
    m: folium.Map | None = None,
    *,
    title: str | None = None,
    tiles: str | Sequence[str] | None = None,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    name: str = "Route",
    color: str | None = None,
) -> folium.Map:
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
    folium = _folium()
    g = _route_gdf(route)
    if g.crs is None:
        g = g.set_crs(4326)
    g = g.to_crs(4326)
    g = g[~(g.geometry.isna() | g.geometry.is_empty)]
    bounds = tuple(g.total_bounds) if len(g) else None
    m, created = _get_map(m, bounds, tiles, network=network, boundaries=boundaries, title=title)
    if not len(g):
        _finish(m)
        return m
    modes = g["mode"].astype(str).tolist() if "mode" in g.columns else ["drive"] * len(g)
    tips = []
    for i, (_, r) in enumerate(g.iterrows()):
        rows: list[tuple[str, Any]] = [("mode", modes[i])]
        for col, label, fmt in (
            ("from", "from", "{}"),
            ("to", "to", "{}"),
            ("name", "name", "{}"),
            ("ref", "ref", "{}"),
            ("minutes", "minutes", "{:.1f}"),
            ("time_minutes", "minutes", "{:.2f}"),
            ("metres", "metres", "{:,.0f}"),
            ("length_metres", "metres", "{:,.0f}"),
        ):
            if col in g.columns and pd.notna(r[col]) and str(r[col]) != "":
                try:
                    rows.append((label, fmt.format(r[col])))
                except (ValueError, TypeError):
                    rows.append((label, str(r[col])))
        tips.append(_tip(rows, head=name))
    colours = [color or S.ROUTE_COLORS.get(md, S.ROUTE_COLORS["drive"]) for md in modes]
    data = _geojson(m, g, {"_tip": tips, "_color": colours, "_mode": modes})

    def style(f: dict[str, Any]) -> dict[str, Any]:
        p = f["properties"]
        dash = "2 6" if p["_mode"] in ("walk", "transfer") else None
        return {"color": p["_color"], "weight": 5, "opacity": 0.9, "dashArray": dash, "lineCap": "round"}

    fg = folium.FeatureGroup(name=name)
    # white casing under the line keeps it readable over bands and roads
    _add_geojson(fg, data, lambda f: {"color": "#ffffff", "weight": 8, "opacity": 0.8}, tooltip=False, pane=_TOP_PANE)
    _add_geojson(fg, data, style, pane=_TOP_PANE)
    fg.add_to(m)
    # start / end markers
    first = g.geometry.iloc[0]
    last = g.geometry.iloc[-1]
    import shapely

    ends = [shapely.get_point(first, 0), shapely.get_point(last, -1)]
    ends = [e if e is not None and not e.is_empty else first.representative_point() for e in ends]
    pts = _prepare(gpd_points(ends), m)
    for (x, y), label, fill in zip(
        np.column_stack([pts.geometry.x, pts.geometry.y]), ("Start", "End"), ("#ffffff", "#111111")
    ):
        _dot(fg, y, x, escape(label), radius=6, weight=2.5, fill=fill)
    present = list(dict.fromkeys(modes))
    legend_rows = [
        (
            "line",
            f"4px {'dotted' if md in ('walk', 'transfer') else 'solid'} {color or S.ROUTE_COLORS.get(md, S.ROUTE_COLORS['drive'])}",
            md,
        )
        for md in present
    ]
    _add_control(m, _legend_html(name, legend_rows))
    if created and bounds is not None:
        _fit(m, bounds)
    _finish(m)
    return m


def rail_map(
    lines: gpd.GeoDataFrame | str | Path | None,
    stations: gpd.GeoDataFrame | str | Path | None = None,
    m: folium.Map | None = None,
    *,
    title: str | None = None,
    tiles: str | Sequence[str] | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    name: str = "Rail",
    proposed: bool = False,
    labels: bool = True,
) -> folium.Map:
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
    folium = _folium()
    lg = _as_gdf(lines, "rail lines").to_crs(4326) if lines is not None else None
    sg = _as_gdf(stations, "stations") if stations is not None else None
    if sg is not None:
        sg = (sg.set_crs(4326) if sg.crs is None else sg).to_crs(4326)
    bounds = _extent_of(lg, sg)
    m, created = _get_map(m, bounds, tiles, boundaries=boundaries, title=title, attribution=S.OSM_ATTRIBUTION_HTML)
    legend_rows: list[tuple[str, str, str]] = []
    if lg is not None and len(lg):
        kinds = [_rail_kind(r) for _, r in lg.iterrows()]
        tips = []
        for (_, r), k in zip(lg.iterrows(), kinds):
            rows: list[tuple[str, Any]] = [("type", {"hsr": "high-speed"}.get(k, k))]
            for col in ("ref", "operator", "maxspeed", "design_speed_kmh", "speed_kmh"):
                if col in lg.columns and pd.notna(r[col]) and str(r[col]):
                    rows.append((col, r[col]))
            nm = r["name"] if "name" in lg.columns and pd.notna(r["name"]) else None
            tips.append(_tip(rows, head=str(nm) if nm else name))
        colours = [S.PROPOSED_COLOR if proposed else S.RAIL_COLORS.get(k, S.RAIL_COLORS["rail"]) for k in kinds]
        data = _geojson(m, lg, {"_tip": tips, "_color": colours, "_kind": kinds}, decimals=5)

        def style(f: dict[str, Any]) -> dict[str, Any]:
            p = f["properties"]
            w = 4.5 if p["_kind"] == "hsr" or proposed else 3
            return {"color": p["_color"], "weight": w, "opacity": 0.95, "dashArray": "10 6" if proposed else None}

        fg = folium.FeatureGroup(name=f"{name} lines" + (" (proposed)" if proposed else ""))
        _add_geojson(
            fg, data, lambda f: {"color": "#ffffff", "weight": 7, "opacity": 0.7}, tooltip=False, pane=_TOP_PANE
        )
        _add_geojson(fg, data, style, pane=_TOP_PANE)
        fg.add_to(m)
        for k in dict.fromkeys(kinds):
            c = S.PROPOSED_COLOR if proposed else S.RAIL_COLORS.get(k, S.RAIL_COLORS["rail"])
            label = {"hsr": "High-speed rail", "rail": "Railway"}.get(k, k.replace("_", " ").title())
            legend_rows.append(
                ("line", f"4px {'dashed' if proposed else 'solid'} {c}", label + (" (proposed)" if proposed else ""))
            )
    if sg is not None and len(sg):
        pts = _prepare(sg, m)
        fg = folium.FeatureGroup(name=f"{name} stations")
        has_name = "name" in sg.columns
        for (x, y), (_, r) in zip(np.column_stack([pts.geometry.x, pts.geometry.y]), pts.iterrows()):
            nm = str(r["name"]) if has_name and pd.notna(r["name"]) else ""
            rows = [(c, r[c]) for c in ("line", "lines", "code") if c in pts.columns and pd.notna(r[c])]
            _dot(fg, y, x, _tip(rows, head=nm or "station"), radius=5, weight=2)
            if labels and nm and len(sg) <= 150:
                folium.Marker(
                    [y, x],
                    icon=folium.DivIcon(
                        html=f'<div class="geo-label" style="color:#111;font-size:12px;margin:-18px 0 0 8px">{escape(nm)}</div>',
                        icon_size=(0, 0),
                    ),
                    interactive=False,
                ).add_to(fg)
        fg.add_to(m)
        legend_rows.append(("dot", "", "Station"))
    if legend_rows:
        _add_control(m, _legend_html(name, legend_rows))
    if created and bounds is not None:
        _fit(m, bounds)
    _finish(m)
    return m


def points_map(
    points: gpd.GeoDataFrame | str | Path,
    m: folium.Map | None = None,
    *,
    name: str = "Opportunities",
    label: str | None = None,
    color: str = "#1f6fb2",
    radius: float = 4.0,
    title: str | None = None,
    tiles: str | Sequence[str] | None = None,
    legend: bool = True,
) -> folium.Map:
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
    folium = _folium()
    pts = _as_gdf(points, "points")
    pts = (pts.set_crs(4326) if pts.crs is None else pts).to_crs(4326)
    pts = pts[~(pts.geometry.isna() | pts.geometry.is_empty)].copy()
    if not (pts.geom_type == "Point").all():
        pts["geometry"] = pts.geometry.representative_point()
    bounds = tuple(pts.total_bounds) if len(pts) else None
    m, created = _get_map(m, bounds, tiles, title=title)
    if len(pts):
        cols = [c for c in pts.columns if c not in (pts.geometry.name, label)][:6]
        tips = [
            _tip([(c, r[c]) for c in cols if pd.notna(r[c]) and str(r[c])], head=str(r[label]) if label and pd.notna(r[label]) else name)
            for _, r in pts.iterrows()
        ]
        data = _geojson(m, pts[[pts.geometry.name]], {"_tip": tips}, decimals=6)
        fg = folium.FeatureGroup(name=name)
        marker = folium.CircleMarker(radius=radius, weight=1, color="#ffffff", fill=True, fill_color=color, fill_opacity=0.9)
        _add_geojson(fg, data, lambda f: {"fillColor": color, "color": "#ffffff"}, marker=marker, pane=_TOP_PANE)
        fg.add_to(m)
        if legend:
            _add_control(m, _legend_html(name, [("dot", f"background:{color}", f"{name} ({len(pts):,})")]))
    if created and bounds is not None:
        _fit(m, bounds)
    _finish(m)
    return m


def comparison_map(
    before_bands: gpd.GeoDataFrame,
    after_bands: gpd.GeoDataFrame,
    proposed_lines: gpd.GeoDataFrame | str | Path | None = None,
    m: folium.Map | None = None,
    *,
    origins: Any = None,
    title: str | None = None,
    tiles: str | Sequence[str] | None = None,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    colors: Sequence[str] | None = None,
    before_name: str = "Before",
    after_name: str = "After",
) -> folium.Map:
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
    >>> road = gpd.GeoDataFrame({"name": ["new <road>"]}, geometry=[shapely.LineString([(112.58, 37.86), (112.61, 37.86)])], crs=4326)
    >>> html = map_html(comparison_map(before, after, road))
    >>> "new <road>" in html, "Proposed road / line" in html
    (False, True)
    """
    import geopandas as gpd
    import shapely

    folium = _folium()
    before = _check_bands(before_bands, "before_bands")
    after = _check_bands(after_bands, "after_bands")
    prop = None
    if proposed_lines is not None:
        prop = _as_gdf(proposed_lines, "proposed lines")
        prop = (prop.set_crs(4326) if prop.crs is None else prop).to_crs(4326)
    bounds = _extent_of(before, after, prop)
    m, created = _get_map(m, bounds, tiles, network=network, boundaries=boundaries, title=title)
    all_minutes = sorted(
        set(pd.to_numeric(before["minutes"]).astype(float)) | set(pd.to_numeric(after["minutes"]).astype(float))
    )
    if len(before):
        _add_bands(m, before, name=before_name, colors=colors, show=False, all_minutes=all_minutes)
    if len(after):
        band_rows = _add_bands(m, after, name=after_name, colors=colors, show=True, all_minutes=all_minutes)
        _add_control(m, _legend_html("Travel time (minutes)", band_rows))
    # area gained per threshold: after band minus before band
    bmap = {
        float(k): shapely.union_all(v.values)
        for k, v in before.groupby(pd.to_numeric(before["minutes"]).astype(float)).geometry
    }
    amap = {
        float(k): shapely.union_all(v.values)
        for k, v in after.groupby(pd.to_numeric(after["minutes"]).astype(float)).geometry
    }
    gain_rows, gain_geoms = [], []
    for mnt in sorted(amap):
        gained = shapely.make_valid(shapely.difference(amap[mnt], bmap.get(mnt, shapely.Polygon())))
        if gained.is_empty or gained.area <= 0:
            continue
        gain_rows.append(mnt)
        gain_geoms.append(gained)
    if gain_geoms:
        gg = gpd.GeoDataFrame({"minutes": gain_rows}, geometry=gain_geoms, crs=4326)
        metric = gg.to_crs(gg.estimate_utm_crs())
        km2 = list(metric.area / 1e6)
        tips = [
            _tip([("area gained", f"{a:,.2f} km²")], head=f"Newly within {S.format_minutes(x)} min")
            for x, a in zip(gain_rows, km2)
        ]
        data = _geojson(m, gg.iloc[::-1], {"_tip": tips[::-1]})
        fg = folium.FeatureGroup(name="Area gained", show=True)
        _add_geojson(
            fg,
            data,
            lambda f: {
                "color": "#00733c",
                "weight": 2.2,
                "fillColor": "#00a651",
                "fillOpacity": 0.12,
                "dashArray": "5 3",
            },
        )
        fg.add_to(m)
    legend_rows: list[tuple[str, str, str]] = [("line", "3px dashed #00733c", "Area gained")] if gain_geoms else []
    if prop is not None and len(prop):
        tips = []
        for _, r in prop.iterrows():
            rows = [
                (c, r[c])
                for c in ("class", "highway", "speed_kmh", "lanes", "ref")
                if c in prop.columns and pd.notna(r[c])
            ]
            nm = r["name"] if "name" in prop.columns and pd.notna(r["name"]) else "Proposed"
            tips.append(_tip(rows, head=str(nm)))
        data = _geojson(m, prop, {"_tip": tips})
        fg = folium.FeatureGroup(name="Proposed", show=True)
        _add_geojson(
            fg, data, lambda f: {"color": "#ffffff", "weight": 9, "opacity": 0.9}, tooltip=False, pane=_TOP_PANE
        )
        _add_geojson(
            fg,
            data,
            lambda f: {"color": S.PROPOSED_COLOR, "weight": 5, "opacity": 1.0, "lineCap": "round"},
            pane=_TOP_PANE,
        )
        fg.add_to(m)
        legend_rows.append(("line", f"5px solid {S.PROPOSED_COLOR}", "Proposed road / line"))
    n = _add_origins(m, origins)
    if n:
        legend_rows.append(("dot", "", "Origin" if n == 1 else "Origins"))
    legend_rows.append(("note", "", f"{after_name} shown; switch on {before_name} in the layer list"))
    _add_control(m, _legend_html("Scenario", legend_rows))
    if created and bounds is not None:
        _fit(m, bounds)
    _finish(m)
    return m


def gains_map(
    points: gpd.GeoDataFrame,
    m: folium.Map | None = None,
    *,
    before: str = "before_minutes",
    after: str = "after_minutes",
    label: str = "name",
    title: str | None = None,
    tiles: str | Sequence[str] | None = None,
    network: Network | gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | str | Path | None = None,
    name: str = "Minutes saved",
) -> folium.Map:
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
    folium = _folium()
    g = _as_gdf(points, "points")
    for col in (before, after):
        if col not in g.columns:
            raise InputError(f"points have no {col!r} column (columns: {list(g.columns)})", f"pass {before}/{after}")
    g = (g.set_crs(4326) if g.crs is None else g).to_crs(4326).copy()
    g.geometry = g.geometry.representative_point()
    bounds = tuple(g.total_bounds) if len(g) else None
    m, created = _get_map(m, bounds, tiles, network=network, boundaries=boundaries, title=title)
    b = pd.to_numeric(g[before], errors="coerce").to_numpy(dtype=float)
    a = pd.to_numeric(g[after], errors="coerce").to_numpy(dtype=float)
    saved = b - a
    finite = saved[np.isfinite(saved) & (saved > 0)]
    top = float(finite.max()) if finite.size else 1.0
    pts = _prepare(g, m)
    fg = folium.FeatureGroup(name=name)
    for i, ((x, y), (_, r)) in enumerate(zip(np.column_stack([pts.geometry.x, pts.geometry.y]), g.iterrows())):
        nm = str(r[label]) if label in g.columns and pd.notna(r[label]) else f"place {i + 1}"
        if np.isnan(b[i]) and np.isfinite(a[i]):
            colour, radius, status = S.NEW_REACH_COLOR, 10.0, "newly reachable"
        elif not np.isfinite(a[i]):
            colour, radius, status = S.NO_CHANGE_COLOR, 5.0, "unreachable"
        elif saved[i] > 1e-9:
            t = saved[i] / top
            colour, radius, status = S.ramp(S.GAIN_RAMP[1:], t), 5 + 7 * math.sqrt(t), f"{saved[i]:.1f} min faster"
        elif saved[i] < -1e-9:
            colour, radius, status = S.LOSS_COLOR, 6.0, f"{-saved[i]:.1f} min slower"
        else:
            colour, radius, status = S.NO_CHANGE_COLOR, 4.0, "no change"
        rows = [
            ("before", "unreachable" if np.isnan(b[i]) else f"{b[i]:.1f} min"),
            ("after", "unreachable" if np.isnan(a[i]) else f"{a[i]:.1f} min"),
            ("change", status),
        ]
        if len(g) <= 40:
            folium.Marker(
                [y, x],
                icon=folium.DivIcon(
                    html=f'<div class="geo-label" style="color:#222;margin:-8px 0 0 {radius + 4:.0f}px">{escape(nm)}</div>',
                    icon_size=(0, 0),
                ),
                interactive=False,
            ).add_to(fg)
        _dot(fg, y, x, _tip(rows, head=nm), radius=radius, weight=1.5, color=S.darker(colour, 0.6), fill=colour)
    fg.add_to(m)
    newly = bool(np.any(np.isnan(b) & np.isfinite(a)))
    rows_l: list[tuple[str, str, str]] = []
    if finite.size:
        rows_l.append(("swatch", S.ramp(S.GAIN_RAMP[1:], 0.0), "a little faster"))
        rows_l.append(("swatch", S.ramp(S.GAIN_RAMP[1:], 1.0), f"{top:.0f} min faster"))
    if newly:
        rows_l.append(("swatch", S.NEW_REACH_COLOR, "newly reachable"))
    rows_l.append(("swatch", S.NO_CHANGE_COLOR, "no change / unreachable"))
    if np.any(saved < -1e-9):
        rows_l.append(("swatch", S.LOSS_COLOR, "slower"))
    _add_control(m, _legend_html(name, rows_l))
    if created and bounds is not None:
        _fit(m, bounds)
    _finish(m)
    return m


# ---------------------------------------------------------------------------------------------- output
def map_html(m: folium.Map, *, strict: bool = True) -> str:
    """The map as one self-contained HTML page (Leaflet inlined, no CDN requests).

    ``strict=False`` leaves resources it cannot inline (unknown folium
    plugins) in place instead of raising.
    """
    folium = _folium()
    if not isinstance(m, folium.Map):
        raise InputError(f"expected a folium.Map, got {type(m).__name__}", "pass a map made by geo.maps")
    page = m.get_root().render()
    return make_offline(page, strict=strict)


def save_map(m: folium.Map, path: str | Path, *, strict: bool = True) -> Path:
    """Write ``m`` to ``path`` as one self-contained HTML file (atomic write); returns the path.

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
