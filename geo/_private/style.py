"""Colours and line styles shared by the interactive (folium) and static (matplotlib) maps.

One palette for travel-time bands, so that a 15-minute band looks the same in
the HTML map, the PNG and the report.
"""

from __future__ import annotations

from collections.abc import Sequence

# Sequential ramp, shortest time first (dark red core fading to pale yellow), YlOrRd-like.
BAND_RAMP = (
    "#7f0026",
    "#b10026",
    "#e31a1c",
    "#fc4e2a",
    "#fd8d3c",
    "#feb24c",
    "#fed976",
    "#ffeda0",
)
BAND_FILL_OPACITY = 0.5

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_ATTRIBUTION_HTML = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

# Base-layer drawing of a road network, by OSM highway class: (colour, weight in px, z-order)
ROAD_STYLE: dict[str, tuple[str, float, int]] = {
    "motorway": ("#8c8c8c", 2.6, 6),
    "trunk": ("#8c8c8c", 2.4, 6),
    "primary": ("#9b9b9b", 2.0, 5),
    "secondary": ("#a6a6a6", 1.6, 4),
    "tertiary": ("#b3b3b3", 1.3, 3),
    "minor": ("#c4c4c4", 0.9, 2),
    "path": ("#d2d2d2", 0.6, 1),
    "rail": ("#6b6b6b", 1.4, 7),
}
ROAD_LABEL = {
    "motorway": "Motorway / expressway",
    "trunk": "Trunk",
    "primary": "Primary",
    "secondary": "Secondary",
    "tertiary": "Tertiary",
    "minor": "Minor roads",
    "path": "Paths",
    "rail": "Railway",
}
MINOR_CLASSES = ("minor", "path")

PROPOSED_COLOR = "#d6008f"  # magenta: stands out against the red/yellow bands
ROUTE_COLORS = {"walk": "#2b8cbe", "bike": "#31a354", "drive": "#3f007d", "rail": "#111111", "transfer": "#969696"}
RAIL_COLORS = {"hsr": "#c51b7d", "rail": "#4d4d4d", "metro": "#2166ac", "subway": "#2166ac", "light_rail": "#4393c3"}
RAIL_LABEL = {"hsr": "High-speed rail", "rail": "Railway"}  # legend; other kinds: their name in title case
GAIN_RAMP = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")  # minutes saved, low -> high
LOSS_COLOR = "#b2182b"
NEW_REACH_COLOR = "#2c7fb8"
NO_CHANGE_COLOR = "#9e9e9e"


def road_class(highway: object) -> str:
    """Map an OSM ``highway`` (or ``railway``) value to a drawing class.

    Examples
    --------
    >>> [road_class(h) for h in ["motorway_link", "trunk", "residential", "footway", None, "rail"]]
    ['motorway', 'trunk', 'minor', 'path', 'minor', 'rail']
    """
    h = str(highway or "").strip().lower()
    if h.startswith("['") or h.startswith("["):  # osmnx lists
        h = h.strip("[]").split(",")[0].strip(" '\"")
    h = h.removesuffix("_link")
    if h in ("motorway", "expressway"):
        return "motorway"
    if h in ("trunk", "primary", "secondary", "tertiary"):
        return h
    if h in ("footway", "path", "steps", "pedestrian", "cycleway", "bridleway", "track", "corridor"):
        return "path"
    if h in ("rail", "railway", "light_rail", "subway", "narrow_gauge", "hsr", "tram", "monorail"):
        return "rail"
    return "minor"


def _hex_to_rgb(c: str) -> tuple[float, float, float]:
    c = c.lstrip("#")
    return (int(c[0:2], 16) / 255, int(c[2:4], 16) / 255, int(c[4:6], 16) / 255)


def _rgb_to_hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, x)) * 255):02x}" for x in rgb)


def ramp(colors: Sequence[str], t: float) -> str:
    """Colour at position ``t`` in [0, 1] along a ramp (linear in RGB).

    Examples
    --------
    >>> ramp(["#000000", "#ffffff"], 0.5)
    '#808080'
    """
    t = min(1.0, max(0.0, float(t)))
    if len(colors) == 1:
        return colors[0]
    pos = t * (len(colors) - 1)
    i = min(int(pos), len(colors) - 2)
    f = pos - i
    a, b = _hex_to_rgb(colors[i]), _hex_to_rgb(colors[i + 1])
    return _rgb_to_hex([x + (y - x) * f for x, y in zip(a, b)])


def band_colors(n: int, colors: Sequence[str] | None = None) -> list[str]:
    """``n`` band colours, shortest time first.

    ``colors`` may be a list of at least ``n`` colours (used as given) or a
    shorter list of ramp anchors (interpolated).

    Examples
    --------
    >>> band_colors(1)
    ['#e31a1c']
    >>> band_colors(3)
    ['#b10026', '#fd8d3c', '#ffeda0']
    >>> band_colors(2, ["red", "blue"])
    ['red', 'blue']
    """
    if colors is not None and len(colors) >= n:
        return list(colors[:n])
    anchors = list(colors) if colors else list(BAND_RAMP)
    if n <= 0:
        return []
    if n == 1:
        return [anchors[min(2, len(anchors) - 1)]] if colors is None else [anchors[0]]
    if colors is None:
        # use the ramp without its darkest step for few bands: keeps the core readable
        lo = 1 if n <= 4 else 0
        anchors = anchors[lo:]
    return [ramp(anchors, i / (n - 1)) for i in range(n)]


def darker(color: str, factor: float = 0.7) -> str:
    """A darker shade of a hex colour (for outlines).

    Examples
    --------
    >>> darker("#ffffff", 0.5)
    '#808080'
    """
    if not color.startswith("#"):
        return color
    return _rgb_to_hex([x * factor for x in _hex_to_rgb(color)])


def format_minutes(x: float) -> str:
    """``15.0`` -> ``'15'``, ``7.5`` -> ``'7.5'``.

    Examples
    --------
    >>> format_minutes(15.0), format_minutes(7.5)
    ('15', '7.5')
    """
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def band_labels(minutes: Sequence[float]) -> list[str]:
    """Legend labels for nested bands: ``['0–5', '5–10', '10–15']``.

    Examples
    --------
    >>> band_labels([5, 10, 15])
    ['0–5', '5–10', '10–15']
    """
    out, prev = [], 0.0
    for m in minutes:
        out.append(f"{format_minutes(prev)}–{format_minutes(m)}")
        prev = float(m)
    return out
