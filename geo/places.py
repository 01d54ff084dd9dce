"""Places named in claim, scenario and study files: points, stations, counties.

A place spec in a YAML file is one of

* a name: ``柞水县``, ``西安东``, ``Zhashui`` -- looked up in the station
  gazetteer (:func:`geo.gazetteer.resolve_place`) and the county/city centre
  table of the shared data;
* coordinates: ``{name: 西安钟楼, lon: 108.9423, lat: 34.2610}``, optionally
  ``crs: gcj02`` for Chinese web-map coordinates (converted to WGS84);
* a county polygon: ``{county: 柞水县}`` -- the county outline from
  ``boundaries/*_counties_wgs84.geojson``; its representative point (inside the
  polygon) stands for it, and the polygon is kept for coverage claims.

Every place resolves to a :class:`Place` in WGS84.

Examples
--------
>>> p = resolve_place_spec({"name": "A", "lon": 108.9423, "lat": 34.2610})
>>> p.name, p.lon, p.lat, p.kind
('A', 108.9423, 34.261, 'point')
"""

from __future__ import annotations

import dataclasses
import difflib
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import gcj02_to_wgs84
from geo.errors import InputError
from geo.gazetteer import admin_base, gazetteer, resolve_place
from geo.settings import shared_data_dir


@dataclasses.dataclass(frozen=True)
class Place:
    """A resolved place (WGS84).

    Attributes
    ----------
    name : str
    lon, lat : float
        The point that stands for the place (WGS84 degrees).
    kind : str
        ``point``, ``station``, ``admin_centre`` or ``county``.
    source : str
        Where the coordinates came from.
    polygon : shapely geometry or None
        The county outline (WGS84) for ``kind == "county"``.
    """

    name: str
    lon: float
    lat: float
    kind: str = "point"
    source: str = "given"
    polygon: Any = None

    @property
    def lonlat(self) -> tuple[float, float]:
        return (self.lon, self.lat)

    def describe(self) -> str:
        return f"{self.name} ({self.lon:.4f}, {self.lat:.4f})"


def _check_lonlat(lon: Any, lat: Any, where: str) -> tuple[float, float]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InputError(f"{where}: lon/lat must be numbers, got {lon!r}, {lat!r}", "write e.g. lon: 108.94, lat: 34.26") from None
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise InputError(f"{where}: ({x}, {y}) is not a lon,lat pair", "give longitude first, then latitude, in degrees")
    return x, y


def resolve_place_spec(spec: Any, *, where: str = "place") -> Place:
    """Resolve one place spec (name, coordinates or county) to a :class:`Place`.

    Parameters
    ----------
    spec
        A name (str) or a mapping with ``lon``/``lat`` (and optional ``crs``,
        ``name``), ``county`` or ``station``/``name``.
    where
        Where the spec comes from (file and field), for error messages.

    Raises
    ------
    InputError
        Unknown name, malformed coordinates or unknown CRS.
    """
    if isinstance(spec, str):
        return _lookup_name(spec.strip(), where)
    if not isinstance(spec, dict):
        raise InputError(f"{where}: a place must be a name or a mapping, got {spec!r}", "write e.g. 柞水县 or {lon: 109.11, lat: 33.69}")
    if "county" in spec:
        return _county(str(spec["county"]), where, point=str(spec.get("point", "representative")))
    if "polygon" in spec:
        return _polygon(spec, where)
    if "lon" in spec or "lat" in spec:
        lon, lat = _check_lonlat(spec.get("lon"), spec.get("lat"), where)
        crs = str(spec.get("crs", "wgs84")).lower().replace("-", "").replace(":", "")
        if crs in ("gcj02",):
            lon, lat = gcj02_to_wgs84(lon, lat)
            src = "given (GCJ-02, converted to WGS84)"
        elif crs in ("wgs84", "epsg4326", "crs84"):
            src = str(spec.get("source", "given"))
        else:
            raise InputError(
                f"{where}: unknown crs {spec.get('crs')!r}",
                "use crs: wgs84 (GPS, OSM) or crs: gcj02 (Amap/Tencent/Baidu-free Chinese web maps); convert other CRSs to WGS84",
            )
        name = str(spec.get("name") or f"{lon:.4f},{lat:.4f}")
        return Place(name, lon, lat, kind=str(spec.get("kind", "point")), source=src)
    for key in ("station", "name", "place"):
        if key in spec:
            return _lookup_name(str(spec[key]), where)
    raise InputError(
        f"{where}: the place has none of name, lon/lat, county, station",
        "write a name (柞水县), coordinates ({lon: 109.11, lat: 33.69}) or a county ({county: 柞水县})",
    )


# ------------------------------------------------------------------ lookups
def _lookup_name(name: str, where: str) -> Place:
    """A name through the one gazetteer (:func:`geo.gazetteer.resolve_place`), errors prefixed with ``where``."""
    if not name:
        raise InputError(f"{where}: empty place name", "write a place name or coordinates")
    try:
        hit = resolve_place(name)
    except InputError as e:
        raise InputError(f"{where}: {e.problem}", e.fix) from None
    return Place(hit.name, hit.lon, hit.lat, kind=hit.kind, source=hit.source)


@lru_cache(maxsize=4)
def _counties() -> Any:
    d = shared_data_dir()
    if d is None:
        return None

    files = sorted((d / "boundaries").glob("*_counties_wgs84.geojson"))
    files = [f for f in files if not f.name.startswith("fastgeocn")]
    if not files:
        return None
    return gpd.GeoDataFrame(pd.concat([gpd.read_file(f) for f in files], ignore_index=True), crs="EPSG:4326")


def county_polygon(name: str, where: str = "county") -> tuple[str, Any]:
    """The WGS84 outline of a county (or city district) by its Chinese name.

    Returns ``(full_name, polygon)``.
    """
    g = _counties()
    if g is None:
        raise InputError(
            f"{where}: county {name!r} needs the county boundaries, which are absent",
            "set GEO_SHARED_DATA to the folder holding boundaries/*_counties_wgs84.geojson, or give a polygon file",
        )
    hit = g[g["name"] == name]
    if hit.empty:
        hit = g[g["name"].map(admin_base) == admin_base(name)]
    if hit.empty:
        close = difflib.get_close_matches(name, g["name"].tolist(), n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(f"{where}: unknown county {name!r}{hint}", "use a county name as in boundaries/*_counties_wgs84.geojson")
    row = hit.iloc[0]
    return str(row["name"]), row.geometry


def _county(name: str, where: str, point: str = "representative") -> Place:
    full, poly = county_polygon(name, where)
    if point == "centroid":
        c = poly.centroid
        src = "centroid of the county polygon"
    elif point in ("representative", "population_weighted"):
        # population weighting needs a raster: the caller (coverage claims) does that;
        # the stand-in point is always inside the polygon
        c = poly.representative_point()
        src = "representative point of the county polygon"
    elif point == "seat":
        seat = gazetteer().seat(full)
        if seat is None:
            raise InputError(f"{where}: no county seat known for {full!r}", "use point: representative")
        return Place(full, seat.lon, seat.lat, kind="county", source="county seat (admin centre)", polygon=poly)
    else:
        raise InputError(f"{where}: unknown point {point!r} for a county", "use point: seat, representative or centroid")
    return Place(full, float(c.x), float(c.y), kind="county", source=src, polygon=poly)


def _polygon(spec: dict, where: str) -> Place:
    """``{name: R, polygon: [[lon, lat], ...]}`` (WGS84 ring) -> a polygon place."""
    ring = spec["polygon"]
    try:
        poly = shapely.Polygon([(float(x), float(y)) for x, y in ring])
    except (TypeError, ValueError):
        raise InputError(f"{where}: polygon must be a list of [lon, lat] pairs", "write polygon: [[108.9, 34.2], [109.0, 34.2], [109.0, 34.3]]") from None
    if not poly.is_valid:
        raise InputError(f"{where}: polygon is not valid ({shapely.is_valid_reason(poly)})", "fix self-intersections: list the ring's corners in order")
    c = poly.representative_point()
    return Place(str(spec.get("name", "polygon")), float(c.x), float(c.y), kind="county", source="given polygon", polygon=poly)


def resolve_path(value: str | Path, base: Path | None) -> Path:
    """Resolve a data path from a YAML file.

    ``shared:rail/x.csv`` is relative to :func:`geo.settings.shared_data_dir`;
    other relative paths are relative to the YAML file's folder ``base``.

    Raises
    ------
    InputError
        ``shared:`` paths when the shared-data folder is absent.
    """
    s = str(value)
    if s.startswith("shared:"):
        d = shared_data_dir()
        if d is None:
            raise InputError(
                f"{s} refers to the shared data folder, which is absent",
                "set GEO_SHARED_DATA to the folder or pass the file path explicitly",
            )
        return d / s[len("shared:") :].lstrip("/")
    p = Path(s).expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return p
