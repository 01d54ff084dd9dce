"""Compare two `geo demo` output folders picture by picture: PNGs directly, HTML pages by headless screenshots.

    PYTHONPATH=. python scripts/compare_pictures.py --render DIR   # the seven map kinds -> DIR/kinds/*.html, *.png
    PYTHONPATH=. python scripts/compare_pictures.py BEFORE_DIR AFTER_DIR [--shots DIR]

``--render`` draws each map kind (isochrone, network, route, rail, points,
comparison, gains) from fixed synthetic data with :mod:`geo.maps` (HTML) and
:mod:`geo.plot` (PNG); run it, and ``geo demo --out DIR``, before and after a
change to the renderers. The comparison prints one row per picture found in
both folders: the share of pixels that differ (any channel by more than
8/255), the largest and the mean absolute difference. Pages are screenshotted
with headless Chromium (tests/_browser.py) at 1200x900 (reports: full page).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import shapely

from geo import maps, plot
from geo.synthetic import grid_network

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

_SCENARIO = "study/scenario_helsinki-new-link"
PAGES = ("map.html", "drive_map.html", "study/report.html", f"{_SCENARIO}/comparison_map.html",
         f"{_SCENARIO}/gains_map.html")  # fmt: skip
PNGS = ("map.png", f"{_SCENARIO}/comparison.png", f"{_SCENARIO}/gains.png")
KINDS = ("isochrone", "network", "route", "rail", "points", "comparison", "gains")


def _read(path: Path) -> np.ndarray:
    return np.asarray(mpimg.imread(path))[..., :3].astype(float)


def _diff(a: Path, b: Path) -> tuple[str, float, float, float]:
    x, y = _read(a), _read(b)
    if x.shape != y.shape:
        return f"{x.shape[1]}x{x.shape[0]} -> {y.shape[1]}x{y.shape[0]}", float("nan"), float("nan"), float("nan")
    d = np.abs(x - y)
    share = float((d.max(axis=-1) > 8 / 255).mean() * 100)
    return f"{x.shape[1]}x{x.shape[0]}", share, float(d.max() * 255), float(d.mean() * 255)


def render_kinds(out: Path) -> None:
    """Draw the seven map kinds from fixed synthetic data into ``out`` (``<kind>.html`` and ``<kind>.png``)."""
    o = (112.58, 37.8563)
    net = grid_network(24, centre=o, arterial_every=6, expressway_every=12, spacing_m=120.0)
    circle = shapely.Point(o)
    bands = gpd.GeoDataFrame({"minutes": [5, 10, 15], "area_km2": [1.0, 3.5, 7.9], "population": [900, 4100, 8800]},
                             geometry=[shapely.affinity.scale(circle.buffer(0.004 * k), 1.3, 1.0) for k in (1, 2, 3)],
                             crs=4326)  # fmt: skip
    after = bands.assign(geometry=[g.union(shapely.Point(o[0] + 0.006, o[1]).buffer(0.002 * k))
                                   for k, g in zip((2, 3, 4), bands.geometry)])  # fmt: skip
    counties = gpd.GeoDataFrame({"name": ["西区", "东区"]}, geometry=[shapely.box(112.55, 37.83, 112.58, 37.88),
                                shapely.box(112.58, 37.83, 112.61, 37.88)], crs=4326)  # fmt: skip
    legs = gpd.GeoDataFrame({"mode": ["walk", "rail", "transfer", "drive"], "minutes": [4.0, 9.5, 2.0, 6.0],
                             "name": ["站前路", "Line 1", None, "Ring <road>"]},
                            geometry=[shapely.LineString(c) for c in (
                                [(112.565, 37.85), (112.568, 37.852)], [(112.568, 37.852), (112.585, 37.861)],
                                [(112.585, 37.861), (112.587, 37.861)], [(112.587, 37.861), (112.595, 37.868)])]
                            , crs=4326)  # fmt: skip
    rail = gpd.GeoDataFrame({"name": ["高铁", "普速", "地铁1号线"], "rail_type": ["hsr", "rail", "subway"]},
                            geometry=[shapely.LineString([(112.55, 37.84), (112.61, 37.87)]),
                                      shapely.LineString([(112.55, 37.87), (112.61, 37.845)]),
                                      shapely.LineString([(112.57, 37.835), (112.585, 37.88)])], crs=4326)  # fmt: skip
    stations = gpd.GeoDataFrame({"name": ["太原南", "太原", "大南门"]}, geometry=[shapely.Point(112.58, 37.854),
                                shapely.Point(112.6, 37.849), shapely.Point(112.5775, 37.8575)], crs=4326)  # fmt: skip
    rng = np.random.default_rng(1)
    pts = gpd.GeoDataFrame({"name": [f"school {i}" for i in range(60)], "pupils": rng.integers(50, 900, 60)},
                           geometry=gpd.points_from_xy(o[0] + rng.normal(0, 0.01, 60), o[1] + rng.normal(0, 0.007, 60)),
                           crs=4326)  # fmt: skip
    b4 = np.round(rng.uniform(5, 40, 12), 1)
    saved = np.array([6, 0, 3, 12, -2, 1, 0, 8, 0, 4])  # minutes saved by places 2..11 (one slower)
    gains = gpd.GeoDataFrame({"name": [f"村{i}" for i in range(12)], "before_minutes": np.r_[np.nan, np.nan, b4[2:]],
                              "after_minutes": np.r_[20.0, np.nan, b4[2:] - saved]},
                             geometry=gpd.points_from_xy(o[0] + np.linspace(-0.02, 0.02, 12),
                                                         o[1] + np.sin(np.arange(12)) * 0.01), crs=4326)  # fmt: skip
    road = gpd.GeoDataFrame({"name": ["新路"], "highway": ["primary"]},
                            geometry=[shapely.LineString([o, (o[0] + 0.012, o[1] + 0.002)])], crs=4326)  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    station = [(*o, "站")]
    web = {
        "isochrone": lambda: maps.isochrone_map(bands, station, network=net, boundaries=counties, title="Iso"),
        "network": lambda: maps.network_map(net, boundaries=counties, title="Network"),
        "route": lambda: maps.route_map(legs, network=net, title="Route"),
        "rail": lambda: maps.rail_map(rail, stations, boundaries=counties, title="Rail"),
        "points": lambda: maps.points_map(pts, label="name", title="Schools"),
        "comparison": lambda: maps.comparison_map(bands, after, road, origins=o, network=net, title="Scenario"),
        "gains": lambda: maps.gains_map(gains, network=net, title="Gains"),
    }
    static = {
        "isochrone": lambda: plot.isochrone_plot(bands, station, network=net, boundaries=counties, title="Iso"),
        "network": lambda: plot.network_plot(net, boundaries=counties, title="Network"),
        "route": lambda: plot.route_plot(legs, network=net, title="Route"),
        "rail": lambda: plot.rail_plot(rail, stations, boundaries=counties, title="Rail"),
        "points": lambda: plot.isochrone_plot(bands, [(*o, "a"), (o[0] + 0.01, o[1], "b")], title="Two origins"),
        "comparison": lambda: plot.comparison_plot(bands, after, road, origins=o, network=net, title="Scenario"),
        "gains": lambda: plot.gains_plot(gains, network=net, title="Gains"),
    }
    for kind in KINDS:
        m = web[kind]()
        if kind == "points":  # composed: a second builder drawing onto the same map
            maps.route_map(legs, m=m)
        maps.save_map(m, out / f"{kind}.html")
        plot.save_figure(static[kind](), out / f"{kind}.png")
    plot.save_figure(plot.comparison_plot(bands, after, road, side_by_side=False), out / "comparison_overlay.png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path, nargs="?")
    ap.add_argument("after", type=Path, nargs="?")
    ap.add_argument("--render", type=Path, metavar="DIR", help="draw the seven map kinds into DIR/kinds and stop")
    ap.add_argument("--shots", type=Path, default=Path("shots"), help="where page screenshots are written")
    args = ap.parse_args()
    if args.render:
        render_kinds(args.render / "kinds")
        return
    if args.before is None or args.after is None:
        ap.error("give BEFORE_DIR and AFTER_DIR (or --render DIR)")
    from _browser import open_page

    kinds = [f"kinds/{k}" for k in KINDS]
    names = (*PNGS, *PAGES, *(k + e for k in kinds for e in (".png", ".html")), "kinds/comparison_overlay.png")
    both = [p for p in names if (args.before / p).exists() and (args.after / p).exists()]
    pngs, pages = [p for p in both if p.endswith(".png")], [p for p in both if p.endswith(".html")]
    rows = []
    for rel in pngs:
        rows.append((rel, *_diff(args.before / rel, args.after / rel)))
    for rel in pages:
        shots = []
        for side, root in (("before", args.before), ("after", args.after)):
            out = args.shots / side / (rel.replace("/", "__") + ".png")
            out.parent.mkdir(parents=True, exist_ok=True)
            res = open_page(root / rel, screenshot=out, full_page=rel.endswith("report.html"), settle_s=3.0)
            if res.external or res.exceptions:
                print(f"warning: {side} {rel}: external={res.external[:2]} exceptions={res.exceptions[:2]}")
            shots.append(out)
        rows.append((rel + " (screenshot)", *_diff(*shots)))
    print(f"{'picture':62} {'size':>20} {'pixels differing %':>19} {'max |diff|':>11} {'mean |diff| /255':>17}")
    for name, size, share, top, mean in rows:
        print(f"{name:62} {size:>20} {share:19.2f} {top:11.0f} {mean:17.2f}")


if __name__ == "__main__":
    main()
