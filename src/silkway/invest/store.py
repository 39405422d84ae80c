"""Where evaluations persist: one small JSON file per (portfolio, replication), written atomically by the parent
as each result arrives. A killed run leaves only whole files; re-running loads them and simulates the rest.

Layout: ``ROOT/<run id>/run.json`` (what the evaluations depend on: scenario hash, projects digest, horizon,
seed, dataset and a digest of the model's source code) and ``ROOT/<run id>/evals/<portfolio hash>-<rep>.json``. The run id is a digest
of run.json, so evaluations of different inputs or code never mix.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from silkway.atomic import atomic_write_text
from silkway.errors import SilkwayError
from silkway.invest.model import Portfolio, portfolio_hash, portfolio_key


def run_id(fingerprint: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]


class FileStore:
    """An EvalStore (invest/evaluate.py) in a folder."""

    def __init__(self, root: str | os.PathLike[str], fingerprint: Mapping[str, Any]):
        self.fingerprint = dict(fingerprint)
        self.dir = Path(root) / run_id(fingerprint)
        self.evals = self.dir / "evals"
        try:
            self.evals.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SilkwayError(f"{self.dir}: cannot create the invest store: {exc.strerror or exc}") from None
        if not (self.dir / "run.json").exists():
            atomic_write_text(self.dir / "run.json", json.dumps(self.fingerprint, indent=1, sort_keys=True) + "\n")

    def load(self) -> dict[tuple[str, int], dict[str, float]]:
        out: dict[tuple[str, int], dict[str, float]] = {}
        for f in sorted(self.evals.glob("*.json")):
            try:
                row = json.loads(f.read_text(encoding="utf-8"))
                out[(row["portfolio"], int(row["rep"]))] = {k: float(v) for k, v in row["kpis"].items()}
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not one of ours (atomic writes never leave a partial file): simulate it again
        return out

    def write(self, portfolio: Portfolio, rep: int, seed: int, kpis: Mapping[str, float], wall_s: float) -> None:
        row = {"portfolio": portfolio_key(portfolio), "rep": rep, "seed": seed, "wall_s": round(wall_s, 4),
               "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"), "kpis": {k: _num(v) for k, v in kpis.items()}}
        atomic_write_text(self.evals / f"{portfolio_hash(portfolio)}-{rep}.json", json.dumps(row) + "\n")


def _num(v: float) -> float | str:
    return v if v == v and abs(v) != float("inf") else str(v)  # JSON has no nan/inf; float("nan") reads them back


def result_name(objective: str, budget_usd: float) -> str:
    """The file of a plan's result in its run folder: one per objective and budget (the evaluations are shared)."""
    return f"result-{objective}-{budget_usd:.0f}.json"


def write_result(run_dir: Path, result: Any, geometry: Mapping[str, Any]) -> Path:
    """Keep the plan's result (an :class:`~silkway.invest.result.InvestResult`) and the projects' geometry in the run
    folder, so the web app and the report show it without simulating again."""
    row = {"result": result.to_dict(), "geometry": dict(geometry), "finished_utc": datetime.now(UTC).isoformat(timespec="seconds")}
    return atomic_write_text(run_dir / result_name(result.objective.value, result.budget_usd), json.dumps(row) + "\n")


def stored_results(root: str | os.PathLike[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(run id, result file name, its JSON) of every stored result under ``root``, newest first; unreadable files are
    skipped (a result is rewritten by the next run of the same plan)."""
    out = []
    for f in Path(root).glob("*/result-*.json"):
        try:
            out.append((f.parent.name, f.name, json.loads(f.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    return sorted(out, key=lambda x: str(x[2].get("finished_utc", "")), reverse=True)
