"""Scenarios: roads added/upgraded/removed on a copy, with errors naming file, feature and fix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.errors import InputError
from geo.network import Network
from geo.scenario import add_road, apply_scenario, load_scenario, remove_edges, select_edges, upgrade_edges

REPO = Path(__file__).resolve().parent.parent
D = 0.009  # degrees; 0.009 deg of longitude at the equator = 1000.75 m


def street() -> Network:
    """One straight two-way street from (0, 0) to (2D, 0) with no middle node, 36 km/h (10 m/s)."""
    attrs = pd.DataFrame({"name": ["Main St", "Main St"], "ref": ["G211", "G211"], "osm_id": [7, 7], "highway": ["primary"] * 2})
    return Network.from_edges([0.0, 2 * D], [0.0, 0.0], [0, 1], [1, 0], speed_kmh=36.0, attrs=attrs)


def snapshot(net: Network) -> dict:
    return {k: getattr(net, k).copy() for k in ("node_id", "lon", "lat", "indptr", "edge_u", "edge_v", "edge_length_m", "edge_time_s")} | {
        "attrs": net.edge_attrs.copy()
    }


def assert_unchanged(net: Network, snap: dict) -> None:
    for k, v in snap.items():
        if k == "attrs":
            pd.testing.assert_frame_equal(net.edge_attrs, v)
        else:
            np.testing.assert_array_equal(getattr(net, k), v)


def seconds_to(net: Network, lonlat) -> float:
    from geo.routing import route

    return route(net, (0.0, 0.0), lonlat).minutes * 60


def test_crossing_road_is_joined_mid_edge_and_base_unchanged():
    base = street()
    snap = snapshot(base)
    # a vertical road crossing the street at its middle; its ends are 1 km from any node
    after, info = add_road(base, [(D, -D), (D, D)], name="Cross Rd", speed_kmh=36.0)
    assert_unchanged(base, snap)
    assert info["joined_ends"] == 0 and info["crossings"] == 1 and info["edges_split"] == 2
    # (0,0) -> crossing 1000.75 m + 1000.75 m north = 200.15 s at 10 m/s
    assert seconds_to(after, (D, D)) == pytest.approx(2 * 100.075, rel=1e-4)
    # the street itself is not slower: the split halves keep the total time
    assert seconds_to(after, (2 * D, 0.0)) == pytest.approx(seconds_to(base, (2 * D, 0.0)), rel=1e-9)
    assert set(after.edge_attrs["scenario_change"]) >= {"add_road"}
    assert (after.edge_attrs["base_edge"] == -1).sum() == 4  # two road pieces, both ways


def test_bridge_is_not_joined_at_crossings():
    with pytest.raises(InputError, match="touches no part of the drive network"):
        add_road(street(), [(D, -D), (D, D)], speed_kmh=36.0, grade_separated=True)
    # joined at an end it works, and the crossing is ignored
    _after, info = add_road(street(), [(0.0, 0.0), (D, D)], speed_kmh=36.0, grade_separated=True)
    assert info["joined_ends"] == 1 and info["crossings"] == 0


def test_oneway_road():
    after, _ = add_road(street(), [(0.0, 0.0), (0.0, D)], speed_kmh=36.0, oneway=True)
    from geo.routing import route

    assert route(after, (0.0, 0.0), (0.0, D)).reachable
    assert not route(after, (0.0, D), (0.0, 0.0)).reachable


def test_upgrade_and_remove_select_by_ref_name_osm_id_within():
    base = street()
    snap = snapshot(base)
    m = select_edges(base, {"ref": "G211"})
    assert m.all()
    assert select_edges(base, {"name": "Nope"}).sum() == 0
    assert select_edges(base, {"osm_id": [7]}).all()
    assert select_edges(base, {"within": {"point": [D, 0.0], "buffer_m": 50}}).all()  # midpoints at (D, 0)
    assert select_edges(base, {"within": {"point": [D, 0.05], "buffer_m": 50}}).sum() == 0
    up = upgrade_edges(base, m, speed_kmh=72.0)
    assert seconds_to(up, (2 * D, 0.0)) == pytest.approx(seconds_to(base, (2 * D, 0.0)) / 2)
    assert up.edge_attrs["speed_kmh"].eq(72.0).all()
    closed = remove_edges(base, m)
    assert closed.n_edges == 0
    assert_unchanged(base, snap)


def _write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def road_geojson(tmp: Path, coords, props=None, crs=None) -> Path:
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": props or {"name": "New Rd", "speed_kmh": 36}, "geometry": {"type": "LineString", "coordinates": coords}}]}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    p = tmp / "road.geojson"
    p.write_text(json.dumps(fc), encoding="utf-8")
    return p


SCEN = """\
id: test
title: test scenario
status: illustrative
changes:
  - add_road:
      geometry: road.geojson
  - upgrade:
      select: {ref: G211}
      speed_kmh: 72
"""


def test_apply_file(tmp_path):
    road_geojson(tmp_path, [[D, -D], [D, D]])
    sc = load_scenario(_write(tmp_path, "s.yaml", SCEN))
    base = street()
    snap = snapshot(base)
    res = apply_scenario(base, sc)
    assert_unchanged(base, snap)
    assert list(res.log["kind"]) == ["add_road", "upgrade"]
    assert len(res.proposed) == 2 and res.proposed.crs.to_epsg() == 4326
    # street at 72 km/h to the crossing (50 s), then the new road at 36 km/h (100 s)
    assert seconds_to(res.network, (D, D)) == pytest.approx(50.0375 + 100.075, rel=1e-4)
    assert res.warnings and "dead end" in res.warnings[0]


@pytest.mark.parametrize(
    ("coords", "props", "crs", "expect"),
    [
        ([[5.0, 5.0], [5.01, 5.0]], None, None, ["touches no part", "road.geojson feature 0 (New Rd)", "Fix:"]),
        ([[0.0, -D], [D, D], [D, -D], [0.0, D]], None, None, ["intersects itself", "New Rd"]),
        ([[500000.0, 4000000.0], [500100.0, 4000000.0]], None, None, ["not lon/lat", "WGS84"]),
        ([[D, -D], [D, D]], None, "urn:ogc:def:crs:EPSG::3857", ["declares CRS", "EPSG:4326"]),
        ([[D, -D], [D, D]], {"name": "Slow", "speed_kmh": -5}, None, ["speed_kmh must be a positive"]),
    ],
)
def test_bad_road_files(tmp_path, coords, props, crs, expect):
    road_geojson(tmp_path, coords, props, crs)
    sc = load_scenario(_write(tmp_path, "s.yaml", SCEN))
    with pytest.raises(InputError) as ei:
        apply_scenario(street(), sc)
    msg = str(ei.value)
    assert "s.yaml line" in msg and "change 1: add_road" in msg and "Fix:" in msg
    for e in expect:
        assert e in msg


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (SCEN.replace("id: test\n", ""), ["missing field 'id'"]),
        (SCEN.replace("upgrade:", "widen:"), ["line 7", "unknown change 'widen'"]),
        (SCEN.replace("      speed_kmh: 72\n", ""), ["upgrade needs speed_kmh"]),
        (SCEN.replace("select: {ref: G211}", "select: {colour: red}"), ["unknown select key"]),
        (SCEN.replace("      geometry: road.geojson\n", "      name: x\n"), ["needs geometry"]),
        (SCEN.replace("select: {ref: G211}", "select: {ref: G211"), ["line", "YAML syntax error"]),
    ],
)
def test_bad_scenario_files(tmp_path, text, expect):
    road_geojson(tmp_path, [[D, -D], [D, D]])
    with pytest.raises(InputError) as ei:
        load_scenario(_write(tmp_path, "s.yaml", text))
    msg = str(ei.value)
    assert "s.yaml" in msg and "Fix:" in msg
    for e in expect:
        assert e in msg


def test_select_matching_nothing_names_the_change(tmp_path):
    road_geojson(tmp_path, [[D, -D], [D, D]])
    sc = load_scenario(_write(tmp_path, "s.yaml", SCEN.replace("{ref: G211}", "{ref: G999}")))
    with pytest.raises(InputError, match=r"change 2: upgrade.*matches no edge"):
        apply_scenario(street(), sc)
    res = apply_scenario(street(), sc, strict=False)
    assert any("matches no edge" in w for w in res.warnings)


SEEDS = sorted((REPO / "data" / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_scenarios_parse_and_geometry_is_valid(path):
    from geo.scenario import road_features

    sc = load_scenario(path)
    assert sc.status in ("illustrative", "approximate")
    assert sc.sources, "seed scenarios cite their sources"
    for ch in sc.changes:
        if ch.kind == "add_road":
            try:
                assert road_features(ch, sc)
            except InputError as exc:  # end places absent from the gazetteer: the error names them and the fix
                assert "unknown place" in str(exc) and "coordinates" in str(exc)


def test_add_road_rejects_a_zero_length_road():
    """Found by hypothesis: a road of two (almost) equal points made GEOS fail inside add_road."""
    from geo.synthetic import grid_network

    net = grid_network(5, centre=(0.01, 0.01))
    p = (float(net.lon[0]), float(net.lat[0]))
    with pytest.raises(InputError, match=r"only .* m long"):
        add_road(net, [p, (p[0], p[1] + 1e-250)], speed_kmh=30)
