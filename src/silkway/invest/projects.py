"""Parse and validate the candidate-project tables (projects.csv, project_changes.csv) against a dated network.

Pure: takes the tables' text; every problem is located (file, line, field) and all are raised together as one
:class:`DataError`, as for every dataset table. Targets are checked against every dated row of the network, so a
project may open a link that is planned for a later date (the Bakhty crossing).
"""

from __future__ import annotations

from silkway.errors import DataError, Problem
from silkway.invest.model import Catalogue, Change, ChangeOp, ChangeTarget, Project
from silkway.network.model import Network
from silkway.network.parse import Row, parse_table_full
from silkway.network.schema import PROJECT_CHANGES, PROJECTS
from silkway.scenarios.model import FacilityField, LinkField

LINK_FIELDS = frozenset(LinkField.__args__)  # type: ignore[attr-defined]
FACILITY_FIELDS = frozenset(FacilityField.__args__)  # type: ignore[attr-defined]
ACCEPTANCE_FIELDS = frozenset({"trains_day"})
_FIELDS = {ChangeTarget.LINK: LINK_FIELDS, ChangeTarget.FACILITY: FACILITY_FIELDS, ChangeTarget.ACCEPTANCE: ACCEPTANCE_FIELDS}


def parse_projects(projects_text: str, changes_text: str, net: Network, label: str = "dataset") -> Catalogue:
    """The catalogue of candidate projects; one DataError listing every problem otherwise."""
    problems: list[Problem] = []
    prow = parse_table_full(PROJECTS, projects_text, problems)
    crow = parse_table_full(PROJECT_CHANGES, changes_text, problems)
    full = net.dated if net.dated is not None else net
    sources = {s.source_id for s in full.sources}
    _check_unique(prow.rows, "project_id", PROJECTS.file, problems)
    _check_unique(crow.rows, "change_id", PROJECT_CHANGES.file, problems)
    for file, table, rows in ((PROJECTS.file, PROJECTS, prow.rows), (PROJECT_CHANGES.file, PROJECT_CHANGES, crow.rows)):
        for r in rows:
            for col in table.cols:
                if col.kind == "sources":
                    for sid in r.get(col.name) or ():
                        if sid not in sources:
                            problems.append(Problem(file, r["_line"], col.name, f"source id '{sid}' is not in sources.csv"))
    known: set[str] = {r["project_id"] for r in prow.rows} | {pid for r in prow.broken if (pid := r.get("project_id"))}
    changes: dict[str, list[Change]] = {}
    for r in crow.rows:
        ch = _change(r, full, known, problems)
        if ch is not None:
            changes.setdefault(r["project_id"], []).append(ch)
    projects = []
    for r in prow.rows:
        pid = r["project_id"]
        if pid not in changes and not any(b.get("project_id") == pid for b in crow.broken):
            problems.append(Problem(PROJECTS.file, r["_line"], "project_id", f"project '{pid}' has no row in {PROJECT_CHANGES.file}"))
        projects.append(Project(pid, r["name"], r["project_kind"], r["capital_usd"], r["opex_usd_year"], r["build_days"],
                                tuple(changes.get(pid, ())), r.get("note"), r["_line"]))
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.file != PROJECTS.file, p.line or 0)), source=label)
    return Catalogue(tuple(projects))


def _change(r: Row, net: Network, known: set[str], problems: list[Problem]) -> Change | None:
    file, line = PROJECT_CHANGES.file, r["_line"]
    before = len(problems)
    if r["project_id"] not in known:
        problems.append(Problem(file, line, "project_id", f"unknown project '{r['project_id']}' (not in {PROJECTS.file})"))
    kind, op = ChangeTarget(r["target_kind"]), ChangeOp(r["op"])
    ids = {ChangeTarget.LINK: {lk.link_id for lk in net.links}, ChangeTarget.FACILITY: {f.facility_id for f in net.facilities},
           ChangeTarget.ACCEPTANCE: {a.acceptance_id for a in net.acceptance}}[kind]
    if r["target_id"] not in ids:
        problems.append(Problem(file, line, "target_id", f"no {kind.value} '{r['target_id']}' in the dataset"))
    field, value = r.get("field"), r.get("value")
    if op is ChangeOp.OPEN:
        if kind is not ChangeTarget.LINK:
            problems.append(Problem(file, line, "op", "'open' applies to links only"))
        if field or value is not None:
            problems.append(Problem(file, line, "field", "'open' takes no field or value"))
    else:
        if field not in _FIELDS[kind]:
            allowed = ", ".join(sorted(_FIELDS[kind]))
            problems.append(Problem(file, line, "field", f"'{field or ''}' cannot be changed on a {kind.value} (one of: {allowed})"))
        if value is None:
            problems.append(Problem(file, line, "value", f"'{op.value}' needs a value"))
        elif op is ChangeOp.SCALE and value <= 0:
            problems.append(Problem(file, line, "value", f"a scale factor must be > 0 (got {value:g})"))
    if len(problems) > before:
        return None
    return Change(r["change_id"], kind, r["target_id"], op, field, value, tuple(r.get("src") or ()), line)


def _check_unique(rows: list[Row], key: str, file: str, problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for r in rows:
        if r[key] in seen:
            problems.append(Problem(file, r["_line"], key, f"duplicate {key} '{r[key]}' (first on line {seen[r[key]]})"))
        else:
            seen[r[key]] = r["_line"]
