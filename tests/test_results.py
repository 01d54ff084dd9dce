"""geo.results: typed legs, evidence, trips, verdicts and scenario changes -- construction, validation, JSON form."""

from __future__ import annotations

import dataclasses
import json
import math
import textwrap

import numpy as np
import pytest

from geo.claims import Claim, ClaimInputs, evaluate_claim, verdicts_frame, verdicts_json
from geo.errors import CannotEvaluate, InputError
from geo.multimodal import RailContext, door_to_door
from geo.network import Network
from geo.results import Change, Evidence, Leg, Trip, Verdict
from geo.scenario import load_scenario

#: the keys of one verdict in ``geo claim --json`` (and their order), as before the typed results
VERDICT_KEYS = [
    "id", "verdict", "minutes", "threshold_minutes", "reason", "text", "kind", "mode", "margin_minutes", "legs",
    "route_km", "average_speed_kmh", "required_speed_kmh", "minutes_to_save", "fix", "estimate_minutes", "origin",
    "target", "source", "details", "inputs", "minutes_low", "minutes_high", "evidence", "evidence_detail",
]  # fmt: skip


# ----------------------------------------------------------------- Leg
def test_leg_to_dict_keeps_only_what_applies_in_field_order():
    leg = Leg("rail", "A", "B", np.float64(20.5), km=math.nan, source="timetable st.csv", trip="T1",
              departs="08:00", arrives="08:20", stops_between=0, evidence="timetable", other_trips=("T2",))  # fmt: skip
    d = leg.to_dict()
    assert list(d) == ["mode", "from", "to", "minutes", "km", "source", "trip", "departs", "arrives",
                       "stops_between", "evidence", "other_trips"]  # fmt: skip
    # JSON-ready: numpy number -> float, NaN (applies, unknown) -> None, tuple -> list
    assert type(d["minutes"]) is float and d["km"] is None and d["other_trips"] == ["T2"]
    assert json.loads(json.dumps(d)) == d
    raw = leg.to_dict(clean=False)
    assert math.isnan(raw["km"]) and raw["other_trips"] == ("T2",)


@pytest.mark.parametrize(
    "leg",
    [
        Leg("walk", "home", "road", 1.25, note="off-network access"),
        Leg("drive", "A", "B", 18.0, km=20.0, network="synthetic corridor"),
        Leg("rail", "A", "B", 20.0, km=math.nan, source="planned line L", line="L", stops_between=1, evidence="model", calibration="v1"),
        Leg("rail", "A", "B", 34.0, metres=87_000.0, method="fastest timetabled train", trip="D1", stops=("A", "M", "B"),
            dwell_s=(0.0, 120.0, 0.0), evidence="timetable", model_minutes=34.3, model_low=29.7, model_high=39.6, model="34 min"),
        Leg("wait", "A", "A", 5.0, method="half the 10-min headway", line="L"),
    ],
)  # fmt: skip
def test_leg_round_trips_through_its_dict(leg):
    back = Leg.from_dict(json.loads(json.dumps(leg.to_dict())))
    assert back.to_dict() == leg.to_dict()
    # NaN reads back as NaN (present, unknown), not as absent
    for f in dataclasses.fields(Leg):
        a, b = getattr(leg, f.name), getattr(back, f.name)
        assert (isinstance(a, float) and math.isnan(a) and math.isnan(b)) or a == b, f.name


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "teleport"}, r"unknown leg mode 'teleport'.*Fix: use one of drive, walk, bike, rail, access"),
        ({"minutes": -0.5}, r"leg A -> B: minutes must be >= 0, got -0.5"),
        ({"minutes": math.inf}, r"minutes must be >= 0"),
        ({"minutes_low": 12.0, "minutes_high": 10.0}, r"the minutes band is backwards \(12.0 > 10.0\)"),
        ({"model_low": 3.0, "model_high": 2.0}, r"the model's band is backwards"),
        ({"metres": -1.0}, r"metres must be >= 0"),
        ({"evidence": "rumour"}, r"unknown evidence 'rumour'"),
    ],
)
def test_leg_validates_on_construction(kwargs, match):
    base = {"mode": "rail", "from_name": "A", "to_name": "B", "minutes": 10.0}
    with pytest.raises(InputError, match=match):
        Leg(**{**base, **kwargs})


def test_leg_null_numbers_read_back_as_nan():
    numbers = [f.name for f in dataclasses.fields(Leg) if str(f.type).startswith("float") and f.name != "minutes"]
    assert len(numbers) == 7
    leg = Leg.from_dict({"mode": "rail", "from": "A", "to": "B", "minutes": 1.0, **dict.fromkeys(numbers)})
    assert all(math.isnan(getattr(leg, n)) for n in numbers)
    assert Leg.from_dict({"mode": "rail", "from": "A", "to": "B", "minutes": 1.0, "stops_between": None}).stops_between is None


def test_leg_from_dict_names_bad_keys():
    with pytest.raises(InputError, match=r"unknown key\(s\) speed"):
        Leg.from_dict({"mode": "walk", "from": "A", "to": "B", "minutes": 1.0, "speed": 5})
    with pytest.raises(InputError, match="missing minutes"):
        Leg.from_dict({"mode": "walk", "from": "A", "to": "B"})


def test_leg_is_frozen_and_fallback_is_stated():
    leg = Leg("walk", "A", "B", 3.0, method="fallback: straight line x1.3 at 5 km/h")
    assert leg.is_fallback and not Leg("walk", "A", "B", 3.0, method="road network").is_fallback
    with pytest.raises(dataclasses.FrozenInstanceError):
        leg.minutes = 1.0  # type: ignore[misc]


# ----------------------------------------------------------------- Evidence
def test_evidence_detail_and_validation():
    assert Evidence("timetable", trips=("D1", "D2")).to_dict() == {"evidence": "timetable", "evidence_detail": "timetable: trip D1, D2"}
    assert Evidence("timetable", lines=("L",)).detail == "timetable: timetabled line L"
    ev = Evidence("model", lines=("A–B",), calibration="v1", band_minutes=(-1.26, 2.04))
    assert ev.detail == "model: A–B; calibration v1, band -1.3/+2.0 min (80 % band of held-out errors)"
    with pytest.raises(InputError, match="names no trip or line"):
        Evidence("timetable")
    with pytest.raises(InputError, match="needs its calibration version and band"):
        Evidence("model", lines=("L",))
    with pytest.raises(InputError, match="band is backwards"):
        Evidence("model", lines=("L",), calibration="v1", band_minutes=(2.0, -1.0))
    with pytest.raises(InputError, match="a timetable has no band"):
        Evidence("timetable", trips=("D1",), band_minutes=(0.0, 0.0))


# ----------------------------------------------------------------- Trip
def test_trip_band_defaults_to_its_minutes():
    t = Trip(30.0, [Leg("rail", "A", "B", 30.0)], km=60.0)  # type: ignore[arg-type]  # a list is stored as a tuple
    assert isinstance(t.legs, tuple) and t.minutes_low == t.minutes_high == 30.0
    assert t.to_dict() == {"minutes": 30.0, "legs": [{"mode": "rail", "from": "A", "to": "B", "minutes": 30.0}], "km": 60.0,
                           "fallback": False, "note": ""}  # fmt: skip
    unreachable = Trip(math.nan, note="B is not reachable")
    assert math.isnan(unreachable.minutes_low) and unreachable.to_dict()["minutes"] is None
    with pytest.raises(InputError, match="minutes must be >= 0"):
        Trip(-1.0)
    with pytest.raises(InputError, match="band is backwards"):
        Trip(10.0, minutes_low=12.0, minutes_high=11.0)


# ----------------------------------------------------------------- Verdict
def test_verdict_to_dict_keys_and_validation():
    v = Verdict("c", "uncertain", 16.0, 15.0, "the threshold lies inside the band", mode="rail",
                legs=(Leg("rail", "A", "B", 16.0, evidence="model", line="L", calibration="v1"),),
                minutes_low=14.0, minutes_high=18.0,
                evidence=Evidence("model", lines=("L",), calibration="v1", band_minutes=(-2.0, 2.0)))  # fmt: skip
    d = v.to_dict()
    assert list(d) == VERDICT_KEYS
    assert d["evidence"] == "model" and d["evidence_detail"] == v.evidence_detail and d["legs"][0]["line"] == "L"
    assert d["minutes_low"] == 14.0 and d["margin_minutes"] is None and d["details"] == [] and d["inputs"] == []
    bare = Verdict("c", "cannot-evaluate", math.nan, 15.0, "no network")
    assert bare.to_dict()["evidence"] is None and bare.to_dict()["evidence_detail"] == "" and bare.evidence_detail == ""
    for bad, match in (
        ({"verdict": "maybe"}, "unknown verdict 'maybe'"),
        ({"mode": "teleport"}, "unknown mode 'teleport'"),
        ({"kind": "near"}, "unknown claim kind 'near'"),
        ({"minutes": -3.0}, "minutes must be >= 0"),
        ({"threshold_minutes": 0.0}, "threshold_minutes must be positive"),
        ({"minutes_low": 20.0, "minutes_high": 10.0}, "band is backwards"),
    ):
        with pytest.raises(InputError, match=match):
            dataclasses.replace(bare, **bad)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bare.verdict = "holds"  # type: ignore[misc]


def _corridor() -> Network:
    lon = 108.0 + 0.01 * np.arange(21)
    u, v = np.r_[np.arange(20), np.arange(1, 21)], np.r_[np.arange(1, 21), np.arange(20)]
    return Network.from_edges(lon, np.full(21, 34.0), u, v, speed_kmh=60.0, length_m=np.full(40, 1000.0), meta={"source": "corridor"})


def test_claim_json_keeps_its_keys_end_to_end():
    c = Claim(id="far", text="B within 15 minutes of A", kind="within", mode="drive", threshold_minutes=15,
              origin={"name": "B", "lon": 108.2, "lat": 34.0}, target={"name": "A", "lon": 108.0, "lat": 34.0},
              source={"title": "t", "url": "https://example.org"})  # fmt: skip
    v = evaluate_claim(c, ClaimInputs(networks=[_corridor()]))
    (d,) = json.loads(verdicts_json([v]))
    assert list(d) == VERDICT_KEYS
    assert d["verdict"] == "fails" and d["minutes"] == 20.0 and d["margin_minutes"] == -5.0 and d["required_speed_kmh"] == 80.0
    assert d["legs"] == [{"mode": "drive", "from": "B", "to": "A", "minutes": 20.0, "km": 20.0, "network": "corridor"}]
    assert d["evidence"] is None and d["evidence_detail"] == ""
    assert list(verdicts_frame([v]).columns) == [
        "id", "verdict", "kind", "mode", "minutes", "minutes_low", "minutes_high", "evidence", "evidence_detail",
        "threshold_minutes", "margin_minutes", "route_km", "average_speed_kmh", "required_speed_kmh", "minutes_to_save",
        "reason", "fix", "source", "source_url",
    ]  # fmt: skip
    # no network: cannot-evaluate, the one way to say so, with the same keys
    (d,) = json.loads(verdicts_json([evaluate_claim(c, ClaimInputs())]))
    assert list(d) == VERDICT_KEYS and d["verdict"] == "cannot-evaluate" and "--network" in d["fix"]


def test_timetable_claim_legs_and_evidence(tmp_path):
    st = tmp_path / "st.csv"
    st.write_text(textwrap.dedent("""\
        trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled_km,stop_name,stop_lon_wgs84,stop_lat_wgs84
        T1,08:00:00,08:00:00,a,1,0,A,108.0,34.0
        T1,08:20:00,08:20:00,b,2,30,B,108.3,34.0
        T2,09:00:00,09:00:00,a,1,0,A,108.0,34.0
        T2,09:25:00,09:25:00,b,2,30,B,108.3,34.0
        """), encoding="utf-8")  # fmt: skip
    c = Claim(id="r", text="t", kind="within", mode="station-to-station", threshold_minutes=25,
              origin={"name": "A", "lon": 108.0, "lat": 34.0}, target={"name": "B", "lon": 108.3, "lat": 34.0})  # fmt: skip
    v = evaluate_claim(c, ClaimInputs(rail={"gtfs": st}))
    assert v.verdict == "holds" and v.evidence == Evidence("timetable", trips=("T1",))
    (leg,) = v.legs
    assert (leg.trip, leg.departs, leg.arrives, leg.other_trips, leg.evidence) == ("T1", "08:00", "08:20", ("T2",), "timetable")
    (d,) = json.loads(verdicts_json([v]))
    assert list(d["legs"][0]) == ["mode", "from", "to", "minutes", "km", "source", "trip", "departs", "arrives",
                                  "stops_between", "evidence", "other_trips"]  # fmt: skip
    assert d["evidence"] == "timetable" and d["evidence_detail"] == "timetable: trip T1"


def test_fallback_estimate_is_a_trip_behind_cannot_evaluate():
    from geo.lines import load_line

    line = load_line({"name": "L", "run_times_minutes": [20], "headway_minutes": 10, "dwell_minutes": 0,
                      "stations": [{"name": "A", "lon": 108.0, "lat": 34.0}, {"name": "B", "lon": 108.3, "lat": 34.0}]})  # fmt: skip
    j = door_to_door((108.0, 34.01), (108.3, 34.01), RailContext([line]), mode="rail+walk")
    assert all(isinstance(leg, Leg) for leg in j.legs) and j.fallback
    assert [leg["mode"] for leg in j.to_dict()["legs"]] == ["walk", "board", "wait", "rail", "alight", "walk"]
    assert list(j.to_dict()["legs"][0]) == ["mode", "from", "to", "minutes", "metres", "method"]
    assert list(j.table.columns)[:4] == ["mode", "from", "to", "minutes"]
    err = CannotEvaluate("no road network", "pass --network", Trip(j.total_minutes, tuple(j.legs), fallback=True))
    assert isinstance(err.estimate, Trip) and err.estimate.legs[0].is_fallback


# ----------------------------------------------------------------- Change
def test_change_round_trip_and_validation(tmp_path):
    ch = Change("upgrade", {"select": {"ref": "G211"}, "speed_kmh": 80, "name": "G211"}, 2, line=7)
    assert ch.to_dict() == {"upgrade": {"select": {"ref": "G211"}, "speed_kmh": 80, "name": "G211"}}
    assert Change.from_dict(ch.to_dict(), 2, 7) == ch
    assert ch.where("s.yaml") == "s.yaml line 7 (change 3: upgrade 'G211')"
    with pytest.raises(InputError, match="unknown change 'widen'"):
        Change.from_dict({"widen": {}}, 0)
    with pytest.raises(InputError, match="one key"):
        Change.from_dict({"upgrade": {}, "remove": {}}, 0)
    with pytest.raises(InputError, match="needs a mapping of options"):
        Change("remove", "G211", 0)  # type: ignore[arg-type]
    f = tmp_path / "s.yaml"
    f.write_text("id: s\nchanges:\n  - remove: {select: {ref: G1}}\n  - add_rail_line: {spec: line.yaml}\n", encoding="utf-8")
    sc = load_scenario(f)
    assert [type(c) for c in sc.changes] == [Change, Change]
    assert [c.to_dict() for c in sc.changes] == [{"remove": {"select": {"ref": "G1"}}}, {"add_rail_line": {"spec": "line.yaml"}}]
    assert [c.index for c in sc.rail_changes] == [1]
