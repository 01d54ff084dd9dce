"""Synthetic road-like networks for tests, benchmarks and examples.

Real networks are irregular; these grids are not, but they have the features
that matter for routing performance: a hierarchy of speeds (local streets,
arterials, expressways), jittered node positions, and two-way edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.network import Network

_M_PER_DEG_LAT = 111_320.0


def grid_network(
    k: int,
    *,
    spacing_m: float = 100.0,
    centre: tuple[float, float] = (112.55, 37.87),
    local_kmh: float = 30.0,
    arterial_kmh: float = 60.0,
    arterial_every: int = 10,
    expressway_kmh: float = 100.0,
    expressway_every: int = 50,
    jitter_m: float = 15.0,
    seed: int = 0,
    mode: str = "drive",
) -> Network:
    """A ``k`` x ``k`` road-like grid (``k*k`` nodes, ~``4*k*k`` directed edges).

    Rows and columns that are multiples of ``arterial_every`` are arterials,
    multiples of ``expressway_every`` expressways; the rest are local streets.

    Examples
    --------
    >>> net = grid_network(20)
    >>> net.n_nodes, net.n_edges
    (400, 1520)
    >>> sorted(str(h) for h in set(net.edge_attrs["highway"]))
    ['motorway', 'primary', 'residential']
    """
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    x = jj * spacing_m + rng.uniform(-jitter_m, jitter_m, ii.shape)
    y = ii * spacing_m + rng.uniform(-jitter_m, jitter_m, ii.shape)
    lat0 = centre[1]
    lat = lat0 + (y - y.mean()) / _M_PER_DEG_LAT
    lon = centre[0] + (x - x.mean()) / (_M_PER_DEG_LAT * np.cos(np.radians(lat0)))
    idx = np.arange(k * k).reshape(k, k)

    def line_class(line_no: np.ndarray) -> np.ndarray:
        cls = np.zeros(line_no.shape, dtype=np.int8)
        cls[line_no % arterial_every == 0] = 1
        cls[line_no % expressway_every == 0] = 2
        return cls

    # horizontal edges lie on row i, vertical edges on column j
    hu, hv = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    hcls = line_class(ii[:, :-1].ravel())
    vu, vv = idx[:-1, :].ravel(), idx[1:, :].ravel()
    vcls = line_class(jj[:-1, :].ravel())
    u = np.concatenate([hu, hv, vu, vv])
    v = np.concatenate([hv, hu, vv, vu])
    cls = np.concatenate([hcls, hcls, vcls, vcls])
    speeds = np.array([local_kmh, arterial_kmh, expressway_kmh])[cls]
    names = np.array(["residential", "primary", "motorway"])

    attrs = pd.DataFrame(
        {"highway": pd.Categorical(names[cls], categories=list(names)), "speed_kmh": speeds.astype(np.float32)}
    )
    return Network.from_edges(
        lon.ravel(),
        lat.ravel(),
        u,
        v,
        speed_kmh=speeds,
        attrs=attrs,
        mode=mode,
        meta={"source": f"synthetic grid {k}x{k}, {spacing_m:g} m"},
    )
