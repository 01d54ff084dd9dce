"""GTFS loading, errors, fastest rides, schedule-based percentiles and headways on small synthetic feeds."""

from __future__ import annotations

import math
import zipfile

import pandas as pd
import pytest

from geo.errors import InputError
from geo.gtfs import load_gtfs, parse_time, percentiles
from geo.settings import shared_data_dir

STOPS = "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,0.0,0.0\nB,Beta,0.0,0.1\nC,Gamma,0.0,0.2\n"
# t1: A 08:00 -> B 08:20 (dwell 2) -> C 08:40 ; t2: A 08:30 -> C 08:55 non-stop ; t3: past midnight A 24:30 -> C 25:00
STOP_TIMES = (
    "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
    "t1,08:00:00,08:00:00,A,1,0\nt1,08:20:00,08:22:00,B,2,10\nt1,08:40:00,08:40:00,C,3,20\n"
    "t2,08:30:00,08:30:00,A,1,0\nt2,08:55:00,08:55:00,C,2,20\n"
    "t3,24:30:00,24:30:00,A,1,0\nt3,25:00:00,25:00:00,C,2,20\n"
)


def _feed(tmp_path, stops=STOPS, stop_times=STOP_TIMES, as_zip=False):
    d = tmp_path / "feed"
    d.mkdir(exist_ok=True)
    (d / "stops.txt").write_text(stops, encoding="utf-8")
    (d / "stop_times.txt").write_text(stop_times, encoding="utf-8")
    if as_zip:
        z = tmp_path / "feed.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.write(d / "stops.txt", "stops.txt")
            zf.write(d / "stop_times.txt", "stop_times.txt")
        return z
    return d


@pytest.mark.parametrize("as_zip", [False, True])
def test_fastest_and_times_past_midnight(tmp_path, as_zip):
    feed = load_gtfs(_feed(tmp_path, as_zip=as_zip))
    best = feed.fastest("Alpha", "Gamma")
    assert best["minutes"] == 25.0 and best["trip_id"] == "t2"
    rides = feed.rides("A", "C")
    assert [r["trip_id"] for r in rides] == ["t2", "t3", "t1"]
    t1 = next(r for r in rides if r["trip_id"] == "t1")
    assert t1["minutes"] == 40.0 and t1["stops"] == ["Alpha", "Beta", "Gamma"] and t1["dwell_s"] == [0.0, 120.0, 0.0]
    assert t1["km"] == 20.0
    assert feed.fastest("Gamma", "Alpha") is None
    assert parse_time("25:00:00") == 90000.0


def test_schedule_based_window_and_percentiles(tmp_path):
    feed = load_gtfs(_feed(tmp_path))
    tt = feed.travel_times("Alpha", "Gamma", ("07:50:00", "08:30:00"), step_minutes=10)
    # at 07:50: wait 10 + 40 (t1 arrives 08:40 before t2's 08:55) = 50; 08:00: 40; 08:10: t2 -> 20+25 = 45; 08:20: 35; 08:30: 25
    assert tt["minutes"].tolist() == [50.0, 40.0, 45.0, 35.0, 25.0]
    assert tt["trip_id"].tolist() == ["t1", "t1", "t2", "t2", "t2"]
    p = percentiles(tt, q=(0, 50, 100))
    assert p == {"p0_minutes": 25.0, "p50_minutes": 40.0, "p100_minutes": 50.0}
    # after the last evening trip the next one is t3 at 24:30
    late = feed.travel_times("Alpha", "Gamma", ("23:00:00", "23:00:00"))
    assert late["minutes"].tolist() == [120.0]
    # the 00:30 trip also serves an early-morning window (repeated a day earlier)
    early = feed.travel_times("Alpha", "Gamma", ("00:00:00", "00:00:00"))
    assert early["minutes"].tolist() == [60.0]


def test_headway(tmp_path):
    feed = load_gtfs(_feed(tmp_path))
    assert feed.headway_minutes("Alpha", "Gamma", ("08:00:00", "09:00:00")) == 30.0  # 2 departures in 60 min
    assert feed.headway_minutes("Alpha", "Beta") != feed.headway_minutes("Alpha", "Beta")  # one trip: NaN


def test_to_lines(tmp_path):
    lines = load_gtfs(_feed(tmp_path)).to_lines()
    by = {ln.name.split()[0]: ln for ln in lines}
    t1 = by["t1"]
    assert [s.name for s in t1.stations] == ["Alpha", "Beta", "Gamma"]
    assert t1.run_s == [1200.0, 1080.0] and t1.stations[1].dwell_s == 120.0
    assert by["t2/t3"].headway_min == pytest.approx((24.5 - 8.5) * 60)


def test_flat_extract_dataframe():
    rows = pd.DataFrame(
        {
            "trip_id": ["x", "x"],
            "arrival_time": ["10:00:00", "10:33:00"],
            "departure_time": ["10:00:00", "10:33:00"],
            "stop_id": ["S1", "S2"],
            "stop_sequence": ["1", "2"],
            "stop_name": ["One", "Two"],
            "stop_lon_wgs84": ["1.0", "1.1"],
            "stop_lat_wgs84": ["2.0", "2.0"],
        }
    )
    assert load_gtfs(rows).fastest("One", "Two")["minutes"] == 33.0


def test_missing_column_names_file_and_fix(tmp_path):
    bad = STOP_TIMES.replace("departure_time,", "")
    bad = "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in bad.splitlines())
    with pytest.raises(InputError, match=r"stop_times.txt lacks the column\(s\) departure_time.*Fix: add"):
        load_gtfs(_feed(tmp_path, stop_times=bad))


def test_malformed_time_names_line(tmp_path):
    bad = STOP_TIMES.replace("08:20:00,08:22:00", "8h20,08:22:00")
    with pytest.raises(InputError, match=r"stop_times.txt line 3: arrival_time '8h20' is not a time.*HH:MM:SS"):
        load_gtfs(_feed(tmp_path, stop_times=bad))


def test_unknown_stop_id_names_line(tmp_path):
    bad = STOP_TIMES.replace("t2,08:55:00,08:55:00,C", "t2,08:55:00,08:55:00,Z")
    with pytest.raises(InputError, match=r"line 6: stop_id 'Z' is not in .*stops.txt.*Fix: add the stop"):
        load_gtfs(_feed(tmp_path, stop_times=bad))


def test_empty_files(tmp_path):
    with pytest.raises(InputError, match=r"stops\.txt is empty"):
        load_gtfs(_feed(tmp_path, stops=""))
    with pytest.raises(InputError, match="has no rows"):
        load_gtfs(_feed(tmp_path, stop_times="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"))
    p = tmp_path / "empty.csv"
    p.write_text("")
    with pytest.raises(InputError, match="empty"):
        load_gtfs(p)


def test_backwards_time_and_unknown_stop_name(tmp_path):
    bad = STOP_TIMES.replace("t1,08:40:00,08:40:00,C", "t1,08:10:00,08:10:00,C")
    with pytest.raises(InputError, match="runs backwards"):
        load_gtfs(_feed(tmp_path, stop_times=bad))
    feed = load_gtfs(_feed(tmp_path))
    with pytest.raises(InputError, match="did you mean Alpha"):
        feed.rides("Alpah", "Gamma")


shared = pytest.mark.shared


@shared
def test_extract_taiyuan_xinzhou_fastest_matches_rows():
    d = shared_data_dir()
    assert d is not None
    path = d / "rail" / "gtfs_20261004_stop_times_extract.csv"
    feed = load_gtfs(path)
    assert feed.trips["trip_id"].nunique() == 34
    best = feed.fastest("太原南", "忻州西")
    # independent computation from the raw rows
    raw = pd.read_csv(path, dtype=str)
    raw["t"] = raw["arrival_time"].map(lambda s: int(s[:2]) * 60 + int(s[3:5]))
    raw["d"] = raw["departure_time"].map(lambda s: int(s[:2]) * 60 + int(s[3:5]))
    a = raw[raw.stop_name == "太原南"][["trip_id", "d", "stop_sequence"]]
    b = raw[raw.stop_name == "忻州西"][["trip_id", "t", "stop_sequence"]]
    m = a.merge(b, on="trip_id")
    m = m[m.stop_sequence_y.astype(int) > m.stop_sequence_x.astype(int)]
    expected = float((m.t - m.d).min())
    assert best["minutes"] == expected
    od = pd.read_csv(d / "rail" / "od_in_vehicle_times_from_gtfs_extract.csv")
    sel = od[(od.from_station == "太原南") & (od.to_station == "忻州西")]
    assert best["minutes"] == float(sel.in_vehicle_min.min())
    assert not math.isnan(best["km"])
