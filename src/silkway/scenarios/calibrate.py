"""Calibrate demand to observed counts (e.g. trains per border crossing in a year).

Free parameters: one volume factor per observed border KPI ``trains_border_<node>``, applied to the
demand flows whose planned route crosses that node. Flows that cross none of the observed borders
keep their volume. Because the simulated train count of a border is close to proportional to the
TEU routed through it (block trains of fixed size), the square system "simulated = observed" is
solved by the fixed-point iteration θ_b ← θ_b · observed_b / simulated_b(θ), each evaluation being
the mean of R seeded replications with the same seeds every iteration (common random numbers).
The observations count a year; a run of ``days`` days counts the trains of its window, so each border's simulated
count is put on a yearly footing by the share of its flows' yearly TEU that the window generates (``days / 365``
without seasonality; the seasonal profile integrated over the window with it, :func:`window_share`).
With as many parameters as observations this is the least-squares fit with zero residual when it
converges; the report states the remaining relative error. It fits volumes per border, which sets
both the total and the split between the borders (the route shares); it does not fit times.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from silkway.errors import ScenarioError
from silkway.limits import SCALE, strict_float
from silkway.network.model import Network

if TYPE_CHECKING:  # the simulation package is imported lazily
    from silkway.simulation import Demand, SimOptions
    from silkway.simulation.demand import Flow

# simulate_fn(net, demand, days, seed, options) -> KPIs
SimulateFn = Callable[[Network, "Demand", int, int, "SimOptions"], dict[str, float]]

BORDER_PREFIX = "trains_border_"
MIN_TRAINS = 5.0  # fewest simulated trains at an observed border (mean per run) whose ratio to the observed count is fitted
YEAR_DAYS = 365  # the observed counts are per year (examples/observed-2023.csv: trains/year)


@dataclass(frozen=True)
class Observation:
    kpi: str
    observed: float
    unit: str = ""
    source: str = ""


@dataclass(frozen=True)
class CalibrationResult:
    factors: dict[str, float]  # kpi → volume factor of its flow group
    groups: dict[str, tuple[str, ...]]  # kpi → flow ids scaled by its factor
    observed: dict[str, float]
    before: dict[str, float]  # simulated means with the input demand
    after: dict[str, float]  # simulated means with the calibrated demand
    iterations: int
    replications: int
    demand: Demand
    converged: bool = True  # every KPI within the tolerance of its observed count
    tol: float = 0.005
    days: int = YEAR_DAYS
    window_share: dict[str, float] = field(default_factory=dict)  # kpi → share of its flows' yearly TEU the run's window generates

    def rel_error(self, which: str = "after") -> dict[str, float]:
        sim = self.after if which == "after" else self.before
        return {k: (sim[k] - v) / v for k, v in self.observed.items()}


def parse_observed(text: str, label: str = "observed.csv") -> list[Observation]:
    """Rows ``kpi,observed[,unit,source,note]``; every problem is reported at once."""
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    problems, out = [], []
    for line, row in enumerate(rows, start=2):
        kpi, raw = (row.get("kpi") or "").strip(), (row.get("observed") or "").strip()
        try:
            value = strict_float(raw)
        except ValueError:
            problems.append(f"line {line}, field 'observed': not a number: '{raw}'")
            continue
        if not kpi.startswith(BORDER_PREFIX):
            problems.append(f"line {line}, field 'kpi': only {BORDER_PREFIX}<node> counts can be calibrated (got '{kpi}')")
        elif not 0 < value < 1e9:
            problems.append(f"line {line}, field 'observed': must be a finite number > 0 and < 1e9")
        else:
            out.append(Observation(kpi, value, (row.get("unit") or "").strip(), (row.get("source") or "").strip()))
    if not out and not problems:
        problems.append("no observations")
    if problems:
        raise ScenarioError(f"{label}: " + "; ".join(problems))
    return out


def border_groups(net: Network, demand: Demand, options: SimOptions, kpis: list[str]) -> dict[str, tuple[str, ...]]:
    """For each ``trains_border_<node>`` the flows whose planned route passes ``node``."""
    from silkway.simulation.plan import build

    _, routes = build(net, demand, options)
    groups: dict[str, tuple[str, ...]] = {}
    for kpi in kpis:
        node = kpi.removeprefix(BORDER_PREFIX)
        if node not in net.node_by_id:
            raise ScenarioError(f"observed KPI '{kpi}': no node '{node}' in the dataset")
        # the demand rows whose own route crosses the border (a row's candidate routes, made by the simulation for
        # diversion, carry that row's cargo: they are not rows to scale)
        groups[kpi] = tuple(r.flow.flow_id for r in routes if r.flow.candidate_of is None and node in r.path.node_ids)
        if not groups[kpi]:
            raise ScenarioError(f"observed KPI '{kpi}': no demand flow is routed through '{node}', nothing to fit")
    flows_seen = [f for g in groups.values() for f in g]
    if len(flows_seen) != len(set(flows_seen)):
        raise ScenarioError("the observed borders share flows (a route crosses two of them): factors would not be separable")
    return groups


def scale_groups(demand: Demand, groups: dict[str, tuple[str, ...]], factors: dict[str, float]) -> Demand:
    by_flow = {f: factors[k] for k, ids in groups.items() for f in ids}
    return type(demand)(tuple(replace(f, teu_per_week=f.teu_per_week * by_flow.get(f.flow_id, 1.0)) for f in demand.flows))


def window_share(flows: list[Flow] | tuple[Flow, ...], days: float) -> float:
    """The share of the flows' yearly TEU that a run's window of ``days`` days (day 0 = the first reported day, as the
    simulation's demand rate counts it) generates: ∫₀ᵈᵃʸˢ rate(d) dd / ∫₀³⁶⁵ rate(d) dd, the rate being
    ``teu_per_week / 7 × (1 + a cos(2π (d − p) / 365))`` (the cosine integrates to 0 over a year)."""
    w = 2.0 * math.pi / YEAR_DAYS
    window = math.fsum(f.teu_per_week * (days + f.season_amplitude / w * (math.sin(w * (days - f.season_peak_day))
                                                                              - math.sin(w * -f.season_peak_day))) for f in flows)
    year = math.fsum(f.teu_per_week * YEAR_DAYS for f in flows)
    return window / year if year > 0 else days / YEAR_DAYS


def calibrate(net: Network, demand: Demand, options: SimOptions, observations: list[Observation], *, days: int = 365,
              seeds: tuple[int, ...] = (1, 2, 3), max_iter: int = 6, tol: float = 0.005,
              simulate_fn: SimulateFn | None = None, progress: Callable[[int, dict[str, float]], None] | None = None,
              ) -> CalibrationResult:
    """Fit the per-border factors; ``simulate_fn(net, demand, days, seed, options) -> kpis`` (default: the engine).
    ``before`` and ``after`` are yearly figures (the run's counts divided by :func:`window_share`), comparable with the
    observed yearly counts; ``converged`` says whether every KPI ended within ``tol``."""
    sim = simulate_fn or _engine
    observed = {o.kpi: o.observed for o in observations}
    groups = border_groups(net, demand, options, list(observed))
    factors = {k: 1.0 for k in observed}
    by_id = {f.flow_id: f for f in demand.flows}
    share = {k: window_share([by_id[f] for f in ids], days) for k, ids in groups.items()}  # unchanged by scaling a group

    def evaluate(f: dict[str, float]) -> dict[str, float]:
        """The run's counts (mean over the seeds), not yet yearly."""
        d = scale_groups(demand, groups, f)
        runs = [sim(net, d, days, s, options) for s in seeds]
        return {k: math.fsum(r.get(k, 0.0) for r in runs) / len(runs) for k in observed}

    def yearly(counts: dict[str, float]) -> dict[str, float]:
        return {k: counts[k] / share[k] for k in counts}

    counts = evaluate(factors)
    before = current = yearly(counts)
    it = 0
    while it < max_iter and any(abs(current[k] / v - 1) > tol for k, v in observed.items()):
        _check_fit(counts, current, observed, factors, days, len(seeds))
        factors = {k: factors[k] * observed[k] / current[k] for k in observed}
        it += 1
        counts = evaluate(factors)
        current = yearly(counts)
        if progress:
            progress(it, dict(factors))
    converged = all(abs(current[k] / v - 1) <= tol for k, v in observed.items())
    return CalibrationResult(factors, groups, observed, before, current, it, len(seeds), scale_groups(demand, groups, factors),
                             converged, tol, days, share)


def _check_fit(counts: dict[str, float], current: dict[str, float], observed: dict[str, float], factors: dict[str, float],
               days: int, reps: int) -> None:
    """Refuse to scale from a run's count too small to mean anything (fewer than :data:`MIN_TRAINS` trains in the run),
    or toward a factor beyond the demand scale's bound (``current``: the yearly figures)."""
    for k, v in observed.items():
        need = factors[k] * v / current[k] if current[k] > 0 else math.inf
        if counts[k] >= MIN_TRAINS and need <= SCALE.hi:
            continue
        why = (f"too few to scale (at least {MIN_TRAINS:g} are needed)" if counts[k] < MIN_TRAINS
               else f"closing the gap would scale its demand ×{need:,.0f} (at most ×{SCALE.hi:g})")
        advice = (f"the run is too short to calibrate: simulate more days (--days 365 counts a year, now {days})"
                  if days < YEAR_DAYS and counts[k] < MIN_TRAINS else "check the scenario's demand through this border and the observed count")
        raise ScenarioError(f"{k}: the {days}-day run counts {counts[k]:,.1f} trains (mean of {reps} replication(s); "
                            f"{current[k]:,.0f} a year) against {v:,.0f} observed a year, {why}; {advice}")


def demand_csv(demand: Demand, notes: dict[str, str] | None = None) -> str:
    """A demand as CSV in the simulation's format (``silkway.simulation.demand.COLUMNS``)."""
    from silkway.simulation.demand import COLUMNS

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for f in demand.flows:
        note = "; ".join(x for x in (f.note, (notes or {}).get(f.flow_id)) if x)
        w.writerow([f.flow_id, f.origin, f.destination, f.corridor, ";".join(f.via), f"{f.teu_per_week:.6g}",
                    f"{f.season_amplitude:g}", f"{f.season_peak_day:g}", ";".join(f.src), note])
    return buf.getvalue()


def _engine(net: Network, demand: Demand, days: int, seed: int, options: SimOptions) -> dict[str, float]:
    from silkway.simulation import simulate

    return simulate(net, demand, days=days, seed=seed, options=options).kpis()
