"""``simulate``: the public entry point of the capacity simulation."""

from __future__ import annotations

from collections.abc import Callable

from silkway.errors import SimulationError
from silkway.network.model import Network
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions
from silkway.simulation.result import SimulationResult

Progress = Callable[[float, float], None]  # (simulated days done, total days)


def simulate(net: Network, demand: Demand | None = None, *, days: float = 365, seed: int = 0, options: SimOptions = SimOptions(),  # noqa: B008 (frozen)
             progress: Progress | None = None) -> SimulationResult:
    """Simulate ``days`` days (after ``options.warmup_days`` of warm-up) of container flows over ``net``.

    ``demand`` defaults to the embedded 2023 demand. ``progress(done_days, total_days)`` is called as the
    run advances. Every random number derives from ``seed``: the same inputs and seed give identical results.
    """
    if demand is None:
        from silkway.simulation.demand_io import default_demand
        demand = default_demand(net)
    if not days > 0:
        raise SimulationError(f"days must be > 0 (got {days})")
    if not isinstance(seed, int) or seed < 0:
        raise SimulationError(f"seed must be an integer >= 0 (got {seed!r})")
    from silkway.simulation.collect import collect  # the numba kernel is imported on first use, not with silkway
    from silkway.simulation.engine import prepare, run
    from silkway.simulation.plan import build

    builder, routes = build(net, demand, options)
    closures = (net.closures if options.use_closures else ()) + tuple(options.extra_closures)
    prep = prepare(builder, routes, demand, options, days=days, seed=seed, closures=closures)
    run(prep, progress)
    return collect(prep, seed)
