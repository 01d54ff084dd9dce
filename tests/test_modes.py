"""One definition of travel modes (geo.modes) is what every entry point checks against."""

from __future__ import annotations

import pytest

from geo import Network
from geo.errors import InputError
from geo.modes import CLAIM_MODES, DOOR_TO_DOOR_MODES, ISOCHRONE_MODES, MODES, ROAD_MODES, TRIP_MODES, check_mode
from geo.speeds import speed_table


def test_subsets_are_trip_modes():
    for subset in (MODES, ROAD_MODES, ISOCHRONE_MODES, DOOR_TO_DOOR_MODES, CLAIM_MODES):
        assert set(subset) <= set(TRIP_MODES)


@pytest.mark.parametrize("mode", ROAD_MODES)
def test_every_road_mode_has_a_speed_table(mode):
    assert speed_table(mode)["*"] > 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: Network.from_edges([0.0, 0.001], [0.0, 0.0], [0], [1], speed_kmh=5.0, mode="car"),
        lambda: speed_table("car"),
        lambda: check_mode("car", ISOCHRONE_MODES, what="--mode"),
    ],
)
def test_unknown_mode_is_one_line_with_a_suggestion(call):
    with pytest.raises(InputError, match=r"unknown (--)?mode 'car'\. Fix: did you mean 'drive'\? use one of drive, walk, bike"):
        call()


def test_study_yaml_mode_is_checked(tmp_path):
    from geo.study import parse_network_spec

    (tmp_path / "a.osm").write_text("<osm/>")
    with pytest.raises(InputError, match=r"study.yaml network a.osm: unknown mode 'boat'"):
        parse_network_spec({"path": "a.osm", "mode": "boat"}, tmp_path, "study.yaml")
    assert parse_network_spec({"path": "a.osm", "mode": "bike"}, tmp_path, "study.yaml")["mode"] == "bike"


def test_cli_isochrone_lists_the_isochrone_modes(capsys):
    from geo.cli import main

    code = main(["isochrone", "--network", "x.osm", "--origin", "0,0", "--minutes", "5", "--mode", "boat", "--out", "o"])
    err = capsys.readouterr().err
    assert code != 0 and f"use one of {', '.join(ISOCHRONE_MODES)}" in err
