"""Self-contained HTML reports: verdicts, tables, maps, images, method notes and sources in ONE file.

A :class:`Report` collects blocks in order and writes one HTML file that makes
no network request: styles are inline, folium maps are embedded as
``<iframe srcdoc>`` documents with Leaflet inlined, images are ``data:`` URIs.
The file can be e-mailed, archived or opened from a USB stick.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> r = Report("Zhashui accessibility", subtitle="Claims checked against OSM data")
>>> r.section("Verdicts")
>>> r.verdict("holds", "Xi'an North -> Shangluo West within 60 minutes by rail", detail="48.0 min, margin 12.0 min")
>>> r.table(pd.DataFrame({"place": ["柞水", "<b>x</b>"], "minutes": [42.5, float("nan")]}), caption="Times")
>>> r.text("Times are **door to door**; see [OSM](https://www.openstreetmap.org/copyright).")
>>> r.sources([{"name": "OSM rail lines", "file": "shaanxi_osm_rail_lines.geojson", "date": "2026-07"}])
>>> path = r.write(pathlib.Path(tempfile.mkdtemp()) / "report.html")
>>> html = path.read_text(encoding="utf-8")
>>> "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
True
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo import __version__ as version
from geo._private import style as S
from geo._private.offline import escape, external_references
from geo._private.writeout import write_text
from geo.errors import InputError
from geo.maps import map_html
from geo.plot import figure_bytes

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

__all__ = ["VERDICTS", "Report", "markdown"]

VERDICTS: dict[str, tuple[str, str, str]] = {
    # verdict -> (label, background, text colour)
    "holds": ("holds", "#1a7f37", "#ffffff"),
    "fails": ("fails", "#c62828", "#ffffff"),
    "uncertain": ("uncertain", "#8250df", "#ffffff"),
    "cannot-evaluate": ("cannot evaluate", "#6e7781", "#ffffff"),
    "partly": ("partly holds", "#b35c00", "#ffffff"),
}
_VERDICT_ALIASES = {
    "true": "holds",
    "pass": "holds",
    "ok": "holds",
    "false": "fails",
    "fail": "fails",
    "cannot_evaluate": "cannot-evaluate",
    "cannot evaluate": "cannot-evaluate",
    "unknown": "cannot-evaluate",
    "n/a": "cannot-evaluate",
}

_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--ink); background: var(--bg); line-height: 1.55;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC",
  -apple-system, "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 28px 60px; }
header.geo-head { border-bottom: 3px solid #b10026; padding-bottom: 12px; margin-bottom: 18px; }
header.geo-head h1 { margin: 0 0 4px; font-size: 1.9rem; line-height: 1.2; }
header.geo-head .sub { color: var(--muted); font-size: 1.05rem; }
header.geo-head .meta { color: var(--muted); font-size: 0.85rem; margin-top: 6px; }
nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px;
  margin: 0 0 20px; font-size: 0.92rem; }
nav.toc ol { margin: 4px 0; padding-left: 20px; }
h2 { font-size: 1.4rem; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.15rem; margin: 24px 0 8px; }
p { margin: 8px 0; }
code { background: var(--soft); padding: 1px 4px; border-radius: 3px; font-size: 0.9em; }
a { color: #0b5cad; }
.verdict { display: flex; gap: 12px; align-items: flex-start; border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 14px; margin: 10px 0; background: #fff; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 700; font-size: 0.82rem;
  letter-spacing: 0.02em; text-transform: uppercase; white-space: nowrap; margin-top: 2px; }
.verdict .claim { font-weight: 600; }
.verdict .detail { color: var(--muted); font-size: 0.92rem; }
table.geo-table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 0.9rem; }
table.geo-table th, table.geo-table td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left;
  vertical-align: top; }
table.geo-table th { background: var(--soft); font-weight: 600; }
table.geo-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.geo-table td.na { color: #8c959f; text-align: right; }
.table-wrap { overflow-x: auto; }
figure { margin: 14px 0 22px; }
figure img { max-width: 100%; max-height: 760px; width: auto; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figure iframe { width: 100%; border: 1px solid var(--line); border-radius: 4px; display: block; }
figcaption, .caption { color: var(--muted); font-size: 0.88rem; margin-top: 5px; }
.note { background: #fff8e6; border-left: 4px solid #e0a800; padding: 8px 12px; margin: 12px 0; border-radius: 4px; }
.note .note-title { font-weight: 700; margin-bottom: 2px; }
footer.geo-foot { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted);
  font-size: 0.82rem; }
@media print { nav.toc { display: none; } figure iframe { height: 420px !important; } main { padding: 0; } }
"""


# ---------------------------------------------------------------------------------------------- text
_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![*\w])\*([^*\s][^*]*)\*(?!\w)"), r"<em>\1</em>"),
]
_BULLET = re.compile(r"^\s*[-*] ")
_NUMBER = re.compile(r"^\s*\d+[.)] ")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+|#[\w-]+|mailto:[^\s)]+)\)")


def _inline(text: str) -> str:
    out = escape(text)
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', out)
    for pat, rep in _INLINE:
        out = pat.sub(rep, out)
    return out


def markdown(text: str) -> str:
    """A small, safe Markdown subset to HTML: paragraphs, ``-``/``1.`` lists, ``###`` headings,
    ``**bold**``, ``*italic*``, `` `code` ``, ``[text](https://...)``. Raw HTML is escaped.

    Examples
    --------
    >>> markdown("A **bold** <i>claim</i>\\n\\n- one\\n- two")
    '<p>A <strong>bold</strong> &lt;i&gt;claim&lt;/i&gt;</p>\\n<ul><li>one</li><li>two</li></ul>'
    """
    blocks = re.split(r"\n\s*\n", str(text).strip())
    html = []
    for block in blocks:
        lines = [ln.rstrip() for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        if all(_BULLET.match(ln) for ln in lines):
            items = "".join("<li>" + _inline(_BULLET.sub("", ln)) + "</li>" for ln in lines)
            html.append(f"<ul>{items}</ul>")
        elif all(_NUMBER.match(ln) for ln in lines):
            items = "".join("<li>" + _inline(_NUMBER.sub("", ln)) + "</li>" for ln in lines)
            html.append(f"<ol>{items}</ol>")
        elif len(lines) == 1 and lines[0].startswith("#"):
            level = min(len(lines[0]) - len(lines[0].lstrip("#")) + 1, 4)
            html.append(f"<h{level}>{_inline(lines[0].lstrip('#').strip())}</h{level}>")
        else:
            html.append(f"<p>{'<br>'.join(_inline(ln) for ln in lines)}</p>")
    return "\n".join(html)


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-") or "section"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


# ---------------------------------------------------------------------------------------------- values
def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float | np.floating):
        return not math.isfinite(float(v))
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _format_cell(v: Any, col: str, decimals: Mapping[str, int], default_decimals: int) -> tuple[str, str]:
    """(html, css class)."""
    if _is_missing(v):
        return "—", "na"
    if isinstance(v, bool | np.bool_):
        return ("yes" if v else "no"), ""
    if isinstance(v, int | np.integer):
        return f"{int(v):,}", "num"
    if isinstance(v, float | np.floating):
        d = decimals.get(col, default_decimals)
        return f"{float(v):,.{d}f}", "num"
    if isinstance(v, _dt.datetime | _dt.date | pd.Timestamp):
        return escape(v.isoformat()), ""
    if hasattr(v, "geom_type"):  # shapely geometry: not meaningful in a table
        return escape(v.geom_type), ""
    return escape(v), ""


# ---------------------------------------------------------------------------------------------- report
class Report:
    """Build a self-contained HTML report block by block, then :meth:`write` it.

    Parameters
    ----------
    title
        Report title (also the page title).
    subtitle
        A line under the title.
    attribution
        Data attribution shown in the footer (default: OpenStreetMap
        contributors, which every map made from OSM data must carry). None
        to leave it out when no OSM data is used.
    toc
        Add a table of contents of the :meth:`section` headings.
    lang
        HTML ``lang`` attribute.

    Notes
    -----
    Every string is HTML-escaped except what is passed to :meth:`html` (trusted
    markup, checked for external references when writing).
    """

    def __init__(
        self,
        title: str,
        *,
        subtitle: str | None = None,
        attribution: str | None = S.OSM_ATTRIBUTION_HTML,
        toc: bool = True,
        lang: str = "en",
    ) -> None:
        if not str(title).strip():
            raise InputError("a report needs a title", "pass e.g. Report('Zhashui accessibility')")
        self.title = str(title)
        self.subtitle = subtitle
        self.attribution = attribution
        self.toc = toc
        self.lang = lang
        self.created = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
        self._blocks: list[str] = []
        self._sections: list[tuple[str, str]] = []
        self._slugs: set[str] = set()
        self._n_maps = 0

    # -- structure -----------------------------------------------------------------------------
    def section(self, title: str, level: int = 2) -> None:
        """Start a section (``level`` 2) or subsection (3); level-2 sections go into the table of contents."""
        level = 2 if level < 3 else 3
        slug = _slug(title, self._slugs)
        if level == 2:
            self._sections.append((slug, title))
        self._blocks.append(f'<h{level} id="{slug}">{escape(title)}</h{level}>')

    def text(self, text: str) -> None:
        """Paragraphs in a small Markdown subset (see :func:`markdown`); everything is escaped."""
        self._blocks.append(markdown(text))

    def html(self, markup: str) -> None:
        """Trusted raw HTML (not escaped). It must not load anything: :meth:`write` checks."""
        self._blocks.append(str(markup))

    def note(self, text: str, title: str = "Method note") -> None:
        """A highlighted note (method, caveat, assumption) in Markdown subset."""
        self._blocks.append(f'<div class="note"><div class="note-title">{escape(title)}</div>{markdown(text)}</div>')

    def verdict(self, verdict: str, claim: str, *, detail: str | None = None, reason: str | None = None) -> None:
        """A verdict badge (holds / fails / cannot-evaluate / partly) with the claim and its numbers.

        Examples
        --------
        >>> r = Report("t")
        >>> r.verdict("cannot_evaluate", "Zhashui within 15 min of Xi'an", reason="no road network")
        >>> "cannot evaluate" in r.to_html()
        True
        """
        key = str(verdict).strip().lower()
        key = _VERDICT_ALIASES.get(key, key)
        if key not in VERDICTS:
            raise InputError(f"unknown verdict {verdict!r}", f"use one of {', '.join(VERDICTS)}")
        label, bg, fg = VERDICTS[key]
        parts = [f'<div class="claim">{escape(claim)}</div>']
        if detail:
            parts.append(f'<div class="detail">{escape(detail)}</div>')
        if reason:
            parts.append(f'<div class="detail">{escape(reason)}</div>')
        self._blocks.append(
            f'<div class="verdict verdict-{key}"><span class="badge" style="background:{bg};color:{fg}">'
            f"{escape(label)}</span><div>{''.join(parts)}</div></div>"
        )

    def table(
        self,
        df: pd.DataFrame,
        *,
        caption: str | None = None,
        decimals: Mapping[str, int] | int = 1,
        index: bool = False,
        max_rows: int = 1000,
    ) -> None:
        """A table from a DataFrame (GeoDataFrames lose their geometry). Cells are escaped; missing values show "—".

        ``decimals`` is one number of decimals for float columns or a mapping
        per column. Longer tables are cut at ``max_rows`` with a note.
        """
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"table() needs a DataFrame, got {type(df).__name__}", "pass a pandas DataFrame")
        frame = df.copy()
        if "geometry" in frame.columns:
            frame = pd.DataFrame(frame.drop(columns="geometry"))
        if index:
            frame = frame.reset_index()
        per_col = dict(decimals) if isinstance(decimals, Mapping) else {}
        default = 1 if isinstance(decimals, Mapping) else int(decimals)
        cut = len(frame) > max_rows
        rows = frame.head(max_rows)
        head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
        body = []
        for rec in rows.itertuples(index=False, name=None):
            cells = []
            for col, v in zip(frame.columns, rec):
                text, cls = _format_cell(v, str(col), per_col, default)
                cells.append(f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        cap = f'<div class="caption">{escape(caption)}</div>' if caption else ""
        more = f'<div class="caption">First {max_rows:,} of {len(frame):,} rows.</div>' if cut else ""
        self._blocks.append(
            f'<figure class="table"><div class="table-wrap"><table class="geo-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>{cap}{more}</figure>"
        )

    def map(self, m: folium.Map | str, *, caption: str | None = None, height: int = 520) -> None:
        """Embed an interactive map (a folium Map, or a self-contained map HTML string) as an iframe ``srcdoc``."""
        if isinstance(m, str):
            page = m
            refs = external_references(page)
            if refs:
                raise InputError(
                    f"the map HTML loads {len(refs)} external resource(s), e.g. {refs[0]}",
                    "pass the folium.Map itself, or HTML from geo.maps.map_html()",
                )
        else:
            page = map_html(m)
        self._n_maps += 1
        title = escape(caption or f"Map {self._n_maps}")
        cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        self._blocks.append(
            f'<figure class="map"><iframe title="{title}" sandbox="allow-scripts" style="height:{int(height)}px" '
            f'srcdoc="{escape(page)}"></iframe>{cap}</figure>'
        )

    def image(
        self,
        image: Figure | str | Path | bytes,
        *,
        caption: str | None = None,
        fmt: str | None = None,
        alt: str | None = None,
        dpi: int = 130,
    ) -> None:
        """Embed an image as a ``data:`` URI: a matplotlib Figure (PNG, or ``fmt="svg"``), a file, or bytes."""
        mime_of = {
            "png": "image/png",
            "svg": "image/svg+xml",
            "jpg": "image/jpeg",
            "jpeg": "image/jpeg",
            "gif": "image/gif",
            "webp": "image/webp",
        }
        if hasattr(image, "savefig"):
            fmt = (fmt or "png").lower()
            data = figure_bytes(image, fmt, dpi=dpi)  # type: ignore[arg-type]
        elif isinstance(image, bytes):
            if not fmt:
                fmt = "png" if image[:8] == b"\x89PNG\r\n\x1a\n" else "svg" if b"<svg" in image[:500] else None
            if not fmt:
                raise InputError("cannot tell the format of the image bytes", "pass fmt='png' or fmt='svg'")
            data = image
        else:
            p = Path(image)
            if not p.is_file():
                raise InputError(f"image file {p} does not exist", "check the path")
            fmt = (fmt or p.suffix.lstrip(".")).lower()
            data = p.read_bytes()
        fmt = fmt.lower()
        if fmt not in mime_of:
            raise InputError(f"unsupported image format {fmt!r}", f"use one of {', '.join(mime_of)}")
        if fmt == "svg":
            refs = external_references(data.decode("utf-8", errors="replace"))
            if refs:
                raise InputError(f"the SVG loads external resources, e.g. {refs[0]}", "embed a self-contained SVG")
        uri = f"data:{mime_of[fmt]};base64," + base64.b64encode(data).decode("ascii")
        cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        self._blocks.append(
            f'<figure class="image"><img alt="{escape(alt or caption or "")}" src="{uri}">{cap}</figure>'
        )

    def sources(self, sources: Iterable[Mapping[str, Any] | Sequence[Any]], *, title: str = "Data sources") -> None:
        """A data-sources table: dicts (e.g. name, file, date, licence) or (name, detail...) tuples."""
        rows = [dict(s) if isinstance(s, Mapping) else {f"col{i}": v for i, v in enumerate(s)} for s in sources]
        if not rows:
            return
        if all(k.startswith("col") for r in rows for k in r):
            names = ["source", "detail", "date", "licence"]
            rows = [{names[int(k[3:])] if int(k[3:]) < 4 else k: v for k, v in r.items()} for r in rows]
        self.section(title, level=3)
        self.table(pd.DataFrame(rows))

    # -- output --------------------------------------------------------------------------------
    def to_html(self) -> str:
        """The report as one HTML string."""
        toc = ""
        if self.toc and len(self._sections) > 1:
            items = "".join(f'<li><a href="#{s}">{escape(t)}</a></li>' for s, t in self._sections)
            toc = f'<nav class="toc"><strong>Contents</strong><ol>{items}</ol></nav>'
        sub = f'<div class="sub">{escape(self.subtitle)}</div>' if self.subtitle else ""
        created = self.created.strftime("%Y-%m-%d %H:%M UTC")
        foot = [f"Generated by geo {escape(version)} on {created}."]
        if self.attribution:
            foot.append(f"Map and network data {self.attribution} (ODbL).")
        return (
            f'<!DOCTYPE html>\n<html lang="{escape(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f'<header class="geo-head"><h1>{escape(self.title)}</h1>{sub}'
            f'<div class="meta">{created}</div></header>\n{toc}\n' + "\n".join(self._blocks) + "\n"
            f'<footer class="geo-foot">{" ".join(foot)}</footer>\n</main>\n</body>\n</html>\n'
        )

    def write(self, path: str | Path) -> Path:
        """Write the report atomically; raises if anything in it would load from outside the file."""
        page = self.to_html()
        refs = external_references(page)
        if refs:
            raise InputError(
                f"the report would load {len(refs)} external resource(s), e.g. {refs[0]}",
                "embed images and maps with Report.image()/Report.map() instead of links",
            )
        return write_text(page, path)
