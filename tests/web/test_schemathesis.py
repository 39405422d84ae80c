"""Property-based: requests generated from the app's own OpenAPI schema never get a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from silkway.web import WebSettings, create_app

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
_RESULTS = tempfile.TemporaryDirectory(prefix="silkway-schemathesis-")  # removed at interpreter exit
APP = create_app(WebSettings(datasets={"tiny": TINY}, results_dir=Path(_RESULTS.name), max_days=30, max_replications=2))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_on_generated_requests(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
