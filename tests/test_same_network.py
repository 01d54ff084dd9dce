"""Same mode, same network: a file and an osmnx download (place, bbox, polygon) of the same ways give the same graph (issue 13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from _osm import osm_xml

from geo import Network

ox = pytest.importorskip("osmnx")

# a small town: every rule that differs between modes appears once
_NODES = {i: (112.500 + 0.001 * (i % 5), 37.800 + 0.001 * (i // 5)) for i in range(1, 21)}
_WAYS = [
    (100, [1, 2, 3, 4, 5], {"highway": "primary", "name": "Main", "maxspeed": "50"}),
    (101, [6, 7, 8], {"highway": "residential", "oneway": "yes"}),
    (102, [8, 9, 10], {"highway": "tertiary", "oneway": "-1", "maxspeed:forward": "40", "maxspeed": "30"}),
    (103, [11, 12, 13], {"highway": "motorway"}),  # one-way implied
    (104, [13, 14, 15, 13], {"highway": "secondary", "junction": "roundabout"}),
    (105, [1, 6, 11, 16], {"highway": "footway"}),
    (106, [2, 7, 12, 17], {"highway": "service", "service": "parking_aisle"}),
    (107, [3, 8, 13, 18], {"highway": "cycleway", "foot": "yes"}),
    (108, [4, 9, 14, 19], {"highway": "residential", "access": "private"}),
    (109, [5, 10, 15, 20], {"highway": "unclassified", "oneway": "yes", "oneway:bicycle": "no", "maxspeed": "20 mph"}),
    (110, [16, 17, 18, 19, 20], {"highway": "steps"}),
    (111, [17, 18], {"building": "yes"}),
    (112, [19, 20], {"highway": "living_street", "oneway": "reverse"}),
]


def _write_osm(path: Path) -> Path:
    path.write_text(osm_xml(_NODES, _WAYS) + "\n")
    return path


def _edge_table(net: Network) -> pd.DataFrame:
    a = net.edge_attrs
    df = pd.DataFrame(
        {
            "u": net.node_id[net.edge_u],
            "v": net.node_id[net.edge_v],
            "osm_id": a["osm_id"].to_numpy(),
            "forward": a["forward"].to_numpy(),
            "oneway": a["oneway"].to_numpy(),
            "length_m": net.edge_length_m,
            "speed_kmh": a["speed_kmh"].to_numpy(dtype=float),
            "time_s": net.edge_time_s,
        }
    )
    return df.sort_values(["u", "v", "osm_id", "forward"]).reset_index(drop=True)


@pytest.fixture
def town(tmp_path: Path) -> Path:
    return _write_osm(tmp_path / "town.osm")


@pytest.fixture
def fake_overpass(monkeypatch: pytest.MonkeyPatch, town: Path) -> dict[str, object]:
    """Replace the download (Overpass/Nominatim) by osmnx's offline reader of the same file."""
    import geo._private.netload as netload

    monkeypatch.delenv("GEO_OFFLINE", raising=False)
    monkeypatch.setattr(netload, "_probe", lambda hosts, timeout_s: None)
    seen: dict[str, object] = {}

    def graph_from_place(query: str, **kw: object) -> object:
        seen.update(kw, all_oneway=ox.settings.all_oneway)
        # graph_from_xml builds the graph with osmnx's own code under the settings geo set for the download
        return ox.graph_from_xml(town, simplify=bool(kw["simplify"]), retain_all=bool(kw["retain_all"]))

    monkeypatch.setattr(ox, "graph_from_place", graph_from_place)
    monkeypatch.setattr(ox, "graph_from_bbox", graph_from_place)
    monkeypatch.setattr(ox, "graph_from_polygon", graph_from_place)
    return seen


def _download(how: str, mode: str) -> Network:
    kw = {"progress": False, "profile": "china", "intersection_delay_s": 5.0}
    if how == "place":
        return Network.from_place("Town", mode, **kw)
    if how == "bbox":
        return Network.from_bbox((0.0, 0.0, 0.1, 0.1), mode, **kw)
    return Network.from_polygon(shapely.box(0.0, 0.0, 0.1, 0.1), mode, **kw)


@pytest.mark.parametrize("how", ["place", "bbox", "polygon"])
@pytest.mark.parametrize("mode", ["drive", "walk", "bike"])
def test_file_and_download_give_the_same_network(town, fake_overpass, mode, how):
    before = (ox.settings.all_oneway, list(ox.settings.useful_tags_way))
    a = Network.from_file(town, mode, cache=False, progress=False, profile="china", intersection_delay_s=5.0)
    b = _download(how, mode)
    assert fake_overpass["all_oneway"] is True and fake_overpass["simplify"] is False
    from geo._private.osm import overpass_filter

    assert fake_overpass["custom_filter"] == overpass_filter(mode)
    assert (ox.settings.all_oneway, list(ox.settings.useful_tags_way)) == before  # restored
    assert a.n_edges > 0 and b.meta["source"].startswith(f"osmnx:{how}")
    assert sorted(a.node_id.tolist()) == sorted(b.node_id.tolist())
    ea, eb = _edge_table(a), _edge_table(b)
    pd.testing.assert_frame_equal(ea[["u", "v", "osm_id", "forward", "oneway"]], eb[["u", "v", "osm_id", "forward", "oneway"]])
    np.testing.assert_allclose(ea["length_m"], eb["length_m"], rtol=1e-9)
    np.testing.assert_allclose(ea["speed_kmh"], eb["speed_kmh"], rtol=1e-6)
    np.testing.assert_allclose(ea["time_s"], eb["time_s"], rtol=1e-6)


def test_the_rules_differ_by_mode(town, fake_overpass):
    """The fixture exercises the rules: each mode keeps other ways and directions (so equality above means something)."""
    nets = {m: Network.from_place("Town", m, progress=False, profile="china") for m in ("drive", "walk", "bike")}
    ways = {m: set(n.edge_attrs["osm_id"].tolist()) for m, n in nets.items()}
    assert ways["drive"] == {100, 101, 102, 103, 104, 109, 112}
    assert 105 in ways["walk"] and 103 not in ways["walk"] and 110 in ways["walk"]
    assert 110 not in ways["bike"] and 107 in ways["bike"]
    drive = _edge_table(nets["drive"])
    # oneway=-1 and oneway=reverse: travel only against the node order; maxspeed:forward does not apply there
    assert set(map(tuple, drive.loc[drive.osm_id == 102, ["u", "v"]].to_numpy())) == {(10, 9), (9, 8)}
    assert set(map(tuple, drive.loc[drive.osm_id == 112, ["u", "v"]].to_numpy())) == {(20, 19)}
    assert (drive.loc[drive.osm_id == 102, "speed_kmh"] == 30).all()
    bike = _edge_table(nets["bike"])
    assert len(bike[bike.osm_id == 109]) == 2 * len(drive[drive.osm_id == 109])  # oneway:bicycle=no
    assert len(_edge_table(nets["walk"]).query("osm_id == 101")) == 4  # walking ignores oneway


def test_maxspeed_forward_is_applied_to_downloads(tmp_path, monkeypatch):
    """maxspeed:forward used to be dropped on the osmnx path; now both paths apply it."""
    import geo._private.netload as netload

    path = tmp_path / "fwd.osm"
    path.write_text(
        '<osm version="0.6"><node id="1" lat="0" lon="0"/><node id="2" lat="0" lon="0.001"/>'
        '<way id="7"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/>'
        '<tag k="maxspeed:forward" v="20"/><tag k="maxspeed" v="60"/></way></osm>'
    )
    monkeypatch.delenv("GEO_OFFLINE", raising=False)
    monkeypatch.setattr(netload, "_probe", lambda hosts, timeout_s: None)
    monkeypatch.setattr(ox, "graph_from_place", lambda q, **kw: ox.graph_from_xml(path, simplify=False, retain_all=True))
    for net in (Network.from_file(path, "drive", cache=False, progress=False), Network.from_place("x", "drive", progress=False)):
        t = _edge_table(net)
        assert t.set_index("u")["speed_kmh"].to_dict() == {1: 20.0, 2: 60.0}


@pytest.mark.parametrize("mode", ["drive", "walk", "bike", "rail"])
def test_download_filter_is_a_superset_of_the_rules(mode):
    """The Overpass filter a download uses never drops a way keep_way would keep (so files and downloads agree)."""
    import re

    from geo._private.osm import _DRIVE_HIGHWAYS, KEEP_TAGS, keep_way, overpass_filter

    m = re.fullmatch(r'\["(\w+)"(?:~"(.+)")?\]', overpass_filter(mode))
    assert m is not None
    key, pattern = m.group(1), m.group(2)
    values = sorted(_DRIVE_HIGHWAYS | {"footway", "steps", "cycleway", "path", "track", "pedestrian", "bridleway",
                                       "rail", "light_rail", "subway", "narrow_gauge", "tram", "abandoned"})  # fmt: skip
    kept = 0
    for k in ("highway", "railway"):
        for v in values:
            tags = {k: v}
            if keep_way(tags, mode):
                kept += 1
                assert k == key and (pattern is None or re.fullmatch(pattern, v)), (mode, tags)
    assert kept > 0 and set(KEEP_TAGS) >= {"highway", "railway", "oneway"}
