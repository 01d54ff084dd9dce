"""The compiled kernel against hand-computed graphs and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

from geo._private.dijkstra import dijkstra


def _csr(n, edges):
    edges = sorted(edges)
    u = np.array([e[0] for e in edges], dtype=np.int64)
    v = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=np.float64)
    indptr = np.searchsorted(u, np.arange(n + 1)).astype(np.int64)
    return indptr, v, w


def _run(n, edges, sources, costs=None, labels=None, limit=np.inf):
    indptr, v, w = _csr(n, edges)
    s = np.asarray(sources, dtype=np.int64)
    c = np.zeros(len(s)) if costs is None else np.asarray(costs, dtype=float)
    lab = np.arange(len(s), dtype=np.int64) if labels is None else np.asarray(labels, dtype=np.int64)
    return dijkstra(indptr, v, w, s, c, lab, float(limit))


def test_hand_computed_diamond():
    #   0 -1-> 1 -1-> 3 ; 0 -5-> 2 -1-> 3 ; 1 -1-> 2
    edges = [(0, 1, 1.0), (1, 3, 1.0), (0, 2, 5.0), (2, 3, 1.0), (1, 2, 1.0)]
    dist, pred, label, order = _run(4, edges, [0])
    assert dist.tolist() == [0.0, 1.0, 2.0, 2.0]
    assert order[0] == 0 and set(order.tolist()) == {0, 1, 2, 3}
    assert (label == 0).all()
    # node 2 is entered through the edge 1->2
    indptr, v, _ = _csr(4, edges)
    j = pred[2]
    assert v[j] == 2 and np.searchsorted(indptr, j, side="right") - 1 == 1


def test_directed_and_unreachable_is_inf():
    dist, pred, label, _ = _run(3, [(0, 1, 2.0)], [1])
    assert np.isinf(dist[0]) and dist[1] == 0 and np.isinf(dist[2])
    assert pred[0] == -1 and label[0] == -1


def test_limit_excludes_nodes_beyond_it():
    edges = [(i, i + 1, 10.0) for i in range(5)]
    dist, _, _, order = _run(6, edges, [0], limit=25)
    assert dist[:3].tolist() == [0, 10, 20]
    assert np.isinf(dist[3:]).all()
    assert len(order) == 3


def test_source_costs_and_nearest_origin_labels():
    edges = [(i, i + 1, 1.0) for i in range(6)] + [(i + 1, i, 1.0) for i in range(6)]
    dist, _, label, _ = _run(7, edges, [0, 6], costs=[0.0, 2.0])
    assert dist.tolist() == [0, 1, 2, 3, 4, 3, 2]
    assert label[:4].tolist() == [0, 0, 0, 0]
    assert label[5:].tolist() == [1, 1]


def test_matches_scipy_on_random_graphs():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(5, 60))
        m = int(rng.integers(n, 4 * n))
        u = rng.integers(0, n, m)
        v = rng.integers(0, n, m)
        w = rng.uniform(0, 10, m).round(3)
        edges = list(zip(u.tolist(), v.tolist(), w.tolist()))
        dist, *_ = _run(n, edges, [0])
        g = csr_matrix((w, (u, v)), shape=(n, n))
        # scipy sums parallel edges in csr_matrix; keep the minimum instead
        best: dict[tuple[int, int], float] = {}
        for a, b, c in edges:
            best[(a, b)] = min(best.get((a, b), np.inf), c)
        keys = list(best)
        g = csr_matrix(
            ([best[k] for k in keys], ([k[0] for k in keys], [k[1] for k in keys])), shape=(n, n)
        )
        ref = scipy_dijkstra(g, indices=0)
        # csr_matrix drops explicit zeros, which scipy then treats as "no edge"
        zero = [k for k in keys if best[k] == 0]
        if zero:
            continue
        np.testing.assert_allclose(dist, ref)


@pytest.mark.parametrize("limit", [0.0, 1.0])
def test_zero_limit_keeps_only_sources(limit):
    dist, *_ = _run(3, [(0, 1, 2.0), (1, 2, 2.0)], [0], limit=limit)
    assert dist[0] == 0 and np.isinf(dist[1:]).all()


def test_targets_stop_early_with_exact_times():
    from geo._private.dijkstra import path_to
    from geo.synthetic import grid_network

    net = grid_network(60)
    args = (net.indptr, net.edge_v, net.edge_time_s, np.array([0]), np.zeros(1), np.zeros(1, dtype=np.int64), np.inf)
    full, _, _, order_full = dijkstra(*args)
    targets = np.array([61, 125, 61])  # duplicates are fine
    part, pred, _, order = dijkstra(*args, targets)
    assert part[61] == full[61] and part[125] == full[125]
    assert len(order) < len(order_full) and order[-1] in (61, 125)
    assert np.isinf(part[net.n_nodes - 1])  # far corner: not settled before the targets
    edges, src = path_to(pred, net.edge_u, 125)
    assert src == 0 and net.edge_v[edges[-1]] == 125
    assert net.edge_time_s[edges].sum() == pytest.approx(full[125])
