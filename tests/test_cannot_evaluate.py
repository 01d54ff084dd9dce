"""One way to say "cannot evaluate": geo.errors.CannotEvaluate, caught by the products that report it."""

from __future__ import annotations

import math
from types import SimpleNamespace

from geo.errors import CannotEvaluate, GeoError


def test_cannot_evaluate_carries_reason_fix_estimate():
    err = CannotEvaluate("no train stops at A", "pass a GTFS feed", estimate={"minutes": 42.0})
    assert isinstance(err, GeoError) and err.exit_code == 1
    assert (err.reason, err.fix, err.estimate) == ("no train stops at A", "pass a GTFS feed", {"minutes": 42.0})
    assert str(err) == "no train stops at A. Fix: pass a GTFS feed"


def test_compare_rail_reports_cannot_evaluate_as_a_note(monkeypatch):
    import geo._private.claim_rail as claim_rail
    from geo.study import compare_rail

    calls = []

    def rail_trips(*args, **kwargs):
        calls.append(args[0])
        raise CannotEvaluate("no timetable serves B", "pass --gtfs")

    monkeypatch.setattr(claim_rail, "rail_trips", rail_trips)
    scenario = SimpleNamespace(
        base={}, base_dir=None, rail_changes=[], file="s.yaml",
        compare={"pairs": [[{"name": "A", "lon": 108.9, "lat": 34.3}, {"name": "B", "lon": 109.1, "lat": 33.7}]]},
    )  # fmt: skip
    df = compare_rail(scenario, {"gtfs": "x"})
    assert calls == ["station-to-station", "station-to-station"]
    row = df.iloc[0]
    assert math.isnan(row["before_minutes"]) and math.isnan(row["after_minutes"])
    assert row["before_note"] == row["after_note"] == "no timetable serves B"


def test_scenario_without_base_network_cannot_be_evaluated(tmp_path):
    from geo.study import run_scenario

    scenario = SimpleNamespace(file="s.yaml", compare={}, rail_changes=[], road_changes=[object()])
    res = run_scenario(None, scenario, tmp_path)
    assert res.status == "cannot-evaluate"
    assert res.reason.startswith("no base road network") and "Fix: pass one" in res.reason


