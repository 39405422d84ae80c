"""Small enums shared by the core and the interfaces, importable without the simulation stack (the CLI lists
their values in ``--help`` without loading numba or pandas)."""

from __future__ import annotations

from enum import StrEnum

from silkway.errors import RoutingError


class RouteMode(StrEnum):
    """How simulated shipments choose routes: ``fixed`` = each demand row keeps its corridor route; ``adaptive`` =
    each shipment takes the candidate route with the least expected time given current queues."""

    FIXED = "fixed"
    ADAPTIVE = "adaptive"


class Mode(StrEnum):
    """How a link is travelled (``links.csv`` ``mode``): by train, by truck, by rail ferry, by feeder ship or by
    deep-sea ship. Values compare equal to the strings the dataset holds."""

    RAIL = "rail"
    ROAD = "road"
    FERRY = "ferry"
    FEEDER = "feeder"
    SEA = "sea"


LAND_MODES = frozenset({Mode.RAIL, Mode.ROAD})
WATER_MODES = frozenset({Mode.FERRY, Mode.FEEDER, Mode.SEA})  # a vessel carries the train's containers
RAIL_BORNE_MODES = frozenset({Mode.RAIL, Mode.FERRY, Mode.FEEDER})  # what a block train's corridor may use


class Platform(StrEnum):
    """What a shipment rides on at a node of the route planner's state graph: a train of either gauge, a truck, a
    rail ferry, a feeder or a deep-sea ship (the graph's state order is this order)."""

    RAIL1435 = "rail1435"
    RAIL1520 = "rail1520"
    ROAD = "road"
    FERRY = "ferry"
    FEEDER = "feeder"
    SEA = "sea"


class LegKind(StrEnum):
    """One element of a planned door-to-door chain (``Leg.kind``): ``move`` on a link, ``wait`` for the next
    scheduled departure, ``handling``, ``customs``, or ``queue`` (the expected congestion wait, typical conditions)."""

    MOVE = "move"
    WAIT = "wait"
    HANDLING = "handling"
    CUSTOMS = "customs"
    QUEUE = "queue"


class FacilityKind(StrEnum):
    """``facilities.csv`` ``facility_kind``."""

    GAUGE_CHANGE = "gauge_change"
    BORDER = "border"
    SEAPORT = "seaport"
    DRY_PORT = "dry_port"
    TERMINAL = "terminal"


class RouteSource(StrEnum):
    """Where a simulated route comes from: ``demand`` = a demand row's own route; ``corridor`` = the via-sequence of
    another row sharing an end (an adaptive-mode candidate); ``planner`` = an alternative of the route planner."""

    DEMAND = "demand"
    CORRIDOR = "corridor"
    PLANNER = "planner"


class BackendKind(StrEnum):
    """Where a study's or an investment search's replications run: ``local`` = worker processes on this machine;
    ``dask`` = a Dask cluster (``silkway study``: a running scheduler at ``--address``; ``silkway invest``: a local
    cluster unless ``--address``)."""

    LOCAL = "local"
    DASK = "dask"


class InvestObjective(StrEnum):
    """What ``silkway invest`` judges a portfolio by (every objective is maximised; see invest/objective.py)."""

    DELIVERED = "delivered"  # TEU delivered in the reported period
    REFUSED_DIVERTED = "refused_diverted"  # minus the TEU refused at the origin or diverted to another corridor
    P90 = "p90"  # minus the P90 transit time (days)
    NPV = "npv"  # net present value (USD) over the appraisal period against doing nothing


class Objective(StrEnum):
    """What ``--objective`` ranks by: ``time`` = the Monte Carlo median, ``p90`` = the Monte Carlo P90."""

    TIME = "time"
    P90 = "p90"
    COST = "cost"
    CO2E = "co2e"

    @classmethod
    def parse(cls, value: str | Objective) -> Objective:
        """Tolerant: case and blanks ignored; ``median`` = time, ``co2``/``co2e_kg`` = co2e."""
        if isinstance(value, Objective):
            return value
        text = str(value).strip().lower()
        text = {"median": "time", "days": "time", "co2": "co2e", "co2e_kg": "co2e", "cost_usd": "cost"}.get(text, text)
        try:
            return cls(text)
        except ValueError:
            raise RoutingError(f"unknown objective '{value}': choose one of {', '.join(o.value for o in cls)}") from None

    @property
    def search_criterion(self) -> int:
        """The nominal criterion the searches steer by: 0 time (also for P90), 1 cost, 2 CO2e."""
        return {Objective.TIME: 0, Objective.P90: 0, Objective.COST: 1, Objective.CO2E: 2}[self]
