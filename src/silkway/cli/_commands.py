"""Which module registers each top-level command, and the first paragraph of its help; the overview help.

``silkway --help`` lists the commands from this table without importing any command module; a command's module is
imported when that command runs (or its own help is asked for). ``tests/unit/test_cli_light.py`` checks that the
table names every command its module registers, with the help text the command itself has.

``silkway --help`` (``-h``, no arguments) as a process prints :func:`overview_help` without importing typer (≈ 0.14 s
of CPU alone, over the 0.15 s start-up target): the same text, line for line, as typer's plain (click) help of the
app, which ``tests/unit/test_cli_light.py`` compares at several terminal widths."""

from __future__ import annotations

import os
import sys

ROOT_HELP = "Digital twin of the China–Europe land freight corridors through Kazakhstan."
ROOT_OPTIONS = (("-V, --version", "Print the version and exit."), ("-h, --help", "Show this message and exit."))

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


def overview_help(prog: str, columns: int | None = None) -> str:
    """``silkway --help`` as typer's plain help prints it (click's layout: width ``min(columns, 80) - 2``, at least 50;
    each summary cut to its first sentence or at a word with "..." to fit one line)."""
    import textwrap

    width = max(min(columns or _terminal_columns(), 80) - 2, 50)
    usage = f"Usage: {prog} "
    out = [textwrap.fill("[OPTIONS] COMMAND [ARGS]...", width, initial_indent=usage, subsequent_indent=" " * len(usage),
                         replace_whitespace=False) if width >= len(usage) + 20
           else f"{usage}\n{textwrap.fill('[OPTIONS] COMMAND [ARGS]...', width, initial_indent=' ' * 11, subsequent_indent=' ' * 11)}",
           "", textwrap.fill(ROOT_HELP, width, initial_indent="  ", subsequent_indent="  ", replace_whitespace=False),
           "", "Options:", *_definitions(ROOT_OPTIONS, width), "", "Commands:"]
    limit = width - 6 - max(map(len, COMMANDS))
    out += _definitions([(name, _short(summary, limit)) for name, (_, summary) in COMMANDS.items()], width)
    return "\n".join(out)


def _definitions(rows: list[tuple[str, str]] | tuple[tuple[str, str], ...], width: int) -> list[str]:
    """click's definition list at indent 2: names padded to the widest (at most 30) plus 2, the text wrapped beside."""
    import textwrap

    first = min(max(len(name) for name, _ in rows), 30) + 2
    lines = []
    for name, text in rows:
        wrapped = textwrap.wrap(text, max(width - first - 2, 10), replace_whitespace=False) or [""]
        lead = f"  {name}" + (" " * (first - len(name)) if len(name) <= first - 2 else "\n" + " " * (first + 2))
        lines.append(lead + wrapped[0])
        lines += [" " * (first + 2) + w for w in wrapped[1:]]
    return lines


def _short(text: str, limit: int) -> str:
    """click's ``make_default_short_help``: up to the first sentence end, or cut at a word with "..." within ``limit``."""
    words = text.split()
    total = 0
    for i, word in enumerate(words):
        total += len(word) + (i > 0)
        if total > limit:
            break
        if word.endswith("."):
            return " ".join(words[: i + 1])
        if total == limit and i != len(words) - 1:
            break
    else:
        return " ".join(words)
    total += 3
    while i > 0:
        total -= len(words[i]) + 1
        if total <= limit:
            break
        i -= 1
    return " ".join(words[:i]) + "..."


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (COLUMNS, else the terminal of stdout, else 80) without importing shutil."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80
