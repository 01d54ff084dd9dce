#!/usr/bin/env python3
"""The two RoutingKit CCH bindings on PyPI against geo's float64 CCH and geo's Dijkstra, node to node.

    PYTHONPATH=. .venv/bin/python scripts/bench_cch.py [--pbf FILE] [--n 1000] [--seed 0]

Measures on one drive network (default: the Andorra extract in ../shared/data): build (node order +
contraction), customization, an n x n node-to-node matrix, one node-to-node query (median of 200), and
how far each engine's times are from geo's Dijkstra (the reference). The bindings take integer
weights; edge seconds are rounded to milliseconds for them (uint32). ``pyroutingkit`` and
``routingkit-cch`` are optional here (``pip install pyroutingkit routingkit-cch``); a missing one is
reported and skipped. One thread everywhere (NUMBA_NUM_THREADS=1 is set below).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PBF = REPO.parent / "shared/data/osm_samples/andorra-latest_osm2gpd_2023-07.osm.pbf"


def rel(a: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    ok = np.isfinite(ref) & (ref > 0)
    r = a[ok] / ref[ok]
    return float(np.median(r)), float(np.max(np.abs(r - 1)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pbf", type=Path, default=DEFAULT_PBF)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from geo import routing as R
    from geo.io import load_network

    net = load_network(args.pbf, "drive", progress=False)
    rng = np.random.default_rng(args.seed)
    big = np.flatnonzero(net.component_size == net.component_size.max())
    src = rng.choice(big, args.n)
    dst = rng.choice(big, args.n)
    n_ref = min(args.n, 100)  # Dijkstra reference rows (full searches)
    ref = np.empty((n_ref, args.n))
    for i in range(n_ref):
        d = R.search_nodes(net, src[i : i + 1]).seconds
        ref[i] = d[dst]
    w_ms = np.round(net.edge_time_s * 1000).astype(np.uint32)
    rows = []

    # geo's float64 CCH (order from routingkit-cch, contraction/customization/queries in geo._private.cch)
    R._TOPO_CACHE.clear()
    R._METRIC_CACHE.clear()
    t = time.perf_counter()
    topo = R.cch_topology(net, cache=False)
    build = time.perf_counter() - t
    cust = []
    for _ in range(5):
        R._METRIC_CACHE.clear()
        t = time.perf_counter()
        m = R.cch_metric(net, cache=False)
        cust.append(time.perf_counter() - t)
    from geo._private import cch as K

    rk_ = topo.rank
    one = np.arange(args.n + 1, dtype=np.int64)
    zeros = np.zeros(args.n)
    t = time.perf_counter()
    mat = K.many_to_many(topo.up_first, topo.up_head, topo.parent, m.fw, m.bw, one, rk_[src], zeros, one, rk_[dst], zeros, np.inf)
    mm = time.perf_counter() - t
    q = []
    for i in range(200):
        a, b = rk_[src[i % args.n] : src[i % args.n] + 1], rk_[dst[i % args.n] : dst[i % args.n] + 1]
        t = time.perf_counter()
        K.point_to_point(topo.up_first, topo.up_head, topo.parent, m.fw, m.bw, topo.arc_tail, m.fw_via, m.bw_via, m.fw_edge, m.bw_edge, a, np.zeros(1), b, np.zeros(1), *m.scratch())
        q.append(time.perf_counter() - t)
    med, worst = rel(mat[:n_ref], ref)
    rows.append(("geo CCH (float64, geo._private.cch)", build, statistics.median(cust), mm, statistics.median(q), med, worst, "yes"))

    try:
        import routingkit_cch as rkc

        t = time.perf_counter()
        order = rkc.compute_order_inertial(net.n_nodes, net.edge_u.tolist(), net.edge_v.tolist(), net.lat.tolist(), net.lon.tolist())
        c = rkc.CCH(order, net.edge_u.tolist(), net.edge_v.tolist(), False)
        build = time.perf_counter() - t
        wl = w_ms.tolist()
        cust = []
        for _ in range(5):
            t = time.perf_counter()
            metric = rkc.CCHMetric(c, wl)
            cust.append(time.perf_counter() - t)
        t = time.perf_counter()
        otm = rkc.CCHOneToMany(metric, dst.tolist())
        mat = np.array([[np.inf if x is None else x / 1000 for x in otm.distances_from(int(s))] for s in src])
        mm = time.perf_counter() - t
        del otm
        qq = rkc.CCHQuery(metric)
        q = []
        for i in range(200):
            t = time.perf_counter()
            qq.run(int(src[i % args.n]), int(dst[i % args.n]))
            q.append(time.perf_counter() - t)
        med, worst = rel(mat[:n_ref], ref)
        rows.append(("routingkit-cch (integer ms)", build, statistics.median(cust), mm, statistics.median(q), med, worst, "yes (run_multi)"))
    except ImportError:
        print("routingkit-cch not installed: skipped")

    try:
        import pyroutingkit as prk

        t = time.perf_counter()
        topo2 = prk.CCHTopology()
        topo2.build(net.edge_u.astype(np.uint32), net.edge_v.astype(np.uint32), net.lat.astype(np.float32), net.lon.astype(np.float32), net.n_nodes)
        build = time.perf_counter() - t
        metric2 = prk.CCHMetric(topo2)
        cust = []
        for _ in range(5):
            t = time.perf_counter()
            metric2.customize(w_ms)
            cust.append(time.perf_counter() - t)
        t = time.perf_counter()
        raw = metric2.distances_many_to_many(src.astype(np.uint32), dst.astype(np.uint32))
        mm = time.perf_counter() - t
        mat = np.where(raw == prk.INF_WEIGHT, np.inf, raw / 1000.0)
        q = []
        for i in range(200):
            t = time.perf_counter()
            metric2.query(int(src[i % args.n]), int(dst[i % args.n]))
            q.append(time.perf_counter() - t)
        med, worst = rel(mat[:n_ref], ref)
        rows.append(("pyroutingkit (integer ms)", build, statistics.median(cust), mm, statistics.median(q), med, worst, "no"))
    except ImportError:
        print("pyroutingkit not installed: skipped")

    # Dijkstra rows for the same matrix (one search per source, stopping at the destinations)
    t = time.perf_counter()
    for i in range(args.n):
        R.search_nodes(net, src[i : i + 1], targets=dst)
    dj = time.perf_counter() - t
    q = []
    for i in range(200):
        t = time.perf_counter()
        R.search_nodes(net, src[i : i + 1], targets=dst[i : i + 1])
        q.append(time.perf_counter() - t)
    rows.append(("geo Dijkstra (reference)", 0.0, 0.0, dj, statistics.median(q), 1.0, 0.0, "yes"))

    print(f"Network: {args.pbf.name}, drive, {net.n_nodes:,} nodes, {net.n_edges:,} edges; {args.n}x{args.n} random node pairs in the largest SCC (seed {args.seed}); times vs Dijkstra on the first {n_ref} rows.\n")
    print(f"| engine | build s | customize ms | {args.n}x{args.n} ms | one query ms | median ratio to Dijkstra | max relative error | sources with initial offsets |")
    print("|---|---|---|---|---|---|---|---|")
    for name, b, c_, mm_, q_, med, worst, multi in rows:
        print(f"| {name} | {b:.3f} | {1000 * c_:.2f} | {1000 * mm_:.0f} | {1000 * q_:.3f} | {med:.6f} | {worst:.1e} | {multi} |")
    print(
        "\nOne query: geo's point_to_point also unpacks the path into input edges; routingkit-cch's CCHQuery.run "
        "and pyroutingkit's query as the bindings return them; geo Dijkstra: one search stopping at the target."
    )


if __name__ == "__main__":
    main()
