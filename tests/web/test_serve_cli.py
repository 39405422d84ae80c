"""`silkway serve` as a user runs it: a subprocess on loopback answering the UI and the API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import silkway
from silkway.cli import app

from .live import free_port

SRC = Path(silkway.__file__).resolve().parents[1]  # the checkout under test (not an installed copy), from any folder


def test_serve_starts_on_loopback_and_serves_ui_api_and_scenarios(tmp_path: Path) -> None:
    """Run from an empty folder: the example scenarios offered to studies come with the package."""
    port = free_port()
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "silkway", "serve", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 180  # ≈ 4 s of CPU to import and start (fastapi, scipy, the planner); minutes under load
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "silkway serve did not answer"
                time.sleep(0.2)
        assert health.json()["datasets"] == ["eurasia"]
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "Route planner" in page.text
        names = [s["name"] for s in httpx.get(f"http://127.0.0.1:{port}/api/scenarios", timeout=5).json()]
        assert {"baseline-2023", "double-trade", "green-channel"} <= set(names)
        r = httpx.post(f"http://127.0.0.1:{port}/api/routes", json={"origin": "xian", "destination": "duisburg"}, timeout=30)
        assert r.status_code == 200 and r.json()["options"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out  # it tells the user where to go
    assert not (tmp_path / "silkway-results").exists()  # nothing is written until a study runs


@pytest.mark.parametrize(("args", "message"), [
    (["--dataset", "/nonexistent-folder"], "not a folder"),
    (["--scenarios", "/nonexistent-folder"], "not a folder"),
])
def test_serve_refuses_missing_folders(args: list[str], message: str) -> None:
    r = CliRunner().invoke(app, ["serve", *args])
    assert r.exit_code == 1 and message in r.output


def test_serve_refuses_port_zero() -> None:
    r = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert r.exit_code == 2 and "--port" in r.output
