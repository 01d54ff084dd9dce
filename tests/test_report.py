"""Tests for geo.report: one self-contained, escaped HTML file."""

from __future__ import annotations

import base64
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import maps, plot
from geo._private.offline import external_references
from geo.errors import InputError
from geo.report import Report, markdown

ORIGIN = (112.58, 37.8563)


def bands():
    p = shapely.Point(ORIGIN)
    return gpd.GeoDataFrame({"minutes": [5, 10]}, geometry=[p.buffer(0.01), p.buffer(0.02)], crs=4326)


def build(tmp_path):
    r = Report("Study <x>", subtitle="柞水 & Xi'an")
    r.section("Verdicts")
    r.verdict("holds", "A within 15 min of B", detail="12.0 min")
    r.verdict("fails", "<script>alert(1)</script>", detail="20.0 min")
    r.verdict("cannot-evaluate", "C within 15 min of D", reason="no road network")
    r.section("Maps")
    r.map(maps.isochrone_map(bands(), origins=ORIGIN), caption="Bands")
    r.image(plot.isochrone_plot(bands(), origins=ORIGIN), caption="Static")
    r.image(plot.isochrone_plot(bands()), fmt="svg", caption="SVG")
    r.section("Tables")
    r.table(pd.DataFrame({"name": ["<b>x</b>", "柞水"], "minutes": [12.345, np.nan], "count": [3, 4]}), decimals=2)
    r.note("Uses **OSM** data; see [licence](https://www.openstreetmap.org/copyright).")
    r.sources([("OSM lines", "osm_lines_taiyuan_core_2022-01.geojson", "2022-01", "ODbL")])
    return r, r.write(tmp_path / "report.html")


def test_report_is_self_contained_and_escaped(tmp_path):
    _, path = build(tmp_path)
    html = path.read_text(encoding="utf-8")
    assert external_references(html) == []
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "Study &lt;x&gt;" in html
    assert '<meta charset="utf-8">' in html and "柞水" in html
    assert html.count('class="badge"') == 3 and "cannot evaluate" in html
    assert html.count("<iframe") == 1 and 'srcdoc="' in html
    assert html.count('src="data:image/png;base64,') == 1 and html.count('src="data:image/svg+xml;base64,') == 1
    assert "12.35" in html and "—" in html  # decimals and missing value
    assert "OpenStreetMap" in html and "ODbL" in html
    assert re.search(r'<a href="#verdicts">Verdicts</a>', html)
    assert not list(tmp_path.glob(".*.tmp"))


def test_embedded_png_decodes(tmp_path):
    _, path = build(tmp_path)
    html = path.read_text(encoding="utf-8")
    b64 = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"


def test_external_content_is_refused(tmp_path):
    r = Report("t")
    r.html('<img src="https://example.com/x.png">')
    with pytest.raises(InputError, match="external"):
        r.write(tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()
    with pytest.raises(InputError, match="external"):
        Report("t").map('<script src="https://cdn.example/leaflet.js"></script>')
    with pytest.raises(InputError, match="verdict"):
        Report("t").verdict("maybe", "x")
    with pytest.raises(InputError, match="DataFrame"):
        Report("t").table([1, 2])


def test_markdown_subset():
    assert markdown("1. a\n2. *b*") == "<ol><li>a</li><li><em>b</em></li></ol>"
    assert markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"  # only http(s)/#/mailto links
    assert markdown("### Head") == "<h4>Head</h4>"
