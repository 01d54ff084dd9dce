"""Snapping, node times, OD matrices and routes on small hand-computed networks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.errors import InputError, SnapError
from geo.network import Network
from geo.routing import node_times, od_matrix, points_table, route, snap
from geo.synthetic import grid_network

# one degree of longitude at the equator in metres (haversine, R = 6371008.8)
DEG = 111_195.08


def line_net(speed=36.0, oneway=False):
    """Three nodes 0.01 deg apart on the equator (~1112 m per edge)."""
    u, v = [0, 1], [1, 2]
    if not oneway:
        u, v = u + [1, 2], v + [0, 1]
    return Network.from_edges([0.0, 0.01, 0.02], [0.0, 0.0, 0.0], u, v, speed_kmh=speed)


def test_from_edges_builds_sorted_csr():
    net = Network.from_edges([0, 1, 2], [0, 0, 0], [2, 0, 1], [1, 1, 2], time_s=[3.0, 1.0, 2.0])
    assert net.edge_u.tolist() == [0, 1, 2]
    assert net.edge_time_s.tolist() == [1.0, 2.0, 3.0]
    assert net.indptr.tolist() == [0, 1, 2, 3]


def test_from_edges_rejects_bad_input():
    with pytest.raises(InputError, match="node positions"):
        Network.from_edges([0, 1], [0, 0], [0], [5], speed_kmh=10)
    with pytest.raises(InputError, match="mode"):
        Network.from_edges([0, 1], [0, 0], [0], [1], speed_kmh=10, mode="boat")


def test_zero_speed_edges_are_dropped():
    net = Network.from_edges([0, 0.01], [0, 0], [0, 1], [1, 0], speed_kmh=np.array([0.0, 10.0]))
    assert net.n_edges == 1 and net.edge_u.tolist() == [1]


def test_node_times_hand_computed():
    net = line_net(speed=36.0)  # 10 m/s
    t = node_times(net, [(0.0, 0.0)])
    expected = np.array([0, 0.01 * DEG, 0.02 * DEG]) / 10 / 60
    np.testing.assert_allclose(t, expected, rtol=1e-6)


def test_unreachable_is_nan():
    net = line_net(oneway=True)
    t = node_times(net, [(0.02, 0.0)])
    assert np.isnan(t[0]) and np.isnan(t[1]) and t[2] == 0


def test_max_minutes_cuts_off_with_nan():
    net = line_net(speed=36.0)
    t = node_times(net, [(0.0, 0.0)], max_minutes=2.0)  # 1112 m takes 1.85 min
    assert np.isfinite(t[1]) and np.isnan(t[2])


def test_snap_to_edge_midpoint_with_access_leg():
    net = line_net()
    # 0.005 deg east, ~111 m north of the line
    s = snap(net, [(0.005, 0.001)], snap_speed_kmh=3.6)
    assert s.fraction[0] == pytest.approx(0.5, abs=1e-3)
    # metric work is in UTM: 0.001 deg of latitude is ~110.6 m on the ellipsoid
    assert s.distance_m[0] == pytest.approx(110.6, rel=3e-3)
    assert s.access_s[0] == pytest.approx(s.distance_m[0], rel=1e-9)  # 1 m/s


def test_snap_too_far_raises_with_distance_and_fix():
    net = line_net()
    with pytest.raises(SnapError) as err:
        snap(net, [(0.0, 0.5)], max_snap_m=1000)
    msg = str(err.value)
    assert "55.3 km" in msg and "Fix:" in msg


def test_invalid_coordinates_raise():
    net = line_net()
    with pytest.raises(InputError, match="lon,lat"):
        snap(net, [(200.0, 0.0)])


def test_origin_mid_edge_reaches_both_ends():
    net = line_net(speed=36.0)
    t = node_times(net, [(0.015, 0.0)])
    half = 0.005 * DEG / 10 / 60
    np.testing.assert_allclose(t, [3 * half, half, half], rtol=1e-5)


def test_origin_mid_oneway_edge_only_forward():
    net = line_net(speed=36.0, oneway=True)
    t = node_times(net, [(0.015, 0.0)])
    assert np.isnan(t[0]) and np.isnan(t[1])
    assert t[2] == pytest.approx(0.005 * DEG / 10 / 60, rel=1e-5)


def test_od_matrix_full_and_sparse():
    net = line_net(speed=36.0, oneway=True)
    full = od_matrix(net, [(0.0, 0.0), (0.02, 0.0)], [(0.02, 0.0), (0.0, 0.0)])
    assert len(full) == 4
    m = full.set_index(["origin", "destination"])["minutes"]
    assert m[(0, 0)] == pytest.approx(0.02 * DEG / 10 / 60, rel=1e-5)
    assert np.isnan(m[(1, 1)])
    sparse = od_matrix(net, [(0.0, 0.0), (0.02, 0.0)], [(0.02, 0.0), (0.0, 0.0)], sparse=True)
    assert len(sparse) == 3 and sparse["minutes"].notna().all()


def test_od_matrix_of_geodataframes_joins_back_by_index():
    """Like r5py: from_id / to_id are the frames' indexes (strings; integers not from 0), in any CRS."""
    net = line_net(speed=36.0, oneway=True)
    homes = gpd.GeoDataFrame(
        {"name": ["west", "east"]}, geometry=gpd.points_from_xy([0.0, 0.02], [0.0, 0.0]), index=["h-west", "h-east"], crs=4326
    ).to_crs(3857)
    shops = gpd.GeoDataFrame({"beds": [3, 5]}, geometry=gpd.points_from_xy([0.02, 0.0], [0.0, 0.0]), index=[71, 40], crs=4326)
    od = od_matrix(net, homes, shops)
    plain = od_matrix(net, [(0.0, 0.0), (0.02, 0.0)], [(0.02, 0.0), (0.0, 0.0)])
    assert od.columns.tolist() == ["origin", "destination", "from_id", "to_id", "minutes"]
    assert od["from_id"].tolist() == ["h-west", "h-west", "h-east", "h-east"]
    assert od["to_id"].tolist() == [71, 40, 71, 40]
    np.testing.assert_allclose(od["minutes"], plain["minutes"], rtol=1e-9)  # the EPSG:3857 frame is converted to lon/lat
    joined = od.merge(homes[["name"]], left_on="from_id", right_index=True).merge(shops[["beds"]], left_on="to_id", right_index=True)
    row = joined.set_index(["name", "beds"])["minutes"]
    assert row[("west", 3)] == pytest.approx(0.02 * DEG / 10 / 60, rel=1e-5)
    assert np.isnan(row[("east", 5)])  # one-way street: east cannot go back west
    sparse = od_matrix(net, homes, shops, sparse=True)
    assert list(zip(sparse["from_id"], sparse["to_id"], strict=True)) == [("h-west", 71), ("h-west", 40), ("h-east", 71)]
    # only the frame side gets ids
    assert "from_id" not in od_matrix(net, [(0.0, 0.0)], shops).columns


def test_od_matrix_ids_come_from_an_id_column_before_the_index():
    net = line_net(speed=36.0)
    pts = pd.DataFrame({"id": ["a", "b"], "lon": [0.0, 0.02], "lat": [0.0, 0.0]}, index=[5, 6])
    od = od_matrix(net, pts, pts)
    assert od["from_id"].tolist() == ["a", "a", "b", "b"] and od["to_id"].tolist() == ["a", "b", "a", "b"]
    assert points_table(pts)[["id", "lon"]].to_dict("list") == {"id": ["a", "b"], "lon": [0.0, 0.02]}


def test_od_matrix_refuses_ids_that_cannot_join_back():
    net = line_net()
    twice = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0, 0.01], [0.0, 0.0]), index=[3, 3], crs=4326)
    with pytest.raises(InputError, match="origins id 3 appears more than once"):
        od_matrix(net, twice, [(0.0, 0.0)])
    with pytest.raises(InputError, match="no lon, lat columns"):
        od_matrix(net, pd.DataFrame({"x": [0.0], "y": [0.0]}), [(0.0, 0.0)])
    empty = gpd.GeoDataFrame(geometry=[None], index=["ghost"], crs=4326)
    with pytest.raises(InputError, match="'ghost' has no geometry"):
        od_matrix(net, [(0.0, 0.0)], empty)
    metres = gpd.GeoDataFrame({"id": ["p1"]}, geometry=gpd.points_from_xy([500000.0], [4000000.0]))  # no CRS
    with pytest.raises(InputError, match=r"destinations 'p1' has no valid lon,lat \(500000.0, 4000000.0\).*set_crs"):
        od_matrix(net, [(0.0, 0.0)], metres)


def test_od_same_edge_destination_behind_origin_on_oneway():
    net = line_net(speed=36.0, oneway=True)
    od = od_matrix(net, [(0.008, 0.0)], [(0.009, 0.0), (0.002, 0.0)])
    assert od["minutes"].iloc[0] == pytest.approx(0.001 * DEG / 10 / 60, rel=1e-4)
    assert np.isnan(od["minutes"].iloc[1])


def test_od_cutoff_is_nan():
    net = line_net(speed=36.0)
    od = od_matrix(net, [(0.0, 0.0)], [(0.02, 0.0)], max_minutes=1.0)
    assert np.isnan(od["minutes"].iloc[0])


def test_route_path_and_length():
    # a square with a slow diagonal shortcut
    lon = [0.0, 0.01, 0.01, 0.0]
    lat = [0.0, 0.0, 0.01, 0.01]
    u = [0, 1, 2, 0]
    v = [1, 2, 3, 2]
    speeds = np.array([60.0, 60.0, 60.0, 5.0])
    net = Network.from_edges(lon, lat, u, v, speed_kmh=speeds)
    r = route(net, (0.0, 0.0), (0.01, 0.01))
    assert r.reachable
    assert net.edge_u[r.edges].tolist() == [0, 1] and net.edge_v[r.edges].tolist() == [1, 2]
    assert r.metres == pytest.approx(net.edge_length_m[r.edges].sum(), rel=1e-6)
    assert r.minutes == pytest.approx(net.edge_time_s[r.edges].sum() / 60, rel=1e-6)
    gdf = r.to_geodataframe()
    assert len(gdf) == 2 and gdf.crs.to_epsg() == 4326


def test_route_unreachable_is_nan():
    net = line_net(oneway=True)
    r = route(net, (0.02, 0.0), (0.0, 0.0))
    assert not r.reachable and np.isnan(r.minutes)


def test_reverse_edge_lookup():
    net = line_net()
    rev = net.reverse_edge()
    for e, r in enumerate(rev):
        assert net.edge_u[r] == net.edge_v[e] and net.edge_v[r] == net.edge_u[e]
    assert (line_net(oneway=True).reverse_edge() == -1).all()


def test_route_between_mid_edge_points_counts_partial_edges():
    net = line_net(speed=36.0)
    r = route(net, (0.005, 0.0), (0.015, 0.0))
    assert r.metres == pytest.approx(0.01 * DEG, rel=1e-5)
    assert r.minutes == pytest.approx(0.01 * DEG / 10 / 60, rel=1e-5)
    assert [(int(net.edge_u[e]), int(net.edge_v[e])) for e in r.edges] == [(0, 1), (1, 2)]
    back = route(net, (0.015, 0.0), (0.005, 0.0))
    assert [(int(net.edge_u[e]), int(net.edge_v[e])) for e in back.edges] == [(2, 1), (1, 0)]
    assert back.metres == pytest.approx(r.metres)


def test_points_are_not_snapped_onto_small_islands():
    """A clipped pedestrian tunnel (2 nodes, 10 m from the street grid) must not capture the origin."""
    grid = grid_network(10, spacing_m=100.0, centre=(0.0, 0.0), jitter_m=0.0)
    x0 = float(grid.lon[0]) + 0.00045  # halfway along the first street, offset north by ~10 m
    y0 = float(grid.lat[0]) + 0.00009
    lon = np.r_[grid.lon, x0 - 0.0002, x0 + 0.0002]
    lat = np.r_[grid.lat, y0, y0]
    n = grid.n_nodes
    net = Network.from_edges(lon, lat, np.r_[grid.edge_u, n, n + 1], np.r_[grid.edge_v, n + 1, n], speed_kmh=5.0)
    assert net.component_size[n] == 2 and net.component_size[0] == n
    sn_any = snap(net, [(x0, y0)], min_component_nodes=0)
    assert net.edge_u[sn_any.edge[0]] >= n  # the nearest edge is the island
    t = node_times(net, [(x0, y0)])
    assert np.isfinite(t[:n]).all()  # snapped to the grid: every street node is reached
    assert np.isnan(t[n:]).all()  # the island stays unreachable


def test_point_on_coincident_nodes_starts_from_all_of_them():
    """Found by hypothesis: three nodes at one point; which coincident edge is nearest must not matter."""
    lon = lat = [0.0, 0.0, 0.0]
    base = Network.from_edges(lon, lat, [2], [0], speed_kmh=3.0)
    more = Network.from_edges(lon, lat, [2, 0], [0, 2], speed_kmh=3.0)
    assert sorted(more.colocated[0].tolist()) == [0, 1, 2]
    t0 = node_times(base, [(0.0, 0.0)])
    t1 = node_times(more, [(0.0, 0.0)])
    assert t0.tolist() == [0.0, 0.0, 0.0] and t1.tolist() == [0.0, 0.0, 0.0]


def test_only_geo_routing_imports_the_search_kernels():
    """The import-linter contract in pyproject.toml holds (also run by `make lint`)."""
    import os

    from importlinter.cli import lint_imports

    here = os.getcwd()
    os.chdir(Path(__file__).resolve().parent.parent)
    try:
        assert lint_imports() == 0
    finally:
        os.chdir(here)
