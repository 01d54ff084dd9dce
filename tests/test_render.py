"""One description, two renderers: what geo.render.describe says is what both the web map and the figure show."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from matplotlib.colors import to_hex

from geo import maps, plot
from geo.errors import InputError
from geo.render import describe as D
from geo.render import folium as web
from geo.render import mpl

ORIGIN = (112.58, 37.8563)


def nested_bands(minutes=(5, 10, 15)) -> gpd.GeoDataFrame:
    geoms = [shapely.Point(ORIGIN).buffer(0.01 * k) for k in range(1, len(minutes) + 1)]
    return gpd.GeoDataFrame({"minutes": list(minutes)}, geometry=geoms, crs=4326)


def legend_labels_web(html: str) -> list[str]:
    return re.findall(r"<span>(.*?)</span></div>", html.encode().decode("unicode_escape"))


def test_isochrone_spec_drives_both_renderers():
    spec = D.isochrone(nested_bands(), ORIGIN, name="Travel time", colors=None)
    kinds = [lay.kind for lay in spec.layers]
    assert kinds == ["polygons", "points", "text"]  # bands, origin dot, origin name (static only)
    bands = spec.layers[0]
    rows = spec.legends[0].rows
    assert [r.label for r in rows] == ["0–5", "5–10", "10–15", "Origin"]
    # web: the GeoJSON carries the spec's fill colours; the legend lists the spec's rows
    html = maps.map_html(web.draw(spec))
    payload = next(json.loads(m) for m in re.findall(r"_add\((\{\"(?:features|type)\".*?\})\);\n", html, re.S))
    assert [f["properties"]["_color"] for f in payload["features"]] == bands.fill
    assert legend_labels_web(maps.map_html(web.draw(spec)))[:4] == [r.label for r in rows]
    # static: the same rows in the legend; the band faces in the axes are the spec's fills, drawn in that order
    fig = mpl.draw(spec)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [r.label for r in rows]
    faces = [to_hex(p.get_facecolor()) for p in ax.patches if p.get_edgecolor()[3] == 0 and p.get_facecolor()[3] > 0]
    assert faces == bands.fill
    # the origin's name is drawn only in the figure (web=False)
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("112.58")] == ["112.58000, 37.85630"]
    assert "112.58000, 37.85630</div>" not in html


def test_media_flags_and_panels():
    before, after = nested_bands((5, 10)), nested_bands((5, 10, 15))
    road = gpd.GeoDataFrame({"name": ["r"]}, geometry=[shapely.LineString([ORIGIN, (ORIGIN[0], 37.9)])], crs=4326)
    spec = D.comparison(before, after, road, ORIGIN, colors=None)
    names = {lay.name for lay in spec.layers if lay.web}
    assert {"Before", "After", "Area gained", "Proposed", "Origin"} <= names
    assert not any(lay.static for lay in spec.layers if lay.name == "Area gained")  # web only
    fig = mpl.draw(spec, figsize=None)
    left, right = ([t.get_text() for t in a.get_legend().get_texts()] for a in fig.axes)
    assert "proposed" in right and "proposed" not in left  # rows follow their panels
    assert "Area gained" not in left + right
    html = maps.map_html(web.draw(spec))
    assert "before (outline)" not in html and "Proposed road / line" in html


def test_layer_broadcasts_and_drops_empty_geometries():
    g = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), shapely.Point(), shapely.Point(1, 1)], crs=4326)
    lay = D.layer("x", "points", g, color="#000000", width=[1, 2, 3], lw=1, tips=["a", "b", "c"])
    assert len(lay.gdf) == 2 and lay.width == [1, 3] and lay.tips == ["a", "c"] and lay.color == ["#000000"] * 2


def test_same_description_for_public_builders():
    """geo.maps and geo.plot give the same legend for the same kind, since both draw one description."""
    pts = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"], "before_minutes": [20.0, np.nan, 5.0], "after_minutes": [12.0, 30.0, 9.0]},
        geometry=[shapely.Point(ORIGIN[0] + i * 0.01, ORIGIN[1]) for i in range(3)],
        crs=4326,
    )
    static = [t.get_text() for t in plot.gains_plot(pts).axes[0].get_legend().get_texts()]
    webrows = legend_labels_web(maps.map_html(maps.gains_map(pts)))
    assert static == ["8 min faster", "newly reachable", "slower", "no change / unreachable"]
    assert webrows == ["a little faster", *static]  # the web legend adds the low end of the ramp


def test_nothing_to_draw():
    with pytest.raises(InputError, match="nothing to draw"):
        mpl.draw(D.MapSpec([], [], None))
