"""Tests for geo.plot: static PNG/SVG maps."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import plot
from geo._private import style
from geo.errors import InputError
from geo.network import Network

ORIGIN = (112.58, 37.8563)


def nested_bands(minutes=(5, 10, 15)) -> gpd.GeoDataFrame:
    geoms = [
        shapely.box(ORIGIN[0] - 0.01 * k, ORIGIN[1] - 0.01 * k, ORIGIN[0] + 0.01 * k, ORIGIN[1] + 0.01 * k)
        for k in (1, 2, 3)
    ]
    return gpd.GeoDataFrame({"minutes": list(minutes)}, geometry=geoms[: len(minutes)], crs=4326)


def small_network() -> Network:
    lon = np.array([112.57, 112.58, 112.59, 112.58])
    lat = np.array([37.85, 37.85, 37.85, 37.86])
    attrs = pd.DataFrame({"highway": ["primary", "primary", "residential", "residential", "trunk", "trunk"]})
    return Network.from_edges(lon, lat, [0, 1, 1, 2, 1, 3], [1, 0, 2, 1, 3, 1], speed_kmh=40.0, attrs=attrs)


def read_png(path):
    import matplotlib.image as mpimg

    return mpimg.imread(path)


def test_isochrone_png_has_band_colours_and_legend(tmp_path):
    fig = plot.isochrone_plot(
        nested_bands(), origins=ORIGIN, network=small_network(), title="Drive time", path=tmp_path / "iso.png"
    )
    ax = fig.axes[0]
    leg = ax.get_legend()
    assert leg.get_title().get_text() == "Travel time (minutes)"
    assert [t.get_text() for t in leg.get_texts()] == ["0–5", "5–10", "10–15", "Origin"]
    texts = [t.get_text() for t in ax.texts]
    assert style.OSM_ATTRIBUTION in texts
    assert any(t.endswith("km") or t.endswith(" m") for t in texts)  # scale bar label
    img = read_png(tmp_path / "iso.png")
    assert img.shape[0] > 500 and img[..., :3].std() > 0.05  # not blank
    # the innermost band colour is present in the raster (alpha-blended over the background)
    rgb = img[..., :3].reshape(-1, 3)
    inner = np.array([int(style.band_colors(3)[0][i : i + 2], 16) / 255 for i in (1, 3, 5)])
    bg = np.array([0xF5, 0xF4, 0xF0]) / 255
    blended = 0.6 * inner + 0.4 * bg
    assert (np.abs(rgb - blended).max(axis=1) < 0.05).sum() > 1000
    assert not list(tmp_path.glob(".*.tmp"))


def test_svg_and_unknown_format(tmp_path):
    fig = plot.isochrone_plot(nested_bands(), origins=ORIGIN)
    p = plot.save_figure(fig, tmp_path / "iso.svg")
    text = p.read_text()
    assert text.startswith("<?xml") and "<svg" in text
    with pytest.raises(InputError, match="format"):
        plot.save_figure(fig, tmp_path / "iso.bmp")


def test_scale_bar_is_metric():
    import pyproj
    from matplotlib.patches import Rectangle

    fig = plot.isochrone_plot(nested_bands(), origins=ORIGIN)
    ax = fig.axes[0]
    label = next(t.get_text() for t in ax.texts if t.get_text().endswith("km"))
    assert label == "1 km"  # largest 1-2-5 length <= a fifth of the ~6 km wide view
    outline = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_facecolor()[3] == 0]
    assert len(outline) == 1 and outline[0].get_width() == pytest.approx(1000.0)
    # axes units are metres: two points 1 km apart on the ellipsoid are ~1000 units apart on the plot
    lon2, lat2, _ = pyproj.Geod(ellps="WGS84").fwd(ORIGIN[0], ORIGIN[1], 90, 1000.0)
    xy = gpd.GeoSeries([shapely.Point(ORIGIN), shapely.Point(lon2, lat2)], crs=4326).to_crs(ax._geo_crs)
    assert xy.iloc[0].distance(xy.iloc[1]) == pytest.approx(1000.0, rel=2e-3)


def test_comparison_and_gains_and_route(tmp_path):
    before = nested_bands((5, 10))
    after = nested_bands((5, 10, 15))
    road = gpd.GeoDataFrame({"name": ["新路"]}, geometry=[shapely.LineString([ORIGIN, (ORIGIN[0], 37.9)])], crs=4326)
    fig = plot.comparison_plot(before, after, road, origins=ORIGIN, title="对比", path=tmp_path / "c.png")
    assert [a.get_title() for a in fig.axes] == ["Before", "After"]
    after_labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "proposed" in after_labels and "10–15" in after_labels
    fig = plot.comparison_plot(before, after, side_by_side=False)
    assert len(fig.axes) == 1
    pts = gpd.GeoDataFrame(
        {"name": ["a", "b"], "before_minutes": [20.0, np.nan], "after_minutes": [12.0, 30.0]},
        geometry=[shapely.Point(ORIGIN), shapely.Point(ORIGIN[0] + 0.01, ORIGIN[1])],
        crs=4326,
    )
    labels = [t.get_text() for t in plot.gains_plot(pts).axes[0].get_legend().get_texts()]
    assert labels == ["8 min faster", "newly reachable", "no change / unreachable"]
    from geo.routing import route

    r = route(small_network(), (112.57, 37.85), (112.58, 37.86))
    labels = [t.get_text() for t in plot.route_plot(r).axes[0].get_legend().get_texts()]
    assert labels == ["drive", "Start", "End"]


def test_cjk_font_or_warning():
    bands = nested_bands()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fig = plot.isochrone_plot(bands, origins=[(ORIGIN[0], ORIGIN[1], "太原站")], title="太原")
        plot.figure_bytes(fig)
    msgs = [str(w.message) for w in rec]
    if plot.cjk_font() is None:
        assert any("fonts-noto-cjk" in m for m in msgs)
    else:
        assert not any("missing from font" in m or "CJK" in m for m in msgs)


def test_empty_input_is_an_error():
    with pytest.raises(InputError, match="nothing to draw"):
        plot.isochrone_plot(nested_bands().iloc[:0])
