"""The scenario file format (version 1), as pydantic models.

A scenario starts from a dataset and a demand and lists changes: demand growth, link and facility
capacity, new facilities, customs (green channel), closure windows and route constraints. Every
model forbids unknown keys so a typo is an error, not a silently ignored line.
See docs/studies.md for the format with examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from silkway.errors import SilkwayError
from silkway.limits import DAYS, SCALE, WARMUP_DAYS, check_day
from silkway.vocabulary import Mode

FORMAT_VERSION = 1
LinkField = Literal["tracks", "capacity_trains_day", "departures_per_week", "capacity_teu_per_departure", "speed_km_day"]
FacilityField = Literal[
    "capacity_trains_day", "capacity_teu_day", "handling_h_median", "handling_h_p90", "customs_h_median", "customs_h_p90",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # .inf, .nan, 1e400: refused


class LinkSelector(_Strict):
    """Which links: all that match every given criterion (at least one criterion)."""

    ids: tuple[str, ...] = ()
    between: tuple[str, str] | None = Field(None, description="two places; the links of the shortest path between them")
    mode: Mode | None = None
    corridor: str | None = None
    country: str | None = None

    @model_validator(mode="after")
    def _some_criterion(self) -> LinkSelector:
        if not (self.ids or self.between or self.mode or self.corridor or self.country):
            raise ValueError("select links with at least one of: ids, between, mode, corridor, country")
        return self


class LinkChange(LinkSelector):
    set: dict[LinkField, float] = Field(default_factory=dict, description="new values")
    scale: dict[LinkField, float] = Field(default_factory=dict, description="multiply the current values")
    note: str | None = None

    @model_validator(mode="after")
    def _something(self) -> LinkChange:
        if not (self.set or self.scale):
            raise ValueError("a link change needs 'set' or 'scale'")
        _check_positive(self.set, self.scale)
        return self


class FacilityChange(_Strict):
    ids: tuple[str, ...] = ()
    node: str | None = None
    kind: str | None = None
    set: dict[FacilityField, float] = Field(default_factory=dict)
    scale: dict[FacilityField, float] = Field(default_factory=dict)
    note: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> FacilityChange:
        if not (self.ids or self.node or self.kind):
            raise ValueError("select facilities with at least one of: ids, node, kind")
        if not (self.set or self.scale):
            raise ValueError("a facility change needs 'set' or 'scale'")
        _check_positive(self.set, self.scale)
        return self


class NewFacility(_Strict):
    """A facility that does not exist in the dataset (a new yard, a new dry port)."""

    facility_id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    node: str
    facility_kind: Literal["gauge_change", "border", "seaport", "dry_port", "terminal"]
    gauges: tuple[int, ...] = ()
    capacity_trains_day: float | None = Field(None, gt=0)
    capacity_teu_day: float | None = Field(None, gt=0)
    handling_h_median: float | None = Field(None, ge=0)
    handling_h_p90: float | None = Field(None, ge=0)
    customs_h_median: float | None = Field(None, ge=0)
    customs_h_p90: float | None = Field(None, ge=0)
    cost_usd_per_teu: float | None = Field(None, ge=0)
    note: str = Field(min_length=1, description="where the figures come from (source or stated assumption)")


class DemandGrowth(_Strict):
    """Multiply flows by ``factor``: all flows, one OD pair, or the flows of one corridor (0 removes them)."""

    factor: float = Field(ge=0, le=SCALE.hi)
    od: tuple[str, str] | None = None
    both_directions: bool = True
    corridor: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> DemandGrowth:
        if self.od is not None and self.corridor is not None:
            raise ValueError("give either 'od' or 'corridor' (or neither for all flows), not both")
        return self


class DemandSpec(_Strict):
    file: str | None = Field(None, description="demand CSV (relative to this file); default: the dataset's 2023 demand")
    growth: tuple[DemandGrowth, ...] = ()


class Customs(_Strict):
    green_channel_share: float | None = Field(None, ge=0, le=1, description="share of trains in the green channel")
    green_channel_factor: float | None = Field(None, gt=0, le=1, description="their clearance time × factor")


class ClosureSpec(_Strict):
    """A closure window: links chosen like a link change, or nodes/facilities by id."""

    target: Literal["link", "node", "facility"] = "link"
    ids: tuple[str, ...] = ()
    between: tuple[str, str] | None = None
    mode: Mode | None = None
    corridor: str | None = None
    country: str | None = None
    start_day: int = Field(ge=1, le=366, description="day of year the closure starts (1 = 1 January)")
    days: float = Field(gt=0, le=DAYS.hi)
    note: str | None = None

    @model_validator(mode="after")
    def _criteria(self) -> ClosureSpec:
        by_link = self.between or self.mode or self.corridor or self.country
        if self.target != "link" and by_link:
            raise ValueError(f"a {self.target} closure selects by 'ids' only")
        if not (self.ids or by_link):
            raise ValueError("select what closes with 'ids' (or, for links: between, mode, corridor, country)")
        return self

    def selector(self) -> LinkSelector:
        return LinkSelector(ids=self.ids, between=self.between, mode=self.mode, corridor=self.corridor, country=self.country)


class SimSettings(_Strict):
    days: int | None = Field(None, ge=1, le=DAYS.hi)
    warmup_days: int | None = Field(None, ge=0, le=WARMUP_DAYS.hi)
    route_mode: Literal["fixed", "adaptive"] | None = None


class Scenario(_Strict):
    """One scenario file, after ``extends`` has been resolved."""

    silkway_scenario: Literal[1] = Field(description="scenario format version")
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.+-]+$")
    description: str = ""
    extends: str | None = None
    dataset: str | None = None
    as_of: Annotated[date, AfterValidator(_day)] | None = Field(None, description="the network as of this date (YYYY-MM-DD); default: the dataset's reference date")
    demand: DemandSpec = DemandSpec()
    links: tuple[LinkChange, ...] = ()
    facilities: tuple[FacilityChange, ...] = ()
    new_facilities: tuple[NewFacility, ...] = ()
    customs: Customs = Customs()
    closures: tuple[ClosureSpec, ...] = ()
    avoid: tuple[str, ...] = ()
    simulation: SimSettings = SimSettings()


def _day(day: date) -> date:
    try:
        return check_day(day, "as_of")
    except SilkwayError as exc:
        raise ValueError(str(exc)) from None


_Field = TypeVar("_Field", bound=str)


def _check_positive(set_: Mapping[_Field, float], scale: Mapping[_Field, float]) -> None:
    for k, v in {**set_, **scale}.items():
        if not v > 0:
            raise ValueError(f"'{k}' must be > 0 (got {v})")
