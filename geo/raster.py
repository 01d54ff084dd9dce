"""Travel-time rasters (GeoTIFF) and population counted inside isochrone bands.

:func:`travel_time_raster` samples the exact travel-time field used by
:mod:`geo.isochrones` (road times interpolated along edges plus an
off-network leg) at cell centres of a north-up grid in the network's metric
CRS and can write it as a single-band float32 GeoTIFF of minutes, NaN where
unreached within ``max_minutes`` (QGIS shows NaN as no data).

:func:`population_in_bands` sums a population raster (WorldPop-style counts
per cell, any CRS) inside each band. The raster is read by windows covering
only the bands (and the optional region), never whole; boundary cells count
with the fraction of their area inside the band (estimated on an
``supersample x supersample`` sub-grid, so the error per boundary cell is a
few percent of one cell and averages out along the boundary).

Examples
--------
>>> from geo.network import Network
>>> net = Network.from_edges([0.0, 0.018], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
>>> r = travel_time_raster(net, (0.0, 0.0), cell_m=50, max_minutes=2, offnetwork_m=100)
>>> r.minutes.dtype.name, r.crs
('float32', 'EPSG:32631')
>>> round(float(np.nanmax(r.minutes)), 2) <= 2.0
True
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo._private.surface import Grid, Segments, edge_segments, origin_segments, rasterize_segments
from geo._private.writeout import atomic_target
from geo.errors import DataError, InputError
from geo.isochrones import (
    DEFAULT_MIN_HOLE_KM2,
    DEFAULT_OFFNETWORK_M,
    DEFAULT_OFFNETWORK_SPEED_KMH,
    MAX_CELLS,
    _nest,
    band_masks,
    check_minutes,
    polygonize,
)
from geo.network import Network
from geo.routing import DEFAULT_MAX_SNAP_M, DEFAULT_SNAP_SPEED_KMH, as_points, search


@dataclasses.dataclass(frozen=True)
class TravelTimeRaster:
    """A travel-time grid: ``minutes`` (float32, NaN unreached), its affine
    ``transform`` and ``crs``; ``path`` if it was written. Unpacks as
    ``array, transform, crs``."""

    minutes: np.ndarray
    transform: Any
    crs: str
    path: Path | None = None

    def __iter__(self):
        return iter((self.minutes, self.transform, self.crs))

    @property
    def cell_m(self) -> float:
        return float(self.transform.a)

    def isochrones(
        self, minutes: Any, *, min_hole_km2: float = DEFAULT_MIN_HOLE_KM2, simplify_m: float | None = None
    ) -> gpd.GeoDataFrame:
        """Cumulative bands derived from this raster (as the raster method of
        :func:`geo.isochrones.isochrones` does), EPSG:4326."""
        mins = check_minutes(minutes)
        surf = np.where(np.isnan(self.minutes), np.inf, self.minutes.astype(np.float64) * 60.0)
        cell = self.cell_m
        masks = band_masks(surf, [m * 60.0 for m in mins], min_hole_km2 * 1e6 / (cell * cell))
        geoms = _nest([polygonize(m, self.transform) for m in masks], simplify_m)
        area = shapely.area(np.asarray(geoms, dtype=object)) / 1e6
        gs = gpd.GeoSeries(geoms, crs=self.crs).to_crs("EPSG:4326")
        return gpd.GeoDataFrame({"minutes": mins, "area_km2": area}, geometry=gs.values, crs="EPSG:4326")


def travel_time_raster(
    net: Network,
    origins: Any = None,
    *,
    node_seconds: np.ndarray | None = None,
    cell_m: float = 100.0,
    max_minutes: float,
    path: str | Path | None = None,
    offnetwork_m: float = DEFAULT_OFFNETWORK_M,
    offnetwork_speed_kmh: float = DEFAULT_OFFNETWORK_SPEED_KMH,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH,
    edge_mask: np.ndarray | None = None,
) -> TravelTimeRaster:
    """Minutes to every cell of a grid around the reached area.

    Parameters
    ----------
    net
        The network.
    origins
        ``(lon, lat)`` or a list of them (nearest origin wins); or, instead,
        a per-node seconds array (same as ``node_seconds=``).
    node_seconds
        Your own travel-time field (seconds per node, inf/NaN unreached),
        e.g. from multimodal routing.
    cell_m
        Cell size in metres (grid aligned to multiples of it in
        ``net.metric_crs``).
    max_minutes
        Cells slower than this are no data (NaN).
    path
        If given, write a GeoTIFF there (atomically).
    offnetwork_m, offnetwork_speed_kmh, max_snap_m, snap_speed_kmh, edge_mask
        As in :func:`geo.isochrones.isochrones`.

    Returns
    -------
    TravelTimeRaster
    """
    if (
        node_seconds is None
        and isinstance(origins, np.ndarray)
        and origins.ndim == 1
        and origins.shape[0] == net.n_nodes
        and net.n_nodes != 2
    ):
        node_seconds, origins = origins, None
    try:
        limit_s = float(max_minutes) * 60.0
    except (TypeError, ValueError):
        raise InputError(f"max_minutes must be a number, got {max_minutes!r}", "pass e.g. max_minutes=60") from None
    if not (np.isfinite(limit_s) and limit_s > 0):
        raise InputError(f"max_minutes must be positive, got {max_minutes!r}", "pass e.g. max_minutes=60")
    if not (np.isfinite(cell_m) and cell_m > 0):
        raise InputError(f"cell size must be positive metres, got {cell_m!r}", "pass e.g. cell_m=100")
    if not (np.isfinite(offnetwork_m) and offnetwork_m > 0 and offnetwork_speed_kmh > 0):
        raise InputError("the off-network leg needs a positive distance and speed", "pass e.g. offnetwork_m=200")
    speed = offnetwork_speed_kmh / 3.6
    if node_seconds is not None:
        t = np.asarray(node_seconds, dtype=np.float64)
        if t.shape != (net.n_nodes,):
            raise InputError(
                f"node_seconds has shape {t.shape}, the network has {net.n_nodes} nodes",
                "pass one travel time (seconds) per node",
            )
        seg = edge_segments(net, np.where(np.isnan(t), np.inf, t), limit_s, edge_mask)
    elif origins is not None:

        pts = as_points(origins)
        r = search(net, pts, max_minutes=limit_s / 60.0, max_snap_m=max_snap_m, snap_speed_kmh=snap_speed_kmh)
        tr = net.to_metric
        ox, oy = tr.transform(pts[:, 0], pts[:, 1])
        seg = Segments.concat(
            [
                edge_segments(net, r.seconds, limit_s, edge_mask),
                origin_segments(net, np.column_stack([ox, oy]), r.origins, edge_mask),
            ]
        )
    else:
        raise InputError("travel_time_raster needs origins or node_seconds", "pass origins=(lon, lat)")
    extent = seg.reached_extent(limit_s, speed, offnetwork_m)
    if not np.isfinite(extent[0]):
        raise DataError("nothing is reached within max_minutes", "check the origins or raise max_minutes")
    grid = Grid.covering(extent, float(cell_m), pad_cells=1)
    if grid.n_cells > MAX_CELLS:
        raise InputError(
            f"a {cell_m:g} m grid over the reached area would have {grid.n_cells:,} cells",
            f"use a larger cell size (at least {cell_m * np.sqrt(grid.n_cells / MAX_CELLS):.0f} m)",
        )
    surf = rasterize_segments(seg, grid, speed, offnetwork_m, limit_s)
    minutes = np.where(np.isfinite(surf), surf / 60.0, np.nan).astype(np.float32)
    out = TravelTimeRaster(minutes, grid.transform, net.metric_crs)
    if path is not None:
        written = write_geotiff(path, minutes, grid.transform, net.metric_crs, description="minutes")
        out = dataclasses.replace(out, path=written)
    return out


def write_geotiff(
    path: str | Path, array: np.ndarray, transform: Any, crs: str, *, description: str | None = None
) -> Path:
    """Write a single-band float32 GeoTIFF (NaN = no data) atomically.

    Deflate-compressed, tiled when larger than 256 x 256; opens in QGIS and
    GDAL tools.
    """
    import rasterio  # GDAL (0.1 s): imported by the functions that read or write rasters, not by the CLI's --help

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = np.asarray(array, dtype=np.float32)
    h, w = arr.shape
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "height": h,
        "width": w,
        "count": 1,
        "dtype": "float32",
        "crs": crs,
        "transform": transform,
        "nodata": float("nan"),
        "compress": "deflate",
        "predictor": 3,
    }
    if h > 256 and w > 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with atomic_target(path, suffix=".tif") as tmp, rasterio.open(tmp, "w", **profile) as dst:
        dst.write(arr, 1)
        if description:
            dst.set_band_description(1, description)
            dst.update_tags(1, units=description)
    return path


# ------------------------------------------------------------------ population
def population_in_bands(
    bands: gpd.GeoDataFrame,
    raster_path: str | Path,
    *,
    region: Any = None,
    supersample: int = 8,
    band: int = 1,
) -> gpd.GeoDataFrame:
    """Sum a population raster inside each band.

    Parameters
    ----------
    bands
        Isochrone bands (any CRS, usually EPSG:4326), e.g. from
        :func:`geo.isochrones.isochrones`.
    raster_path
        A GeoTIFF of people per cell (WorldPop ``ppp``, GHS-POP counts) in any
        CRS. No-data, NaN and negative cells count as 0. Density rasters
        (people/km²) must be converted to counts first.
    region
        The area whose population is the denominator of
        ``population_share``: a shapely geometry in WGS84 or a
        GeoDataFrame/GeoSeries (e.g. a county or city boundary). Default: the
        bounding box of the largest band.
    supersample
        Each boundary cell is split into ``supersample²`` sub-cells to
        estimate the fraction of it inside the band (8 -> 64 samples).
    band
        Raster band to read.

    Returns
    -------
    A copy of ``bands`` with ``population`` (people inside the band) and
    ``population_share`` (population / population of the region, NaN when
    the region is empty); ``attrs["region_population"]`` holds the
    denominator.
    """
    import rasterio  # GDAL (0.1 s): see write_geotiff

    p = Path(raster_path)
    if not p.exists():
        raise InputError(f"population raster {str(p)!r} does not exist", "check the path to the GeoTIFF")
    if not isinstance(supersample, int | np.integer) or supersample < 1:
        raise InputError(f"supersample must be a positive integer, got {supersample!r}", "pass e.g. 8")
    try:
        src = rasterio.open(p)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"cannot read population raster {str(p)!r}: {exc}", "pass a GeoTIFF file") from None
    with src:
        if src.crs is None:
            raise DataError(f"population raster {str(p)!r} has no CRS", "assign one, e.g. gdal_edit.py -a_srs EPSG:4326")
        crs = src.crs
        g = bands.to_crs(crs) if bands.crs is not None else bands.set_crs("EPSG:4326").to_crs(crs)
        geoms = [shapely.make_valid(x) if x is not None else shapely.Polygon() for x in g.geometry.values]
        if region is None:
            largest = shapely.union_all(np.asarray(geoms, dtype=object))
            reg = shapely.box(*largest.bounds) if not largest.is_empty else shapely.Polygon()
        else:
            if isinstance(region, gpd.GeoDataFrame | gpd.GeoSeries):
                rs = region.geometry if isinstance(region, gpd.GeoDataFrame) else region
                rs = rs.to_crs(crs) if rs.crs is not None else rs.set_crs("EPSG:4326").to_crs(crs)
                reg = shapely.union_all(rs.values)
            else:
                reg = gpd.GeoSeries([region], crs="EPSG:4326").to_crs(crs).iloc[0]
        sums = _zonal_sums(src, [*geoms, reg], band, supersample)
    out = bands.copy()
    out["population"] = sums[:-1]
    denom = sums[-1]
    out["population_share"] = sums[:-1] / denom if denom > 0 else np.nan
    out.attrs["region_population"] = float(denom)
    return out


def _zonal_sums(src: Any, geoms: list[Any], band: int, ss: int, max_subcells: int = 16_000_000) -> np.ndarray:
    """Area-weighted sums of ``src`` inside each geometry, reading tile by tile
    only the windows that cover the geometries."""
    from rasterio import features, windows  # GDAL (0.1 s): see write_geotiff
    from rasterio.transform import Affine

    sums = np.zeros(len(geoms))
    live = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not live:
        return sums
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.asarray([geoms[i] for i in live], dtype=object))
    full = windows.Window(0, 0, src.width, src.height)
    try:
        win = windows.from_bounds(xmin, ymin, xmax, ymax, transform=src.transform)
        win = win.round_offsets(op="floor").round_lengths(op="ceil")
        win = windows.Window(win.col_off - 1, win.row_off - 1, win.width + 2, win.height + 2).intersection(full)
    except windows.WindowError:
        return sums  # bands outside the raster
    tile = max(64, int(np.sqrt(max_subcells / (ss * ss))))
    nodata = src.nodatavals[band - 1]
    for i in live:
        shapely.prepare(geoms[i])
    for r0 in range(int(win.row_off), int(win.row_off + win.height), tile):
        for c0 in range(int(win.col_off), int(win.col_off + win.width), tile):
            w = windows.Window(
                c0, r0, min(tile, int(win.col_off + win.width) - c0), min(tile, int(win.row_off + win.height) - r0)
            )
            tb = shapely.box(*windows.bounds(w, src.transform))
            hits = [i for i in live if geoms[i].intersects(tb)]
            if not hits:
                continue
            vals = src.read(band, window=w).astype(np.float64)
            bad = ~np.isfinite(vals) | (vals < 0)
            if nodata is not None and np.isfinite(nodata):
                bad |= vals == nodata
            vals[bad] = 0.0
            if not vals.any():
                continue
            tt = windows.transform(w, src.transform)
            h, wd = vals.shape
            fine = tt @ Affine.scale(1.0 / ss)
            for i in hits:
                if geoms[i].contains(tb):
                    sums[i] += vals.sum()
                    continue
                m = features.rasterize(
                    [geoms[i]], out_shape=(h * ss, wd * ss), transform=fine, fill=0, default_value=1, dtype="uint8"
                )
                frac = m.reshape(h, ss, wd, ss).mean(axis=(1, 3))
                sums[i] += float((vals * frac).sum())
    return sums
