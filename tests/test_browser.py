"""Open generated maps and reports in headless Chromium: they render, and make no external or failed request.

Skipped when Chromium is not installed (`make browser` installs it on Debian).
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _browser import chromium_path, open_page

from geo import maps, plot
from geo.report import Report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (apt-get install chromium)"),
]

ORIGIN = (112.58, 37.8563)


def bands():
    p = shapely.Point(ORIGIN)
    g = gpd.GeoDataFrame({"minutes": [5, 10, 15]}, geometry=[p.buffer(0.01 * k) for k in (1, 2, 3)], crs=4326)
    g["area_km2"] = g.to_crs(g.estimate_utm_crs()).area / 1e6
    return g


def pixels(png: bytes) -> np.ndarray:
    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(png), format="png")[..., :3]


def assert_clean(res):
    assert res.external == [], res.external
    assert res.failed == [], res.failed
    assert res.exceptions == [], res.exceptions
    assert res.console_errors == [], res.console_errors


def test_map_renders_offline_with_bands(tmp_path):
    path = maps.save_map(maps.isochrone_map(bands(), origins=ORIGIN, title="Drive time"), tmp_path / "map.html")
    res = open_page(path, screenshot=tmp_path / "map.png")
    assert_clean(res)
    img = pixels(res.screenshot)
    assert img.shape[:2] == (900, 1200)
    assert img.std() > 0.05  # not blank
    # the band colours are on screen (innermost ring: dark red, blended at 50 % over the background)
    red = (img[..., 0] - img[..., 1] > 0.25) & (img[..., 0] - img[..., 2] > 0.2)
    assert red.sum() > 2000
    assert (tmp_path / "map.png").stat().st_size > 10_000


def test_report_with_embedded_map_renders_offline(tmp_path):
    r = Report("Browser test 太原")
    r.section("Verdicts")
    r.verdict("holds", "A within 15 min of B", detail="12.0 min")
    r.section("Map")
    r.map(maps.isochrone_map(bands(), origins=ORIGIN), caption="Bands", height=480)
    r.image(plot.isochrone_plot(bands(), origins=ORIGIN), caption="Static")
    r.table(pd.DataFrame({"minutes": [5, 10], "area_km2": [1.2, np.nan]}))
    path = r.write(tmp_path / "report.html")
    res = open_page(path, screenshot=tmp_path / "report.png", height=1400)
    assert_clean(res)
    img = pixels(res.screenshot)
    assert img.std() > 0.05
    # the map iframe drew Leaflet bands: reddish pixels present in the lower part of the page
    lower = img[600:]
    red = (lower[..., 0] - lower[..., 1] > 0.25) & (lower[..., 0] - lower[..., 2] > 0.2)
    assert red.sum() > 500


def test_detector_sees_external_and_failed_requests(tmp_path):
    """The check can fail: a page with a remote image and one inside an iframe srcdoc is caught."""
    page = tmp_path / "bad.html"
    inner = "&lt;img src=&quot;http://127.0.0.1:9/inner.png&quot;&gt;"
    page.write_text(
        f'<html><body><p>x</p><img src="http://127.0.0.1:9/outer.png"><iframe srcdoc="{inner}"></iframe></body></html>'
    )
    res = open_page(page, settle_s=1.5)
    assert "http://127.0.0.1:9/outer.png" in res.external
    assert "http://127.0.0.1:9/inner.png" in res.external
    assert any("outer.png" in u for u, _ in res.failed)


def test_gains_map_of_one_place_renders(tmp_path):
    """One place has zero-size bounds: the view must still get a finite centre and zoom (no NaN LatLng)."""
    pts = gpd.GeoDataFrame({"name": ["A"], "before_minutes": [30.0], "after_minutes": [20.0]},
                           geometry=[shapely.Point(ORIGIN)], crs=4326)  # fmt: skip
    path = maps.save_map(maps.gains_map(pts), tmp_path / "one.html")
    res = open_page(path, screenshot=tmp_path / "one.png")
    assert res.exceptions == [] and res.console_errors == []
    assert res.external == [] and res.failed == []
    img = pixels(res.screenshot)
    # the marker is drawn in the middle of the view (a broken view leaves the map empty)
    h, w = img.shape[:2]
    centre = img[h // 2 - 20 : h // 2 + 20, w // 2 - 20 : w // 2 + 20]
    assert (np.abs(centre - centre[0, 0]).sum(axis=-1) > 0.1).any()
