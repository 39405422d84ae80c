"""Ctrl-C stops every command that runs the simulation kernel within a second, with one line and no partial output.

Each case starts ``silkway <command>`` in its own process group with an empty numba cache (``NUMBA_CACHE_DIR``), waits
for the line the command prints just before its simulations, then a few seconds more (the kernel's compile takes
minutes of CPU, so it is still compiling: the test checks that no compiled kernel was cached yet), and sends SIGINT to
the group like a terminal's Ctrl-C. Before the fix these commands ran the kernel in the main thread: ``capacity --curve``
ended with exit 0 after Ctrl-C, ``study`` and ``demo`` said so on stdout (stderr empty), a study with worker processes
waited for their compile to end, and Ctrl-C inside the compile could be swallowed by llvmlite's callbacks.
The child resets SIGINT to Python's handler: a pytest launched in the background inherits SIGINT ignored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.timeout(300)
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]), "COLUMNS": "200",
       "PYTHONUNBUFFERED": "1"}
SCENARIO = REPO / "tests" / "scenarios" / "data" / "tiny-base.yaml"
AFTER_MARK_S = 4.0  # after the marker line: well inside the compile (minutes of CPU), after the inputs are read
AFTER_STORE_S = 8.0  # after the results store appears: past the study's registration (a store transaction, held on Ctrl-C)


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Python then installs its own handler (KeyboardInterrupt)


def _scenarios(tmp: Path, dataset: Path) -> tuple[Path, Path]:
    """tiny-base on ``dataset``, and the demo's three example scenarios extending it (in ``tmp/examples``)."""
    base = tmp / "base.yaml"
    base.write_text(SCENARIO.read_text(encoding="utf-8").replace("../../fixtures/tiny", str(dataset))
                    .replace("file: tiny-demand.csv", f"file: {SCENARIO.parent / 'tiny-demand.csv'}"), encoding="utf-8")
    examples = tmp / "examples"
    examples.mkdir()
    for name, extra in (("baseline-2023", ""), ("double-trade", "demand:\n  growth:\n    - factor: 2\n"),
                        ("green-channel", "customs:\n  green_channel_share: 0.5\n")):
        (examples / f"{name}.yaml").write_text(f"silkway_scenario: 1\nname: {name}\nextends: {base}\n{extra}", encoding="utf-8")
    return base, examples


# command line, the line printed just before the simulations (stream, text) or the results store the replications go to
# ("file", path: it is opened just before them), the outputs that must not exist
def _cases(t: Path, d: Path, base: Path, ex: Path) -> dict[str, tuple[list[str], str, str, list[Path]]]:
    study = ["study", str(base), "-r", "4", "--store", str(t / "s.duckdb"), "--export", str(t / "exp")]
    return {
        "capacity --curve": (["capacity", "--dataset", str(d), "--curve", "--out", str(t / "out")], "stdout", "Elements (",
                             [t / "out"]),
        "conditions build": (["conditions", "build", "--dataset", str(d), "--as-of", "2023-06-30", "--out", str(t / "waits.csv")],
                             "stderr", "as of 2023-06-30: replication 1", [t / "waits.csv"]),
        "calibrate": (["calibrate", "--observed", str(t / "observed.csv"), "--scenario", str(base), "--days", "30", "--out",
                       str(t / "cal.csv")], "stdout", "calibrating to", [t / "cal.csv"]),
        "study, in this process": ([*study, "--workers", "1"], "file", str(t / "s.duckdb"), [t / "exp"]),
        "study, 2 worker processes": ([*study, "--workers", "2"], "file", str(t / "s.duckdb"), [t / "exp"]),
        "demo": (["demo", "--examples", str(ex), "-r", "1", "--workers", "1", "--store", str(t / "d.duckdb"), "--out", str(t / "report")],
                 "file", str(t / "d.duckdb"), [t / "report"]),
    }


def _cold_kernel_cache(folder: Path) -> Path:
    """A numba cache folder (``NUMBA_CACHE_DIR``) without the simulation kernel but with the route planner's compiled
    kernels copied from the source tree's cache (when there), so the child compiles the simulation kernel only."""
    import shutil

    from numba.core.caching import UserProvidedCacheLocator

    routing = REPO / "src" / "silkway" / "routing"
    target = folder / UserProvidedCacheLocator.get_suitable_cache_subpath(str(routing / "kernels.py"))
    target.mkdir(parents=True)
    for f in (routing / "__pycache__").glob("kernels.*"):
        if f.suffix in (".nbi", ".nbc"):
            shutil.copy2(f, target / f.name)
    return folder


def _kernel_cached(folder: Path) -> bool:
    return any(folder.rglob("_kernel.run_until-*.nbi"))


def _wait_for_file(path: Path, proc: subprocess.Popen, timeout_s: float = 180) -> None:
    end = time.monotonic() + timeout_s
    while not path.exists():
        assert proc.poll() is None, f"exited {proc.returncode} before {path} was made"
        assert time.monotonic() < end, f"no {path} within {timeout_s} s"
        time.sleep(0.05)


def _wait_for(path: Path, text: str, proc: subprocess.Popen, timeout_s: float = 180) -> None:
    end = time.monotonic() + timeout_s
    while text not in path.read_text(encoding="utf-8", errors="replace"):
        assert proc.poll() is None, f"exited {proc.returncode} before '{text}'"
        assert time.monotonic() < end, f"no '{text}' within {timeout_s} s"
        time.sleep(0.05)


NAMES = sorted(_cases(Path(), Path(), Path(), Path()))


@pytest.mark.parametrize("name", NAMES)
def test_ctrl_c_during_the_kernel_compile_stops_the_command_within_a_second(tmp_path: Path, sim_tiny_dir: Path, name: str) -> None:
    base, examples = _scenarios(tmp_path, sim_tiny_dir)
    (tmp_path / "observed.csv").write_text("kpi,observed,unit,source,note\ntrains_border_gate_kz,20,trains/year,S-test,x\n",
                                           encoding="utf-8")
    args, stream, mark, outputs = _cases(tmp_path, sim_tiny_dir, base, examples)[name]
    cache = _cold_kernel_cache(tmp_path / "numba-cache")  # the simulation kernel compiles (minutes of CPU)
    files = {s: tmp_path / f"{s}.txt" for s in ("stdout", "stderr")}
    with files["stdout"].open("w") as out, files["stderr"].open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "silkway", *args], stdout=out, stderr=err, cwd=tmp_path,
                                env={**ENV, "NUMBA_CACHE_DIR": str(cache)}, start_new_session=True, preexec_fn=_sigint_default)
    try:
        if stream == "file":
            _wait_for_file(Path(mark), proc)
        else:
            _wait_for(files[stream], mark, proc)
        time.sleep(AFTER_STORE_S if stream == "file" else AFTER_MARK_S)
        assert proc.poll() is None, files["stderr"].read_text()
        assert not _kernel_cached(cache), "the kernel was compiled already: the signal would not land in the compile"
        children = psutil.Process(proc.pid).children(recursive=True)
        t = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=120)
        stopped_s = time.monotonic() - t
        _, alive = psutil.wait_procs(children, timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = files["stderr"].read_text(encoding="utf-8")
    lines = [line for line in err.splitlines() if not line.startswith("as of ")]  # conditions build's progress lines
    assert proc.returncode == 130, (proc.returncode, err)
    assert len(lines) == 1 and lines[0].startswith("interrupted"), err  # one line, no traceback
    assert not [p for p in outputs if p.exists()]  # no partial output
    assert not [p for p in tmp_path.rglob(".*.tmp")]  # no temporary file left by an atomic write
    assert not alive, f"worker processes left running: {[p.pid for p in alive]}"
    assert stopped_s < 1.0, stopped_s
