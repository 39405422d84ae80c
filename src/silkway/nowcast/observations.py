"""The observation format of the nowcast (docs/nowcast.md): timestamped freight milestones and states.

One row is one observation. ``read_observations`` parses a CSV or JSON-lines file and collects *every* bad row as a
located :class:`~silkway.errors.Problem` (file, line, field, what is wrong) before raising one
:class:`~silkway.errors.DataError`, like the dataset's validation. Pure parsing here; the places are checked
against a network by :func:`check_places`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from silkway.errors import DataError, Problem


class ObsKind(StrEnum):
    """What an observation says. Train milestones name ``train_id`` (and ``place`` / ``stage``); the others name a
    facility, closure or vessel."""

    RECEIVED = "received"  # a container (shipment_id) joined train_id forming at its origin terminal
    DEPARTED = "departed"  # train_id left its origin (flow_id, teu, containers; green = green-channel train)
    ARRIVED = "arrived"  # train_id joined the queue of a station (place, stage)
    STARTED = "started"  # train_id began service at a station (handling, customs clearance, moving on a link)
    PASSED = "passed"  # train_id finished a station (it joins the next one at the same time)
    CROSSED_BORDER = "crossed_border"  # = passed, at a border station
    GAUGE_CHANGED = "gauge_changed"  # = passed, at a gauge-change yard
    LOADED_ON_FERRY = "loaded_on_ferry"  # teu of train_id boarded a vessel (vessel_id for fleet ferries) at a quay
    SAILED = "sailed"  # a vessel (vessel_id) or a timetabled sailing carrying train_id left the quay at ``node``
    VESSEL_READY = "vessel_ready"  # vessel_id berthed at ``node`` of link ``place``, ready to load
    VESSEL_ARRIVED = "vessel_arrived"  # vessel_id reached ``node`` of link ``place`` (turnaround starts)
    DELIVERED = "delivered"  # train_id reached its destination
    QUEUE_COUNT = "queue_count"  # ``count`` trains waiting at (place, stage)
    NEXT_SLOT = "next_slot"  # the next train may start at (place, stage[, node]) at ``until`` (a headway / slot gate)
    CLOSURE_STARTED = "closure_started"  # closure_id of (target_kind, place) began; ``until`` = announced end
    CLOSURE_ENDED = "closure_ended"
    ACCEPTANCE_STOPPED = "acceptance_stopped"  # the receiving side stopped accepting trains at place (a closure)
    ACCEPTANCE_RESUMED = "acceptance_resumed"


class Stage(StrEnum):
    """The kind of simulation station a train milestone refers to (docs/simulation.md, "Stations")."""

    HANDLING = "handling"
    CUSTOMS = "customs"
    LINK = "link"
    QUAY = "quay"


class TargetKind(StrEnum):
    NODE = "node"
    LINK = "link"
    FACILITY = "facility"


TRAIN_KINDS = frozenset({ObsKind.RECEIVED, ObsKind.DEPARTED, ObsKind.ARRIVED, ObsKind.STARTED, ObsKind.PASSED,
                         ObsKind.CROSSED_BORDER, ObsKind.GAUGE_CHANGED, ObsKind.LOADED_ON_FERRY, ObsKind.DELIVERED})
END_KINDS = frozenset({ObsKind.PASSED, ObsKind.CROSSED_BORDER, ObsKind.GAUGE_CHANGED})
CLOSURE_KINDS = frozenset({ObsKind.CLOSURE_STARTED, ObsKind.CLOSURE_ENDED, ObsKind.ACCEPTANCE_STOPPED, ObsKind.ACCEPTANCE_RESUMED})
VESSEL_KINDS = frozenset({ObsKind.VESSEL_READY, ObsKind.VESSEL_ARRIVED})

# fields each kind needs (besides time and kind)
REQUIRED: dict[ObsKind, tuple[str, ...]] = {
    ObsKind.RECEIVED: ("shipment_id", "train_id", "flow_id", "place", "teu"),
    ObsKind.DEPARTED: ("train_id", "flow_id", "place", "teu", "containers"),
    ObsKind.ARRIVED: ("train_id", "place", "stage"),
    ObsKind.STARTED: ("train_id", "place", "stage"),
    ObsKind.PASSED: ("train_id", "place", "stage"),
    ObsKind.CROSSED_BORDER: ("train_id", "place", "stage"),
    ObsKind.GAUGE_CHANGED: ("train_id", "place", "stage"),
    ObsKind.LOADED_ON_FERRY: ("train_id", "place", "node", "teu"),
    ObsKind.SAILED: ("place", "node"),
    ObsKind.VESSEL_READY: ("vessel_id", "place", "node"),
    ObsKind.VESSEL_ARRIVED: ("vessel_id", "place", "node"),
    ObsKind.DELIVERED: ("train_id", "place"),
    ObsKind.QUEUE_COUNT: ("place", "stage", "count"),
    ObsKind.NEXT_SLOT: ("place", "stage", "until"),
    ObsKind.CLOSURE_STARTED: ("closure_id", "target_kind", "place"),
    ObsKind.CLOSURE_ENDED: ("closure_id", "target_kind", "place"),
    ObsKind.ACCEPTANCE_STOPPED: ("closure_id", "target_kind", "place"),
    ObsKind.ACCEPTANCE_RESUMED: ("closure_id", "target_kind", "place"),
}


@dataclass(frozen=True, slots=True)
class Observation:
    """One row. ``time`` and ``until`` are timezone-aware UTC datetimes."""

    time: datetime
    kind: ObsKind
    train_id: str | None = None
    shipment_id: str | None = None
    vessel_id: str | None = None
    flow_id: str | None = None
    place: str | None = None
    stage: Stage | None = None
    node: str | None = None
    target_kind: TargetKind | None = None
    closure_id: str | None = None
    teu: float | None = None
    containers: int | None = None
    count: int | None = None
    green: bool | None = None
    until: datetime | None = None
    line: int | None = None  # where it was read (spreadsheet line, header = 1; JSON lines: line number)


COLUMNS = tuple(f.name for f in fields(Observation) if f.name != "line")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")  # a file named so is JSON lines; any other is CSV


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without a zone is UTC. Raises ValueError."""
    t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def hours_since(t: datetime, epoch: datetime) -> float:
    return (t - epoch) / timedelta(hours=1)


def at_hours(h: float, epoch: datetime) -> datetime:
    return epoch + timedelta(hours=float(h))


def _cell(raw: Mapping[str, object], name: str) -> object:
    v = raw.get(name)
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def parse_row(raw: Mapping[str, object], file: str, line: int, problems: list[Problem]) -> Observation | None:
    """One observation from a row of cells (strings from CSV, JSON values from JSON lines); problems appended."""
    out: dict[str, object] = {"line": line}
    bad = len(problems)

    def problem(name: str, msg: str) -> None:
        problems.append(Problem(file, line, name, msg))

    unknown = sorted(set(raw) - set(COLUMNS))
    if unknown:
        problem(unknown[0], f"unknown column(s) {', '.join(unknown)}: expected {', '.join(COLUMNS)}")
    for name in ("time", "until"):
        v = _cell(raw, name)
        if v is None:
            if name == "time":
                problem(name, "missing: every observation needs an ISO 8601 time (e.g. 2024-03-05T14:00Z)")
            continue
        try:
            out[name] = parse_time(str(v))
        except ValueError:
            problem(name, f"'{v}' is not an ISO 8601 time (e.g. 2024-03-05T14:00Z)")
    for name, enum in (("kind", ObsKind), ("stage", Stage), ("target_kind", TargetKind)):
        v = _cell(raw, name)
        if v is None:
            if name == "kind":
                problem(name, f"missing: one of {', '.join(k.value for k in ObsKind)}")
            continue
        try:
            out[name] = enum(str(v).lower())
        except ValueError:
            problem(name, f"'{v}' is not one of {', '.join(k.value for k in enum)}")
    for name in ("train_id", "shipment_id", "vessel_id", "flow_id", "place", "node", "closure_id"):
        v = _cell(raw, name)
        if v is not None:
            out[name] = str(v)
    for name in ("teu", "containers", "count"):
        v = _cell(raw, name)
        if v is None:
            continue
        try:
            x = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problem(name, f"'{v}' is not a number")
            continue
        if not math.isfinite(x) or x < 0:
            problem(name, f"{v} must be a finite number ≥ 0")
        elif name != "teu" and x != int(x):
            problem(name, f"{v} must be a whole number")
        elif name == "teu" and x == 0 and _cell(raw, "kind") in ("received", "departed", "loaded_on_ferry"):
            problem(name, "a train's or container's TEU must be > 0")
        else:
            out[name] = x if name == "teu" else int(x)
    g = _cell(raw, "green")
    if g is not None:
        text = str(g).lower()
        if text in ("true", "1", "yes"):
            out["green"] = True
        elif text in ("false", "0", "no"):
            out["green"] = False
        else:
            problem("green", f"'{g}' is not true/false")
    kind = out.get("kind")
    if isinstance(kind, ObsKind):
        for name in REQUIRED[kind]:
            if name not in out and not any(p.field == name for p in problems[bad:]):
                problem(name, f"missing: a '{kind.value}' observation needs {', '.join(REQUIRED[kind])}")
        if kind == ObsKind.SAILED and "vessel_id" not in out and "train_id" not in out:
            problem("vessel_id", "a 'sailed' observation names the vessel (fleet ferry) or the train (timetabled sailing)")
        if "until" in out and "time" in out and out["until"] < out["time"]:  # type: ignore[operator]
            problem("until", "the announced end is before the observation's time")
    if len(problems) > bad:
        return None
    return Observation(**out)  # type: ignore[arg-type]


def parse_rows(rows: Iterable[tuple[int, Mapping[str, object]]], file: str) -> tuple[list[Observation], list[Problem]]:
    problems: list[Problem] = []
    obs = [o for line, raw in rows if (o := parse_row(raw, file, line, problems)) is not None]
    return obs, problems


def read_observations(path: str | Path) -> list[Observation]:
    """Observations of a ``.csv`` or ``.jsonl`` / ``.ndjson`` / ``.json`` file, sorted by time (stable), read under
    the file policy of :mod:`silkway.safe_io` (a regular file of at most ``MAX_BYTES["observations"]``); raises
    DataError listing every bad row."""
    from silkway import safe_io

    p = Path(path)
    try:
        text = safe_io.read_text(p, "observations")
    except safe_io.UnsafeFile as exc:
        raise DataError([Problem(p.name, None, None, exc.reason)], source="observations") from None
    return parse_observations(text, p.name)


def parse_observations(text: str, name: str) -> list[Observation]:
    """The observations of a file's text (JSON lines if ``name`` ends in .jsonl/.ndjson/.json, else CSV), sorted by
    time; a DataError listing every bad row (file, line, field, what), or saying that there are no rows. The one
    entry point of the CLI, the Python API and the web page."""
    obs, problems = parse_text(text, name, jsonl=Path(name).suffix.lower() in JSONL_SUFFIXES)
    if problems:
        raise DataError(problems, source="observations")
    if not obs:
        raise DataError([Problem(name, None, None, "no observations: the file has no rows")], source="observations")
    return obs


def parse_text(text: str, file: str, *, jsonl: bool) -> tuple[list[Observation], list[Problem]]:
    """Observations and located problems of a file's text. A leading byte-order mark (as spreadsheets write) is
    dropped; a JSON line nested too deeply to read is a problem on its line, not a RecursionError."""
    text = text.removeprefix("\ufeff")
    if jsonl:
        rows: list[tuple[int, Mapping[str, object]]] = []
        problems: list[Problem] = []
        for i, ln in enumerate(text.splitlines(), start=1):
            if not ln.strip():
                continue
            try:
                raw = json.loads(ln)
            except json.JSONDecodeError as exc:
                problems.append(Problem(file, i, None, f"not valid JSON: {exc.msg}"))
                continue
            except RecursionError:  # json.loads recurses once per level: a line nested thousands deep
                problems.append(Problem(file, i, None, "nested too deeply to read: an observation is one flat JSON object"))
                continue
            if not isinstance(raw, dict):
                problems.append(Problem(file, i, None, "a JSON line must be an object"))
                continue
            rows.append((i, raw))
        obs, more = parse_rows(rows, file)
        problems += more
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "time" not in reader.fieldnames or "kind" not in reader.fieldnames:
            return [], [Problem(file, 1, None, f"the header needs at least 'time' and 'kind' (columns: {', '.join(COLUMNS)})")]
        obs, problems = parse_rows(((reader.line_num, {k: v for k, v in row.items() if k is not None}) for row in reader), file)
    obs.sort(key=lambda o: o.time)
    return obs, problems


def check_places(obs: Iterable[Observation], node_ids: set[str], link_ids: set[str], facility_ids: set[str], flow_ids: set[str],
                 file: str) -> list[Problem]:
    """Places, nodes and flows that the network / demand does not know, located."""
    problems = []
    known = {TargetKind.NODE: node_ids, TargetKind.LINK: link_ids, TargetKind.FACILITY: facility_ids}
    every = node_ids | link_ids | facility_ids
    for o in obs:
        if o.place is not None:
            allowed = known[o.target_kind] if o.target_kind else every
            if o.place not in allowed:
                what = o.target_kind.value if o.target_kind else "node, link or facility"
                problems.append(Problem(file, o.line, "place", f"unknown {what} '{o.place}'"))
        if o.node is not None and o.node not in node_ids:
            problems.append(Problem(file, o.line, "node", f"unknown node '{o.node}'"))
        if o.flow_id is not None and o.flow_id not in flow_ids:
            problems.append(Problem(file, o.line, "flow_id", f"unknown demand flow '{o.flow_id}'"))
    return problems


def to_records(obs: Iterable[Observation]) -> list[dict[str, object]]:
    out = []
    for o in obs:
        row: dict[str, object] = {}
        for name in COLUMNS:
            v = getattr(o, name)
            if isinstance(v, datetime):
                v = v.isoformat().replace("+00:00", "Z")
            elif isinstance(v, StrEnum):
                v = v.value
            row[name] = v
        out.append(row)
    return out


def format_csv(obs: Iterable[Observation]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in to_records(obs):
        w.writerow({k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()})
    return buf.getvalue()


def format_jsonl(obs: Iterable[Observation]) -> str:
    return "".join(json.dumps({k: v for k, v in row.items() if v is not None}) + "\n" for row in to_records(obs))
