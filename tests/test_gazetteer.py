"""Station gazetteer: names, English names, coordinates, suggestions, user station files."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from geo.gazetteer import resolve_place
from geo.settings import shared_data_dir


def test_coordinates_without_data(tmp_path):
    hit = resolve_place("108.9423,34.2610", data_dir=tmp_path)
    assert (hit.lon, hit.lat, hit.source) == (108.9423, 34.261, "coordinates")
    assert resolve_place((1.5, 2.5), data_dir=tmp_path).lon == 1.5
    with pytest.raises(InputError, match="no gazetteer is available"):
        resolve_place("西安东", data_dir=tmp_path)
    with pytest.raises(InputError, match="not a lon,lat"):
        resolve_place("500,20", data_dir=tmp_path)


def test_user_station_file(tmp_path):
    f = tmp_path / "st.csv"
    f.write_text("name,lon,lat\n甲站,110.5,35.25\n乙,111,36\n", encoding="utf-8")
    hit = resolve_place("甲站", data_dir=tmp_path, stations=f)
    assert (hit.lon, hit.lat, hit.name) == (110.5, 35.25, "甲站")
    assert resolve_place("乙站", data_dir=tmp_path, stations=f).name == "乙"  # trailing 站 tolerated
    with pytest.raises(InputError, match="did you mean 甲站"):
        resolve_place("甲占", data_dir=tmp_path, stations=f)


@pytest.mark.shared
def test_shared_names():
    import pandas as pd

    d = shared_data_dir()
    hit = resolve_place("西安东")
    st = pd.read_csv(d / "rail" / "stations_study_area.csv")
    row = st[st.station_name == "西安东"].iloc[0]
    assert (hit.lon, hit.lat) == (row.lon_wgs84, row.lat_wgs84)
    assert resolve_place("Lantian").name == "蓝田"
    seat = resolve_place("柞水县")
    ac = pd.read_csv(d / "boundaries" / "admin_centres_shaanxi_shanxi_chongqing.csv")
    assert (seat.lon, seat.lat) == tuple(ac[ac.name == "柞水县"][["lon_wgs84", "lat_wgs84"]].iloc[0])
    assert seat.kind == "admin_centre"
    with pytest.raises(InputError, match="did you mean"):
        resolve_place("西安栋")


def _table():
    import pandas as pd

    from geo.gazetteer import Gazetteer

    return Gazetteer(
        pd.DataFrame(
            {
                "name": ["柞水", "柞水县", "镇安县", "宁陕县"],
                "alt": ["Zhashui", "", "", ""],
                "lon": [109.1, 109.2, 109.3, 108.3],
                "lat": [33.6, 33.7, 33.4, 33.3],
                "source": ["stations", "seats", "seats", "seats"],
                "kind": ["station", "admin_centre", "admin_centre", "admin_centre"],
            }
        )
    )


def test_station_wins_for_a_bare_name_and_seat_without_suffix():
    g = _table()
    assert g.resolve("柞水").kind == "station"  # a station of that name wins
    assert g.resolve("柞水县").kind == "admin_centre"
    hit = g.resolve("镇安")  # no station: the county seat 镇安县
    assert (hit.name, hit.kind) == ("镇安县", "admin_centre")
    assert g.seat("柞水").name == "柞水县" and g.seat("柞水县").lon == 109.2
    assert g.seat("西安") is None


def test_unknown_name_suggests_close_matches():
    with pytest.raises(InputError, match="宁陕县"):
        _table().resolve("宁陕具")


def test_places_use_the_one_gazetteer(shared):
    """A claim file's place name resolves exactly as the CLI's --from (one home for names)."""
    from geo.places import resolve_place_spec

    for name in ("西安东", "柞水县", "柞水"):
        p, hit = resolve_place_spec(name), resolve_place(name)
        assert (p.name, p.lon, p.lat, p.kind, p.source) == (hit.name, hit.lon, hit.lat, hit.kind, hit.source)
    with pytest.raises(InputError, match=r"^origin: unknown place"):
        resolve_place_spec("不存在的地方", where="origin")
