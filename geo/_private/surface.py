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
import weakref

import numba
import numpy as np
from numba import njit, prange

from geo.network import Network

#: "nice" cell sizes (metres) the automatic choice snaps to, so grids stay aligned
NICE_CELLS = (5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0)


_REV_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reverse_edges(net: Network) -> np.ndarray:
    """:meth:`Network.reverse_edge`, cached per network object (it sorts all edges)."""
    hit = _REV_CACHE.get(net)
    if hit is None:
        hit = net.reverse_edge()
        _REV_CACHE[net] = hit
    return hit


@dataclasses.dataclass(frozen=True)
class Segments:
    """Segments with linear time in a metric CRS (seconds).

    Forward: time ``t0`` at ``(x0, y0)`` rising linearly to ``t1`` at
    ``(x1, y1)``. Optional backward direction of the same street: ``b0`` at
    ``(x1, y1)`` rising to ``b1`` at ``(x0, y0)``; ``inf`` when absent or
    unreached. Pairing both directions halves the work of the raster kernel.
    """

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    b0: np.ndarray
    b1: np.ndarray

    @classmethod
    def one_way(cls, x0, y0, x1, y1, t0, t1) -> Segments:
        a = [np.asarray(v, dtype=np.float64) for v in (x0, y0, x1, y1, t0, t1)]
        inf = np.full(a[0].shape, np.inf)
        return cls(a[0], a[1], a[2], a[3], a[4], a[5], inf, inf.copy())

    def __len__(self) -> int:
        return int(self.x0.shape[0])

    def take(self, idx: np.ndarray) -> Segments:
        return Segments(*(getattr(self, f.name)[idx] for f in dataclasses.fields(self)))

    @staticmethod
    def concat(parts: list[Segments]) -> Segments:
        return Segments(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in dataclasses.fields(Segments)))

    def directed(self) -> Segments:
        """The same segments with every direction separate (``b`` all inf)."""
        back = np.isfinite(self.b0)
        f = Segments.one_way(self.x0, self.y0, self.x1, self.y1, self.t0, self.t1)
        f = f.take(np.flatnonzero(np.isfinite(self.t0)))
        i = np.flatnonzero(back)
        b = Segments.one_way(self.x1[i], self.y1[i], self.x0[i], self.y0[i], self.b0[i], self.b1[i])
        return Segments.concat([f, b])

    def reached_extent(self, limit_s: float, speed_ms: float, max_m: float) -> tuple[float, float, float, float]:
        """Bounding box of everything the segments reach within ``limit_s`` (NaNs if nothing)."""
        return _extent(
            self.x0, self.y0, self.x1, self.y1, self.t0, self.t1, self.b0, self.b1,
            float(limit_s), float(speed_ms), float(max_m),
        )  # fmt: skip


@njit(cache=True, nogil=True)
def _reach_box(ax, ay, bx, by, t0, t1, limit, speed, dmax):
    """Bounding box of what a one-way segment reaches by ``limit`` (xmin > xmax if nothing)."""
    if not t0 <= limit:
        return np.inf, np.inf, -np.inf, -np.inf
    dt = t1 - t0
    fr = 1.0
    if dt > 0.0:
        fr = (limit - t0) / dt
        if fr > 1.0:
            fr = 1.0
    ex = ax + fr * (bx - ax)
    ey = ay + fr * (by - ay)
    r = (limit - t0) * speed
    if r > dmax:
        r = dmax
    return min(ax, ex) - r, min(ay, ey) - r, max(ax, ex) + r, max(ay, ey) + r


@njit(cache=True, nogil=True)
def _extent(x0s, y0s, x1s, y1s, t0s, t1s, b0s, b1s, limit, speed, dmax):
    xmin = ymin = np.inf
    xmax = ymax = -np.inf
    for i in range(x0s.shape[0]):
        f = _reach_box(x0s[i], y0s[i], x1s[i], y1s[i], t0s[i], t1s[i], limit, speed, dmax)
        g = _reach_box(x1s[i], y1s[i], x0s[i], y0s[i], b0s[i], b1s[i], limit, speed, dmax)
        xmin = min(xmin, f[0], g[0])
        ymin = min(ymin, f[1], g[1])
        xmax = max(xmax, f[2], g[2])
        ymax = max(ymax, f[3], g[3])
    if xmin > xmax:
        return (np.nan, np.nan, np.nan, np.nan)
    return (xmin, ymin, xmax, ymax)


def edge_segments(
    net: Network,
    node_seconds: np.ndarray,
    limit_s: float,
    edge_mask: np.ndarray | None = None,
) -> Segments:
    """Segments for the edges whose start node is reached within ``limit_s``;
    the two directions of a two-way street share one segment."""
    t = np.asarray(node_seconds, dtype=np.float64)
    m = net.n_edges
    tu = t[net.edge_u]
    ok = np.isfinite(tu) & (tu <= limit_s)
    if edge_mask is not None:
        ok &= np.asarray(edge_mask, dtype=bool)
    e = np.arange(m)
    rev = reverse_edges(net)
    paired = rev >= 0
    paired[paired] &= rev[rev[paired]] == e[paired]
    canon = paired & (e < rev)
    single = ~paired
    # pairs: keep the canonical edge if either direction is reached
    pe = np.flatnonzero(canon)
    pr = rev[pe]
    keep = ok[pe] | ok[pr]
    pe, pr = pe[keep], pr[keep]
    se = np.flatnonzero(single & ok)
    idx = np.concatenate([pe, se])
    xy = net.xy
    u, v = net.edge_u[idx], net.edge_v[idx]
    fwd_ok = ok[idx]
    t0 = np.where(fwd_ok, tu[idx], np.inf)
    t1 = t0 + net.edge_time_s[idx]
    b0 = np.full(len(idx), np.inf)
    b0[: len(pe)] = np.where(ok[pr], tu[pr], np.inf)
    b1 = b0.copy()
    b1[: len(pe)] += net.edge_time_s[pr]
    return Segments(xy[u, 0], xy[u, 1], xy[v, 0], xy[v, 1], t0, t1, b0, b1)


def origin_segments(net: Network, origins_xy: np.ndarray, snapped, edge_mask: np.ndarray | None = None) -> Segments:
    """Segments for snapped origins: the origin point (time 0), the snapping leg,
    and the two partial edges from the snapped point (without them the first
    edge would only be reached from its end nodes)."""
    rev = reverse_edges(net)
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
        return Segments.one_way(z, z, z, z, z, z)
    a = np.asarray(parts, dtype=np.float64)
    return Segments.one_way(a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5])


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
        from rasterio.transform import Affine  # GDAL (0.1 s): only raster output needs it

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


@njit(cache=True, nogil=True, parallel=True)
def _rasterize(x0s, y0s, x1s, y1s, t0s, t1s, b0s, b1s, gx0, gy1, cell, nx, ny, speed, dmax, limit, out, nblocks):
    # row blocks in parallel: every block scans all segments but writes only its own rows
    for b in prange(nblocks):
        lo_row = (ny * b) // nblocks
        hi_row = (ny * (b + 1)) // nblocks - 1
        if hi_row >= lo_row:
            _rasterize_rows(
                x0s, y0s, x1s, y1s, t0s, t1s, b0s, b1s, gx0, gy1, cell, nx, speed, dmax, limit, out, lo_row, hi_row
            )
    return out


@njit(cache=True, nogil=True, inline="always")
def _one_way(t0, a, shift, sp, h, w, length, speed):
    """min over s in [sp - w, sp + w] ∩ [0, length] of t0 + a s + |(s - sp, h)| / speed."""
    lo = sp - w
    if lo < 0.0:
        lo = 0.0
    hi = sp + w
    if hi > length:
        hi = length
    if lo > hi:
        return np.inf
    s = sp - h * shift if shift >= 0.0 else lo
    if s < lo:
        s = lo
    elif s > hi:
        s = hi
    ds = s - sp
    return t0 + a * s + math.sqrt(ds * ds + h * h) / speed


@njit(cache=True, nogil=True)
def _rasterize_rows(x0s, y0s, x1s, y1s, t0s, t1s, b0s, b1s, gx0, gy1, cell, nx, speed, dmax, limit, out, lo_row, hi_row):
    d2max = dmax * dmax
    for i in range(x0s.shape[0]):
        ax, ay, bx, by = x0s[i], y0s[i], x1s[i], y1s[i]
        t0, b0 = t0s[i], b0s[i]
        f = _reach_box(ax, ay, bx, by, t0, t1s[i], limit, speed, dmax)
        g = _reach_box(bx, by, ax, ay, b0, b1s[i], limit, speed, dmax)
        xmin, ymin = min(f[0], g[0]), min(f[1], g[1])
        xmax, ymax = max(f[2], g[2]), max(f[3], g[3])
        if xmin > xmax:
            continue
        c0 = max(math.floor((xmin - gx0) / cell - 0.5) + 1, 0)
        c1 = min(math.floor((xmax - gx0) / cell - 0.5), nx - 1)
        r0 = max(math.floor((gy1 - ymax) / cell - 0.5) + 1, lo_row)
        r1 = min(math.floor((gy1 - ymin) / cell - 0.5), hi_row)
        if r0 > r1 or c0 > c1:
            continue
        dx, dy = bx - ax, by - ay
        length = math.sqrt(dx * dx + dy * dy)
        fwd = t0 <= limit
        bwd = b0 <= limit
        if length > 0.0:
            ux, uy = dx / length, dy / length
            af = (t1s[i] - t0) / length
            ab = (b1s[i] - b0) / length
        else:
            ux, uy, af, ab = 0.0, 0.0, 0.0, 0.0
        # a lower bound of any time this segment gives a cell at distance h: the earliest
        # time on the segment (either end, in a reached direction) plus h at walking speed
        tmin = min(min(t0, t1s[i]) if fwd else np.inf, min(b0, b1s[i]) if bwd else np.inf)
        inv_speed = 1.0 / speed
        kf, kb = af * speed, ab * speed
        shf = kf / math.sqrt(1.0 - kf * kf) if kf < 1.0 else -1.0
        shb = kb / math.sqrt(1.0 - kb * kb) if kb < 1.0 else -1.0
        for row in range(r0, r1 + 1):
            py = gy1 - (row + 0.5) * cell
            qy = py - ay
            for col in range(c0, c1 + 1):
                qx = gx0 + (col + 0.5) * cell - ax
                if length == 0.0:
                    d2 = qx * qx + qy * qy
                    if d2 > d2max:
                        continue
                    cand = min(t0, b0) + math.sqrt(d2) / speed
                else:
                    h = abs(qx * uy - qy * ux)
                    if h > dmax:
                        continue
                    if tmin + h * inv_speed >= out[row, col]:
                        continue  # no point of this segment can beat the cell's time
                    sp = qx * ux + qy * uy
                    w = math.sqrt(d2max - h * h)
                    cand = np.inf
                    if fwd:
                        cand = _one_way(t0, af, shf, sp, h, w, length, speed)
                    if bwd:
                        cb = _one_way(b0, ab, shb, length - sp, h, w, length, speed)
                        if cb < cand:
                            cand = cb
                if cand < out[row, col]:
                    out[row, col] = cand
        # burn the reached road itself: a cell crossed by the road takes the time at which
        # the road enters it, so every reached point of an edge lies in its band even where
        # the band is thinner than a cell (the tip of a fast road)
        if fwd:
            _burn(ax, ay, bx, by, t0, t1s[i], gx0, gy1, cell, nx, limit, out, lo_row, hi_row)
        if bwd:
            _burn(bx, by, ax, ay, b0, b1s[i], gx0, gy1, cell, nx, limit, out, lo_row, hi_row)
    return out


@njit(cache=True, nogil=True)
def _burn(ax, ay, bx, by, t0, t1, gx0, gy1, cell, nx, limit, out, lo_row, hi_row):
    """Cells crossed by the reached part of a one-way segment get its entry time."""
    dx, dy = bx - ax, by - ay
    # parameters u in [0, 1] where the segment crosses grid lines, walked in order
    u_end = 1.0
    if t1 > t0 and t1 > limit:
        u_end = (limit - t0) / (t1 - t0)
    u = 0.0
    while True:
        # cell of the point just after u
        eps = 1e-9
        um = min(u + eps, u_end)
        x = ax + um * dx
        y = ay + um * dy
        col = math.floor((x - gx0) / cell)
        row = math.floor((gy1 - y) / cell)
        if lo_row <= row <= hi_row and 0 <= col < nx:
            t = t0 + u * (t1 - t0)
            if t < out[row, col]:
                out[row, col] = t
        if u >= u_end:
            break
        # next grid-line crossing after u
        nu = u_end
        if dx > 0.0:
            nu = min(nu, (gx0 + (col + 1) * cell - ax) / dx)
        elif dx < 0.0:
            nu = min(nu, (gx0 + col * cell - ax) / dx)
        if dy > 0.0:
            nu = min(nu, (gy1 - row * cell - ay) / dy)
        elif dy < 0.0:
            nu = min(nu, (gy1 - (row + 1) * cell - ay) / dy)
        if nu <= u:
            nu = u + eps
        u = nu


def _n_blocks(ny: int) -> int:
    return max(1, min(int(numba.get_num_threads()), ny // 16))


def rasterize_segments(seg: Segments, grid: Grid, speed_ms: float, max_m: float, limit_s: float) -> np.ndarray:
    """The surface ``S`` (seconds) at the grid's cell centres; ``inf`` where
    nothing is reached within ``limit_s`` (values up to ``limit_s`` are exact,
    larger values are dropped to ``inf``)."""
    out = np.full((grid.ny, grid.nx), np.inf)
    speed = float(speed_ms) if speed_ms > 0 else 1e-9
    dmax = float(max_m) if speed_ms > 0 else 0.0
    _rasterize(
        seg.x0, seg.y0, seg.x1, seg.y1, seg.t0, seg.t1, seg.b0, seg.b1,
        float(grid.x0), float(grid.y1), float(grid.cell), grid.nx, grid.ny,
        speed, max(dmax, 0.0), float(limit_s), out, _n_blocks(grid.ny),
    )  # fmt: skip
    out[out > limit_s] = np.inf
    return out
