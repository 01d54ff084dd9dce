"""Door-to-door multimodal journeys on small synthetic services with hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geo.lines import load_line
from geo.multimodal import Options, RailContext, door_to_door, multimodal_node_seconds, road_trip
from geo.network import Network
from geo.settings import shared_data_dir


def _two_lines():
    l1 = load_line({"name": "L1", "run_times_minutes": [20], "headway_minutes": 10, "dwell_minutes": 0,
                    "stations": [{"name": "A", "lon": 0.0, "lat": 0.0}, {"name": "B", "lon": 0.2, "lat": 0.0}]})
    l2 = load_line({"name": "L2", "run_times_minutes": [30], "headway_minutes": 20, "dwell_minutes": 0,
                    "stations": [{"name": "B", "lon": 0.2, "lat": 0.0}, {"name": "C", "lon": 0.4, "lat": 0.0}]})
    return RailContext([l1, l2])


def test_transfer_journey_hand_computed():
    j = door_to_door((0.0, 0.0), (0.4, 0.0), _two_lines(), mode="rail+walk")
    # 0 walk + 10 board + 5 wait + 20 ride + 10 transfer + 10 wait + 30 ride + 5 alight + 0 walk
    assert j.total_minutes == pytest.approx(90.0)
    assert [leg.mode for leg in j.legs] == ["walk", "board", "wait", "rail", "transfer", "wait", "rail", "alight", "walk"]
    rides = [leg for leg in j.legs if leg.mode == "rail"]
    assert [(r.from_name, r.to_name, r.line) for r in rides] == [("A", "B", "L1"), ("B", "C", "L2")]
    assert sum(leg.minutes for leg in j.legs) == pytest.approx(j.total_minutes)
    d = j.to_dict()
    assert set(d["legs"][0]) >= {"mode", "from", "to", "minutes"} and d["total_minutes"] == 90.0


def test_fallback_is_stated_and_counted():
    opt = Options(detour_factor=1.3, drive_kmh=40.0)
    j = door_to_door((0.0, 0.1), (0.4, 0.0), _two_lines(), mode="rail+drive", options=opt)
    acc = j.legs[0]
    assert acc.method == "fallback: straight line x1.3 at 40 km/h"
    from geo._private.geodesy import haversine_m

    # driving 24.9 km to B beats driving 11.1 km to A plus the L1 ride and a transfer
    assert acc.to_name == "B"
    crow_km = float(haversine_m(0.0, 0.1, 0.2, 0.0)) / 1000
    assert acc.minutes == pytest.approx(crow_km * 1.3 / 40 * 60, rel=1e-3)
    assert acc.metres == pytest.approx(crow_km * 1300, rel=1e-3)
    assert j.fallback
    assert any(leg.mode == "park" for leg in j.legs) and any(leg.mode == "pickup" for leg in j.legs)


def test_road_network_access_leg():
    # a straight 36 km/h road from (0, 0.01) to the station A at (0, 0): 1113 m -> 111.3 s
    road = Network.from_edges([0.0, 0.0], [0.01, 0.0], [0, 1], [1, 0], speed_kmh=36.0)
    j = door_to_door((0.0, 0.01), (0.4, 0.0), _two_lines(), mode="rail+drive", road=road)
    acc = j.legs[0]
    assert acc.method.startswith("road network")
    assert acc.minutes == pytest.approx(111.2 / 60, rel=1e-2)
    assert acc.metres == pytest.approx(1112, rel=1e-2)
    # egress has no road coverage near C -> fallback there
    assert j.legs[-1].method.startswith("fallback")


def test_road_only_and_unreachable():
    j = road_trip((0.0, 0.0), (0.0, 0.1), None, "walk", Options(detour_factor=1.0, walk_kmh=5.0))
    assert j.total_minutes == pytest.approx(11.1195 / 5 * 60, rel=1e-3)
    one_way = load_line({"name": "O", "run_times_minutes": [5], "one_way": True,
                         "stations": [{"name": "P", "lon": 0, "lat": 0}, {"name": "Q", "lon": 0.1, "lat": 0}]})
    back = door_to_door((0.1, 0.0), (0.0, 0.0), RailContext([one_way]), mode="rail+walk")
    assert math.isnan(back.total_minutes) and back.legs == []


def test_node_seconds_through_isochrone_interface():
    from geo.isochrones import isochrones_from_times

    road = Network.from_edges([0, 0.01, 0.3, 0.31], [0, 0, 0, 0], [0, 1, 2, 3], [1, 0, 3, 2], speed_kmh=5)
    line = load_line({"name": "L", "run_times_minutes": [20], "headway_minutes": 10, "dwell_minutes": 0,
                      "stations": [{"name": "A", "lon": 0.01, "lat": 0.0}, {"name": "B", "lon": 0.3, "lat": 0.0}]})
    t = multimodal_node_seconds(road, RailContext([line]), (0.0, 0.0), mode="rail+walk")
    walk = multimodal_node_seconds(road, RailContext([line]), (0.0, 0.0), mode="walk")
    assert np.isnan(walk[2]) and t[2] / 60 == pytest.approx(1.112 / 5 * 60 + 40, rel=1e-3)
    iso = isochrones_from_times(road, t, [30, 60], method="vector")
    assert iso["area_km2"].iloc[1] > iso["area_km2"].iloc[0]


@pytest.mark.shared
def test_bell_tower_to_zhashui_rail_drive():
    from pathlib import Path

    d = shared_data_dir()
    repo = Path(__file__).resolve().parent.parent
    ctx = RailContext.from_sources(gtfs=d / "rail" / "gtfs_20261004_stop_times_extract.csv", lines=[repo / "data/lines/xian_ankang_hsr.yaml"])
    j = door_to_door((108.9423, 34.2610), (109.1091, 33.6875), ctx, mode="rail+drive")
    rides = [leg for leg in j.legs if leg.mode == "rail"]
    assert rides and rides[0].from_name == "西安东"
    assert rides[-1].to_name in ("柞水西", "牛背梁")
    assert j.fallback  # no road network here: the access/egress legs say so
    assert sum(leg.minutes for leg in j.legs) == pytest.approx(j.total_minutes)
