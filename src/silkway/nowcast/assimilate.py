"""Assimilation (docs/nowcast.md, "Assimilation"): sequential importance resampling over the uncertain parameters.

Parameters: a service multiplier ``m_s`` per station (handling, customs, link: its service times and its gate
spacing × m_s — a slowed yard works slower and passes fewer trains a day) and one demand multiplier ``d`` (the
arrival rate of containers after t0). Prior: log m ~ N(0, 0.25²), log d ~ N(0, 0.2²). Between two updates each
particle takes a random-walk step, log θ += N(0, q² × days) (q = 0.05 per √day), so the filter can follow a change.
Likelihood of the observations since the last update, given θ:

* each observed service (a train's ``started`` then its next milestone at the same station) with duration x at a
  lognormal station (μ, σ): lognormal density with μ + log m_s (deterministic stations: σ = 0.1, stated);
* the containers observed leaving their origins (``departed`` rows, their ``containers``) ~ Poisson(d × the
  demand's expected containers over the window).

The likelihood factorises over stations and the demand and the prior and the random walk are independent, so the
joint filter is a set of independent one-parameter filters (one per station with observations, one for demand),
which keeps each filter one-dimensional (no weight degeneracy in many dimensions). Each filter keeps N particles;
after weighting it resamples systematically when the effective sample size falls below N/2. Ensemble member i of a
forecast takes particle i of every filter (equally weighted after resampling: an independent draw from the product).
No maintained particle-filter library is installed (``particles``, ``filterpy`` are absent); this is the textbook
algorithm (Doucet & Johansen 2009, systematic resampling) in numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from silkway.nowcast.observations import END_KINDS, Observation, ObsKind, hours_since

PRIOR_SD_SERVICE = 0.25
PRIOR_SD_DEMAND = 0.2
WALK_SD_PER_SQRT_DAY = 0.05
DET_SIGMA = 0.1


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
            idx = systematic_resample(self.weights, rng)
            self.log_theta = self.log_theta[idx]
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

    def update(self, durations: dict[int, list[float]], models: dict[int, ServiceModel], containers: int,
               expected_containers: float, now_h: float, interval_h: float | None = None) -> None:
        """Weight by the new evidence: service ``durations`` (h) per station, ``containers`` departed against the
        demand's ``expected_containers`` over the window ending at ``now_h``; ``interval_h``: the feed's reporting
        interval (None: every milestone is reported)."""
        demand = self.demand
        assert demand is not None  # set by __post_init__
        days = 0.0 if self.last_h is None else max(0.0, (now_h - self.last_h) / 24.0)
        self.last_h = now_h
        for f in [*self.service.values(), demand]:
            f.step(days, self.rng)
        for s, xs in durations.items():
            m = models[s]
            if m.dist == 0 or not xs:
                continue
            f = self.service.setdefault(s, LogFilter.prior(self.n, PRIOR_SD_SERVICE, self.rng))
            f.update(_service_loglik(np.asarray(xs), m, f.log_theta, interval_h), self.rng)
        if expected_containers > 0:
            lam = np.exp(demand.log_theta) * expected_containers
            demand.update(containers * np.log(lam) - lam, self.rng)

    def members(self, n_stations: int) -> tuple[np.ndarray, np.ndarray]:
        """(service multipliers [N, stations], demand multipliers [N]) for the N ensemble members."""
        m = np.ones((self.n, n_stations))
        for s, f in self.service.items():
            m[:, s] = self.rng.permutation(f.draw(self.rng))
        assert self.demand is not None  # set by __post_init__
        return m, self.rng.permutation(self.demand.draw(self.rng))


def _service_loglik(x: np.ndarray, m: ServiceModel, log_theta: np.ndarray, interval_h: float | None = None) -> np.ndarray:
    """Log-likelihood of durations ``x`` per particle. ``interval_h``: the feed reports a train's state every so many
    hours, so a service is seen with probability ∝ min(X, interval) (length-biased sampling): the density becomes
    f(x) min(x, Δ) / E[min(X, Δ)], and −n log E_θ[min(X, Δ)] is added (lognormal: E[min(X, Δ)] =
    e^(μ+σ²/2) Φ((ln Δ − μ − σ²)/σ) + Δ (1 − Φ((ln Δ − μ)/σ)); exponential: mean (1 − e^(−Δ/mean)))."""
    x = np.maximum(x, 1e-6)
    if m.dist == 3:  # exponential with mean a × θ
        mean = m.a * np.exp(log_theta)[:, None]
        ll = np.sum(-np.log(mean) - x[None, :] / mean, axis=1)
        if interval_h:
            ll -= len(x) * np.log(mean[:, 0] * -np.expm1(-interval_h / mean[:, 0]))
        return ll
    mu = (math.log(m.a) if m.dist == 1 else m.a) + log_theta[:, None]
    sigma = DET_SIGMA if m.dist == 1 or m.b <= 0 else m.b
    z = (np.log(x)[None, :] - mu) / sigma
    ll = np.sum(-0.5 * z * z, axis=1)
    if interval_h:
        mu0, lnd = mu[:, 0], math.log(interval_h)
        e_min = np.exp(mu0 + sigma**2 / 2) * ndtr((lnd - mu0 - sigma**2) / sigma) + interval_h * ndtr(-(lnd - mu0) / sigma)
        ll -= len(x) * np.log(e_min)
    return ll


def observed_services(obs: list[Observation], since_h: float | None, now_h: float, origin, station_of,
                      follows: dict[int, set[int]], no_wait: frozenset[int] = frozenset()) -> dict[int, list[float]]:
    """Service durations completed in (since_h, now_h]: a train's ``started`` row and its next milestone when that
    marks the service's end (an end kind, ``arrived`` at the next station, boarding, delivery; a ``started`` at the
    next station only bounds it, so the pair is not used — unless nobody waits there, ``no_wait``: unlimited servers, no
    gate; closures aside); the end must be at the station itself or the one after it
    on some route, ``follows[s]``, -1 = the destination). ``station_of(o)`` maps a row to a station index or None."""
    last: dict[str, tuple[float, int]] = {}
    out: dict[int, list[float]] = {}
    for o in obs:
        if o.train_id is None:
            continue
        h = hours_since(o.time, origin)
        if h > now_h:
            break
        if o.train_id in last and o.kind in (*END_KINDS, ObsKind.ARRIVED, ObsKind.STARTED, ObsKind.DELIVERED,
                                             ObsKind.LOADED_ON_FERRY):
            t_start, s = last.pop(o.train_id)
            # a next ``started`` bounds the end from above only (the train may have waited): not a duration; nor a
            # milestone further on than the next station (the stations between were not seen)
            nxt = -1 if o.kind == ObsKind.DELIVERED else station_of(o)
            adjacent = nxt == s if o.kind in END_KINDS else nxt in follows.get(s, ())
            ends = o.kind != ObsKind.STARTED or nxt in no_wait  # a station where nobody waits starts on arrival
            if ends and adjacent and h > t_start and (since_h is None or h > since_h):
                out.setdefault(s, []).append(h - t_start)
        if o.kind == ObsKind.STARTED:
            s = station_of(o)
            if s is not None:
                last[o.train_id] = (h, s)
    return out
