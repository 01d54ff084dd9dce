"""``geo study`` on the embedded demo data: offline report, checked in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from geo.cli import main

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
    assert {v["verdict"] for v in verdicts} <= {"holds", "fails", "cannot-evaluate"}
    assert all(v["verdict"] != "cannot-evaluate" for v in verdicts)  # the embedded network covers the demo claims
    sc = demo_report / "scenario_helsinki-new-link"
    for name in ("places.csv", "bands.csv", "comparison.gpkg", "comparison_map.html", "comparison.png"):
        assert (sc / name).stat().st_size > 0
    # nothing is loaded from elsewhere: no external src/href in the report
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless chromium is not installed")
def test_report_renders_offline_in_chromium(demo_report, tmp_path):
    shot = tmp_path / "shot.png"
    netlog = tmp_path / "netlog.json"
    cmd = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2400",
        # silence the browser's own background traffic so only the page's requests remain
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability", "--no-pings",
        "--disable-features=Translate,OptimizationHints,MediaRouter,SpellcheckService,AutofillServerCommunication",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--log-net-log={netlog}", "--virtual-time-budget=5000", f"--screenshot={shot}",
        (demo_report / "report.html").as_uri(),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    assert img.shape[0] > 100 and float(img[..., :3].std()) > 0.02  # not blank
    log = netlog.read_text(encoding="utf-8", errors="replace")
    urls = set(re.findall(r'"url":"([^"]+)"', log))
    # Chromium's own service traffic (component updater, time sync, account probe) is not the page's
    browser = re.compile(r"^https?://([a-z0-9.-]+\.)?(google\.com|googleapis\.com|gvt1\.com)/")
    external = {
        u for u in urls if not u.startswith(("file:", "data:", "about:", "blob:", "chrome:", "devtools:")) and not browser.match(u)
    }
    assert not external, f"external requests: {sorted(external)[:5]}"
