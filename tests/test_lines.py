"""Planned-line specs: chainages, run times, validation errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geo._private.runtime import TrainModel, pure_running_time
from geo.errors import InputError
from geo.lines import load_line, station_to_station

REPO = Path(__file__).resolve().parent.parent


def test_run_times_given_hand_computed():
    line = load_line(
        {"name": "L", "run_times_minutes": [10, 15], "dwell_minutes": 3, "headway_minutes": 20,
         "stations": [{"name": "A", "km": 0}, {"name": "B", "km": 20}, {"name": "C", "km": 50}]}
    )
    r = station_to_station(line, "A", "C")
    assert r["minutes"] == 28.0 and r["km"] == 50.0 and r["stops_between"] == 1 and r["dwell_minutes"] == 3.0
    assert station_to_station(line, "C", "A")["minutes"] == 28.0  # two-way by default
    assert station_to_station(line, "A", "B")["minutes"] == 10.0
    assert station_to_station(line, "A", "X") is None
    assert line.headway_min == 20.0


def test_design_speed_uses_calibrated_runtime_model():
    # issue 9: planned lines are estimated with the calibrated model (stop loss, supplement) and say so
    from geo._private.runtime import load_calibration

    spec = {"design_speed_kmh": 300, "dwell_minutes": 0, "stations": [{"name": "A", "km": 0}, {"name": "B", "km": 60}]}
    line = load_line(spec)
    cal = load_calibration()
    t, _ = cal.section_seconds(np.array([60_000.0]), np.array([300.0]), TrainModel(max_speed_kmh=300))
    assert station_to_station(line, "A", "B")["minutes"] == pytest.approx(t / 60)
    assert line.evidence == "model" and line.calibration == cal.version
    bare, _ = pure_running_time([60_000], [300], TrainModel(max_speed_kmh=300))
    assert t > bare  # stop loss and supplement only ever add time
    # a train: mapping switches to the bare physics model with that train
    phys = load_line({**spec, "train": {"supplement": 0.05}})
    assert station_to_station(phys, "A", "B")["minutes"] == pytest.approx(bare * 1.05 / 60)


def test_hub_station_adds_the_calibrated_allowance_on_arrival_only():
    from geo._private.runtime import load_calibration

    hub_min = load_calibration().params["hub_arrival_s"] / 60.0
    stations = [{"name": "H", "km": 0, "hub": True}, {"name": "M", "km": 40}, {"name": "B", "km": 60}]
    plain = load_line({"design_speed_kmh": 350, "dwell_minutes": 2, "stations": [{**s, "hub": False} for s in stations]})
    line = load_line({"design_speed_kmh": 350, "dwell_minutes": 2, "stations": stations})
    assert line.stations[0].arrival_s == pytest.approx(hub_min * 60) and line.stations[1].arrival_s == 0.0
    for a, b, extra in [("M", "H", hub_min), ("B", "H", hub_min), ("H", "M", 0.0), ("H", "B", 0.0), ("B", "M", 0.0)]:
        assert station_to_station(line, a, b)["minutes"] == pytest.approx(station_to_station(plain, a, b)["minutes"] + extra)
    assert "hub arrival allowance at H" in station_to_station(line, "B", "H")["note"]
    assert "hub" not in station_to_station(line, "H", "B")["note"]
    assert line.table["minutes_from_start"].tolist() == pytest.approx(plain.table["minutes_from_start"].tolist())
    # published run times are taken as they are: no allowance on top
    given = load_line({"run_times_minutes": [10, 5], "stations": stations})
    assert station_to_station(given, "B", "H")["minutes"] == pytest.approx(10 + 5 + 2)


def test_coordinates_scaled_to_length_and_unknown_sites():
    line = load_line(
        {"design_speed_kmh": 350, "length_km": 120,
         "stations": [{"name": "A", "lon": 0, "lat": 0}, {"name": "B", "lon": 0, "lat": 0.5}, {"name": "M", "position": "unknown"},
                      {"name": "C", "lon": 0, "lat": 1.0}]}
    )
    kms = [s.km for s in line.stations]
    assert kms[-1] == pytest.approx(120.0)
    assert kms[1] == pytest.approx(60.0, rel=1e-3)
    assert kms[2] == pytest.approx(90.0, rel=1e-3)  # midway between B and C, stated
    assert "assumed" in line.stations[2].source
    assert "assumed" in station_to_station(line, "A", "C")["note"]


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"design_speed_kmh": 300, "stations": ["A"]}, "at least two stations"),
        ({"stations": [{"name": "A", "km": 0}, {"name": "B", "km": 5}]}, "design_speed_kmh or run_times_minutes"),
        ({"design_speed_kmh": -3, "stations": [{"name": "A", "km": 0}, {"name": "B", "km": 5}]}, "must be positive"),
        ({"run_times_minutes": [1, 2], "stations": [{"name": "A", "km": 0}, {"name": "B", "km": 5}]}, "must list 1 section"),
        ({"design_speed_kmh": 300, "stations": [{"name": "A", "km": 5}, {"name": "B", "km": 1}]}, "must increase"),
        ({"design_speed_kmh": 300, "stations": [{"name": "A", "km": 0}, {"name": "A", "km": 1}]}, "listed twice"),
        ({"design_speed_kmh": 300, "stations": [{"name": "A", "lon": 500, "lat": 0}, {"name": "B", "km": 1}]}, "not a lon,lat"),
        ({"design_speed_kmh": 300, "stations": [{"name": "A", "km": 0, "hub": "yes"}, {"name": "B", "km": 1}]}, "hub must be true or false"),
    ],
)
def test_validation_errors(spec, match):
    with pytest.raises(InputError, match=match):
        load_line(spec)


def test_file_errors_name_file(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nstations: [A]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.yaml: field 'stations'"):
        load_line(p)
    p.write_text("stations: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.yaml line 2, column 1: YAML syntax error"):
        load_line(p)
    with pytest.raises(InputError, match="does not exist"):
        load_line(tmp_path / "missing.yaml")


@pytest.mark.shared
def test_xian_ankang_spec_runs():
    line = load_line(REPO / "data" / "lines" / "xian_ankang_hsr.yaml")
    assert [s.name for s in line.stations] == ["西安东", "牛背梁", "柞水西", "镇安西", "桐木", "安康西"]
    assert line.design_speed_kmh == 350
    assert line.stations[-1].km == pytest.approx(170.926)
    r = station_to_station(line, "西安东", "柞水西")
    assert r["stops_between"] == 1 and 10 < r["minutes"] < 60
    whole = station_to_station(line, "西安东", "安康西")
    assert whole["km"] == pytest.approx(170.926) and whole["minutes"] > r["minutes"]


@pytest.mark.shared
def test_xian_ankang_hub_marks_match_the_osm_rail_file():
    """`hub: true` in the packaged spec says what geo.rail finds in OSM (3+ named lines within 1.5 km), station by station."""
    from geo.rail import shaanxi_rail

    rail = shaanxi_rail()
    line = load_line(REPO / "data" / "lines" / "xian_ankang_hsr.yaml")
    have = set(rail.stations["name"])
    checked = 0
    for s in line.stations:
        if s.name in have:
            assert (s.arrival_s > 0) == rail.is_hub(s.name), s.name
            checked += 1
    assert checked >= 1
