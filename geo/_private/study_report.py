"""Self-contained HTML report of a study (no external requests).

Interactive maps are embedded as ``<iframe srcdoc=...>`` of the offline map
pages written by :func:`geo.maps.save_map`; static maps as base64 PNG; tables
as HTML. Every piece of text from data is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geo._private.writeout import write_text

ATTRIBUTION = "Map data © OpenStreetMap contributors, available under the Open Database Licence (openstreetmap.org/copyright)."

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0 1rem} h2{margin-top:2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem;background:#fff}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top} th{background:#eee}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.v{font-weight:700;padding:.1rem .4rem;border-radius:3px;color:#fff;white-space:nowrap}
.v-holds{background:#1a7f37}.v-fails{background:#c62828}.v-cannot-evaluate{background:#8a6d00}
iframe{width:100%;height:520px;border:1px solid #ccc;background:#fff}
img{max-width:100%;border:1px solid #ccc;background:#fff}
.note{color:#555;font-size:.9rem} .warn{color:#8a6d00}
footer{margin-top:3rem;font-size:.85rem;color:#555;border-top:1px solid #ddd;padding-top:.5rem}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _num(x: Any, digits: int = 1) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return _e(x)
    return "—" if not math.isfinite(f) else f"{f:,.{digits}f}"


def table_html(df: pd.DataFrame, digits: int = 2) -> str:
    """An escaped HTML table; numeric cells right-aligned, NaN shown as —."""
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c in df.columns:
            v = r[c]
            if isinstance(v, bool):
                cells.append(f"<td>{'yes' if v else 'no'}</td>")
            elif isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f'<td class="num">{_num(v, digits)}</td>')
            else:
                cells.append(f"<td>{_e(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _iframe(path: Path) -> str:
    doc = Path(path).read_text(encoding="utf-8")
    return f'<iframe title="{_e(Path(path).name)}" srcdoc="{html.escape(doc, quote=True)}"></iframe>'


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{_e(Path(path).name)}" src="data:image/png;base64,{data}">'


def _verdicts(verdicts: Sequence[Any]) -> str:
    if not verdicts:
        return ""
    rows = []
    for v in verdicts:
        src = v.source or {}
        cite = f'{_e(src.get("title", ""))}<br><span class="note">{_e(src.get("url", ""))} ({_e(src.get("date", ""))})</span>' if src else ""
        legs = "<br>".join(
            f"{_e(leg.get('mode'))}: {_e(leg.get('from'))} → {_e(leg.get('to'))} {_num(leg.get('minutes'))} min"
            + (f" <span class='note'>({_e(leg.get('note'))})</span>" if leg.get("note") else "")
            for leg in v.legs
        )
        fix = f"<br><b>Fix:</b> {_e(v.fix)}" if v.fix else ""
        rows.append(
            f"<tr><td>{_e(v.id)}</td><td>{_e(v.text)}</td><td><span class='v v-{_e(v.verdict)}'>{_e(v.verdict)}</span></td>"
            f"<td class='num'>{_num(v.minutes)}</td><td class='num'>{_num(v.threshold_minutes, 0)}</td>"
            f"<td class='num'>{_num(v.margin_minutes)}</td><td class='num'>{_num(v.required_speed_kmh, 0)}</td>"
            f"<td>{_e(v.reason)}{fix}</td><td>{legs}</td><td>{cite}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("claim", "promise", "verdict", "minutes", "threshold minutes", "margin minutes", "required kmh", "reason", "legs", "source")
    )
    return f"<h2>Claims</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _scenario(r: Any) -> str:
    sc = r.scenario
    parts = [f"<h2>Scenario: {_e(sc.title)}</h2>", f"<p class='note'>Status: <b>{_e(sc.status)}</b>. {_e(sc.notes)}</p>"]
    if r.status != "ran":
        parts.append(f"<p class='warn'>Cannot evaluate: {_e(r.reason)}</p>")
    for w in r.warnings:
        parts.append(f"<p class='warn'>Note: {_e(w)}</p>")
    if len(r.log):
        parts.append("<h3>Changes applied</h3>" + table_html(r.log))
    if r.bands is not None:
        parts.append("<h3>Area (and people) reached per band, before and after</h3>" + table_html(r.bands))
    if r.places is not None:
        cols = [c for c in ("place", "before_minutes", "after_minutes", "minutes_saved", "percent_saved", "newly_reachable") if c in r.places.columns]
        parts.append("<h3>Who gains most</h3>" + table_html(r.places[cols]))
    if r.rail is not None and len(r.rail):
        parts.append("<h3>Rail, station to station</h3>" + table_html(r.rail))
    for key in ("comparison_map.html", "gains_map.html"):
        if key in r.files:
            parts.append(f"<h3>{'Before/after bands' if key.startswith('comparison') else 'Minutes saved'} (interactive)</h3>{_iframe(r.files[key])}")
    for key in ("comparison.png", "gains.png"):
        if key in r.files:
            parts.append(_img(r.files[key]))
    if r.files:
        parts.append("<p class='note'>Files: " + ", ".join(_e(f"{Path(p).parent.name}/{Path(p).name}") for p in r.files.values()) + "</p>")
    if sc.sources:
        parts.append(
            "<p class='note'>Sources: "
            + "; ".join(f"{_e(s.get('title', ''))} ({_e(s.get('url', ''))}, {_e(s.get('date', ''))})" for s in sc.sources)
            + "</p>"
        )
    return "\n".join(parts)


METHOD = """
<h2>Method</h2>
<ul>
<li>Travel times are shortest paths (Dijkstra) on the OSM network: each edge is a straight segment between OSM nodes,
timed at its <code>maxspeed</code> or the class speed of the speed table. Free-flow: no congestion, no signals unless stated.</li>
<li>Places are snapped to the nearest edge; the off-network leg to the road is walked at 5 km/h and counted.</li>
<li>A claim <i>holds</i> when the computed time is within the threshold; <i>margin</i> = threshold − minutes; <i>required kmh</i>
is the average speed over the route distance that would meet the threshold. <i>cannot-evaluate</i> names the missing data.</li>
<li>Rail station-to-station times are the fastest in-vehicle time in the given timetable (or planned-line spec).</li>
<li>Scenarios are applied to a copy of the network. New roads join the network at their ends (nearest node within a tolerance)
and at crossings unless grade-separated. Additions never make a place slower: places are snapped both to any edge and to the
base edges, and the faster is kept.</li>
<li>Isochrone bands come from the travel-time field (partial edges interpolated, an off-network leg at walking speed), with the
same raster cell size before and after so that areas compare.</li>
</ul>
"""


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
    net_rows = []
    for k, v in (networks or {}).items():
        p = Path(str(v.get("path", "")))
        date = ""
        if p.exists():
            import datetime as dt

            date = dt.datetime.fromtimestamp(p.stat().st_mtime).strftime("%Y-%m-%d")
        meta = v.get("meta") or {}
        net_rows.append({"network": k, "mode": v.get("mode"), "source": v.get("source"), "file": p.name, "file date": date,
                         "nodes": meta.get("n_nodes", ""), "notes": meta.get("warning", "")})
    data_html = ""
    if net_rows:
        data_html += "<h2>Data sources</h2>" + table_html(pd.DataFrame(net_rows))
    if sources:
        data_html += "<ul>" + "".join(f"<li>{_e(s.get('title', ''))} — {_e(s.get('url', ''))} ({_e(s.get('date', ''))})</li>" for s in sources) + "</ul>"
    body = "\n".join(
        [
            f"<h1>{_e(title)}</h1>",
            f"<p>{_e(intro)}</p>" if intro else "",
            _verdicts(verdicts),
            *[_scenario(r) for r in scenarios],
            METHOD,
            data_html,
            f"<footer>{_e(ATTRIBUTION)}<br>Generated by geo {('on ' + _e(generated)) if generated else ''}.</footer>",
        ]
    )
    doc = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; frame-src 'self' about: data:; font-src data:\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>{body}</main></body></html>"
    )
    return write_text(doc, path)
