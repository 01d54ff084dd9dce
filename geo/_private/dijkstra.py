"""Compiled shortest-path kernels over CSR arrays.

Everything here is a pure function of numpy arrays so that it can be called
from worker processes, cached by numba, and tested against hand-computed
graphs. Nothing in this module knows about geometry, modes or pandas.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _heap_push(heap_k: np.ndarray, heap_v: np.ndarray, size: int, key: float, val: int) -> int:
    i = size
    heap_k[i] = key
    heap_v[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if heap_k[p] <= key:
            break
        heap_k[i] = heap_k[p]
        heap_v[i] = heap_v[p]
        i = p
    heap_k[i] = key
    heap_v[i] = val
    return size + 1


@njit(cache=True, nogil=True)
def _heap_pop(heap_k: np.ndarray, heap_v: np.ndarray, size: int) -> int:
    size -= 1
    key = heap_k[size]
    val = heap_v[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and heap_k[c + 1] < heap_k[c]:
            c += 1
        if heap_k[c] >= key:
            break
        heap_k[i] = heap_k[c]
        heap_v[i] = heap_v[c]
        i = c
    if size > 0:
        heap_k[i] = key
        heap_v[i] = val
    return size


@njit(cache=True, nogil=True)
def dijkstra(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    source_costs: np.ndarray,
    source_labels: np.ndarray,
    limit: float,
):
    """Bounded multi-source Dijkstra.

    Parameters
    ----------
    indptr, indices, weights
        CSR adjacency: the out-edges of node ``i`` are
        ``indices[indptr[i]:indptr[i+1]]`` with non-negative ``weights``.
    sources
        Start nodes (int64). A node may appear several times.
    source_costs
        Cost already spent when standing on each source (snapping leg).
    source_labels
        A label per source (e.g. the origin index); each reached node takes
        the label of the source it was reached from ("nearest origin wins").
    limit
        Stop once the smallest tentative cost exceeds ``limit`` (``inf`` for
        a full search). Nodes beyond it stay unreached.

    Returns
    -------
    dist : float64 array, ``inf`` where unreached
    pred_edge : int64 array, CSR position of the edge used to enter each node
        (-1 for sources and unreached nodes)
    label : int64 array, label of the winning source (-1 where unreached)
    order : int64 array, the settled nodes in order of increasing cost
    """
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    label = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    cap = indices.shape[0] + sources.shape[0] + 1
    heap_k = np.empty(cap, dtype=np.float64)
    heap_v = np.empty(cap, dtype=np.int64)
    size = 0
    for s in range(sources.shape[0]):
        node = sources[s]
        c = source_costs[s]
        if c <= limit and c < dist[node]:
            dist[node] = c
            label[node] = source_labels[s]
            pred[node] = -1
            size = _heap_push(heap_k, heap_v, size, c, node)
    order = np.empty(n, dtype=np.int64)
    n_done = 0
    while size > 0:
        d = heap_k[0]
        u = heap_v[0]
        size = _heap_pop(heap_k, heap_v, size)
        if done[u]:
            continue
        if d > limit:
            break
        done[u] = True
        order[n_done] = u
        n_done += 1
        lu = label[u]
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            if done[v]:
                continue
            nd = d + weights[j]
            if nd < dist[v] and nd <= limit:
                dist[v] = nd
                pred[v] = j
                label[v] = lu
                size = _heap_push(heap_k, heap_v, size, nd, v)
    # nodes given a tentative cost but never settled are still within limit
    # only if settled; clear the rest so that dist is exact or inf.
    for i in range(n):
        if not done[i]:
            dist[i] = np.inf
            pred[i] = -1
            label[i] = -1
    return dist, pred, label, order[:n_done]
