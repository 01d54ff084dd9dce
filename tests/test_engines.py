"""The CCH engine gives the Dijkstra engine's times; engine choice, caching and re-customization."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo import routing as R
from geo.errors import InputError
from geo.network import Network
from geo.synthetic import grid_network


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal NaN pattern; relative difference <= 1e-9 or one ulp of the reference."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    ok = ~np.isnan(b)
    diff = np.abs(a[ok] - b[ok])
    return bool(np.all((diff <= 1e-9 * np.abs(b[ok])) | (diff <= np.spacing(np.abs(b[ok])))))


def random_network(seed: int, k: int, oneway_share: float, closed_share: float) -> Network:
    """A jittered k x k grid with random one-ways, random speeds and some closed (inf) edges."""
    rng = np.random.default_rng(seed)
    base = grid_network(k, seed=seed, jitter_m=30.0)
    keep = np.ones(base.n_edges, dtype=bool)
    rev = base.reverse_edge()
    for e in np.flatnonzero(rng.random(base.n_edges) < oneway_share):
        if keep[e] and rev[e] >= 0 and keep[rev[e]]:
            keep[e] = False  # drop one direction: a one-way street
    speed = rng.uniform(5, 90, int(keep.sum()))
    net = Network.from_edges(base.lon, base.lat, base.edge_u[keep], base.edge_v[keep], speed_kmh=speed)
    t = net.edge_time_s.copy()
    t[rng.random(net.n_edges) < closed_share] = np.inf
    return net.with_edge_times(t)


def random_points(net: Network, rng: np.random.Generator, n: int) -> np.ndarray:
    """Points near random nodes and mid-edges (partial edges at both ends), some exactly on nodes."""
    i = rng.integers(0, net.n_nodes, n)
    e = rng.integers(0, net.n_edges, n)
    f = rng.random(n)
    lon = np.where(f < 0.3, net.lon[i], net.lon[net.edge_u[e]] * (1 - f) + net.lon[net.edge_v[e]] * f)
    lat = np.where(f < 0.3, net.lat[i], net.lat[net.edge_u[e]] * (1 - f) + net.lat[net.edge_v[e]] * f)
    off = rng.normal(0, 2e-4, (n, 2)) * (rng.random((n, 1)) < 0.5)
    return np.column_stack([lon, lat]) + off


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(3, 14),
    oneway=st.floats(0, 0.6),
    closed=st.sampled_from([0.0, 0.0, 0.05]),
    cutoff=st.sampled_from([None, None, 2.0, 6.0]),
)
@example(seed=639, k=7, oneway=0.375, closed=0.05, cutoff=None)  # a point at the start of a closed edge: 0 x inf
def test_cch_matrix_equals_dijkstra(seed, k, oneway, closed, cutoff):
    net = random_network(seed, k, oneway, closed)
    rng = np.random.default_rng(seed + 1)
    o, d = random_points(net, rng, 12), random_points(net, rng, 15)
    a = R.od_matrix(net, o, d, engine="cch", max_minutes=cutoff)
    b = R.od_matrix(net, o, d, engine="dijkstra", max_minutes=cutoff)
    assert a.attrs["engine"] == "cch" and b.attrs["engine"] == "dijkstra"
    assert close(a["minutes"].to_numpy(), b["minutes"].to_numpy())
    assert b["minutes"].notna().any() or cutoff is not None or closed > 0 or oneway > 0.3


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), k=st.integers(3, 12), oneway=st.floats(0, 0.6))
def test_cch_route_equals_dijkstra(seed, k, oneway):
    net = random_network(seed, k, oneway, 0.0)
    rng = np.random.default_rng(seed + 7)
    p = random_points(net, rng, 2)
    a = R.route(net, tuple(p[0]), tuple(p[1]), engine="cch")
    b = R.route(net, tuple(p[0]), tuple(p[1]), engine="dijkstra")
    assert close(np.array([a.minutes]), np.array([b.minutes]))
    if a.reachable and len(a.edges):
        e = a.edges
        assert np.all(net.edge_v[e[:-1]] == net.edge_u[e[1:]])  # a connected path of real edges
        if np.array_equal(a.edges, b.edges):
            assert math.isclose(a.metres, b.metres, rel_tol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(3, 12), cutoff=st.sampled_from([None, 3.0]))
def test_cch_node_times_equal_dijkstra(seed, k, cutoff):
    net = random_network(seed, k, 0.3, 0.02)
    p = random_points(net, np.random.default_rng(seed), 3)
    a = R.node_times(net, p, engine="cch", max_minutes=cutoff)
    b = R.node_times(net, p, engine="dijkstra", max_minutes=cutoff)
    assert close(a, b)


def test_recustomize_reuses_the_topology_and_follows_new_times():
    net = grid_network(30, seed=3)
    m1 = R.cch_metric(net)
    slow = net.with_edge_times(net.edge_time_s * np.where(np.arange(net.n_edges) % 7 == 0, 3.0, 1.0))
    m2 = R.cch_metric(slow)
    assert m2.topology.topology_key == m1.topology.topology_key
    assert m2.topology.source == "memory"  # no rebuild for new times
    assert R.cch_metric(slow) is m2  # cached per network object
    rng = np.random.default_rng(0)
    o, d = random_points(net, rng, 20), random_points(net, rng, 20)
    a = R.od_matrix(slow, o, d, engine="cch")["minutes"].to_numpy()
    b = R.od_matrix(slow, o, d, engine="dijkstra")["minutes"].to_numpy()
    base = R.od_matrix(net, o, d, engine="dijkstra")["minutes"].to_numpy()
    assert close(a, b) and not close(a, base)


def test_topology_is_cached_on_disk_next_to_the_network_cache(tmp_path):
    net = grid_network(12, seed=5)
    cache_file = tmp_path / "x-drive-abc.geonet"
    net = net.replace(meta={**net.meta, "cache_file": str(cache_file)})
    R._TOPO_CACHE.clear()
    t1 = R.cch_topology(net)
    files = list(tmp_path.glob("x-drive-abc.geonet.cch-*.npz"))
    assert t1.source == "built" and len(files) == 1
    R._TOPO_CACHE.clear()
    t2 = R.cch_topology(net)
    assert t2.source == "disk"
    for name in ("rank", "up_first", "up_head", "parent", "edge_arc", "edge_up"):
        assert np.array_equal(getattr(t1, name), getattr(t2, name))


def test_engine_argument_is_checked():
    net = grid_network(4)
    with pytest.raises(InputError, match="engine must be one of"):
        R.od_matrix(net, [(112.55, 37.87)], [(112.55, 37.87)], engine="ch")
    with pytest.raises(InputError, match="engine must be one of"):
        R.route(net, (112.55, 37.87), (112.55, 37.87), engine="fast")


def ladder_network(k: int) -> Network:
    """Road-like: long two-way streets (rows) joined every 5th column, ~2.4 edges per node."""
    g = grid_network(k, seed=2)
    ny = np.round((g.lat - g.lat.min()) / (g.lat.max() - g.lat.min()) * (k - 1)).astype(int)
    nx = np.round((g.lon - g.lon.min()) / (g.lon.max() - g.lon.min()) * (k - 1)).astype(int)
    row = ny[g.edge_u] == ny[g.edge_v]
    keep = row | ((nx[g.edge_u] % 5 == 0) & (nx[g.edge_v] % 5 == 0))
    return Network.from_edges(g.lon, g.lat, g.edge_u[keep], g.edge_v[keep], time_s=g.edge_time_s[keep])


def test_auto_picks_by_problem_size_and_says_why():
    road = ladder_network(60)
    R._TOPO_CACHE.clear()
    R._METRIC_CACHE.clear()
    used, why = R.choose_engine(road, 1, 1)
    assert used == "dijkstra" and "to build" in why  # one route does not pay for a hierarchy
    used, why = R.choose_engine(road, 1000, 1000)
    assert used == "cch" and "1,000 x 1,000" in why
    R.cch_metric(road)
    used, why = R.choose_engine(road, 200, 200)
    assert used == "cch" and "cached" in why
    assert R.choose_one_to_all(road, None)[0] == "cch"  # a ready hierarchy sweeps all nodes
    R._METRIC_CACHE.clear()
    assert R.choose_one_to_all(road, None)[0] == "dijkstra"
