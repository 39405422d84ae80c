"""Read scenario YAML files: validate, resolve ``extends``, fingerprint.

Errors name the file, the YAML path (``links[0].scale.capacity_trains_day``), its line and what is
wrong, and are raised as one :class:`ScenarioError` listing every problem — never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from silkway import safe_io
from silkway.errors import ScenarioError
from silkway.scenarios import yaml_strict
from silkway.scenarios.model import Scenario

_APPEND_KEYS = {"links", "facilities", "new_facilities", "closures", "avoid", "growth"}
_MAX_DEPTH = 16


@dataclass(frozen=True)
class LoadedScenario:
    """A resolved scenario, the files it came from (root first) and its fingerprint."""

    scenario: Scenario
    path: Path
    chain: tuple[Path, ...]
    hash: str

    @property
    def name(self) -> str:
        return self.scenario.name


def load_scenario(path: str | os.PathLike[str]) -> LoadedScenario:
    """Read, validate and resolve one scenario file (following ``extends``)."""
    chain, merged = _resolve(Path(path).resolve(), ())
    scenario = _validate(merged, chain[-1], _read_text(chain[-1]))
    return LoadedScenario(scenario, chain[-1], chain, scenario_hash(scenario))


def parse_scenario(text: str, label: str = "<scenario>") -> Scenario:
    """Validate scenario text that does not use ``extends`` (no file access)."""
    data = _parse_yaml(text, label)
    if data.get("extends"):
        raise ScenarioError(f"{label}: extends: only files can extend another file")
    return _validate(data, Path(label), text)


def scenario_hash(scenario: Scenario) -> str:
    """Fingerprint of everything that changes results: the resolved scenario and the contents of the
    dataset and demand files it names (not their paths, so the hash is portable)."""
    data = scenario.model_dump(mode="json", exclude={"extends", "description"})
    data["dataset"] = folder_digest(Path(scenario.dataset)) if scenario.dataset else "embedded"
    if scenario.demand.file:
        data["demand"]["file"] = _file_digest(Path(scenario.demand.file))
    canon = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


# ------------------------------------------------------------------ internals


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[tuple[Path, ...], dict[str, Any]]:
    if path in seen:
        cycle = " → ".join(p.name for p in (*seen, path))
        raise ScenarioError(f"{seen[-1]}: extends: cycle {cycle}")
    if len(seen) >= _MAX_DEPTH:
        raise ScenarioError(f"{path}: extends: more than {_MAX_DEPTH} levels")
    text = _read_text(path)
    data = _parse_yaml(text, str(path))
    _validate(data, path, text)  # each file must be valid on its own
    _absolutise(data, path.parent)
    parent = data.pop("extends", None)
    if not parent:
        return (path,), data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: must name a scenario file")
    named = Path(os.path.normpath(path.parent / parent))
    _read_text(named, within=named.parent)  # a link named by extends: stays in its folder (silkway.safe_io)
    chain, base = _resolve(named.resolve(), (*seen, path))
    return (*chain, path), _merge(base, data)


def _read_text(path: Path, within: Path | None = None) -> str:
    try:
        return safe_io.read_text(path, "scenario", within)
    except safe_io.UnsafeFile as exc:
        raise ScenarioError(str(exc)) from None


def _parse_yaml(text: str, label: str) -> dict[str, Any]:
    data = yaml_strict.load(text, label)
    if not isinstance(data, dict):
        raise ScenarioError(f"{label}: a scenario must be a YAML mapping (key: value lines)")
    return data


def _validate(data: dict[str, Any], path: Path, text: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(err, text) for err in exc.errors()]
        head = f"{path}: {len(lines)} problem{'s' if len(lines) != 1 else ''}"
        raise ScenarioError(head + "".join(f"\n  - {ln}" for ln in lines)) from None


def _describe(err: Any, text: str) -> str:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p in ("float", "int")))]
    ypath = _yaml_path(loc) or "(top level)"
    line = _line_of(text, loc)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "required key is missing"
    elif err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "literal_error" and loc and loc[-1] == "silkway_scenario":
        msg = f"unsupported scenario format version {err.get('input')!r} (this silkway reads 1)"
    where = f" (line {line})" if line else ""
    return f"{ypath}{where}: {msg}"


def _yaml_path(loc: list[Any]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _line_of(text: str, loc: list[Any]) -> int | None:
    """1-based line of the YAML node at ``loc`` (the deepest existing ancestor)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for p in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        node = _child(node, p)
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _child(node: Any, key: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v if not isinstance(v, yaml.ScalarNode) or v.value != "" else k
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def _absolutise(data: dict[str, Any], base: Path) -> None:
    if isinstance(data.get("dataset"), str):
        try:
            data["dataset"] = str((base / data["dataset"]).resolve())
        except (OSError, ValueError) as exc:  # a NUL byte, a loop of links
            raise ScenarioError(f"{base}: dataset: {data['dataset'][:80]!r} cannot be opened: {exc}") from None
    demand = data.get("demand")
    if isinstance(demand, dict) and isinstance(demand.get("file"), str):
        demand["file"] = os.path.normpath(base / demand["file"])  # not resolved: a link must stay in its folder


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child overrides scalars; mappings merge; change lists append (parent's first)."""
    out = dict(base)
    for key, value in child.items():
        if key in _APPEND_KEYS and isinstance(out.get(key), list) and isinstance(value, list):
            out[key] = [*out[key], *value]
        elif isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(safe_io.read_bytes(path, "demand", within=path.parent)).hexdigest()[:16]
    except safe_io.UnsafeFile as exc:
        raise ScenarioError(str(exc)) from None


def folder_digest(folder: Path) -> str:
    if not folder.is_dir():
        raise ScenarioError(f"dataset: {folder} is not a folder")
    h = hashlib.sha256()
    for f in sorted(folder.iterdir()):
        if f.is_file() and f.suffix in (".csv", ".toml"):
            try:
                h.update(f.name.encode() + b"\0" + safe_io.read_bytes(f, "table", within=folder))
            except safe_io.UnsafeFile as exc:
                raise ScenarioError(f"dataset: {exc}") from None
    return h.hexdigest()[:16]
