"""Customizable contraction hierarchy (CCH) kernels over arrays, float64 metric.

Pure functions of numpy arrays, compiled with numba, reached only through
:mod:`geo.routing` (import-linter contract). The node order comes from
RoutingKit's nested dissection (``routingkit_cch.compute_order_inertial``);
everything after it is here, in float64, so that travel times equal the
Dijkstra kernel's up to the rounding of a differently associated sum (the
RoutingKit bindings only take integer weights, which would round every edge).

Vocabulary (Dibbelt, Strasser, Wagner 2016, "Customizable Contraction
Hierarchies"): nodes are renumbered by *rank* (position in the order). The
chordal supergraph has one *arc* per unordered node pair ``{x, y}`` (``x < y``
in rank) stored with the lower end: the arcs of ``x`` are
``up_head[up_first[x]:up_first[x+1]]`` (sorted). ``fw[a]`` is the time from
``x`` up to ``y``, ``bw[a]`` from ``y`` down to ``x`` (``inf`` if no path of
that shape). ``parent[x]`` is the lowest upward neighbour: the elimination
tree, whose ancestors of ``x`` are exactly its upward search space, so queries
walk the tree in rank order without a priority queue.

1. :func:`contract` (topology, once per network; cached by :mod:`geo.routing`),
2. :func:`customize` (per metric: speed profile, scenario; milliseconds on a city),
3. :func:`upward` / :func:`many_to_many` / :func:`path_arcs` (queries).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.typed import List


@njit(cache=True)
def _merge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted union of two sorted unique int64 arrays."""
    out = np.empty(a.shape[0] + b.shape[0], dtype=np.int64)
    i = j = k = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i] < b[j]:
            out[k] = a[i]
            i += 1
        elif b[j] < a[i]:
            out[k] = b[j]
            j += 1
        else:
            out[k] = a[i]
            i += 1
            j += 1
        k += 1
    while i < a.shape[0]:
        out[k] = a[i]
        i += 1
        k += 1
    while j < b.shape[0]:
        out[k] = b[j]
        j += 1
        k += 1
    return out[:k]


@njit(cache=True)
def contract(n: int, tail: np.ndarray, head: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chordal supergraph of the undirected graph ``tail``–``head`` (ranks) and its elimination tree.

    Returns ``up_first`` (n+1), ``up_head`` (arcs, sorted per node) and ``parent`` (-1 at roots).
    """
    lo = np.minimum(tail, head)
    hi = np.maximum(tail, head)
    keep = lo != hi
    lo = lo[keep]
    hi = hi[keep]
    key = lo * n + hi
    key = np.unique(key)
    lo = key // n
    hi = key % n
    first = np.zeros(n + 1, dtype=np.int64)
    for x in lo:
        first[x + 1] += 1
    for x in range(n):
        first[x + 1] += first[x]
    ups = List()
    for x in range(n):
        ups.append(hi[first[x] : first[x + 1]].copy())
    parent = np.full(n, -1, dtype=np.int64)
    for x in range(n):
        up = ups[x]
        if up.shape[0] == 0:
            continue
        p = up[0]
        parent[x] = p
        if up.shape[0] > 1:
            ups[p] = _merge(ups[p], up[1:])
    up_first = np.zeros(n + 1, dtype=np.int64)
    for x in range(n):
        up_first[x + 1] = up_first[x] + ups[x].shape[0]
    up_head = np.empty(up_first[n], dtype=np.int64)
    for x in range(n):
        up_head[up_first[x] : up_first[x + 1]] = ups[x]
    return up_first, up_head, parent


@njit(cache=True)
def _arc(up_first: np.ndarray, up_head: np.ndarray, x: int, y: int) -> int:
    """Arc id of ``{x, y}`` with ``x < y`` (binary search), -1 if absent."""
    lo = up_first[x]
    hi = up_first[x + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if up_head[mid] < y:
            lo = mid + 1
        else:
            hi = mid
    if lo < up_first[x + 1] and up_head[lo] == y:
        return lo
    return -1


@njit(cache=True)
def input_arcs(up_first: np.ndarray, up_head: np.ndarray, tail: np.ndarray, head: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each input edge (ranks): its arc and whether it runs up (``True``: tail < head); arc -1 for loops."""
    m = tail.shape[0]
    arc = np.full(m, -1, dtype=np.int64)
    up = np.zeros(m, dtype=np.bool_)
    for e in range(m):
        a = tail[e]
        b = head[e]
        if a < b:
            arc[e] = _arc(up_first, up_head, a, b)
            up[e] = True
        elif b < a:
            arc[e] = _arc(up_first, up_head, b, a)
    return arc, up


@njit(cache=True, nogil=True)
def customize(
    up_first: np.ndarray, up_head: np.ndarray, edge_arc: np.ndarray, edge_up: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Basic customization: arc weights for edge weights ``weight`` (seconds, ``inf`` = closed).

    Returns ``fw, bw`` and, for unpacking paths, ``fw_via, bw_via`` (the
    lower-triangle node the best path goes through, -1 for an input edge) and
    ``fw_edge, bw_edge`` (the input edge, -1 for a shortcut or no edge).
    """
    n_arcs = up_head.shape[0]
    n = up_first.shape[0] - 1
    fw = np.full(n_arcs, np.inf)
    bw = np.full(n_arcs, np.inf)
    fw_via = np.full(n_arcs, -1, dtype=np.int64)
    bw_via = np.full(n_arcs, -1, dtype=np.int64)
    fw_edge = np.full(n_arcs, -1, dtype=np.int64)
    bw_edge = np.full(n_arcs, -1, dtype=np.int64)
    for e in range(edge_arc.shape[0]):
        a = edge_arc[e]
        if a < 0:
            continue
        w = weight[e]
        if edge_up[e]:
            if w < fw[a]:
                fw[a] = w
                fw_edge[a] = e
        elif w < bw[a]:
            bw[a] = w
            bw_edge[a] = e
    # lower triangles {z, x, y}, z < x < y, in increasing z: arcs (z, *) are final when used
    for z in range(n):
        s = up_first[z]
        t = up_first[z + 1]
        for i in range(s, t):
            x = up_head[i]
            bzx = bw[i]  # x -> z
            fzx = fw[i]  # z -> x
            if bzx == np.inf and fzx == np.inf:
                continue
            for j in range(i + 1, t):
                y = up_head[j]
                a = _arc(up_first, up_head, x, y)
                c = bzx + fw[j]  # x -> z -> y
                if c < fw[a]:
                    fw[a] = c
                    fw_via[a] = z
                    fw_edge[a] = -1
                c = bw[j] + fzx  # y -> z -> x
                if c < bw[a]:
                    bw[a] = c
                    bw_via[a] = z
                    bw_edge[a] = -1
    return fw, bw, fw_via, bw_via, fw_edge, bw_edge


@njit(cache=True, nogil=True)
def upward(
    up_first: np.ndarray,
    up_head: np.ndarray,
    parent: np.ndarray,
    w: np.ndarray,
    seed: np.ndarray,
    seed_cost: np.ndarray,
    limit: float,
    dist: np.ndarray,
    pred: np.ndarray,
    mark: np.ndarray,
) -> np.ndarray:
    """Upward search from seeds (ranks) over arcs weighted ``w`` (``fw``: forward, ``bw``: backward).

    ``dist`` (inf), ``pred`` and ``mark`` (False) are scratch arrays of length
    n; on return ``dist``/``pred`` hold the result on the returned nodes (the
    union of the seeds' ancestors, in increasing rank) and ``mark`` is set on
    them: the caller resets those entries (:func:`reset`). ``pred[v]`` is the
    arc that reached ``v`` (-1 for a seed). Nodes beyond ``limit`` are not
    expanded.
    """
    buf = np.empty(64, dtype=np.int64)
    k = 0
    for s in seed:
        v = s
        while v != -1 and not mark[v]:
            mark[v] = True
            if k == buf.shape[0]:
                nb = np.empty(2 * k, dtype=np.int64)
                nb[:k] = buf
                buf = nb
            buf[k] = v
            k += 1
            v = parent[v]
    nodes = np.sort(buf[:k])
    for i in range(seed.shape[0]):
        if seed_cost[i] < dist[seed[i]]:
            dist[seed[i]] = seed_cost[i]
            pred[seed[i]] = -1
    for v in nodes:
        dv = dist[v]
        if dv > limit:
            continue
        for a in range(up_first[v], up_first[v + 1]):
            nd = dv + w[a]
            y = up_head[a]
            if nd < dist[y]:
                dist[y] = nd
                pred[y] = a
    return nodes


@njit(cache=True)
def reset(nodes: np.ndarray, dist: np.ndarray, pred: np.ndarray, mark: np.ndarray) -> None:
    """Clear the scratch entries :func:`upward` touched."""
    for v in nodes:
        dist[v] = np.inf
        pred[v] = -1
        mark[v] = False


@njit(cache=True, nogil=True)
def many_to_many(
    up_first: np.ndarray,
    up_head: np.ndarray,
    parent: np.ndarray,
    fw: np.ndarray,
    bw: np.ndarray,
    src_ptr: np.ndarray,
    src_node: np.ndarray,
    src_cost: np.ndarray,
    dst_ptr: np.ndarray,
    dst_node: np.ndarray,
    dst_cost: np.ndarray,
    limit: float,
) -> np.ndarray:
    """Seconds from every source to every destination (``inf`` unreachable or beyond ``limit``).

    Source ``i`` starts at ranks ``src_node[src_ptr[i]:src_ptr[i+1]]`` having
    spent ``src_cost`` there; destination ``j`` is reached at ranks
    ``dst_node[dst_ptr[j]:dst_ptr[j+1]]`` plus ``dst_cost`` (its last partial
    edge and off-network leg). Backward searches fill buckets, one forward
    search per source scans them.
    """
    n = up_first.shape[0] - 1
    n_s = src_ptr.shape[0] - 1
    n_d = dst_ptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    mark = np.zeros(n, dtype=np.bool_)
    # backward searches -> bucket entries (node, destination, seconds)
    cap = 1024
    b_node = np.empty(cap, dtype=np.int64)
    b_dst = np.empty(cap, dtype=np.int64)
    b_sec = np.empty(cap, dtype=np.float64)
    k = 0
    for j in range(n_d):
        a0 = dst_ptr[j]
        a1 = dst_ptr[j + 1]
        if a0 == a1:
            continue
        nodes = upward(up_first, up_head, parent, bw, dst_node[a0:a1], dst_cost[a0:a1], limit, dist, pred, mark)
        for v in nodes:
            if dist[v] <= limit:
                if k == cap:
                    cap *= 2
                    nn = np.empty(cap, dtype=np.int64)
                    nn[:k] = b_node[:k]
                    b_node = nn
                    nd = np.empty(cap, dtype=np.int64)
                    nd[:k] = b_dst[:k]
                    b_dst = nd
                    ns = np.empty(cap, dtype=np.float64)
                    ns[:k] = b_sec[:k]
                    b_sec = ns
                b_node[k] = v
                b_dst[k] = j
                b_sec[k] = dist[v]
                k += 1
        reset(nodes, dist, pred, mark)
    order = np.argsort(b_node[:k], kind="mergesort")
    bf = np.zeros(n + 1, dtype=np.int64)
    for i in range(k):
        bf[b_node[i] + 1] += 1
    for v in range(n):
        bf[v + 1] += bf[v]
    bd = b_dst[:k][order]
    bs = b_sec[:k][order]
    out = np.full((n_s, n_d), np.inf)
    for i in range(n_s):
        a0 = src_ptr[i]
        a1 = src_ptr[i + 1]
        if a0 == a1:
            continue
        nodes = upward(up_first, up_head, parent, fw, src_node[a0:a1], src_cost[a0:a1], limit, dist, pred, mark)
        row = out[i]
        for v in nodes:
            dv = dist[v]
            if dv > limit:
                continue
            for q in range(bf[v], bf[v + 1]):
                c = dv + bs[q]
                if c < row[bd[q]]:
                    row[bd[q]] = c
        reset(nodes, dist, pred, mark)
    for i in range(n_s):
        for j in range(n_d):
            if out[i, j] > limit:
                out[i, j] = np.inf
    return out


@njit(cache=True)
def _unpack(
    up_first: np.ndarray,
    up_head: np.ndarray,
    arc_tail: np.ndarray,
    fw_via: np.ndarray,
    bw_via: np.ndarray,
    fw_edge: np.ndarray,
    bw_edge: np.ndarray,
    arc: int,
    forward: bool,
    out: np.ndarray,
    k: int,
) -> tuple[np.ndarray, int]:
    """Write the input edges of ``arc`` (``forward``: low -> high) into ``out[k:]`` in travel order (grown as needed)."""
    stack_a = np.empty(64, dtype=np.int64)
    stack_f = np.empty(64, dtype=np.bool_)
    stack_a[0] = arc
    stack_f[0] = forward
    top = 1
    while top > 0:
        top -= 1
        a = stack_a[top]
        f = stack_f[top]
        e = fw_edge[a] if f else bw_edge[a]
        if e >= 0:
            if k == out.shape[0]:
                grown = np.empty(2 * k + 16, dtype=np.int64)
                grown[:k] = out[:k]
                out = grown
            out[k] = e
            k += 1
            continue
        z = fw_via[a] if f else bw_via[a]
        x = arc_tail[a]
        y = up_head[a]
        zx = _arc(up_first, up_head, z, x)
        zy = _arc(up_first, up_head, z, y)
        if top + 2 > stack_a.shape[0]:
            na = np.empty(2 * stack_a.shape[0], dtype=np.int64)
            na[:top] = stack_a[:top]
            stack_a = na
            nf = np.empty(2 * stack_f.shape[0], dtype=np.bool_)
            nf[:top] = stack_f[:top]
            stack_f = nf
        if f:  # x -> z -> y: x->z is bw of (z,x), then z->y is fw of (z,y); pushed in reverse
            stack_a[top] = zy
            stack_f[top] = True
            stack_a[top + 1] = zx
            stack_f[top + 1] = False
        else:  # y -> z -> x
            stack_a[top] = zx
            stack_f[top] = True
            stack_a[top + 1] = zy
            stack_f[top + 1] = False
        top += 2
    return out, k


@njit(cache=True)
def path_arcs(
    up_first: np.ndarray,
    up_head: np.ndarray,
    arc_tail: np.ndarray,
    fw_via: np.ndarray,
    bw_via: np.ndarray,
    fw_edge: np.ndarray,
    bw_edge: np.ndarray,
    fpred: np.ndarray,
    bpred: np.ndarray,
    meet: int,
) -> tuple[np.ndarray, int, int]:
    """Input edges of the path through ``meet`` given both searches' ``pred``; and its first and last rank."""
    n_up = 0
    v = meet
    while fpred[v] >= 0:
        n_up += 1
        v = arc_tail[fpred[v]]
    first = v
    arcs_up = np.empty(n_up, dtype=np.int64)
    v = meet
    for i in range(n_up - 1, -1, -1):
        arcs_up[i] = fpred[v]
        v = arc_tail[fpred[v]]
    out = np.empty(256, dtype=np.int64)
    k = 0
    for i in range(n_up):
        out, k = _unpack(up_first, up_head, arc_tail, fw_via, bw_via, fw_edge, bw_edge, arcs_up[i], True, out, k)
    v = meet
    while bpred[v] >= 0:
        a = bpred[v]
        out, k = _unpack(up_first, up_head, arc_tail, fw_via, bw_via, fw_edge, bw_edge, a, False, out, k)
        v = arc_tail[a]
    return out[:k].copy(), first, v


@njit(cache=True, nogil=True)
def one_to_all(
    up_first: np.ndarray,
    up_head: np.ndarray,
    parent: np.ndarray,
    fw: np.ndarray,
    bw: np.ndarray,
    seed: np.ndarray,
    seed_cost: np.ndarray,
    seed_label: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds (by rank) from the nearest seed to every node, and the winning seed's label (PHAST).

    An upward search from the seeds, then one sweep down over every node in
    decreasing rank (Delling et al. 2011, "PHAST"). ``inf``/-1 beyond ``limit``.
    """
    n = up_first.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    mark = np.zeros(n, dtype=np.bool_)
    label = np.full(n, -1, dtype=np.int64)
    for i in range(seed.shape[0]):
        if seed_cost[i] < dist[seed[i]]:
            dist[seed[i]] = seed_cost[i]
            label[seed[i]] = seed_label[i]
    # upward phase with labels (dist already holds the seeds: upward() keeps the smaller value)
    nodes = upward(up_first, up_head, parent, fw, seed, seed_cost, limit, dist, pred, mark)
    for v in nodes:  # labels follow pred arcs upward, in increasing rank
        a = pred[v]
        if a >= 0:
            lo = 0
            hi = n
            while lo < hi:
                mid = (lo + hi + 1) >> 1
                if up_first[mid] <= a:
                    lo = mid
                else:
                    hi = mid - 1
            label[v] = label[lo]
    for x in range(n - 1, -1, -1):
        for a in range(up_first[x], up_first[x + 1]):
            y = up_head[a]
            c = dist[y] + bw[a]
            if c < dist[x]:
                dist[x] = c
                label[x] = label[y]
    for x in range(n):
        if dist[x] > limit:
            dist[x] = np.inf
            label[x] = -1
    return dist, label


@njit(cache=True, nogil=True)
def point_to_point(
    up_first: np.ndarray,
    up_head: np.ndarray,
    parent: np.ndarray,
    fw: np.ndarray,
    bw: np.ndarray,
    arc_tail: np.ndarray,
    fw_via: np.ndarray,
    bw_via: np.ndarray,
    fw_edge: np.ndarray,
    bw_edge: np.ndarray,
    src: np.ndarray,
    src_cost: np.ndarray,
    dst: np.ndarray,
    dst_cost: np.ndarray,
    fd: np.ndarray,
    fp: np.ndarray,
    fm: np.ndarray,
    bd: np.ndarray,
    bp: np.ndarray,
    bm: np.ndarray,
) -> tuple[float, np.ndarray, int, int]:
    """Fastest path from seeds ``src`` to seeds ``dst`` (ranks): seconds, input edges, first and last rank.

    ``arc_tail``: the lower end of every arc. ``fd, fp, fm, bd, bp, bm``: scratch arrays of length n as for :func:`upward`
    (inf, -1, False), left as they were found. ``inf``, no edges and -1, -1
    when unreachable.
    """
    fn = upward(up_first, up_head, parent, fw, src, src_cost, np.inf, fd, fp, fm)
    bn = upward(up_first, up_head, parent, bw, dst, dst_cost, np.inf, bd, bp, bm)
    best = np.inf
    meet = -1
    for v in fn:
        if bm[v]:
            c = fd[v] + bd[v]
            if c < best:
                best = c
                meet = v
    if meet < 0:
        edges = np.empty(0, dtype=np.int64)
        first = -1
        last = -1
    else:
        edges, first, last = path_arcs(up_first, up_head, arc_tail, fw_via, bw_via, fw_edge, bw_edge, fp, bp, meet)
    reset(fn, fd, fp, fm)
    reset(bn, bd, bp, bm)
    return best, edges, first, last
