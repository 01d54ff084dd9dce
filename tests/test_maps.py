"""Tests for geo.maps: offline HTML, escaping, band rings, GCJ-02 shifting, builders."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import maps
from geo._private import style
from geo._private.offline import external_references, make_offline
from geo.errors import InputError
from geo.network import Network
from geo.settings import shared_data_dir

ORIGIN = (112.58, 37.8563)


def nested_bands(minutes=(5, 10, 15)) -> gpd.GeoDataFrame:
    """Concentric squares around ORIGIN: half-widths 0.01, 0.02, 0.03 degrees."""
    geoms = [
        shapely.box(ORIGIN[0] - 0.01 * k, ORIGIN[1] - 0.01 * k, ORIGIN[0] + 0.01 * k, ORIGIN[1] + 0.01 * k)
        for k in (1, 2, 3)
    ]
    g = gpd.GeoDataFrame({"minutes": list(minutes)}, geometry=geoms[: len(minutes)], crs=4326)
    g["area_km2"] = g.to_crs(g.estimate_utm_crs()).area / 1e6
    return g


def small_network() -> Network:
    lon = np.array([112.57, 112.58, 112.59, 112.58])
    lat = np.array([37.85, 37.85, 37.85, 37.86])
    u = np.array([0, 1, 1, 2, 1, 3])
    v = np.array([1, 0, 2, 1, 3, 1])
    attrs = pd.DataFrame({"highway": ["primary", "primary", "residential", "residential", "trunk", "trunk"]})
    return Network.from_edges(lon, lat, u, v, speed_kmh=40.0, attrs=attrs)


def has_text(html: str, text: str) -> bool:
    """Text present literally or as a JSON \\u escape (folium's tojson output is ASCII)."""
    return text in html or json.dumps(text)[1:-1] in html


def geojson_payloads(html: str) -> list[dict]:
    """The GeoJSON objects folium embeds (`..._add({...});`)."""
    out = []
    for m in re.finditer(r"_add\((\{\"(?:bbox|features|type)\".*?\})\);\n", html, re.S):
        out.append(json.loads(m.group(1)))
    return out


def test_isochrone_map_is_self_contained_and_has_legend(tmp_path):
    m = maps.isochrone_map(nested_bands(), origins=ORIGIN, title="Drive time")
    path = maps.save_map(m, tmp_path / "iso.html")
    html = path.read_text(encoding="utf-8")
    assert external_references(html) == []
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)
    assert "Leaflet 1.9.4" in html  # inlined
    assert "Travel time (minutes)" in html
    for label in ("0–5", "5–10", "10–15"):
        assert has_text(html, label)
    assert "OpenStreetMap" in html
    assert 'charset="utf-8"' in html.lower() or "charset=utf-8" in html.lower()
    assert "L.control.layers" in html
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temp file


def test_rings_are_band_differences_largest_first():
    m = maps.isochrone_map(nested_bands(), origins=ORIGIN)
    html = maps.map_html(m)
    payloads = [p for p in geojson_payloads(html) if p["features"] and "_color" in p["features"][0]["properties"]]
    assert len(payloads) == 1
    feats = payloads[0]["features"]
    assert len(feats) == 3
    areas = [shapely.geometry.shape(f["geometry"]).area for f in feats]
    # drawn largest band first: 10-15 ring (0.06^2-0.04^2), 5-10 ring (0.04^2-0.02^2), 0-5 square (0.02^2)
    np.testing.assert_allclose(areas, [0.0020, 0.0012, 0.0004], rtol=1e-6)
    colours = [f["properties"]["_color"] for f in feats]
    assert colours[::-1] == style.band_colors(3)
    # the rings do not overlap
    geoms = [shapely.geometry.shape(f["geometry"]) for f in feats]
    assert geoms[0].intersection(geoms[1]).area < 1e-12


def test_tooltips_and_titles_are_escaped():
    bad = "<script>alert(1)</script>"
    st = gpd.GeoDataFrame(
        {"name": [bad, "柞水"]}, geometry=[shapely.Point(ORIGIN), shapely.Point(ORIGIN[0] + 0.01, ORIGIN[1])], crs=4326
    )
    lines = gpd.GeoDataFrame(
        {"name": [bad], "rail_type": ["hsr"]},
        geometry=[shapely.LineString([ORIGIN, (ORIGIN[0] + 0.01, ORIGIN[1])])],
        crs=4326,
    )
    m = maps.rail_map(lines, st, title=bad)
    maps.isochrone_map(nested_bands(), origins=[(ORIGIN[0], ORIGIN[1], bad)], m=m)
    html = maps.map_html(m)
    assert bad not in html
    assert "alert(1)" in html  # the text is there, escaped
    assert "&lt;script&gt;" in html or "\\u0026lt;script\\u0026gt;" in html
    assert has_text(html, "柞水")


def test_unknown_external_resource_is_refused():
    import folium

    m = maps.isochrone_map(nested_bands())
    folium.Marker(ORIGIN[::-1], icon=folium.Icon(icon="info-sign")).add_to(m)
    with pytest.raises(InputError, match="awesome-markers"):
        maps.map_html(m)
    page = '<head><script src="https://unpkg.com/some-plugin.js"></script></head>'
    with pytest.raises(InputError, match="cannot be inlined"):
        make_offline(page)
    assert "some-plugin" in make_offline(page, strict=False)


def test_default_folium_map_becomes_offline():
    import folium

    m = folium.Map(location=[37.85, 112.58], zoom_start=12, tiles=None)
    folium.CircleMarker([37.85, 112.58], radius=5, popup="p").add_to(m)
    page = m.get_root().render()
    assert external_references(page)  # folium's CDN links
    assert external_references(make_offline(page)) == []


def test_external_references_scanner():
    page = """<html><head><link rel="stylesheet" href="a.css"><style>@import "https://x/y.css";
    div{background:url('data:image/png;base64,AAA')}</style></head>
    <body><a href="https://www.openstreetmap.org/copyright">OSM</a><img src="data:image/png;base64,AA">
    <img srcset="https://i/1.png 1x, https://i/2.png 2x"></body></html>"""
    assert external_references(page) == ["a.css", "https://x/y.css", "https://i/1.png", "https://i/2.png"]


def test_existing_map_gets_layers_added():
    m = maps.network_map(small_network())
    m2 = maps.isochrone_map(nested_bands(), m=m)
    assert m2 is m
    html = maps.map_html(m)
    assert "Road network" in html and "Travel time (minutes)" in html
    assert html.count("L.control.layers") == 1  # one layer control, rebuilt last


def test_network_base_layer_merges_two_way_edges():
    net = small_network()
    lines, dropped = maps._network_lines(net, max_segments=1000)
    assert dropped == 0
    assert sorted(lines["class"]) == ["minor", "primary", "trunk"]
    total = sum(shapely.length(g) for g in lines.geometry)
    np.testing.assert_allclose(total, 0.03, rtol=1e-9)  # 3 undirected segments of 0.01 deg, each drawn once
    lines, dropped = maps._network_lines(net, max_segments=2)
    assert dropped == 1 and "minor" not in set(lines["class"])


def test_gcj02_tiles_shift_overlays():
    from geo.crs import wgs84_to_gcj02

    plain = maps.isochrone_map(nested_bands(), origins=ORIGIN)
    shifted = maps.isochrone_map(nested_bands(), origins=ORIGIN, tiles="amap")
    p0 = next(p for p in geojson_payloads(maps.map_html(plain)) if p["features"])
    p1 = next(p for p in geojson_payloads(maps.map_html(shifted, strict=True)) if p["features"])
    c0 = np.array(p0["features"][-1]["geometry"]["coordinates"][0][0])
    c1 = np.array(p1["features"][-1]["geometry"]["coordinates"][0][0])
    expect = np.array(wgs84_to_gcj02(*c0))
    np.testing.assert_allclose(c1, expect, atol=2e-6)
    assert np.abs(c1 - c0).max() > 1e-3  # GCJ-02 offset in Taiyuan is hundreds of metres
    html = maps.map_html(shifted)
    assert "autonavi" in html  # the chosen tile layer is there (it needs internet by nature)
    with pytest.raises(InputError, match="unknown tile"):
        maps.isochrone_map(nested_bands(), tiles="google")
    with pytest.raises(InputError, match="mix"):
        maps.base_map((0, 0, 1, 1), tiles=["osm", "amap"])


def test_comparison_map_layers_and_gain():
    before = nested_bands((5, 10, 15))
    after = before.copy()
    after.geometry = shapely.buffer(after.geometry.values, 0.005, join_style="mitre")
    road = gpd.GeoDataFrame(
        {"name": ["Taixin Avenue"], "speed_kmh": [80]},
        geometry=[shapely.LineString([ORIGIN, (ORIGIN[0], ORIGIN[1] + 0.05)])],
        crs=4326,
    )
    m = maps.comparison_map(before, after, road, origins=ORIGIN, title="Before / after")
    html = maps.map_html(m)
    assert external_references(html) == []
    for text in ("Before", "After", "Area gained", "Proposed", "Taixin Avenue", style.PROPOSED_COLOR):
        assert text in html
    # "after" is drawn, "before" only listed in the layer control (switched off): a group not added to the map
    groups = dict(re.findall(r'"([^"]+)"\s*:\s*(feature_group_\w+)', html))
    before_fg = next(v for k, v in groups.items() if k.startswith("Before"))
    after_fg = next(v for k, v in groups.items() if k.startswith("After"))
    assert f"{before_fg}.addTo(map_" not in html and f"{after_fg}.addTo(map_" in html
    gained = [
        p
        for p in geojson_payloads(html)
        if p["features"] and "Newly within" in p["features"][0]["properties"].get("_tip", "")
    ]
    assert len(gained) == 1 and len(gained[0]["features"]) == 3


def test_gains_map_classifies_places():
    pts = gpd.GeoDataFrame(
        {
            "name": ["faster", "same", "new", "never"],
            "before_minutes": [30.0, 20.0, np.nan, np.nan],
            "after_minutes": [18.0, 20.0, 25.0, np.nan],
        },
        geometry=[shapely.Point(ORIGIN[0] + i * 0.01, ORIGIN[1]) for i in range(4)],
        crs=4326,
    )
    html = maps.map_html(maps.gains_map(pts))
    assert "12.0 min faster" in html and "no change" in html and "newly reachable" in html and "unreachable" in html
    with pytest.raises(InputError, match="after_minutes"):
        maps.gains_map(pts.drop(columns="after_minutes"))


def test_route_map_from_routing_route():
    from geo.routing import route

    net = small_network()
    r = route(net, (112.57, 37.85), (112.58, 37.86))
    html = maps.map_html(maps.route_map(r))
    assert "Start" in html and "End" in html and "minutes" in html


def test_bad_inputs():
    with pytest.raises(InputError, match="minutes"):
        maps.isochrone_map(nested_bands().drop(columns="minutes"))
    with pytest.raises(InputError, match="CRS"):
        maps.isochrone_map(gpd.GeoDataFrame({"minutes": [5]}, geometry=[shapely.Point(0, 0).buffer(1)]))
    with pytest.raises(InputError, match="lon/lat"):
        maps.isochrone_map(nested_bands(), origins=(37.8, 212.5))
    with pytest.raises(InputError, match=r"folium\.Map"):
        maps.isochrone_map(nested_bands(), m="not a map")


@pytest.mark.shared
def test_real_taiyuan_base_layer_and_boundaries(tmp_path):
    d = shared_data_dir()
    edges = gpd.read_file(d / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson")
    edges = edges[edges["highway"].notna()]
    m = maps.isochrone_map(
        nested_bands(),
        origins=ORIGIN,
        network=edges,
        boundaries=d / "boundaries" / "shanxi_140000_counties_wgs84.geojson",
    )
    html = maps.save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert external_references(html) == []
    assert has_text(html, "小店区")  # county label near the origin
    assert len(html) < 3_000_000
