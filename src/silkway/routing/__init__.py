"""Multimodal route planning: Pareto set over (time, cost, CO2e), corridor-diverse alternatives, P90."""

from silkway.routing.conditions import Conditions, ConditionsKind
from silkway.routing.constraints import Avoid, parse_avoid
from silkway.routing.model import Leg, RouteOption, RouteResult, Via, ViaKind
from silkway.routing.objectives import Objective
from silkway.routing.planner import OBJECTIVES, Router, route, route_many, router_of

__all__ = ["OBJECTIVES", "Avoid", "Conditions", "ConditionsKind", "Leg", "Objective", "RouteOption", "RouteResult", "Router", "Via", "ViaKind", "parse_avoid",
           "route", "route_many", "router_of"]
