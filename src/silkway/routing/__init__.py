"""Multimodal route planning: Pareto set over (time, cost, CO2e), corridor-diverse alternatives, P90.

The planner is :class:`Router` (pure: conditions come in as :class:`Conditions`). ``silkway.route`` and
``silkway.route_many``, which also read the conditions files, are in the service layer (``silkway.services.routing``)."""

from silkway.routing.conditions import Conditions, ConditionsKind
from silkway.routing.constraints import Avoid, parse_avoid
from silkway.routing.model import Leg, RouteOption, RouteResult, Via, ViaKind
from silkway.routing.objectives import Objective
from silkway.routing.planner import OBJECTIVES, Router, router_of

__all__ = ["OBJECTIVES", "Avoid", "Conditions", "ConditionsKind", "Leg", "Objective", "RouteOption", "RouteResult", "Router", "Via", "ViaKind", "parse_avoid",
           "router_of"]
