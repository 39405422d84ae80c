"""Which module registers each top-level command, and the first paragraph of its help.

``silkway --help`` lists the commands from this table without importing any command module; a command's module is
imported when that command runs (or its own help is asked for). ``tests/unit/test_cli_light.py`` checks that the
table names every command its module registers, with the help text the command itself has."""

from __future__ import annotations

# command -> (module under silkway.cli, first paragraph of its help), in the order `silkway --help` lists them
COMMANDS: dict[str, tuple[str, str]] = {
    "capacity": ("capacity_cmds", "Capacity per corridor and per element (maximum flow / minimum cut), and optionally the "
                                  "simulated saturation curve."),
    "invest": ("invest_cmds", "Choose the portfolio of upgrades within a budget (ranking and selection with a stated "
                              "guarantee), print the efficient frontier and the staged build order with 95% confidence intervals."),
    "validate": ("network_cmds", "Check a dataset folder and list every problem with file, line and field."),
    "network": ("network_cmds", "Summarise the network as of a date: nodes and links by mode and country, gauge breaks, facilities."),
    "places": ("places_cmds", "List the places the route planner knows (id, name, kind, country, aliases) and the countries "
                              "(code or English name both work in --avoid)."),
    "route": ("route_cmds", "Plan a shipment: corridor options (days median/P90, cost, CO2e) and the legs of the best one."),
    "serve": ("serve_cmds", "Serve the map UI and the JSON API (OpenAPI schema at /openapi.json)."),
    "simulate": ("simulate_cmds", "Simulate container flows (trains, gauge breaks, borders, ferries) and report throughput, "
                                  "transit times, bottlenecks."),
    "sources": ("sources_cmds", "Provenance: per table and field, values citing a real source vs only assumptions; mirror "
                                "sources, sources without a locator or with only a year as date."),
    "study": ("study_cmds", "Run R replications of each scenario, store them, print KPIs with 95% confidence intervals."),
    "report": ("study_cmds", "Write a self-contained HTML report (offline: inline plots and CSS) of a stored study."),
    "calibrate": ("study_cmds", "Fit per-border demand volumes to observed yearly train counts and write the calibrated demand."),
    "demo": ("study_cmds", "The main job: headline routes, a study of baseline-2023 vs double-trade vs green-channel, the report."),
    "conditions": ("conditions_cmds", "Typical route conditions: expected waits from the baseline simulation."),
    "import": ("import_cmds", "Build a dataset folder from an OpenStreetMap extract or a GIS layer."),
    "export": ("network_cmds", "Export the network for other tools."),
    "scenario": ("study_cmds", "Check and compare scenario files."),
    "nowcast": ("nowcast_cmds", "The live twin: forecast ETAs and queue clearance from observations (docs/nowcast.md)."),
}
