"""Path types of the service layer's signatures, defined once."""

from __future__ import annotations

import os

StrPath = str | os.PathLike[str]  # a path the caller must give
OptPath = StrPath | None  # a path the caller may leave out (None: the default, e.g. the embedded dataset)
