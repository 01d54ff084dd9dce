"""``geo claim FILE.yaml [--json] [--network PATH ...]``: check published travel-time promises.

Prints one verdict per claim (holds / fails / uncertain / cannot-evaluate) with minutes,
margin and, for a failing claim, what it would take. Exit status 0 whenever
the evaluation ran, whatever the verdicts; 2 for a bad claim file.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys

from geo._private.study_report import cite
from geo._private.writeout import write_csv
from geo.claims import evaluate_claims, load_claims, verdicts_frame, verdicts_json
from geo.cli._common import existing_file, output_file
from geo.rail import format_estimate
from geo.results import Verdict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "claim",
        help="evaluate the claims in a claim file",
        description="Evaluate travel-time claims (holds / fails / uncertain / cannot-evaluate).",
        epilog="example: geo claim data/claims/shangluo_30min_xian.yaml --json",
    )
    p.add_argument("files", nargs="+", metavar="FILE.yaml", help="claim file(s)")
    p.add_argument("--json", action="store_true", help="print a JSON list of verdict objects")
    p.add_argument("--network", action="append", default=[], metavar="PATH", help="road network file (repeatable)")
    p.add_argument("--gtfs", metavar="FEED", help="rail timetable (GTFS folder/zip or stop_times extract CSV)")
    p.add_argument("--line", action="append", default=[], metavar="SPEC.yaml", help="planned-line spec (repeatable)")
    p.add_argument("--population", metavar="RASTER", help="population raster (GeoTIFF) for coverage claims")
    p.add_argument("--csv", metavar="PATH", help="also write the verdict table as CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    nets = [existing_file(n, "--network") for n in args.network]
    pop = existing_file(args.population, "--population") if args.population else None
    csv = output_file(args.csv, "--csv") if args.csv else None
    verdicts = []
    for f in args.files:
        cf = load_claims(existing_file(f, "FILE.yaml"))
        inputs = cf.inputs
        if args.gtfs or args.line:
            rail = dict(inputs.rail)
            if args.gtfs:
                rail["gtfs"] = existing_file(args.gtfs, "--gtfs")
            if args.line:
                rail["lines"] = [existing_file(x, "--line") for x in args.line] + list(rail.get("lines") or [])
            inputs = dataclasses.replace(inputs, rail=rail, _loaded={})
        verdicts.extend(evaluate_claims(cf.claims, inputs, networks=nets, population=pop))
    if csv is not None:
        write_csv(verdicts_frame(verdicts), csv)
    if args.json:
        print(verdicts_json(verdicts))
        return 0
    for v in verdicts:
        print(_format(v))
    return 0


def _format(v: Verdict) -> str:
    tag = {"holds": "HOLDS", "fails": "FAILS", "uncertain": "UNCERTAIN", "cannot-evaluate": "CANNOT EVALUATE"}[v.verdict]
    mins = f"{v.minutes:.1f} min" if math.isfinite(v.minutes) else "-"
    if v.evidence is not None:
        mins = format_estimate(v.minutes, v.minutes_low, v.minutes_high, v.evidence.kind)
    lines = [f"[{tag}] {v.id}: {v.text}", f"    {mins} (threshold {v.threshold_minutes:g} min) - {v.reason}"]
    for leg in v.legs:
        extra = f" ({leg.note})" if leg.note else ""
        lines.append(f"      {leg.mode}: {leg.from_name} -> {leg.to_name} {leg.minutes:.1f} min{extra}")
    if v.fix:
        lines.append(f"    Fix: {v.fix}")
    if v.source:
        lines.append(f"    source: {cite(v.source)}")
    return "\n".join(line for line in lines if line)


if __name__ == "__main__":  # pragma: no cover
    from geo.cli import main

    sys.exit(main(["claim", *sys.argv[1:]]))
