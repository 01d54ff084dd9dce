"""geo: spatial accessibility analysis -- travel times, isochrones, claims, scenarios.

Quick start
-----------
>>> import geo                                                # doctest: +SKIP
>>> net = geo.Network.from_file("helsinki.osm.pbf", mode="walk")  # doctest: +SKIP
>>> bands = geo.isochrones(net, (24.941, 60.171), minutes=[5, 10, 15])  # doctest: +SKIP
>>> bands.explore()                                           # doctest: +SKIP
"""

from __future__ import annotations

from geo.errors import DataError, GeoError, InputError, NetworkUnavailableError, SnapError
from geo.network import Network
from geo.routing import Route, node_times, od_matrix, route, search, snap

__version__ = "0.1.0"

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
]
