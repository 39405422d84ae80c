"""The scenario files an app offers: found once, at start-up, in the configured folders.

Requests name a scenario; they never carry a path. Posted scenario text is validated without reading
any file (``extends``, ``dataset`` and ``demand.file`` are refused in it).
"""

from __future__ import annotations

import re
from pathlib import Path

from silkway.services.catalogue import describe, refuse_paths
from silkway.web.settings import NAME_PATTERN

__all__ = ["describe", "find_scenarios", "refuse_paths"]

_NAME = re.compile(NAME_PATTERN)


def find_scenarios(folders: tuple[Path, ...]) -> dict[str, Path]:
    """name (file stem) → file, for every ``*.yaml``/``*.yml`` in ``folders`` (first folder wins)."""
    out: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            if _NAME.match(path.stem):
                out.setdefault(path.stem, path.resolve())
    return out
