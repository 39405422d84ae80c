"""Standards-compliant JSON for every output: no ``NaN``/``Infinity`` tokens (RFC 8259 has none).

A non-finite float (a KPI of an empty sample, say) is written as ``null``; ``json.dumps`` runs with
``allow_nan=False`` so nothing else can slip through.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite(obj: Any) -> Any:
    """``obj`` with every non-finite float replaced by None (dicts, lists and tuples walked)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


def dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`finite` (obj), never emitting NaN or Infinity."""
    return json.dumps(finite(obj), allow_nan=False, **kwargs)
