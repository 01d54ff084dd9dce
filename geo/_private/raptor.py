"""RAPTOR earliest-arrival kernel (Delling, Pajor & Werneck 2012): pure numba functions over arrays.

The timetable of one service day is given as arrays (built by
:mod:`geo.timetable`):

* ``route_stop_ptr[r]:route_stop_ptr[r+1]`` -- the stops of route (pattern)
  ``r`` in order (``route_stops``); every trip of a route visits the same
  stops and no trip overtakes another (FIFO), so the trips of a route sorted by
  departure are sorted at every stop;
* ``route_trip_ptr[r]`` -- index of the route's first trip in the day's trip
  list; ``route_time_ptr[r]`` -- offset of its times in ``arr_t``/``dep_t``,
  laid out trip-major (``time_ptr + j * n_stops + i``);
* ``stop_route_ptr[p]:stop_route_ptr[p+1]`` -- the routes at stop ``p``
  (``stop_route_r``) and the stop's position on them (``stop_route_pos``);
* ``fp_ptr[p]:fp_ptr[p+1]`` -- footpaths from ``p`` (``fp_to``, ``fp_dur``
  seconds), walked once after a ride (not chained);
* ``change_s[p]`` -- minimum change time when staying at stop ``p`` between
  two trips (``transfers.txt`` row from ``p`` to ``p``; 0 if none).

Semantics (the reference in ``tests/test_raptor.py`` implements the same
rules with a connection scan): a passenger at a source stop at its time can
board any trip departing at or after it, or first walk one footpath; after
alighting at ``p`` at time ``a`` they may board at ``p`` from ``a +
change_s[p]`` or walk one footpath ``p -> q`` and board at ``q`` from ``a +
dur``. Times are integer seconds after midnight of the service day.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.int32(2**30)


@njit(cache=True)
def raptor(
    route_stop_ptr: np.ndarray,
    route_stops: np.ndarray,
    route_trip_ptr: np.ndarray,
    route_time_ptr: np.ndarray,
    arr_t: np.ndarray,
    dep_t: np.ndarray,
    stop_route_ptr: np.ndarray,
    stop_route_r: np.ndarray,
    stop_route_pos: np.ndarray,
    fp_ptr: np.ndarray,
    fp_to: np.ndarray,
    fp_dur: np.ndarray,
    change_s: np.ndarray,
    sources: np.ndarray,
    source_t: np.ndarray,
    targets: np.ndarray,
    max_rounds: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Earliest arrival at every stop from ``sources`` (ready at ``source_t``).

    ``targets`` (may be empty) only prunes: labels no earlier than the best
    arrival at a target are dropped, so arrivals at other stops are then upper
    bounds.

    Returns
    -------
    best : int32[S]
        Earliest arrival (seconds) at each stop, ``INF`` if unreachable.
    ride, ride_trip, ride_board : [K+1, S]
        Per round ``k``: arrival by the ``k``-th vehicle at the stop, the day
        trip index and the stop where it was boarded (-1 if none).
    walk, walk_from : [K+1, S]
        Per round: arrival on foot after that round's ride (``walk_from`` the
        stop walked from; in round 0 a source or -1 for the source itself).
    rounds : int32[1]
        Rounds run.
    """
    n_stops = change_s.shape[0]
    n_routes = route_stop_ptr.shape[0] - 1
    K = max_rounds
    best = np.full(n_stops, INF, np.int32)
    best_ride = np.full(n_stops, INF, np.int32)
    ready = np.full(n_stops, INF, np.int32)
    ride = np.full((K + 1, n_stops), INF, np.int32)
    ride_trip = np.full((K + 1, n_stops), -1, np.int32)
    ride_board = np.full((K + 1, n_stops), -1, np.int32)
    walk = np.full((K + 1, n_stops), INF, np.int32)
    walk_from = np.full((K + 1, n_stops), -1, np.int32)
    marked = np.zeros(n_stops, np.bool_)
    rode = np.zeros(n_stops, np.bool_)
    route_first = np.full(n_routes, -1, np.int32)
    queue = np.empty(n_routes, np.int32)
    rounds = np.zeros(1, np.int32)

    # round 0: sources and one footpath from each
    for i in range(sources.shape[0]):
        s, t = sources[i], source_t[i]
        if t < walk[0, s]:
            walk[0, s] = t
            walk_from[0, s] = -1
    for i in range(sources.shape[0]):
        s, t = sources[i], source_t[i]
        for e in range(fp_ptr[s], fp_ptr[s + 1]):
            q = fp_to[e]
            x = t + fp_dur[e]
            if x < walk[0, q]:
                walk[0, q] = x
                walk_from[0, q] = s
    for p in range(n_stops):
        if walk[0, p] < INF:
            best[p] = walk[0, p]
            ready[p] = walk[0, p]
            marked[p] = True

    target_best = INF
    for i in range(targets.shape[0]):
        if best[targets[i]] < target_best:
            target_best = best[targets[i]]

    ready_prev = ready.copy()
    for k in range(1, K + 1):
        # routes through stops marked in the previous round, from their first marked position
        nq = 0
        for p in range(n_stops):
            if marked[p]:
                marked[p] = False
                for j in range(stop_route_ptr[p], stop_route_ptr[p + 1]):
                    r = stop_route_r[j]
                    pos = stop_route_pos[j]
                    if route_first[r] < 0:
                        route_first[r] = pos
                        queue[nq] = r
                        nq += 1
                    elif pos < route_first[r]:
                        route_first[r] = pos
        if nq == 0:
            break
        rounds[0] = k
        ready_prev[:] = ready
        for qi in range(nq):
            r = queue[qi]
            start = route_first[r]
            route_first[r] = -1
            s0 = route_stop_ptr[r]
            ns = route_stop_ptr[r + 1] - s0
            t0 = route_trip_ptr[r]
            nt = route_trip_ptr[r + 1] - t0
            base = route_time_ptr[r]
            trip = -1
            board = -1
            for i in range(start, ns):
                p = route_stops[s0 + i]
                if trip >= 0:
                    a = arr_t[base + trip * ns + i]
                    if a < best_ride[p] and a < target_best:
                        best_ride[p] = a
                        ride[k, p] = a
                        ride_trip[k, p] = t0 + trip
                        ride_board[k, p] = board
                        rode[p] = True
                        if a < best[p]:
                            best[p] = a
                        rr = a + change_s[p]
                        if rr < ready[p]:
                            ready[p] = rr
                            marked[p] = True
                rp = ready_prev[p]
                if rp < INF and (trip < 0 or rp <= dep_t[base + trip * ns + i]):
                    # earliest trip departing here at or after rp (binary search; FIFO routes)
                    lo = 0
                    hi = nt if trip < 0 else trip + 1
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if dep_t[base + mid * ns + i] >= rp:
                            hi = mid
                        else:
                            lo = mid + 1
                    if lo < nt and (trip < 0 or lo < trip):
                        trip = lo
                        board = p
        # footpaths from stops reached by a ride in this round
        for p in range(n_stops):
            if rode[p]:
                rode[p] = False
                a = ride[k, p]
                for e in range(fp_ptr[p], fp_ptr[p + 1]):
                    q = fp_to[e]
                    x = a + fp_dur[e]
                    if x < ready[q] and x < target_best:
                        ready[q] = x
                        walk[k, q] = x
                        walk_from[k, q] = p
                        marked[q] = True
                        if x < best[q]:
                            best[q] = x
        for i in range(targets.shape[0]):
            if best[targets[i]] < target_best:
                target_best = best[targets[i]]
    return best, ride, ride_trip, ride_board, walk, walk_from, rounds


@njit(cache=True)
def raptor_window(
    route_stop_ptr: np.ndarray,
    route_stops: np.ndarray,
    route_trip_ptr: np.ndarray,
    route_time_ptr: np.ndarray,
    arr_t: np.ndarray,
    dep_t: np.ndarray,
    stop_route_ptr: np.ndarray,
    stop_route_r: np.ndarray,
    stop_route_pos: np.ndarray,
    fp_ptr: np.ndarray,
    fp_to: np.ndarray,
    fp_dur: np.ndarray,
    change_s: np.ndarray,
    sources: np.ndarray,
    source_offset: np.ndarray,
    departures: np.ndarray,
    targets: np.ndarray,
    max_rounds: int,
) -> np.ndarray:
    """Earliest arrival at every stop for each departure time: int32[len(departures), S].

    ``source_offset`` is the access time to each source (added to the
    departure). One full RAPTOR per departure (no range-RAPTOR reuse), so
    every row is exact.
    """
    n_stops = change_s.shape[0]
    out = np.empty((departures.shape[0], n_stops), np.int32)
    st = np.empty(sources.shape[0], np.int32)
    for d in range(departures.shape[0]):
        for i in range(sources.shape[0]):
            st[i] = departures[d] + source_offset[i]
        best = raptor(route_stop_ptr, route_stops, route_trip_ptr, route_time_ptr, arr_t, dep_t, stop_route_ptr,
                      stop_route_r, stop_route_pos, fp_ptr, fp_to, fp_dur, change_s, sources, st, targets, max_rounds)[0]
        out[d, :] = best
    return out
