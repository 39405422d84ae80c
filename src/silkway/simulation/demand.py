"""Demand: origin–destination flows in TEU per week, each on a named corridor route, with seasonality.

One :class:`Flow` per CSV row. ``via`` lists the places the route must pass in order (e.g. the border
crossing and the Caspian port), so each row is one corridor route of its origin–destination pair. In
fixed route mode each row keeps its route (so the rows of a pair give its corridor shares); in adaptive
mode the rows of a pair pool their volume and every shipment picks among the pair's routes.

Seasonality: the weekly rate on day ``d`` is ``teu_per_week × (1 + season_amplitude ×
cos(2π (d − season_peak_day) / 365))``; shipments arrive as a Poisson process with that rate.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, replace

import numpy as np

from silkway.errors import DataError, Problem
from silkway.limits import FLOW_TEU_PER_WEEK, formula_problem, strict_float
from silkway.network.model import Network
from silkway.vocabulary import RouteSource

COLUMNS = ("flow_id", "origin", "destination", "corridor", "via", "teu_per_week", "season_amplitude", "season_peak_day", "src", "note")
REQUIRED = ("flow_id", "origin", "destination", "corridor", "teu_per_week")


@dataclass(frozen=True)
class Flow:
    flow_id: str
    origin: str
    destination: str
    corridor: str
    teu_per_week: float
    via: tuple[str, ...] = ()
    season_amplitude: float = 0.0
    season_peak_day: float = 0.0
    src: tuple[str, ...] = ()
    note: str | None = None
    source: RouteSource = RouteSource.DEMAND  # a demand row, or a candidate route the simulation made for one
    candidate_of: str | None = None  # a candidate's demand row (flow_id); its own flow_id is only a readable label

    def rate_teu_per_day(self, day: np.ndarray) -> np.ndarray:
        season = 1.0 + self.season_amplitude * np.cos(2.0 * math.pi * (np.asarray(day) - self.season_peak_day) / 365.0)
        return self.teu_per_week / 7.0 * season


@dataclass(frozen=True)
class Demand:
    """A set of flows (immutable: the ``scaled*`` methods return changed copies)."""

    flows: tuple[Flow, ...]

    @property
    def teu_per_week(self) -> float:
        return float(sum(f.teu_per_week for f in self.flows))

    def scaled(self, factor: float) -> Demand:
        """Every flow × ``factor`` (e.g. 2.0 = double two-way trade)."""
        _check_factor(factor)
        return Demand(tuple(replace(f, teu_per_week=f.teu_per_week * factor) for f in self.flows))

    def scaled_od(self, origin: str, destination: str, factor: float, *, both_directions: bool = True) -> Demand:
        """Flows from ``origin`` to ``destination`` (and back, unless ``both_directions=False``) × ``factor``."""
        _check_factor(factor)
        pairs = {(origin, destination)} | ({(destination, origin)} if both_directions else set())
        return Demand(tuple(replace(f, teu_per_week=f.teu_per_week * factor) if (f.origin, f.destination) in pairs else f
                            for f in self.flows))

    def scaled_corridor(self, corridor: str, factor: float) -> Demand:
        """Flows on ``corridor`` × ``factor``."""
        _check_factor(factor)
        return Demand(tuple(replace(f, teu_per_week=f.teu_per_week * factor) if f.corridor == corridor else f for f in self.flows))

    def with_trade_usd(self, origin: str, destination: str, extra_trade_usd_per_year: float, usd_per_teu: float) -> Demand:
        """Add trade value (US$/yr) to the flows of a pair in proportion to their volume, converted to TEU."""
        rows = [f for f in self.flows if (f.origin, f.destination) == (origin, destination)]
        total = sum(f.teu_per_week for f in rows)
        if not rows or total <= 0:
            raise DataError([Problem("demand", None, None, f"no flow from '{origin}' to '{destination}' to add trade to")], "demand")
        add = teu_per_week_from_trade_usd(extra_trade_usd_per_year, usd_per_teu)
        return Demand(tuple(replace(f, teu_per_week=f.teu_per_week * (1 + add / total)) if f in rows else f for f in self.flows))

    def corridors(self) -> tuple[str, ...]:
        return tuple(sorted({f.corridor for f in self.flows}))


def teu_per_week_from_trade_usd(trade_usd_per_year: float, usd_per_teu: float) -> float:
    """Trade value (US$ per year) → TEU per week at a stated value per TEU (dataset param ``trade_usd_per_teu``)."""
    if not usd_per_teu > 0:
        raise DataError([Problem("demand", None, "trade_usd_per_teu", f"must be > 0 (got {usd_per_teu})")], "demand")
    return trade_usd_per_year / usd_per_teu / 52.1775


def _check_factor(factor: float) -> None:
    # finite and >= 0 here (a program may scale a small flow by 1000); what a run may simulate is bounded by
    # silkway.limits.SIM_TEU in simulate(), what a user types by limits.SCALE (--scale, scenario growth factors)
    if not 0 <= factor < math.inf:
        raise DataError([Problem("demand", None, "factor", f"a demand factor must be a finite number >= 0 (got {factor})")], "demand")


def parse_demand(text: str, net: Network, file: str = "demand.csv") -> Demand:
    """Parse a demand CSV; collect every problem (file, line, field) and raise one :class:`DataError`."""
    problems: list[Problem] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError([Problem(file, 1, c, "required column missing") for c in missing], file)
    flows: list[Flow] = []
    seen: set[str] = set()
    tags = corridor_tags(net)
    for line, row in enumerate(reader, start=2):
        flow = _parse_row(row, net, file, line, problems, tags)
        if flow is None:
            continue
        if flow.flow_id in seen:
            problems.append(Problem(file, line, "flow_id", f"duplicate flow_id '{flow.flow_id}'"))
        seen.add(flow.flow_id)
        flows.append(flow)
    if not flows and not problems:
        problems.append(Problem(file, None, None, "no flows"))
    if problems:
        raise DataError(problems, file)
    return Demand(tuple(flows))


def corridor_tags(net: Network) -> frozenset[str]:
    """The corridor vocabulary: the ``corridor`` tags the network's links carry (links.csv)."""
    return frozenset(t for lk in net.links for t in lk.corridor)


def _parse_row(row: dict, net: Network, file: str, line: int, problems: list[Problem], tags: frozenset[str]) -> Flow | None:
    n0 = len(problems)
    cell = {k: (v or "").strip() for k, v in row.items() if k is not None}
    for c in REQUIRED:
        if not cell.get(c):
            problems.append(Problem(file, line, c, "required value missing"))
    if cell.get("corridor") and cell["corridor"] not in tags:
        problems.append(Problem(file, line, "corridor", f"unknown corridor '{cell['corridor'][:40]}': a flow's corridor is one of "
                                f"the corridor tags of the links ({', '.join(sorted(tags))})"))
    for col in ("flow_id", "corridor", "note"):
        if (formula := formula_problem(cell.get(col, ""))) is not None:
            problems.append(Problem(file, line, col, f"'{cell[col][:40]}' {formula}"))
    places = [("origin", cell.get("origin", "")), ("destination", cell.get("destination", ""))]
    via = tuple(v.strip() for v in cell.get("via", "").split(";") if v.strip())
    places += [("via", v) for v in via]
    for col, nid in places:
        if nid and nid not in net.node_by_id and not (col == "via" and nid in net.link_by_id):
            problems.append(Problem(file, line, col, f"unknown {'node or link' if col == 'via' else 'node'} '{nid}'"))
    nums: dict[str, float | None] = {}
    for col, default in (("teu_per_week", None), ("season_amplitude", 0.0), ("season_peak_day", 0.0)):
        raw = cell.get(col, "")
        if not raw:
            nums[col] = default
            continue
        try:
            nums[col] = value = strict_float(raw)  # ASCII digits only: no 3_02, no ٣٠٢
        except ValueError:
            problems.append(Problem(file, line, col, f"not a number: '{raw}'"))
            continue
        if not math.isfinite(value) or (col != "season_peak_day" and value < 0):
            problems.append(Problem(file, line, col, f"must be a finite number >= 0 (got {raw})"))
        elif col == "teu_per_week" and value > FLOW_TEU_PER_WEEK.hi:
            problems.append(Problem(file, line, col, f"must be {FLOW_TEU_PER_WEEK.describe()} (got {raw})"))
    if (nums.get("season_amplitude") or 0.0) > 1.0:
        problems.append(Problem(file, line, "season_amplitude", "must be <= 1 (rates cannot go negative)"))
    src = tuple(s.strip() for s in cell.get("src", "").split(";") if s.strip())
    teu = nums.get("teu_per_week")
    if len(problems) > n0 or teu is None:  # teu_per_week is REQUIRED: a missing value is a problem above
        return None
    return Flow(cell["flow_id"], cell["origin"], cell["destination"], cell["corridor"], teu, via,
                nums["season_amplitude"] or 0.0, nums["season_peak_day"] or 0.0, src, cell.get("note") or None)
