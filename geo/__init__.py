"""geo: spatial accessibility analysis -- travel times, isochrones, claims, scenarios.

Quick start
-----------
>>> import geo
>>> from geo.isochrones import isochrones
>>> net = geo.grid_network(50)                    # or geo.Network.from_file("helsinki.osm.pbf", mode="walk")
>>> bands = isochrones(net, (112.55, 37.87), minutes=[2, 4])
>>> bands[["minutes", "area_km2"]].shape          # a GeoDataFrame: .explore(), .to_file() just work
(2, 2)
>>> m = geo.maps.isochrone_map(bands, origins=(112.55, 37.87))   # offline folium map
>>> geo.maps.save_map(m, "map.html")              # doctest: +SKIP

The core (:class:`Network`, :mod:`geo.routing`) is imported eagerly; the
rest is imported on first use, so ``import geo`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from geo.errors import DataError, GeoError, InputError, NetworkUnavailableError, SnapError
from geo.network import Network
from geo.routing import Route, node_times, od_matrix, route, search, snap

__version__ = "0.1.0"

#: public names imported on first use: name -> module (no name may equal a submodule's:
#: importing the submodule would replace the attribute)
_LAZY = {
    "grid_network": "geo.synthetic",
    "load_network": "geo.io",
    "isochrones_from_times": "geo.isochrones",
    "travel_time_raster": "geo.raster",
    "population_in_bands": "geo.raster",
    "points_in_bands": "geo.access",
    "two_step_fca": "geo.access",
    "gravity_access": "geo.access",
    "to_wgs84": "geo.crs",
    "load_gtfs": "geo.gtfs",
    "load_line": "geo.lines",
    "build_rail_network": "geo.rail",
    "RailContext": "geo.multimodal",
    "door_to_door": "geo.multimodal",
    "resolve_place": "geo.gazetteer",
    "load_claims": "geo.claims",
    "evaluate_claims": "geo.claims",
    "load_scenario": "geo.scenario",
    "compare_places": "geo.compare",
    "compare_bands": "geo.compare",
    "run_study": "geo.study",
    "Report": "geo.report",
}
_SUBMODULES = ("maps", "plot", "report", "io", "routing", "isochrones", "raster", "access", "rail", "gtfs", "lines",
               "multimodal", "claims", "scenario", "compare", "study", "crs", "settings", "synthetic")  # fmt: skip

__all__ = [
    "DataError",
    "GeoError",
    "InputError",
    "Network",
    "NetworkUnavailableError",
    "Route",
    "SnapError",
    "node_times",
    "od_matrix",
    "route",
    "search",
    "snap",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"geo.{name}")
    else:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
