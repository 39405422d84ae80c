"""Simulation options: a frozen record passed explicitly (no global settings)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from silkway.errors import SimulationError
from silkway.limits import WARMUP_DAYS
from silkway.network.model import Closure
from silkway.vocabulary import RouteMode

ROUTE_MODES = tuple(m.value for m in RouteMode)


@dataclass(frozen=True)
class SimOptions:
    """How a run is set up. Every field has a stated default (see docs/simulation.md).

    - ``route_mode``: ``fixed`` = each flow row keeps its corridor route; ``adaptive`` = each shipment of an
      origin–destination pair takes the candidate route with the least expected time given current queues.
    - ``green_channel_share`` of trains clear customs in ``green_channel_factor`` × the drawn time.
    - ``extra_closures``: closure windows added to the dataset's ``closures.csv``.
    - ``avoid``: countries (``RU``), node ids or modes (``ferry``) no route may use.
    - ``warmup_days``: simulated before the reported ``days`` (statistics ignore it).
    - ``train_teu``: block-train size (``None`` = the dataset's ``train_teu`` parameter).
    - ``container_teu``: TEU per container (one shipment = one container).
    - ``schedule_days``: a forming train leaves on its scheduled slot every this many days even if not full.
    - ``vessel_full_ratio``: a ferry leaves as soon as its load reaches this share of its capacity.
    - ``sample_hours``: interval of the queue-length / conservation samples.
    - ``deterministic``: all times at their medians, no random closures (for hand checks).
    - ``use_closures``: apply the dataset's closures (``extra_closures`` always apply).
    - ``booking``: fixed mode books each train through its route's capacities and acceptance plans before it leaves
      (simulation/booking.py): cargo beyond ``patience_days`` diverts (logit over freight rate + ``value_of_time_usd_day``
      × days, dispersion ``logit_usd``) or is refused; ``booking_utilisation`` of each capacity is bookable and a train
      leaves when it meets at most ``booking_slack_hours`` of booked backlog anywhere on its route.
    """

    route_mode: RouteMode | str = RouteMode.FIXED  # a plain "fixed"/"adaptive" is accepted and normalised
    green_channel_share: float = 0.0
    green_channel_factor: float = 0.5
    extra_closures: tuple[Closure, ...] = ()
    avoid: tuple[str, ...] = ()
    warmup_days: float = 30.0
    train_teu: float | None = None
    container_teu: float = 2.0
    schedule_days: float = 7.0
    vessel_full_ratio: float = 0.9
    adaptive_refresh_hours: float = 24.0
    sample_hours: float = 6.0
    deterministic: bool = False
    use_closures: bool = True
    booking: bool = True
    patience_days: float = 14.0
    booking_utilisation: float = 0.95
    booking_slack_hours: float = 24.0
    value_of_time_usd_day: float = 25.0
    logit_usd: float = 300.0

    def __post_init__(self) -> None:
        problems = []
        if self.route_mode in ROUTE_MODES:
            object.__setattr__(self, "route_mode", RouteMode(self.route_mode))
        else:
            problems.append(f"route_mode must be one of {', '.join(ROUTE_MODES)} (got '{self.route_mode}')")
        if not 0.0 <= self.green_channel_share <= 1.0:
            problems.append(f"green_channel_share must be in [0, 1] (got {self.green_channel_share})")
        if not 0.0 < self.green_channel_factor <= 1.0:
            problems.append(f"green_channel_factor must be in (0, 1] (got {self.green_channel_factor})")
        for name in ("container_teu", "schedule_days", "sample_hours", "adaptive_refresh_hours"):
            if not getattr(self, name) > 0:
                problems.append(f"{name} must be > 0 (got {getattr(self, name)})")
        if not 0 <= self.warmup_days <= WARMUP_DAYS.hi:
            problems.append(f"warmup_days must be {WARMUP_DAYS.describe()} (got {self.warmup_days})")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                problems.append(f"{f.name} must be a finite number (got {value})")
        if self.train_teu is not None and not self.train_teu >= self.container_teu:
            problems.append(f"train_teu must be >= container_teu (got {self.train_teu})")
        if not 0.0 < self.booking_utilisation <= 1.0:
            problems.append(f"booking_utilisation must be in (0, 1] (got {self.booking_utilisation})")
        for name in ("patience_days", "value_of_time_usd_day", "booking_slack_hours"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be >= 0 (got {getattr(self, name)})")
        if not self.logit_usd > 0:
            problems.append(f"logit_usd must be > 0 (got {self.logit_usd})")
        if not 0.0 < self.vessel_full_ratio <= 1.0:
            problems.append(f"vessel_full_ratio must be in (0, 1] (got {self.vessel_full_ratio})")
        if problems:
            raise SimulationError("invalid simulation options: " + "; ".join(problems))
