"""What the calendar and the conditions add to a route's steps: seasonal closure risk and expected congestion waits.

For each timed step of a path (``timeline.arc_steps``, ``hub_step``) a query adds (computed in ``routing/timekernel.py`` from the
tables built here and in ``routing/evaluate.py``):

* **closures** (``closures.csv``, random ones): the chance ``p_closed`` that a closure of the step's element is in
  force when the container gets there, for the month it gets there (``network/seasons.py``: the same monthly rates
  the simulation draws from), and its length ``closed_h``. A link closure hits the departure of a scheduled link
  (the sailing is cancelled: the container takes the first one after the reopening) or else the move; a node
  closure hits the first step of each visit to the node; a facility closure the first step at the facility.
  Several closures on one step combine as independent risks into one (p = 1 − Π(1 − pᵢ), length their
  risk-weighted mean). Recurring closures are not drawn (the embedded dataset has none);
* **expected waits** (``conditions``): one wait per element the step queues at — the element's mean wait per
  train in the month it is reached, and its distribution (quantiles) where the source has one, less what the planner
  already draws itself — at a quay the mean wait for the next departure of the timetable (half the period), and for
  every element the mean direct delay of its own closures (p × length / 2) — never below 0 (each quantile shifted
  by the same amount); each is a ``queue`` leg of the nominal chain (its mean). Before the first step, the **origin wait** for the
  train to leave (to fill, or its timetabled departure in the simulation), when the route leaves its origin by an
  unscheduled rail link (a scheduled first link's timetable wait is already the planner's own).

The month of a step is that of its nominal start (departure + the nominal hours before it); without a departure
date, closures take their yearly mean rate and waits their yearly mean.
"""

from __future__ import annotations

import bisect
import datetime as dt

from silkway.network.model import Closure, Network
from silkway.network.schema import MODES
from silkway.network.seasons import closed_probability
from silkway.routing.conditions import ElementKey, ElementKind
from silkway.routing.stategraph import CUSTOMS, HANDLING, MOVE, WAIT, StateGraph, Step
from silkway.vocabulary import WATER_MODES

Located = tuple[Step, str, str, int]  # (step, from node, to node, arc or -1), as timeline.arc_steps gives them

VESSEL_MODES = WATER_MODES


class Calendar:
    """Month of an hour of the query clock (hours after Monday 00:00 of the departure week)."""

    def __init__(self, depart: dt.datetime | None, depart_h: float, horizon_days: int = 400):
        self.fixed: int | None = None if depart is not None else 0
        self.bounds: list[float] = []
        self.months: list[int] = []
        if depart is None:
            return
        first = dt.datetime(depart.year, depart.month, 1)
        self.months.append(depart.month)
        d = first
        for _ in range(horizon_days // 28 + 2):
            d = dt.datetime(d.year + d.month // 12, d.month % 12 + 1, 1)
            self.bounds.append(depart_h + (d - depart).total_seconds() / 3600.0)
            self.months.append(d.month)

    def month(self, t: float) -> int | None:
        """1–12, or None without a departure date."""
        if self.fixed is not None:
            return None
        return self.months[bisect.bisect_right(self.bounds, t)]


class Hazards:
    """The random closures of a network indexed by what they close (built once per router)."""

    def __init__(self, net: Network):
        self.by: dict[tuple[str, str], list[Closure]] = {}
        for c in net.closures:
            if c.kind == "random" and c.events_per_year:
                self.by.setdefault((c.target_kind, c.target_id), []).append(c)
        self._p: dict[tuple[str, int | None], float] = {}
        self._static: dict[tuple[int, str, str | None], tuple[Closure, ...]] = {}  # closures of a step's link, per (arc, kind, facility)
        self._elements: dict[tuple[int, str, str | None, str], ElementKey | None] = {}

    def p(self, c: Closure, month: int | None) -> float:
        key = (c.closure_id, month)
        v = self._p.get(key)
        if v is None:
            v = self._p[key] = closed_probability(c, month)
        return v

    def static_closures(self, g: StateGraph, step: Step, a: int) -> tuple[Closure, ...]:
        """The closures hitting a step whatever came before it (its link's), memoised per (arc, kind, facility)."""
        key = (a, step.kind, step.facility_id)
        static = self._static.get(key)
        if static is None:
            static = self._static[key] = self._link_closures(g, step, a)
        return static

    def with_context(self, static: tuple[Closure, ...], step: Step, u: str, first_at_facility: bool, visit_start: bool) -> list[Closure]:
        """``static`` plus the closures a step gets from what came before it: its facility's when it is the first step
        at the facility, its node's when it starts a visit to the node (``u``)."""
        out = list(static)
        if step.facility_id is not None and first_at_facility:
            out += self.by.get(("facility", step.facility_id), ())
        if visit_start:
            out += self.by.get(("node", u), ())
        return out

    def has_context(self, step: Step, u: str) -> bool:
        """Whether a step can get closures from what came before it (:meth:`with_context` may add some)."""
        return bool((step.facility_id is not None and ("facility", step.facility_id) in self.by) or ("node", u) in self.by)

    def _link_closures(self, g: StateGraph, step: Step, a: int) -> tuple[Closure, ...]:
        if a < 0 or step.kind not in (WAIT, MOVE):
            return ()
        i = int(g.link[a])
        scheduled = bool(g.link_period[i])  # the arc has a wait for a departure (StateGraph._link_steps)
        if step.kind == WAIT or not scheduled:
            return tuple(self.by.get(("link", g.compiled.link_ids[i]), ()))
        return ()

    def element(self, g: StateGraph, step: Step, u: str, a: int) -> ElementKey | None:
        """:func:`element_of`, memoised per (arc, step kind, facility, node)."""
        key = (a, step.kind, step.facility_id, u)
        if key not in self._elements:
            self._elements[key] = element_of(g, step, u, a)
        return self._elements[key]


def element_of(g: StateGraph, step: Step, u: str, a: int) -> ElementKey | None:
    """The simulation element (station) a step queues at, if any."""
    if step.kind in (HANDLING, CUSTOMS) and step.facility_id is not None:
        node = g.net.facility_by_id[step.facility_id].node_id
        return (ElementKind.HANDLING if step.kind == HANDLING else ElementKind.CUSTOMS, step.facility_id, node)
    if a < 0:
        return None
    i = int(g.link[a])
    link_id = g.compiled.link_ids[i]
    if step.kind == WAIT:
        return (ElementKind.QUAY, link_id, u)
    if step.kind == MOVE and MODES[g.compiled.mode[i]] not in VESSEL_MODES:
        return (ElementKind.LINK, link_id, u)
    return None
