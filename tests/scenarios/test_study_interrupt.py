"""Ctrl-C in a real process group: the study stops cleanly, keeps whole replications, and resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from study_doubles import double_spec, replicate_double

from silkway.scenarios.backends import LocalBackend
from silkway.scenarios.store import ResultsStore
from silkway.scenarios.study import run_study

HERE = Path(__file__).resolve().parent

# The child resets SIGINT to Python's handler, so the test does not depend on how it was launched (a process started
# in the background by a shell inherits SIGINT ignored, and Python then installs no handler: the old test failed
# every time it was launched with `nohup … &`).
SCRIPT = textwrap.dedent("""
    import signal
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import sys
    sys.path.insert(0, {here!r})
    from study_doubles import double_spec, replicate_double
    from silkway.services import studies
    from silkway.scenarios.backends import LocalBackend

    def progress(done, total):
        print("progress", done, total, flush=True)

    run = studies.run(double_spec(replications=8, sleep_s=0.3), {store!r}, LocalBackend(2), progress=progress,
                      replicate=replicate_double)
    print("result", run.interrupted, run.ran, run.total, flush=True)
""")


def test_sigint_stops_cleanly_and_the_rerun_resumes(tmp_path):
    store_path = tmp_path / "s.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT.format(here=str(HERE), store=str(store_path))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        for line in proc.stdout:
            if line.startswith("progress") and int(line.split()[1]) >= 3:
                os.killpg(proc.pid, signal.SIGINT)  # like Ctrl-C in a terminal: the whole process group
                break
            assert time.monotonic() < deadline
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    result = [ln for ln in out.splitlines() if ln.startswith("result")][0].split()
    assert result[1] == "True" and 3 <= int(result[2]) < 16
    spec = double_spec(replications=8, sleep_s=0.0)
    with ResultsStore(store_path) as s:
        stored = s.replications(spec.study_id)
        assert len(stored) == int(result[2])
        assert s.kpis(spec.study_id).groupby(["scenario_hash", "rep"]).size().eq(3).all()
        resumed = run_study(spec, s, replicate_double, LocalBackend(1))
        assert resumed.skipped == len(stored) and resumed.complete
