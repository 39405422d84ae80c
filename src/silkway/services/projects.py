"""Candidate projects of a dataset (projects.csv, project_changes.csv): read, validate, fingerprint. Light: the
``silkway validate`` command uses it without loading the simulation."""

from __future__ import annotations

import hashlib
from pathlib import Path

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
        try:
            texts.append(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise ScenarioError(f"{folder}: no {table.file} (the candidate projects; see docs/invest.md)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: cannot read: {exc}") from None
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
        h.update((folder / table.file).read_bytes())
    return h.hexdigest()[:16]
