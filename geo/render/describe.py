"""What a map shows, independent of how it is drawn.

Each map kind (isochrone, network, route, rail, points, comparison, gains) is described once here as a
:class:`MapSpec`: typed :class:`Layer` s with colours, widths, tooltips and labels, :class:`Legend` s, a title and an
attribution. :mod:`geo.render.folium` and :mod:`geo.render.mpl` draw a spec; neither decides what is on the map.
Sizes are given for both media (a Leaflet page and a 150-dpi PNG need different numbers for the same look):
``width`` and ``radius`` in web pixels, ``lw`` in matplotlib points, ``size`` as matplotlib marker area (points²).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._private import style as S
from geo._private.offline import escape
from geo.errors import InputError

Bounds = tuple[float, float, float, float]


# ---------------------------------------------------------------------------------------------- the description
@dataclasses.dataclass
class Layer:
    """One drawable layer. Per-feature lists have one entry per row of ``gdf`` (EPSG:4326).

    Consecutive layers with the same ``name`` form one entry of the web layer control.
    """

    name: str
    kind: Literal["polygons", "lines", "points", "text"]
    gdf: gpd.GeoDataFrame
    color: list[str]  # line, outline or marker-edge colour
    width: list[float]  # web px: line weight / marker outline
    lw: list[float]  # matplotlib points
    fill: list[str] | None = None
    dash: list[str | None] | None = None  # web dash pattern; any dash is "--" in static images
    opacity: float = 0.9  # web line opacity
    fill_opacity: float = S.BAND_FILL_OPACITY  # web fill opacity
    alpha: float = 1.0  # static fill alpha
    casing: tuple[float, float, float] | None = None  # white casing under lines: web px, static pt, web opacity
    radius: list[float] | None = None  # points: web px
    size: list[float] | None = None  # points: static marker area
    tips: list[str] | None = None  # escaped tooltip HTML
    labels: list[str] | None = None  # text layers: raw text
    label_style: Literal["area", "station", "place", "origin"] = "area"
    pane: Literal["boundary", "roads", "over", "top"] = "over"  # web stacking
    z: float = 3.0  # static zorder
    show: bool = True  # web: visible at first
    panels: tuple[str, ...] = ()  # static side-by-side panels it is drawn in (empty: all)
    web: bool = True
    static: bool = True
    bulk: bool = False  # web points as one GeoJSON layer (many points)
    decimals: int = 6


@dataclasses.dataclass
class Row:
    """A legend entry: a filled ``swatch``, a ``line``, a ``dot`` or a ``note``."""

    kind: Literal["swatch", "line", "dot", "note"]
    label: str
    color: str = "#ffffff"
    edge: str = "#111111"
    width: float = 4.0  # web line px
    lw: float = 2.2  # static line width / marker edge width
    ms: float | None = None  # static marker size
    dash: Literal["solid", "dashed", "dotted"] = "solid"
    alpha: float = 1.0
    panels: tuple[str, ...] = ()
    web: bool = True
    static: bool = True


@dataclasses.dataclass
class Legend:
    """A titled list of rows; the rows a medium or panel does not show are left out there (and so is an empty legend)."""

    title: str | None
    rows: list[Row]


@dataclasses.dataclass
class MapSpec:
    """A whole map: layers bottom to top, legends, title, attribution and the extent to show."""

    layers: list[Layer]
    legends: list[Legend]
    bounds: Bounds | None
    title: str | None = None
    attribution: str | None = None
    pad: float = 0.06  # static: margin around bounds, as a fraction
    panels: list[tuple[str, str]] | None = None  # static: side-by-side (key, title)


def _present(g: gpd.GeoDataFrame) -> np.ndarray:
    """Rows with a non-empty geometry."""
    return np.asarray(~(g.geometry.isna() | g.geometry.is_empty), dtype=bool)


def layer(name: str, kind: Any, gdf: gpd.GeoDataFrame, *, color: Any = "#111111", width: Any = 1.0,
          lw: Any = 1.0, fill: Any = None, dash: Any = None, radius: Any = None, size: Any = None,
          **kw: Any) -> Layer:  # fmt: skip
    """A :class:`Layer` with scalar styles broadcast to one value per feature; empty geometries are left out."""
    keep = _present(gdf)

    def each(v: Any) -> Any:
        values = list(v) if isinstance(v, list | tuple | np.ndarray) else [v] * len(gdf)
        return None if v is None else [x for x, k in zip(values, keep) if k]

    kw.update({k: each(kw.get(k)) for k in ("tips", "labels")})
    return Layer(name, kind, gdf[keep], each(color), each(width), each(lw), fill=each(fill), dash=each(dash),
                 radius=each(radius), size=each(size), **kw)  # fmt: skip


def tip(rows: Iterable[tuple[str, Any]], head: str | None = None) -> str:
    """Escaped tooltip HTML from (label, value) pairs; missing values are left out."""
    parts = [f"<b>{escape(head)}</b>"] if head else []
    for label, value in rows:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            continue
        parts.append(f"{escape(label)}: {escape(value)}")
    return "<br>".join(parts)


# ---------------------------------------------------------------------------------------------- inputs
def extent_of(*layers: Any) -> Bounds | None:
    """The bounds around all ``layers`` (Networks or GeoDataFrames; None and empty ones are left out)."""
    nets = [tuple(lay.bounds) for lay in layers if hasattr(lay, "indptr")]  # Networks
    boxes = nets + [tuple(lay.total_bounds) for lay in layers if hasattr(lay, "total_bounds") and len(lay)]
    if not boxes:
        return None
    arr = np.array(boxes, dtype=float)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def as_gdf(obj: Any, what: str) -> gpd.GeoDataFrame:
    """A GeoDataFrame from a GeoDataFrame, a GeoSeries or a file."""
    if isinstance(obj, gpd.GeoDataFrame):
        return obj
    if isinstance(obj, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=obj)
    if isinstance(obj, str | Path):
        p = Path(obj)
        if not p.exists():
            raise InputError(f"{what} file {p} does not exist", "check the path")
        return gpd.read_file(p)
    raise InputError(f"{what} must be a GeoDataFrame or a file, got {type(obj).__name__}", "pass a GeoDataFrame")


def _to4326(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``g`` in EPSG:4326; no CRS is taken to be WGS84."""
    return (g.set_crs(4326) if g.crs is None else g).to_crs(4326)


def wgs84(obj: Any, what: str) -> gpd.GeoDataFrame:
    """A layer in EPSG:4326 (no CRS is taken to be WGS84), without empty geometries."""
    g = _to4326(as_gdf(obj, what))
    return g[_present(g)].copy()


def points(obj: Any, what: str = "origins") -> gpd.GeoDataFrame:
    """Origins in any common form -> GeoDataFrame of points (EPSG:4326) with a 'name' column."""
    if isinstance(obj, gpd.GeoDataFrame | gpd.GeoSeries):
        gdf = _to4326(as_gdf(obj, what)).copy()
        gdf.geometry = gdf.geometry.representative_point()
        if "name" not in gdf.columns:
            gdf["name"] = [f"{what[:-1] if what.endswith('s') else what} {i + 1}" for i in range(len(gdf))]
        return gdf
    if obj is None:
        obj = []
    elif isinstance(obj, shapely.Geometry) or (
        isinstance(obj, tuple) and len(obj) == 2 and all(isinstance(v, int | float | np.floating) for v in obj)
    ):
        obj = [obj]
    names, geoms = [], []
    for i, p in enumerate(obj):
        if isinstance(p, shapely.Geometry):
            geoms.append(p.representative_point())
            names.append(f"Origin {i + 1}")
            continue
        try:
            lon, lat = float(p[0]), float(p[1])
        except (TypeError, ValueError, IndexError) as exc:
            raise InputError(f"{what}[{i}] = {p!r} is not a (lon, lat) pair", "pass (lon, lat) tuples") from exc
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"{what}[{i}] = {p!r} is outside lon/lat range", "pass WGS84 (lon, lat), lon first")
        geoms.append(shapely.Point(lon, lat))
        names.append(str(p[2]) if len(p) > 2 else f"{lon:.5f}, {lat:.5f}")
    return gpd.GeoDataFrame({"name": names}, geometry=geoms, crs=4326)


def network_lines(net: Any, max_segments: int) -> tuple[gpd.GeoDataFrame, int]:
    """Undirected, merged lines per drawing class. Returns (gdf[class, geometry], dropped segment count)."""
    if hasattr(net, "indptr"):  # Network
        u, v = np.asarray(net.edge_u), np.asarray(net.edge_v)
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        _, first = np.unique(lo * np.int64(net.n_nodes) + hi, return_index=True)
        first = np.sort(first)
        attrs = net.edge_attrs
        if "highway" in attrs.columns:
            hw = attrs["highway"].to_numpy()[first]
        else:
            hw = np.full(first.size, "rail" if net.mode == "rail" else "", dtype=object)
        ends = [np.column_stack([net.lon[e[first]], net.lat[e[first]]]) for e in (u, v)]
        geoms = shapely.linestrings(np.stack(ends, axis=1))
    else:
        edges = wgs84(net, "network")
        col = next((c for c in ("highway", "railway", "class", "rail_type") if c in edges.columns), None)
        hw = edges[col].to_numpy() if col else np.full(len(edges), "", dtype=object)
        geoms = edges.geometry.values
    classes = np.array([S.road_class(h) for h in hw], dtype=object)
    dropped = 0
    if len(geoms) > max_segments:
        minor = np.isin(classes, S.MINOR_CLASSES)
        dropped = int(minor.sum())
        geoms, classes = np.asarray(geoms)[~minor], classes[~minor]
        if len(geoms) > max_segments:  # still too many: keep the highest classes
            order = np.argsort([-S.ROAD_STYLE[c][2] for c in classes], kind="stable")[:max_segments]
            dropped += len(geoms) - max_segments
            geoms, classes = np.asarray(geoms)[order], classes[order]
    rows = sorted(set(classes), key=lambda c: S.ROAD_STYLE[c][2])
    parts = [shapely.get_parts(np.asarray(geoms)[classes == c]) for c in rows]
    merged = [shapely.line_merge(shapely.multilinestrings(p)) for p in parts]
    return gpd.GeoDataFrame({"class": rows}, geometry=merged, crs=4326), dropped


def check_bands(bands: Any, what: str = "bands") -> gpd.GeoDataFrame:
    if not isinstance(bands, gpd.GeoDataFrame):
        raise InputError(f"{what} must be a GeoDataFrame, got {type(bands).__name__}", "pass geo.isochrones output")
    if "minutes" not in bands.columns:
        raise InputError(f"{what} has no 'minutes' column (columns: {list(bands.columns)})", "pass isochrone bands")
    if bands.crs is None:
        raise InputError(f"{what} has no CRS", "set it: bands.set_crs('EPSG:4326')")
    out = bands.to_crs(4326)
    out = out[_present(out)]
    minutes = pd.to_numeric(out["minutes"], errors="coerce")
    if minutes.isna().any():
        bad = list(out["minutes"][minutes.isna()])[:3]
        raise InputError(f"{what} has non-numeric minutes: {bad}", "fix the column")
    return out


def _minutes(bands: gpd.GeoDataFrame) -> pd.Series:
    return pd.to_numeric(bands["minutes"]).astype(float)


def rings(bands: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Nested (cumulative) bands -> one row per minutes with the ring geometry (band minus the next smaller)."""
    b = bands.assign(minutes=_minutes(bands))
    agg = {c: "sum" for c in ("area_km2", "population") if c in b.columns}
    geoms = b.groupby("minutes").geometry.apply(lambda s: shapely.union_all(shapely.make_valid(s.values)))
    extra = b.groupby("minutes").agg(agg) if agg else pd.DataFrame(index=geoms.index)
    minutes = np.sort(geoms.index.to_numpy(dtype=float))
    ring_geoms: list[Any] = []
    prev = None
    for mnt in minutes:
        g = shapely.make_valid(geoms.loc[mnt])
        ring_geoms.append(g if prev is None else shapely.make_valid(shapely.difference(g, prev)))
        prev = g if prev is None else shapely.union(prev, g)
    out = gpd.GeoDataFrame({"minutes": minutes}, geometry=ring_geoms, crs=4326)
    for c in extra.columns:
        out[c] = extra.loc[minutes, c].to_numpy()
    return out


def route_gdf(route: Any) -> gpd.GeoDataFrame:
    if hasattr(route, "to_geodataframe"):
        g = route.to_geodataframe()
        if "mode" not in g.columns:
            g["mode"] = getattr(getattr(route, "network", None), "mode", "drive")
        return g
    if isinstance(route, gpd.GeoDataFrame | gpd.GeoSeries | str | Path):
        return as_gdf(route, "route")
    if isinstance(route, list | tuple):
        return gpd.GeoDataFrame(pd.concat([route_gdf(r) for r in route], ignore_index=True), crs=4326)
    raise InputError(f"cannot draw a route from {type(route).__name__}", "pass a geo.routing.Route or a GeoDataFrame")


def rail_kind(row: pd.Series) -> str:
    for col in ("rail_type", "railway", "kind", "type"):
        if col in row and isinstance(row[col], str) and row[col]:
            v = row[col].lower()
            if v in ("hsr", "high_speed", "highspeed") or "high" in v:
                return "hsr"
            if v in S.RAIL_COLORS:
                return v
    if "highspeed" in row and str(row["highspeed"]).lower() in ("yes", "true", "1"):
        return "hsr"
    return "rail"


def _cell(r: pd.Series, col: str) -> Any:
    """``r[col]`` if present and not blank, else None."""
    v = r[col] if col in r.index else None
    return None if v is None or (not isinstance(v, list | tuple) and pd.isna(v)) or str(v) == "" else v


def _points_gdf(geoms: Sequence[Any]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(list(geoms), crs=4326), crs=4326)


def _tips(g: gpd.GeoDataFrame, cols: Sequence[str], heads: Iterable[str]) -> list[str]:
    """One tooltip per row of ``g``: its non-blank ``cols`` under the given heads."""
    return [tip([(c, _cell(r, c)) for c in cols], head=h) for h, (_, r) in zip(heads, g.iterrows())]


# ---------------------------------------------------------------------------------------------- layers
def network(net: Any, *, name: str = "Road network", max_segments: int = 250_000, legend: bool = False,
            show: bool = True) -> tuple[list[Layer], list[Row]]:  # fmt: skip
    """A network as grey lines by road class (minor roads dropped above ``max_segments``), and its legend rows."""
    lines, dropped = network_lines(net, max_segments)
    if not len(lines):
        return [], []
    st = [S.ROAD_STYLE[c] for c in lines["class"]]
    lay = layer(name if not dropped else f"{name} (major roads)", "lines", lines, color=[s[0] for s in st],
                width=[s[1] for s in st], lw=[s[1] * 0.45 for s in st], pane="roads", z=5.0, decimals=5, show=show,
                dash=["4 3" if c == "rail" else None for c in lines["class"]])  # fmt: skip
    present = [c for c in S.ROAD_STYLE if c in set(lines["class"])]
    rows = [Row("line", S.ROAD_LABEL[c], S.ROAD_STYLE[c][0], width=max(S.ROAD_STYLE[c][1], 1.5) + 1,
                lw=max(S.ROAD_STYLE[c][1] * 0.6, 1.0), dash="dashed" if c == "rail" else "solid")
            for c in present] if legend else []  # fmt: skip
    return [lay], rows


def boundaries(obj: Any, clip: Sequence[float] | None, *, name: str = "Boundaries", labels: bool = True) -> list[Layer]:
    """Polygon outlines (counties) and their names, clipped to ``clip`` plus 50 %."""
    g = as_gdf(obj, "boundaries")
    if g.crs is None:
        raise InputError("the boundaries have no CRS", "use a file with a CRS (e.g. *_wgs84.geojson)")
    g = g.to_crs(4326)
    if clip is not None and all(math.isfinite(float(c)) for c in clip):
        minx, miny, maxx, maxy = (float(c) for c in clip)
        dx, dy = (maxx - minx) * 0.5 + 0.01, (maxy - miny) * 0.5 + 0.01
        g = g.cx[minx - dx : maxx + dx, miny - dy : maxy + dy]
    if not len(g):
        return []
    outlines = g[[g.geometry.name]].copy()
    outlines.geometry = outlines.geometry.boundary
    out = [layer(name, "lines", outlines, color="#5b5b5b", width=1.2, lw=0.7, dash="6 4", opacity=0.8,
                 pane="boundary", z=4.0)]  # fmt: skip
    col = next((c for c in ("name", "NAME", "name_zh", "county") if c in g.columns), None)
    if labels and col is not None:
        pts = _points_gdf(g.geometry.representative_point())
        out.append(layer(name, "text", pts, labels=[str(x) for x in g[col]], pane="boundary", z=6.0))
    return out


def bands(b: gpd.GeoDataFrame, *, name: str, colors: Sequence[str] | None, all_minutes: Sequence[float] | None = None,
          show: bool = True, panels: tuple[str, ...] = ()) -> tuple[Layer, list[Row]]:  # fmt: skip
    """Band rings (largest first, so the shortest time is on top) and their legend swatches."""
    r = rings(b)
    scale = sorted(set(all_minutes)) if all_minutes is not None else list(r["minutes"])
    colour_of = dict(zip(scale, S.band_colors(len(scale), colors)))
    labels = dict(zip(scale, S.band_labels(scale)))
    r = r.iloc[::-1]
    tips = []
    for _, x in r.iterrows():
        within = f"within {S.format_minutes(x['minutes'])} min"
        area, pop = _cell(x, "area_km2"), _cell(x, "population")
        tip_rows = [(f"area {within}", None if area is None else f"{area:,.1f} km²"),
                    (f"population {within}", None if pop is None else f"{pop:,.0f}")]  # fmt: skip
        tips.append(tip(tip_rows, head=f"{name}: {labels[x['minutes']]} min"))
    fills = [colour_of[x] for x in r["minutes"]]
    lay = layer(name, "polygons", r, color=[S.darker(f, 0.75) for f in fills], fill=fills, width=1.2, lw=0.7,
                tips=tips, alpha=0.6, show=show, panels=panels)  # fmt: skip
    rows = [Row("swatch", labels[x], colour_of[x], S.darker(colour_of[x], 0.75), alpha=0.6) for x in scale]
    return lay, rows


def origins(obj: Any, *, name: str = "Origins", what: str = "origins") -> tuple[list[Layer], list[Row]]:
    """Origin markers (white dots, named in static images) and the legend row."""
    pts = points(obj, what)
    if not len(pts):
        return [], []
    nm = name if len(pts) > 1 else name.rstrip("s")
    tips = [tip([("lon, lat (WGS84)", f"{p.x:.5f}, {p.y:.5f}")], head=str(n))
            for p, n in zip(pts.geometry, pts["name"])]  # fmt: skip
    out = [layer(nm, "points", pts, fill="#ffffff", width=3, lw=2, radius=7, size=60, tips=tips, pane="top", z=12)]
    if len(pts) <= 40:
        out.append(layer(nm, "text", pts, labels=[str(x) for x in pts["name"]], label_style="origin", web=False, z=13))
    return out, [Row("dot", "Origin" if len(pts) == 1 else "Origins", lw=2)]


# ---------------------------------------------------------------------------------------------- map kinds
def framed(spec: MapSpec, network_: Any = None, boundaries_: Any = None, title: str | None = None,
           attribution: str | None = None) -> MapSpec:  # fmt: skip
    """``spec`` over the offline base (boundaries under the road network), with a title and an attribution."""
    base = boundaries(boundaries_, spec.bounds) if boundaries_ is not None else []
    spec.layers = base + (network(network_)[0] if network_ is not None else []) + spec.layers
    spec.title, spec.attribution = title, attribution
    return spec


def isochrone(b: Any, origins_: Any, *, name: str, colors: Sequence[str] | None, legend: bool = True) -> MapSpec:
    """Band rings coloured by minutes, and the origins."""
    b = check_bands(b)
    lay, rows = bands(b, name=name, colors=colors)  # (an empty layer when there are no bands)
    o_layers, o_rows = origins(origins_)
    legends = [Legend("Travel time (minutes)", rows + o_rows)] if legend else []
    return MapSpec([lay, *o_layers], legends, extent_of(b, points(origins_)))


def network_map(net: Any, *, name: str = "Road network", max_segments: int = 250_000) -> MapSpec:
    """A network by road class, with its legend."""
    bounds = extent_of(net if hasattr(net, "indptr") else as_gdf(net, "network"))
    layers, rows = network(net, name=name, max_segments=max_segments, legend=True)
    return MapSpec(layers, [Legend("Network", rows)], bounds)


_ROUTE_FIELDS = (("from", "from", "{}"), ("to", "to", "{}"), ("name", "name", "{}"), ("ref", "ref", "{}"),
                 ("minutes", "minutes", "{:.1f}"), ("time_minutes", "minutes", "{:.2f}"),
                 ("metres", "metres", "{:,.0f}"), ("length_metres", "metres", "{:,.0f}"))  # fmt: skip


def route(r: Any, *, name: str = "Route", color: str | None = None) -> MapSpec:
    """Legs coloured by mode (walk and transfer dotted) over a white casing, with start and end dots."""
    g = wgs84(route_gdf(r), "route")
    bounds = extent_of(g)
    if not len(g):
        return MapSpec([], [], bounds, pad=0.12)
    modes = g["mode"].astype(str).tolist() if "mode" in g.columns else ["drive"] * len(g)
    colour = [color or S.ROUTE_COLORS.get(md, S.ROUTE_COLORS["drive"]) for md in modes]
    tips = []
    for md, (_, x) in zip(modes, g.iterrows()):
        rows: list[tuple[str, Any]] = [("mode", md)]
        for col, label, fmt in _ROUTE_FIELDS:
            if (v := _cell(x, col)) is not None:
                try:
                    rows.append((label, fmt.format(v)))
                except (ValueError, TypeError):
                    rows.append((label, str(v)))
        tips.append(tip(rows, head=name))
    slow = [md in ("walk", "transfer") for md in modes]
    layers = [layer(name, "lines", g, color=colour, width=5, lw=3, dash=["2 6" if s else None for s in slow],
                    tips=tips, casing=(8, 5, 0.8), pane="top", z=10)]  # fmt: skip
    first, last = g.geometry.iloc[0], g.geometry.iloc[-1]
    ends = [shapely.get_point(first, 0), shapely.get_point(last, -1)]
    ends = [e if e is not None and not e.is_empty else first.representative_point() for e in ends]
    layers.append(layer(name, "points", _points_gdf(ends), fill=["#ffffff", "#111111"], width=2.5, lw=2, radius=6,
                        size=55, tips=[escape("Start"), escape("End")], pane="top", z=12))  # fmt: skip
    rows_l = [Row("line", md, c, lw=3, dash="dotted" if s else "solid")
              for md, c, s in dict.fromkeys(zip(modes, colour, slow))]  # fmt: skip
    rows_l += [Row("dot", "Start", "#ffffff", lw=2, web=False), Row("dot", "End", "#111111", lw=2, web=False)]
    return MapSpec(layers, [Legend(name, rows_l)], bounds, pad=0.12)


def rail(lines: Any, stations: Any, *, name: str = "Rail", proposed: bool = False, labels: bool = True) -> MapSpec:
    """Rail lines by kind (high-speed, conventional, metro; proposed in dashed magenta) and named stations."""
    lg = as_gdf(lines, "rail lines").to_crs(4326) if lines is not None else None
    sg = wgs84(stations, "stations") if stations is not None else None
    layers: list[Layer] = []
    rows: list[Row] = []
    if lg is not None and len(lg):
        kinds = [rail_kind(r) for _, r in lg.iterrows()]
        order = np.argsort([k == "hsr" for k in kinds], kind="stable")  # high-speed lines on top
        lg, kinds = lg.iloc[order], [kinds[i] for i in order]
        tips = []
        for (_, r), k in zip(lg.iterrows(), kinds):
            extra = [(c, _cell(r, c)) for c in ("ref", "operator", "maxspeed", "design_speed_kmh", "speed_kmh")]
            tips.append(tip([("type", {"hsr": "high-speed"}.get(k, k)), *extra], head=str(_cell(r, "name") or name)))
        colour_of = {k: S.PROPOSED_COLOR if proposed else S.RAIL_COLORS.get(k, S.RAIL_COLORS["rail"]) for k in kinds}
        suffix = " (proposed)" if proposed else ""
        layers.append(layer(f"{name} lines{suffix}", "lines", lg, color=[colour_of[k] for k in kinds],
                            width=[4.5 if k == "hsr" or proposed else 3 for k in kinds],
                            lw=[2.2 if k == "hsr" else 1.4 for k in kinds], dash="10 6" if proposed else None,
                            opacity=0.95, casing=(7, 0, 0.7), tips=tips, pane="top", z=7.5, decimals=5))  # fmt: skip
        rows += [Row("line", S.RAIL_LABEL.get(k, k.replace("_", " ").title()) + suffix, c,
                     dash="dashed" if proposed else "solid") for k, c in colour_of.items()]  # fmt: skip
    if sg is not None and len(sg):
        names = [str(_cell(r, "name") or "") for _, r in sg.iterrows()]
        tips = _tips(sg, ("line", "lines", "code"), [n or "station" for n in names])
        layers.append(layer(f"{name} stations", "points", sg, fill="#ffffff", width=2, lw=2, radius=5, size=60,
                            tips=tips, pane="top", z=12))  # fmt: skip
        if labels:
            layers.append(layer(f"{name} stations", "text", sg, labels=names, label_style="station",
                                web=len(sg) <= 150, static=len(sg) <= 40, z=13))  # fmt: skip
        rows.append(Row("dot", "Station", lw=2))
    return MapSpec(layers, [Legend(name, rows)], extent_of(lg, sg))


def points_layer(pts_in: Any, *, name: str, label: str | None, color: str, radius: float, legend: bool) -> MapSpec:
    """Points of interest as small circles; the tooltip lists up to six columns."""
    pts = wgs84(pts_in, "points")
    if not (pts.geom_type == "Point").all():
        pts["geometry"] = pts.geometry.representative_point()
    bounds = extent_of(pts)
    if not len(pts):
        return MapSpec([], [], bounds)
    cols = [c for c in pts.columns if c not in (pts.geometry.name, label)][:6]
    tips = _tips(pts, cols, [str(x) if pd.notna(x) else name for x in pts[label]] if label else [name] * len(pts))
    lay = layer(name, "points", pts[[pts.geometry.name]], color="#ffffff", fill=color, width=1, lw=1, radius=radius,
                size=radius**2 * 3, tips=tips, fill_opacity=0.9, bulk=True, pane="top", z=11)  # fmt: skip
    rows = [Row("dot", f"{name} ({len(pts):,})", color)] if legend else []
    return MapSpec([lay], [Legend(name, rows)], bounds)


def comparison(before: Any, after: Any, proposed: Any, origins_: Any, *, colors: Sequence[str] | None,
               before_name: str = "Before", after_name: str = "After", side_by_side: bool = True) -> MapSpec:  # fmt: skip
    """Before/after bands, the area each band gains, the proposed roads or lines, and the origins.

    The web map stacks both (before hidden at first); a static figure shows the
    two side by side, or (``side_by_side=False``) "before" as dashed outlines.
    """
    b, a = check_bands(before, "before_bands"), check_bands(after, "after_bands")
    prop = wgs84(proposed, "proposed lines") if proposed is not None else None
    pts = points(origins_)
    bounds = extent_of(b, a, prop, pts)
    all_minutes = sorted({*_minutes(b), *_minutes(a)})
    layers: list[Layer] = []
    band_rows: list[Row] = []
    rows: list[Row] = []
    if len(b):
        lay = bands(b, name=before_name, colors=colors, all_minutes=all_minutes, show=False, panels=("before",))[0]
        n = len(lay.color)  # static only: "before" as dashed outlines over the "after" bands
        outline = dataclasses.replace(lay, color=[S.darker(c, 0.6) for c in lay.fill or []], lw=[1.1] * n,
                                      dash=["--"] * n, fill=None, web=False, z=3.5, show=True,
                                      panels=("overlay",))  # fmt: skip
        layers += [lay, outline]
        rows.append(Row("line", "before (outline)", "#555555", lw=1.1, dash="dashed", panels=("overlay",), web=False))
    if len(a):
        lay, band_rows = bands(a, name=after_name, colors=colors, all_minutes=all_minutes, panels=("after", "overlay"))
        layers.append(lay)
    ub, ua = ({float(m): shapely.union_all(v.values) for m, v in x.groupby(_minutes(x)).geometry} for x in (b, a))
    gained = [shapely.make_valid(shapely.difference(g, ub.get(m, shapely.Polygon()))) for m, g in sorted(ua.items())]
    gg = gpd.GeoDataFrame({"minutes": sorted(ua)}, geometry=gained, crs=4326)  # after band minus before band
    gg = gg[~gg.is_empty & (shapely.area(gg.geometry.values) > 0)].iloc[::-1]  # largest first
    if len(gg):
        km2 = gg.to_crs(gg.estimate_utm_crs()).area / 1e6
        tips = [tip([("area gained", f"{x:,.2f} km²")], head=f"Newly within {S.format_minutes(m)} min")
                for m, x in zip(gg["minutes"], km2)]  # fmt: skip
        layers.append(layer("Area gained", "polygons", gg, color="#00733c", fill="#00a651", width=2.2, lw=1,
                            dash="5 3", fill_opacity=0.12, tips=tips, opacity=1.0, static=False))  # fmt: skip
        rows.insert(0, Row("line", "Area gained", "#00733c", width=3, dash="dashed", static=False))
    if prop is not None and len(prop):
        heads = [str(_cell(r, "name") or "Proposed") for _, r in prop.iterrows()]
        tips = _tips(prop, ("class", "highway", "speed_kmh", "lanes", "ref"), heads)
        layers.append(layer("Proposed", "lines", prop, color=S.PROPOSED_COLOR, width=5, lw=3.5, opacity=1.0,
                            casing=(9, 6, 0.9), tips=tips, pane="top", z=11, panels=("after", "overlay")))  # fmt: skip
        rows.append(Row("line", "Proposed road / line", S.PROPOSED_COLOR, width=5, static=False))
        rows.append(Row("line", "proposed", S.PROPOSED_COLOR, lw=3.5, web=False, panels=("after", "overlay")))
    o_layers, o_rows = origins(origins_)
    rows += [*o_rows, Row("note", f"{after_name} shown; switch on {before_name} in the layer list", static=False)]
    legends = [Legend("Travel time (minutes)", band_rows), Legend("Scenario", rows)]
    panels = [("before", "Before"), ("after", "After")] if side_by_side else [("overlay", "Before (dashed) / after")]
    return MapSpec(layers + o_layers, legends, bounds, panels=panels)


def gains(pts_in: Any, *, before: str, after: str, label: str, name: str) -> MapSpec:
    """Places coloured and sized by minutes saved; newly reachable in blue, slower in red, the rest grey."""
    g = as_gdf(pts_in, "points")
    for col in (before, after):
        if col not in g.columns:
            raise InputError(f"points have no {col!r} column (columns: {list(g.columns)})", f"pass {before}/{after}")
    g = _to4326(g).copy()
    g.geometry = g.geometry.representative_point()
    layers: list[Layer] = []
    b = pd.to_numeric(g[before], errors="coerce").to_numpy(dtype=float)
    a = pd.to_numeric(g[after], errors="coerce").to_numpy(dtype=float)
    saved = b - a
    faster = saved[np.isfinite(saved) & (saved > 1e-9)]
    top = float(faster.max()) if faster.size else 1.0
    fill, radius, size, tips, names = [], [], [], [], []
    for i, (_, r) in enumerate(g.iterrows()):
        if np.isnan(b[i]) and np.isfinite(a[i]):
            c, rad, s, status = S.NEW_REACH_COLOR, 10.0, 140.0, "newly reachable"
        elif not np.isfinite(a[i]):
            c, rad, s, status = S.NO_CHANGE_COLOR, 5.0, 20.0, "unreachable"
        elif saved[i] > 1e-9:
            t = saved[i] / top
            c, rad, s = S.ramp(S.GAIN_RAMP[1:], t), 5 + 7 * math.sqrt(t), 30 + 110 * t
            status = f"{saved[i]:.1f} min faster"
        elif saved[i] < -1e-9:
            c, rad, s, status = S.LOSS_COLOR, 6.0, 50.0, f"{-saved[i]:.1f} min slower"
        else:
            c, rad, s, status = S.NO_CHANGE_COLOR, 4.0, 20.0, "no change"
        names.append(str(r[label]) if label in g.columns and pd.notna(r[label]) else f"place {i + 1}")
        minutes = [("unreachable" if np.isnan(x) else f"{x:.1f} min") for x in (b[i], a[i])]
        tips.append(tip([("before", minutes[0]), ("after", minutes[1]), ("change", status)], head=names[-1]))
        fill.append(c)
        radius.append(rad)
        size.append(s)
    if len(g) <= 40:
        layers.append(layer(name, "text", g, labels=names, label_style="place", radius=radius, z=13,
                            static=label in g.columns))  # fmt: skip
    layers.append(layer(name, "points", g, color=[S.darker(c, 0.6) for c in fill], fill=fill, width=1.5, lw=0.8,
                        radius=radius, size=size, tips=tips, pane="top", z=12))  # fmt: skip
    rows = [Row("dot", label, c, S.darker(c, 0.6), **kw) for label, c, kw, shown in (  # shown: some place is so
        ("a little faster", S.ramp(S.GAIN_RAMP[1:], 0.0), {"static": False}, faster.size),
        (f"{top:.0f} min faster", S.ramp(S.GAIN_RAMP[1:], 1.0), {"lw": 1, "ms": 10}, faster.size),
        ("newly reachable", S.NEW_REACH_COLOR, {"lw": 1, "ms": 10}, np.any(np.isnan(b) & np.isfinite(a))),
        ("slower", S.LOSS_COLOR, {"lw": 1, "ms": 7}, np.any(saved < -1e-9)),
        ("no change / unreachable", S.NO_CHANGE_COLOR, {"lw": 1, "ms": 5}, True),
    ) if shown]  # fmt: skip
    return MapSpec(layers, [Legend(name, rows)], extent_of(g), pad=0.15)
