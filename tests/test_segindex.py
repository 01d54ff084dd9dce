"""SegmentIndex finds exactly the nearest segment (brute force as the reference)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geo._private.segindex import SegmentIndex, point_segment_distance


def brute(xy, a, b, px, py, max_distance):
    k = np.full(len(px), -1)
    dist = np.full(len(px), np.nan)
    for i in range(len(px)):
        d = point_segment_distance(px[i], py[i], xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1])
        j = int(np.argmin(d))  # ties: the lowest index
        if d[j] <= max_distance:
            k[i], dist[i] = j, d[j]
    return k, dist


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**31 - 1),
    st.integers(1, 60),
    st.floats(10.0, 3000.0),
    st.sampled_from([50.0, 300.0, 5000.0]),
)
def test_matches_brute_force(seed, n_seg, extent, short_m):
    rng = np.random.default_rng(seed)
    # integer-ish coordinates make exact ties (shared ends, parallel segments) common
    xy = np.round(rng.uniform(0, extent, size=(n_seg + 5, 2)) / 10) * 10
    a = rng.integers(0, len(xy), n_seg)
    b = rng.integers(0, len(xy), n_seg)
    px, py = rng.uniform(-200, extent + 200, size=(2, 40))
    px = np.r_[px, xy[:5, 0]]  # some queries exactly on segment ends
    py = np.r_[py, xy[:5, 1]]
    max_distance = float(rng.choice([20.0, 500.0, 1e9]))
    k, d = SegmentIndex(xy, a, b, short_m=short_m).nearest(px, py, max_distance)
    k0, d0 = brute(xy, a, b, px, py, max_distance)
    np.testing.assert_allclose(d, d0, rtol=0, atol=1e-9)
    assert (k == k0).all()


def test_empty_index_finds_nothing():
    idx = SegmentIndex(np.zeros((0, 2)), np.zeros(0, int), np.zeros(0, int))
    k, d = idx.nearest(np.array([1.0]), np.array([2.0]), 100.0)
    assert k.tolist() == [-1] and np.isnan(d).all()
