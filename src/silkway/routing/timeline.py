"""From a searched path to the door-to-door chain: nominal legs and sampled door-to-door times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from silkway.lognormal import sigma_from_p90
from silkway.routing.conditions import QUANTILE_LEVELS
from silkway.routing.hazards import Extra
from silkway.routing.model import QUEUE, Leg
from silkway.routing.search import Path, next_departure
from silkway.routing.stategraph import HANDLING, MOVE, PLATFORMS, WAIT, StateGraph, Step, platform_index

EPS = 1e-9

Located = tuple[Step, str, str, int]  # (step, from node, to node, arc or -1)


def path_steps(g: StateGraph, path: Path) -> list[Located]:
    """Every timed step of the path in order, with where it happens: load, arcs, unload."""
    out: list[Located] = []
    first = g.node_of(path.start_state)
    hub = g.hub(first, platform_index(path.start_state))
    if hub is not None:
        out.append((Step(HANDLING, hub.median_h, hub.p90_h, facility_id=hub.facility_id, cost_usd_per_teu=hub.cost_usd_per_teu,
                         co2e_kg_per_teu=hub.co2e_kg_per_teu), first, first, -1))
    for a in path.arcs:
        u, v = g.node_of(g.tail[a]), g.node_of(g.head[a])
        for step in g.steps[a]:
            if step.kind == MOVE:
                out.append((step, u, v, a))
            else:
                at = g.net.facility_by_id[step.facility_id].node_id if step.facility_id else u
                out.append((step, at, at, a))
    last = g.node_of(path.end_state)
    hub = g.hub(last, platform_index(path.end_state))
    if hub is not None:
        out.append((Step(HANDLING, hub.median_h, hub.p90_h, facility_id=hub.facility_id, cost_usd_per_teu=hub.cost_usd_per_teu,
                         co2e_kg_per_teu=hub.co2e_kg_per_teu), last, last, -1))
    return out


def nominal_legs(g: StateGraph, steps: list[Located], depart_h: float, teu: float, extras: Sequence[Extra] | None = None) -> list[Leg]:
    """The nominal chain: every step at its median, waits as they fall; an expected congestion wait (``extras``,
    typical conditions) is its own ``queue`` leg (its mean) just before the step it is for; the origin wait for the
    train to leave is the queue leg with neither facility nor link."""
    legs = []
    t = depart_h
    for k, (step, u, v, a) in enumerate(steps):
        for (kind, target, _), mean_h, _ in (extras[k][3] if extras else ()):
            legs.append(Leg(QUEUE, u, u, mean_h, t - depart_h, facility_id=target if kind in ("handling", "customs") else None,
                            link_id=target if kind in ("link", "quay") else None))
            t += mean_h
        hours = next_departure(t, step.period_h, step.offset_h) - t if step.kind == WAIT else step.median_h
        extra: dict[str, Any] = {}
        if step.kind == MOVE:
            lk = g.net.links[g.link[a]]
            extra = dict(link_id=lk.link_id, mode=lk.mode, platform=PLATFORMS[platform_index(g.tail[a])], distance_km=lk.distance_km,
                         country=lk.country, corridor=lk.corridor)
        elif step.kind == WAIT:
            lk = g.net.links[g.link[a]]
            extra = dict(link_id=lk.link_id, mode=lk.mode)
        legs.append(Leg(step.kind, u, v, hours, t - depart_h, step.cost_usd_per_teu * teu, step.co2e_kg_per_teu * teu,
                        facility_id=step.facility_id, **extra))
        t += hours
    return legs


@dataclass(frozen=True, slots=True)
class Draws:
    """Monte Carlo draws of one path: ``total_h`` door-to-door hours, ``steps_h`` the sum of its sampled moving,
    handling and customs steps alone (waits left out), both per draw, common random numbers across paths."""

    total_h: np.ndarray
    steps_h: np.ndarray


class LognormalTable:
    """The lognormal factors ``exp(sigma · z)`` of a router's steps, per (seed, draws), computed once.

    ``z`` is the standard-normal matrix of a seed (row k = the k-th step of every path: common random numbers);
    ``exp`` is the costly part of sampling (half of a query before this table), and a network has few distinct
    step sigmas (19 in the embedded dataset), so each (sigma, row) is exponentiated once per router and seed.
    Rows grow in blocks of 32 as longer paths come (the first rows of a longer ``z`` are the same numbers). At most
    ``keep`` (seed, draws) tables are kept, newest last: memory is sigmas × rows × draws × 8 bytes (≈ 10 MB for
    the embedded dataset at 1,000 draws)."""

    def __init__(self, keep: int = 2):
        self.sigma_index: dict[float, int] = {}
        self.sigmas: list[float] = []
        self.keep = keep
        self._tables: dict[tuple[int, int], np.ndarray] = {}
        self._uniforms: dict[tuple[int, int], np.ndarray] = {}
        self._wait_uniforms: dict[tuple[int, int], np.ndarray] = {}
        self._wait_segments: tuple[tuple[int, int, int] | None, tuple[np.ndarray, np.ndarray]] = (None, (np.zeros(0), np.zeros(0)))

    def index(self, step: Step) -> int:
        # Keyed on the sigma itself, not on (median, P90): the factors depend on sigma alone, and a network whose
        # links all have distinct times but few distinct spreads (every real one) keeps a table of a few rows.
        sigma = sigma_from_p90(step.median_h, step.p90_h)
        i = self.sigma_index.get(sigma)
        if i is None:
            i = self.sigma_index[sigma] = len(self.sigmas)
            self.sigmas.append(sigma)
        return i

    def factors(self, seed: int, n: int, rows: int) -> np.ndarray:
        """float64[sigmas, rows', n] with rows' ≥ rows: ``exp(sigmas[i] · z[k])``."""
        table = self._tables.get((seed, n))
        if table is None or table.shape[0] < len(self.sigmas) or table.shape[1] < rows:
            r = max(32 * -(-rows // 32), 0 if table is None else table.shape[1])
            z = np.random.default_rng(seed).standard_normal((r, n))
            table = np.exp(np.asarray(self.sigmas)[:, None, None] * z[None, :, :])
            self._tables.pop((seed, n), None)
            while len(self._tables) >= self.keep:
                self._tables.pop(next(iter(self._tables)))
            self._tables[(seed, n)] = table
        return table


    def uniforms(self, seed: int, n: int, rows: int) -> np.ndarray:
        """float64[2, rows', n], rows' ≥ rows: two uniform draws per step row (is a closure in force; how much of it is
        left), from a stream of their own so that the lognormal draws of a seed are those of a query without closures."""
        return self._stream(self._uniforms, seed, n, rows, 0x5EA5)

    def wait_uniforms(self, seed: int, n: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """The uniform draws of the expected waits before each step row (up to two: the origin wait and the element's),
        a stream of their own (free conditions draw the same as without it), as where they fall between the
        :data:`QUANTILE_LEVELS`: ``(segment, fraction)``, each [2, rows', n], rows' ≥ rows (``sample_quantiles``)."""
        u = self._stream(self._wait_uniforms, seed, n, rows, 0x0A17)
        key = (seed, n, u.shape[1])
        if self._wait_segments[0] != key:
            self._wait_segments = (key, quantile_segments(u))
        return self._wait_segments[1]

    def _stream(self, cache: dict[tuple[int, int], np.ndarray], seed: int, n: int, rows: int, tag: int) -> np.ndarray:
        u = cache.get((seed, n))
        if u is None or u.shape[1] < rows:
            r = max(32 * -(-rows // 32), 0 if u is None else u.shape[1])
            u = np.random.default_rng([seed, tag]).random((r, 2, n)).transpose(1, 0, 2)  # row k: the same numbers for any r
            cache.pop((seed, n), None)
            while len(cache) >= self.keep:
                cache.pop(next(iter(cache)))
            cache[(seed, n)] = u
        return u


_LEVELS = np.asarray(QUANTILE_LEVELS)


def quantile_segments(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where uniforms fall between the :data:`QUANTILE_LEVELS`: the segment i (levels i, i+1) and the fraction of it."""
    pos = np.clip(np.searchsorted(_LEVELS, u, side="right") - 1, 0, len(_LEVELS) - 2)
    lo = _LEVELS[pos]
    return pos, (u - lo) / (_LEVELS[pos + 1] - lo)


def sample_quantiles(q: np.ndarray, u: np.ndarray | None = None, segments: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Draws from distributions given by their quantiles ``q[r]`` at :data:`QUANTILE_LEVELS` (linear between them),
    one per uniform ``u[r, i]`` (or its precomputed :func:`quantile_segments`): the inverse of the piecewise-linear
    distribution function."""
    if segments is None:
        assert u is not None  # one of the two is given
        segments = quantile_segments(u)
    pos, frac = segments
    rows = np.arange(q.shape[0])[:, None]
    qlo = q[rows, pos]
    return np.asarray(qlo + (q[rows, pos + 1] - qlo) * frac)


class SamplePlan(NamedTuple):
    """What sampling needs of a path that does not depend on the query (a router keeps it with the path): per run of
    steps between two scheduled departures, the lognormal steps (index, sigma row of the table, median) and the wait
    that ends the run (its step index and step; None for the last run); ``segment[k]`` = the run of step k."""

    runs: list[tuple[list[int], list[int], list[float], int, Step | None]]
    segment: list[int]


def sample_plan(steps: list[Located], table: LognormalTable) -> SamplePlan:
    runs: list[tuple[list[int], list[int], list[float], int, Step | None]] = []
    ks: list[int] = []
    sig: list[int] = []
    med: list[float] = []
    segment: list[int] = []
    for k, (step, _, _, _) in enumerate(steps):
        segment.append(len(runs))
        if step.kind == WAIT:
            runs.append((ks, sig, med, k, step))
            ks, sig, med = [], [], []
        elif step.median_h > 0:
            ks.append(k)
            sig.append(table.index(step))
            med.append(step.median_h)
    runs.append((ks, sig, med, -1, None))
    return SamplePlan(runs, segment)


def sample_hours(step_lists: Sequence[list[Located]], depart_h: float, n: int, seed: int,
                 table: LognormalTable | None = None, extras_lists: Sequence[Sequence[Extra]] | None = None,
                 plans: Sequence[SamplePlan] | None = None) -> list[Draws]:
    """Door-to-door hours of each path in ``n`` Monte Carlo draws (common random numbers across paths:
    the k-th step of every path uses row k of one standard-normal matrix of the seed).

    Each timed step is lognormal with its median and P90 (sigma = ln(P90/median) / z0.9); a wait is the
    time to the next departure after the sampled arrival. ``extras_lists`` (per path, per step: ``hazards.Extra``)
    add expected congestion waits before a step — drawn from their quantiles where known (``sample_quantiles``),
    else their mean, a constant — and a closure in force with probability p when the container gets there: it waits
    for the rest of it (uniform over the closure's length); at a scheduled departure the sailing is cancelled and the
    container takes the first one after the reopening. ``plans``: the paths' :func:`sample_plan` if known.
    Vectorised: the draws of every step of every path are one gather from the ``table`` of factors and one product;
    each run of steps between two waits is one sum; only the (few) waits loop in Python."""
    table = table if table is not None else LognormalTable(keep=1)
    plans = plans if plans is not None else [sample_plan(st, table) for st in step_lists]
    rows: list[int] = []
    which: list[int] = []
    medians: list[float] = []
    crow: list[int] = []  # closure rows on steps that are not waits: step index, p, length h
    cp: list[float] = []
    cl: list[float] = []
    wrow: list[int] = []  # sampled expected waits: uniform row (2 per step), quantiles
    wq: list[tuple[float, ...]] = []
    layouts = []  # per path and run: (lognormal rows a:b, closure rows c:d, wait rows e:f, constant queue h, wait step, its closure)
    for j, plan in enumerate(plans):
        nruns = len(plan.runs)
        cl_at: list[list[int]] = [[] for _ in range(nruns)]
        w_at: list[list[int]] = [[] for _ in range(nruns)]
        run_queue = [0.0] * nruns
        run_closure: dict[int, tuple[int, float, float]] = {}
        if extras_lists is not None:
            for k, (_, p, length, waits) in enumerate(extras_lists[j]):
                if p == 0 and not waits:
                    continue
                r = plan.segment[k]
                for i, (_, mean_h, q) in enumerate(waits):
                    if q is None:
                        run_queue[r] += mean_h
                    else:
                        w_at[r].append(len(wq))
                        wrow.append(2 * k + i)
                        wq.append(q)
                if p > 0:
                    if plan.runs[r][3] == k:
                        run_closure[r] = (k, p, length)
                    else:
                        cl_at[r].append(len(crow))
                        crow.append(k)
                        cp.append(p)
                        cl.append(length)
        layout = []
        for r, (ks, sig, med, _, wait) in enumerate(plan.runs):
            a = len(rows)
            rows += ks
            which += sig
            medians += med
            c = (cl_at[r][0], cl_at[r][-1] + 1) if cl_at[r] else (0, 0)
            w = (w_at[r][0], w_at[r][-1] + 1) if w_at[r] else (0, 0)
            layout.append((a, len(rows), *c, *w, run_queue[r], wait, run_closure.get(r)))
        layouts.append(layout)
    longest = max((len(st) for st in step_lists), default=0)
    draws = np.asarray(medians)[:, None] * table.factors(seed, n, longest)[which, rows] if rows else np.zeros((0, n))
    u = table.uniforms(seed, n, longest) if crow or any(x[8] for layout in layouts for x in layout) else None
    if crow:
        assert u is not None
        closed = u[0, crow] < np.asarray(cp)[:, None]
        cdraws = np.where(closed, u[1, crow] * np.asarray(cl)[:, None], 0.0)
    else:
        cdraws = np.zeros((0, n))
    if wrow:
        pos, frac = table.wait_uniforms(seed, n, longest)
        wr = np.asarray(wrow)
        wdraws = sample_quantiles(np.asarray(wq), segments=(pos[wr % 2, wr // 2], frac[wr % 2, wr // 2]))
    else:
        wdraws = np.zeros((0, n))
    out = []
    for layout in layouts:
        t = np.full(n, depart_h)
        steps_h = np.zeros(n)
        queue_total = 0.0
        for first, end, cfirst, cend, wfirst, wend, queue, wait, wclosure in layout:
            seg = None
            for lo, hi, src in ((first, end, draws), (cfirst, cend, cdraws), (wfirst, wend, wdraws)):
                if hi > lo:
                    part = src[lo:hi].sum(axis=0) if hi - lo > 1 else src[lo]
                    seg = part if seg is None else seg + part
            if seg is not None:
                t = t + seg
                steps_h = steps_h + seg
            if queue:
                t = t + queue
                queue_total += queue
            if wait is not None:
                t = wait.offset_h + np.ceil((t - wait.offset_h) / wait.period_h - EPS) * wait.period_h
                if wclosure is not None:  # the sailing is cancelled: the first one after the reopening
                    assert u is not None
                    k, p, length = wclosure
                    later = t + u[1, k] * length
                    later = wait.offset_h + np.ceil((later - wait.offset_h) / wait.period_h - EPS) * wait.period_h
                    t = np.where(u[0, k] < p, later, t)
        if queue_total:
            steps_h = steps_h + queue_total
        out.append(Draws(t - depart_h, steps_h))
    return out
