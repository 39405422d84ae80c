"""The step-by-step evaluation of a path that the planner used before its per-arc blocks (``routing/pathdata.py``),
kept here as the reference those blocks are checked against (``test_pathdata.py``): every timed step of the path in
order, the closures hitting each from what came before it, its element, then the rows of ``evaluate.step_rows``."""

from __future__ import annotations

from silkway.network.model import Closure
from silkway.routing.conditions import ElementKey
from silkway.routing.evaluate import Elements, PathArrays, step_rows
from silkway.routing.hazards import Hazards, Located
from silkway.routing.search import Path
from silkway.routing.stategraph import MOVE, WAIT, StateGraph
from silkway.routing.timeline import LognormalTable, arc_steps, hub_step


def path_steps(g: StateGraph, path: Path) -> list[Located]:
    """Every timed step of the path in order, with where it happens: load, arcs, unload."""
    load, unload = hub_step(g, path.start_state), hub_step(g, path.end_state)
    out: list[Located] = [load] if load is not None else []
    for a in path.arcs:
        out += arc_steps(g, a)
    return out + ([unload] if unload is not None else [])


def closures_of(g: StateGraph, hazards: Hazards, steps: list[Located], k: int) -> list[Closure]:
    """Closures hitting step ``k`` of a located path: its own, its facility's at the first step there, its node's at
    the first step of a visit (the container has just arrived by a move, or it is the path's first step)."""
    step, u, _, a = steps[k]
    first_at_facility = k == 0 or steps[k - 1][0].facility_id != step.facility_id
    visit_start = k == 0 or steps[k - 1][0].kind == MOVE
    return hazards.with_context(hazards.static_closures(g, step, a), step, u, first_at_facility, visit_start)


def leaves_by_train(g: StateGraph, steps: list[Located]) -> bool:
    """Whether the path leaves its origin by an unscheduled rail link (its first wait or move is a rail move)."""
    for step, _, _, a in steps:
        if step.kind == WAIT:
            return False
        if step.kind == MOVE:
            return bool(g.net.links[g.link[a]].mode == "rail")
    return False


def path_arrays(g: StateGraph, steps: list[Located], hazards: Hazards, table: LognormalTable, elements: Elements) -> PathArrays:
    hits = [closures_of(g, hazards, steps, k) for k in range(len(steps))]
    element: list[ElementKey | None] = [hazards.element(g, s, u, a) for s, u, _, a in steps]
    f, ii, legs, distance = step_rows(g, steps, hits, element, hazards, table, elements)
    ends = (steps[0][1], steps[-1][2]) if steps else ("", "")
    return PathArrays(f, ii, leaves_by_train(g, steps), ends, distance, tuple(legs))
