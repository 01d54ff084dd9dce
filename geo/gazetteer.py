"""Station and place names -> coordinates (WGS84).

:func:`resolve_place` turns what a user types for a place into a point:

* ``"108.9423,34.2610"`` -- coordinates, lon first;
* a station name, Chinese or English/pinyin where OSM tags it (``西安东``,
  ``Xi'an Dong``, ``Lantian``);
* a county or city seat (``柞水县`` or just ``柞水``... a station wins for the
  bare name; ``柞水县`` is the county seat).

Sources, in order of precedence (first hit wins), all in the shared data
folder (:func:`geo.settings.shared_data_dir`, or ``data_dir=``):

1. user station files passed with ``stations=`` (GeoJSON points or CSV
   ``name, lon, lat``);
2. ``rail/stations_study_area.csv`` -- curated stations of the study regions;
3. ``xian_zhashui/shaanxi_osm_rail_stations.geojson`` -- OSM stations with
   ``name:en``;
4. ``rail/cn_rail_stations_osm_wensimehrp_3f527cf.csv`` -- 4,761 Chinese
   stations from OSM;
5. ``boundaries/admin_centres_shaanxi_shanxi_chongqing.csv`` -- county and
   city seats (WGS84 columns).

Unknown names raise :class:`~geo.errors.InputError` with close matches.
Without the shared folder only coordinates and user station files work.

Examples
--------
>>> resolve_place("108.9423, 34.2610")
PlaceHit(lon=108.9423, lat=34.261, name='108.9423,34.2610', source='coordinates', kind='point')
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import pandas as pd

from geo.errors import InputError
from geo.settings import shared_data_dir

_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
#: suffixes stripped when matching Chinese admin names (柞水 ~ 柞水县)
ADMIN_SUFFIXES = ("自治县", "县", "区", "市")


class PlaceHit(NamedTuple):
    """A resolved place: ``(lon, lat, name, source, kind)``."""

    lon: float
    lat: float
    name: str
    source: str
    kind: str = "station"


def _norm(s: str) -> str:
    return re.sub(r"[\s'’\-_]", "", str(s)).lower()


def admin_base(name: str) -> str:
    """``name`` without a trailing 自治县/县/区/市 (柞水县 -> 柞水); other names unchanged."""
    for suffix in ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class Gazetteer:
    """A table of named points (``name, alt, lon, lat, source, kind``); first entry of a name wins.

    Examples
    --------
    >>> g = Gazetteer(pd.DataFrame({"name": ["甲站"], "alt": ["Jia Zhan"], "lon": [1.0], "lat": [2.0],
    ...     "source": ["test"], "kind": ["station"]}))
    >>> g.resolve("jia zhan").name
    '甲站'
    """

    def __init__(self, table: pd.DataFrame | None = None) -> None:
        cols = ["name", "alt", "lon", "lat", "source", "kind"]
        self.table = (table if table is not None else pd.DataFrame(columns=cols))[cols].reset_index(drop=True)
        self._index()

    def _index(self) -> None:
        self._by_name: dict[str, int] = {}
        self._by_alt: dict[str, int] = {}
        self._seats: dict[str, int] = {}  # admin centres by name without 县/区/市
        rows = zip(self.table["name"].tolist(), self.table["alt"].tolist(), self.table["kind"].tolist(), strict=True)
        for i, (n, a, k) in enumerate(rows):
            self._by_name.setdefault(str(n), i)
            if k == "admin_centre":
                self._seats.setdefault(admin_base(str(n)), i)
            if isinstance(a, str) and a:
                for part in a.split("|"):
                    self._by_alt.setdefault(_norm(part), i)

    def add(self, table: pd.DataFrame, first: bool = False) -> Gazetteer:
        """A gazetteer with more entries (``first=True``: they take precedence)."""
        t = pd.concat([table, self.table] if first else [self.table, table], ignore_index=True)
        return Gazetteer(t)

    def __len__(self) -> int:
        return len(self.table)

    def resolve(self, text: str) -> PlaceHit:
        """Resolve coordinates or a name; see :func:`resolve_place`."""
        s = str(text).strip()
        m = _COORD.match(s)
        if m:
            lon, lat = float(m.group(1)), float(m.group(2))
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise InputError(f"{s!r} is not a lon,lat pair", "give longitude first, then latitude, in WGS84 degrees")
            return PlaceHit(lon, lat, f"{lon:.4f},{lat:.4f}", "coordinates", "point")
        if not s:
            raise InputError("empty place name", "give a station name (西安东) or coordinates (108.9423,34.2610)")
        i = self._by_name.get(s)
        if i is None:
            i = self._by_alt.get(_norm(s))
        if i is None:
            for suffix in ("站", "火车站", "railway station", "station"):
                if s.lower().endswith(suffix) and s[: -len(suffix)].strip():
                    base = s[: -len(suffix)].strip()
                    i = self._by_name.get(base, self._by_alt.get(_norm(base)))
                    if i is not None:
                        break
        if i is None:  # a county or city seat without its suffix: 柞水 -> 柞水县
            i = self._seats.get(admin_base(s))
        if i is None:
            if len(self.table) == 0:
                raise InputError(
                    f"unknown place {s!r}: no gazetteer is available (the shared data folder is absent)",
                    "give coordinates as LON,LAT (e.g. 108.9423,34.2610), pass a station file (--stations), or set GEO_SHARED_DATA",
                )
            names = list(self._by_name)
            close = difflib.get_close_matches(s, names, n=4, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise InputError(
                f"unknown place {s!r}{hint}",
                "check the spelling (Chinese station names without 站, e.g. 西安东), or give coordinates LON,LAT",
            )
        return self._hit(i)

    def seat(self, name: str) -> PlaceHit | None:
        """The county or city seat called ``name`` (with or without 县/区/市), or None."""
        i = self._seats.get(admin_base(str(name).strip()))
        return None if i is None else self._hit(i)

    def _hit(self, i: int) -> PlaceHit:
        r = self.table.iloc[i]
        return PlaceHit(float(r["lon"]), float(r["lat"]), str(r["name"]), str(r["source"]), str(r["kind"]))


def read_stations(stations: Any) -> pd.DataFrame:
    """Station points as a DataFrame ``name, name_en, lon, lat, osm_id``.

    Accepts a GeoDataFrame, a GeoJSON/GPKG of points or a CSV with a name
    column (``name`` / ``station_name`` / ``stop_name``) and ``lon``/``lat``
    (or ``lon_wgs84``/``lat_wgs84``, ``stop_lon``/``stop_lat``). Points without
    a name are dropped.
    """
    if isinstance(stations, pd.DataFrame) and not isinstance(stations, gpd.GeoDataFrame):
        df = stations
        src = "in-memory"
    elif isinstance(stations, gpd.GeoDataFrame):
        g = stations.to_crs(4326) if stations.crs is not None and stations.crs.to_epsg() != 4326 else stations
        df = pd.DataFrame(g.drop(columns="geometry"))
        df["lon"], df["lat"] = g.geometry.x.to_numpy(), g.geometry.y.to_numpy()
        src = "in-memory"
    else:
        p = Path(stations).expanduser()
        if not p.exists():
            raise InputError(f"stations file {str(p)!r} does not exist", "check the path (--stations FILE)")
        src = str(p)
        if p.suffix.lower() in (".csv", ".txt"):
            df = pd.read_csv(p, dtype=str)
        else:
            return read_stations(gpd.read_file(p)).assign(source=src)
    cols = {c.lower(): c for c in df.columns}
    name_col = next((cols[c] for c in ("name", "station_name", "stop_name", "name:zh") if c in cols), None)
    lon_col = next((cols[c] for c in ("lon", "lon_wgs84", "stop_lon", "stop_lon_wgs84", "x") if c in cols), None)
    lat_col = next((cols[c] for c in ("lat", "lat_wgs84", "stop_lat", "stop_lat_wgs84", "y") if c in cols), None)
    if name_col is None or lon_col is None or lat_col is None:
        raise InputError(
            f"stations {src}: needs a name column and lon/lat columns, found {', '.join(map(str, df.columns))}",
            "give OSM station points (GeoJSON) or a CSV with columns name, lon, lat (WGS84)",
        )
    out = pd.DataFrame(
        {
            "name": df[name_col].astype("string").str.strip(),
            "name_en": df[cols["name:en"]].astype("string") if "name:en" in cols else pd.Series(pd.NA, index=df.index, dtype="string"),
            "lon": pd.to_numeric(df[lon_col], errors="coerce"),
            "lat": pd.to_numeric(df[lat_col], errors="coerce"),
            "osm_id": df[cols["osm_id"]].astype(str) if "osm_id" in cols else "",
        }
    )
    out = out[out["name"].notna() & (out["name"] != "") & out["lon"].notna() & out["lat"].notna()]
    out = out.drop_duplicates("name").reset_index(drop=True)
    out["source"] = src
    return out


def _station_file_table(path: Path, label: str) -> pd.DataFrame:
    st = read_stations(path)
    alt = st["name_en"].fillna("") if "name_en" in st.columns else ""
    return pd.DataFrame({"name": st["name"].astype(str), "alt": alt, "lon": st["lon"], "lat": st["lat"], "source": label, "kind": "station"})


@lru_cache(maxsize=4)
def _shared_gazetteer(data_dir: str) -> Gazetteer:
    d = Path(data_dir)
    parts: list[pd.DataFrame] = []
    p = d / "rail" / "stations_study_area.csv"
    if p.exists():
        t = pd.read_csv(p, dtype=str).dropna(subset=["lon_wgs84", "lat_wgs84"])
        parts.append(
            pd.DataFrame(
                {
                    "name": t["station_name"],
                    "alt": t["name_en"].fillna("").str.replace(r"\s*\(.*\)", "", regex=True),
                    "lon": t["lon_wgs84"].astype(float),
                    "lat": t["lat_wgs84"].astype(float),
                    "source": "rail/stations_study_area.csv (curated, OSM)",
                    "kind": "station",
                }
            )
        )
    p = d / "xian_zhashui" / "shaanxi_osm_rail_stations.geojson"
    if p.exists():
        parts.append(_station_file_table(p, "xian_zhashui/shaanxi_osm_rail_stations.geojson (OSM)"))
    p = d / "rail" / "cn_rail_stations_osm_wensimehrp_3f527cf.csv"
    if p.exists():
        t = pd.read_csv(p, dtype=str).dropna()
        parts.append(
            pd.DataFrame({"name": t["station_name"], "alt": "", "lon": t["lon"].astype(float), "lat": t["lat"].astype(float), "source": "rail/cn_rail_stations_osm_wensimehrp_3f527cf.csv (OSM)", "kind": "station"})
        )
    p = d / "boundaries" / "admin_centres_shaanxi_shanxi_chongqing.csv"
    if p.exists():
        t = pd.read_csv(p, dtype=str)
        parts.append(
            pd.DataFrame(
                {
                    "name": t["name"],
                    "alt": "",
                    "lon": t["lon_wgs84"].astype(float),
                    "lat": t["lat_wgs84"].astype(float),
                    "source": "boundaries/admin_centres_shaanxi_shanxi_chongqing.csv (county/city seat, WGS84)",
                    "kind": "admin_centre",
                }
            )
        )
    return Gazetteer(pd.concat(parts, ignore_index=True) if parts else None)


def gazetteer(data_dir: str | Path | None = None, stations: Sequence[str | Path] | str | Path | None = None) -> Gazetteer:
    """The gazetteer of the shared data folder (or ``data_dir``) plus user station files."""
    d = Path(data_dir) if data_dir is not None else shared_data_dir()
    g = _shared_gazetteer(str(d)) if d is not None and Path(d).is_dir() else Gazetteer()
    if stations is not None:
        files = [stations] if isinstance(stations, str | Path) else list(stations)
        for f in reversed(files):
            g = g.add(_station_file_table(Path(f), str(f)), first=True)
    return g


def resolve_place(
    text: Any,
    *,
    data_dir: str | Path | None = None,
    stations: Sequence[str | Path] | str | Path | None = None,
    extra: Callable[[str], PlaceHit | None] | None = None,
) -> PlaceHit:
    """Resolve a place name or ``"lon,lat"`` to ``(lon, lat, name, source, kind)``.

    Parameters
    ----------
    text
        ``"108.9423,34.2610"``, a station name (``西安东``, ``Lantian``) or a
        county/city seat (``柞水县``). A ``(lon, lat)`` tuple is accepted too.
    data_dir
        Folder with the shared data (default :func:`geo.settings.shared_data_dir`).
    stations
        Extra station files (GeoJSON points or CSV ``name, lon, lat``) that
        take precedence.
    extra
        A resolver tried first for names (not coordinates), e.g. the stops of
        a GTFS feed (:func:`geo.timetable.stop_resolver`); it returns None
        for names it does not know.

    Raises
    ------
    InputError
        Unknown name (with close matches) or malformed coordinates.
    """
    if isinstance(text, tuple | list) and len(text) == 2:
        text = f"{float(text[0])},{float(text[1])}"
    if extra is not None and not _COORD.match(str(text)):
        hit = extra(str(text))
        if hit is not None:
            return hit
    return gazetteer(data_dir, stations).resolve(str(text))
