"""Settings of one web app instance: which datasets it serves, where studies are stored, limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_NAME = re.compile(NAME_PATTERN)


def _embedded() -> Mapping[str, Path | None]:
    return MappingProxyType({"eurasia": None})


@dataclass(frozen=True)
class WebSettings:
    """Everything a request may touch is named here; requests refer to datasets and studies by name only.

    ``datasets`` maps a dataset name to its folder (``None`` = the embedded ``eurasia`` dataset).
    ``results_dir`` is the study results store: the only folder the app writes to.
    ``scenario_dirs``: folders whose ``*.yaml`` scenario files the app offers to studies (by name).
    """

    datasets: Mapping[str, Path | None] = field(default_factory=_embedded)
    results_dir: Path = Path("silkway-results")
    scenario_dirs: tuple[Path, ...] = ()
    max_days: int = 730
    max_replications: int = 50
    max_scenarios: int = 8
    max_running_jobs: int = 1
    max_queued_jobs: int = 4
    route_threads: int = 2
    route_cache_entries: int = 512  # route answers kept for repeated queries (about 50 kB each)
    max_body_bytes: int = 2_000_000  # a request body beyond this is answered 413 without being read further

    def __post_init__(self) -> None:
        if not self.datasets:
            raise ValueError("at least one dataset is needed")
        for name in self.datasets:
            if not _NAME.match(name):
                raise ValueError(f"dataset name {name!r} must match {NAME_PATTERN}")
        object.__setattr__(self, "datasets", MappingProxyType(dict(self.datasets)))

    @property
    def default_dataset(self) -> str:
        return next(iter(self.datasets))
