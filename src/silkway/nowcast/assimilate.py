"""Assimilation (docs/nowcast.md, "Assimilation"): sequential importance resampling over the uncertain parameters.

Parameters: a service multiplier ``m_s`` per station (handling, customs, link: its service times and its gate
spacing × m_s — a slowed yard works slower and passes fewer trains a day) and one demand multiplier ``d`` (the
arrival rate of containers after t0). Prior: log m ~ N(0, 0.25²) for every station with a service time (also the
ones never observed: the ensemble carries that uncertainty), log d ~ N(0, 0.2²). Between two updates each particle
takes a random-walk step, log θ += N(0, q² × days) (q = 0.05 per √day), so the filter can follow a change; after a
resampling the particles are jittered by a Liu–West kernel (shrinkage a = 0.98: the cloud's mean and variance kept)
so that repeated resampling does not collapse them onto a few values.

Likelihood of the observations since the last update, given θ (survival analysis of each service a train was seen
in; a feed that reports each train's latest milestone every Δ hours, at whole multiples of Δ since hour 0):

* a service at station s is seen only if the train is in service at a report (its ``started`` row appears then):
  given its start t_s that is the event X > a, a = (first report ≥ t_s) − t_s — **left truncation**, so each
  service contributes P(evidence | θ) / S_θ(a) (S = survival function of the station's service time × m_s; this
  replaces the length-biased density of the earlier version, which assumed a uniform phase);
* its end is known exactly when the train's next row is the end of that service (``passed``/..., ``arrived`` at the
  next station of a route, ``started`` at a next station where nobody waits, ``delivered`` after the last): density
  f_θ(x); when the next row is only a bound (a ``started`` at a next station with a queue or gate, boarding at a
  quay, a milestone further on) the end lies between the last report that still showed it in service and that row:
  F_θ(hi) − F_θ(lo) — except a ``started`` at the next station, which is the end plus that station's wait (0 with
  probability ½, else uniform up to its gate spacing: a density mixture, ``Seen``); a service still running at the last report before the update: S_θ(c) (right-censored);
* a green-channel train's customs time is divided by the green-channel factor before it is compared;
* each service's evidence is refined at later updates (censored → completed): an update multiplies the weights by
  L_now / L_before of every service whose evidence changed, so the product over updates is each service's
  likelihood once;
* the containers observed leaving their origins (``departed`` rows, their ``containers``) ~ Poisson(d × the
  demand's expected containers over the window).

Service distributions: lognormal (μ + log m_s, σ), exponential (mean × m_s), deterministic (treated as lognormal
with σ = 0.1, stated). The likelihood factorises over stations and the demand, and the prior and the random walk
are independent, so the joint filter is a set of independent one-parameter filters (one per station, one for
demand), which keeps each filter one-dimensional (no weight degeneracy in many dimensions). Each filter keeps N
particles; after weighting it resamples systematically when the effective sample size falls below N/2. Ensemble
member i of a forecast takes particle i of every filter (equally weighted after resampling: an independent draw
from the product). No maintained particle-filter library is installed (``particles``, ``filterpy`` are absent);
this is the textbook algorithm (Doucet & Johansen 2009, systematic resampling; Liu & West 2001, kernel jitter) in
numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import log_ndtr, ndtr

from silkway.nowcast.observations import END_KINDS, Observation, ObsKind, hours_since

PRIOR_SD_SERVICE = 0.25
PRIOR_SD_DEMAND = 0.2
WALK_SD_PER_SQRT_DAY = 0.05
DET_SIGMA = 0.1
LIU_WEST_A = 0.98  # kernel shrinkage after resampling: jitter variance (1 − a²) × the cloud's variance


def systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of the resampled particles: one uniform offset, N evenly spaced points on the weights' CDF."""
    n = len(weights)
    positions = (rng.uniform() + np.arange(n)) / n
    cdf = np.cumsum(weights)
    cdf[-1] = 1.0
    return np.searchsorted(cdf, positions, side="right").clip(0, n - 1)


def ess(weights: np.ndarray) -> float:
    return float(1.0 / np.sum(weights**2))


@dataclass
class LogFilter:
    """One parameter θ > 0 as N particles of log θ with weights."""

    log_theta: np.ndarray
    weights: np.ndarray
    resampled: int = 0

    @classmethod
    def prior(cls, n: int, sd: float, rng: np.random.Generator) -> LogFilter:
        return cls(rng.normal(0.0, sd, n), np.full(n, 1.0 / n))

    def step(self, days: float, rng: np.random.Generator) -> None:
        if days > 0:
            self.log_theta = self.log_theta + rng.normal(0.0, WALK_SD_PER_SQRT_DAY * math.sqrt(days), len(self.log_theta))

    def update(self, loglik: np.ndarray, rng: np.random.Generator) -> None:
        lw = np.log(np.maximum(self.weights, 1e-300)) + loglik
        lw -= lw.max()
        w = np.exp(lw)
        self.weights = w / w.sum()
        if ess(self.weights) < len(self.weights) / 2:
            mean = float(np.sum(self.weights * self.log_theta))
            var = float(np.sum(self.weights * (self.log_theta - mean) ** 2))
            idx = systematic_resample(self.weights, rng)
            x = self.log_theta[idx]
            # Liu–West: shrink towards the mean and add a kernel jitter; the cloud's mean and variance are kept
            self.log_theta = LIU_WEST_A * x + (1 - LIU_WEST_A) * mean + rng.normal(0.0, math.sqrt((1 - LIU_WEST_A**2) * var), len(x))
            self.weights = np.full(len(idx), 1.0 / len(idx))
            self.resampled += 1

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """N values of θ, equally weighted (resampled when the weights are not equal)."""
        if np.allclose(self.weights, self.weights[0]):
            return np.exp(self.log_theta)
        return np.exp(self.log_theta[systematic_resample(self.weights, rng)])

    def mean(self) -> float:
        return float(np.sum(self.weights * np.exp(self.log_theta)))


@dataclass
class ServiceModel:
    """What the likelihood needs of a station: its service distribution (``dist``: 1 det, 2 lognormal, 3 exp)."""

    dist: int
    a: float
    b: float


@dataclass(frozen=True)
class Seen:
    """The evidence on one service: X > ``trunc`` (it was seen), X in [``lo``, ``hi``] (lo == hi: exact; hi = inf:
    still running at ``lo``), in hours of the station's own draw (a green train's time ÷ the green factor).
    ``gate`` > 0: ``hi`` is the train's start at the next station, which it reached a wait W before: W = 0 with
    probability ``P_GATE_OPEN``, else uniform on (0, gate] (density mixture; the end is not below ``lo``)."""

    trunc: float
    lo: float
    hi: float
    gate: float = 0.0


P_GATE_OPEN = 0.5  # a train not seen waiting found the next station free on arrival half the time (stated assumption)


@dataclass
class Assimilator:
    """The filters of one forecasting desk, updated at each forecast time with the observations since the last."""

    n: int
    seed: int = 0
    service: dict[int, LogFilter] = field(default_factory=dict)
    demand: LogFilter | None = None
    last_h: float | None = None

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        if self.demand is None:
            self.demand = LogFilter.prior(self.n, PRIOR_SD_DEMAND, self.rng)

    def filter(self, s: int) -> LogFilter:
        f = self.service.get(s)
        if f is None:
            f = self.service[s] = LogFilter.prior(self.n, PRIOR_SD_SERVICE, self.rng)
        return f

    def update(self, evidence: dict[int, list[tuple[Seen | None, Seen]]], models: dict[int, ServiceModel], containers: int,
               expected_containers: float, now_h: float) -> None:
        """Weight by the new evidence: per station the services whose evidence changed since the last update as
        (before, now) pairs (before None: new), ``containers`` departed against the demand's
        ``expected_containers`` over the window ending at ``now_h``."""
        demand = self.demand
        assert demand is not None  # set by __post_init__
        days = 0.0 if self.last_h is None else max(0.0, (now_h - self.last_h) / 24.0)
        self.last_h = now_h
        for f in [*self.service.values(), demand]:
            f.step(days, self.rng)
        for s, pairs in evidence.items():
            m = models[s]
            if m.dist == 0 or not pairs:
                continue
            f = self.filter(s)
            ll = service_loglik([p[1] for p in pairs], m, f.log_theta)
            before = [p[0] for p in pairs if p[0] is not None]
            if before:
                ll -= service_loglik(before, m, f.log_theta)
            f.update(ll, self.rng)
        if expected_containers > 0:
            lam = np.exp(demand.log_theta) * expected_containers
            demand.update(containers * np.log(lam) - lam, self.rng)

    def members(self, models: dict[int, ServiceModel]) -> tuple[np.ndarray, np.ndarray]:
        """(service multipliers [N, stations], demand multipliers [N]) for the N ensemble members: every station
        with a service time gets its filter's particles (the prior if it has no evidence yet)."""
        m = np.ones((self.n, len(models)))
        for s, model in models.items():
            if model.dist != 0:
                m[:, s] = self.rng.permutation(self.filter(s).draw(self.rng))
        assert self.demand is not None  # set by __post_init__
        return m, self.rng.permutation(self.demand.draw(self.rng))


def service_loglik(seen: list[Seen], m: ServiceModel, log_theta: np.ndarray) -> np.ndarray:
    """Σ over the services of log P(evidence | θ) − log S_θ(trunc), per particle (θ-free constants dropped only where
    no mixture needs them)."""
    trunc = np.array([e.trunc for e in seen])
    lo = np.maximum(np.array([e.lo for e in seen]), 1e-6)
    hi = np.array([e.hi for e in seen])
    gate = np.array([e.gate for e in seen])
    mixed = gate > 0
    exact, cens = (hi <= lo) & ~mixed, np.isinf(hi)
    inter = ~exact & ~cens & ~mixed
    hi_ = np.where(cens, lo, np.maximum(hi, lo))
    gap_lo = np.where(mixed, np.maximum(lo, hi_ - gate), lo)
    th = log_theta[:, None]
    if m.dist == 3:  # exponential with mean a × θ
        mean = m.a * np.exp(th)
        log_f = -np.log(mean) - hi_ / mean
        log_s_lo = -lo / mean
        gap = np.exp(-gap_lo / mean) - np.exp(-hi_ / mean)
        log_s_t = -trunc / mean
    else:
        sigma = DET_SIGMA if m.dist == 1 or m.b <= 0 else m.b
        mu = (math.log(m.a) if m.dist == 1 else m.a) + th
        z_hi = (np.log(hi_) - mu) / sigma
        z_lo = (np.log(gap_lo) - mu) / sigma
        log_f = -0.5 * z_hi * z_hi - math.log(sigma * math.sqrt(2 * math.pi)) - np.log(hi_)
        log_s_lo = log_ndtr(-(np.log(lo) - mu) / sigma)
        gap = np.maximum(ndtr(z_hi) - ndtr(z_lo), ndtr(-z_lo) - ndtr(-z_hi))  # the more accurate of the two in the tails
        log_s_t = np.where(trunc > 0, log_ndtr(-(np.log(np.maximum(trunc, 1e-9)) - mu) / sigma), 0.0)
    log_gap = np.log(np.maximum(gap, 1e-300))
    mix = np.logaddexp(math.log(P_GATE_OPEN) + log_f, math.log(1 - P_GATE_OPEN) + log_gap - np.log(np.where(mixed, gate, 1.0)))
    ll = np.where(exact, log_f, 0.0) + np.where(cens, log_s_lo, 0.0) + np.where(inter, log_gap, 0.0) + np.where(mixed, mix, 0.0)
    return np.sum(ll - np.where(trunc > 0, log_s_t, 0.0), axis=1)


_STAGE_ROWS = (*END_KINDS, ObsKind.ARRIVED, ObsKind.STARTED, ObsKind.DELIVERED, ObsKind.LOADED_ON_FERRY, ObsKind.SAILED)


def observed_services(obs: list[Observation], now_h: float, origin, station_of, follows: dict[int, set[int]],
                      no_wait: frozenset[int] = frozenset(), interval_h: float | None = None, green_factor: float = 1.0,
                      green_stations: frozenset[int] = frozenset(), slack: dict[int, float] | None = None) -> dict[tuple[str, int, float], tuple[int, Seen]]:
    """The evidence on every service seen up to ``now_h``, keyed (train, station, start h) → (station, evidence).

    A service starts at a train's ``started`` row; its end is the train's next stage row: exact when that row marks
    the end (an end kind at the station, ``arrived`` at a next station of a route, ``follows[s]``, a ``started``
    where nobody waits, ``no_wait``, ``delivered`` after the last station, -1 in ``follows``), else an upper bound
    (a ``started`` at a next station with a queue, boarding, a row further on). ``interval_h``: the feed reports
    every Δ hours at multiples of Δ since hour 0 — the service was seen because X > (first report ≥ start) − start,
    and a bound's lower end is the report before the one that showed the next row; None: every milestone is
    reported (no truncation, lower bounds 0). A ``started`` at the next station (not seen waiting there) is the end
    plus a wait: 0 or up to ``slack[next]`` hours (that station's gate spacing, + its mean service when its servers
    are limited; ``Seen.gate``, a density mixture; slack 0: exact). Read as a bare upper bound, an interval
    (last report, next start], it would not be "coarsened at random" — its upper end is the end itself plus a wait
    that is mostly 0 — and made every such station look ≈ 2× faster than it is (backtest feed; tested).
    Services still running: right-censored at the last report ≤ now."""
    slack = slack or {}

    def report(t: float) -> float:  # the first report at or after t
        return math.ceil(t / interval_h - 1e-9) * interval_h if interval_h else t

    green: dict[str, bool] = {}
    open_: dict[str, tuple[float, int]] = {}
    out: dict[tuple[str, int, float], tuple[int, Seen]] = {}

    def put(tid: str, t_s: float, s: int, lo: float, hi: float, gate: float = 0.0) -> None:
        f = green_factor if green.get(tid) and s in green_stations else 1.0
        trunc = report(t_s) - t_s
        lo = max(lo, trunc)
        out[(tid, s, t_s)] = (s, Seen(trunc / f, lo / f, (hi if hi > lo else lo) / f, gate / f))

    for o in obs:
        if o.train_id is None:
            continue
        h = hours_since(o.time, origin)
        if h > now_h:
            break
        if o.kind == ObsKind.DEPARTED and o.green is not None:
            green[o.train_id] = o.green
        if o.kind not in _STAGE_ROWS or (o.kind == ObsKind.SAILED and o.vessel_id is not None):
            continue
        if o.train_id in open_:
            t_s, s = open_[o.train_id]
            nxt = -1 if o.kind == ObsKind.DELIVERED else station_of(o)
            if o.kind == ObsKind.STARTED and nxt == s and h == t_s:
                continue  # the same row again
            adjacent = nxt == s if o.kind in END_KINDS else nxt in follows.get(s, ())
            exact = adjacent and (o.kind in (*END_KINDS, ObsKind.ARRIVED, ObsKind.DELIVERED)
                                  or (o.kind == ObsKind.STARTED and nxt in no_wait))
            if h >= t_s:
                del open_[o.train_id]
                lo = (report(h) - interval_h - t_s) if interval_h else 0.0
                gate = slack.get(nxt, 0.0) if adjacent and o.kind == ObsKind.STARTED and not exact else 0.0
                put(o.train_id, t_s, s, h - t_s if exact or (adjacent and o.kind == ObsKind.STARTED and gate == 0) else lo, h - t_s, gate)
        if o.kind == ObsKind.STARTED:
            s = station_of(o)
            if s is not None:
                open_[o.train_id] = (h, s)
    last = math.floor(now_h / interval_h + 1e-9) * interval_h if interval_h else now_h
    for tid, (t_s, s) in open_.items():
        put(tid, t_s, s, max(last - t_s, 0.0), math.inf)
    return out
