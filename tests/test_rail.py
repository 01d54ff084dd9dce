"""Rail graph from OSM-like ways, station attachment and the run-time model."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo._private.runtime import TrainModel, pure_running_time
from geo.errors import DataError, InputError
from geo.rail import build_rail_network, classify, edge_speeds, parse_maxspeed
from geo.settings import shared_data_dir


def _lines(geoms, **cols):
    return gpd.GeoDataFrame({"osm_id": [str(i) for i in range(len(geoms))], **cols}, geometry=geoms, crs="EPSG:4326")


def _stations(names, pts):
    return gpd.GeoDataFrame({"name": names}, geometry=[shapely.Point(p) for p in pts], crs="EPSG:4326")


def test_trapezoid_hand_computed():
    # 0.5 m/s² both ways, no resistance, 20 m/s top: 40 s + 40 s over 400 m each, 2200 m at 20 m/s = 110 s
    tm = TrainModel(max_speed_kmh=72, start_accel_ms2=0.5, power_w_per_kg=1e9, davis_a=0, davis_b=0, davis_c=0, brake_ms2=0.5)
    t, top = pure_running_time([3000], [200], tm, step_m=1.0)
    assert t == pytest.approx(190.0, abs=0.5)
    assert top == pytest.approx(72.0)
    # triangle: 200 m cannot reach 20 m/s: peak sqrt(0.5*200)=10 m/s, 20 s + 20 s
    t, top = pure_running_time([200], [200], tm, step_m=0.5)
    assert t == pytest.approx(40.0, abs=0.3)
    assert top == pytest.approx(36.0, abs=0.2)


def test_speed_limit_piece_slows_train():
    tm = TrainModel(max_speed_kmh=72, start_accel_ms2=0.5, power_w_per_kg=1e9, davis_a=0, davis_b=0, davis_c=0, brake_ms2=0.5)
    fast, _ = pure_running_time([3000, 1000, 3000], [200, 200, 200], tm, step_m=1.0)
    slow, _ = pure_running_time([3000, 1000, 3000], [200, 36, 200], tm, step_m=1.0)
    # 1000 m at 10 m/s instead of 20 m/s costs >= 50 s, plus braking/accelerating around it
    assert slow - fast > 50.0


def test_gap_joined_and_crossing_not_joined():
    # way 0 and 1 leave a 5.6 m gap (joined); way 2 crosses way 0 at an interior vertex-free point (not joined)
    g = _lines(
        [
            shapely.LineString([(0, 0), (0.5, 0)]),
            shapely.LineString([(0.50005, 0), (1.0, 0)]),
            shapely.LineString([(0.25, -0.1), (0.25, 0.1)]),
        ],
        railway=["rail"] * 3,
    )
    rail = build_rail_network(g, None, cache=False)
    assert rail.net.n_nodes == 5
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = rail.net
    a = sp.coo_matrix((np.ones(n.n_edges), (n.edge_u, n.edge_v)), shape=(n.n_nodes, n.n_nodes))
    assert connected_components(a, directed=False)[0] == 2


def test_t_junction_split():
    # branch ends 10 m from the middle of a long segment: the segment is split there
    g = _lines([shapely.LineString([(0, 0), (1, 0)]), shapely.LineString([(0.5, 0.00009), (0.5, 0.2)])], railway=["rail", "rail"])
    rail = build_rail_network(g, _stations(["W", "N"], [(0, 0), (0.5, 0.2)]), cache=False)
    _edges, length = rail.path("W", "N")
    assert length == pytest.approx(55_660 + 22_264, rel=0.01)


def test_station_links_every_line_within_radius():
    # two parallel lines 300 m apart, station between them joins both
    g = _lines([shapely.LineString([(0, 0), (0.1, 0)]), shapely.LineString([(0, 0.0027), (0.1, 0.0027)])], railway=["rail", "rail"])
    st = _stations(["S", "A", "B"], [(0.05, 0.00135), (0.0, 0.0), (0.1, 0.0027)])
    rail = build_rail_network(g, st, cache=False)
    _edges, length = rail.path("A", "B")  # only possible through S
    assert length == pytest.approx(11_132, rel=0.01)
    with pytest.raises(InputError, match="did you mean"):
        rail.station("SS")


def test_disconnected_stations_raise():
    g = _lines([shapely.LineString([(0, 0), (0.1, 0)]), shapely.LineString([(0, 1), (0.1, 1)])], railway=["rail", "rail"])
    rail = build_rail_network(g, _stations(["A", "B"], [(0, 0), (0, 1)]), cache=False)
    with pytest.raises(DataError, match="not connected"):
        rail.run_time(["A", "B"])


def test_speed_table_and_tags():
    df = pd.DataFrame(
        {
            "railway": ["rail", "rail", "rail", "subway", "rail"],
            "highspeed": [None, "yes", None, None, None],
            "usage": [None, "main", "branch", None, "main"],
            "maxspeed": [None, None, None, None, "200"],
        }
    )
    assert classify(df).tolist() == ["rail", "highspeed", "branch", "subway", "main"]
    assert edge_speeds(df, design_speed_kmh=350).tolist() == [120.0, 350.0, 100.0, 80.0, 200.0]
    assert np.isnan(parse_maxspeed("signals"))


def test_run_time_dwell_and_order():
    g = _lines([shapely.LineString([(0, 0), (0.5, 0), (1.0, 0)])], railway=["rail"], highspeed=["yes"])
    st = _stations(["A", "M", "B"], [(0, 0), (0.5, 0), (1.0, 0)])
    rail = build_rail_network(g, st, design_speed_kmh=300, cache=False)
    direct = rail.run_time(["A", "B"])
    stop = rail.run_time(["A", "M", "B"], dwell_s=120)
    assert stop.km == pytest.approx(direct.km)
    assert stop.minutes > direct.minutes + 2.0  # dwell + extra braking/acceleration
    assert stop.sections["dwell_minutes"].tolist() == [2.0, 0.0]
    faster = rail.run_time(["A", "B"], design_speed_kmh=350)
    assert faster.minutes < direct.minutes


def _junction_fixture():
    """A main line W-E through J with three more named ways ending at J, and a through station T on the main line only."""
    main = shapely.LineString([(0, 0), (0.2, 0), (0.4, 0)])
    branches = [
        shapely.LineString([(0.2, 0), (0.2, 0.1)]),
        shapely.LineString([(0.2, 0), (0.25, -0.1)]),
        shapely.LineString([(0.2, 0.0005), (0.21, 0.0005)]),  # a short flyover line 55 m beside the main line
    ]
    g = _lines([main, *branches], railway=["rail"] * 4, name=["Main line", "North line", "South line", "J flyover"], highspeed=["yes"] * 4)
    st = _stations(["W", "J", "T", "E", "N"], [(0, 0), (0.2, 0), (0.3, 0), (0.4, 0), (0.2, 0.1)])
    return build_rail_network(g, st, cache=False)


def test_hub_is_a_station_where_three_named_lines_meet():
    from geo.rail import HUB_MIN_LINES

    rail = _junction_fixture()
    n = rail.stations.set_index("name")["lines_nearby"]
    assert n["J"] == 4 and n["T"] == 1 and n["N"] == 1
    assert HUB_MIN_LINES == 3
    assert rail.is_hub("J") and not rail.is_hub("T") and not rail.is_hub("N")


def test_hub_arrival_allowance_only_on_arrival():
    from geo._private.runtime import load_calibration

    rail = _junction_fixture()
    hub_min = load_calibration().params["hub_arrival_s"] / 60.0
    assert hub_min > 0
    into, out_of = rail.run_time(["W", "J"]), rail.run_time(["J", "W"])
    assert into.sections["hub_minutes"].tolist() == [pytest.approx(hub_min)]
    assert out_of.sections["hub_minutes"].tolist() == [0.0]
    assert into.minutes == pytest.approx(out_of.minutes + hub_min, abs=1e-6)  # same track both ways
    # through the hub without stopping: no allowance; stopping there: one
    assert rail.run_time(["W", "E"]).sections["hub_minutes"].sum() == 0.0
    stop = rail.run_time(["W", "J", "E"], dwell_s=0)
    assert stop.sections["hub_minutes"].tolist() == [pytest.approx(hub_min), 0.0]
    # as a Line, the allowance sits on the hub station and applies in either direction of travel
    from geo.lines import station_to_station

    line = rail.as_line(["W", "J", "E"], dwell_s=0)
    assert station_to_station(line, "W", "J")["minutes"] == pytest.approx(into.minutes, abs=1e-6)
    assert station_to_station(line, "J", "W")["minutes"] == pytest.approx(out_of.minutes, abs=1e-6)
    assert "hub arrival allowance at J" in station_to_station(line, "E", "J")["note"]
    assert station_to_station(line, "W", "E")["minutes"] == pytest.approx(stop.minutes, abs=1e-6)


shared = pytest.mark.shared


@shared
def test_xian_east_shangluo_west_within_20_percent_of_timetable():
    """Geometry + 350 km/h design speed + one intermediate stop vs the GTFS extract's in-vehicle time."""
    from geo.gtfs import load_gtfs
    from geo.rail import shaanxi_rail

    d = shared_data_dir()
    assert d is not None
    feed = load_gtfs(d / "rail" / "gtfs_20261004_stop_times_extract.csv")
    rail = shaanxi_rail()
    checked = 0
    for a, b in (("西安东", "商洛西"), ("商洛西", "西安东")):
        for ride in feed.rides(a, b):
            if len(ride["stops"]) != 3:  # one intermediate stop
                continue
            mid = ride["stops"][1]
            train = TrainModel.for_train_number(ride["trip_id"])  # D trains: 250 km/h stock
            est = rail.run_time(ride["stops"], train=train, dwell_s=ride["dwell_s"][1], design_speed_kmh=350)
            err = (est.minutes - ride["minutes"]) / ride["minutes"]
            assert abs(err) <= 0.20, (a, mid, b, est.minutes, ride["minutes"])
            assert est.km == pytest.approx(ride["km"], rel=0.05)
            checked += 1
    assert checked >= 2
