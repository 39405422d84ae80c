"""From a searched path to the door-to-door chain: nominal legs, sampled time quantiles, corridor label."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from silkway.lognormal import sigma_from_p90
from silkway.network.model import Link
from silkway.routing.model import Leg
from silkway.routing.search import Path, next_departure
from silkway.routing.stategraph import HANDLING, MOVE, PLATFORMS, WAIT, WATER, StateGraph, Step, platform_index

GENERIC_CORRIDORS = frozenset({"china", "kz", "europe"})
EPS = 1e-9

Located = tuple[Step, str, str, int]  # (step, from node, to node, arc or -1)


def path_steps(g: StateGraph, path: Path) -> list[Located]:
    """Every timed step of the path in order, with where it happens: load, arcs, unload."""
    out: list[Located] = []
    first = g.node_of(path.start_state)
    hub = g.hub(first, platform_index(path.start_state))
    if hub is not None:
        out.append((Step(HANDLING, hub.median_h, hub.p90_h, facility_id=hub.facility_id, cost_usd_per_teu=hub.cost_usd_per_teu,
                         co2e_kg_per_teu=hub.co2e_kg_per_teu), first, first, -1))
    for a in path.arcs:
        u, v = g.node_of(g.tail[a]), g.node_of(g.head[a])
        for step in g.steps[a]:
            if step.kind == MOVE:
                out.append((step, u, v, a))
            else:
                at = g.net.facility_by_id[step.facility_id].node_id if step.facility_id else u
                out.append((step, at, at, a))
    last = g.node_of(path.end_state)
    hub = g.hub(last, platform_index(path.end_state))
    if hub is not None:
        out.append((Step(HANDLING, hub.median_h, hub.p90_h, facility_id=hub.facility_id, cost_usd_per_teu=hub.cost_usd_per_teu,
                         co2e_kg_per_teu=hub.co2e_kg_per_teu), last, last, -1))
    return out


def nominal_legs(g: StateGraph, steps: list[Located], depart_h: float, teu: float) -> list[Leg]:
    legs = []
    t = depart_h
    for step, u, v, a in steps:
        hours = next_departure(t, step.period_h, step.offset_h) - t if step.kind == WAIT else step.median_h
        extra = {}
        if step.kind == MOVE:
            lk = g.net.links[g.link[a]]
            extra = dict(link_id=lk.link_id, mode=lk.mode, platform=PLATFORMS[platform_index(g.tail[a])], distance_km=lk.distance_km,
                         country=lk.country, corridor=lk.corridor)
        elif step.kind == WAIT:
            lk = g.net.links[g.link[a]]
            extra = dict(link_id=lk.link_id, mode=lk.mode)
        legs.append(Leg(step.kind, u, v, hours, t - depart_h, step.cost_usd_per_teu * teu, step.co2e_kg_per_teu * teu,
                        facility_id=step.facility_id, **extra))
        t += hours
    return legs


def sample_hours(step_lists: Sequence[list[Located]], depart_h: float, n: int, seed: int) -> list[np.ndarray]:
    """Door-to-door hours of each path in ``n`` Monte Carlo draws (common random numbers across paths).

    Each timed step is lognormal with its median and P90 (sigma = ln(P90/median) / z0.9); a wait is the
    time to the next departure after the sampled arrival."""
    longest = max((len(s) for s in step_lists), default=0)
    z = np.random.default_rng(seed).standard_normal((longest, n))
    out = []
    for steps in step_lists:
        t = np.full(n, depart_h)
        rows: list[int] = []
        medians: list[float] = []
        sigmas: list[float] = []
        for k, (step, _, _, _) in enumerate(steps + [(None, "", "", -1)]):
            if step is None or step.kind == WAIT:
                if rows:  # the lognormal steps since the last wait, in one array operation
                    m, sg = np.array(medians)[:, None], np.array(sigmas)[:, None]
                    t = t + (m * np.exp(sg * z[rows])).sum(axis=0)
                    rows, medians, sigmas = [], [], []
                if step is not None:
                    t = step.offset_h + np.ceil((t - step.offset_h) / step.period_h - EPS) * step.period_h
            elif step.median_h > 0:
                rows.append(k)
                medians.append(step.median_h)
                sigmas.append(sigma_from_p90(step.median_h, step.p90_h))
        out.append(t - depart_h)
    return out


def corridor_km(g: StateGraph) -> dict[str, float]:
    """Network length tagged with each corridor, km."""
    km: dict[str, float] = {}
    for lk in g.net.links:
        for tag in lk.corridor:
            km[tag] = km.get(tag, 0.0) + lk.distance_km
    return km


def defining_links(g: StateGraph) -> frozenset[str]:
    """Links that characterise a corridor: border crossings and water legs."""
    by_id = g.net.node_by_id
    return frozenset(lk.link_id for lk in g.net.links
                     if lk.mode in WATER or by_id[lk.from_node].country != by_id[lk.to_node].country)


def corridor_of_arcs(g: StateGraph, arcs: Sequence[int], network_km: dict[str, float], defining: frozenset[str]) -> str:
    """The corridor of a searched path (see :func:`corridor_of_links`)."""
    return corridor_of_links([g.net.links[g.link[a]] for a in arcs if g.link[a] >= 0], network_km, defining)


def corridor_of_links(links: Sequence[Link], network_km: dict[str, float], defining: frozenset[str]) -> str:
    """The route's corridor: the tag carried by most of its border crossings and water legs, ties broken
    by the share of the tag's network length the route covers. Generic tags (``china``, ``kz``) count
    only when nothing else is used."""
    score: dict[str, list[float]] = {}
    for lk in links:
        for tag in lk.corridor:
            entry = score.setdefault(tag, [0.0, 0.0])
            entry[0] += lk.link_id in defining
            entry[1] += lk.distance_km / network_km[tag]
    specific = {t: v for t, v in score.items() if t not in GENERIC_CORRIDORS}
    pool = specific or score
    if not pool:
        return "untagged"
    return max(sorted(pool), key=lambda t: tuple(pool[t]))
