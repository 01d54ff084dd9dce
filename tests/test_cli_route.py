"""geo route: legs and totals, JSON form, errors."""

from __future__ import annotations

import json

import pytest

from geo.cli import main
from geo.settings import shared_data_dir

SPEC = """name: T
run_times_minutes: [20]
headway_minutes: 10
dwell_minutes: 0
stations:
  - {name: A, lon: 0.0, lat: 0.0}
  - {name: B, lon: 0.2, lat: 0.0}
"""


def test_route_json_legs(tmp_path, capsys):
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    rc = main(["route", "--from", "0,0", "--to", "0.2,0", "--mode", "rail+walk", "--line", str(spec), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["total_minutes"] == pytest.approx(10 + 5 + 20 + 5)
    assert [leg["mode"] for leg in out["legs"]] == ["walk", "board", "wait", "rail", "alight", "walk"]
    assert all({"mode", "from", "to", "minutes"} <= set(leg) for leg in out["legs"])


def test_route_text_says_fallback(tmp_path, capsys):
    rc = main(["route", "--from", "0,0", "--to", "0,0.1", "--mode", "drive"])
    out = capsys.readouterr().out
    assert rc == 0 and "fallback: straight line x1.3 at 40 km/h" in out and "pass --network" in out


def test_route_errors(tmp_path, capsys):
    assert main(["route", "--from", "0,0", "--to", "1,1", "--mode", "rail"]) == 2
    assert "needs rail data" in capsys.readouterr().err
    assert main(["route", "--from", "0,0", "--to", "1,1", "--mode", "rail", "--gtfs", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_route_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["route", "--help"])
    assert "geo route --from 西安东 --to 商洛西" in capsys.readouterr().out


@pytest.mark.shared
def test_route_timetable_and_osm(capsys):
    d = shared_data_dir()
    rc = main(["route", "--from", "太原南", "--to", "忻州西", "--mode", "rail", "--gtfs", str(d / "rail/gtfs_20261004_stop_times_extract.csv"), "--json"])
    out = json.loads(capsys.readouterr().out)
    from geo.gtfs import load_gtfs

    assert rc == 0 and out["total_minutes"] == load_gtfs(d / "rail/gtfs_20261004_stop_times_extract.csv").fastest("太原南", "忻州西")["minutes"]
    rc = main(["route", "--from", "西安东", "--to", "商洛西", "--mode", "rail", "--design-speed", "350",
               "--rail", str(d / "xian_zhashui/shaanxi_osm_rail_lines.geojson"),
               "--stations", str(d / "xian_zhashui/shaanxi_osm_rail_stations.geojson"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and 80_000 < out["legs"][0]["metres"] < 95_000


def test_route_engine_option_gives_the_same_drive_time(tmp_path, capsys):
    """--engine cch and --engine dijkstra give the same road time (the CCH is built on first use)."""
    from geo.synthetic import grid_network

    net_file = grid_network(25, seed=4).save(tmp_path / "grid.geonet")
    out = {}
    for engine in ("dijkstra", "cch"):
        rc = main(["route", "--from", "112.551,37.871", "--to", "112.565,37.879", "--mode", "drive", "--network", str(net_file), "--engine", engine, "--json"])
        assert rc == 0
        out[engine] = json.loads(capsys.readouterr().out)["total_minutes"]
    assert out["cch"] == pytest.approx(out["dijkstra"], rel=1e-9) and out["cch"] > 1
    with pytest.raises(SystemExit) as e:
        main(["route", "--from", "0,0", "--to", "1,1", "--mode", "drive", "--engine", "fast"])
    assert e.value.code == 2 and "invalid choice: 'fast'" in capsys.readouterr().err
