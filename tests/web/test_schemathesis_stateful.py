"""Stateful property test of the job endpoints: Schemathesis follows the OpenAPI links of ``POST /api/jobs`` (status,
results, cancel of the job just submitted) in generated sequences; no call may answer 5xx. Studies run with the
deterministic double of tests/web/doubles.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from silkway.web import WebSettings, create_app

from .doubles import double_runner

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SCENARIOS = Path(__file__).parent / "scenarios"
_RESULTS = tempfile.TemporaryDirectory(prefix="silkway-stateful-")  # removed at interpreter exit
APP = create_app(WebSettings(datasets={"tiny": TINY}, results_dir=Path(_RESULTS.name), scenario_dirs=(SCENARIOS,), max_days=30,
                             max_replications=2), study_runner=double_runner())
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.checks.update(included_check_names=[not_a_server_error.__name__])

Jobs = schema.include(path_regex="^/api/jobs").as_state_machine()


class TestJobs(Jobs.TestCase):  # type: ignore[name-defined, misc]
    settings = settings(max_examples=10, stateful_step_count=5, deadline=None, suppress_health_check=list(HealthCheck))


def test_links_are_published() -> None:
    links = APP.openapi()["paths"]["/api/jobs"]["post"]["responses"]["202"]["links"]
    assert set(links) == {"GetJob", "CancelJob", "ResultsJob"}
