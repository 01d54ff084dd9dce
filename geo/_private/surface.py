"""Travel-time surface: the exact continuous field behind isochrones and rasters.

A point ``p`` of the plane is reached at time

    S(p) = min over reached points q of the network, |p - q| <= D, of  t(q) + |p - q| / v

where ``t(q)`` is the travel time to ``q`` (linear along every edge, from the
time of the edge's start node), ``v`` the off-network speed and ``D`` the
off-network limit. ``S(p) <= T`` is exactly the union, over reached ``q``, of
discs of radius ``min(D, (T - t(q)) v)``: the isochrone of ``T``.

Everything is expressed as *segments with linear time*: ``(x0, y0, t0)`` to
``(x1, y1, t1)`` in a metric CRS with ``t1 >= t0``. A directed edge ``u -> v``
reached at ``t_u`` is the segment ``(u, t_u) -> (v, t_u + edge_time)``; the
two directions of a street are two segments and the field takes the minimum,
so the meeting point in the middle of an edge is exact. An origin and its
snapping leg are segments too (a point is a zero-length segment).

For one segment the minimum over ``q`` has a closed form: with ``s`` the
position along the segment, ``t0 + a s + |p - q(s)| / v`` is convex in ``s``;
the unconstrained minimiser is ``s* = s_p - h k / sqrt(1 - k^2)`` (``k = a v``,
``s_p`` the projection of ``p``, ``h`` its distance to the line; ``s* = 0`` if
``k >= 1``), clipped to the interval of ``s`` where ``|p - q(s)| <= D``.
:func:`rasterize_segments` evaluates it at cell centres (compiled).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numba import njit

from geo.network import Network

#: "nice" cell sizes (metres) the automatic choice snaps to, so grids stay aligned
NICE_CELLS = (5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0)


@dataclasses.dataclass(frozen=True)
class Segments:
    """Segments with linear time in a metric CRS (``t1 >= t0``, seconds)."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    t0: np.ndarray
    t1: np.ndarray

    def __len__(self) -> int:
        return int(self.x0.shape[0])

    def take(self, idx: np.ndarray) -> Segments:
        return Segments(*(getattr(self, f.name)[idx] for f in dataclasses.fields(self)))

    @staticmethod
    def concat(parts: list[Segments]) -> Segments:
        return Segments(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in dataclasses.fields(Segments)))

    def reached_extent(self, limit_s: float, speed_ms: float, max_m: float) -> tuple[float, float, float, float]:
        """Bounding box of everything the segments reach within ``limit_s``."""
        ok = self.t0 <= limit_s
        if not ok.any():
            return (np.nan, np.nan, np.nan, np.nan)
        s = self.take(np.flatnonzero(ok))
        length = np.hypot(s.x1 - s.x0, s.y1 - s.y0)
        dt = s.t1 - s.t0
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(dt > 0, np.clip((limit_s - s.t0) / dt, 0.0, 1.0), 1.0)
        frac = np.where(length > 0, frac, 0.0)
        xe = s.x0 + frac * (s.x1 - s.x0)
        ye = s.y0 + frac * (s.y1 - s.y0)
        r = np.minimum(max_m, (limit_s - s.t0) * speed_ms)
        return (
            float(np.min(np.minimum(s.x0, xe) - r)),
            float(np.min(np.minimum(s.y0, ye) - r)),
            float(np.max(np.maximum(s.x0, xe) + r)),
            float(np.max(np.maximum(s.y0, ye) + r)),
        )


def edge_segments(
    net: Network,
    node_seconds: np.ndarray,
    limit_s: float,
    edge_mask: np.ndarray | None = None,
) -> Segments:
    """One segment per directed edge whose start node is reached within ``limit_s``."""
    t = np.asarray(node_seconds, dtype=np.float64)
    tu = t[net.edge_u]
    ok = np.isfinite(tu) & (tu <= limit_s)
    if edge_mask is not None:
        ok &= np.asarray(edge_mask, dtype=bool)
    idx = np.flatnonzero(ok)
    xy = net.xy
    u, v = net.edge_u[idx], net.edge_v[idx]
    t0 = tu[idx]
    return Segments(xy[u, 0], xy[u, 1], xy[v, 0], xy[v, 1], t0, t0 + net.edge_time_s[idx])


def origin_segments(net: Network, origins_xy: np.ndarray, snapped, edge_mask: np.ndarray | None = None) -> Segments:
    """Segments for snapped origins: the origin point (time 0), the snapping leg,
    and the two partial edges from the snapped point (without them the first
    edge would only be reached from its end nodes)."""
    rev = net.reverse_edge()
    xy = net.xy
    parts: list[tuple[float, float, float, float, float, float]] = []
    for i in range(len(snapped.edge)):
        e = int(snapped.edge[i])
        if e < 0:
            continue
        ox, oy = float(origins_xy[i, 0]), float(origins_xy[i, 1])
        f = float(snapped.fraction[i])
        acc = float(snapped.access_s[i])
        ux, uy = xy[net.edge_u[e]]
        vx, vy = xy[net.edge_v[e]]
        px, py = ux + f * (vx - ux), uy + f * (vy - uy)
        parts.append((ox, oy, ox, oy, 0.0, 0.0))
        parts.append((ox, oy, px, py, 0.0, acc))
        if edge_mask is None or edge_mask[e]:
            parts.append((px, py, vx, vy, acc, acc + (1 - f) * float(net.edge_time_s[e])))
        r = int(rev[e])
        if r >= 0 and (edge_mask is None or edge_mask[r]):
            parts.append((px, py, ux, uy, acc, acc + f * float(net.edge_time_s[r])))
    if not parts:
        z = np.zeros(0)
        return Segments(z, z, z, z, z, z)
    a = np.asarray(parts, dtype=np.float64)
    return Segments(a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5])


@dataclasses.dataclass(frozen=True)
class Grid:
    """A north-up grid in a metric CRS: cell ``(row, col)`` has centre
    ``(x0 + (col + .5) cell, y1 - (row + .5) cell)``."""

    x0: float
    y1: float
    cell: float
    nx: int
    ny: int

    @classmethod
    def covering(cls, extent: tuple[float, float, float, float], cell: float, pad_cells: int = 1) -> Grid:
        """The grid aligned to multiples of ``cell`` covering ``extent`` plus a margin."""
        xmin, ymin, xmax, ymax = extent
        x0 = (math.floor(xmin / cell) - pad_cells) * cell
        y0 = (math.floor(ymin / cell) - pad_cells) * cell
        x1 = (math.ceil(xmax / cell) + pad_cells) * cell
        y1 = (math.ceil(ymax / cell) + pad_cells) * cell
        return cls(x0, y1, cell, round((x1 - x0) / cell), round((y1 - y0) / cell))

    @property
    def transform(self):
        from rasterio.transform import Affine

        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y1)

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny


def auto_cell(extent: tuple[float, float, float, float], max_m: float, target_cells: float = 250_000) -> float:
    """A "nice" cell size: about ``target_cells`` cells over the extent, at most
    half the off-network limit (so the strip along a road is resolved)."""
    w = max(extent[2] - extent[0], 1.0)
    h = max(extent[3] - extent[1], 1.0)
    want = math.sqrt(w * h / target_cells)
    cap = max(max_m / 2.0, NICE_CELLS[0]) if max_m > 0 else NICE_CELLS[-1]
    want = min(want, cap)
    fits = [c for c in NICE_CELLS if c >= want]
    c = fits[0] if fits else NICE_CELLS[-1]
    if c > cap:
        below = [x for x in NICE_CELLS if x <= cap]
        c = below[-1] if below else NICE_CELLS[0]
    return c


@njit(cache=True, nogil=True)
def _rasterize(x0s, y0s, x1s, y1s, t0s, t1s, gx0, gy1, cell, nx, ny, speed, dmax, limit, out):
    for i in range(x0s.shape[0]):
        t0 = t0s[i]
        if t0 > limit:
            continue
        ax, ay, bx, by = x0s[i], y0s[i], x1s[i], y1s[i]
        dx, dy = bx - ax, by - ay
        length = math.sqrt(dx * dx + dy * dy)
        dt = t1s[i] - t0
        # reached part of the segment (for the bounding box only)
        if length > 0.0 and dt > 0.0:
            fr = (limit - t0) / dt
            if fr > 1.0:
                fr = 1.0
        else:
            fr = 1.0
        ex, ey = ax + fr * dx, ay + fr * dy
        r = (limit - t0) * speed
        if r > dmax:
            r = dmax
        xmin = min(ax, ex) - r
        xmax = max(ax, ex) + r
        ymin = min(ay, ey) - r
        ymax = max(ay, ey) + r
        c0 = math.floor((xmin - gx0) / cell - 0.5) + 1
        c1 = math.floor((xmax - gx0) / cell - 0.5)
        r0 = math.floor((gy1 - ymax) / cell - 0.5) + 1
        r1 = math.floor((gy1 - ymin) / cell - 0.5)
        if c0 < 0:
            c0 = 0
        if r0 < 0:
            r0 = 0
        if c1 > nx - 1:
            c1 = nx - 1
        if r1 > ny - 1:
            r1 = ny - 1
        if length > 0.0:
            ux, uy = dx / length, dy / length
            a = dt / length
            k = a * speed
        else:
            ux, uy, a, k = 0.0, 0.0, 0.0, 0.0
        shift_per_h = k / math.sqrt(1.0 - k * k) if k < 1.0 else -1.0
        d2max = dmax * dmax
        for row in range(r0, r1 + 1):
            py = gy1 - (row + 0.5) * cell
            for col in range(c0, c1 + 1):
                px = gx0 + (col + 0.5) * cell
                qx, qy = px - ax, py - ay
                if length == 0.0:
                    d2 = qx * qx + qy * qy
                    if d2 > d2max:
                        continue
                    cand = t0 + math.sqrt(d2) / speed
                else:
                    sp = qx * ux + qy * uy
                    h = abs(qx * uy - qy * ux)
                    if h > dmax:
                        continue
                    w = math.sqrt(d2max - h * h)
                    lo = sp - w
                    if lo < 0.0:
                        lo = 0.0
                    hi = sp + w
                    if hi > length:
                        hi = length
                    if lo > hi:
                        continue
                    if shift_per_h >= 0.0:
                        s = sp - h * shift_per_h
                    else:
                        s = lo
                    if s < lo:
                        s = lo
                    elif s > hi:
                        s = hi
                    ds = s - sp
                    cand = t0 + a * s + math.sqrt(ds * ds + h * h) / speed
                if cand < out[row, col]:
                    out[row, col] = cand
    return out


def rasterize_segments(seg: Segments, grid: Grid, speed_ms: float, max_m: float, limit_s: float) -> np.ndarray:
    """The surface ``S`` (seconds) at the grid's cell centres; ``inf`` where
    nothing is reached within ``limit_s`` (values up to ``limit_s`` are exact,
    larger values are dropped to ``inf``)."""
    out = np.full((grid.ny, grid.nx), np.inf)
    speed = float(speed_ms) if speed_ms > 0 else 1e-9
    dmax = float(max_m) if speed_ms > 0 else 0.0
    _rasterize(
        seg.x0, seg.y0, seg.x1, seg.y1, seg.t0, seg.t1,
        float(grid.x0), float(grid.y1), float(grid.cell), grid.nx, grid.ny,
        speed, max(dmax, 0.0), float(limit_s), out,
    )  # fmt: skip
    out[out > limit_s] = np.inf
    return out
