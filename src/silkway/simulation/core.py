"""``simulate``: the public entry point of the capacity simulation."""

from __future__ import annotations

from collections.abc import Callable

from silkway.errors import SilkwayError, SimulationError
from silkway.limits import DAYS, SEED, WARMUP_DAYS, check_sim_volume
from silkway.network.model import Network
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions
from silkway.simulation.result import SimulationResult

Progress = Callable[[float, float], None]  # (simulated days done, total days)


def simulate(net: Network, demand: Demand | None = None, *, days: float = 365, seed: int = 0, options: SimOptions = SimOptions(),
             progress: Progress | None = None) -> SimulationResult:
    """Simulate ``days`` days (after ``options.warmup_days`` of warm-up) of container flows over ``net``.

    ``demand`` defaults to the embedded 2023 demand. ``progress(done_days, total_days)`` is called as the
    run advances. Every random number derives from ``seed``: the same inputs and seed give identical results.
    """
    for bound, value in ((DAYS, days), (SEED, seed), (WARMUP_DAYS, options.warmup_days)):
        try:
            bound.check(value)
        except SilkwayError as exc:
            raise SimulationError(str(exc)) from None
    if demand is None:
        from silkway.simulation.demand_io import default_demand
        demand = default_demand(net)
    try:
        check_sim_volume(demand.teu_per_week, days, options.warmup_days)
    except SilkwayError as exc:
        raise SimulationError(str(exc)) from None
    from silkway.simulation.collect import collect  # the numba kernel is imported on first use, not with silkway
    from silkway.simulation.engine import prepare, run
    from silkway.simulation.plan import build

    builder, routes = build(net, demand, options)
    closures = (net.closures if options.use_closures else ()) + tuple(options.extra_closures)
    prep = prepare(builder, routes, demand, options, days=days, seed=seed, closures=closures)
    run(prep, progress)
    return collect(prep, seed)
