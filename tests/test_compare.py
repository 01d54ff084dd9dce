"""Before/after comparisons: hand-computed gains, and additions never make anything slower."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geo.compare import compare_bands, compare_places, gained_areas, node_gains, node_seconds, place_minutes
from geo.network import Network
from geo.scenario import add_road, select_edges, upgrade_edges
from geo.settings import shared_data_dir

D = 0.009  # 1000.75 m of longitude at the equator


def street() -> Network:
    """A two-way street from (0,0) east to (2D, 0): 2001.5 m at 36 km/h (10 m/s)."""
    return Network.from_edges([0.0, D, 2 * D], [0.0, 0.0, 0.0], [0, 1, 1, 2], [1, 0, 2, 1], speed_kmh=36.0,
                              attrs=pd.DataFrame({"ref": ["G1"] * 4}))


def test_upgrade_gains_hand_computed():
    """Capsule areas: reach L along the street plus a 100 m buffer all round = 200 L + pi 100^2."""
    base = street()
    after = upgrade_edges(base, select_edges(base, {"ref": "G1"}), speed_kmh=72.0)
    bb, ba, table = compare_bands(base, after, [(0.0, 0.0)], [2], offnetwork_m=100, offnetwork_speed_kmh=1e6, cell_m=5)
    cap = math.pi * 100**2
    before_km2 = (1200 * 200 + cap) / 1e6  # 2 min at 10 m/s = 1200 m
    after_km2 = (2001.5 * 200 + cap) / 1e6  # 20 m/s would reach 2400 m; the street ends at 2001.5 m
    row = table.iloc[0]
    assert row["area_km2_before"] == pytest.approx(before_km2, rel=0.02)
    assert row["area_km2_after"] == pytest.approx(after_km2, rel=0.02)
    assert row["area_km2_gained"] == pytest.approx(after_km2 - before_km2, rel=0.04)
    g = gained_areas(bb, ba)
    assert g["area_km2"].iloc[0] == pytest.approx(after_km2 - before_km2, rel=0.04)
    # places along the street: 1.5 km took 150 s, now 75 s
    t = compare_places(base, after, [(0.0, 0.0)], [("p", 1.5 * D, 0.0)])
    assert t["before_minutes"].iloc[0] == pytest.approx(1.5 * 100.075 / 60, rel=1e-4)
    assert t["minutes_saved"].iloc[0] == pytest.approx(1.5 * 100.075 / 120, rel=1e-4)


def test_new_link_makes_places_reachable_and_ranks_gains():
    # the street, plus an isolated street 1 km north: unreachable before
    lon = [0.0, D, 2 * D, 0.0, 2 * D]
    lat = [0.0, 0.0, 0.0, D, D]
    base = Network.from_edges(lon, lat, [0, 1, 1, 2, 3, 4], [1, 0, 2, 1, 4, 3], speed_kmh=36.0)
    after, info = add_road(base, [(2 * D, 0.0), (2 * D, D)], name="link", speed_kmh=36.0)
    assert info["joined_ends"] == 2
    t = compare_places(base, after, [(0.0, 0.0)], [("east", 2 * D, 0.0), ("north-east", 2 * D, D), ("north-west", 0.0, D)])
    assert list(t["place"][:2]) == ["north-east", "north-west"] or list(t["place"][:2]) == ["north-west", "north-east"]
    assert t.set_index("place").loc["north-west", "newly_reachable"]
    assert t.set_index("place").loc["north-west", "after_minutes"] == pytest.approx(5 * 100.075 / 60, rel=1e-4)
    assert t.set_index("place").loc["east", "minutes_saved"] == pytest.approx(0.0, abs=1e-9)
    g = node_gains(base, after, [(0.0, 0.0)])
    assert len(g) == base.n_nodes and np.isnan(g["before_minutes"].iloc[3]) and np.isfinite(g["after_minutes"].iloc[3])


def test_compare_places_of_a_geodataframe_carries_its_index():
    base = street()
    after = upgrade_edges(base, select_edges(base, {"ref": "G1"}), speed_kmh=72.0)
    places = gpd.GeoDataFrame(
        {"name": ["near", "far"]}, geometry=gpd.points_from_xy([0.5 * D, 1.5 * D], [0.0, 0.0]), index=[17, 42], crs=4326
    ).to_crs(3857)
    origin = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0], [0.0]), index=["depot"], crs=4326)
    t = compare_places(base, after, origin, places)
    assert t["place"].tolist() == ["far", "near"] and t["to_id"].tolist() == [42, 17]  # most gained first
    joined = places.join(t.set_index("to_id")[["before_minutes", "after_minutes"]])
    assert joined.loc[42, "before_minutes"] == pytest.approx(1.5 * 100.075 / 60, rel=1e-4)
    assert joined.loc[17, "after_minutes"] == pytest.approx(0.5 * 100.075 / 120, rel=1e-4)
    assert "to_id" not in compare_places(base, after, [(0.0, 0.0)], [("p", D, 0.0)]).columns


def _grid(n: int, speeds: list[float], oneway: list[bool]) -> Network:
    xs, ys = np.meshgrid(np.arange(n) * D, np.arange(n) * D)
    lon, lat = xs.ravel(), ys.ravel()
    u, v = [], []
    k = 0
    for i in range(n):
        for j in range(n):
            a = i * n + j
            for b in ([a + 1] if j + 1 < n else []) + ([a + n] if i + 1 < n else []):
                u.append(a)
                v.append(b)
                if not oneway[k % len(oneway)]:
                    u.append(b)
                    v.append(a)
                k += 1
    sp = np.array([speeds[i % len(speeds)] for i in range(len(u))])
    return Network.from_edges(lon, lat, u, v, speed_kmh=sp)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(3, 5),
    speeds=st.lists(st.floats(5, 100), min_size=1, max_size=6),
    oneway=st.lists(st.booleans(), min_size=1, max_size=5),
    road=st.lists(st.tuples(st.floats(-0.5, 4.5), st.floats(-0.5, 4.5)), min_size=2, max_size=4, unique=True),
    road_speed=st.floats(1, 150),
    road_oneway=st.booleans(),
    grade=st.booleans(),
    origin=st.tuples(st.floats(0, 4), st.floats(0, 4)),
    places=st.lists(st.tuples(st.floats(0, 4), st.floats(0, 4)), min_size=1, max_size=4),
)
def test_additions_never_make_anything_slower(n, speeds, oneway, road, road_speed, road_oneway, grade, origin, places):
    import shapely

    from geo.errors import InputError

    base = _grid(n, speeds, oneway)
    coords = [(x * D, y * D) for x, y in road]
    assume(shapely.LineString(coords).is_simple)  # discarded, not passed: hypothesis draws another example
    try:
        after, _ = add_road(base, coords, speed_kmh=road_speed, oneway=road_oneway, grade_separated=grade, join_tolerance_m=300)
    except InputError:
        assume(False)  # touches no network: nothing to compare (discarded; too many discards fail the health check)
    o = [(origin[0] * D, origin[1] * D)]
    sb = node_seconds(base, o)
    sa = node_seconds(after, o)[: base.n_nodes]
    assert np.all(sa <= sb + 1e-6)
    pl = [(f"p{i}", x * D, y * D) for i, (x, y) in enumerate(places)]
    pb = place_minutes(base, o, pl)
    pa = place_minutes(after, o, pl)
    ok = ~np.isnan(pb)
    assert np.all(~np.isnan(pa[ok]))
    assert np.all(pa[ok] <= pb[ok] + 1e-6)


def test_upgrade_never_slower_and_bands_nested_before_after():
    base = _grid(4, [30.0, 50.0], [False])
    after = upgrade_edges(base, np.ones(base.n_edges, bool), speed_factor=1.5)
    bb, ba, table = compare_bands(base, after, [(0.0, 0.0)], [1, 2], offnetwork_m=100, cell_m=10)
    assert (table["area_km2_gained"] >= -1e-9).all()
    for (_, b), (_, a) in zip(bb.iterrows(), ba.iterrows()):
        assert b.geometry.difference(a.geometry).area < 1e-9  # before inside after (degrees^2)


@pytest.mark.shared
def test_taiyuan_before_after_with_drawn_road():
    """Central Taiyuan (OSM, late 2021) with the seed scenario's drawn link: nothing slower, something faster."""
    from pathlib import Path

    from geo.scenario import apply_scenario, load_scenario

    path = shared_data_dir() / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson"
    if not path.exists():
        pytest.skip("central-Taiyuan OSM lines absent")
    pytest.importorskip("geo.io")
    base = Network.from_file(path, mode="drive")
    sc = load_scenario(Path(__file__).resolve().parent.parent / "data" / "scenarios" / "taiyuan_fen_river_link.yaml")
    res = apply_scenario(base, sc)
    origins = [tuple(o) for o in sc.compare["origins_lonlat"]]
    g = node_gains(base, res.network, origins, max_minutes=30)
    both = g.dropna(subset=["before_minutes", "after_minutes"])
    assert (both["minutes_saved"] >= -1e-6).all()
    assert both["minutes_saved"].max() > 1.0
    _, _, table = compare_bands(base, res.network, origins, [10, 20])
    assert (table["area_km2_gained"] >= -0.05).all()  # raster edges only
