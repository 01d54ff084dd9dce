"""Nearest-segment queries over millions of straight segments, light on memory.

A shapely STRtree over the edges of a 1M-node network holds two million GEOS
LineStrings (about 500 MB). Most road segments are short, so this index
keeps them as midpoints in a SciPy cKDTree (tens of MB) and only the few
long segments in a small STRtree:

* a point's distance to a segment of half-length ``h`` is at least its
  distance to the segment's midpoint minus ``h``; so once some segment is
  known to lie at distance ``ub``, every nearer segment has its midpoint
  within ``ub + h_max`` of the point, and a ball query finds them all;
* segments longer than ``2 * h_max`` are looked up in the STRtree.

The answer is exact (the nearest segment, ties to the lowest index), like
``STRtree.query_nearest``.
"""

from __future__ import annotations

import numpy as np

#: segments up to this length (m) go into the midpoint KD-tree
SHORT_M = 300.0


def point_segment_distance(
    px: np.ndarray, py: np.ndarray, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
) -> np.ndarray:
    """Euclidean distance from points to segments (element-wise; zero-length segments are points).

    Examples
    --------
    >>> point_segment_distance(np.array([0.0, 5.0]), np.array([1.0, 0.0]), np.zeros(2), np.zeros(2), np.full(2, 2.0), np.zeros(2))
    array([1., 3.])
    """
    dx, dy = x1 - x0, y1 - y0
    l2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(l2 > 0, ((px - x0) * dx + (py - y0) * dy) / np.where(l2 > 0, l2, 1.0), 0.0)
    f = np.clip(f, 0.0, 1.0)
    return np.hypot(px - (x0 + f * dx), py - (y0 + f * dy))


class SegmentIndex:
    """Index of segments ``(xy[a[k]], xy[b[k]])``; :meth:`nearest` returns positions ``k``.

    Parameters
    ----------
    xy
        Point coordinates, shape (n, 2), metres (kept by reference, not copied).
    a, b
        Start and end point of each segment (indices into ``xy``).
    short_m
        Segments up to this length are indexed by midpoint, longer ones in an STRtree.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 5.0], [1000.0, 5.0]])
    >>> idx = SegmentIndex(xy, np.array([0, 2]), np.array([1, 3]))
    >>> k, d = idx.nearest(np.array([5.0, 500.0]), np.array([1.0, 0.0]), max_distance=50.0)
    >>> k.tolist(), d.round(1).tolist()
    ([0, 1], [1.0, 5.0])
    """

    def __init__(self, xy: np.ndarray, a: np.ndarray, b: np.ndarray, short_m: float = SHORT_M) -> None:
        from scipy.spatial import cKDTree

        self.xy, self.a, self.b = xy, np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        length = np.hypot(*(xy[self.b] - xy[self.a]).T) if len(self.a) else np.zeros(0)
        short = length <= short_m
        self.short = np.flatnonzero(short)
        self.long = np.flatnonzero(~short)
        self.half = float(length[self.short].max() / 2) if len(self.short) else 0.0
        # short segments in length tiers, one midpoint KD-tree each: a ball query only has to
        # reach as far as the longest segment of its own tier, so few candidates come back
        self.tiers: list[tuple[np.ndarray, float, object]] = []
        bounds = [b_ for b_ in (30.0, 100.0) if b_ < short_m] + [short_m]
        lo = -1.0
        for hi in bounds:
            k = self.short[(length[self.short] > lo) & (length[self.short] <= hi)]
            lo = hi
            if len(k):
                mid_k = (xy[self.a[k]] + xy[self.b[k]]) / 2
                self.tiers.append((k, float(length[k].max() / 2), cKDTree(mid_k)))
        self.tree = self.tiers[0][2] if self.tiers else None
        self.long_tree = None
        if len(self.long):
            import shapely

            self.long_tree = shapely.STRtree(
                shapely.linestrings(np.stack([xy[self.a[self.long]], xy[self.b[self.long]]], axis=1))
            )

    def _dist(self, k: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
        p0, p1 = self.xy[self.a[k]], self.xy[self.b[k]]
        return point_segment_distance(px, py, p0[:, 0], p0[:, 1], p1[:, 0], p1[:, 1])

    def nearest(self, px: np.ndarray, py: np.ndarray, max_distance: float) -> tuple[np.ndarray, np.ndarray]:
        """Nearest segment of each point within ``max_distance``: ``(k, distance)``, ``-1``/NaN beyond."""
        px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
        m = len(px)
        best = np.full(m, -1, dtype=np.int64)
        best_d = np.full(m, np.inf)
        if self.tiers and m:
            pts = np.column_stack([px, py])
            ub = np.full(m, np.inf)
            for k, _, tree in self.tiers:
                _, j = tree.query(pts, k=1)  # type: ignore[attr-defined]
                ub = np.minimum(ub, self._dist(k[j], px, py))  # a segment at this distance exists
            owners, cands = [], []
            for k, half, tree in self.tiers:
                radius = (np.minimum(ub, max_distance) + half) * (1 + 1e-9) + 1e-6  # slack for rounding
                balls = tree.query_ball_point(pts, radius, return_sorted=False)  # type: ignore[attr-defined]
                counts = np.fromiter((len(c) for c in balls), dtype=np.int64, count=m)
                if counts.sum():
                    owners.append(np.repeat(np.arange(m), counts))
                    cands.append(k[np.concatenate([np.asarray(c, dtype=np.int64) for c in balls if len(c)])])
            if owners:
                owner = np.concatenate(owners)
                cand = np.concatenate(cands)
                d = self._dist(cand, px[owner], py[owner])
                order = np.lexsort((cand, d, owner))  # per point: nearest first, ties to the lowest index
                first = order[np.r_[0, np.flatnonzero(np.diff(owner[order])) + 1]]
                best[owner[first]] = cand[first]
                best_d[owner[first]] = d[first]
        if self.long_tree is not None and m:
            import shapely

            # GEOS finds the nearest long segment; every long segment within that distance (plus
            # rounding slack) is then measured like the short ones, so ties resolve the same way.
            points = shapely.points(px, py)
            (pi, _), dg = self.long_tree.query_nearest(points, max_distance=max_distance, return_distance=True)
            if len(pi):
                qi, ti = self.long_tree.query(points[pi], predicate="dwithin", distance=dg * (1 + 1e-9) + 1e-6)
                owner, cand = pi[qi], self.long[ti]
                d = self._dist(cand, px[owner], py[owner])
                order = np.lexsort((cand, d, owner))
                first = order[np.r_[0, np.flatnonzero(np.diff(owner[order])) + 1]]
                for i, kk, dd in zip(owner[first], cand[first], d[first]):
                    if dd < best_d[i] or (dd == best_d[i] and kk < best[i]):
                        best[i], best_d[i] = kk, dd
        far = best_d > max_distance
        best[far] = -1
        best_d[far] = np.nan
        return best, best_d
