"""From a searched path to its timed steps, and the random numbers of the Monte Carlo times (``routing/evaluate.py``)."""

from __future__ import annotations

import numpy as np

from silkway.lognormal import sigma_from_p90
from silkway.routing.conditions import QUANTILE_LEVELS
from silkway.routing.stategraph import HANDLING, MOVE, StateGraph, Step, platform_index

Located = tuple[Step, str, str, int]  # (step, from node, to node, arc or -1)


def arc_steps(g: StateGraph, a: int) -> list[Located]:
    """The timed steps of arc ``a`` with where they happen."""
    out: list[Located] = []
    u, v = g.node_of(g.tail[a]), g.node_of(g.head[a])
    for step in g.steps[a]:
        if step.kind == MOVE:
            out.append((step, u, v, a))
        else:
            at = g.net.facility_by_id[step.facility_id].node_id if step.facility_id else u
            out.append((step, at, at, a))
    return out


def hub_step(g: StateGraph, state: int) -> Located | None:
    """The loading (first state of a path) or unloading (last) at a state's node and platform, if a facility does it."""
    node = g.node_of(state)
    hub = g.hub(node, platform_index(state))
    if hub is None:
        return None
    return (Step(HANDLING, hub.median_h, hub.p90_h, facility_id=hub.facility_id, cost_usd_per_teu=hub.cost_usd_per_teu,
                 co2e_kg_per_teu=hub.co2e_kg_per_teu), node, node, -1)


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
            pos, frac = quantile_segments(u)
            # segments 0–7: a byte each (less memory to stream); both C-ordered, as the compiled evaluation reads them
            self._wait_segments = (key, (np.ascontiguousarray(pos, dtype=np.int8), np.ascontiguousarray(frac)))
        return self._wait_segments[1]

    def _stream(self, cache: dict[tuple[int, int], np.ndarray], seed: int, n: int, rows: int, tag: int) -> np.ndarray:
        u = cache.get((seed, n))
        if u is None or u.shape[1] < rows:
            r = max(32 * -(-rows // 32), 0 if u is None else u.shape[1])
            # row k: the same numbers for any r; C-ordered (2, r, n), as the compiled evaluation reads them
            u = np.ascontiguousarray(np.random.default_rng([seed, tag]).random((r, 2, n)).transpose(1, 0, 2))
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
