"""A query's candidate routes evaluated: nominal legs, expected waits, closures and Monte Carlo times.

What a route's times are (the definition; docs/routing.md):

* **nominal chain** — every timed step (``timeline.arc_steps`` and ``hub_step``) at its median, a wait for a scheduled departure as it
  falls; before a step, its expected congestion waits (``hazards``: the element's mean wait in the month the step is
  reached, less what the planner draws itself) as their own ``queue`` legs. The month of a step is that of its nominal
  start. The legs' total is ``days_nominal``.
* **draws** — each lognormal step (median, sigma from its P90) is ``median · exp(sigma · z)`` with ``z`` row k of the
  seed's standard-normal matrix for step k (common random numbers across routes); an expected wait with quantiles is
  drawn from them (piecewise-linear inverse, a stream of its own), one without is its mean; a random closure in force
  with chance p on arrival adds the rest of it (uniform over its length), or at a scheduled departure cancels the
  sailing (the first one after the reopening); a wait for a departure is recomputed from each sampled arrival.
  The median and P90 of the door-to-door draws are ``days_median`` and ``days_p90``.

What does not depend on the query is built once per path and kept by the router (:class:`PathArrays`: the steps as
arrays, their closure chances for every month, the elements they queue at, the static fields of their legs); a
query concatenates its candidates' arrays and one compiled pass (``timekernel.evaluate``) computes all of the above.
The legs of an option are :class:`~silkway.routing.model.Leg` objects built from that pass's arrays when first read
(``RouteOption.legs``): a query whose legs nobody reads does not build them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from silkway.network.model import Closure
from silkway.routing import timekernel as tk
from silkway.routing.conditions import QUANTILE_LEVELS, Conditions, ElementKey, ElementKind
from silkway.routing.hazards import Calendar, Hazards, Located
from silkway.routing.model import QUEUE, Leg
from silkway.routing.stategraph import CUSTOMS, HANDLING, MOVE, PLATFORMS, WAIT, StateGraph, platform_index
from silkway.routing.timekernel import Batch, Clock, Draws, Legs, WaitTable
from silkway.routing.timeline import LognormalTable

KIND_CODE = {MOVE: tk.K_MOVE, WAIT: tk.K_WAIT, HANDLING: tk.K_HANDLING, CUSTOMS: tk.K_CUSTOMS}
LegStatic = tuple[str, str, str, float, float, str | None, dict[str, Any]]  # kind, from, to, cost/TEU, CO2e/TEU, facility, extra


class Elements:
    """The elements (stations) a router's paths queue at, numbered in the order they are first met."""

    def __init__(self) -> None:
        self.keys: list[ElementKey] = []
        self.index: dict[ElementKey, int] = {}

    def id_of(self, key: ElementKey) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
        return i


class PathArrays(NamedTuple):
    """What evaluation needs of a path that does not depend on the query (a router keeps it with the path).
    ``f``: float64[steps, tk.N_FLOAT] (median, period, offset, closure chance and length by month 0–12);
    ``i``: int64[steps, tk.N_INT] (kind, sigma row of the lognormal table or -1, element or -1, quay, has closures)."""

    f: np.ndarray
    i: np.ndarray
    by_train: bool  # leaves its origin by an unscheduled rail link (the origin wait applies)
    ends: tuple[str, str]  # node of its first step, node of its last
    distance_km: float
    legs: tuple[LegStatic, ...]


def step_rows(g: StateGraph, steps: Sequence[Located], closures: Sequence[Sequence[Closure]], element: Sequence[ElementKey | None],
              hazards: Hazards, table: LognormalTable, elements: Elements) -> tuple[np.ndarray, np.ndarray, list[LegStatic], float]:
    """The rows of :class:`PathArrays` of located steps, given the closures hitting each and the element each queues at:
    (``f``, ``i``, the legs' static fields, the moves' kilometres summed in step order)."""
    f = np.zeros((len(steps), tk.N_FLOAT))
    ii = np.full((len(steps), tk.N_INT), -1, dtype=np.int64)
    legs: list[LegStatic] = []
    distance = 0.0
    for k, ((step, u, v, a), hits, el) in enumerate(zip(steps, closures, element, strict=True)):
        f[k, tk.F_MEDIAN], f[k, tk.F_PERIOD], f[k, tk.F_OFFSET] = step.median_h, step.period_h, step.offset_h
        for m in range(tk.MONTHS if hits else 0):  # p = 1 − Π(1 − pᵢ), length their risk-weighted mean (hazards
            ps = [hazards.p(c, m or None) for c in hits]  # module docstring); a step without closures keeps its zeros
            keep = 1.0
            for x in ps:
                keep *= 1.0 - x
            f[k, tk.F_P + m] = 1.0 - keep
            f[k, tk.F_LEN + m] = sum(x * c.duration_days * 24.0 for x, c in zip(ps, hits, strict=True)) / max(sum(ps), 1e-300)
        ii[k, tk.I_KIND] = KIND_CODE[step.kind]
        ii[k, tk.I_SIGMA] = table.index(step) if step.kind != WAIT and step.median_h > 0 else -1
        ii[k, tk.I_ELEMENT] = -1 if el is None else elements.id_of(el)
        ii[k, tk.I_QUAY] = el is not None and el[0] is ElementKind.QUAY
        ii[k, tk.I_CLOSURES] = bool(hits)
        extra: dict[str, Any] = {}
        if step.kind in (MOVE, WAIT):
            lk = g.net.links[g.link[a]]
            extra = dict(link_id=lk.link_id, mode=lk.mode)
            if step.kind == MOVE:
                extra |= dict(platform=PLATFORMS[platform_index(g.tail[a])], distance_km=lk.distance_km, country=lk.country,
                              corridor=lk.corridor)
                distance += lk.distance_km
        legs.append((step.kind, u, v, step.cost_usd_per_teu, step.co2e_kg_per_teu, step.facility_id, extra))
    return f, ii, legs, distance


def wait_table(cond: Conditions, keys: Sequence[ElementKey], old: WaitTable | None = None) -> WaitTable:
    """The table of ``cond`` for ``keys``, extending ``old`` (the same conditions, its first keys) if given."""
    start = 0 if old is None else old.mean.shape[0]
    new = keys[start:]
    nq = len(QUANTILE_LEVELS)
    mean = np.zeros((len(new), tk.MONTHS))
    dist = np.zeros((len(new), tk.MONTHS, nq))
    known = np.zeros((len(new), tk.MONTHS), dtype=np.bool_)
    for r, key in enumerate(new):
        for m in range(tk.MONTHS):
            mean[r, m] = cond.wait_h(*key, m or None)
            q = cond.dist(*key, m or None)
            if q is not None:
                dist[r, m], known[r, m] = q, True
    if old is not None:
        mean, dist, known = (np.concatenate([o, x]) for o, x in ((old.mean, mean), (old.dist, dist), (old.known, known)))
    return WaitTable(mean, dist, known, bool(cond.waits))


class Times(NamedTuple):
    """One candidate's figures (hours) and its legs, built when read."""

    median_h: float
    p90_h: float
    nominal_h: float
    queue_h: float
    gap_variability_h: float
    gap_timetable_h: float
    legs: LegBuilder


def clock_of(calendar: Calendar) -> Clock:
    return Clock(calendar.fixed is None, np.asarray(calendar.bounds, dtype=np.float64), np.asarray(calendar.months, dtype=np.int64))


def evaluate(paths: Sequence[PathArrays], arrivals: Sequence[float], origins: Sequence[int], waits: WaitTable, clock: Clock,
             table: LognormalTable, seed: int, samples: int, depart_h: float, teu: float, elements: Elements) -> list[Times]:
    """Every candidate's nominal legs and sampled times (module docstring); ``arrivals``: each path's nominal arrival
    without expected waits (its search label), ``origins``: the element of its origin wait or -1."""
    ends = [0]
    for p in paths:
        ends.append(ends[-1] + len(p.f))
    starts = np.asarray(ends, dtype=np.int64)
    b = Batch(np.concatenate([p.f for p in paths]), np.concatenate([p.i for p in paths]), starts, np.asarray(origins, dtype=np.int64))
    rows = max(len(p.f) for p in paths)
    pos, frac = table.wait_uniforms(seed, samples, rows)
    draws = Draws(table.factors(seed, samples, rows), table.uniforms(seed, samples, rows), pos, frac)
    s = len(b.f)
    out = Legs(np.empty(s), np.empty(s), np.full((s, 2), -1, dtype=np.int64), np.zeros((s, 2)), np.zeros((s, 2)),
               np.empty((len(paths), tk.N_FIG)))
    tk.evaluate(*b, *waits, *clock, *draws, depart_h, *out)  # flat: numba types a named tuple argument slowly (~0.1 ms)
    times = []
    for j, (p, arrival, fig) in enumerate(zip(paths, arrivals, out.fig.tolist(), strict=True)):
        q50, q90, s50, steps_median, queue_h, end_h = fig
        nominal_h = end_h if queue_h else arrival - depart_h
        gap_var = s50 - steps_median  # a sum of right-skewed lognormals has a median above the sum of medians
        times.append(Times(q50, q90, nominal_h, queue_h, gap_var, q50 - nominal_h - gap_var, LegBuilder(p.legs, out, ends[j], elements.keys, teu)))
    return times


class LegBuilder:
    """The legs of one option from its path's static leg fields and the query's arrays (``RouteOption.legs``): its
    steps are rows ``first``… of ``out``."""

    __slots__ = ("elements", "first", "out", "static", "teu")

    def __init__(self, static: tuple[LegStatic, ...], out: Legs, first: int, elements: list[ElementKey], teu: float):
        self.static, self.out, self.first, self.elements, self.teu = static, out, first, elements, teu

    def __call__(self) -> tuple[Leg, ...]:
        legs = []
        out, a = self.out, self.first
        for k, (kind, u, v, cost, co2e, facility, extra) in enumerate(self.static, start=a):
            for x in range(2):
                e = int(out.wait_elem[k, x])
                if e < 0:
                    break
                ekind, target, _ = self.elements[e]
                legs.append(Leg(QUEUE, u, u, float(out.wait_mean[k, x]), float(out.wait_start[k, x]),
                                facility_id=target if ekind in (ElementKind.HANDLING, ElementKind.CUSTOMS) else None,
                                link_id=target if ekind in (ElementKind.LINK, ElementKind.QUAY) else None))
            legs.append(Leg(kind, u, v, float(out.hours[k]), float(out.start_h[k]), cost * self.teu, co2e * self.teu,
                            facility_id=facility, **extra))
        return tuple(legs)
