"""The compiled door-to-door times of a query's candidate routes (numba, ``cache=True``): one pass over every step of
every candidate computes what ``routing/evaluate.py`` documents — the nominal chain (expected waits as they fall,
the month of each step), the Monte Carlo draws and their quantiles.

Every float operation is the one of the definition in the same order (sums are sequential, step by step, and the
lognormal, closure and wait parts of a run between two scheduled departures are summed apart, then added), so the
answers do not depend on whether this kernel or plain Python computed them. Inputs are named tuples of arrays
(:mod:`silkway.routing.evaluate`: ``Batch``, ``WaitTable``, ``Clock``, ``Draws``); the columns of the step arrays
are the constants below.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from silkway.routing import jit as nb  # numba, imported only when a kernel compiles (routing/jit.py)

EPS = 1e-9
MONTHS = 13  # index 0 = the year (no departure date), 1–12 the months
# float columns of Batch.f, per step
F_MEDIAN, F_PERIOD, F_OFFSET, F_P, F_LEN = 0, 1, 2, 3, 3 + MONTHS  # F_P.., F_LEN..: closure chance and length by month
N_FLOAT = 3 + 2 * MONTHS
# int columns of Batch.i, per step
I_KIND, I_SIGMA, I_ELEMENT, I_QUAY, I_CLOSURES = range(5)  # kind code; sigma row (-1: not lognormal); element (-1: none)
N_INT = 5
K_MOVE, K_WAIT, K_HANDLING, K_CUSTOMS = range(4)
# columns of the per-path figures the kernel returns
R_Q50, R_Q90, R_STEPS_Q50, R_STEPS_MEDIAN, R_QUEUE, R_END = range(6)
N_FIG = 6


class WaitTable(NamedTuple):
    """The expected waits of one :class:`Conditions` per element of a router: ``mean[e, m]`` hours, ``dist[e, m]`` the
    quantiles at ``QUANTILE_LEVELS`` where ``known[e, m]`` (m: 0 = the year, 1–12); ``typical``: any waits at all."""

    mean: np.ndarray
    dist: np.ndarray
    known: np.ndarray
    typical: bool


class Batch(NamedTuple):
    """The candidates of one query: their :class:`PathArrays` steps concatenated, path j = rows starts[j]:starts[j+1];
    ``origin[j]``: the element of its origin wait, or -1."""

    f: np.ndarray
    i: np.ndarray
    starts: np.ndarray
    origin: np.ndarray


class Clock(NamedTuple):
    """:class:`~silkway.routing.hazards.Calendar` as arrays: the month of hour t is ``months[bisect_right(bounds, t)]``."""

    dated: bool
    bounds: np.ndarray
    months: np.ndarray


class Draws(NamedTuple):
    """The random numbers of a seed (``LognormalTable``): lognormal factors [sigma, row, draw], closure uniforms
    [2, row, draw] and where the expected-wait uniforms fall between the quantile levels (segment, fraction)."""

    factors: np.ndarray
    uniforms: np.ndarray
    wait_pos: np.ndarray
    wait_frac: np.ndarray


class Legs(NamedTuple):
    """What the kernel writes: per step its nominal hours and start (hours after departure) and up to two expected
    waits before it (element or -1, mean hours, start); per path ``fig[j]`` (timekernel.R_* columns)."""

    hours: np.ndarray
    start_h: np.ndarray
    wait_elem: np.ndarray
    wait_mean: np.ndarray
    wait_start: np.ndarray
    fig: np.ndarray


@nb.njit(cache=True, inline="always")
def _next_departure(t: float, period: float, offset: float) -> float:
    return float(offset + np.ceil((t - offset) / period - EPS) * period)


@nb.njit(cache=True)
def _month(clock: Any, t: float) -> int:
    """The month (1–12) of hour ``t``: ``months[bisect_right(bounds, t)]``; 0 without a departure date."""
    if not clock.dated:
        return 0
    lo, hi = 0, len(clock.bounds)
    while lo < hi:
        mid = (lo + hi) // 2
        if t < clock.bounds[mid]:
            hi = mid
        else:
            lo = mid + 1
    return int(clock.months[min(lo, len(clock.months) - 1)])


@nb.njit(cache=True)
def _select(a: np.ndarray, k: int, lo: int) -> float:
    """The k-th smallest value of ``a`` (reordered in place: quickselect, median-of-three pivot), searched in
    ``a[lo:]``: everything left of ``lo`` must be ≤ everything from it on (``lo`` ≤ ``k``). On return everything
    left of k is ≤ ``a[k]`` and everything right of it ≥."""
    hi = len(a) - 1
    while hi > lo:
        mid = (lo + hi) // 2
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]
        if a[hi] < a[lo]:
            a[hi], a[lo] = a[lo], a[hi]
        if a[hi] < a[mid]:
            a[hi], a[mid] = a[mid], a[hi]
        pivot = a[mid]
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while pivot < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return float(a[k])
    return float(a[k])


@nb.njit(cache=True)
def _quantile(a: np.ndarray, level: float, start: int = 0) -> float:
    """numpy's default (linear) quantile of ``a`` at ``level``: order statistics lo and lo + 1 interpolated. Reorders ``a``
    (partitioned at lo: a later call for a higher level passes ``start`` = lo and searches only right of it)."""
    n = len(a)
    x = level * (n - 1)
    lo = int(x)
    v_lo = _select(a, lo, start)
    v_hi = v_lo
    if lo + 1 < n:  # after the selection, everything right of lo is ≥ a[lo]: order statistic lo + 1 is their minimum
        v_hi = a[lo + 1]
        for m in range(lo + 2, n):
            if a[m] < v_hi:
                v_hi = a[m]
    return v_lo + (v_hi - v_lo) * (x - lo)


@nb.njit(cache=True)
def quantiles(h: np.ndarray) -> tuple[float, float]:
    """Median and P90 of the draws ``h`` (linear interpolation between order statistics, numpy's default)."""
    a = h.copy()
    q50 = _quantile(a, 0.5)
    return q50, _quantile(a, 0.9, int(0.5 * (len(a) - 1)))


@nb.njit(cache=True)
def _expected_wait(waits: Any, e: int, m: int, less: float, q: np.ndarray) -> tuple[float, bool, bool]:
    """An element's expected wait in month ``m`` less ``less`` (never below 0): (mean, has quantiles, any wait at all);
    the quantiles, shifted alike, are written to ``q``."""
    mean = waits.mean[e, m] - less
    mean = mean if mean > 0.0 else 0.0
    if waits.known[e, m]:
        nq = waits.dist.shape[2]
        for x in range(nq):
            v = waits.dist[e, m, x] - less
            q[x] = v if v > 0.0 else 0.0
        return mean, True, q[nq - 1] > 0.0
    return mean, False, mean > 0.0


@nb.njit(cache=True)
def _nominal(b: Any, waits: Any, clock: Any, j: int, depart_h: float, legs: Any, closure: np.ndarray, wq: np.ndarray,
             wq_known: np.ndarray) -> None:
    """Path ``j``: the month and the extras of each step walking the nominal chain (medians, expected waits, timetable
    waits), then the nominal legs (each expected wait its own leg just before its step)."""
    a, z = b.starts[j], b.starts[j + 1]
    t = depart_h
    for k in range(a, z):
        kind = b.i[k, I_KIND]
        has_closures = b.i[k, I_CLOSURES] != 0
        m = _month(clock, t) if (has_closures or waits.typical) else 0
        p = b.f[k, F_P + m] if has_closures else 0.0
        length = b.f[k, F_LEN + m] if has_closures else 0.0
        nw = 0
        queue = 0.0
        if k == a and b.origin[j] >= 0:
            mean, known, any_wait = _expected_wait(waits, b.origin[j], m, 0.0, wq[k, 0])
            if any_wait:
                legs.wait_elem[k, 0], legs.wait_mean[k, 0], wq_known[k, 0] = b.origin[j], mean, known
                queue += mean
                nw = 1
        e = b.i[k, I_ELEMENT]
        if waits.typical and e >= 0:
            less = (b.f[k, F_PERIOD] / 2.0 if b.i[k, I_QUAY] else 0.0) + p * length / 2.0
            mean, known, any_wait = _expected_wait(waits, e, m, less, wq[k, nw])
            if any_wait:
                legs.wait_elem[k, nw], legs.wait_mean[k, nw], wq_known[k, nw] = e, mean, known
                queue += mean
        if p != 0.0:
            closure[k, 0], closure[k, 1] = p, length
        t += queue
        t = _next_departure(t, b.f[k, F_PERIOD], b.f[k, F_OFFSET]) if kind == K_WAIT else t + b.f[k, F_MEDIAN]
    # the legs: expected waits one by one, then the step
    t = depart_h
    queue_h = 0.0
    steps_h = 0.0
    last_start, hours = 0.0, 0.0
    for k in range(a, z):
        for x in range(2):
            if legs.wait_elem[k, x] < 0:
                break
            legs.wait_start[k, x] = t - depart_h
            queue_h += legs.wait_mean[k, x]
            steps_h += legs.wait_mean[k, x]
            t += legs.wait_mean[k, x]
        if b.i[k, I_KIND] == K_WAIT:
            hours = _next_departure(t, b.f[k, F_PERIOD], b.f[k, F_OFFSET]) - t
        else:
            hours = b.f[k, F_MEDIAN]
            steps_h += hours
        last_start = t - depart_h
        legs.hours[k], legs.start_h[k] = hours, last_start
        t += hours
    legs.fig[j, R_STEPS_MEDIAN], legs.fig[j, R_QUEUE], legs.fig[j, R_END] = steps_h, queue_h, last_start + hours


@nb.njit(cache=True)
def _sample(b: Any, draws: Any, j: int, depart_h: float, legs: Any, closure: np.ndarray, wq: np.ndarray,
            wq_known: np.ndarray) -> None:
    """Path ``j``: door-to-door hours in ``n`` draws, then their median and P90 and the median of the summed steps."""
    a, z = b.starts[j], b.starts[j + 1]
    n = draws.factors.shape[2]
    t = np.full(n, depart_h)
    steps = np.zeros(n)
    part_l, part_c, part_w = np.empty(n), np.empty(n), np.empty(n)
    dq = np.empty(wq.shape[2])  # the steps between consecutive quantiles of one wait
    nl = nc = nw = 0
    run_queue, queue_total = 0.0, 0.0
    for k in range(a, z):
        row = k - a
        kind = b.i[k, I_KIND]
        for x in range(2):  # expected waits: sampled from their quantiles, else their mean (a constant)
            if legs.wait_elem[k, x] < 0:
                break
            if not wq_known[k, x]:
                run_queue += legs.wait_mean[k, x]
                continue
            q = wq[k, x]
            for s in range(len(q) - 1):
                dq[s] = q[s + 1] - q[s]
            pos, frac = draws.wait_pos[x, row], draws.wait_frac[x, row]
            if nw == 0:
                for i in range(n):
                    s = pos[i]
                    part_w[i] = q[s] + dq[s] * frac[i]
            else:
                for i in range(n):
                    s = pos[i]
                    part_w[i] = part_w[i] + (q[s] + dq[s] * frac[i])
            nw += 1
        p = closure[k, 0]
        if p > 0.0 and kind != K_WAIT:  # a closure in force on arrival: the rest of it (uniform over its length)
            length = closure[k, 1]
            u0, u1 = draws.uniforms[0, row], draws.uniforms[1, row]
            if nc == 0:
                for i in range(n):
                    part_c[i] = u1[i] * length if u0[i] < p else 0.0
            else:
                for i in range(n):
                    part_c[i] = part_c[i] + (u1[i] * length if u0[i] < p else 0.0)
            nc += 1
        sig = b.i[k, I_SIGMA]
        if sig >= 0:
            med = b.f[k, F_MEDIAN]
            fac = draws.factors[sig, row]
            if nl == 0:
                for i in range(n):
                    part_l[i] = med * fac[i]
            else:
                for i in range(n):
                    part_l[i] = part_l[i] + med * fac[i]
            nl += 1
        if kind == K_WAIT or k == z - 1:  # the end of a run: its steps, then the wait for the next departure
            if nl or nc or nw:  # the run's draws: (lognormal + closures) + waits, each part summed apart
                seg = part_l if nl else part_c
                if nl and nc:
                    for i in range(n):
                        part_l[i] = part_l[i] + part_c[i]
                if nw:
                    if nl or nc:
                        for i in range(n):
                            seg[i] = seg[i] + part_w[i]
                    else:
                        seg = part_w
                for i in range(n):
                    t[i] = t[i] + seg[i]
                    steps[i] = steps[i] + seg[i]
            if run_queue:
                for i in range(n):
                    t[i] = t[i] + run_queue
                queue_total += run_queue
            if kind == K_WAIT:
                period, offset = b.f[k, F_PERIOD], b.f[k, F_OFFSET]
                for i in range(n):
                    t[i] = _next_departure(t[i], period, offset)
                    if p > 0.0 and draws.uniforms[0, row, i] < p:  # the sailing is cancelled: the first one after the reopening
                        t[i] = _next_departure(t[i] + draws.uniforms[1, row, i] * closure[k, 1], period, offset)
            nl = nc = nw = 0
            run_queue = 0.0
    for i in range(n):
        t[i] = t[i] - depart_h
        if queue_total:
            steps[i] = steps[i] + queue_total
    legs.fig[j, R_Q50] = _quantile(t, 0.5)
    legs.fig[j, R_Q90] = _quantile(t, 0.9, int(0.5 * (n - 1)))  # t is partitioned at the median's order statistic
    legs.fig[j, R_STEPS_Q50] = _quantile(steps, 0.5)


@nb.njit(cache=True)
def evaluate(f: np.ndarray, i: np.ndarray, starts: np.ndarray, origin: np.ndarray, mean: np.ndarray, dist: np.ndarray,
             known: np.ndarray, typical: bool, dated: bool, bounds: np.ndarray, months: np.ndarray, factors: np.ndarray,
             uniforms: np.ndarray, wait_pos: np.ndarray, wait_frac: np.ndarray, depart_h: float, hours: np.ndarray,
             start_h: np.ndarray, wait_elem: np.ndarray, wait_mean: np.ndarray, wait_start: np.ndarray, fig: np.ndarray) -> None:
    """Every candidate: nominal legs (hours, start, expected waits) and the figures ``fig``. The arguments are the
    fields of :class:`Batch`, :class:`WaitTable`, :class:`Clock`, :class:`Draws`, the departure hour and :class:`Legs`
    (the outputs), in order."""
    b = Batch(f, i, starts, origin)
    waits = WaitTable(mean, dist, known, typical)
    clock = Clock(dated, bounds, months)
    draws = Draws(factors, uniforms, wait_pos, wait_frac)
    legs = Legs(hours, start_h, wait_elem, wait_mean, wait_start, fig)
    s = b.f.shape[0]
    closure = np.zeros((s, 2))  # per step: the chance a closure is in force on arrival and its length (this query)
    wq = np.zeros((s, 2, max(waits.dist.shape[2], 1)))  # the quantiles of each expected wait, shifted
    wq_known = np.zeros((s, 2), dtype=np.bool_)
    for j in range(len(b.starts) - 1):
        _nominal(b, waits, clock, j, depart_h, legs, closure, wq, wq_known)
        _sample(b, draws, j, depart_h, legs, closure, wq, wq_known)
