"""Local metric CRS and GCJ-02 <-> WGS84 against the shared admin-centre table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo._private.geodesy import haversine_m
from geo.crs import gcj02_to_wgs84, local_metric_crs, out_of_china, wgs84_to_gcj02
from geo.errors import InputError


def test_roundtrip_vectorised_and_outside_china():
    rng = np.random.default_rng(0)
    lon = rng.uniform(74, 134, 2000)
    lat = rng.uniform(18, 53, 2000)
    g = wgs84_to_gcj02(lon, lat)
    back = gcj02_to_wgs84(*g)
    err = haversine_m(lon, lat, back[0], back[1])
    assert err.max() < 0.01  # centimetres
    off = haversine_m(lon, lat, g[0], g[1])
    assert 50 < np.median(off) < 1000  # the obfuscation offset is hundreds of metres
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert out_of_china(2.35, 48.85)


def test_admin_centres_both_datums(shared):
    path = shared / "boundaries" / "admin_centres_shaanxi_shanxi_chongqing.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    df = pd.read_csv(path)
    lon, lat = gcj02_to_wgs84(df["lon_gcj02"].to_numpy(), df["lat_gcj02"].to_numpy())
    err = haversine_m(lon, lat, df["lon_wgs84"], df["lat_wgs84"])
    glon, glat = wgs84_to_gcj02(df["lon_wgs84"].to_numpy(), df["lat_wgs84"].to_numpy())
    ferr = haversine_m(glon, glat, df["lon_gcj02"], df["lat_gcj02"])
    print(f"GCJ-02 -> WGS84 max error {err.max():.3f} m, WGS84 -> GCJ-02 max error {ferr.max():.3f} m over {len(df)} points")
    assert err.max() < 1.0
    assert ferr.max() < 1.0


def test_local_metric_crs():
    assert local_metric_crs(108.94, 34.26) == "EPSG:32649"
    assert local_metric_crs(-70.0, -33.0) == "EPSG:32719"
    wide = local_metric_crs([100.0, 118.0], [25.0, 40.0])
    assert "tmerc" in wide and "lon_0=109" in wide
    with pytest.raises(InputError):
        local_metric_crs(np.nan, np.nan)
