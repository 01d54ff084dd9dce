"""Draw a :class:`~geo.render.describe.MapSpec` as an offline Leaflet map (folium).

Layers go into feature groups (one layer-control entry per layer name), in
custom panes so that the road base sits above the bands and routes, lines and
markers above the roads. Web tiles in GCJ-02 (Amap) shift every overlay from
WGS84 so it lines up. All text from data is HTML-escaped.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo._private import style as S
from geo._private.offline import escape, make_offline
from geo.crs import from_wgs84, geometry_to_datum
from geo.errors import InputError
from geo.render.describe import Bounds, Layer, Legend, MapSpec

# name -> (url template, attribution html, datum, subdomains, max zoom)
_AMAP = "© 高德地图 AutoNavi (GCJ-02)"
TILES: dict[str, tuple[str, str, str, str, int]] = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", S.OSM_ATTRIBUTION_HTML, "wgs84", "abc", 19),
    "amap": ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
             _AMAP, "gcj02", "1234", 18),
    "amap-satellite": ("https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
                       _AMAP, "gcj02", "1234", 18),
}  # fmt: skip
TILES["gaode"] = TILES["amap"]

# web panes: boundaries (z 440) and roads (z 450) above the bands, not interactive; "top" (z 460) interactive
_PANES = {"boundary": ("geo-boundaries", 440, False), "roads": ("geo-roads", 450, False), "top": ("geo-top", 460, True)}
_LABEL_STYLE = {  # text layers: style attribute of the label (``{r}``: the marker radius + 4 px)
    "area": "", "station": ' style="color:#111;font-size:12px;margin:-18px 0 0 8px"',
    "place": ' style="color:#222;margin:-8px 0 0 {r}px"',
}  # fmt: skip
_LEGEND_SYMBOL = {  # legend rows: the symbol before the label ({w}: line width in px)
    "swatch": '<span class="geo-swatch" style="background:{c}"></span>',
    "line": '<span class="geo-line" style="border-top:{w:g}px {dash} {c}"></span>',
    "dot": '<span class="geo-dot" style="background:{c};border-color:{edge}"></span>',
}

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

# Leaflet's fitBounds on a container that has no size yet (a map in an iframe that is not laid out, a hidden
# tab) computes a NaN zoom and breaks the map for good; so fit only once the container is larger than the
# padding, and wait for a resize otherwise. Bounds of zero size (one place) would ask for an infinite zoom
# (NaN without a tile layer's maxZoom): ``fit`` widens them and ``maxZoom`` caps the zoom.
_FIT_MAX_ZOOM = 17
_WORLD: Bounds = (-180.0, -60.0, 180.0, 75.0)  # shown when there is nothing to fit
_POINT_HALF_SIDE_DEG = 0.01  # one place: show about 2 km around it
_FIT_JS = """
(function (map) {
  var bounds = {{ this.bounds|tojson }};
  function fit() {
    var size = map.getSize();
    if (size.x <= 48 || size.y <= 48) { return false; }
    map.fitBounds(bounds, {padding: [12, 12], maxZoom: {{ this.max_zoom }}});
    return true;
  }
  if (!fit() && window.ResizeObserver) {
    var ro = new ResizeObserver(function () { if (fit()) { ro.disconnect(); } });
    ro.observe(map.getContainer());
  }
})({{ this._parent.get_name() }});
"""
_CONTROL_JS = """
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
"""


def _macro(template: str, parent: Any, name: str | None = None, **attrs: Any) -> Any:
    """Add a branca MacroElement running ``template`` (a Jinja script) to ``parent``."""
    el = MacroElement()
    el._template = Template("{% macro script(this, kwargs) %}" + template + "{% endmacro %}")
    for k, v in attrs.items():
        setattr(el, k, v)
    parent.add_child(el, name=name)
    return el


def _attribution(m: Any, text_html: str) -> None:
    """Add ``text_html`` to the map's attribution (named by the text, so that a repeat replaces it in place)."""
    js = "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});"
    _macro(js, m, name=f"geo_attribution {text_html}", text=text_html)


def _setup(m: Any) -> None:
    """CSS and custom panes, once per map."""
    if getattr(m, "_geo_setup", False):
        return
    m._geo_datum = getattr(m, "_geo_datum", "wgs84")  # maps made elsewhere: overlays stay in WGS84
    m.get_root().header.add_child(folium.Element(_CSS), name="geo_css")
    for pane, z, events in _PANES.values():
        folium.map.CustomPane(pane, z_index=z, pointer_events=events).add_to(m)
    m._geo_setup = True


def tile_names(tiles: str | Sequence[str] | None) -> list[str]:
    names = [] if tiles is None else [tiles] if isinstance(tiles, str) else list(tiles)
    out = []
    for t in names:
        key = str(t).strip().lower()
        if key in ("", "none", "offline"):
            continue
        if key not in TILES:
            raise InputError(f"unknown tile layer {t!r}", f"use one of {', '.join(sorted(TILES))}, or None for offline")
        out.append(key)
    if len({TILES[k][2] for k in out}) > 1:
        raise InputError(f"tile layers {out} mix WGS84 and GCJ-02 providers; overlays can only line up with one",
                         "choose OSM tiles or Chinese (Amap) tiles, not both")  # fmt: skip
    return out


def new_map(bounds: Bounds | None, tiles: str | Sequence[str] | None) -> Any:
    """An empty map centred on ``bounds`` with optional web tiles (none: renders offline)."""
    names = tile_names(tiles)
    minx, miny, maxx, maxy = bounds or _WORLD
    m: Any = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=12, tiles=None,
                        prefer_canvas=True, control_scale=True)  # fmt: skip
    m._geo_datum = TILES[names[0]][2] if names else "wgs84"
    _setup(m)
    for i, key in enumerate(names):
        url, attr, _, subdomains, maxzoom = TILES[key]
        folium.TileLayer(tiles=url, attr=attr, name=key, subdomains=subdomains, max_zoom=maxzoom, overlay=False,
                         show=i == 0).add_to(m)  # fmt: skip
    return m


def fit(m: Any, bounds: Sequence[float]) -> None:
    """Fit the view to ``bounds`` (WGS84) once the map has a size; a later fit replaces this one."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return
    if maxx - minx < 1e-9 and maxy - miny < 1e-9:  # one point
        d = _POINT_HALF_SIDE_DEG
        minx, miny, maxx, maxy = minx - d, miny - d, maxx + d, maxy + d
    (minx, maxx), (miny, maxy) = from_wgs84(np.array([minx, maxx]), np.array([miny, maxy]), m._geo_datum)
    _macro(_FIT_JS, m, name="geo_fit", bounds=[[float(miny), float(minx)], [float(maxy), float(maxx)]],
           max_zoom=_FIT_MAX_ZOOM)  # fmt: skip


def _geojson(m: Any, lay: Layer, props: dict[str, list[Any]]) -> dict[str, Any]:
    """A FeatureCollection with ONLY the given (safe) properties, shifted to the map's datum, rounded."""
    geoms = geometry_to_datum(lay.gdf.geometry.values, m._geo_datum)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, lay.decimals))
    feats = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
              "properties": {k: v[i] for k, v in props.items()}} for i, g in enumerate(geoms)]  # fmt: skip
    return {"type": "FeatureCollection", "features": feats}


def _xy(m: Any, lay: Layer) -> np.ndarray:
    x, y = from_wgs84(lay.gdf.geometry.x.to_numpy(), lay.gdf.geometry.y.to_numpy(), m._geo_datum)
    return np.column_stack([np.round(x, lay.decimals), np.round(y, lay.decimals)])


def _add_geojson(parent: Any, data: dict[str, Any], style: Any, lay: Layer, tooltip: bool = True, **kw: Any) -> None:
    if tooltip and lay.tips is not None:
        kw["tooltip"] = folium.GeoJsonTooltip(fields=["_tip"], labels=False, sticky=True)
    if lay.pane in _PANES:
        kw["pane"] = _PANES[lay.pane][0]
        if not _PANES[lay.pane][2]:
            kw["interactive"] = False
    folium.GeoJson(data, style_function=style, **kw).add_to(parent)


def _draw(m: Any, fg: Any, lay: Layer) -> None:
    n = len(lay.gdf)
    if lay.kind == "text":
        for (x, y), text, r in zip(_xy(m, lay), lay.labels or [], lay.radius or [0.0] * n):
            if text:
                attr = _LABEL_STYLE[lay.label_style].format(r=f"{r + 4:.0f}")
                html = f'<div class="geo-label"{attr}>{escape(text)}</div>'
                folium.Marker([y, x], icon=folium.DivIcon(html=html, icon_size=(0, 0)), interactive=False).add_to(fg)
        return
    if lay.kind == "points" and not lay.bulk:  # one opaque circle per point, above the other layers
        fill = lay.fill or ["#ffffff"] * n
        for i, (x, y) in enumerate(_xy(m, lay)):
            folium.CircleMarker([y, x], pane=_PANES["top"][0], radius=(lay.radius or [5.0] * n)[i], color=lay.color[i],
                                weight=lay.width[i], fill=True, fill_color=fill[i], fill_opacity=1.0,
                                tooltip=lay.tips[i] if lay.tips else None).add_to(fg)  # fmt: skip
        return
    styles: dict[str, list[Any]] = {"_color": lay.fill or lay.color, "_w": lay.width, "_dash": lay.dash or [None] * n}
    if lay.fill is not None:
        styles["_edge"] = lay.color
    # per-feature style values go into the GeoJSON only where they vary (keeps pages with many points small)
    fixed = {k: v[0] for k, v in styles.items() if len({json.dumps(x) for x in v}) <= 1}
    props = {k: v for k, v in styles.items() if k not in fixed}
    if lay.tips is not None:
        props["_tip"] = lay.tips
    data = _geojson(m, lay, props)

    def get(f: dict[str, Any], key: str) -> Any:
        return f["properties"].get(key, fixed.get(key))

    if lay.kind == "points":  # many points: one GeoJSON layer of circle markers
        marker = folium.CircleMarker(radius=(lay.radius or [4.0])[0], weight=lay.width[0], color=lay.color[0],
                                     fill=True, fill_color=(lay.fill or ["#ffffff"])[0],
                                     fill_opacity=lay.fill_opacity)  # fmt: skip
        _add_geojson(fg, data, lambda f: {"fillColor": get(f, "_color"), "color": get(f, "_edge")}, lay, marker=marker)
        return
    if lay.kind == "lines" and lay.casing:  # a white casing keeps lines readable over bands and roads
        cw, _, co = lay.casing
        _add_geojson(fg, data, lambda f: {"color": "#ffffff", "weight": cw, "opacity": co}, lay, tooltip=False)

    def style(f: dict[str, Any]) -> dict[str, Any]:
        edge = get(f, "_edge") or get(f, "_color")
        out = {"color": edge, "weight": get(f, "_w"), "opacity": lay.opacity, "dashArray": get(f, "_dash")}
        if lay.kind == "polygons":
            return {**out, "fillColor": get(f, "_color"), "fillOpacity": lay.fill_opacity if lay.fill else 0}
        return {**out, "lineCap": "round"}

    _add_geojson(fg, data, style, lay)


def legend_html(legend: Legend) -> str:
    """The legend as escaped HTML rows."""
    out = [f'<div class="geo-legend-title">{escape(legend.title)}</div>'] if legend.title else []
    for r in (r for r in legend.rows if r.web):
        label = escape(r.label)
        if r.kind == "note":
            out.append(f'<div class="geo-row" style="color:#666;font-size:11px;max-width:190px">{label}</div>')
        else:
            sw = _LEGEND_SYMBOL[r.kind].format(c=escape(r.color), edge=escape(r.edge), w=r.width, dash=r.dash)
            out.append(f'<div class="geo-row">{sw}<span>{label}</span></div>')
    return "".join(out)


def draw(spec: MapSpec, m: Any = None, *, tiles: str | Sequence[str] | None = None) -> Any:
    """Draw ``spec`` on ``m`` (a new offline map when None); returns the map."""
    created = m is None
    if created:
        m = new_map(spec.bounds, tiles)
    elif not isinstance(m, folium.Map):
        raise InputError(f"m= must be a folium.Map, got {type(m).__name__}",
                         "pass a map returned by a geo.maps builder")  # fmt: skip
    elif tiles is not None:
        raise InputError("tiles= only applies when a new map is made", "choose the tiles when creating the first map")
    _setup(m)
    if spec.attribution:
        _attribution(m, spec.attribution)
    for name, group in itertools.groupby([x for x in spec.layers if x.web and len(x.gdf)], key=lambda x: x.name):
        lays = list(group)  # consecutive layers of one name: one entry in the layer control
        fg = folium.FeatureGroup(name=name, show=lays[0].show)
        for lay in lays:
            _draw(m, fg, lay)
        fg.add_to(m)
    for legend in spec.legends:
        if any(r.web for r in legend.rows):
            _macro(_CONTROL_JS, m, position="bottomright", css_class="geo-legend", html=legend_html(legend))
    if spec.title:
        title = folium.Element(f'<div class="geo-title">{escape(spec.title)}</div>')
        m.get_root().html.add_child(title, name="geo_title")
    if created:
        fit(m, spec.bounds or _WORLD)
    for key, child in list(m._children.items()):  # (re)place the layer control last so it lists every layer
        if isinstance(child, folium.LayerControl):
            del m._children[key]
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def map_html(m: Any, *, strict: bool = True) -> str:
    """The map as one self-contained HTML page (Leaflet inlined, no CDN requests)."""
    if not isinstance(m, folium.Map):
        raise InputError(f"expected a folium.Map, got {type(m).__name__}", "pass a map made by geo.maps")
    return make_offline(m.get_root().render(), strict=strict)
