"""Opportunities, gravity and 2SFCA on hand-computed cases."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.access import (
    areal_weighted_in_bands,
    cumulative_opportunities,
    gravity_access,
    points_in_bands,
    two_step_fca,
)
from geo.errors import InputError
from geo.routing import od_matrix
from geo.synthetic import grid_network

OD = pd.DataFrame(
    {
        "origin": [0, 0, 0, 1, 1, 2],
        "destination": ["a", "b", "c", "a", "c", "c"],
        "minutes": [5.0, 15.0, 40.0, 25.0, 10.0, np.nan],
    }
)
OPP = pd.Series({"a": 100.0, "b": 10.0, "c": 1.0})


def test_cumulative_opportunities():
    s = cumulative_opportunities(OD, OPP, 20, origins=pd.Index([0, 1, 2, 3]))
    assert s.to_dict() == {0: 110.0, 1: 1.0, 2: 0.0, 3: 0.0}
    # origins default to every origin of the table, also those reaching nothing (NaN rows)
    assert cumulative_opportunities(OD, OPP, 60).to_dict() == {0: 111.0, 1: 101.0, 2: 0.0}


def test_measures_of_an_od_matrix_of_geodataframes_join_back_by_index():
    """od_matrix of frames gives from_id / to_id: supply indexed like the facilities, results like the homes."""
    net = grid_network(12)
    homes = gpd.GeoDataFrame(
        {"people": [100.0, 50.0, 80.0]}, geometry=gpd.points_from_xy(net.lon[[0, 70, 143]], net.lat[[0, 70, 143]]),
        index=pd.Index([501, 502, 503], name="home"), crs=4326,
    )  # fmt: skip
    clinics = gpd.GeoDataFrame(
        {"doctors": [4.0, 9.0]}, geometry=gpd.points_from_xy(net.lon[[1, 142]], net.lat[[1, 142]]), index=["north", "south"], crs=4326
    )
    od = od_matrix(net, homes, clinics)
    plain = od_matrix(net, homes.get_coordinates().to_numpy(), clinics.get_coordinates().to_numpy())
    limit = float(np.nanmedian(od["minutes"]))
    got = cumulative_opportunities(od, clinics["doctors"], limit)
    want = cumulative_opportunities(plain, clinics["doctors"].set_axis([0, 1]), limit)
    assert got.index.tolist() == [501, 502, 503] and got.tolist() == want.tolist()
    assert homes.join(got)["opportunities"].tolist() == want.tolist()
    g = gravity_access(od, clinics["doctors"], beta=0.2)
    assert g.index.tolist() == [501, 502, 503]
    np.testing.assert_allclose(g, gravity_access(plain, clinics["doctors"].set_axis([0, 1]), beta=0.2))
    acc, ratio = two_step_fca(od, clinics["doctors"], homes["people"], limit)
    acc0, ratio0 = two_step_fca(plain, clinics["doctors"].set_axis([0, 1]), homes["people"].set_axis([0, 1, 2]), limit)
    assert ratio.index.tolist() == ["north", "south"] and acc.index.tolist() == [501, 502, 503]
    np.testing.assert_allclose(acc, acc0)
    np.testing.assert_allclose(ratio, ratio0)
    assert got.sum() > 0 and (got < clinics["doctors"].sum()).any()  # the limit matters


def test_gravity_exp_and_power():
    s = gravity_access(OD, OPP, kind="exp", beta=0.05)
    assert s[0] == pytest.approx(100 * math.exp(-0.25) + 10 * math.exp(-0.75) + math.exp(-2.0))
    p = gravity_access(OD, OPP, kind="power", beta=2.0, max_minutes=20)
    assert p[1] == pytest.approx(1 / 100)
    with pytest.raises(InputError):
        gravity_access(OD, OPP, kind="linear")


def test_two_step_fca_classic_and_decayed():
    supply = pd.Series({"a": 2.0, "b": 1.0, "c": 3.0, "d": 5.0})
    demand = pd.Series({0: 1000.0, 1: 500.0, 2: 200.0})
    acc, ratio = two_step_fca(OD, supply, demand, 30)
    # a: demand 0 and 1 (1500) -> 2/1500; b: 0 -> 1/1000; c: 1 -> 3/500 ; d: none -> NaN
    assert ratio["a"] == pytest.approx(2 / 1500) and ratio["b"] == pytest.approx(1 / 1000)
    assert ratio["c"] == pytest.approx(3 / 500) and np.isnan(ratio["d"])
    assert acc[0] == pytest.approx(2 / 1500 + 1 / 1000)
    assert acc[1] == pytest.approx(2 / 1500 + 3 / 500)
    assert acc[2] == 0.0
    # total supply in reach is conserved: sum_i D_i A_i = sum of supply of served facilities
    assert (acc * demand).sum() == pytest.approx(2 + 1 + 3)
    acc_d, _ = two_step_fca(OD, supply, demand, 30, kind="exp", beta=0.1)
    assert acc_d[0] > 0 and acc_d[2] == 0


def test_points_and_areal_weighting():
    bands = gpd.GeoDataFrame(
        {"minutes": [10.0, 20.0]},
        geometry=[shapely.box(112.0, 37.0, 112.02, 37.02), shapely.box(112.0, 37.0, 112.04, 37.04)],
        crs="EPSG:4326",
    )
    pts = gpd.GeoDataFrame(
        {"jobs": [5, 7, 11]}, geometry=gpd.points_from_xy([112.01, 112.03, 113.0], [37.01, 37.03, 37.0]), crs=4326
    )
    assert points_in_bands(bands, pts, "jobs").tolist() == [5.0, 12.0]
    assert points_in_bands(bands, pts).tolist() == [1.0, 2.0]
    # one county exactly the big band: the small band holds ~1/4 of its area
    counties = gpd.GeoDataFrame({"pop": [4000.0, 50.0]}, geometry=[bands.geometry.iloc[1], shapely.box(113, 37, 113.1, 37.1)], crs=4326)
    s = areal_weighted_in_bands(bands, counties, "pop")
    assert s.iloc[0] == pytest.approx(1000.0, rel=2e-3)
    assert s.iloc[1] == pytest.approx(4000.0, rel=1e-9)
    with pytest.raises(InputError):
        areal_weighted_in_bands(bands, counties, "people")
