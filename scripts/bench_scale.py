"""Scaling of the batch layer (geo.batch) on a real network: in-process, 1 and 2 local Dask workers.

    PYTHONPATH=. .venv/bin/python scripts/bench_scale.py [--origins 2000] [--destinations 200] [--access]

Runs the same ``geo matrix`` job (random network nodes as origins and as
destinations, no cut-off, so each search covers most of the network) on the
Andorra drive network (../shared/data/osm_samples; falls back to central
Taiyuan) three ways and prints one table: wall time of the job (cluster
start-up listed apart), origins per second, worker-seconds per origin (the
cost a projection scales from) and the peak resident memory of each worker
process (ru_maxrss; includes the Dask worker itself). The CPU column is the
CPU time of the threads that ran the partitions (robust to other work on the
machine, unlike wall time), leaving out each worker's first partition
(loading the network and compiled code); the projection scales from it. ``--access`` adds an
all-nodes 2SFCA run (every node, 30 min) on 2 workers.

Results of the three runs are checked to be identical. Timings on a shared
machine vary; the machine's cores and load are printed with the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def _network_file() -> Path:
    from geo.settings import shared_data_dir

    d = shared_data_dir()
    if d is None:
        raise SystemExit("needs ../shared/data (set GEO_SHARED_DATA)")
    for f in (d / "osm_samples" / "andorra-latest_osm2gpd_2023-07.osm.pbf", d / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson"):
        if f.exists():
            return f
    raise SystemExit("no Andorra pbf or Taiyuan GeoJSON in the shared data")


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--origins", type=int, default=2000)
    ap.add_argument("--destinations", type=int, default=200)
    ap.add_argument("--partition-size", type=int, default=100)
    ap.add_argument("--access", action="store_true", help="also an all-nodes 2SFCA on 2 workers")
    ap.add_argument("--national-nodes", type=float, default=30e6, help="assumed nodes of China's national drive network")
    ap.add_argument("--seats", type=int, default=2850, help="county seats (county-level divisions)")
    ap.add_argument("--villages", type=int, default=690_000, help="administrative villages")
    a = ap.parse_args()
    import distributed

    from geo.access import accessibility
    from geo.batch import NetworkSource, od_matrix_batch

    warnings.simplefilter("ignore")
    path = _network_file()
    src = NetworkSource(str(path), "drive")
    t = time.perf_counter()
    net = src.load()
    load_s = time.perf_counter() - t
    rng = np.random.default_rng(42)
    oi = rng.choice(net.n_nodes, min(a.origins, net.n_nodes), replace=False)
    di = rng.choice(net.n_nodes, min(a.destinations, net.n_nodes), replace=False)
    origins = pd.DataFrame({"id": oi, "lon": net.lon[oi], "lat": net.lat[oi]})
    dest = pd.DataFrame({"id": di, "lon": net.lon[di], "lat": net.lat[di]})
    print(f"network: {path.name}, drive, {net.n_nodes:,} nodes, {net.n_edges:,} edges (loaded in {load_s:.1f} s)")
    print(
        f"job: geo matrix, {len(origins):,} origins x {len(dest):,} destinations (random nodes, seed 42), "
        f"no cut-off, {a.partition_size} origins per partition"
    )
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    rows = []
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, workers in (("in-process", 0), ("1 worker", 1), ("2 workers", 2)):
            out = Path(tmp) / f"m{workers}"
            start_s = 0.0
            if workers == 0:
                res = od_matrix_batch(src, origins, dest, out_dir=out, partition_size=a.partition_size, workers=0, quiet=True)
                peak = [_peak_rss_mb()]
            else:
                t = time.perf_counter()
                cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50)
                client = distributed.Client(cluster)
                start_s = time.perf_counter() - t
                try:
                    res = od_matrix_batch(src, origins, dest, out_dir=out, partition_size=a.partition_size, client=client, quiet=True)
                    peak = list(client.run(_peak_rss_mb).values())
                finally:
                    client.close()
                    cluster.close()
            cpu = sum(s["seconds"] for s in res.stats)
            # steady state: leave out each worker's first partition (network load, compiled-code load, snap index)
            first = {}
            for s in sorted(res.stats, key=lambda s: s["partition"]):
                first.setdefault(s["pid"], s["partition"])
            warm = [s for s in res.stats if s["partition"] not in set(first.values())]
            steady = 1000 * sum(s["cpu_seconds"] for s in warm) / max(1, sum(s["origins"] for s in warm))
            rows.append(
                (
                    label,
                    start_s,
                    res.seconds,
                    len(origins) / res.seconds,
                    1000 * cpu / len(origins),
                    steady,
                    " / ".join(f"{p:,.0f}" for p in peak),
                )
            )
            results.append(res.read())
    for r in results[1:]:
        pd.testing.assert_frame_equal(r, results[0], check_exact=True)
    print()
    print("| run | cluster start-up s | job wall s | origins/s | worker wall ms per origin | worker CPU ms per origin, warm | peak RSS per worker MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, st, wall, ops, ms, warm_ms, peak in rows:
        print(f"| {label} | {st:.1f} | {wall:.1f} | {ops:,.0f} | {ms:.2f} | {warm_ms:.2f} | {peak} |")
    print(f"\nidentical results in all three runs: yes ({len(results[0]):,} rows, {int(results[0]['minutes'].notna().sum()):,} reachable)")
    from geo.routing import search

    search(net, [(origins["lon"].iloc[0], origins["lat"].iloc[0])])  # compiled code loaded
    ts = []
    for i in range(30):
        t = time.thread_time()
        search(net, [(origins["lon"].iloc[i], origins["lat"].iloc[i])])
        ts.append(time.thread_time() - t)
    search_ms = 1000 * float(np.median(ts))
    print(f"one-to-all search (geo.routing.search, no cut-off), median CPU time of 30 origins: {search_ms:.2f} ms")
    projection(net, min(r[5] for r in rows), search_ms, a)
    if a.access:
        opp = dest.iloc[: min(50, len(dest))].assign(beds=rng.integers(10, 500, min(50, len(dest))).astype(float))
        nodes = pd.DataFrame({"id": np.arange(net.n_nodes), "lon": net.lon, "lat": net.lat})
        with tempfile.TemporaryDirectory() as tmp:
            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50)
            client = distributed.Client(cluster)
            try:
                t = time.perf_counter()
                acc = accessibility(src, nodes, opp, measure="2sfca", minutes=30.0, weight="beds", out_dir=Path(tmp) / "a", client=client, quiet=True)
                wall = time.perf_counter() - t
                peak = list(client.run(_peak_rss_mb).values())
            finally:
                client.close()
                cluster.close()
        print(
            f"\nall-nodes 2SFCA (30 min, {len(opp)} facilities, {net.n_nodes:,} origins) on 2 workers: {wall:.1f} s "
            f"({net.n_nodes / wall:,.0f} origins/s), peak RSS per worker {' / '.join(f'{p:,.0f}' for p in peak)} MB, "
            f"driver peak RSS {_peak_rss_mb():,.0f} MB; median access {acc['access'].median():.4g}"
        )


def _net_bytes(net) -> int:
    from geo.batch import network_nbytes

    return network_nbytes(net)


def projection(net, warm_ms: float, search_ms: float, a: argparse.Namespace) -> None:
    """Cluster size and time for all county seats x all villages of China, on paper, from the measured cost."""
    import math

    from geo.batch import partition_size_for

    n_a, n_n = net.n_nodes, a.national_nodes
    factor = (n_n / n_a) * (math.log(n_n) / math.log(n_a))
    overhead_ms = max(0.0, warm_ms - search_ms)
    per_search_s = (search_ms * factor + overhead_ms) / 1000
    net_gb = _net_bytes(net) * n_n / n_a / 1e9
    search_gb = 40 * n_n / 1e9  # dist, predecessor, label, settled order (8 B each) + heap, per node
    pairs = a.seats * a.villages
    print(
        f"\nprojection (paper): all {a.seats:,} county seats x all {a.villages:,} villages = {pairs:.3g} pairs, national drive network\n"
        f"assumptions: {n_n:,.0f} nodes (geo keeps every OSM node of a drivable way), {net.n_edges / n_a:.2f} directed edges per node as here; "
        f"the one-to-all search ({search_ms:.2f} ms CPU here on {n_a:,} nodes) grows as n log n: x{factor:,.0f}; the rest of the warm "
        f"per-origin CPU cost ({overhead_ms:.2f} ms: snapping, times to points, tables) stays; = {per_search_s:.1f} s per origin "
        f"on a dedicated core of this speed; no cut-off (every pair)\n"
        f"memory per worker: network {net_gb:.1f} GB (this network's {_net_bytes(net) / 1e6:.1f} MB in memory, scaled) "
        f"+ search arrays {search_gb:.1f} GB + ~0.4 GB Python/Dask = {net_gb + search_gb + 0.4:.1f} GB; "
        f"output {pairs * 24 / 1e9:,.0f} GB as raw ids + float64 minutes (less as Parquet)"
    )
    print("| job | searches | core-hours | 64 workers | 256 workers | 1024 workers |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, n_orig, n_dest in (
        ("villages -> seats (a village per search)", a.villages, a.seats),
        ("seats -> villages (a seat per search; reverse direction)", a.seats, a.villages),
    ):
        core_h = n_orig * per_search_s / 3600
        cells = []
        for w in (64, 256, 1024):
            # --partition-size: about 4 partitions per worker, within the 1 GB budget
            size = max(1, min(partition_size_for(n_orig, n_dest), math.ceil(n_orig / (4 * w))))
            hours = math.ceil(math.ceil(n_orig / size) / w) * size * per_search_s / 3600
            t = f"{hours:,.1f} h" if hours >= 1 else f"{hours * 60:,.0f} min" if hours * 60 >= 1 else f"{hours * 3600:,.0f} s"
            cells.append(f"{t} (--partition-size {size:,})")
        print(f"| {label} | {n_orig:,} | {core_h:,.0f} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
