"""``geo study FILE.yaml --out DIR``: run a study and write ``DIR/report.html``."""

from __future__ import annotations

import argparse

from geo.cli._common import existing_file, output_dir
from geo.study import run_study


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "study",
        help="run networks, claims and scenarios from a study file and write a report",
        description="Run a study file; writes DIR/report.html (self-contained) and each table/map as its own file.",
        epilog="example: geo study data/studies/demo.yaml --out out/study",
    )
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    quiet = bool(getattr(args, "quiet", False))
    study = existing_file(args.file, "FILE.yaml")
    r = run_study(study, output_dir(args.out, "--out", created=getattr(args, "created_dirs", None)), quiet=quiet)
    if not quiet:
        for v in r.verdicts:
            print(v.summary())
        for s in r.scenarios:
            print(f"scenario {s.scenario.id}: {s.status}{' - ' + s.reason if s.reason else ''}")
        print(f"wrote {r.report}")
    return 0
