"""maxspeed parsing, speed tables and profiles, intersection delays."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.errors import InputError
from geo.speeds import (
    edge_speeds,
    intersection_delays,
    parse_maxspeed,
    parse_maxspeeds,
    resolve_profile,
    speed_classes,
    speed_table,
)

NAN = float("nan")


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        (" 60 ", 60.0),
        ("50 km/h", 50.0),
        ("50kmh", 50.0),
        ("80 kph", 80.0),
        ("12.5", 12.5),
        ("12,5", 12.5),
        (70, 70.0),
        (70.0, 70.0),
        ("30 mph", 30 * 1.609344),
        ("30mph", 30 * 1.609344),
        ("10 knots", 18.52),
        ("50;60", 50.0),
        ("60;50", 50.0),
        ("80|60|60", 60.0),
        ("none;50", 50.0),
        (["60", "40"], 40.0),
        ("CN:urban", 50.0),
        ("CN:rural", 70.0),
        ("CN:motorway", 120.0),
        ("CN:expressway", 100.0),
        ("cn:urban", 50.0),
        ("DE:urban", 50.0),
        ("DE:rural", 100.0),
        ("DE:living_street", 6.0),
        ("DE:zone30", 30.0),
        ("DE:zone:20", 20.0),
        ("RU:urban", 60.0),
        ("RU:rural", 90.0),
        ("RU:motorway", 110.0),
        ("GB:nsl_single", 60 * 1.609344),
        ("XX:urban", 50.0),  # unknown country: generic urban limit
        ("walk", 6.0),
        ("none", NAN),
        ("DE:motorway", NAN),  # no general limit on Autobahnen
        ("signals", NAN),
        ("variable", NAN),
        ("", NAN),
        (None, NAN),
        (NAN, NAN),
        ("0", NAN),
        (-5, NAN),
        ("fast", NAN),
        ("XX:weird", NAN),
        (True, NAN),
    ],
)
def test_parse_maxspeed(value, kmh):
    got = parse_maxspeed(value)
    if math.isnan(kmh):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(kmh, rel=1e-9)


def test_parse_maxspeeds_vectorised_matches_scalar():
    vals = ["50", None, "CN:urban", "30 mph", "50", "none", float("nan")]
    got = parse_maxspeeds(vals)
    want = np.array([parse_maxspeed(v) for v in vals])
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(got)], want[~np.isnan(want)])


def test_china_profile_values():
    t = speed_table("drive", "china")
    assert 100 <= t["motorway"] <= 120
    assert (t["trunk"], t["primary"], t["secondary"], t["tertiary"], t["residential"], t["service"]) == (
        80,
        60,
        50,
        40,
        30,
        20,
    )
    for link in ("motorway_link", "trunk_link", "primary_link"):
        assert t[link] < t[link.replace("_link", "")]
    d = speed_table("drive", "default")
    assert d["primary"] != t["primary"]  # profiles differ
    assert speed_table("walk")["steps"] < speed_table("walk")["*"] == 5
    assert speed_table("bike")["*"] == 15


def test_user_csv_with_profile_and_mode(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("# my speeds\nprofile,mode,class,speed_kmh\n,drive,primary,70\nchina,drive,primary,55\n,walk,*,4\n")
    assert speed_table("drive", "default", p)["primary"] == 70
    assert speed_table("drive", "china", p)["primary"] == 55
    assert speed_table("walk", "default", p)["*"] == 4
    assert speed_table("drive", "default", p)["secondary"] == speed_table("drive")["secondary"]


def test_bad_tables_and_overrides(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("class,speed_kmh\nprimary,fast\n")
    with pytest.raises(InputError, match="row 2"):
        speed_table("drive", "default", p)
    p.write_text("highway,kmh\nprimary,50\n")
    with pytest.raises(InputError, match="needs columns"):
        speed_table("drive", "default", p)
    with pytest.raises(InputError, match="cannot read"):
        speed_table("drive", "default", tmp_path / "missing.csv")
    with pytest.raises(InputError, match="primary=-3"):
        speed_table("drive", "default", {"primary": -3})
    with pytest.raises(InputError, match="unknown speed profile"):
        speed_table("drive", "mars")
    with pytest.raises(InputError, match="unknown mode"):
        speed_table("boat")


def test_edge_speeds_rules():
    df = pd.DataFrame(
        {
            "highway": ["primary", "primary", "residential", "unknown_class", None],
            "maxspeed_kmh": [NAN, 40.0, 50.0, NAN, NAN],
        }
    )
    drive = edge_speeds(df, "drive", "china")
    assert drive.tolist() == [60.0, 40.0, 50.0, 30.0, 30.0]  # maxspeed wins, "*" fallback
    assert edge_speeds(df, "drive", "china", use_maxspeed=False).tolist() == [60.0, 60.0, 30.0, 30.0, 30.0]
    assert edge_speeds(df, "walk").tolist() == [5.0] * 5
    bike = edge_speeds(df.assign(maxspeed_kmh=[NAN, 10.0, 50.0, NAN, NAN]), "bike")
    assert bike.tolist() == [15.0, 10.0, 15.0, 15.0, 15.0]  # capped by maxspeed
    assert edge_speeds(df, "drive", "china", {"*": 25}).tolist()[3] == 25.0
    assert len(edge_speeds(df.iloc[:0], "drive")) == 0


def test_rail_classes_and_speeds():
    df = pd.DataFrame(
        {
            "railway": ["rail", "rail", "rail", "subway", "rail"],
            "highspeed": ["yes", None, None, None, None],
            "usage": ["main", "main", "branch", None, None],
            "service": [None, None, None, None, "siding"],
            "maxspeed_kmh": [NAN, NAN, NAN, NAN, NAN],
        }
    )
    assert speed_classes(df, "rail").tolist() == ["rail:highspeed", "rail:main", "rail:branch", "subway", "rail:service"]
    sp = edge_speeds(df, "rail", "china")
    assert sp[0] > sp[1] > sp[2] > sp[4]
    df.loc[1, "maxspeed_kmh"] = 160.0
    assert edge_speeds(df, "rail", "china")[1] == 160.0


def test_intersection_delays():
    # a T: 0-1-2 plus 1-3; node 1 has three neighbours
    u = np.array([0, 1, 1, 2, 1, 3])
    v = np.array([1, 0, 2, 1, 3, 1])
    d = intersection_delays(u, v, 4, 5.0)
    assert d.tolist() == [5.0, 0.0, 0.0, 5.0, 0.0, 5.0]
    # parallel edges and directions do not inflate the degree
    assert intersection_delays(np.array([0, 0, 1]), np.array([1, 1, 0]), 2, 5.0).tolist() == [0.0, 0.0, 0.0]
    assert intersection_delays(u, v, 4, 0.0).tolist() == [0.0] * 6
    with pytest.raises(InputError):
        intersection_delays(u, v, 4, -1.0)


def test_resolve_profile():
    assert resolve_profile("auto", np.array([108.94]), np.array([34.26])) == "china"  # Xi'an
    assert resolve_profile("auto", np.array([106.55]), np.array([29.56])) == "china"  # Chongqing
    assert resolve_profile("auto", np.array([126.63]), np.array([45.75])) == "china"  # Harbin
    assert resolve_profile("auto", np.array([24.94]), np.array([60.17])) == "default"  # Helsinki
    assert resolve_profile("auto", np.array([139.69]), np.array([35.69])) == "default"  # Tokyo
    assert resolve_profile("auto", np.array([105.85]), np.array([21.03])) == "default"  # Hanoi
    assert resolve_profile("auto", np.array([113.26]), np.array([23.13])) == "china"  # Guangzhou
    assert resolve_profile("auto", np.array([110.35]), np.array([21.27])) == "china"  # Zhanjiang
    assert resolve_profile("auto", np.array([]), np.array([])) == "default"
    assert resolve_profile("china") == "china"
    with pytest.raises(InputError):
        resolve_profile("moon")


def test_rail_line_speeds_have_one_home():
    """geo.speeds is the one home of rail line classes and speeds; geo.rail re-exports the same objects."""
    from geo import rail, speeds
    from geo.speeds import RAIL_LINE_SPEEDS_KMH, rail_line_classes, rail_line_speeds

    assert rail.classify is speeds.rail_line_classes
    assert rail.edge_speeds is speeds.rail_line_speeds
    assert rail.parse_maxspeed is speeds.parse_maxspeed
    assert rail.CLASS_SPEEDS_KMH is RAIL_LINE_SPEEDS_KMH
    assert rail.lifecycle is speeds.rail_lifecycle
    assert rail.LIFECYCLE_STATES is speeds.RAIL_LIFECYCLE_STATES
    df = pd.DataFrame(
        {
            "railway": ["rail", "rail", "rail", "subway", "rail", "tram", "rail", "construction", "rail"],
            "highspeed": [None, "yes", None, None, None, None, None, None, None],
            "usage": [None, "main", "branch", None, "main", None, None, None, None],
            "service": [None, None, None, None, None, None, "siding", None, None],
            "construction": [None, None, None, None, None, None, None, "rail", None],
            "name": [None, None, None, None, None, None, None, None, "咸阳西联络线"],
            "maxspeed": [None, None, None, None, "200", "30", "signals", None, None],
        }
    )
    assert rail_line_classes(df).tolist() == ["rail", "highspeed", "branch", "subway", "main", "tram", "service", "rail", "link"]
    got = rail_line_speeds(df, design_speed_kmh=350).tolist()
    assert got == [120.0, 350.0, 100.0, 80.0, 200.0, 30.0, RAIL_LINE_SPEEDS_KMH["service"], 120.0, RAIL_LINE_SPEEDS_KMH["link"]]
    # no second copy of the tables or functions is left in geo.rail's source
    src = Path(rail.__file__).read_text(encoding="utf-8")
    assert "def classify(" not in src and "def edge_speeds(" not in src and "def parse_maxspeed(" not in src
    assert "CLASS_SPEEDS_KMH: dict" not in src


def test_rail_design_speed_from_radius():
    from geo.speeds import RAIL_DESIGN_RADIUS_M, rail_design_speed

    # every row of the standards tables: at its radius the class, just below it a slower one
    for key, rows in RAIL_DESIGN_RADIUS_M.items():
        hs = key == "highspeed"
        for (at_least, kmh), nxt in zip(rows, [*rows[1:], None], strict=True):
            assert rail_design_speed(at_least, hs)[0] == kmh
            if nxt is not None:
                assert rail_design_speed(at_least - 1.0, hs)[0] == nxt[1]
    r = np.linspace(500, 12_000, 200)
    for hs in (True, False):
        v = rail_design_speed(r, hs)
        assert np.all(np.diff(v) >= 0)  # a wider minimum radius never lowers the design speed
    assert np.isnan(rail_design_speed(float("nan"), True)[0])


def test_published_speeds_have_sources():
    from geo.speeds import RAIL_PUBLISHED_SPEEDS_FILE, rail_published_speeds

    pub = rail_published_speeds()
    assert pub and all(v > 0 for v in pub.values())
    rows = pd.read_csv(RAIL_PUBLISHED_SPEEDS_FILE, comment="#")
    # a line of ../shared/data/rail/FACTS.md, or a published page: its address and date (西延, 包西高速线)
    cited = rows["source"].str.contains("FACTS.md") | rows["source"].str.contains(r"[a-z0-9-]+\.[a-z.]+/\S+, \d{4}-\d{2}-\d{2}")
    assert cited.all(), rows.loc[~cited, "name"].tolist()
