"""The CLI fuzz harness (tests/hardening/cli_fuzz.py), a short run per command: exit 0/1/2, no traceback, nothing
written outside the given paths. The long run (≥ 5,000 cases per command) is benchmarks/fuzz_cli.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_fuzz import COMMANDS, Place, reset, run_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("SILKWAY_FUZZ_EXAMPLES", "8"))
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Place:
    return Place(tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_cli_fuzz(command: str, place: Place) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def case(data: st.DataObject) -> None:
        reset(place)
        outcome = run_case(COMMANDS[command](data, place), place)
        assert outcome.problem is None, f"silkway {outcome.args!r}: {outcome.problem}"

    case()


def test_the_harness_catches_what_it_looks_for(place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that raises, or writes a stray file, fails the harness (the checks can fail)."""
    from silkway.services import network as net_svc

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("a bug")

    reset(place)
    monkeypatch.setattr(net_svc, "read_dated_dataset", boom)
    assert "uncaught RuntimeError" in (run_case(["network", "--dataset", str(place.attacks / "tiny")], place).problem or "")
    monkeypatch.undo()
    stray = run_case(["export", "geojson", "--dataset", str(place.attacks / "tiny"), "--out", "stray.geojson"], place)
    assert stray.problem is not None and "stray.geojson" in stray.problem
    Path(place.root / "stray.geojson").unlink()
