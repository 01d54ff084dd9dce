"""Timetable options of ``geo route`` (``--date``, ``--depart``, ``--window``) and the timetable answer.

``geo route --mode rail --gtfs FEED --from A --to B --date YYYY-MM-DD --depart HH:MM --json``
prints ``total_minutes`` (arrival at B minus the departure time, initial wait
included) and ``legs`` with ``departure``/``arrival`` clock times. Without
``--date`` the feed's first full service week's Monday is used and the output
says so; without ``--depart``, 08:00. ``--window 07:00-09:00`` gives the
minutes for every departure minute and their 5/25/50/75/95th percentiles.

Several feeds: ``--gtfs A,B`` (ids become ``<feed name>:<id>``).

The timetable answer is used for modes ``rail`` and ``rail+walk`` with
``--gtfs`` (and no ``--line``/``--rail``) when a date, time or window is given
or the feed has calendars; a flat stop_times extract without them keeps the
fastest-train answer.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from geo.cli._common import existing_file
from geo.errors import InputError
from geo.gazetteer import resolve_place
from geo.gtfs import load_gtfs
from geo.modes import TIMETABLE_MODES
from geo.network import Network
from geo.timetable import find_stop, journey, parse_window, point_place, stop_resolver, window, window_percentiles

#: options of the timetable answer with their defaults (refused where no timetable applies)
TIMETABLE_OPTIONS: dict[str, object] = {
    "--date": None,
    "--depart": None,
    "--window": None,
    "--max-transfers": 8,
    "--footpaths": "auto",
    "--walk-m": 400.0,
    "--max-access-m": 800.0,
}


def add_timetable_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("timetable (GTFS: --mode rail or rail+walk with --gtfs)")
    g.add_argument("--date", metavar="YYYY-MM-DD", help="service date (default: the Monday of the feed's first full service week)")
    g.add_argument("--depart", metavar="HH:MM", help="departure time (default 08:00); total = arrival - this, wait included")
    g.add_argument("--window", metavar="HH:MM-HH:MM", help="every departure minute of this window: minutes and percentiles 5/25/50/75/95")
    g.add_argument("--max-transfers", type=int, default=8, metavar="N", help="at most N transfers (default 8)")
    g.add_argument("--footpaths", choices=["auto", "transfers", "walk"], default="auto",
                   help="transfers between stops: transfers.txt (auto, if the feed has it) or walking within --walk-m")
    g.add_argument("--walk-m", type=float, default=400.0, metavar="M", help="walking transfers up to M metres (default 400)")
    g.add_argument("--max-access-m", type=float, default=800.0, metavar="M",
                   help="from/to coordinates: stops within M metres on foot (default 800)")


def wants_timetable(args: argparse.Namespace) -> Any:
    """The loaded feed when ``args`` ask for a timetable answer, else None."""
    gtfs = getattr(args, "gtfs", None)
    asked = any(getattr(args, k, None) for k in ("date", "depart", "window"))
    if not gtfs or getattr(args, "line", None) or getattr(args, "rail", None):
        if asked:
            raise InputError("--date/--depart/--window need a GTFS timetable", "pass --gtfs FEED (and no --line/--rail) with --mode rail or rail+walk")
        return None
    if args.mode not in TIMETABLE_MODES:
        if asked:
            raise InputError(f"--date/--depart/--window do not apply to --mode {args.mode}", "use --mode rail or --mode rail+walk with --gtfs")
        return None

    if "," in gtfs and not Path(gtfs).exists():  # several feeds: --gtfs subway,lirr.zip
        feed = load_gtfs([existing_file(p.strip(), "--gtfs") for p in gtfs.split(",") if p.strip()])
    else:
        feed = load_gtfs(existing_file(gtfs, "--gtfs"))
    if asked or len(feed.calendar) or len(feed.calendar_dates):
        return feed
    return None


def _resolve(feed: Any, text: str, args: argparse.Namespace, road: Any) -> Any:
    stations = getattr(args, "stations", None)
    try:
        hit = resolve_place(text, stations=[stations] if stations else None, extra=stop_resolver(feed))
    except InputError:
        find_stop(feed, text)  # raises the feed's own message (with close stop names)
        raise
    if hit.source.startswith("gtfs:"):
        return find_stop(feed, hit.source[5:])
    return point_place(feed, hit.lon, hit.lat, name=hit.name, max_access_m=args.max_access_m, road=road)


def run_timetable(args: argparse.Namespace, feed: Any) -> int:
    if args.max_transfers is None or args.max_transfers < 0:
        raise InputError(f"--max-transfers must be >= 0, got {args.max_transfers!r}", "pass e.g. --max-transfers 8")
    if not args.walk_m >= 0 or not args.max_access_m > 0:
        raise InputError("--walk-m must be >= 0 and --max-access-m > 0", "pass e.g. --walk-m 400 --max-access-m 800")
    road = None
    if args.network:
        road = Network.from_file(existing_file(args.network, "--network"), mode="walk")
    a = _resolve(feed, args.origin, args, road)
    b = _resolve(feed, args.destination, args, road)
    opts: dict[str, Any] = {"footpaths": args.footpaths, "max_walk_m": args.walk_m, "max_rounds": args.max_transfers + 1}
    date, note = args.date, ""
    if date is None:
        date, why = feed.default_date()
        note = f"no --date given: {date} ({why})"
    if args.window:
        parse_window(args.window)
        w = window(feed, a, b, args.window, date=date, **opts)
        pct = window_percentiles(w)
        out: dict[str, Any] = {
            "from": a.name, "to": b.name, "mode": args.mode, "date": str(date), "date_note": note, "window": args.window,
            "departures": len(w), "reachable_departures": int(w["minutes"].notna().sum()),
            "percentiles": pct, "minutes_by_departure": [None if not math.isfinite(m) else round(float(m), 2) for m in w["minutes"]],
            "source": feed.source,
        }
        if args.json:
            print(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            print(f"{a.name} -> {b.name} by {args.mode} on {date}, leaving every minute {args.window} ({len(w)} departures, "
                  f"{out['reachable_departures']} reach):")
            print("  " + "  ".join(f"p{k[1:].split('_')[0]} {v:.1f} min" if math.isfinite(v) else f"p{k[1:].split('_')[0]} unreachable" for k, v in pct.items()))
            if note:
                print(f"note: {note}")
        return 0 if out["reachable_departures"] else 1
    depart = args.depart or "08:00"
    j = journey(feed, a, b, date=date, depart=depart, **opts)
    j["mode"] = args.mode
    if note:
        j["date_note"] = note
    if not args.depart:
        j["depart_note"] = "no --depart given: 08:00 is used"
    if args.json:
        print(json.dumps(_clean(j), ensure_ascii=False, indent=2))
    else:
        print(_text(j))
    return 0 if math.isfinite(j["total_minutes"]) else 1


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if not math.isfinite(v) else round(v, 2)
    return v


def _text(j: dict[str, Any]) -> str:
    head = f"{j['from']} -> {j['to']} by {j['mode']} on {j['date']}, leaving {j['depart'][:5]}"
    if not math.isfinite(j["total_minutes"]):
        lines = [head + ": unreachable"]
    else:
        lines = [head + f": {j['total_minutes']:.1f} min, arriving {j['arrival']} ({j['transfers']} transfer{'s' if j['transfers'] != 1 else ''})"]
    for leg in j["legs"]:
        span = f"{leg['departure']}-{leg['arrival']}"
        if leg["mode"] == "wait":
            what = f"at {leg['from']}"
        elif leg["mode"] == "transfer":
            walk = f"walk {leg['walk_minutes']:.1f} min, " if leg["walk_minutes"] else ""
            what = f"{leg['from']} -> {leg['to']} ({walk}min change {leg['min_transfer_minutes']:.1f}, wait {leg['wait_minutes']:.1f})"
        elif leg["mode"] == "walk":
            what = f"{leg['from']} -> {leg['to']} ({leg.get('method', '')})"
        else:
            head_s = f" toward {leg['headsign']}" if leg.get("headsign") else ""
            name = f"{leg['route']}{head_s}: " if leg.get("route") else (f"{head_s.strip()}: " if head_s else "")
            what = f"{name}{leg['from']} -> {leg['to']} ({leg['stops']} stops, trip {leg['trip_id']})"
        lines.append(f"  {leg['mode']:<8} {span}  {leg['minutes']:5.1f} min  {what}")
    for k in ("date_note", "depart_note"):
        if j.get(k):
            lines.append(f"note: {j[k]}")
    lines.append(f"transfers: {j['footpaths']}")
    return "\n".join(lines)
