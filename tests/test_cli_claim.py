"""``geo claim`` / ``geo scenario`` / ``geo study`` command lines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from geo.cli import main
from geo.network import Network

REPO = Path(__file__).resolve().parent.parent

CLAIMS = """\
claims:
  - id: far
    text: "B within 15 minutes of A"
    source: {title: t, url: "https://example.org", date: "2024"}
    kind: within
    mode: drive
    origin: {name: B, lon: 108.2, lat: 34.0}
    target: {name: A, lon: 108.0, lat: 34.0}
    threshold_minutes: 15
"""


def corridor_file(tmp_path: Path) -> Path:
    """A 20-edge corridor (1000 m, 60 km/h each: 20 minutes) saved as a network file."""
    lon = 108.0 + 0.01 * np.arange(21)
    lat = np.full(21, 34.0)
    u = np.r_[np.arange(20), np.arange(1, 21)]
    v = np.r_[np.arange(1, 21), np.arange(20)]
    net = Network.from_edges(lon, lat, u, v, speed_kmh=60.0, length_m=np.full(40, 1000.0))
    return net.save(tmp_path / "corridor.geonet")


def test_claim_json_without_and_with_network(tmp_path, capsys):
    f = tmp_path / "c.yaml"
    f.write_text(CLAIMS, encoding="utf-8")
    assert main(["claim", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["verdict"] == "cannot-evaluate" and out[0]["minutes"] is None
    assert "--network" in out[0]["fix"]
    net = corridor_file(tmp_path)
    assert main(["claim", str(f), "--json", "--network", str(net)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"id", "verdict", "minutes", "threshold_minutes", "reason"} <= set(out[0])
    assert out[0]["verdict"] == "fails" and out[0]["minutes"] == pytest.approx(20.0)
    assert main(["claim", str(f), "--network", str(net)]) == 0
    assert "[FAILS] far" in capsys.readouterr().out


def test_claim_bad_file_exit_2(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text(CLAIMS.replace("mode: drive", "mode: teleport"), encoding="utf-8")
    assert main(["claim", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bad.yaml line 2" in err and "teleport" in err and "Fix:" in err
    assert main(["claim", str(tmp_path / "missing.yaml")]) == 2


@pytest.mark.shared
def test_seed_claims_cli(capsys):
    assert main(["claim", str(REPO / "data/claims/taiyuan_xinzhou_30min.yaml"), "--json"]) == 0
    out = {d["id"]: d for d in json.loads(capsys.readouterr().out)}
    assert out["taiyuan-xinzhou-rail-30min"]["minutes"] == pytest.approx(33.0)
    assert out["taixin-avenue-30min-drive"]["verdict"] == "cannot-evaluate"


def test_scenario_cli_writes_tables_and_maps(tmp_path, capsys):
    net = corridor_file(tmp_path)
    (tmp_path / "s.yaml").write_text(
        """\
id: faster
title: faster corridor
status: illustrative
sources: [{title: test, url: "https://example.org", date: "2024"}]
changes:
  - upgrade:
      select: {within: {line: [[108.0, 34.0], [108.2, 34.0]], buffer_m: 50}}
      speed_kmh: 120
compare:
  origins_lonlat: [[108.0, 34.0]]
  minutes: [5, 10]
  places: [{name: end, lon: 108.2, lat: 34.0}]
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["-q", "scenario", str(net), str(tmp_path / "s.yaml"), "--out", str(out)]) == 0
    import pandas as pd

    places = pd.read_csv(out / "places.csv")
    assert places["before_minutes"].iloc[0] == pytest.approx(20.0)
    assert places["after_minutes"].iloc[0] == pytest.approx(10.0)
    for name in ("bands.csv", "comparison.gpkg", "comparison_map.html", "comparison.png", "gains_map.html", "changes.csv"):
        assert (out / name).stat().st_size > 0, name
