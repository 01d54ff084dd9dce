"""Compare two `geo demo` output folders picture by picture: PNGs directly, HTML pages by headless screenshots.

    python scripts/compare_pictures.py BEFORE_DIR AFTER_DIR [--shots DIR]

Prints one row per picture: the share of pixels that differ (any channel by more
than 8/255) and the mean absolute difference. Pages are screenshotted with
headless Chromium (tests/_browser.py) at 1200x900 (reports: full page).
Needs chromium for the HTML rows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

PAGES = ("map.html", "drive_map.html", "study/report.html",
         "study/scenario_helsinki-new-link/comparison_map.html", "study/scenario_helsinki-new-link/gains_map.html")  # fmt: skip
PNGS = ("map.png", "study/scenario_helsinki-new-link/comparison.png", "study/scenario_helsinki-new-link/gains.png")


def _read(path: Path) -> np.ndarray:
    import matplotlib.image as mpimg

    return np.asarray(mpimg.imread(path))[..., :3].astype(float)


def _diff(a: Path, b: Path) -> tuple[str, float, float]:
    x, y = _read(a), _read(b)
    if x.shape != y.shape:
        return f"{x.shape[1]}x{x.shape[0]} -> {y.shape[1]}x{y.shape[0]}", float("nan"), float("nan")
    d = np.abs(x - y)
    return f"{x.shape[1]}x{x.shape[0]}", float((d.max(axis=-1) > 8 / 255).mean() * 100), float(d.mean() * 255)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--shots", type=Path, default=Path("shots"), help="where page screenshots are written")
    args = ap.parse_args()
    from _browser import open_page

    rows = []
    for rel in PNGS:
        rows.append((rel, *_diff(args.before / rel, args.after / rel)))
    for rel in PAGES:
        shots = []
        for side, root in (("before", args.before), ("after", args.after)):
            out = args.shots / side / (rel.replace("/", "__") + ".png")
            out.parent.mkdir(parents=True, exist_ok=True)
            res = open_page(root / rel, screenshot=out, full_page=rel.endswith("report.html"), settle_s=3.0)
            if res.external or res.exceptions:
                print(f"warning: {side} {rel}: external={res.external[:2]} exceptions={res.exceptions[:2]}")
            shots.append(out)
        rows.append((rel + " (screenshot)", *_diff(*shots)))
    print(f"{'picture':62} {'size':>20} {'pixels differing %':>19} {'mean |diff| /255':>17}")
    for name, size, share, mean in rows:
        print(f"{name:62} {size:>20} {share:19.2f} {mean:17.2f}")


if __name__ == "__main__":
    main()
