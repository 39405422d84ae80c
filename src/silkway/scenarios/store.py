"""The results store: an embedded DuckDB database, one transaction per replication, Parquet export.

Tables (all keyed by ``study_id``):

- ``studies``: one row per study (seed, horizon, scenarios, dataset and code version).
- ``scenarios``: resolved scenario definitions by hash (what every figure was computed from).
- ``replications``: one row per finished replication with its seed, dataset/code version, wall time.
- ``kpis``: long format (scenario_hash, rep, kpi, value).
- ``details``: long format (scenario_hash, rep, kind, key, x, y) for the report: queue over time
  (``queue``: facility, day, trains), transit times (``transit``: corridor, days, TEU),
  link flows (``flow``: link, 0, TEU).

A replication's row, KPIs and details are written in one transaction, so an interrupted study never
leaves a half-written replication: re-running it finds only whole replications and skips them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from silkway.atomic import check_file, ensure_folder
from silkway.defaults import DEFAULT_STORE
from silkway.errors import StoreError
from silkway.interrupts import sigint_deferred

__all__ = ["DEFAULT_STORE", "ResultsStore", "StoreError", "StudyRecord"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
  study_id VARCHAR PRIMARY KEY, label VARCHAR, created_utc TIMESTAMP, seed BIGINT, days INTEGER,
  replications INTEGER, crn BOOLEAN, scenarios JSON, dataset_version VARCHAR, code_version VARCHAR);
CREATE TABLE IF NOT EXISTS scenarios (scenario_hash VARCHAR PRIMARY KEY, name VARCHAR, definition JSON);
CREATE TABLE IF NOT EXISTS replications (
  study_id VARCHAR, scenario_hash VARCHAR, rep INTEGER, seed UBIGINT, dataset_version VARCHAR,
  code_version VARCHAR, days INTEGER, wall_s DOUBLE, finished_utc TIMESTAMP,
  PRIMARY KEY (study_id, scenario_hash, rep));
CREATE TABLE IF NOT EXISTS kpis (study_id VARCHAR, scenario_hash VARCHAR, rep INTEGER, kpi VARCHAR, value DOUBLE);
CREATE TABLE IF NOT EXISTS details (
  study_id VARCHAR, scenario_hash VARCHAR, rep INTEGER, kind VARCHAR, key VARCHAR, x DOUBLE, y DOUBLE);
"""

DETAIL_COLUMNS = ["kind", "key", "x", "y"]


@dataclass(frozen=True)
class StudyRecord:
    study_id: str
    label: str
    created_utc: datetime
    seed: int
    days: int
    replications: int
    crn: bool
    scenarios: list[dict[str, str]]  # [{"name", "hash"}] in study order (first = baseline)
    dataset_version: str
    code_version: str


class ResultsStore:
    """A DuckDB file opened by one process (the study's parent); workers never write to it."""

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STORE, *, read_only: bool = False):
        self.path = Path(path)
        if read_only and not self.path.is_file():
            raise StoreError(f"{self.path}: no results store here (run 'silkway study' first or pass --store)")
        ensure_folder(check_file(self.path, "results store").parent, "folder of the results store")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the results store: {exc}") from None
        if not read_only:
            self.con.execute(_SCHEMA)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------- writing

    def register_study(self, rec: StudyRecord, definitions: dict[str, tuple[str, dict[str, Any]]]) -> None:
        """Insert (or update the replication count of) a study and its scenario definitions."""
        self.con.execute("BEGIN")
        try:
            for h, (name, definition) in definitions.items():
                self.con.execute("INSERT OR IGNORE INTO scenarios VALUES (?, ?, ?)", [h, name, json.dumps(definition)])
            self.con.execute(
                "INSERT INTO studies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (study_id) DO UPDATE SET "
                "replications = greatest(studies.replications, excluded.replications)",
                [rec.study_id, rec.label, rec.created_utc, rec.seed, rec.days, rec.replications, rec.crn,
                 json.dumps(rec.scenarios), rec.dataset_version, rec.code_version])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def write_replication(self, study: StudyRecord, scenario_hash: str, rep: int, seed: int, wall_s: float,
                          kpis: dict[str, float], details: pd.DataFrame | None) -> None:
        """Write one replication atomically (row + KPIs + details, or nothing)."""
        k = pd.DataFrame({"kpi": list(kpis), "value": [float(v) for v in kpis.values()]})
        d = details if details is not None and len(details) else pd.DataFrame(columns=DETAIL_COLUMNS)
        d = d[DETAIL_COLUMNS].astype({"kind": str, "key": str, "x": float, "y": float})
        ids = [study.study_id, scenario_hash, rep]
        with sigint_deferred():  # Ctrl-C during the transaction takes effect right after it
            self.con.execute("BEGIN")
            try:
                self.con.execute("INSERT INTO replications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 [*ids, seed, study.dataset_version, study.code_version, study.days, wall_s, datetime.now(UTC)])
                self.con.register("_k", k)
                self.con.execute("INSERT INTO kpis SELECT ?, ?, ?, kpi, value FROM _k", ids)
                self.con.register("_d", d)
                self.con.execute("INSERT INTO details SELECT ?, ?, ?, kind, key, x, y FROM _d", ids)
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            finally:
                self.con.unregister("_k")
                self.con.unregister("_d")

    # ------------------------------------------------------------- reading

    def finished(self, study_id: str) -> set[tuple[str, int]]:
        rows = self.con.execute("SELECT scenario_hash, rep FROM replications WHERE study_id = ?", [study_id]).fetchall()
        return {(h, int(r)) for h, r in rows}

    def study(self, ref: str) -> StudyRecord:
        """A study by id, id prefix, label, or ``latest``."""
        cols = "study_id, label, created_utc, seed, days, replications, crn, scenarios, dataset_version, code_version"
        if ref == "latest":
            rows = self.con.execute(f"SELECT {cols} FROM studies ORDER BY created_utc DESC LIMIT 1").fetchall()
        else:
            rows = self.con.execute(f"SELECT {cols} FROM studies WHERE study_id LIKE ? || '%' OR label = ? "
                                    "ORDER BY created_utc DESC", [ref, ref]).fetchall()
        if not rows:
            known = ", ".join(f"{s.study_id[:12]} ({s.label})" for s in self.studies()[:10]) or "none"
            raise StoreError(f"{self.path}: no study '{ref}' (known: {known})")
        if len({r[0] for r in rows}) > 1 and not any(r[0] == ref for r in rows):
            raise StoreError(f"'{ref}' matches {len(rows)} studies; give more of the id: "
                             + ", ".join(r[0][:12] for r in rows))
        r = rows[0]
        return StudyRecord(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5]), bool(r[6]), json.loads(r[7]), r[8], r[9])

    def studies(self) -> list[StudyRecord]:
        ids = [r[0] for r in self.con.execute("SELECT study_id FROM studies ORDER BY created_utc DESC").fetchall()]
        return [self.study(i) for i in ids]

    def kpis(self, study_id: str) -> pd.DataFrame:
        """Columns scenario_hash, rep, kpi, value (only finished replications exist)."""
        return self.con.execute("SELECT scenario_hash, rep, kpi, value FROM kpis WHERE study_id = ? "
                                "ORDER BY scenario_hash, rep, kpi", [study_id]).df()

    def details(self, study_id: str, kind: str) -> pd.DataFrame:
        return self.con.execute("SELECT scenario_hash, rep, key, x, y FROM details WHERE study_id = ? AND kind = ? "
                                "ORDER BY scenario_hash, rep, key, x", [study_id, kind]).df()

    def replications(self, study_id: str) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM replications WHERE study_id = ? ORDER BY scenario_hash, rep", [study_id]).df()

    def definitions(self, hashes: list[str]) -> dict[str, dict[str, Any]]:
        rows = self.con.execute("SELECT scenario_hash, definition FROM scenarios WHERE list_contains(?, scenario_hash)",
                                [hashes]).fetchall()
        return {h: json.loads(d) for h, d in rows}

    def export_parquet(self, study_id: str, out_dir: str | os.PathLike[str]) -> list[Path]:
        """Write replications, kpis and details of a study as Parquet files (each replaced atomically)."""
        out = ensure_folder(out_dir, "export folder")
        written = []
        for table in ("replications", "kpis", "details"):
            target = out / f"{table}.parquet"
            tmp = out / f".{table}.parquet.tmp"
            self.con.execute(f"COPY (SELECT * FROM {table} WHERE study_id = ?) TO '{_sql_path(tmp)}' (FORMAT PARQUET)",
                             [study_id])
            os.replace(tmp, target)
            written.append(target)
        return written


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")
