"""The HTML report of a study, built with :class:`geo.report.Report` (self-contained, no external requests).

One verdict block per claim (badge, numbers, reason, fix) with its legs, one
section per scenario (changes, bands, places, rail, interactive and static
maps), the method, and the data sources with file dates.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geo.report import Report
from geo.results import Verdict

METHOD = """\
- Travel times are shortest paths (Dijkstra) on the OSM network: each edge is a straight segment between OSM nodes, \
timed at its `maxspeed` or the class speed of the speed table. Free-flow: no congestion, no signals unless stated.
- Places are snapped to the nearest edge of the main network (islands of fewer than 50 nodes are skipped); \
the off-network leg to the road is walked at 5 km/h and counted.
- A claim **holds** when the computed time is within the threshold; *margin* = threshold − minutes; *required km/h* \
is the average speed over the route distance that would meet the threshold. **cannot evaluate** names the missing data.
- Rail station-to-station times are the fastest in-vehicle time in the given timetable (or planned-line spec); \
door-to-door journeys add access, boarding, half the headway as the wait, alighting and egress, each listed as a leg.
- Scenarios are applied to a copy of the network. New roads join the network at their ends (nearest node within a \
tolerance) and at crossings unless grade-separated. Additions never make a place slower.
- Isochrone bands come from the travel-time field (partial edges interpolated, an off-network leg at walking speed), \
with the same raster cell size before and after so that areas compare.
"""


def _num(x: Any, digits: int = 1) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "—" if not math.isfinite(f) else f"{f:,.{digits}f}"


def _verdict_detail(v: Verdict) -> str:
    parts = [f"{_num(v.minutes)} min against a threshold of {_num(v.threshold_minutes, 0)} min"]
    if math.isfinite(v.margin_minutes):
        parts.append(f"margin {_num(v.margin_minutes)} min")
    if math.isfinite(v.required_speed_kmh):
        parts.append(f"would need an average {_num(v.required_speed_kmh, 0)} km/h")
    if v.evidence is not None and v.evidence.kind == "model":
        parts.append(f"modelled, band {_num(v.minutes_low)}–{_num(v.minutes_high)} min ({v.evidence_detail})")
    elif v.evidence is not None:
        parts.append(v.evidence_detail)
    return f"{v.mode}, {v.kind}: " + "; ".join(parts)


def _claims(r: Report, verdicts: Sequence[Verdict]) -> None:
    r.section("Claims")
    summary = pd.DataFrame(
        [
            {
                "claim": v.id,
                "verdict": v.verdict,
                "mode": v.mode,
                "minutes": v.minutes,
                "minutes_low": v.minutes_low,
                "minutes_high": v.minutes_high,
                "evidence": v.evidence.kind if v.evidence is not None else "",
                "threshold_minutes": v.threshold_minutes,
                "margin_minutes": v.margin_minutes,
                "required_speed_kmh": v.required_speed_kmh,
            }
            for v in verdicts
        ]
    )
    r.table(summary, caption="One row per claim; details, legs and sources below.", decimals={"required_speed_kmh": 0})
    for v in verdicts:
        r.section(v.id, level=3)
        reason = v.reason + (f" Fix: {v.fix}" if v.fix else "")
        r.verdict(v.verdict, v.text or v.id, detail=_verdict_detail(v), reason=reason)
        if v.legs:
            legs = pd.DataFrame(
                [{"mode": g.mode, "from": g.from_name, "to": g.to_name, "minutes": g.minutes, "note": g.note or ""} for g in v.legs]
            )
            r.table(legs, caption="Legs of the journey")
        src = v.source or {}
        if src:
            r.text(f"Source: {cite(src)}")


def cite(src: Any) -> str:
    """``title, publisher, date — url or file: “quoted sentence”`` of a source mapping."""
    head = ", ".join(str(src[k]) for k in ("title", "author", "publisher", "date") if src.get(k))
    where = src.get("url") or src.get("file") or ""
    quote = f": “{src['quote']}”" if src.get("quote") else ""
    return f"{head} — {where}{quote}" if where else f"{head}{quote}"


def _scenario(r: Report, res: Any) -> None:
    sc = res.scenario
    r.section(f"Scenario: {sc.title}")
    r.text(f"Status: **{sc.status}**. {sc.notes or ''}")
    if res.status != "ran":
        r.verdict("cannot-evaluate", sc.title, reason=res.reason)
    for w in res.warnings:
        r.note(str(w), title="Note")
    if len(res.log):
        r.table(res.log, caption="Changes applied")
    if res.bands is not None:
        r.table(res.bands, caption="Area (and people) reached per band, before and after", decimals=2)
    if res.places is not None:
        cols = [c for c in ("place", "before_minutes", "after_minutes", "minutes_saved", "percent_saved", "newly_reachable") if c in res.places.columns]
        r.table(res.places[cols], caption="Who gains most")
    if res.rail is not None and len(res.rail):
        r.table(res.rail, caption="Rail, station to station")
    for key, caption in (("comparison_map.html", "Before/after bands (interactive)"), ("gains_map.html", "Minutes saved (interactive)")):
        if key in res.files:
            r.map(Path(res.files[key]).read_text(encoding="utf-8"), caption=caption)
    for key, caption in (("comparison.png", "Before/after bands"), ("gains.png", "Minutes saved")):
        if key in res.files:
            r.image(Path(res.files[key]), caption=caption)
    if res.files:
        r.text("Files: " + ", ".join(f"`{Path(p).parent.name}/{Path(p).name}`" for p in res.files.values()))
    if sc.sources:
        r.text("Sources: " + "; ".join(cite(s) for s in sc.sources))


def write_report(
    path: str | Path,
    *,
    title: str,
    intro: str = "",
    verdicts: Sequence[Any] = (),
    scenarios: Sequence[Any] = (),
    networks: Mapping[str, Mapping[str, Any]] | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
    generated: str = "",
) -> Path:
    """Write the study report (atomic) and return its path."""
    r = Report(title, subtitle=intro or None)
    if verdicts:
        _claims(r, verdicts)
    for res in scenarios:
        _scenario(r, res)
    r.section("Method")
    r.note(METHOD, title="How the figures were computed")
    rows = []
    for key, spec in (networks or {}).items():
        p = Path(str(spec.get("path", "")))
        date = _dt.datetime.fromtimestamp(p.stat().st_mtime).strftime("%Y-%m-%d") if p.exists() else ""
        meta = spec.get("meta") or {}
        rows.append(
            {
                "network": key,
                "mode": spec.get("mode"),
                "source": spec.get("source"),
                "file": p.name,
                "file date": date,
                "nodes": meta.get("n_nodes", ""),
                "notes": meta.get("warning", ""),
            }
        )
    if rows or sources:
        r.section("Data sources")
    if rows:
        r.table(pd.DataFrame(rows), caption="Networks")
    if sources:
        r.table(pd.DataFrame([{k: s.get(k, "") for k in ("title", "url", "date")} for s in sources]), caption="Other sources")
    if generated:
        r.text(f"Study run on {generated}.")
    return r.write(path)
