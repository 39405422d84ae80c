"""The scenario files an app offers: their description, and the check that posted scenario text names no file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from silkway import safe_io
from silkway.errors import ScenarioError, SilkwayError
from silkway.scenarios import yaml_strict

PATH_KEYS = ("extends", "dataset")


def describe(path: Path) -> dict[str, Any]:
    """Name, description and base of a catalogue file (read leniently: a broken file still lists)."""
    try:
        data = yaml_strict.load(safe_io.read_text(path, "scenario"), path.name)
    except SilkwayError:
        data = None
    data = data if isinstance(data, dict) else {}
    return {"name": path.stem, "title": str(data.get("name", path.stem)), "description": str(data.get("description", "")),
            "extends": data.get("extends")}


def refuse_paths(text: str) -> None:
    """Posted scenario text may not name files (the server reads no path that a request chose) nor use
    YAML aliases (a few aliases can expand into billions of nodes for the validator to walk)."""
    try:
        aliased = any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        data = None if aliased else yaml_strict.load(text, "scenario")
    except (yaml.YAMLError, ScenarioError):
        return  # the validator reports the YAML error with its line
    if aliased:
        raise ScenarioError("YAML aliases (*name) are not accepted in a posted scenario; write the values out")
    if not isinstance(data, dict):
        return
    named = [k for k in PATH_KEYS if data.get(k)]
    if isinstance(data.get("demand"), dict) and data["demand"].get("file"):
        named.append("demand.file")
    if named:
        raise ScenarioError(f"{', '.join(named)}: a scenario posted to the web app cannot name files "
                            "(it applies to the dataset chosen in the request)")
