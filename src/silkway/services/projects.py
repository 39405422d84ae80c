"""Candidate projects of a dataset (projects.csv, project_changes.csv): read, validate, fingerprint. Light: the
``silkway validate`` command uses it without loading the simulation."""

from __future__ import annotations

import hashlib
from pathlib import Path

from silkway import safe_io
from silkway.errors import DataError, Problem, ScenarioError
from silkway.invest.model import Catalogue
from silkway.invest.projects import parse_projects
from silkway.network import Network
from silkway.network.dataset import default_dataset_path
from silkway.network.schema import PROJECT_CHANGES, PROJECTS
from silkway.services._paths import StrPath


def read_catalogue(dataset: StrPath | None, net: Network) -> Catalogue:
    """The dataset's candidate projects (projects.csv + project_changes.csv), validated against its dated network."""
    folder = Path(dataset) if dataset else default_dataset_path()
    texts = []
    for table in (PROJECTS, PROJECT_CHANGES):
        path = folder / table.file
        try:  # a dataset's table: a regular file inside the folder, capped (silkway.safe_io)
            texts.append(safe_io.read_text(path, "table", within=folder))
        except safe_io.UnsafeFile as exc:
            if exc.missing:
                raise ScenarioError(f"{folder}: no {table.file} (the candidate projects; see docs/invest.md)") from None
            raise ScenarioError(f"{path}: {exc.reason}") from None
    return parse_projects(texts[0], texts[1], net, label=str(folder))


def validate_projects(dataset: StrPath | None, net: Network) -> list[Problem]:
    """Problems of the dataset's project tables (none when it has no projects.csv)."""
    folder = Path(dataset) if dataset else default_dataset_path()
    if not (folder / PROJECTS.file).exists():
        return []
    try:
        read_catalogue(dataset, net)
    except DataError as exc:
        return list(exc.problems)
    except ScenarioError as exc:
        return [Problem(PROJECT_CHANGES.file, None, None, str(exc).split(": ", 1)[-1])]
    return []


def catalogue_digest(dataset: StrPath | None) -> str:
    folder = Path(dataset) if dataset else default_dataset_path()
    h = hashlib.sha256()
    for table in (PROJECTS, PROJECT_CHANGES):
        try:
            h.update(safe_io.read_bytes(folder / table.file, "table", within=folder))
        except safe_io.UnsafeFile as exc:
            raise ScenarioError(f"{folder / table.file}: {exc.reason}") from None
    return h.hexdigest()[:16]
