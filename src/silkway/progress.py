"""Progress of long work as log records (INFO) on the ``silkway.progress`` logger: the core says what slow thing it is
doing now (validating a big dataset, building a big network's route planner, the first time only: later commands load
both from the cache) without doing any I/O itself. The command line shows these records on standard error
(``cli._app.show_progress``); a Python user sees them by configuring logging (``logging.basicConfig(level="INFO")``)."""

from __future__ import annotations

import logging

PROGRESS = logging.getLogger("silkway.progress")
