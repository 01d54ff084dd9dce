"""Coordinate reference systems: a local metric CRS, and GCJ-02 <-> WGS84.

Metric work (buffers, areas, rasters) happens in a projected CRS chosen for
the data: the UTM zone of the centre for areas up to a zone wide, otherwise a
transverse Mercator centred on the data (scale error < 0.1 % within ~500 km
of the central meridian). Results are returned in WGS84 (EPSG:4326).

GCJ-02 is the obfuscated datum of Chinese web maps (Amap/Gaode, Tencent,
Google Maps China); coordinates copied from them are offset from WGS84 by
100-700 m. :func:`wgs84_to_gcj02` is the published forward formula (outside
China it is the identity, as the web maps do); :func:`gcj02_to_wgs84` inverts
it by Newton-like fixed-point iteration to < 1e-9 degrees (millimetres).

Examples
--------
>>> lon, lat = wgs84_to_gcj02(108.9398, 34.3416)  # Xi'an, Bell Tower
>>> back = gcj02_to_wgs84(lon, lat)
>>> [round(float(v), 6) for v in back]
[108.9398, 34.3416]
>>> local_metric_crs(108.94, 34.26)
'EPSG:32649'
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike

from geo._private.geodesy import utm_epsg
from geo.errors import InputError

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323

DATUMS = ("wgs84", "gcj02")


def local_metric_crs(lon: ArrayLike, lat: ArrayLike) -> str:
    """A projected CRS (metres) suited to data around the given points.

    The UTM zone of the median point when the data spans at most 6 degrees of
    longitude; otherwise a transverse Mercator centred on the data.

    Examples
    --------
    >>> local_metric_crs(112.55, 37.87)
    'EPSG:32649'
    >>> local_metric_crs([100.0, 115.0], [30.0, 36.0])
    '+proj=tmerc +lat_0=0 +lon_0=107.5 +k=1 +x_0=500000 +y_0=0 +datum=WGS84 +units=m +no_defs'
    """
    lo = np.atleast_1d(np.asarray(lon, dtype=float))
    la = np.atleast_1d(np.asarray(lat, dtype=float))
    ok = np.isfinite(lo) & np.isfinite(la)
    if not ok.any():
        raise InputError("no valid coordinates to choose a metric CRS from", "pass finite lon/lat values")
    lo, la = lo[ok], la[ok]
    if float(lo.max() - lo.min()) <= 6.0:
        return f"EPSG:{utm_epsg(float(np.median(lo)), float(np.median(la)))}"
    lon0 = round(float((lo.max() + lo.min()) / 2), 1)
    return f"+proj=tmerc +lat_0=0 +lon_0={lon0:g} +k=1 +x_0=500000 +y_0=0 +datum=WGS84 +units=m +no_defs"


def out_of_china(lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
    """True where the GCJ-02 offset is not applied (the usual rough box).

    Examples
    --------
    >>> out_of_china([2.35, 108.9], [48.85, 34.3]).tolist()
    [True, False]
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sq = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * pi)
    dlon = (dlon * 180.0) / (_A / sq * np.cos(rad) * pi)
    return dlon, dlat


def _ret(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def _inputs(lon, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lo = np.asarray(lon, dtype=float)
    la = np.asarray(lat, dtype=float)
    if lo.shape != la.shape:
        raise InputError("lon and lat have different shapes", "pass one latitude per longitude")
    return lo, la, scalar


def wgs84_to_gcj02(lon, lat):
    """WGS84 -> GCJ-02 (vectorised; identity outside China).

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(np.array([112.55, 2.35]), np.array([37.87, 48.85]))
    >>> np.round(lon, 4).tolist(), np.round(lat, 4).tolist()
    ([112.5563, 2.35], [37.8705, 48.85])
    """
    lo, la, scalar = _inputs(lon, lat)
    dlon, dlat = _delta(lo, la)
    out = out_of_china(lo, la)
    return _ret(np.where(out, lo, lo + dlon), np.where(out, la, la + dlat), scalar)


def gcj02_to_wgs84(lon, lat, *, tol_deg: float = 1e-10, max_iter: int = 30):
    """GCJ-02 -> WGS84 (vectorised) by iterating the forward formula.

    Starting from ``w = g``, repeat ``w -= f(w) - g`` until the residual is
    below ``tol_deg``; the offset varies slowly, so this converges in a few
    steps to far below a millimetre.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(109.114206, 33.68611)  # Zhashui county centre from Amap
    >>> round(lon, 4), round(lat, 4)
    (109.1091, 33.6875)
    """
    lo, la, scalar = _inputs(lon, lat)
    wlon, wlat = lo.copy(), la.copy()
    for _ in range(max_iter):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        ex, ey = np.asarray(glon) - lo, np.asarray(glat) - la
        wlon = wlon - ex
        wlat = wlat - ey
        if np.all(np.abs(ex) < tol_deg) and np.all(np.abs(ey) < tol_deg):
            break
    return _ret(wlon, wlat, scalar)


def to_wgs84(lon, lat, datum: str):
    """Convert coordinates given in ``datum`` (``wgs84`` or ``gcj02``) to WGS84."""
    d = check_datum(datum)
    return gcj02_to_wgs84(lon, lat) if d == "gcj02" else (lon, lat)


def from_wgs84(lon, lat, datum: str):
    """Convert WGS84 coordinates to ``datum``."""
    d = check_datum(datum)
    return wgs84_to_gcj02(lon, lat) if d == "gcj02" else (lon, lat)


def check_datum(datum: str) -> str:
    d = str(datum).lower().replace("-", "").replace("_", "")
    if d not in DATUMS:
        raise InputError(f"unknown coordinate system {datum!r}", "use wgs84 or gcj02")
    return d


def geometry_to_datum(geoms, datum: str):
    """Convert WGS84 shapely geometries (array or GeoSeries values) to ``datum``."""
    if check_datum(datum) == "wgs84":
        return geoms

    def f(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, f)
