"""Travel-time rasters and population in bands: known answers on small GeoTIFFs made in tmp_path."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import Affine

from geo.errors import InputError
from geo.isochrones import isochrones
from geo.network import Network
from geo.raster import population_in_bands, travel_time_raster, write_geotiff

M_PER_DEG = 111_195.0
UTM = "EPSG:32649"  # zone of Taiyuan
CENTRE = (112.55, 37.87)


def street(length_m: float = 2000.0) -> Network:
    return Network.from_edges([0.0, length_m / M_PER_DEG], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0)


def test_travel_time_raster_values_and_geotiff(tmp_path):
    net = street()
    r = travel_time_raster(net, (0.0, 0.0), cell_m=10, max_minutes=2, offnetwork_m=100, path=tmp_path / "tt.tif")
    arr, transform, crs = r
    assert arr.dtype == np.float32 and crs == net.metric_crs
    # a cell crossed by the street takes the time at which the street enters it
    x0, y0 = net.xy[0]
    col = int((x0 + 505 - transform.c) // 10)
    row = int((transform.f - y0) // 10)
    left = transform.c + col * 10
    s_per_m = net.edge_time_s[0] / np.hypot(*(net.xy[1] - net.xy[0]))
    assert arr[row, col] * 60 == pytest.approx((left - x0) * s_per_m, abs=0.01)
    # a cell 55 m off the street, centre ~505 m along: ride to the foot point, walk 55 m (k = 0.28 < 1: the
    # optimum leaves the road a little earlier, so slightly less than ride + walk straight)
    row2 = int((transform.f - (y0 + 55)) // 10)
    cy = transform.f - (row2 + 0.5) * 10
    cx = transform.c + (col + 0.5) * 10
    v = 5 / 3.6
    k = s_per_m * v
    exact = (cx - x0) * s_per_m + (cy - y0) * math.sqrt(1 - k * k) / v  # closed form of the optimum
    assert arr[row2, col] * 60 == pytest.approx(exact, abs=0.01)
    assert arr[row2, col] * 60 < (cx - x0) * s_per_m + (cy - y0) / v
    assert np.nanmax(arr) <= 2.0 + 1e-6
    assert np.isnan(arr).any()  # unreached corners are no data
    with rasterio.open(r.path) as src:
        assert src.crs.to_string() == net.metric_crs
        assert src.dtypes[0] == "float32" and math.isnan(src.nodata)
        np.testing.assert_array_equal(src.read(1), arr)
    # bands derived from the raster agree with the isochrone raster method
    a = r.isochrones([1, 2])["area_km2"].to_numpy()
    b = isochrones(net, (0.0, 0.0), [1, 2], offnetwork_m=100, cell_m=10)["area_km2"].to_numpy()
    np.testing.assert_allclose(a, b, rtol=0.01)


def test_travel_time_raster_from_node_seconds_and_errors():
    net = street()
    r = travel_time_raster(net, node_seconds=np.array([0.0, 200.0]), cell_m=20, max_minutes=1)
    assert np.nanmin(r.minutes) == pytest.approx(0.0, abs=0.2)
    with pytest.raises(InputError):
        travel_time_raster(net, (0.0, 0.0), cell_m=-1, max_minutes=1)
    with pytest.raises(InputError):
        travel_time_raster(net, (0.0, 0.0), max_minutes=0)


def _write(path, arr, transform, crs):
    with rasterio.open(
        path, "w", driver="GTiff", height=arr.shape[0], width=arr.shape[1], count=1, dtype="float32",
        crs=crs, transform=transform, nodata=-99999.0,
    ) as dst:  # fmt: skip
        dst.write(arr.astype(np.float32), 1)
    return path


def _band(geom_utm, minutes=30.0):
    return gpd.GeoDataFrame({"minutes": [minutes]}, geometry=[geom_utm], crs=UTM).to_crs("EPSG:4326")


def test_uniform_density_times_known_area(tmp_path):
    # 100 m cells, 2.5 people per cell (250 /km²), 20 km x 20 km in UTM 49N
    from pyproj import Transformer

    cx, cy = Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform(*CENTRE)
    tr = Affine(100, 0, round(cx) - 10_000, 0, -100, round(cy) + 10_000)
    path = _write(tmp_path / "pop.tif", np.full((200, 200), 2.5), tr, UTM)
    disc = shapely.Point(cx, cy).buffer(3000, quad_segs=64)
    ring = shapely.Point(cx, cy).buffer(6000, quad_segs=64)
    bands = gpd.GeoDataFrame(
        {"minutes": [15.0, 30.0]}, geometry=[disc, ring], crs=UTM
    ).to_crs("EPSG:4326")
    out = population_in_bands(bands, path)
    assert out["population"].iloc[0] == pytest.approx(disc.area / 1e6 * 250, rel=0.002)
    assert out["population"].iloc[1] == pytest.approx(ring.area / 1e6 * 250, rel=0.002)
    # default region: bounding box of the largest band (12 km x 12 km)
    assert out.attrs["region_population"] == pytest.approx(144 * 250, rel=0.01)
    assert out["population_share"].iloc[1] == pytest.approx(math.pi / 4, rel=0.01)
    # a given region: the whole raster (400 km²)
    whole = gpd.GeoDataFrame(geometry=[shapely.box(*rasterio.transform.array_bounds(200, 200, tr))], crs=UTM)
    out2 = population_in_bands(bands, path, region=whole)
    assert out2.attrs["region_population"] == pytest.approx(400 * 250, rel=1e-6)


def test_single_populated_cell(tmp_path):
    from pyproj import Transformer

    cx, cy = Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform(*CENTRE)
    x0, y1 = round(cx) - 500, round(cy) + 500
    arr = np.zeros((10, 10))
    arr[4, 6] = 1000.0  # cell x in [x0+600, x0+700], y in [y1-500, y1-400]
    arr[0, 0] = -99999.0  # nodata never counts
    path = _write(tmp_path / "one.tif", arr, Affine(100, 0, x0, 0, -100, y1), UTM)
    left_half = shapely.box(x0 + 550, y1 - 520, x0 + 650, y1 - 380)  # covers the west half of the cell
    missing = shapely.box(x0 + 100, y1 - 900, x0 + 300, y1 - 700)
    whole = shapely.box(x0 - 50, y1 - 1050, x0 + 1050, y1 + 50)
    bands = gpd.GeoDataFrame(
        {"minutes": [1.0, 2.0, 3.0]}, geometry=[missing, left_half, whole], crs=UTM
    ).to_crs("EPSG:4326")
    out = population_in_bands(bands, path)
    assert out["population"].iloc[0] == 0.0
    assert out["population"].iloc[1] == pytest.approx(500.0, rel=0.03)
    assert out["population"].iloc[2] == pytest.approx(1000.0, rel=1e-9)


def test_raster_in_other_crs_than_network(tmp_path):
    # WorldPop-style raster in EPSG:4326 (30 arc-second-ish cells), bands from a UTM network
    res = 0.001
    tr = Affine(res, 0, 112.50, 0, -res, 37.92)
    path = _write(tmp_path / "geo.tif", np.ones((100, 100)), tr, "EPSG:4326")
    from geo.synthetic import grid_network

    net = grid_network(30, centre=(112.55, 37.87))
    iso = isochrones(net, (112.55, 37.87), [2, 4], cell_m=25)
    out = population_in_bands(iso, path)
    # one person per raster cell: expected = band area in degree² / cell area in degree²
    exp = shapely.area(iso.geometry.values) / (res * res)
    np.testing.assert_allclose(out["population"].to_numpy(), exp, rtol=0.01)
    assert (np.diff(out["population"]) >= 0).all()
    # a raster in Web Mercator gives the same answer
    path2 = tmp_path / "merc.tif"
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    dst_tr, w, h = calculate_default_transform("EPSG:4326", "EPSG:3857", 100, 100, 112.50, 37.82, 112.60, 37.92)
    dens = np.zeros((h, w), np.float32)
    reproject(np.ones((100, 100), np.float32), dens, src_transform=tr, src_crs="EPSG:4326",
              dst_transform=dst_tr, dst_crs="EPSG:3857", resampling=Resampling.nearest)  # fmt: skip
    write_geotiff(path2, dens, dst_tr, "EPSG:3857")
    out2 = population_in_bands(iso, path2)
    # nearest resampling keeps "1 per cell" on a finer/coarser grid: compare per-area densities instead
    ratio = out2["population"].to_numpy() / out["population"].to_numpy()
    assert np.allclose(ratio, ratio[0], rtol=0.03)


def test_reads_by_window_only(tmp_path, monkeypatch):
    tr = Affine(0.001, 0, 110.0, 0, -0.001, 40.0)
    path = _write(tmp_path / "big.tif", np.ones((4000, 4000)), tr, "EPSG:4326")  # 4° x 4°
    seen = []
    real = rasterio.io.DatasetReader.read

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("window"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    band = gpd.GeoDataFrame({"minutes": [10.0]}, geometry=[shapely.box(112.0, 38.0, 112.05, 38.05)], crs="EPSG:4326")
    out = population_in_bands(band, path)
    assert out["population"].iloc[0] == pytest.approx(2500, rel=1e-6)
    assert seen and all(w is not None and w.width * w.height <= 100 * 100 for w in seen)


def test_missing_raster():
    band = gpd.GeoDataFrame({"minutes": [10.0]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    with pytest.raises(InputError, match="does not exist"):
        population_in_bands(band, "/nonexistent/pop.tif")
