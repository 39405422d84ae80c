"""Process hygiene: workers die with their parent (even kill -9), the spawn pitfall fails fast with what to do,
Ctrl-C stops a long command quickly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.timeout(300)
HERE = Path(__file__).resolve().parent
STUDY_DOUBLES = HERE.parent / "scenarios"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parents[1] / "src"), os.environ.get("PYTHONPATH", "")])}

LONG_STUDY = textwrap.dedent("""
    import sys
    sys.path.insert(0, {here!r})
    from study_doubles import double_spec, replicate_double
    from silkway.services import studies
    from silkway.scenarios.backends import LocalBackend

    if __name__ == "__main__":
        studies.run(double_spec(replications=500, sleep_s=0.5), {store!r}, LocalBackend(2),
                    progress=lambda done, total: print("progress", done, flush=True), replicate=replicate_double)
""")

NO_GUARD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {here!r})
    from study_doubles import double_spec, replicate_double
    from silkway.services import studies
    from silkway.scenarios.backends import LocalBackend
    from silkway.errors import SilkwayError

    try:
        studies.run(double_spec(replications=4, sleep_s=0.0), {store!r}, LocalBackend(2), replicate=replicate_double)
    except SilkwayError as exc:
        print("error:", exc)
        sys.exit(1)
""")


def _script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run_study.py"
    path.write_text(text.format(here=str(STUDY_DOUBLES), store=str(tmp_path / "s.duckdb")), encoding="utf-8")
    return path


def test_workers_die_with_their_parent_even_on_kill_9(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, str(_script(tmp_path, LONG_STUDY))], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV, start_new_session=True)
    try:
        for line in proc.stdout:  # a replication finished: the workers are up
            if line.startswith("progress") and int(line.split()[1]) >= 1:
                break
        workers = [c for c in psutil.Process(proc.pid).children(recursive=True) if "resource_tracker" not in " ".join(c.cmdline())]
        assert len(workers) >= 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(workers, timeout=20)
        for p in alive:  # do not leave them behind when the test fails
            p.kill()
        assert not alive, f"orphaned workers: {[p.pid for p in alive]}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_spawn_pitfall_fails_fast_with_what_to_do(tmp_path: Path) -> None:
    t = time.monotonic()
    r = subprocess.run([sys.executable, str(_script(tmp_path, NO_GUARD))], capture_output=True, text=True, env=ENV, timeout=240)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert 'if __name__ == "__main__":' in r.stdout and "Traceback" not in r.stderr, r.stderr
    assert time.monotonic() - t < 240


@pytest.mark.xfail(strict=False, reason="known defect, not yet found: about 1 run in 7 under load the process ends with "
                   "SIGSEGV (-11) instead of 130 after the interrupt (seen 2026-11-30 on main 7065347); issue 14")
def test_ctrl_c_stops_a_long_simulation_quickly(tmp_path: Path, sim_tiny_dir: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "silkway", "simulate", "--dataset", str(sim_tiny_dir), "--days", "3600",
                             "--warmup-days", "0", "--scale", "100", "--out", str(tmp_path / "o")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**ENV, "COLUMNS": "200"},
                            start_new_session=True)
    try:
        time.sleep(8)  # imports, the plan and the kernel's compile (cached) are done; it is simulating
        assert proc.poll() is None, proc.communicate()
        t = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        stopped_s = time.monotonic() - t
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert stopped_s < 5, stopped_s  # a second on a quiet machine; the test machine is shared
