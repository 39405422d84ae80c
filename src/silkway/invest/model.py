"""Candidate investments and portfolios: frozen records, no I/O (docs/invest.md).

A :class:`Project` is a capital project (a second track, a gauge yard, a ferry) with its costs, construction
time and the changes it makes to the network (:class:`Change`). A portfolio is a set of project ids.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from silkway.vocabulary import InvestObjective

Objective = InvestObjective  # defined once, in silkway.vocabulary (the CLI lists it without loading this package)


class ChangeOp(StrEnum):
    SET = "set"
    SCALE = "scale"
    OPEN = "open"  # bring a planned (future-dated) link into service with its end nodes' facilities


class ChangeTarget(StrEnum):
    LINK = "link"
    FACILITY = "facility"
    ACCEPTANCE = "acceptance"


@dataclass(frozen=True)
class Change:
    """One change a project makes: set or scale a field of a link, facility or acceptance plan, or open a link."""

    change_id: str
    target_kind: ChangeTarget
    target_id: str
    op: ChangeOp
    field: str | None = None
    value: float | None = None
    src: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Project:
    project_id: str
    name: str
    project_kind: str
    capital_usd: float
    opex_usd_year: float
    build_days: float
    changes: tuple[Change, ...]
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Catalogue:
    """The candidate projects of a dataset, by id (file order kept)."""

    projects: tuple[Project, ...]

    @property
    def by_id(self) -> dict[str, Project]:
        return {p.project_id: p for p in self.projects}

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.project_id for p in self.projects)

    def cost(self, portfolio: Iterable[str]) -> float:
        by = self.by_id
        return math.fsum(by[i].capital_usd for i in portfolio)  # exact: a portfolio's order cannot move it across the budget

    def subset(self, ids: Iterable[str]) -> Catalogue:
        keep = set(ids)
        return Catalogue(tuple(p for p in self.projects if p.project_id in keep))


Portfolio = frozenset[str]
EMPTY: Portfolio = frozenset()


def portfolio_key(portfolio: Iterable[str]) -> str:
    """Canonical text of a portfolio: sorted ids joined by '+', or 'none'."""
    ids = sorted(portfolio)
    return "+".join(ids) if ids else "none"


def portfolio_hash(portfolio: Iterable[str]) -> str:
    """16 hex digits naming a portfolio (file names, job keys)."""
    return hashlib.blake2b(portfolio_key(portfolio).encode(), digest_size=8).hexdigest()


def parse_portfolio(key: str) -> Portfolio:
    return EMPTY if key == "none" else frozenset(key.split("+"))
