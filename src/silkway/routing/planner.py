"""The route planner: :class:`Router` (built once per network) and the functions ``route``/``route_many``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property
from typing import NamedTuple, cast

import numpy as np

from silkway.errors import RoutingError, SilkwayError
from silkway.limits import ALTERNATIVES, MAX_TRANSFERS, ROUTE_TEU, check_day
from silkway.network.model import Network
from silkway.network.places import PLACES_HINT, country_index, country_name, name_index, normalize, resolve_place
from silkway.routing import graphstore
from silkway.routing.batch import Penalties, corridor_paths
from silkway.routing.conditions import FREE, Conditions
from silkway.routing.constraints import Avoid, allowed_arcs, check_endpoint, dataset_countries, parse_avoid
from silkway.routing.corridors import (
    GENERIC_CORRIDORS,
    corridor_km,
    corridor_of_arcs,
    corridor_of_links,
    defining_links,
    foreign_penalty,
    link_tags,
    via_points,
    water_crossings,
)
from silkway.routing.evaluate import Elements, PathArrays, clock_of, evaluate, wait_table
from silkway.routing.hazards import Calendar, Hazards
from silkway.routing.model import RouteOption, RouteResult, Via
from silkway.routing.objectives import FIELD, Objective, displayed, key_of, marks_of
from silkway.routing.pathdata import ArcBlocks
from silkway.routing.regions import Regions
from silkway.routing.search import Path, Query, best_path, pareto_front, pareto_paths
from silkway.routing.stategraph import SPN, StateGraph
from silkway.routing.timekernel import WaitTable
from silkway.routing.timeline import LognormalTable

OBJECTIVES = tuple(o.value for o in Objective)
SAMPLES = 1000
FOREIGN_PENALTY = 5.0  # multiplier on links of other corridors when looking for a corridor's best route
METHOD = ("{exact}Pareto label-setting over (node, platform) states with timetable waits (time-dependent, FIFO), "
          "no route re-entering a country it left or crossing a water body twice{relaxed}; "
          "door-to-door time quantiles by Monte Carlo: {n} draws, seed {seed}, each step lognormal from its median and P90, "
          "waits recomputed from each sampled arrival, random closures drawn at their rate for the month; "
          "conditions: {conditions}; ranking and Pareto marks on the displayed median, P90, cost and CO2e")
RELAXED = " (relaxed for this query: no route obeys it{why})"
GAVE_UP = " (relaxed for this query: no route obeying it{why} was found within the first {n:,} labels of its search)"
PATH_CACHE = 4096  # paths whose query-independent data a router keeps
NAMES_KEPT = 1024  # place names and avoid lists a router keeps resolved


def _path_key(p: Path) -> tuple[int, tuple[int, ...], int]:
    return (p.start_state, p.arcs, p.end_state)


class PathInfo(NamedTuple):
    arrays: PathArrays
    node_ids: tuple[str, ...]
    corridor: str
    via: tuple[Via, ...]


class Figures(NamedTuple):  # what ranking reads of a candidate (objectives.Figures) before its option is built
    days_median: float
    days_p90: float
    cost_usd: float
    co2e_kg: float


def depart_week_hour(depart: dt.date | dt.datetime | str | None) -> tuple[float, str | None]:
    """Hours after Monday 00:00 of the departure week (None → Monday 00:00) and the ISO text."""
    h, when = depart_datetime(depart)
    return h, None if when is None else when.isoformat()


def depart_datetime(depart: dt.date | dt.datetime | str | None) -> tuple[float, dt.datetime | None]:
    """Hours after Monday 00:00 of the departure week (None → Monday 00:00) and the departure date-time."""
    if depart is None:
        return 0.0, None
    if isinstance(depart, str):
        try:
            depart = dt.datetime.fromisoformat(depart)
        except ValueError as exc:
            raise RoutingError(f"cannot read the departure '{depart}': use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from exc
    if not isinstance(depart, dt.datetime):
        depart = dt.datetime(depart.year, depart.month, depart.day)
    try:
        check_day(depart.date(), "departure date")
    except SilkwayError as exc:
        raise RoutingError(str(exc)) from None
    return depart.weekday() * 24.0 + depart.hour + depart.minute / 60.0, depart


class Router:
    """The planner for one network. Build it once and query it many times (it caches nothing global)."""

    def __init__(self, net: Network):
        self.net = net
        self.graph = StateGraph(net)
        self.names = name_index(net)
        self.countries = dataset_countries(net)
        self.country_names = country_index(self.countries)
        tags = link_tags(self.graph)
        self.network_km = corridor_km(self.graph, tags)
        self.defining = defining_links(self.graph)
        self.crossings = water_crossings(self.graph)
        self.corridors = tuple(sorted(t for t in self.network_km if t not in GENERIC_CORRIDORS))
        self.regions = graphstore.regions(self.graph)  # built, or loaded for a big cached dataset
        self.lognormals = LognormalTable()
        self.hazards = Hazards(net)
        self.elements = Elements()  # the stations the paths seen so far queue at, numbered
        self._waits: dict[int, tuple[Conditions, WaitTable]] = {}  # per Conditions object (kept: its id stays its own)
        self.conditions_cache: dict[tuple[object, ...], Conditions] = {}  # conditions_of: resolved waits files, per (spec, dataset, day)
        self._allowed: dict[Avoid, np.ndarray] = {}
        self._resolved: dict[str, str] = {}  # place name as given → node id
        self._avoids: dict[tuple[str, ...], Avoid] = {}  # avoid items as given → what they avoid
        self._paths: dict[tuple[object, ...], PathInfo] = {}
        self._penalties = Penalties([foreign_penalty(self.graph, c, tags, FOREIGN_PENALTY) for c in self.corridors],
                                    len(self.graph.head))

    def allowed(self, avoid: Avoid) -> np.ndarray:
        """Arc flags for an avoid-set, memoised per router (bounded: a server sees many distinct sets)."""
        mask = self._allowed.get(avoid)
        if mask is None:
            if len(self._allowed) >= 256:
                self._allowed.clear()
            mask = self._allowed[avoid] = np.asarray(allowed_arcs(self.graph, avoid), dtype=np.bool_)
        return mask

    def resolve(self, name: str) -> str:
        """The node id of a place name (tolerant: :func:`resolve_place`), memoised per router (bounded)."""
        node = self._resolved.get(name) if isinstance(name, str) else None
        if node is None:
            node = resolve_place(self.net, name, self.names)  # raises for an unknown name: nothing kept
            if isinstance(name, str):
                if len(self._resolved) >= NAMES_KEPT:
                    self._resolved.clear()
                self._resolved[name] = node
        return node

    def parse_avoid(self, items: tuple[str, ...]) -> Avoid:
        """What ``items`` avoid (:func:`parse_avoid`), memoised per router (bounded)."""
        av = self._avoids.get(items) if all(isinstance(x, str) for x in items) else None
        if av is None:
            av = parse_avoid(self.net, items, self.names, self.countries, self.country_names)
            if all(isinstance(x, str) for x in items):
                if len(self._avoids) >= NAMES_KEPT:
                    self._avoids.clear()
                self._avoids[items] = av
        return av

    def resolve_via(self, name: str) -> str:
        """A via point is a place; a country there gets a message that says what to use instead."""
        key = normalize(name)
        if key not in self.names and key in self.country_names:
            code = self.country_names[key]
            border = [n.name for n in self.net.nodes if n.country == code and n.node_kind in ("border", "port")][:4]
            example = f" (its border stations and ports here: {', '.join(border)})" if border else ""
            raise RoutingError(f"'{name}' is a country ({country_name(code)}, {code}); --via takes places{example}. "
                               f"To keep a route out of it, use --avoid {code}. {PLACES_HINT}")
        return self.resolve(name)

    def corridor_of(self, link_ids: Iterable[str]) -> str:
        """The corridor label the planner gives a route over these links (used to label simulated detours)."""
        by_id = self.net.link_by_id
        return corridor_of_links([by_id[i] for i in link_ids], self.network_km, self.defining, self.crossings)

    def route(self, origin: str, destination: str, *, teu: float = 1.0, depart: dt.date | dt.datetime | str | None = None,
              avoid: Iterable[str] = (), via: Iterable[str] = (), max_transfers: int | None = None,
              objective: Objective | str = Objective.TIME, alternatives: int = 3, samples: int = SAMPLES, seed: int = 0,
              conditions: Conditions | None = None) -> RouteResult:
        """Plan ``teu`` TEU from ``origin`` to ``destination``; see :func:`silkway.route` (``silkway.services.routing``). ``conditions``: the
        expected congestion waits (None = free: none; :mod:`silkway.routing.conditions`)."""
        cond = conditions if conditions is not None else FREE
        obj = Objective.parse(objective)
        try:
            ROUTE_TEU.check(teu)
            ALTERNATIVES.check(alternatives)
            if max_transfers is not None:
                MAX_TRANSFERS.check(max_transfers)
        except SilkwayError as exc:
            raise RoutingError(str(exc)) from None
        if samples < 1:
            raise RoutingError("samples must be at least 1")
        o, d = self.resolve(origin), self.resolve(destination)
        if o == d:
            raise RoutingError(f"origin and destination are the same place ({self.net.node_by_id[o].name})")
        avoid, via = ([x] if isinstance(x, str) else x for x in (avoid, via))  # one name given as a plain string
        vias = tuple(self.resolve_via(v) for v in via)
        av = self.parse_avoid(tuple(avoid))
        for node_id, role in ((o, "origin"), (d, "destination"), *((v, "via point") for v in vias)):
            check_endpoint(self.net, node_id, av, role)
        depart_h, depart_dt = depart_datetime(depart)
        depart_iso = None if depart_dt is None else depart_dt.isoformat()
        idx = self.graph.node_index
        q = Query(idx[o], idx[d], depart_h, tuple(idx[v] for v in vias), max_transfers)
        allowed = self.allowed(av)
        rules: Regions | None = self.regions
        found = pareto_front(self.graph, q, allowed, rules)
        front = found.paths
        uncapped = pareto_paths(self.graph, replace(q, max_transfers=None), allowed, rules) if not front and q.max_transfers is not None else []
        if uncapped:  # routes obeying the rules exist, only not within the transfer cap: the cap is the cause, not the via
            # points or the network, so the rules stay (relaxing them would answer with a detour that re-enters countries)
            raise RoutingError(self._why_capped(q, allowed, min(p.transfers for p in uncapped)))
        gave_up = found.labels if found.gave_up else 0
        if not front:  # only a route re-entering a country (or recrossing a sea) exists: the via points or the network demand it
            rules = None
            found = pareto_front(self.graph, q, allowed)
            front = found.paths
            if not front:
                raise RoutingError(self._why_infeasible(q, av))
        calendar = Calendar(depart_dt, depart_h)
        opts, shown = self._options(self._candidates(q, allowed, rules, front, obj), depart_h, teu, samples, seed, cond, calendar)
        by_obj = sorted(zip((key_of(f, getattr(x, FIELD[obj]), obj) for x, f in zip(opts, shown, strict=True)), range(len(opts)),
                            opts, strict=True))  # each option's figures formatted once (objectives.displayed)
        best = _diverse([x for _, _, x in by_obj], alternatives)
        front_opts = [x for _, _, x in sorted((key_of(f, x.days_median, Objective.TIME), i, x)
                                              for i, (x, f) in enumerate(zip(opts, shown, strict=True)) if x.pareto)]
        constraints = {"avoid": [f"{kd}:{v}" for kd, v in av.labels], "via": list(vias), "max_transfers": max_transfers,
                       "corridor_rules": rules is not None}
        why = " without re-entering" if vias else ""
        relaxed = "" if rules is not None else (GAVE_UP.format(why=" with these via points" if why else "", n=gave_up) if gave_up
                                                else RELAXED.format(why=" with these via points" if why else ""))
        method = METHOD.format(exact="" if found.eps else "exact ", n=samples, seed=seed, relaxed=relaxed, conditions=cond.label)
        if found.eps:  # which ε and why (search.Front.note)
            method += "; " + found.note
        return RouteResult(o, d, teu, obj, depart_iso, tuple(best), tuple(front_opts), constraints, method, cond)

    def _candidates(self, q: Query, allowed: np.ndarray, rules: Regions | None, front: list[Path], obj: Objective) -> list[Path]:
        """The Pareto set (nominal criteria) plus, for each other corridor, the best route steered towards it."""
        k = obj.search_criterion
        candidates = {p.arcs: p for p in front}
        # the nominal optimum is in the front; its corridor needs no steered search
        top = min(front, key=lambda p: (p.arrival_h, p.cost_usd_per_teu, p.co2e_kg_per_teu)[k])
        self.arc_blocks.prefetch(self._unkept(front))  # the top's links among them, in one batch
        top_corridor = self._path_info(top).corridor
        rows = [r for r, c in enumerate(self.corridors) if c != top_corridor]
        for p in corridor_paths(self.graph, q, allowed, k, self._penalties, rows, rules):  # one compiled call (routing/batch.py)
            if p is not None and (q.max_transfers is None or p.transfers <= q.max_transfers):
                candidates.setdefault(p.arcs, p)
        return list(candidates.values())

    @cached_property
    def arc_blocks(self) -> ArcBlocks:
        """Per-arc rows of the paths' arrays (:mod:`silkway.routing.pathdata`), built as paths come."""
        return ArcBlocks(self.graph, self.hazards, self.lognormals, self.elements)

    def _unkept(self, paths: list[Path]) -> list[Path]:
        """The paths whose :meth:`_path_info` is not kept yet."""
        return [p for p in paths if _path_key(p) not in self._paths]

    def _path_info(self, p: Path) -> PathInfo:
        """What about a path does not depend on the query (its steps as arrays with their closures, elements and leg
        fields, its nodes, corridor label and via points), kept per router (bounded: a server sees many paths)."""
        key = _path_key(p)
        info = self._paths.get(key)
        if info is None:
            if len(self._paths) >= PATH_CACHE:
                self._paths.clear()
            g = self.graph
            nodes = np.concatenate(([p.start_state], g.head[np.asarray(p.arcs, dtype=np.int64)])) // SPN
            nodes = nodes[np.concatenate(([True], nodes[1:] != nodes[:-1]))]
            info = self._paths[key] = PathInfo(
                self.arc_blocks.path_arrays(p), tuple(g.node_ids[n] for n in nodes.tolist()),
                corridor_of_arcs(g, p.arcs, self.network_km, self.defining, self.crossings), via_points(g, p))
        return info

    def _wait_table(self, cond: Conditions) -> WaitTable:
        """The expected waits of ``cond`` per element as arrays, extended as new paths bring new elements (bounded)."""
        held = self._waits.get(id(cond))
        table = held[1] if held is not None and held[0] is cond else None
        if table is None or table.mean.shape[0] < len(self.elements.keys):
            if table is None and len(self._waits) >= 16:
                self._waits.clear()
            table = wait_table(cond, self.elements.keys, table)
            self._waits[id(cond)] = (cond, table)
        return table

    def _options(self, paths: list[Path], depart_h: float, teu: float, samples: int, seed: int, cond: Conditions,
                 calendar: Calendar) -> tuple[list[RouteOption], list[tuple[float, ...]]]:
        """Every candidate with its legs, via points and sampled times, Pareto marks over the displayed figures; and
        those figures (:func:`~silkway.routing.objectives.displayed`)."""
        self.arc_blocks.prefetch(self._unkept(paths))
        infos = [self._path_info(p) for p in paths]
        typical = bool(cond.waits)
        origins = []
        for info in infos:  # the origin wait: a route leaving its origin by an unscheduled rail link, typical conditions
            key = cond.origin_key(*info.arrays.ends) if typical and info.arrays.by_train and len(info.arrays.f) else None
            origins.append(-1 if key is None else self.elements.id_of(key))
        times = evaluate([i.arrays for i in infos], [p.arrival_h for p in paths], origins, self._wait_table(cond), clock_of(calendar),
                         self.lognormals, seed, samples, depart_h, teu, self.elements)
        figs = [Figures(t.median_h / 24.0, t.p90_h / 24.0, p.cost_usd_per_teu * teu, p.co2e_kg_per_teu * teu) for p, t in zip(paths, times, strict=True)]
        shown: list[tuple[float, ...]] = [displayed(f) for f in figs]
        return [RouteOption(info.corridor, info.node_ids, t.legs, days_nominal=t.nominal_h / 24.0, days_median=f.days_median,
                            days_p90=f.days_p90, expected_wait_days=t.queue_h / 24.0, cost_usd=f.cost_usd, co2e_kg=f.co2e_kg,
                            transfers=p.transfers, distance_km=info.arrays.distance_km, via=info.via, pareto=mark,
                            gap_variability_days=t.gap_variability_h / 24.0, gap_timetable_days=t.gap_timetable_h / 24.0)
                for p, info, t, f, mark in zip(paths, infos, times, figs, marks_of(shown), strict=True)], shown

    def _why_infeasible(self, q: Query, av: Avoid) -> str:
        net, ids = self.net, self.graph.node_ids
        a, b = net.node_by_id[ids[q.origin]].name, net.node_by_id[ids[q.dest]].name
        relaxations: list[tuple[str, Query, Avoid]] = [(av.describe(lb, net), q, av.without(lb)) for lb in av.labels]
        if q.via:
            relaxations.append(("via " + ", ".join(net.node_by_id[ids[v]].name for v in q.via), Query(q.origin, q.dest, q.depart_h, (), q.max_transfers), av))
        if q.max_transfers is not None:
            relaxations.append((f"max transfers {q.max_transfers}", Query(q.origin, q.dest, q.depart_h, q.via, None), av))
        culprits = [label for label, q2, av2 in relaxations if self._feasible(q2, self.allowed(av2))]
        if culprits:
            return f"no route from {a} to {b} satisfies the constraints; it becomes feasible without: {'; '.join(culprits)}"
        free = Query(q.origin, q.dest, q.depart_h)
        if relaxations and self._feasible(free, self.allowed(Avoid())):
            return (f"no route from {a} to {b} satisfies the constraints together ({'; '.join(r[0] for r in relaxations)}); "
                    "no single one of them is the cause")
        return f"no route from {a} to {b}: the network does not connect them"

    def _feasible(self, q: Query, allowed: np.ndarray) -> bool:
        """Whether any route answers ``q`` (corridor rules not applied); exact under a transfer cap, which the
        single-criterion search does not count."""
        if q.max_transfers is None:
            return best_path(self.graph, q, allowed, 0) is not None
        return bool(pareto_paths(self.graph, q, allowed))

    def _why_capped(self, q: Query, allowed: np.ndarray, upper: int) -> str:
        """The message when routes obeying the corridor rules exist but none within ``q.max_transfers``; it names the
        fewest transfers such a route needs (at most ``upper``, the fewest on the uncapped Pareto set)."""
        net, ids = self.net, self.graph.node_ids
        a, b = net.node_by_id[ids[q.origin]].name, net.node_by_id[ids[q.dest]].name
        k = next((k for k in range((q.max_transfers or 0) + 1, upper)  # called only with a cap (q.max_transfers set)
                  if pareto_paths(self.graph, replace(q, max_transfers=k), allowed, self.regions)), upper)
        return (f"no route from {a} to {b} satisfies the constraints; it becomes feasible without: max transfers "
                f"{q.max_transfers} (a route that re-enters no country and crosses no water body twice needs {k} transfers)")


def _diverse(ranked: list[RouteOption], n: int) -> list[RouteOption]:
    """The best option of each corridor label of ``ranked`` (best first by the objective's displayed figure), the best
    labels first, at most ``n``."""
    best: dict[str, RouteOption] = {}
    for x in ranked:
        best.setdefault(x.corridor, x)
    return list(best.values())[:n]


_ATTACHED = "_silkway_router"  # the key of the router in the network's instance __dict__


def router_of(net: Network) -> Router:
    """The router of ``net``, built on first use and kept *on the network object*, as
    :func:`functools.cached_property` keeps ``Network.node_by_id``: one per object (two equal networks get one
    each), freed with the network (no module-level cache: no state shared between networks or callers).
    Building it compiles the state graph (a few ms); later calls cost a dictionary look-up."""
    cache = vars(net)
    router = cache.get(_ATTACHED)
    if router is None:
        router = cache.setdefault(_ATTACHED, Router(net))
    return cast(Router, router)


_PERIODS = "_silkway_period_routers"  # routers of a dated network's snapshots, one per period without changes
_DAYS = "_silkway_day_routers"  # the same routers by day asked for (bounded)
_DATED = "_silkway_is_dated"  # whether the network has dated rows (it is immutable: looked at once)


def router_at(net: Network, day: dt.date | None) -> Router:
    """The router of ``net`` as of ``day`` (None: the network as given). A dated network keeps one router per period
    between change dates on itself (bounded by the number of dated changes), so routes on many departure dates
    share them; the period of a day is looked up once (bounded)."""
    full = net.dated if net.dated is not None else net
    if day is None:
        return router_of(net)
    cache = vars(full)
    dated = cache.get(_DATED)
    if dated is None:
        from silkway.network.dates import is_dated

        dated = cache.setdefault(_DATED, is_dated(full))
    if not dated:
        return router_of(net)
    by_day = cache.setdefault(_DAYS, {})
    router = by_day.get(day)
    if router is None:
        from silkway.network.dates import period_of

        key = period_of(full, day)
        periods = cache.setdefault(_PERIODS, {})
        if key not in periods:
            periods[key] = Router(full.at(key))
        if len(by_day) >= NAMES_KEPT:
            by_day.clear()
        router = by_day[day] = periods[key]
    return cast(Router, router)


def route_day(as_of: dt.date | str | None, depart: dt.date | dt.datetime | str | None) -> dt.date | None:
    """The day whose network a route uses: ``as_of`` if given, else the departure day, else None (reference date)."""
    from silkway.network.dates import parse_as_of

    day = parse_as_of(as_of)
    if day is None and depart is not None:
        day = parse_as_of(depart if not isinstance(depart, dt.datetime) else depart.date(), "departure date")
    return day
