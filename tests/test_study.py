"""``geo study`` on the embedded demo data: offline report, checked in headless Chromium."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from _browser import chromium_path, open_page

import geo._private.claim_rail as claim_rail
from geo._private.offline import external_references
from geo._private.runtime import load_calibration
from geo.cli import main
from geo.results import Leg, Trip
from geo.study import compare_rail

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "studies" / "demo.yaml"


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    pytest.importorskip("pyrosm")
    out = tmp_path_factory.mktemp("study")
    assert main(["-q", "study", str(DEMO), "--out", str(out)]) == 0
    return out


def test_demo_study_writes_report_and_files(demo_report):
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    assert "OpenStreetMap contributors" in html and "Method" in html and "Data sources" in html
    assert "helsinki-station-15min-life-circle" in html
    verdicts = json.loads((demo_report / "verdicts.json").read_text(encoding="utf-8"))
    assert {v["id"] for v in verdicts} == {"helsinki-station-15min-life-circle", "helsinki-hakaniemi-5min"}
    for v in verdicts:  # the embedded network covers the demo claims; each verdict follows from its minutes
        assert math.isfinite(v["minutes"]), v
        assert v["verdict"] == ("holds" if v["minutes"] <= v["threshold_minutes"] else "fails"), v
        assert v["margin_minutes"] == pytest.approx(v["threshold_minutes"] - v["minutes"])
    sc = demo_report / "scenario_helsinki-new-link"
    for name in ("places.csv", "bands.csv", "comparison.gpkg", "comparison_map.html", "comparison.png"):
        assert (sc / name).stat().st_size > 0
    # nothing is loaded from elsewhere (links such as the OSM copyright page are not loads)
    assert external_references(html) == []


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="headless chromium is not installed (apt-get install chromium)")
def test_report_renders_offline_in_chromium(demo_report, tmp_path):
    res = open_page(demo_report / "report.html", screenshot=tmp_path / "shot.png", height=2400)
    # every request the page and its map frames made stayed on file:/data:, none failed, no script error
    assert res.external == [], res.external
    assert res.failed == [], res.failed
    assert res.exceptions == [], res.exceptions
    import matplotlib.image as mpimg

    img = mpimg.imread(tmp_path / "shot.png")
    assert img.shape[0] > 100 and float(img[..., :3].std()) > 0.02  # not blank


def test_compare_rail_carries_band_and_evidence_per_side(monkeypatch):
    """Before (a timetabled trip): no band, evidence timetable; after (a modelled planned line): the model's band."""
    timetabled = Trip(34.0, (Leg("rail", "A", "B", 34.0, evidence="timetable", trip="D5265"),))
    modelled = Trip(20.0, (Leg("rail", "A", "B", 20.0, evidence="model", line="planned", calibration="v1"),))
    sides = iter([timetabled, modelled])
    monkeypatch.setattr(claim_rail, "rail_trips", lambda *a, **k: [next(sides)])
    scenario = SimpleNamespace(
        base={}, base_dir=None, rail_changes=[], file="s.yaml",
        compare={"pairs": [[{"name": "A", "lon": 108.9, "lat": 34.3}, {"name": "B", "lon": 109.1, "lat": 33.7}]]},
    )  # fmt: skip
    row = compare_rail(scenario, {"gtfs": "x"}).iloc[0]
    assert (row["before_evidence"], row["after_evidence"]) == ("timetable", "model")
    assert row["before_minutes_low"] == row["before_minutes"] == row["before_minutes_high"] == 34.0
    lo, hi = load_calibration().band_minutes(20.0)
    assert row["after_minutes_low"] == pytest.approx(lo) and row["after_minutes_high"] == pytest.approx(hi)
    assert row["after_minutes_low"] < row["after_minutes"] < row["after_minutes_high"]
    assert row["minutes_saved"] == pytest.approx(14.0)
