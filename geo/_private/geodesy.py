"""Small geodesy helpers (vectorised, numpy only)."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres between WGS84 points (vectorised).

    Examples
    --------
    >>> round(float(haversine_m(0.0, 0.0, 0.0, 1.0)))
    111195
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the UTM zone containing a WGS84 point.

    Examples
    --------
    >>> utm_epsg(108.94, 34.26)  # Xi'an
    32649
    >>> utm_epsg(-70.0, -33.0)
    32719
    """
    zone = int((lon + 180) // 6) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone
