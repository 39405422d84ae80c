"""Declarative table schemas of the dataset format (docs/dataset-format.md).

One :class:`Table` per CSV file; each :class:`Col` says how a cell is parsed and checked, and which
source column covers it. Parsing and writing are driven by these specs, so the format is written
down exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from silkway.vocabulary import FacilityKind, Mode

MODES = tuple(m.value for m in Mode)
ENERGIES = ("electric", "diesel", "hfo", "vlsfo", "mdo")
NODE_KINDS = ("city", "terminal", "junction", "border", "port", "dry_port")
FACILITY_KINDS = tuple(k.value for k in FacilityKind)
GAUGES_MM = (1435, 1520)
CORRIDORS = ("china", "northern", "middle", "kti", "highway", "sea", "kz", "europe")
NON_EMPTY_TABLES = ("sources", "nodes", "links", "emission_factors", "cost_rates", "params")
REQUIRED_PARAMS = ("tonnes_per_teu", "train_teu", "trade_usd_per_teu", "transship_co2e_kg_per_teu")


@dataclass(frozen=True, slots=True)
class Col:
    """A column. ``kind``: id, text, float, enum, list, country, country_or_default (a country or
    ``*``), ref, gauges, yesno, sources, date (ISO YYYY-MM-DD), months (12 weights, January first)."""

    name: str
    kind: str
    required: bool = False
    src: str | None = None  # the source column covering this numeric column
    choices: tuple[str, ...] = ()
    min: float | None = None  # inclusive lower bound
    max: float | None = None  # inclusive upper bound (plausibility)
    positive: bool = False  # strictly > 0
    ref: str | None = None  # table whose key this column references


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    key: tuple[str, ...]  # column(s) whose values must be unique
    cols: tuple[Col, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.cols)

    @property
    def dated(self) -> bool:
        """Rows may carry ``valid_from``/``valid_to``: the same key may then appear on several rows whose
        periods do not overlap (docs/dataset-format.md, "Dated rows")."""
        return "valid_from" in self.names

    def col(self, name: str) -> Col:
        for c in self.cols:
            if c.name == name:
                return c
        raise KeyError(name)


def _src(name: str) -> Col:
    return Col(name, "sources")


# Validity period of a dated row: first and last day on which it holds (both inclusive; empty = unbounded).
VALID_FROM, VALID_TO = Col("valid_from", "date"), Col("valid_to", "date")


SOURCES = Table(
    "sources.csv",
    ("source_id",),
    (
        Col("source_id", "id", required=True),
        Col("kind", "enum", required=True, choices=("source", "assumption")),
        Col("publisher", "text"),
        Col("title", "text"),
        Col("date", "text"),
        Col("locator", "text"),
        Col("note", "text"),
    ),
)

NODES = Table(
    "nodes.csv",
    ("node_id",),
    (
        Col("node_id", "id", required=True),
        Col("name", "text", required=True),
        Col("aliases", "list"),
        Col("country", "country", required=True),
        Col("lat", "float", required=True, src="coord_src", min=-90, max=90),
        Col("lon", "float", required=True, src="coord_src", min=-180, max=180),
        _src("coord_src"),
        Col("node_kind", "enum", required=True, choices=NODE_KINDS),
        Col("note", "text"),
    ),
)

LINKS = Table(
    "links.csv",
    ("link_id",),
    (
        Col("link_id", "id", required=True),
        Col("from_node", "ref", required=True, ref="nodes"),
        Col("to_node", "ref", required=True, ref="nodes"),
        Col("mode", "enum", required=True, choices=MODES),
        Col("gauge_mm", "gauges"),
        Col("tracks", "float", src="tracks_src", min=1, max=4),
        _src("tracks_src"),
        Col("electrified", "yesno"),
        Col("energy", "enum", required=True, choices=ENERGIES),
        Col("country", "country", required=True),
        Col("via_countries", "list"),
        Col("corridor", "list"),
        Col("distance_km", "float", required=True, src="distance_km_src", positive=True, max=30000),
        _src("distance_km_src"),
        Col("speed_km_day", "float", required=True, src="speed_km_day_src", positive=True, max=20000),
        _src("speed_km_day_src"),
        Col("time_p90_factor", "float", required=True, src="time_p90_factor_src", min=1, max=20),
        _src("time_p90_factor_src"),
        Col("capacity_trains_day", "float", src="capacity_trains_day_src", positive=True, max=1000),
        _src("capacity_trains_day_src"),
        Col("capacity_trains_day_reverse", "float", src="capacity_trains_day_reverse_src", positive=True, max=1000),
        _src("capacity_trains_day_reverse_src"),
        Col("departures_per_week", "float", src="departures_per_week_src", positive=True, max=1000),
        _src("departures_per_week_src"),
        Col("capacity_teu_per_departure", "float", src="capacity_teu_per_departure_src", positive=True, max=30000),
        _src("capacity_teu_per_departure_src"),
        Col("first_departure_h", "float", src="first_departure_h_src", min=0, max=168),
        _src("first_departure_h_src"),
        VALID_FROM,
        VALID_TO,
        Col("geometry", "geometry"),  # the link's line on a map: "lon lat;lon lat;..." from from_node to to_node
        Col("note", "text"),
    ),
)

FACILITIES = Table(
    "facilities.csv",
    ("facility_id",),
    (
        Col("facility_id", "id", required=True),
        Col("node_id", "ref", required=True, ref="nodes"),
        Col("facility_kind", "enum", required=True, choices=FACILITY_KINDS),
        Col("gauges", "gauges"),
        Col("gauge_to_mm", "gauges"),
        Col("capacity_trains_day", "float", src="capacity_trains_day_src", positive=True, max=1000),
        _src("capacity_trains_day_src"),
        Col("capacity_teu_day", "float", src="capacity_teu_day_src", positive=True, max=100000),
        _src("capacity_teu_day_src"),
        Col("handling_h_median", "float", src="handling_h_src", min=0, max=2000),
        Col("handling_h_p90", "float", src="handling_h_src", min=0, max=2000),
        _src("handling_h_src"),
        Col("customs_h_median", "float", src="customs_h_src", min=0, max=2000),
        Col("customs_h_p90", "float", src="customs_h_src", min=0, max=2000),
        _src("customs_h_src"),
        Col("cost_usd_per_teu", "float", src="cost_usd_per_teu_src", min=0, max=100000),
        _src("cost_usd_per_teu_src"),
        VALID_FROM,
        VALID_TO,
        Col("note", "text"),
    ),
)

CLOSURES = Table(
    "closures.csv",
    ("closure_id",),
    (
        Col("closure_id", "id", required=True),
        Col("target_kind", "enum", required=True, choices=("node", "link", "facility")),
        Col("target_id", "text", required=True),
        Col("kind", "enum", required=True, choices=("recurring", "random")),
        Col("start_day_of_year", "float", src="src", min=1, max=366),
        Col("duration_days", "float", required=True, src="src", positive=True, max=366),
        Col("events_per_year", "float", src="src", positive=True, max=366),
        Col("month_weights", "months", src="src"),
        _src("src"),
        VALID_FROM,
        VALID_TO,
        Col("note", "text"),
    ),
)

BACKGROUND_PRIORITIES = ("reserved",)
DIRECTIONS = ("both", "forward", "reverse")

BACKGROUND = Table(
    "background.csv",
    ("background_id",),
    (
        Col("background_id", "id", required=True),
        Col("target_kind", "enum", required=True, choices=("link", "facility")),
        Col("target_id", "text", required=True),
        Col("direction", "enum", required=True, choices=DIRECTIONS),
        Col("cargo", "text", required=True),
        Col("trains_day", "float", src="src", min=0, max=1000),
        Col("wagons_week", "float", src="src", min=0, max=100000),
        Col("tonnes_per_wagon", "float", src="src", positive=True, max=200),
        Col("priority", "enum", required=True, choices=BACKGROUND_PRIORITIES),
        _src("src"),
        VALID_FROM,
        VALID_TO,
        Col("note", "text"),
    ),
)

ACCEPTANCE = Table(
    "acceptance.csv",
    ("acceptance_id",),
    (
        Col("acceptance_id", "id", required=True),
        Col("link_id", "text", required=True),
        Col("direction", "enum", required=True, choices=DIRECTIONS),
        Col("trains_day", "float", required=True, src="src", min=0, max=1000),
        _src("src"),
        VALID_FROM,
        VALID_TO,
        Col("note", "text"),
    ),
)

EMISSION_FACTORS = Table(
    "emission_factors.csv",
    ("mode", "energy"),
    (
        Col("mode", "enum", required=True, choices=MODES),
        Col("energy", "enum", required=True, choices=ENERGIES),
        Col("co2e_g_per_tkm", "float", required=True, src="co2e_src", positive=True, max=5000),
        _src("co2e_src"),
        Col("scope", "enum", required=True, choices=("WTW",)),
        VALID_FROM,
        VALID_TO,
        Col("note", "text"),
    ),
)

COST_RATES = Table(
    "cost_rates.csv",
    ("mode", "country"),
    (
        Col("mode", "enum", required=True, choices=MODES),
        Col("country", "country_or_default", required=True),
        Col("usd_per_teu_km", "float", required=True, src="usd_src", min=0, max=100),
        _src("usd_src"),
        VALID_FROM,
        VALID_TO,
        Col("note", "text"),
    ),
)

PARAMS = Table(
    "params.csv",
    ("param",),
    (
        Col("param", "id", required=True),
        Col("value", "float", required=True, src="src", min=-1e12, max=1e12),
        Col("unit", "text"),
        _src("src"),
        VALID_FROM,
        VALID_TO,
        Col("note", "text"),
    ),
)

TABLES: dict[str, Table] = {
    "sources": SOURCES,
    "nodes": NODES,
    "links": LINKS,
    "facilities": FACILITIES,
    "closures": CLOSURES,
    "background": BACKGROUND,
    "acceptance": ACCEPTANCE,
    "emission_factors": EMISSION_FACTORS,
    "cost_rates": COST_RATES,
    "params": PARAMS,
}
MANIFEST_FILE = "manifest.toml"
MANIFEST_KEYS = ("name", "version", "date", "licence", "description", "format_version", "reference_date")


# ------------------------------------------------------------------ candidate investments (docs/invest.md)
# Not part of the network: read by ``silkway invest`` (services/invest.py), parsed by the same machinery and
# validated against the dated network (invest/projects.py). Optional in a dataset folder.
PROJECT_KINDS = ("second_track", "new_line", "border_crossing", "gauge_yard", "ferry", "feeder", "port")
CHANGE_TARGETS = ("link", "facility", "acceptance")
CHANGE_OPS = ("set", "scale", "open")

PROJECTS = Table(
    "projects.csv",
    ("project_id",),
    (
        Col("project_id", "id", required=True),
        Col("name", "text", required=True),
        Col("project_kind", "enum", required=True, choices=PROJECT_KINDS),
        Col("capital_usd", "float", required=True, src="capital_usd_src", min=0, max=1e12),
        _src("capital_usd_src"),
        Col("opex_usd_year", "float", required=True, src="opex_usd_year_src", min=0, max=1e11),
        _src("opex_usd_year_src"),
        Col("build_days", "float", required=True, src="build_days_src", min=0, max=7300),
        _src("build_days_src"),
        Col("note", "text"),
    ),
)

PROJECT_CHANGES = Table(
    "project_changes.csv",
    ("change_id",),
    (
        Col("change_id", "id", required=True),
        Col("project_id", "text", required=True),
        Col("target_kind", "enum", required=True, choices=CHANGE_TARGETS),
        Col("target_id", "text", required=True),
        Col("op", "enum", required=True, choices=CHANGE_OPS),
        Col("field", "text"),  # the field set or scaled (empty for 'open')
        Col("value", "float", src="src", min=0, max=100000),
        _src("src"),
        Col("note", "text"),
    ),
)

INVEST_TABLES: dict[str, Table] = {"projects": PROJECTS, "project_changes": PROJECT_CHANGES}
