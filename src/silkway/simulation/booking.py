"""Booking at the origin: the operating rule of a saturated corridor (docs/simulation.md, "Booking").

Before a train leaves its origin it is booked through every capacitated element of its route — a train path: each
rail link direction, yard and border gate (trains/day), each TEU gate (TEU/day) and each vessel side (TEU/day),
plus the acceptance plans of the border crossings (``acceptance.csv``: trains/day the receiving railway accepts).
Each element has a daily calendar of bookable capacity (``utilisation`` × capacity per day); a train (a *lot* of
containers of one route, in order of readiness) is released after the least whole-day hold with which it waits at most
``slack_h`` (in whole days) for booked capacity at every element it reaches (at its expected time there), and books
it (filling the first free capacity of each day, so later trains can use what earlier bookings left). Cargo that would have to wait longer than its patience diverts to one of the route
planner's alternatives for its origin–destination pair (logit over generalized cost: freight rate + value of time ×
expected days, among the alternatives that fit within patience), else it is refused. The wait before release is
*held at origin*. So the queues at borders stay within what the plans allow and the excess shows up as held,
diverted and refused cargo instead of unbounded queues.

Pure numpy + one compiled loop; the caller passes the arrays (no I/O, no global state).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from silkway.network.model import Network
from silkway.simulation.plan import PlanBuilder, RouteSpec

OWN, DIVERTED, REFUSED = 0, 1, 2
STATUS = ("own", "diverted", "refused")


@dataclass(frozen=True)
class BookingResult:
    """Per container (in the order given): the route it leaves on, when it is released, and its status."""

    route: np.ndarray  # int64, route index (the own route for refused ones)
    release_h: np.ndarray  # float64, hours (= created for cargo not held)
    status: np.ndarray  # int8: OWN, DIVERTED, REFUSED
    hold_h: np.ndarray  # float64, the booking's hold of the container's train (not the wait for the train to fill)


def resources(b: PlanBuilder, routes: list[RouteSpec], utilisation: float) -> tuple[np.ndarray, list[list[tuple[int, float, int]]]]:
    """Daily capacity of every bookable resource and, per route, its (resource, offset hours, unit) in order.
    Units: 0 = one train, 1 = the train's TEU."""
    caps: list[float] = []
    index: dict[tuple, int] = {}

    def res(key: tuple, cap: float) -> int:
        if key not in index:
            index[key] = len(caps)
            caps.append(cap)
        return index[key]

    acceptance = _acceptance(b.net)
    per_route = []
    for r in routes:
        items: list[tuple[int, float, int]] = []
        t = 0.0
        leaves = {leg.link_id: leg.from_node for leg in r.path.legs}  # a single-track station serves both directions
        for s in r.stations:
            st = b.stations[s]
            if st.gate_h_train > 0:
                items.append((res(("train", s), utilisation * 24.0 / st.gate_h_train), t, 0))
            if st.gate_h_teu > 0:
                items.append((res(("teu", s), utilisation * 24.0 / st.gate_h_teu), t, 1))
            if st.kind == "quay":
                v = b.vlinks[st.vlink]
                items.append((res(("quay", s), utilisation * v.cap_teu[st.side] * 24.0 / v.period_h), t, 1))
                t += math.exp(v.mu + v.sigma * v.sigma / 2.0)  # the sailing follows the quay
            key = (st.target, leaves.get(st.target, ""))
            if st.kind == "link" and key in acceptance:
                items.append((res(("accept", *key), acceptance[key]), t, 0))
            t += st.mean_h
        per_route.append(items)
    return np.array(caps, dtype=np.float64), per_route


def _acceptance(net: Network) -> dict[tuple[str, str], float]:
    """(link id, node the train leaves from) → trains/day the receiving railway accepts (acceptance.csv)."""
    out: dict[tuple[str, str], float] = {}
    for a in net.acceptance:
        lk = net.link_by_id.get(a.link_id)
        if lk is None:
            continue
        for end in (lk.from_node, lk.to_node):
            if a.direction == "both" or (a.direction == "forward") == (end == lk.from_node):
                out[(a.link_id, end)] = min(out.get((a.link_id, end), math.inf), a.trains_day)
    return out


def book(b: PlanBuilder, routes: list[RouteSpec], sh_t: np.ndarray, sh_route: np.ndarray, *, train_teu: float, container_teu: float,
         horizon_h: float, patience_days: float, utilisation: float, slack_h: float, value_of_time_usd_day: float, logit_usd: float,
         rng: np.random.Generator) -> BookingResult:
    """Book every container's train (see the module docstring). ``sh_route``: each container's own route index."""
    caps, per_route = resources(b, routes, utilisation)
    r_ptr = np.zeros(len(routes) + 1, np.int64)
    r_ptr[1:] = np.cumsum([len(x) for x in per_route])
    flat = [x for items in per_route for x in items]
    r_res = np.array([x[0] for x in flat], np.int64)
    r_off = np.array([x[1] for x in flat], np.float64)
    r_unit = np.array([x[2] for x in flat], np.int64)
    alt_ptr, alt_routes, alt_gc = _alternatives(routes, value_of_time_usd_day)
    per_lot = max(1, int(math.floor(train_teu / container_teu + 1e-9)))
    lot_of, lot_route, lot_ready = _lots(sh_t, sh_route, len(routes), per_lot)
    order = _booking_order(lot_route, lot_ready, r_ptr, r_res, r_off, r_unit, caps, per_lot * container_teu, horizon_h)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    lot_of, lot_route, lot_ready = rank[lot_of], lot_route[order], lot_ready[order]
    n_days = int(horizon_h // 24.0) + int(patience_days) + int(r_off.max(initial=0.0) // 24.0) + 60
    out_route, hold_h, status = _book(lot_route, lot_ready, per_lot * container_teu, r_ptr, r_res, r_off, r_unit, caps,
                                      np.zeros((len(caps), n_days)), int(slack_h // 24.0), patience_days * 24.0, alt_ptr, alt_routes,
                                      alt_gc, value_of_time_usd_day, logit_usd, rng.uniform(size=len(lot_route)))
    release = np.where(hold_h[lot_of] > 0, lot_ready[lot_of] + hold_h[lot_of], sh_t)
    return BookingResult(out_route[lot_of], release, status[lot_of].astype(np.int8), hold_h[lot_of])


def _booking_order(lot_route, lot_ready, r_ptr, r_res, r_off, r_unit, caps, teu, horizon_h) -> np.ndarray:
    """Lots are booked in the order they would reach their route's most loaded element (first come, first served
    *there*), not in the order they are ready: otherwise long-haul trains, ready days before they reach a shared
    bottleneck, would take its capacity before short-haul trains are even booked."""
    need = np.zeros(len(caps))
    counts = np.bincount(lot_route, minlength=len(r_ptr) - 1)
    for r in np.flatnonzero(counts):
        for k in range(r_ptr[r], r_ptr[r + 1]):
            need[r_res[k]] += counts[r] * (1.0 if r_unit[k] == 0 else teu)
    load = need / np.maximum(caps, 1e-9) / max(horizon_h / 24.0, 1.0)
    at = np.zeros(len(r_ptr) - 1)
    for r in np.flatnonzero(counts):
        ks = np.arange(r_ptr[r], r_ptr[r + 1])
        if len(ks):
            at[r] = r_off[ks[np.argmax(load[r_res[ks]])]]
    return np.argsort(lot_ready + at[lot_route], kind="stable")


def _alternatives(routes: list[RouteSpec], vot: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each route, the other routes of its origin–destination pair that carry a planner cost (diversion options)
    with their generalized cost per TEU at zero hold: rate + value of time × expected days."""
    by_pair: dict[tuple[str, str], list[int]] = {}
    for k, r in enumerate(routes):
        if r.cost_usd_per_teu is not None and not r.dropped:
            by_pair.setdefault((r.flow.origin, r.flow.destination), []).append(k)
    ptr, alts, gcs = [0], [], []
    for k, r in enumerate(routes):
        for j in by_pair.get((r.flow.origin, r.flow.destination), []):
            if j != k:
                alts.append(j)
                gcs.append((routes[j].cost_usd_per_teu or 0.0) + vot * routes[j].base_h / 24.0)  # by_pair: costed routes only
        ptr.append(len(alts))
    return np.array(ptr, np.int64), np.array(alts, np.int64), np.array(gcs, np.float64)


def group_order(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """A stable argsort of small non-negative integer keys (route indices): 16-bit keys sort by radix, in linear time."""
    return np.argsort(keys.astype(np.int16) if n_keys < 2**15 else keys, kind="stable")


def _lots(sh_t: np.ndarray, sh_route: np.ndarray, n_routes: int, per_lot: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Containers grouped per route in order of readiness into lots of a train's load; a lot is ready when its last
    container is. Returns each container's lot and, per lot (in order of readiness), its route and ready time."""
    n = len(sh_t)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    lot, lot_route, ready = _group_lots(np.ascontiguousarray(sh_t, np.float64), np.ascontiguousarray(sh_route, np.int64), n_routes,
                                        per_lot)
    by_time = np.argsort(ready, kind="stable")  # lots in order of readiness
    rank = np.empty_like(by_time)
    rank[by_time] = np.arange(len(by_time))
    return rank[lot], lot_route[by_time], ready[by_time]


@njit(cache=True)
def _group_lots(sh_t, sh_route, n_routes, per_lot):
    """One pass over the containers (sorted by time): lot k of route r is number base[r] + k (lots numbered by route,
    then in time order); its ready time is that of its latest container."""
    counts = np.zeros(n_routes, np.int64)
    for r in sh_route:
        counts[r] += 1
    base = np.zeros(n_routes + 1, np.int64)
    for r in range(n_routes):
        base[r + 1] = base[r] + (counts[r] + per_lot - 1) // per_lot
    lot = np.empty(len(sh_t), np.int64)
    lot_route = np.empty(base[n_routes], np.int64)
    ready = np.full(base[n_routes], -np.inf)
    seen = np.zeros(n_routes, np.int64)
    for i in range(len(sh_t)):
        r = sh_route[i]
        k = base[r] + seen[r] // per_lot
        seen[r] += 1
        lot[i] = k
        lot_route[k] = r
        ready[k] = max(ready[k], sh_t[i])
    return lot, lot_route, ready


@njit(cache=True)
def _wait_days(res, d0, need, cap, used):
    """Whole days from day d0 until ``need`` units fit in the free capacity of resource ``res`` (filling d0 first:
    earlier days booked by others are not lost), or a large number past the calendar."""
    d = d0
    left = need
    while d < used.shape[1]:
        free = cap - used[res, d]
        if free > 1e-9:
            left -= free
            if left <= 1e-9:
                return d - d0
        d += 1
    return 1 << 30


@njit(cache=True)
def _take(res, d0, need, cap, used):
    d = d0
    left = need
    while left > 1e-9 and d < used.shape[1]:
        free = cap - used[res, d]
        if free > 1e-9:
            got = min(free, left)
            used[res, d] += got
            left -= got
        d += 1


@njit(cache=True)
def _hold(r, ready, r_ptr, r_res, r_off, r_unit, caps, used, teu, slack_days, patience_h):
    """The least whole-day hold with which route r's train waits at most ``slack_days`` for booked capacity at every
    resource it reaches (at its expected time there); -1 when none within patience."""
    h = 0.0
    while h <= patience_h + 1e-9:
        ok = True
        for k in range(r_ptr[r], r_ptr[r + 1]):
            need = 1.0 if r_unit[k] == 0 else teu
            if caps[r_res[k]] <= 0.0:  # a stop: nothing is accepted
                ok = False
                break
            own = math.ceil(need / caps[r_res[k]] - 1e-9) - 1  # days the train's own load spans (a ferry of 45 TEU/day: 3 days)
            if _wait_days(r_res[k], int((ready + h + r_off[k]) // 24.0), need, caps[r_res[k]], used) - own > slack_days:
                ok = False
                break
        if ok:
            return h
        h += 24.0
    return -1.0


@njit(cache=True)
def _reserve(r, t0, r_ptr, r_res, r_off, r_unit, caps, used, teu):
    for k in range(r_ptr[r], r_ptr[r + 1]):
        _take(r_res[k], int((t0 + r_off[k]) // 24.0), 1.0 if r_unit[k] == 0 else teu, caps[r_res[k]], used)


@njit(cache=True)
def _book(lot_route, lot_ready, teu, r_ptr, r_res, r_off, r_unit, caps, used, slack_days, patience_h, alt_ptr, alt_routes, alt_gc,
          vot, logit, u):
    n = len(lot_route)
    out_route = lot_route.copy()
    hold = np.zeros(n)
    status = np.zeros(n, np.int64)
    for i in range(n):
        r = lot_route[i]
        h = _hold(r, lot_ready[i], r_ptr, r_res, r_off, r_unit, caps, used, teu, slack_days, patience_h)
        if h >= 0:
            _reserve(r, lot_ready[i] + h, r_ptr, r_res, r_off, r_unit, caps, used, teu)
            hold[i] = h
            continue
        m = alt_ptr[r + 1] - alt_ptr[r]
        holds = np.full(m, -1.0)
        best = 1e300
        for j in range(m):
            holds[j] = _hold(alt_routes[alt_ptr[r] + j], lot_ready[i], r_ptr, r_res, r_off, r_unit, caps, used, teu, slack_days, patience_h)
            if holds[j] >= 0:
                best = min(best, alt_gc[alt_ptr[r] + j] + vot * holds[j] / 24.0)
        if best >= 1e300:
            status[i] = 2
            continue
        weights = np.zeros(m)
        total = 0.0
        for j in range(m):
            if holds[j] >= 0:
                weights[j] = math.exp(-(alt_gc[alt_ptr[r] + j] + vot * holds[j] / 24.0 - best) / logit)
                total += weights[j]
        target, acc, pick = u[i] * total, 0.0, -1
        for j in range(m):
            if holds[j] >= 0:
                acc += weights[j]
                pick = j
                if acc >= target:
                    break
        a = alt_routes[alt_ptr[r] + pick]
        _reserve(a, lot_ready[i] + holds[pick], r_ptr, r_res, r_off, r_unit, caps, used, teu)
        out_route[i], hold[i], status[i] = a, holds[pick], 1
    return out_route, hold, status
