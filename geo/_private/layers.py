"""Layer preparation shared by :mod:`geo.maps` (folium) and :mod:`geo.plot` (matplotlib).

Validation of band frames, nested bands -> rings, a network -> merged lines per
road class, origins in any common form -> points, routes -> line frames.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo._private import style as S
from geo.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd


def extent_of(*layers: Any) -> tuple[float, float, float, float] | None:
    boxes = []
    for layer in layers:
        if layer is None:
            continue
        if hasattr(layer, "bounds") and hasattr(layer, "indptr"):  # Network
            boxes.append(tuple(layer.bounds))
        elif hasattr(layer, "total_bounds") and len(layer):
            boxes.append(tuple(layer.total_bounds))
    if not boxes:
        return None
    arr = np.array(boxes, dtype=float)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def as_gdf(obj: Any, what: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

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


def points(obj: Any, what: str = "origins") -> gpd.GeoDataFrame:
    """Origins in any common form -> GeoDataFrame of points (EPSG:4326) with a 'name' column."""
    import geopandas as gpd
    import shapely

    if obj is None:
        return gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    if isinstance(obj, gpd.GeoDataFrame | gpd.GeoSeries):
        gdf = obj if isinstance(obj, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=obj)
        if gdf.crs is None:
            gdf = gdf.set_crs(4326)
        gdf = gdf.to_crs(4326).copy()
        gdf.geometry = gdf.geometry.representative_point()
        if "name" not in gdf.columns:
            gdf["name"] = [f"{what[:-1] if what.endswith('s') else what} {i + 1}" for i in range(len(gdf))]
        return gdf
    if isinstance(obj, shapely.Geometry) or (
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
    import geopandas as gpd
    import shapely

    if hasattr(net, "indptr"):  # Network
        u, v = np.asarray(net.edge_u), np.asarray(net.edge_v)
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        _, first = np.unique(lo * np.int64(net.n_nodes) + hi, return_index=True)
        first = np.sort(first)
        attrs = net.edge_attrs
        if "highway" in attrs.columns:
            hw = attrs["highway"].to_numpy()[first]
        elif net.mode == "rail":
            hw = np.full(first.size, "rail", dtype=object)
        else:
            hw = np.full(first.size, "", dtype=object)
        coords = np.stack(
            [
                np.column_stack([net.lon[u[first]], net.lat[u[first]]]),
                np.column_stack([net.lon[v[first]], net.lat[v[first]]]),
            ],
            axis=1,
        )
        geoms = shapely.linestrings(coords)
    else:
        edges = as_gdf(net, "network")
        if edges.crs is not None and edges.crs.to_epsg() != 4326:
            edges = edges.to_crs(4326)
        col = next((c for c in ("highway", "railway", "class", "rail_type") if c in edges.columns), None)
        hw = edges[col].to_numpy() if col else np.full(len(edges), "", dtype=object)
        geoms = edges.geometry.values
    classes = np.array([S.road_class(h) for h in hw], dtype=object)
    dropped = 0
    n_total = len(geoms)
    if n_total > max_segments:
        minor = np.isin(classes, S.MINOR_CLASSES)
        dropped = int(minor.sum())
        keep = ~minor
        geoms, classes = np.asarray(geoms)[keep], classes[keep]
        if len(geoms) > max_segments:  # still too many: keep the highest classes
            order = np.argsort([-S.ROAD_STYLE[c][2] for c in classes], kind="stable")[:max_segments]
            dropped += len(geoms) - max_segments
            geoms, classes = np.asarray(geoms)[order], classes[order]
    rows, out_geoms = [], []
    for cls in sorted(set(classes), key=lambda c: S.ROAD_STYLE[c][2]):
        parts = np.asarray(geoms)[classes == cls]
        merged = shapely.line_merge(shapely.multilinestrings(shapely.get_parts(parts)))
        rows.append(cls)
        out_geoms.append(merged)
    return gpd.GeoDataFrame({"class": rows}, geometry=out_geoms, crs=4326), dropped


def check_bands(bands: Any, what: str = "bands") -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not isinstance(bands, gpd.GeoDataFrame):
        raise InputError(f"{what} must be a GeoDataFrame, got {type(bands).__name__}", "pass geo.isochrones output")
    if "minutes" not in bands.columns:
        raise InputError(f"{what} has no 'minutes' column (columns: {list(bands.columns)})", "pass isochrone bands")
    if bands.crs is None:
        raise InputError(f"{what} has no CRS", "set it: bands.set_crs('EPSG:4326')")
    out = bands.to_crs(4326)
    out = out[~(out.geometry.isna() | out.geometry.is_empty)]
    minutes = pd.to_numeric(out["minutes"], errors="coerce")
    if minutes.isna().any():
        raise InputError(
            f"{what} has non-numeric minutes: {list(out['minutes'][minutes.isna()])[:3]}", "fix the column"
        )
    return out


def rings(bands: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Nested (cumulative) bands -> one row per minutes with the ring geometry (band minus the next smaller)."""
    import geopandas as gpd
    import shapely

    b = bands.copy()
    b["minutes"] = pd.to_numeric(b["minutes"]).astype(float)
    agg: dict[str, Any] = {}
    if "area_km2" in b.columns:
        agg["area_km2"] = "sum"
    if "population" in b.columns:
        agg["population"] = "sum"
    geoms = b.groupby("minutes").geometry.apply(lambda s: shapely.union_all(shapely.make_valid(s.values)))
    extra = b.groupby("minutes").agg(agg) if agg else pd.DataFrame(index=geoms.index)
    minutes = np.sort(geoms.index.to_numpy(dtype=float))
    ring_geoms: list[Any] = []
    prev = None
    for mnt in minutes:
        g = shapely.make_valid(geoms.loc[mnt])
        ring = g if prev is None else shapely.make_valid(shapely.difference(g, prev))
        prev = g if prev is None else shapely.union(prev, g)
        ring_geoms.append(ring)
    out = gpd.GeoDataFrame({"minutes": minutes}, geometry=ring_geoms, crs=4326)
    for c in extra.columns:
        out[c] = extra.loc[minutes, c].to_numpy()
    return out


def route_gdf(route: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if hasattr(route, "to_geodataframe"):
        g = route.to_geodataframe()
        if "mode" not in g.columns:
            g["mode"] = getattr(getattr(route, "network", None), "mode", "drive")
        return g
    if isinstance(route, gpd.GeoDataFrame | gpd.GeoSeries | str | Path):
        return as_gdf(route, "route")
    if isinstance(route, list | tuple):
        parts = [route_gdf(r) for r in route]
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=4326)
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
