"""The KPI catalogue: what each KPI id of :meth:`silkway.simulation.SimulationResult.kpis` means to a planner.

One entry per id (or id family, e.g. ``transit_days_median_corridor_<corridor>``): a human name, a unit, which
direction is good, the range the value cannot leave (a count or a queue maximum is never negative, a share
stays in [0, 1]) and the group it belongs to. Every view (CLI, report, web API) names KPIs through
:func:`describe`; place names come from the network through :class:`Places` (ids stay readable without one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from silkway.network.model import Network


class Good(StrEnum):
    """Which direction of change is an improvement."""

    HIGHER = "higher"
    LOWER = "lower"
    NEUTRAL = "neutral"  # demand, counts that describe rather than judge


class Group(IntEnum):
    """KPI groups in the order a planner reads them."""

    DELIVERY = 1
    BOOKING = 2
    TRANSIT = 3
    CORRIDOR = 4
    CASPIAN = 5
    BOTTLENECK = 6
    QUEUE = 7
    BORDER = 8
    OTHER = 9

    @property
    def label(self) -> str:
        return {1: "Delivered cargo", 2: "Held, diverted, refused", 3: "Transit times", 4: "Corridors", 5: "Trans-Caspian",
                6: "Bottlenecks (added delay)", 7: "Longest queues", 8: "Border crossings", 9: "Other"}[int(self)]


@dataclass(frozen=True)
class KpiInfo:
    kpi: str
    name: str
    unit: str
    good: Good = Good.NEUTRAL
    group: Group = Group.OTHER
    lower: float | None = None  # the value cannot fall below this (0 for counts, queues, volumes)
    upper: float | None = None  # ... nor rise above this (1 for shares)
    core: bool = False  # always in the headline (what a planner asks first)
    subject: str = ""  # the place or corridor a KPI family is about ('Brest border', 'Middle (Trans-Caspian)')

    @property
    def bounded(self) -> bool:
        return self.lower is not None or self.upper is not None

    @property
    def label(self) -> str:
        """'Name (unit)'."""
        unit = "%" if self.unit == "share" else self.unit
        return f"{self.name} ({unit})" if unit else self.name


CORRIDOR_NAMES = {"northern": "Northern (Russia–Belarus)", "middle": "Middle (Trans-Caspian)", "kti": "Kazakhstan–Turkmenistan–Iran",
                  "kz": "Kazakh trunk", "sea": "Deep sea", "highway": "Road (Western Europe–Western China)", "china": "Chinese feeders",
                  "europe": "EU distribution"}
KIND_NAMES = {"border": "border", "gauge_change": "gauge-change yard", "seaport": "port", "dry_port": "dry port",
              "terminal": "terminal"}


@dataclass(frozen=True)
class Places:
    """Human names of the ids that appear inside KPI ids (keys as the KPI ids spell them: lower case, ``_``)."""

    nodes: dict[str, str] = field(default_factory=dict)
    facilities: dict[str, str] = field(default_factory=dict)  # facilities, quays and links
    corridors: dict[str, str] = field(default_factory=lambda: dict(CORRIDOR_NAMES))

    def node(self, key: str) -> str:
        return self.nodes.get(key) or _pretty(key)

    def facility(self, key: str) -> str:
        return self.facilities.get(key) or _pretty(key)

    def corridor(self, key: str) -> str:
        return self.corridors.get(key) or _pretty(key)


def places_for(net: Network) -> Places:
    """Names of the network's nodes, facilities, links and quays as the KPI ids spell them (every dated row: a study
    may run on another date than the snapshot)."""
    net = net.dated or net
    name = {n.node_id: n.name for n in net.nodes}
    fac: dict[str, str] = {}
    for f in net.facilities:
        fac[_key(f.facility_id)] = f"{name.get(f.node_id, f.node_id)} {KIND_NAMES.get(f.facility_kind, f.facility_kind)}"
    for lk in net.links:
        ends = f"{name.get(lk.from_node, lk.from_node)}–{name.get(lk.to_node, lk.to_node)}"
        fac[_key(lk.link_id)] = f"{ends} {lk.mode}"
        for end in (lk.from_node, lk.to_node):  # quay stations of water links: '<link>_quay_<node>'
            fac[_key(f"{lk.link_id}_quay_{end}")] = f"{name.get(end, end)} quay ({ends} {lk.mode})"
    pooled = {}  # pooled yards, 'a+b' in the simulation: named after the first
    for f in net.facilities:
        for g in net.facilities:
            if f.facility_id != g.facility_id and f.node_id == g.node_id:
                pooled[_key(f"{f.facility_id}+{g.facility_id}")] = f"{fac[_key(f.facility_id)]} (pooled yards)"
    return Places({_key(k): v for k, v in name.items()}, {**pooled, **fac})


_FIXED: dict[str, KpiInfo] = {k.kpi: k for k in (
    KpiInfo("generated_teu", "Cargo ready to ship", "TEU", Good.NEUTRAL, Group.DELIVERY, 0.0),
    KpiInfo("delivered_teu", "Cargo delivered", "TEU", Good.HIGHER, Group.DELIVERY, 0.0, core=True),
    KpiInfo("in_system_containers_end", "Containers still on the way at the end", "containers", Good.LOWER, Group.DELIVERY, 0.0, core=True),
    KpiInfo("held_teu", "Cargo held at origin at some point (booked out)", "TEU", Good.LOWER, Group.BOOKING, 0.0, core=True),
    KpiInfo("diverted_teu", "Cargo diverted to another corridor or sea", "TEU", Good.LOWER, Group.BOOKING, 0.0, core=True),
    KpiInfo("refused_teu", "Cargo refused", "TEU", Good.LOWER, Group.BOOKING, 0.0, core=True),
    KpiInfo("held_share", "Share of cargo held at origin", "share", Good.LOWER, Group.BOOKING, 0.0, 1.0),
    KpiInfo("held_days_median", "Days held at origin, median (held cargo)", "days", Good.LOWER, Group.BOOKING, 0.0),
    KpiInfo("held_days_p90", "Days held at origin, P90 (held cargo)", "days", Good.LOWER, Group.BOOKING, 0.0),
    KpiInfo("transit_days_median", "Transit time, median", "days", Good.LOWER, Group.TRANSIT, 0.0, core=True),
    KpiInfo("transit_days_p90", "Transit time, P90", "days", Good.LOWER, Group.TRANSIT, 0.0, core=True),
    KpiInfo("trains_departed", "Trains departed", "trains", Good.NEUTRAL, Group.OTHER, 0.0),
    KpiInfo("trains_arrived", "Trains arrived", "trains", Good.NEUTRAL, Group.OTHER, 0.0),
    KpiInfo("trans_caspian_teu", "Trans-Caspian containers", "TEU", Good.HIGHER, Group.CASPIAN, 0.0, core=True),
    KpiInfo("trans_caspian_container_t", "Trans-Caspian containers by weight", "t", Good.HIGHER, Group.CASPIAN, 0.0, core=True),
    KpiInfo("trans_caspian_other_t", "Trans-Caspian other cargo (ferry wagons)", "t", Good.NEUTRAL, Group.CASPIAN, 0.0),
    KpiInfo("trans_caspian_all_cargo_t", "Trans-Caspian all cargo", "t", Good.HIGHER, Group.CASPIAN, 0.0),
    KpiInfo("trans_caspian_mt", "Trans-Caspian all cargo", "Mt", Good.HIGHER, Group.CASPIAN, 0.0),
)}

_DIRS = r"(westbound|eastbound)"
# (pattern, builder): the first match wins; a builder gets the regex groups and the Places and returns
# (name, subject, unit, good, group, core); every family is a count, volume or time: never below 0
_PATTERNS = (
    (rf"generated_teu_{_DIRS}", lambda m, _p: (f"Cargo ready to ship, {m[0]}", m[0], "TEU", Good.NEUTRAL, Group.DELIVERY, False)),
    (rf"delivered_teu_{_DIRS}", lambda m, _p: (f"Cargo delivered, {m[0]}", m[0], "TEU", Good.HIGHER, Group.DELIVERY, False)),
    (rf"held_teu_{_DIRS}", lambda m, _p: (f"Cargo held at origin, {m[0]}", m[0], "TEU", Good.LOWER, Group.BOOKING, False)),
    (rf"held_days_median_{_DIRS}", lambda m, _p: (f"Days held at origin, median, {m[0]}", m[0], "days", Good.LOWER, Group.BOOKING,
                                                  False)),
    (rf"held_days_p90_{_DIRS}", lambda m, _p: (f"Days held at origin, P90, {m[0]}", m[0], "days", Good.LOWER, Group.BOOKING, False)),
    (rf"refused_teu_{_DIRS}", lambda m, _p: (f"Cargo refused, {m[0]}", m[0], "TEU", Good.LOWER, Group.BOOKING, False)),
    (rf"diverted_teu_{_DIRS}", lambda m, _p: (f"Cargo diverted, {m[0]}", m[0], "TEU", Good.LOWER, Group.BOOKING, False)),
    (r"diverted_teu_(.+)_to_(.+)", lambda m, p: (f"Diverted from {p.corridor(m[0])} to {p.corridor(m[1])}",
                                                 f"{p.corridor(m[0])} → {p.corridor(m[1])}", "TEU", Good.NEUTRAL, Group.BOOKING, False)),
    (r"throughput_teu_corridor_(.+)", lambda m, p: (f"Delivered via {p.corridor(m[0])}", p.corridor(m[0]), "TEU", Good.HIGHER,
                                                    Group.CORRIDOR, True)),
    (r"transit_days_median_corridor_(.+)", lambda m, p: (f"Transit median, {p.corridor(m[0])}", p.corridor(m[0]), "days",
                                                         Good.LOWER, Group.CORRIDOR, True)),
    (r"transit_days_p90_corridor_(.+)", lambda m, p: (f"Transit P90, {p.corridor(m[0])}", p.corridor(m[0]), "days", Good.LOWER,
                                                      Group.CORRIDOR, True)),
    (r"added_delay_train_h_(.+)", lambda m, p: (f"Added delay at {p.facility(m[0])}", p.facility(m[0]), "train-hours", Good.LOWER,
                                                Group.BOTTLENECK, False)),
    (r"max_queue_trains_(.+)", lambda m, p: (f"Longest queue at {p.facility(m[0])}", p.facility(m[0]), "trains", Good.LOWER,
                                             Group.QUEUE, False)),
    (r"trains_border_(.+)", lambda m, p: (f"Trains crossing at {p.node(m[0])}", p.node(m[0]), "trains", Good.NEUTRAL, Group.BORDER,
                                          False)),
)
_COMPILED = tuple((re.compile(rf"^{pat}$"), fn) for pat, fn in _PATTERNS)


def position(kpi: str) -> int:
    """Reading order inside a group: the catalogue's own order (fixed entries, then the families)."""
    if kpi in _FIXED:
        return list(_FIXED).index(kpi)
    return len(_FIXED) + next((i for i, (rx, _) in enumerate(_COMPILED) if rx.match(kpi)), len(_COMPILED))


def describe(kpi: str, places: Places | None = None) -> KpiInfo:
    """The catalogue entry of a KPI id; an unknown id keeps its id as its name, no unit and no bounds."""
    if kpi in _FIXED:
        return _FIXED[kpi]
    p = places or Places()
    for rx, fn in _COMPILED:
        m = rx.match(kpi)
        if m:
            name, subject, unit, good, group, core = fn(m.groups(), p)
            return KpiInfo(kpi, name, unit, good, group, 0.0, None, core, subject)
    return KpiInfo(kpi, kpi, "")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_")


def _pretty(key: str) -> str:
    return key.replace("_", " ")
