"""RAPTOR timetable routing checked against an independent connection scan (CSA) over random feeds built here.

The reference works on the generated rows (Python lists), with its own
calendar logic (weekday flags, date ranges, calendar_dates exceptions), its
own expansion of transfers.txt (parent stations -> platforms; a row from a
stop to itself = change time there) and the same rules: one footpath between
two vehicles, also from the origin; staying on a trip needs no change time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest

from geo.errors import InputError
from geo.gtfs import load_gtfs
from geo.timetable import find_stop, journey, one_to_all, timetable, window, window_one_to_all, window_percentiles

DAY = 86400
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def hms(s: int) -> str:
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}:{s % 60:02d}"


def make_feed(seed: int, n_stations: int = 9, n_routes: int = 7, n_trips: int = 14) -> dict:
    """A random feed: stations with 1-2 platforms, routes over random platform sequences, trips
    between 21:00 and 27:00 (past midnight) with per-trip run times (so some overtake), three
    services and exceptions, transfers with minimum times (station-level and stop-level rows)."""
    rnd = random.Random(seed)
    stops = []
    platforms = []
    for s in range(n_stations):
        lon, lat = 0.01 * s, 0.003 * (s % 3)
        n_pf = rnd.choice([1, 2])
        if n_pf == 1:
            stops.append({"stop_id": f"S{s}", "stop_name": f"Stop {s}", "lon": lon, "lat": lat, "type": 0, "parent": ""})
            platforms.append(f"S{s}")
        else:
            stops.append({"stop_id": f"S{s}", "stop_name": f"Stop {s}", "lon": lon, "lat": lat, "type": 1, "parent": ""})
            for k in ("a", "b"):
                stops.append({"stop_id": f"S{s}{k}", "stop_name": f"Stop {s}", "lon": lon, "lat": lat, "type": 0, "parent": f"S{s}"})
                platforms.append(f"S{s}{k}")
    services = ["WK", "SA", "EX"]
    trips, stop_times = [], []
    for r in range(n_routes):
        seq = rnd.sample(platforms, rnd.randint(2, min(6, len(platforms))))
        for j in range(rnd.randint(1, n_trips)):
            tid = f"r{r}t{j}"
            svc = rnd.choice(services)
            t = rnd.randint(21 * 3600, 27 * 3600) // 30 * 30
            trips.append({"trip_id": tid, "route_id": f"R{r}", "service_id": svc, "headsign": f"to {seq[-1]}"})
            for i, p in enumerate(seq):
                arr = t
                dep = t + (rnd.choice([0, 0, 30, 60]) if 0 < i < len(seq) - 1 else 0)
                stop_times.append({"trip_id": tid, "arr": arr, "dep": dep, "stop_id": p, "seq": i + 1})
                t = dep + rnd.randint(2, 12) * 60
    calendar = [
        {"service_id": "WK", **{d: int(i < 5) for i, d in enumerate(WEEKDAYS)}, "start": "20261001", "end": "20261031"},
        {"service_id": "SA", **{d: int(i == 5) for i, d in enumerate(WEEKDAYS)}, "start": "20261001", "end": "20261031"},
    ]
    # 2026-10-07 (Wednesday): weekday service removed, Saturday service added; EX runs only on 10-06 and 10-07
    calendar_dates = [("WK", "20261007", 2), ("SA", "20261007", 1), ("EX", "20261006", 1), ("EX", "20261007", 1)]
    transfers = []
    ids = [s["stop_id"] for s in stops]
    for _ in range(n_stations):
        a, b = rnd.sample(ids, 2)
        transfers.append((a, b, rnd.choice([0, 60, 120, 300])))
    for s in stops:
        if s["type"] == 1 or rnd.random() < 0.3:
            transfers.append((s["stop_id"], s["stop_id"], rnd.choice([0, 90, 180])))
    return {"stops": stops, "trips": trips, "stop_times": stop_times, "calendar": calendar, "calendar_dates": calendar_dates, "transfers": transfers}


def write_feed(data: dict, folder: Path, as_zip: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
        + "".join(f"{s['stop_id']},{s['stop_name']},{s['lat']},{s['lon']},{s['type']},{s['parent']}\n" for s in data["stops"]),
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
        + "".join(f"R{r},{r},Route {r},1\n" for r in sorted({int(t['route_id'][1:]) for t in data["trips"]})),
        "trips.txt": "route_id,service_id,trip_id,trip_headsign\n" + "".join(f"{t['route_id']},{t['service_id']},{t['trip_id']},{t['headsign']}\n" for t in data["trips"]),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + "".join(f"{r['trip_id']},{hms(r['arr'])},{hms(r['dep'])},{r['stop_id']},{r['seq']}\n" for r in data["stop_times"]),
        "calendar.txt": "service_id," + ",".join(WEEKDAYS) + ",start_date,end_date\n"
        + "".join(f"{c['service_id']}," + ",".join(str(c[d]) for d in WEEKDAYS) + f",{c['start']},{c['end']}\n" for c in data["calendar"]),
        "calendar_dates.txt": "service_id,date,exception_type\n" + "".join(f"{a},{b},{c}\n" for a, b, c in data["calendar_dates"]),
        "transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + "".join(f"{a},{b},2,{m}\n" for a, b, m in data["transfers"]),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    if as_zip:
        z = folder.with_suffix(".zip")
        with zipfile.ZipFile(z, "w") as zf:
            for name in files:
                zf.write(folder / name, name)
        return z
    return folder


# ------------------------------------------------------------------ reference (connection scan)
def _runs(data: dict, date: dt.date) -> set[str]:
    on = set()
    for c in data["calendar"]:
        start = dt.datetime.strptime(c["start"], "%Y%m%d").date()
        end = dt.datetime.strptime(c["end"], "%Y%m%d").date()
        if start <= date <= end and c[WEEKDAYS[date.weekday()]]:
            on.add(c["service_id"])
    for sid, d, kind in data["calendar_dates"]:
        if dt.datetime.strptime(d, "%Y%m%d").date() == date:
            (on.add if kind == 1 else on.discard)(sid)
    return on


def _expand(data: dict) -> tuple[dict, dict]:
    kids: dict[str, list[str]] = {}
    for s in data["stops"]:
        if s["parent"]:
            kids.setdefault(s["parent"], []).append(s["stop_id"])
    change: dict[str, int] = {}
    foot: dict[tuple[str, str], int] = {}
    for a, b, m in data["transfers"]:
        for x in kids.get(a, [a]):
            for y in kids.get(b, [b]):
                if x == y:
                    change[x] = min(change.get(x, m), m)
                else:
                    foot[(x, y)] = min(foot.get((x, y), m), m)
    fp: dict[str, list[tuple[str, int]]] = {}
    for (x, y), m in foot.items():
        fp.setdefault(x, []).append((y, m))
    return change, fp


def csa(data: dict, date: dt.date, sources: list[str], t0: int) -> dict[str, float]:
    """Earliest arrival at every stop by a plain connection scan."""
    change, fp = _expand(data)
    conns = []
    by_trip: dict[str, list[dict]] = {}
    for r in data["stop_times"]:
        by_trip.setdefault(r["trip_id"], []).append(r)
    service = {t["trip_id"]: t["service_id"] for t in data["trips"]}
    for shift, day in ((-DAY, date - dt.timedelta(days=1)), (0, date), (DAY, date + dt.timedelta(days=1))):
        on = _runs(data, day)
        for tid, rows in by_trip.items():
            if service[tid] not in on:
                continue
            rows = sorted(rows, key=lambda r: r["seq"])
            for a, b in itertools.pairwise(rows):
                conns.append((a["dep"] + shift, b["arr"] + shift, a["stop_id"], b["stop_id"], (tid, shift)))
    conns.sort(key=lambda c: (c[0], c[1]))
    inf = math.inf
    arr: dict[str, float] = {}
    ready: dict[str, float] = {}
    for s in sources:
        arr[s] = ready[s] = t0
    for s in sources:
        for q, w in fp.get(s, []):
            if t0 + w < ready.get(q, inf):
                ready[q] = t0 + w
            arr[q] = min(arr.get(q, inf), t0 + w)
    on_trip: set = set()
    for td, ta, u, v, trip in conns:
        if trip in on_trip or ready.get(u, inf) <= td:
            on_trip.add(trip)
            if ta < arr.get(v, inf):
                arr[v] = ta
            ready[v] = min(ready.get(v, inf), ta + change.get(v, 0))
            for q, w in fp.get(v, []):
                ready[q] = min(ready.get(q, inf), ta + w)
                arr[q] = min(arr.get(q, inf), ta + w)
    return arr


def _platforms(data: dict, sid: str) -> list[str]:
    kids = [s["stop_id"] for s in data["stops"] if s["parent"] == sid]
    return kids or [sid]


# ------------------------------------------------------------------ tests
DATES = [dt.date(2026, 10, 5), dt.date(2026, 10, 7), dt.date(2026, 10, 8), dt.date(2026, 10, 10), dt.date(2026, 10, 11)]


@pytest.mark.parametrize("seed", range(8))
def test_earliest_arrival_equals_connection_scan(tmp_path, seed):
    data = make_feed(seed)
    feed = load_gtfs(write_feed(data, tmp_path / "feed", as_zip=seed % 2 == 1), cache=False)
    rnd = random.Random(100 + seed)
    stations = [s["stop_id"] for s in data["stops"] if not s["parent"]]
    checked = reached = 0
    for _ in range(40):
        o, d = rnd.sample(stations, 2)
        date = rnd.choice(DATES)
        t0 = rnd.randint(20 * 3600, 26 * 3600)
        ref = csa(data, date, _platforms(data, o), t0)
        want = min(ref.get(p, math.inf) for p in _platforms(data, d))
        j = journey(feed, o, d, date=date.isoformat(), depart=t0, max_rounds=40)
        got = t0 + j["total_minutes"] * 60 if math.isfinite(j["total_minutes"]) else math.inf
        assert got == pytest.approx(want), (o, d, date, hms(t0))
        checked += 1
        if math.isfinite(want):
            reached += 1
            # the legs add up and ride real trips at their timetabled times
            assert sum(leg["minutes"] for leg in j["legs"]) == pytest.approx(j["total_minutes"])
            st = {(r["trip_id"], r["stop_id"]): r for r in data["stop_times"]}
            for leg in j["legs"]:
                if leg.get("trip_id"):
                    a, b = st[(leg["trip_id"], leg["from_stop_id"])], st[(leg["trip_id"], leg["to_stop_id"])]
                    dep_s = int(leg["departure"][:2]) * 3600 + int(leg["departure"][3:5]) * 60 + int(leg["departure"][6:])
                    assert (dep_s - a["dep"]) % DAY == 0 and a["seq"] < b["seq"]
        # one-to-all: every stop
        if checked % 10 == 0:
            all_ = one_to_all(feed, o, date=date.isoformat(), depart=t0, max_rounds=40).set_index("stop_id")["arrival_s"]
            for sid, v in all_.items():
                assert (v if np.isfinite(v) else math.inf) == ref.get(sid, math.inf), sid
    assert checked == 40 and reached > 5


def test_walking_footpaths_without_transfers(tmp_path):
    data = make_feed(3)
    data["transfers"] = []
    feed = load_gtfs(write_feed(data, tmp_path / "feed"), cache=False)
    tt = timetable(feed, "2026-10-05", footpaths="walk", max_walk_m=1200, walk_kmh=5.0, detour=1.3)
    assert tt.footpaths.startswith("walking") and tt.fp_to.size > 0
    # the reference gets the same footpaths, computed independently (haversine x 1.3 at 5 km/h, ceil seconds)
    pos = {s["stop_id"]: (s["lon"], s["lat"]) for s in data["stops"]}
    served = [s["stop_id"] for s in data["stops"]]
    for a in served:
        for b in served:
            if a == b:
                continue
            (x1, y1), (x2, y2) = pos[a], pos[b]
            p1, p2 = math.radians(y1), math.radians(y2)
            h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(x2 - x1) / 2) ** 2
            m = 2 * 6371008.8 * math.asin(math.sqrt(h)) * 1.3
            if m <= 1200:
                data["transfers"].append((a, b, math.ceil(m / (5 / 3.6))))
    rnd = random.Random(7)
    stations = [s["stop_id"] for s in data["stops"] if not s["parent"]]
    for _ in range(30):
        o, d = rnd.sample(stations, 2)
        t0 = rnd.randint(21 * 3600, 25 * 3600)
        ref = csa(data, dt.date(2026, 10, 5), _platforms(data, o), t0)
        want = min(ref.get(p, math.inf) for p in _platforms(data, d))
        j = journey(feed, o, d, date="2026-10-05", depart=t0, footpaths="walk", max_walk_m=1200, max_rounds=40)
        got = t0 + j["total_minutes"] * 60 if math.isfinite(j["total_minutes"]) else math.inf
        assert got == pytest.approx(want)


def _tiny(tmp_path: Path) -> Path:
    """A: 24:50 -> B 25:10 (trip n1, weekday service, so it runs on Tuesday 00:50 after Monday);
    B -> C with a 5-minute change at B (transfers.txt B->B 300): trips at 25:13 (too early) and 25:20."""
    d = tmp_path / "tiny"
    d.mkdir(parents=True)
    (d / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,0,0\nB,Beta,0,0.01\nC,Gamma,0,0.02\n")
    (d / "routes.txt").write_text("route_id,route_short_name,route_type\nN,N1,2\nM,M2,2\n")
    (d / "trips.txt").write_text("route_id,service_id,trip_id,trip_headsign\nN,WK,n1,Beta\nM,WK,m1,Gamma\nM,WK,m2,Gamma\n")
    (d / "stop_times.txt").write_text(
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "n1,24:50:00,24:50:00,A,1\nn1,25:10:00,25:10:00,B,2\n"
        "m1,25:13:00,25:13:00,B,1\nm1,25:30:00,25:30:00,C,2\n"
        "m2,25:20:00,25:20:00,B,1\nm2,25:40:00,25:40:00,C,2\n"
    )
    (d / "calendar.txt").write_text("service_id," + ",".join(WEEKDAYS) + ",start_date,end_date\nWK,1,1,1,1,1,0,0,20261005,20261030\n")
    (d / "calendar_dates.txt").write_text("service_id,date,exception_type\nWK,20261007,2\n")
    (d / "transfers.txt").write_text("from_stop_id,to_stop_id,transfer_type,min_transfer_time\nB,B,2,300\n")
    return d


def test_past_midnight_change_time_and_exception(tmp_path):
    feed = load_gtfs(_tiny(tmp_path), cache=False)
    # Monday's 24:50 trip is on Tuesday 00:50; m1 at 01:13 is missed by the 5-minute change, m2 01:20 -> 01:40
    j = journey(feed, "Alpha", "Gamma", date="2026-10-06", depart="00:30")
    assert j["arrival"] == "01:40:00" and j["total_minutes"] == 70.0
    assert [leg["mode"] for leg in j["legs"]] == ["wait", "rail", "transfer", "rail"]
    assert j["legs"][1]["route"] == "N1" and j["legs"][1]["headsign"] == "Beta" and j["legs"][3]["trip_id"] == "m2"
    assert j["legs"][2]["minutes"] == 10.0 and j["legs"][2]["min_transfer_minutes"] == 5.0
    # on Monday evening the same trips run at 24:50 (same service day)
    assert journey(feed, "Alpha", "Gamma", date="2026-10-05", depart="24:30")["arrival"] == "25:40:00"
    # Wednesday 10-07 has no weekday service (calendar_dates removes it): on Thursday 00:30 there is no
    # Wednesday trip past midnight, so the first arrival is Thursday's own 24:50 trip; on Wednesday evening
    # the first is Thursday's trip too (shifted a day: 48:50 -> 49:40)
    assert journey(feed, "Alpha", "Gamma", date="2026-10-08", depart="00:30")["arrival"] == "25:40:00"
    assert journey(feed, "Alpha", "Gamma", date="2026-10-07", depart="20:00")["arrival"] == "49:40:00"
    # no date: the first full service week's Monday is not available (no weekend service) -> first day with service
    j = journey(feed, "A", "C", depart="24:30")
    assert j["date"] == "2026-10-05" and "first day with service" in j["date_note"]


def test_window_percentiles_match_single_queries(tmp_path):
    data = make_feed(5, n_trips=20)
    feed = load_gtfs(write_feed(data, tmp_path / "feed"), cache=False)
    stations = [s["stop_id"] for s in data["stops"] if not s["parent"]]
    o, d = stations[0], stations[-1]
    w = window(feed, o, d, "22:00-23:00", date="2026-10-05", max_rounds=40)
    assert len(w) == 60 and w["depart"].iloc[0] == "22:00:00" and w["depart"].iloc[-1] == "22:59:00"
    for _, row in w.iloc[::7].iterrows():
        ref = csa(data, dt.date(2026, 10, 5), _platforms(data, o), int(row["depart_s"]))
        want = min(ref.get(p, math.inf) for p in _platforms(data, d))
        got = row["depart_s"] + row["minutes"] * 60 if np.isfinite(row["minutes"]) else math.inf
        assert got == pytest.approx(want)
    p = window_percentiles(w)
    vals = np.sort(np.where(np.isfinite(w["minutes"]), w["minutes"], np.inf))
    assert (p["p50_minutes"] == vals[29]) or (math.isnan(p["p50_minutes"]) and not np.isfinite(vals[29]))
    allp = window_one_to_all(feed, o, "22:00-23:00", date="2026-10-05", max_rounds=40).set_index("stop_id")
    dest = _platforms(data, d)
    if len(dest) == 1:
        assert allp.loc[dest[0], "p50_minutes"] == pytest.approx(p["p50_minutes"], nan_ok=True)


def test_stop_names_resolve_ambiguous_and_misspelt(tmp_path):
    feed = load_gtfs(_tiny(tmp_path), cache=False)
    assert find_stop(feed, "Beta").stop_id == "B" and find_stop(feed, "beta").stop_id == "B"
    with pytest.raises(InputError, match=r"did you mean 'Beta'"):
        find_stop(feed, "Betta")
    data = make_feed(1)
    data["stops"].append({"stop_id": "X9", "stop_name": "Stop 1", "lon": 5.0, "lat": 5.0, "type": 0, "parent": ""})
    feed2 = load_gtfs(write_feed(data, tmp_path / "amb"), cache=False)
    with pytest.raises(InputError, match=r"'Stop 1' is ambiguous: 2 stations.*S1.*X9.*Fix: give the stop_id"):
        find_stop(feed2, "Stop 1")
    # the same name within a short walk is one station complex: all platforms of both are the place
    near = make_feed(1)
    near["stops"].append({"stop_id": "X9", "stop_name": "Stop 1", "lon": 0.0102, "lat": 0.003, "type": 0, "parent": ""})
    feed3 = load_gtfs(write_feed(near, tmp_path / "near"), cache=False)
    ids3 = feed3.stops["stop_id"].astype(str)
    cx = find_stop(feed3, "Stop 1")
    assert cx.kind == "station complex"
    assert set(ids3.iloc[cx.stops]) >= {"X9"} and len(cx.stops) >= 2
    station = find_stop(feed2, "S0")
    assert set(station.stops) == {i for i, s in enumerate(feed2.stops["stop_id"]) if s == "S0" or str(feed2.stops["parent_station"].iloc[i]) == "S0"}


def test_bad_inputs_name_the_fix(tmp_path):
    feed = load_gtfs(_tiny(tmp_path), cache=False)
    with pytest.raises(InputError, match=r"is not a date.*YYYY-MM-DD"):
        journey(feed, "A", "C", date="5 Oct", depart="08:00")
    with pytest.raises(InputError, match=r"departure time.*HH:MM"):
        journey(feed, "A", "C", date="2026-10-05", depart="8h")
    with pytest.raises(InputError, match="ends before it starts"):
        window(feed, "A", "C", "09:00-07:00", date="2026-10-05")
    bad = _tiny(tmp_path / "x")
    (bad / "calendar.txt").write_text("service_id," + ",".join(WEEKDAYS) + ",start_date,end_date\nWK,1,1,1,1,1,0,0,2026-10-05,20261030\n")
    with pytest.raises(InputError, match=r"calendar.txt line 2: start_date '2026-10-05' is not a date.*YYYYMMDD"):
        load_gtfs(bad, cache=False)
    (bad / "calendar.txt").write_text("service_id," + ",".join(WEEKDAYS) + ",start_date,end_date\nZZ,1,1,1,1,1,0,0,20261005,20261030\n")
    (bad / "calendar_dates.txt").write_text("service_id,date,exception_type\n")
    with pytest.raises(InputError, match=r"trips.txt line 2: service_id 'WK' is in neither"):
        load_gtfs(bad, cache=False)
    st = _tiny(tmp_path / "y")
    (st / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\nA,Alpha,0,0,1,\nA1,Alpha,0,0,0,A\nB,Beta,0,0.01,0,\nC,Gamma,0,0.02,0,\n")
    with pytest.raises(InputError, match=r"stop_times.txt line 2: stop_id 'A' is a station.*Fix: use one of its platforms"):
        load_gtfs(st, cache=False)
    (st / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\nA,Alpha,0,0,0,Z\nB,Beta,0,0.01,0,\nC,Gamma,0,0.02,0,\n")
    with pytest.raises(InputError, match=r"stops.txt line 2: parent_station 'Z' is not a stop_id"):
        load_gtfs(st, cache=False)


def test_cache_second_load_and_several_feeds(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    a = _tiny(tmp_path / "one")
    f1 = load_gtfs(a)
    assert list((tmp_path / "cache" / "gtfs").glob("*.pickle"))
    f2 = load_gtfs(a)
    assert f2.stop_times.equals(f1.stop_times) and f2.calendar.equals(f1.calendar)
    (a / "transfers.txt").write_text("from_stop_id,to_stop_id,transfer_type,min_transfer_time\nB,B,2,60\n")
    f3 = load_gtfs(a)  # changed content -> new key, not the stale cache
    assert f3.transfers["min_transfer_time"].tolist() == [60.0]
    b = write_feed(make_feed(2), tmp_path / "two" / "other")
    both = load_gtfs([a, b])
    assert len(both.stops) == len(f1.stops) + len(load_gtfs(b).stops)
    assert "tiny:A" in set(both.stops["stop_id"]) and both.stop_times["stop_id"].astype(str).str.startswith(("tiny:", "other:")).all()
    j = journey(both, "tiny:A", "tiny:C", date="2026-10-06", depart="00:30")
    assert j["arrival"] == "01:30:00"  # the change time at B is now 60 s: ready 01:11, so m1 (01:13 -> 01:30) is caught


# ------------------------------------------------------------------ CLI
def test_cli_route_date_depart_json(tmp_path, capsys):
    from geo.cli import main

    feed = _tiny(tmp_path)
    rc = main(["route", "--mode", "rail", "--gtfs", str(feed), "--from", "Alpha", "--to", "Gamma", "--date", "2026-10-06", "--depart", "00:30", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["total_minutes"] == 70.0 and out["date"] == "2026-10-06" and out["date_note"] == ""
    rides = [leg for leg in out["legs"] if leg.get("trip_id")]
    assert [(r["trip_id"], r["departure"], r["arrival"]) for r in rides] == [("n1", "00:50:00", "01:10:00"), ("m2", "01:20:00", "01:40:00")]
    assert sum(leg["minutes"] for leg in out["legs"]) == pytest.approx(out["total_minutes"])
    # no --date: said so
    rc = main(["route", "--mode", "rail", "--gtfs", str(feed), "--from", "A", "--to", "C", "--depart", "24:30"])
    text = capsys.readouterr().out
    assert rc == 0 and "no --date given: 2026-10-05" in text and "arriving 25:40:00" in text and "N1 toward Beta" in text
    # a feed with calendars gets the timetable answer even without --date/--depart (08:00 on the default date), said so
    rc = main(["route", "--mode", "rail", "--gtfs", str(feed), "--from", "A", "--to", "C", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["depart"] == "08:00:00" and "no --depart given" in out["depart_note"] and "no --date given" in out["date_note"]
    assert out["arrival"] == "25:40:00" and rc == 0
    # a window: percentiles over every departure minute, the same as the API's
    rc = main(["route", "--mode", "rail", "--gtfs", str(feed), "--from", "A", "--to", "C", "--date", "2026-10-05", "--window", "24:00-24:50", "--json"])
    out = json.loads(capsys.readouterr().out)
    w = window(load_gtfs(feed, cache=False), "A", "C", "24:00-24:50", date="2026-10-05")
    assert rc == 0 and out["departures"] == 50 and out["percentiles"] == window_percentiles(w)
    assert out["minutes_by_departure"][0] == 100.0  # 24:00 -> 25:40


def test_cli_route_timetable_errors(tmp_path, capsys):
    from geo.cli import main

    feed = _tiny(tmp_path)
    assert main(["route", "--mode", "rail", "--gtfs", str(feed), "--from", "Alpah", "--to", "Gamma", "--depart", "08:00"]) == 2
    assert "did you mean 'Alpha'" in capsys.readouterr().err
    assert main(["route", "--mode", "rail", "--gtfs", str(feed), "--from", "A", "--to", "C", "--date", "2026/10/05"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["route", "--mode", "drive", "--gtfs", str(feed), "--from", "0,0", "--to", "0,0.01", "--depart", "08:00"]) == 2
    assert "--mode rail" in capsys.readouterr().err
    assert main(["route", "--mode", "rail", "--gtfs", str(feed), "--from", "A", "--to", "C", "--window", "9-7"]) == 2
    assert "HH:MM-HH:MM" in capsys.readouterr().err


def test_coordinates_walk_to_nearby_stops(tmp_path):
    feed = load_gtfs(_tiny(tmp_path), cache=False)
    # 0.004 deg of longitude west of Alpha (445 m x 1.3 detour at 5 km/h = 7 min); Beta is out of reach (2 km)
    j = journey(feed, (-0.004, 0.0), "Gamma", date="2026-10-06", depart="00:30")
    assert j["legs"][0]["mode"] == "walk" and j["legs"][0]["to"] == "Alpha"
    assert j["legs"][0]["minutes"] == pytest.approx(math.ceil(0.004 * math.pi / 180 * 6371008.8 * 1.3 / (5 / 3.6)) / 60, abs=0.02)
    assert j["arrival"] == "01:40:00"
    with pytest.raises(InputError, match="no stop within 800 m"):
        journey(feed, (1.0, 1.0), "Gamma", date="2026-10-06")


# ------------------------------------------------------------------ the real MTA subway feed (optional)
MTA = os.environ.get("GEO_GTFS_FEED")
mta = pytest.mark.skipif(not MTA or not Path(MTA).is_dir(), reason="set GEO_GTFS_FEED to a converted feed folder (scripts/mta_to_gtfs.py)")


def _read_feed_rows(folder: Path) -> dict:
    """The feed's rows read with the csv module (independent of geo's loader), in make_feed's format."""
    import csv

    def rows(name):
        p = folder / name
        return list(csv.DictReader(open(p, encoding="utf-8-sig"))) if p.exists() else []

    def sec(t):
        h, m, s = t.split(":")
        return int(h) * 3600 + int(m) * 60 + int(s)

    stops = [{"stop_id": r["stop_id"], "stop_name": r["stop_name"], "lon": float(r["stop_lon"]), "lat": float(r["stop_lat"]),
              "type": int(r.get("location_type") or 0), "parent": r.get("parent_station") or ""} for r in rows("stops.txt")]
    trips = [{"trip_id": r["trip_id"], "route_id": r["route_id"], "service_id": r["service_id"], "headsign": r.get("trip_headsign", "")} for r in rows("trips.txt")]
    st = [{"trip_id": r["trip_id"], "arr": sec(r["arrival_time"]), "dep": sec(r["departure_time"]), "stop_id": r["stop_id"], "seq": int(r["stop_sequence"])}
          for r in rows("stop_times.txt")]
    cal = [{"service_id": r["service_id"], **{d: int(r[d]) for d in WEEKDAYS}, "start": r["start_date"], "end": r["end_date"]} for r in rows("calendar.txt")]
    cd = [(r["service_id"], r["date"], int(r["exception_type"])) for r in rows("calendar_dates.txt")]
    tr = [(r["from_stop_id"], r["to_stop_id"], int(float(r["min_transfer_time"] or 0))) for r in rows("transfers.txt") if r.get("transfer_type", "0") not in ("3", "4", "5")]
    return {"stops": stops, "trips": trips, "stop_times": st, "calendar": cal, "calendar_dates": cd, "transfers": tr}


@mta
def test_mta_feed_raptor_equals_connection_scan():
    folder = Path(MTA)
    feed = load_gtfs(folder)
    assert len(feed.stop_times) > 10_000 and len(feed.calendar) + len(feed.calendar_dates) > 0
    data = _read_feed_rows(folder)
    date, why = feed.default_date()
    assert dt.date.fromisoformat(date).weekday() == 0 and "first full service week" in why
    rnd = random.Random(14)
    served = {r["stop_id"] for r in data["stop_times"]}
    stations = [s["stop_id"] for s in data["stops"] if not s["parent"] and set(_platforms(data, s["stop_id"])) & served]
    for _ in range(3):
        o, d = rnd.sample(stations, 2)
        t0 = rnd.randint(5 * 3600, 23 * 3600)
        ref = csa(data, dt.date.fromisoformat(date), _platforms(data, o), t0)
        want = min(ref.get(p, math.inf) for p in _platforms(data, d))
        j = journey(feed, o, d, date=date, depart=t0, max_rounds=30)
        got = t0 + j["total_minutes"] * 60 if math.isfinite(j["total_minutes"]) else math.inf
        assert got == pytest.approx(want), (o, d, hms(t0))
        if math.isfinite(want):
            assert sum(leg["minutes"] for leg in j["legs"]) == pytest.approx(j["total_minutes"])


@mta
def test_mta_stop_names():
    feed = load_gtfs(Path(MTA))
    top = feed.stops[feed.stops["parent_station"].isna()]
    names = top["stop_name"].value_counts()
    one = names[names == 1].index[0]
    sp = find_stop(feed, one)
    kids = (feed.stops["parent_station"] == top.loc[top["stop_name"] == one, "stop_id"].iloc[0]).sum()
    assert len(sp.stops) == max(kids, 1) and find_stop(feed, one.lower()).stop_id == sp.stop_id
    if (names > 1).any():
        with pytest.raises(InputError, match="ambiguous"):
            find_stop(feed, names[names > 1].index[0])


def test_access_legs_over_a_road_network(tmp_path):
    from geo import routing
    from geo.synthetic import grid_network
    from geo.timetable import point_place

    feed = load_gtfs(_tiny(tmp_path), cache=False)
    net = grid_network(30, centre=(0.01, 0.0), mode="walk")
    origin = (-0.001, 0.002)
    sp = point_place(feed, *origin, road=net)
    stops = feed.stops.set_index("stop_id")
    want = routing.od_matrix(net, [origin], np.c_[stops["stop_lon"].to_numpy(), stops["stop_lat"].to_numpy()])
    for i, off in zip(sp.stops, sp.offset_s, strict=True):
        assert off == math.ceil(want.loc[want["destination"] == i, "minutes"].iloc[0] * 60)
    j = journey(feed, sp, "Gamma", date="2026-10-06", depart="00:30")
    first = j["legs"][0]
    assert first["mode"] == "walk" and first["minutes"] * 60 == sp.offset_s[list(sp.stops).index(0)]
    assert sum(leg["minutes"] for leg in j["legs"]) == pytest.approx(j["total_minutes"])


def test_isochrones_by_percentile(tmp_path):
    from geo.synthetic import grid_network
    from geo.timetable import percentile_isochrones

    feed = load_gtfs(_tiny(tmp_path), cache=False)
    per = window_one_to_all(feed, "A", "24:30-24:50", date="2026-10-05", q=(50,)).set_index("stop_id")["p50_minutes"]
    lo, hi = math.floor(per["C"]) - 5, math.ceil(per["C"]) + 5
    iso = percentile_isochrones(feed, "A", [lo, hi], "24:30-24:50", date="2026-10-05", walk_m=300)
    assert iso["percentile"].eq(50).all() and len(iso) == 2
    # C is reached at the median in per["C"] minutes: the band just above covers it, the band just below does not
    from shapely.geometry import Point

    c = feed.stops.set_index("stop_id").loc["C"]
    pt = Point(c["stop_lon"], c["stop_lat"])
    bands = iso.to_crs(4326).set_index("minutes")["geometry"]
    assert bands.loc[hi].buffer(1e-6).contains(pt) and not bands.loc[lo].contains(pt)
    with_road = percentile_isochrones(feed, "A", [hi], "24:30-24:50", date="2026-10-05", road=grid_network(30, centre=(0.01, 0.0), mode="walk"), walk_m=300)
    assert with_road["area_km2"].iloc[0] > iso.set_index("minutes").loc[hi, "area_km2"]


def test_frequencies_and_untimed_stops(tmp_path):
    d = tmp_path / "freq"
    d.mkdir()
    (d / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,0,0\nB,Beta,0,0.01\nC,Gamma,0,0.02\n")
    (d / "trips.txt").write_text("route_id,service_id,trip_id\nR,ALL,f1\nR,ALL,u1\n")
    (d / "routes.txt").write_text("route_id,route_short_name,route_type\nR,R,3\n")
    (d / "calendar.txt").write_text("service_id," + ",".join(WEEKDAYS) + ",start_date,end_date\nALL,1,1,1,1,1,1,1,20260101,20261231\n")
    # f1 is a template: A +0 -> B +10 min, every 20 minutes from 08:00 to 09:00 (08:00, 08:20, 08:40)
    (d / "stop_times.txt").write_text(
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "f1,00:00:00,00:00:00,A,1\nf1,00:10:00,00:10:00,B,2\n"
        "u1,10:00:00,10:00:00,A,1\nu1,,,B,2\nu1,10:20:00,10:20:00,C,3\n"
    )
    (d / "frequencies.txt").write_text("trip_id,start_time,end_time,headway_secs\nf1,08:00:00,09:00:00,1200\n")
    feed = load_gtfs(d, cache=False)
    expanded = sorted(t for t in feed.trips["trip_id"] if t.startswith("f1@"))
    assert expanded == ["f1@08:00:00", "f1@08:20:00", "f1@08:40:00"]
    j = journey(feed, "Alpha", "Beta", date="2026-10-05", depart="08:05")
    assert j["total_minutes"] == 25.0 and j["legs"][-1]["trip_id"] == "f1@08:20:00" and j["legs"][-1]["mode"] == "bus"
    # B on u1 has no times: interpolated halfway (10:10)
    j = journey(feed, "Alpha", "Beta", date="2026-10-05", depart="09:30")
    assert j["arrival"] == "10:10:00"
    (d / "frequencies.txt").write_text("trip_id,start_time,end_time,headway_secs\nf1,08:00:00,09:00:00,0\n")
    with pytest.raises(InputError, match=r"frequencies.txt line 2: .*headway_secs > 0"):
        load_gtfs(d, cache=False)


def test_cli_rail_walk_from_coordinates_over_a_network(tmp_path, capsys):
    from geo.cli import main
    from geo.io import save_network
    from geo.synthetic import grid_network

    feed = _tiny(tmp_path)
    net = tmp_path / "walk.geonet"
    save_network(grid_network(30, centre=(0.01, 0.0), mode="walk"), net)
    rc = main(["route", "--mode", "rail+walk", "--gtfs", str(feed), "--network", str(net), "--from=-0.001,0.002", "--to", "Gamma",
               "--date", "2026-10-06", "--depart", "00:30", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["mode"] == "rail+walk" and out["legs"][0]["mode"] == "walk" and out["legs"][0]["method"] == "access walk"
    assert out["arrival"] == "01:40:00" and sum(leg["minutes"] for leg in out["legs"]) == pytest.approx(out["total_minutes"], abs=0.05)


def test_feed_without_calendar_files_runs_every_day(tmp_path):
    d = _tiny(tmp_path)
    (d / "calendar.txt").unlink()
    (d / "calendar_dates.txt").unlink()
    feed = load_gtfs(d, cache=False)
    assert feed.services_on("2026-10-10").all()  # a Saturday: the weekday service_id means nothing without calendars
    j = journey(feed, "A", "C", depart="24:30")
    assert j["arrival"] == "25:40:00" and "any day" in j["date_note"]


def test_cli_several_feeds(tmp_path, capsys):
    from geo.cli import main

    a = _tiny(tmp_path / "one")
    b = write_feed(make_feed(2), tmp_path / "two" / "other")
    rc = main(["route", "--mode", "rail", "--gtfs", f"{a},{b}", "--from", "tiny:A", "--to", "tiny:C", "--date", "2026-10-06", "--depart", "00:30", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["arrival"] == "01:40:00" and "," in out["source"]


def test_cli_gazetteer_names_walk_to_the_feed(tmp_path, capsys):
    from geo.cli import main

    feed = _tiny(tmp_path)
    st = tmp_path / "places.csv"
    st.write_text("name,lon,lat\nTown Hall,-0.004,0.0\n")
    rc = main(["route", "--mode", "rail", "--gtfs", str(feed), "--stations", str(st), "--from", "Town Hall", "--to", "Gamma",
               "--date", "2026-10-06", "--depart", "00:30", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["from"] == "Town Hall" and out["legs"][0]["mode"] == "walk" and out["legs"][0]["to"] == "Alpha"
    # a name neither the feed nor the gazetteer knows: the feed's suggestion
    assert main(["route", "--mode", "rail", "--gtfs", str(feed), "--stations", str(st), "--from", "Gama", "--to", "A", "--depart", "08:00"]) == 2
    assert "did you mean 'Gamma'" in capsys.readouterr().err
