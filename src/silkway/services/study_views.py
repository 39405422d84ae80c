"""Views of a results directory for interfaces that browse studies (the web app): the studies, and one
study's KPIs (mean, 95% CI, difference to the baseline; human names and units; the headline KPIs; the method and
warnings such as too few replications) plus the series the UI charts (queue over time,
transit times, link flows).

The store is opened read-write, unlike ``services.studies.summary``: DuckDB refuses a read-only connection
in a process that already holds a read-write one, which the web app's running study job does. Nothing
here writes to it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from silkway.scenarios.store import ResultsStore, StudyRecord
from silkway.scenarios.summary import method_notes, summarize_kpis

STORE_FILE = "silkway.duckdb"


def store_path(results_dir: Path) -> Path:
    return results_dir / STORE_FILE


def list_studies(results_dir: Path) -> list[dict[str, Any]]:
    path = store_path(results_dir)
    if not path.is_file():
        return []
    with ResultsStore(path) as store:
        out = []
        for rec in store.studies():
            done = store.finished(rec.study_id)
            out.append({**_record(rec), "replications_done": len(done)})
        return out


def study_results(results_dir: Path, study_id: str) -> dict[str, Any] | None:
    """Everything the UI shows about one study, or None when the store has no such study."""
    path = store_path(results_dir)
    if not path.is_file():
        return None
    with ResultsStore(path) as store:
        rec = next((r for r in store.studies() if r.study_id == study_id), None)
        if rec is None:
            return None
        names = {s["hash"]: s["name"] for s in rec.scenarios}
        from silkway.scenarios.headline import headline_kpis
        from silkway.services.studies import study_places

        kpis = summarize_kpis(rec, store.kpis(study_id), places=study_places(store, rec))
        notes = method_notes(rec, kpis)
        return {
            **_record(rec),
            "replications_done": len(store.finished(study_id)),
            "kpis": [{k: _clean(v) for k, v in row.items()} for row in kpis.to_dict(orient="records")],
            "headline_kpis": headline_kpis(kpis),  # the KPIs to show first, in reading order (the rest one switch away)
            "warnings": [n for n in notes if n.startswith("warning")],  # e.g. fewer replications than recommended
            "method": [n for n in notes if not n.startswith("warning")],  # CRN / Welch, the multiple-comparison correction
            "queue": _series(store.details(study_id, "queue"), names),
            "transit": _series(store.details(study_id, "transit"), names),
            "flows": _flows(store.details(study_id, "flow"), names),
        }


def _record(rec: StudyRecord) -> dict[str, Any]:
    return {"study_id": rec.study_id, "label": rec.label, "created_utc": rec.created_utc.isoformat(), "seed": rec.seed,
            "days": rec.days, "replications": rec.replications, "crn": rec.crn,
            "scenarios": [s["name"] for s in rec.scenarios], "dataset_version": rec.dataset_version,
            "code_version": rec.code_version}


def _series(df: pd.DataFrame, names: dict[str, str]) -> dict[str, dict[str, dict[str, list[float]]]]:
    """{scenario: {key: {"x": [...], "y": [...]}}}, y averaged over the replications that recorded it."""
    out: dict[str, dict[str, dict[str, list[float]]]] = {}
    if df.empty:
        return out
    agg = df.groupby(["scenario_hash", "key", "x"], sort=True)["y"].mean().reset_index()
    for (h, key), part in agg.groupby(["scenario_hash", "key"], sort=True):
        out.setdefault(names.get(h, h), {})[str(key)] = {"x": part["x"].tolist(), "y": part["y"].tolist()}
    return out


def _flows(df: pd.DataFrame, names: dict[str, str]) -> dict[str, dict[str, float]]:
    """{scenario: {link_id: mean TEU over replications}}."""
    out: dict[str, dict[str, float]] = {}
    if df.empty:
        return out
    for (h, key), y in df.groupby(["scenario_hash", "key"], sort=True)["y"]:
        out.setdefault(names.get(h, h), {})[str(key)] = float(y.mean())
    return out


def _clean(v: Any) -> Any:
    """JSON has no NaN: missing statistics (the baseline's difference, n = 1 intervals) become null."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v.item() if hasattr(v, "item") else v
