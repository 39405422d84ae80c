"""Provenance use case: how well a dataset's numbers are sourced (``silkway sources``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from silkway.network.provenance import MIRROR_HOSTS, ProvenanceReport, provenance
from silkway.services._paths import OptPath
from silkway.services.network import load


def report(dataset: OptPath = None) -> ProvenanceReport:
    """The provenance report of a dataset folder (the embedded dataset when None)."""
    return provenance(load(dataset))


def to_dict(rep: ProvenanceReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    return {
        "n_sources": rep.n_sources,
        "n_assumptions": rep.n_assumptions,
        "fields": [asdict(f) for f in rep.fields],
        "tables": {name: {k: v for k, v in asdict(t).items() if k not in ("table", "field", "src_column")}
                   for name, t in rep.table_totals().items()},
        "mirrors": [asdict(f) for f in rep.mirrors],
        "no_locator": [asdict(f) for f in rep.no_locator],
        "host_only_locator": [asdict(f) for f in rep.host_only_locator],
        "year_only_date": [asdict(f) for f in rep.year_only_date],
        "mirror_hosts": dict(MIRROR_HOSTS),
    }
