"""``geo isochrone`` through geo.cli.main: outputs, GCJ-02, population, one-line errors."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import rasterio

from geo.cli import main
from geo.crs import wgs84_to_gcj02
from geo.synthetic import grid_network

CENTRE = (112.55, 37.87)


@pytest.fixture(scope="module")
def netfile(tmp_path_factory):
    net = grid_network(30, centre=CENTRE)
    return str(net.save(tmp_path_factory.mktemp("net") / "grid.geonet"))


def test_writes_gpkg_map_raster_and_json(netfile, tmp_path, capsys):
    out = tmp_path / "o"
    rc = main(
        ["-q", "isochrone", "--network", netfile, "--origin", "112.55,37.87", "--minutes", "2,4",
         "--out", str(out), "--raster", "--cell-size", "50", "--json"]
    )  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert [b["minutes"] for b in summary["bands"]] == [2.0, 4.0]
    g = gpd.read_file(out / "isochrones.gpkg", layer="isochrones")
    assert g.crs.to_epsg() == 4326 and g["minutes"].tolist() == [2.0, 4.0]
    assert g.geometry.iloc[1].covers(g.geometry.iloc[0])
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "leaflet" in html.lower()
    with rasterio.open(out / "travel_time.tif") as src:
        a = src.read(1)
        assert src.crs.is_projected and np.nanmax(a) <= 4.0 + 1e-6


def test_gcj02_in_and_out(netfile, tmp_path, capsys):
    glon, glat = wgs84_to_gcj02(*CENTRE)
    a, b = tmp_path / "w", tmp_path / "g"
    assert main(["-q", "isochrone", "--network", netfile, "--origin", "112.55,37.87", "--minutes", "3",
                 "--out", str(a), "--no-map"]) == 0  # fmt: skip
    assert main(["-q", "isochrone", "--network", netfile, "--origin", f"{glon},{glat}", "--crs", "gcj02",
                 "--minutes", "3", "--out", str(b), "--no-map"]) == 0  # fmt: skip
    ga = gpd.read_file(a / "isochrones.gpkg").geometry.iloc[0]
    gb = gpd.read_file(b / "isochrones.gpkg").geometry.iloc[0]
    # same band, shifted by the GCJ-02 offset (hundreds of metres) in the output file
    ca, cb = ga.centroid, gb.centroid
    assert np.allclose(wgs84_to_gcj02(ca.x, ca.y), (cb.x, cb.y), atol=2e-5)
    assert abs(cb.x - ca.x) > 1e-3


def test_population_columns(netfile, tmp_path):
    from rasterio.transform import Affine

    pop = tmp_path / "pop.tif"
    with rasterio.open(pop, "w", driver="GTiff", height=200, width=200, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(0.001, 0, 112.45, 0, -0.001, 37.97)) as dst:  # fmt: skip
        dst.write(np.ones((200, 200), np.float32), 1)
    out = tmp_path / "p"
    assert main(["-q", "isochrone", "--network", netfile, "--origin", "112.55,37.87", "--minutes", "2,4",
                 "--population", str(pop), "--out", str(out), "--no-map"]) == 0  # fmt: skip
    g = gpd.read_file(out / "isochrones.gpkg")
    assert {"population", "population_share"} <= set(g.columns)
    assert 0 < g["population"].iloc[0] < g["population"].iloc[1]
    assert 0 < g["population_share"].iloc[1] <= 1


@pytest.mark.parametrize(
    "extra,needle",
    [
        (["--minutes", "-5"], "positive"),
        (["--minutes", "ten"], "numbers"),
        (["--mode", "boat"], "unknown --mode"),
        (["--origin", "113.2,37.87"], "km from the nearest"),
        (["--origin", "abc"], "LON,LAT"),
        (["--population", "/no/such.tif"], "does not exist"),
    ],
)
def test_errors_are_one_line(netfile, tmp_path, capsys, extra, needle):
    argv = ["isochrone", "--network", netfile, "--origin", "112.55,37.87", "--out", str(tmp_path / "x")]
    if "--origin" in extra:
        argv = ["isochrone", "--network", netfile, "--out", str(tmp_path / "x")]
    rc = main(argv + extra)
    err = capsys.readouterr().err
    assert rc != 0
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and "Fix:" in err


def test_missing_and_corrupt_network(tmp_path, capsys):
    assert main(["isochrone", "--network", str(tmp_path / "none.osm.pbf"), "--origin", "1,2"]) != 0
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"this is not a pbf file")
    assert main(["-q", "isochrone", "--network", str(bad), "--origin", "1,2", "--out", str(tmp_path / "o")]) != 0
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert "Traceback" not in err and len(lines) == 2 and all(x.startswith("error: ") for x in lines)
    assert "pbf" in lines[1]


def test_help_teaches_by_example(capsys):
    with pytest.raises(SystemExit):
        main(["isochrone", "--help"])
    out = capsys.readouterr().out
    assert "geo isochrone --network" in out and "--origin 112.5800,37.8563" in out


def test_rail_walk_mode_reaches_beyond_walking(tmp_path, capsys):
    """A planned line from the origin corner to the far corner of the grid: rail+walk covers more than walk."""
    net = grid_network(30, centre=CENTRE, local_kmh=5, arterial_kmh=5, expressway_kmh=5, mode="walk")
    netfile = str(net.save(tmp_path / "walk.geonet"))
    a = (float(net.lon.min()), float(net.lat.min()))
    b = (float(net.lon.max()), float(net.lat.max()))
    spec = tmp_path / "line.yaml"
    spec.write_text(
        "name: Test line\nheadway_minutes: 10\ndwell_minutes: 0\nrun_times_minutes: [3]\nstations:\n"
        f"  - {{name: A, lon: {a[0]}, lat: {a[1]}}}\n  - {{name: B, lon: {b[0]}, lat: {b[1]}}}\n",
        encoding="utf-8",
    )
    origin = f"{a[0]},{a[1]}"
    areas = {}
    for mode in ("walk", "rail+walk"):
        out = tmp_path / mode.replace("+", "_")
        args = ["isochrone", "--network", netfile, "--origin", origin, "--minutes", "20,30", "--mode", mode,
                "--out", str(out), "--json", "-q"]  # fmt: skip
        assert main([*args, "--line", str(spec)] if mode != "walk" else args) == 0
        summary = json.loads(capsys.readouterr().out)
        areas[mode] = [band["area_km2"] for band in summary["bands"]]
    # 30 min: walk to A (0), board 10 + wait 5 + ride 3 + alight 5 = 23 min at B, 7 min of walking around B
    assert areas["rail+walk"][1] > areas["walk"][1] + 0.1
    assert areas["rail+walk"][0] == pytest.approx(areas["walk"][0], rel=1e-6)  # 20 min: the train does not help yet
    html = (tmp_path / "rail_walk" / "map.html").read_text(encoding="utf-8")
    assert "Stations" in html


def test_rail_mode_without_rail_input_is_a_clear_error(netfile, tmp_path, capsys):
    rc = main(["isochrone", "--network", netfile, "--origin", "112.55,37.87", "--mode", "rail+walk", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "needs rail services" in err and "--line" in err and "Traceback" not in err
