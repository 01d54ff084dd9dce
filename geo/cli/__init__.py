"""The ``geo`` command line.

Each subcommand lives in its own module ``geo.cli._<name>`` exposing
``register(subparsers)``, which adds a parser whose ``func`` default runs it.
Errors caused by user input (:class:`geo.errors.GeoError`) are printed as one
line, ``error: <problem>. Fix: <fix>``, with exit status 2; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

from geo.cli._common import add_progress_args, remove_if_empty
from geo.errors import GeoError

SUBCOMMANDS = ("isochrone", "route", "matrix", "access", "claim", "scenario", "study", "demo", "rail")

EPILOG = """\
examples:
  geo demo --out maps/demo
  geo isochrone --network taiyuan.geojson --origin 112.5800,37.8563 --minutes 5,10,15 --mode drive --out out/
  geo route --from 西安东 --to 商洛西 --mode rail --rail shaanxi_osm_rail_lines.geojson \\
            --stations shaanxi_osm_rail_stations.geojson
  geo matrix --network andorra.osm.pbf --origins nodes --destinations hospitals.csv --out out/matrix
  geo access --network andorra.osm.pbf --origins nodes --opportunities hospitals.csv --measure 2sfca \\
             --minutes 30 --out out/access.parquet
  geo claim data/claims/shangluo_30min_xian.yaml --json
  geo study data/studies/demo.yaml --out out/study

Run 'geo COMMAND --help' for the options of a command.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        # one line, like every other error; the usage is one --help away
        self.exit(2, f"error: {message}. Fix: see '{self.prog} --help'\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="geo",
        description="Spatial accessibility analysis: travel times, isochrones, claims and scenarios.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars or chatter")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        importlib.import_module(f"geo.cli._{name}").register(sub)
    for sp in sub.choices.values():
        add_progress_args(sp)  # -q/--debug also after the command: geo isochrone ... -q
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:  # type: ignore[no-untyped-def]
    print(f"warning: {message}", file=sys.stderr if file is None else file)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geo`` command. Returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    with warnings.catch_warnings():
        if args.quiet:
            warnings.simplefilter("ignore")
        elif not args.debug:
            warnings.showwarning = _one_line_warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    args.created_dirs = []  # output folders a subcommand created; removed again if it fails while they are empty
    try:
        return int(args.func(args) or 0)
    except GeoError as exc:
        _cleanup(args)
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the system refused a read or write (disk full, permissions, a file vanished)
        _cleanup(args)
        if args.debug:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot access{where}: {exc.strerror or exc}. Fix: check the path, its permissions and free disk space", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _cleanup(args)
        print("error: interrupted; no output was left half-written. Fix: run the command again", file=sys.stderr)
        return 130


def _cleanup(args: argparse.Namespace) -> None:
    for d in reversed(args.created_dirs):
        remove_if_empty(d)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
