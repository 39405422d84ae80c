"""Multimodal route planning: Pareto set over (time, cost, CO2e), corridor-diverse alternatives, P90."""

from silkway.routing.constraints import Avoid, parse_avoid
from silkway.routing.model import Leg, RouteOption, RouteResult
from silkway.routing.planner import OBJECTIVES, Router, route, route_many

__all__ = ["OBJECTIVES", "Avoid", "Leg", "RouteOption", "RouteResult", "Router", "parse_avoid", "route", "route_many"]
