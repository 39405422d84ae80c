"""A fuzz harness for the CLI: Hypothesis-generated argument lists for every command, with values drawn from the attack
families of issue 14 (non-finite and huge numbers, foreign digits, dates out of range, rich markup and emoji codes,
formula cells, NUL bytes, devices, FIFOs, links out of their folder, deep and duplicate YAML, outputs onto files) and
random text. Each case runs in-process (click's CliRunner on the group typer builds from the app, built once) in a fresh working folder and must:

- exit with 0, 1 (a clear error) or 2 (a usage error), never with an uncaught exception (a traceback);
- print no "Traceback";
- write nothing outside the output paths it was given (the working folder holds only them afterwards, and the
  regular file planted there is unchanged unless it was named as the output file).

About half the draws (fewer for the heavy commands: :data:`VALID_SHARE`) are valid arguments on the tiny dataset with
tiny runs (a few simulated days, one replication); when such a case succeeds its answer is checked too
(:func:`answer_problem`: printed and written JSON is standard JSON with finite numbers, every file written is under an
output path given, no temporary file is left). ``serve`` is left out (a valid draw would serve forever).
Used by tests/hardening/test_cli_fuzz.py (a short run) and benchmarks/fuzz_cli.py (≥ 5,000 cases per command).
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from click.testing import CliRunner
from hypothesis import strategies as st
from typer.main import get_command

from silkway.cli import app

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "tiny"
SIM_DEMAND = REPO / "tests" / "fixtures" / "sim_tiny" / "demand.csv"
SCENARIOS = REPO / "tests" / "scenarios" / "data"
PLANTED = "planted.txt"
PLANTED_TEXT = "a regular file the command must not touch\n"

NUMBERS = ["0", "-1", "1", "2", "0.5", "1e-320", "inf", "-inf", "nan", "NaN", "1e400", "-1e400", "1e9", "1e6", "9" * 30,
           "-" + "9" * 30, "3_02", "٣٠٢", "３０２", "0x10", "1,5", "", " ", "1e", "+2", "2.0"]
DATES = ["2023-06-01", "2023-06-01T08:30", "9999-12-31T23:59", "0001-01-01", "2023-02-30", "2023-1-1", "", "today",
         "2024-06-01T25:00", "٢٠٢٣-٠١-٠١", "2199-12-31", "1900-01-01", "2023-06-01T08:30+05:00"]
TEXT = ["", " ", "[/]", "[bold]x[/]", "x[/]y", ":x:", ":thumbs_up:", "=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)", "+cmd",
        "x" * 500, "a\x00b", "../../etc/passwd", "-", "é", "\u202eabc", "a,b,,", "RU,", ",", "RU", "ferry", "water", "west",
        "isle", "harbour", "Westport", "Wéstå", "xian", "duisburg", "%s%n", "{0}", "\\", "'", '"', "\t", "\n"]


@dataclass
class Place:
    """The working folder of one case: attack files, the planted file, and where outputs may go."""

    root: Path

    def __post_init__(self) -> None:
        self.attacks = self.root / "attacks"  # inputs live here; outputs go to ./out
        self.attacks.mkdir()
        a = self.attacks
        os.mkfifo(a / "fifo")
        (a / "zero.csv").symlink_to("/dev/zero")
        (a / "secret.txt").write_text("secret\n", encoding="utf-8")
        shutil.copytree(TINY, a / "tiny")
        shutil.copy(SIM_DEMAND, a / "tiny" / "demand.csv")
        shutil.copytree(TINY, a / "tiny_bad")
        (a / "tiny_bad" / "links.csv").unlink()
        (a / "tiny_bad" / "links.csv").symlink_to("/dev/zero")
        shutil.copytree(SCENARIOS, a / "scen")
        base = (a / "scen" / "tiny-base.yaml").read_text(encoding="utf-8").replace("../../fixtures/tiny", str(a / "tiny"))
        (a / "scen" / "tiny-base.yaml").write_text(base, encoding="utf-8")
        (a / "scen" / "out.yaml").symlink_to(a / "secret.txt")
        (a / "deep.yaml").write_text("silkway_scenario: 1\nname: d\nlinks: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
        (a / "dup.yaml").write_text("silkway_scenario: 1\nname: a\nname: b\n", encoding="utf-8")
        (a / "nan.yaml").write_text("silkway_scenario: 1\nname: n\ndemand:\n  growth:\n    - factor: .nan\n", encoding="utf-8")
        (a / "ext_fifo.yaml").write_text(f"silkway_scenario: 1\nname: e\nextends: {a / 'fifo'}\n", encoding="utf-8")
        (a / "ext_out.yaml").write_text("silkway_scenario: 1\nname: e\nextends: scen/out.yaml\n", encoding="utf-8")
        (a / "nul.yaml").write_text('silkway_scenario: 1\nname: n\ndataset: "a\\0b"\n', encoding="utf-8")
        (a / "formula.csv").write_text("kpi,observed\n=HYPERLINK(\"x\"),3_02\n", encoding="utf-8")
        (a / "observed.csv").write_text("kpi,observed,unit,source,note\ntrains_border_gate_kz,270,trains/year,S-test,a test count\n",
                                        encoding="utf-8")
        examples = a / "examples"  # the demo's three scenarios, on the tiny network (tiny runs)
        examples.mkdir()
        for name in ("baseline-2023", "double-trade", "green-channel"):
            extra = {"double-trade": "demand:\n  file: tiny-demand.csv\n  growth:\n    - factor: 2\n",
                     "green-channel": "customs:\n  green_channel_share: 0.5\n"}.get(name, "")
            (examples / f"{name}.yaml").write_text(f"silkway_scenario: 1\nname: {name}\nextends: {a / 'scen' / 'tiny-base.yaml'}\n"
                                                   f"simulation: {{days: 3, warmup_days: 1}}\n{extra}", encoding="utf-8")
        shutil.copy(a / "scen" / "tiny-demand.csv", examples / "tiny-demand.csv")
        (self.root / PLANTED).write_text(PLANTED_TEXT, encoding="utf-8")

    def inputs(self) -> list[str]:
        a = self.attacks
        return [str(p) for p in (a / "fifo", a / "zero.csv", a / "secret.txt", a / "tiny", a / "tiny_bad", a / "scen",
                                 a / "scen" / "tiny-base.yaml", a / "scen" / "bad.yaml", a / "scen" / "out.yaml", a / "deep.yaml",
                                 a / "dup.yaml", a / "nan.yaml", a / "ext_fifo.yaml", a / "ext_out.yaml", a / "nul.yaml", a / "formula.csv",
                                 a / "missing.yaml", "/dev/null", "/proc/self/mem", a / "tiny" / "demand.csv")] + ["", "a\x00b"]

    def study_store(self) -> str:
        """A results store holding one tiny study (made at the first call), for valid ``report`` draws."""
        store = self.attacks / "store.duckdb"
        if not store.exists():
            result = CliRunner().invoke(click_app(), ["study", str(self.attacks / "scen" / "tiny-base.yaml"), "-r", "1", "--days", "1",
                                                      "--workers", "1", "--store", str(store)])
            assert result.exit_code == 0, result.output
        return str(store)

    def outputs(self) -> list[str]:
        """Output paths: inside ./out (allowed), onto the planted file, under it, or an existing folder."""
        return ["out/o", "out/o.duckdb", "out/o.csv", PLANTED, f"{PLANTED}/sub", "attacks", "out/a\x00b"]


def values(pool: list[str]) -> st.SearchStrategy[str]:
    """A value from an attack pool, or random text (one in four)."""
    return st.one_of(st.sampled_from(pool), st.sampled_from(pool), st.sampled_from(pool), st.text(max_size=40))


Builder = Callable[[st.DataObject, Place], list[str]]


def _options(data: st.DataObject, spec: dict[str, st.SearchStrategy[str] | None]) -> list[str]:
    """A random subset of options (``None`` = a flag), in a random order."""
    chosen = data.draw(st.lists(st.sampled_from(sorted(spec)), unique=True, max_size=len(spec)))
    args: list[str] = []
    for flag in chosen:
        strategy = spec[flag]
        args += [flag] if strategy is None else [flag, data.draw(strategy)]
    return args


def _attacks() -> dict[str, Builder]:
    """Draws from the attack families: mostly refused (exit 1 or 2)."""
    n, d, t = values(NUMBERS), values(DATES), values(TEXT)
    small = st.sampled_from(["1", "2", "0", "-1", "inf", "nan", "1e400", "9" * 30, "٣", "3_02", "", "1.5"])

    def inp(p: Place) -> st.SearchStrategy[str]:
        return values(p.inputs())

    def out(p: Place) -> st.SearchStrategy[str]:
        return st.sampled_from(p.outputs())

    def ds(p: Place) -> st.SearchStrategy[str]:
        return st.one_of(st.just(str(p.attacks / "tiny")), inp(p))

    return {
        "validate": lambda data, p: ["validate", *data.draw(st.lists(inp(p), max_size=1))],
        "network": lambda data, p: ["network", "--dataset", data.draw(ds(p)),
                                    *_options(data, {"--as-of": d, "--changes": st.tuples(d, d).map(" ".join)})],
        "places": lambda data, p: ["places", *data.draw(st.lists(t, max_size=1)), *_options(data, {"--dataset": ds(p)})],
        "route": lambda data, p: ["route", data.draw(t), data.draw(t), "--dataset", data.draw(ds(p)),
                                  *_options(data, {"--teu": n, "--depart": d, "--avoid": t, "--via": t, "--max-transfers": n,
                                                   "--objective": t, "--alternatives": n, "--json": None, "--geojson": None,
                                                   "--as-of": d})],
        "simulate": lambda data, p: ["simulate", "--dataset", data.draw(ds(p)), "--days", data.draw(small), "--warmup-days",
                                     data.draw(small), "--out", data.draw(out(p)),
                                     *_options(data, {"--as-of": d, "--demand": inp(p), "--seed": n, "--route-mode": t,
                                                      "--green-channel-share": n, "--scale": n, "--avoid": t})],
        "sources": lambda data, p: ["sources", *_options(data, {"--json": None, "--dataset": ds(p)})],
        "capacity": lambda data, p: ["capacity", "--dataset", data.draw(ds(p)), "--out", data.draw(out(p)),
                                     *_options(data, {"--as-of": d, "--scenario": inp(p), "--json": None, "--no-closures": None,
                                                      "--curve": None, "--multipliers": st.sampled_from(["1", "0.5,1", "", "1,1",
                                                                                                          "inf", "1e400", "٣"]),
                                                      "--replications": small, "--days": small, "--seed": n})],
        "scenario validate": lambda data, p: ["scenario", "validate", data.draw(inp(p))],
        "scenario diff": lambda data, p: ["scenario", "diff", data.draw(inp(p)), data.draw(inp(p))],
        "study": lambda data, p: ["study", *data.draw(st.lists(inp(p), min_size=1, max_size=2)), "-r", data.draw(small),
                                  "--days", data.draw(small), "--store", data.draw(out(p)), "--workers",
                                  data.draw(st.sampled_from(["1", "0", "-1", "1e400", "300", "٣"])),
                                  *_options(data, {"--seed": n, "--backend": st.sampled_from(["local", "dask", "x", ""]),
                                                   "--crn": None, "--export": out(p), "--all": None})],
        "report": lambda data, p: ["report", *data.draw(st.lists(t, max_size=1)), "--store", data.draw(out(p)),
                                   "--out", data.draw(out(p))],
        "calibrate": lambda data, p: ["calibrate", "--observed", data.draw(inp(p).filter(lambda x: not x.endswith("observed-2023.csv"))),
                                      "--days", data.draw(small), "-r", data.draw(small), "--out", data.draw(out(p)),
                                      *_options(data, {"--scenario": inp(p), "--seed": n})],
        "demo": lambda data, p: ["demo", "--examples", data.draw(inp(p)), "--store", data.draw(out(p)), "--out", data.draw(out(p)),
                                 "--workers", "1", *_options(data, {"--replications": small, "--seed": n})],
        "export geojson": lambda data, p: ["export", "geojson", "--out", data.draw(out(p)),
                                           *_options(data, {"--dataset": ds(p), "--as-of": d})],
    }



NAMES = {"west": ["West Terminal", "west", "Westport", "Wéstå", "westport"], "harbour": ["Harbour", "harbour"],
         "isle": ["Isle Port", "Alat", "isle"], "gate_kz": ["Gate KZ"], "gate_cn": ["gate_cn", "Gate CN"]}  # the tiny network's places
PLACES = [name for names in NAMES.values() for name in names]
GOOD_DATES = ["2023-06-01", "2023-06-01T08:30", "2024-01-15", "2025-12-31T23:59"]


def _valid() -> dict[str, Builder]:
    """Draws of valid arguments (on the tiny dataset, with tiny runs): their answers are checked (:func:`answer_problem`)."""
    teu = st.sampled_from(["1", "2", "20.5", "0.5", "100"])
    day = st.sampled_from(GOOD_DATES)
    place = st.sampled_from(PLACES)
    two_places = st.lists(st.sampled_from(sorted(NAMES)), min_size=2, max_size=2, unique=True).flatmap(
        lambda ids: st.tuples(*(st.sampled_from(NAMES[i]) for i in ids)))  # two different places (by any of their names)
    few = st.sampled_from(["1", "2", "3"])
    seed_ = st.integers(0, 2**63 - 1).map(str)
    fmt = st.sampled_from([["--json"], ["--geojson"], []])

    def tiny(p: Place) -> str:
        return str(p.attacks / "tiny")

    def scen(p: Place) -> st.SearchStrategy[str]:
        return st.sampled_from([str(p.attacks / "scen" / n) for n in ("tiny-base.yaml", "tiny-ferries.yaml")])

    return {
        "validate": lambda _data, p: ["validate", tiny(p)],
        "network": lambda data, p: ["network", "--dataset", tiny(p), *_options(data, {"--as-of": day})],
        "places": lambda data, p: ["places", *data.draw(st.lists(place, max_size=1)), "--dataset", tiny(p)],
        "route": lambda data, p: ["route", *data.draw(two_places), "--dataset", tiny(p), *data.draw(fmt),
                                  *_options(data, {"--teu": teu, "--depart": day, "--as-of": day, "--objective":
                                                   st.sampled_from(["time", "p90", "cost", "co2e"]), "--alternatives": few,
                                                   "--max-transfers": st.sampled_from(["0", "1", "2", "5"]),
                                                   "--avoid": st.sampled_from(["ferry", "AZ", "KZ,ferry", "rail"]),
                                                   "--via": place, "--conditions": st.just("free")})],
        "simulate": lambda data, p: ["simulate", "--dataset", tiny(p), "--days", data.draw(few), "--warmup-days",
                                     data.draw(st.sampled_from(["0", "1"])), "--out", "out/sim",
                                     *_options(data, {"--seed": seed_, "--scale": st.sampled_from(["0.5", "1", "2"]),
                                                      "--green-channel-share": st.sampled_from(["0", "0.5", "1"]),
                                                      "--route-mode": st.sampled_from(["fixed", "adaptive"]),
                                                      "--as-of": day})],
        "sources": lambda data, p: ["sources", "--dataset", tiny(p), *_options(data, {"--json": None})],
        "capacity": lambda data, p: ["capacity", "--dataset", tiny(p), "--out", "out/cap",
                                     *_options(data, {"--as-of": day, "--no-closures": None,
                                                      "--json": None, "--curve": None,
                                                      "--multipliers": st.sampled_from(["1", "0.5,1"]),
                                                      "--replications": st.just("1"), "--days": st.sampled_from(["1", "2"]),
                                                      "--seed": seed_})],
        "scenario validate": lambda data, p: ["scenario", "validate", data.draw(scen(p))],
        "scenario diff": lambda data, p: ["scenario", "diff", data.draw(scen(p)), data.draw(scen(p))],
        "study": lambda data, p: ["study", *data.draw(st.lists(scen(p), min_size=1, max_size=2, unique=True)), "-r", "1",
                                  "--days", data.draw(st.sampled_from(["1", "2"])), "--store", "out/s.duckdb", "--workers", "1",
                                  *_options(data, {"--seed": seed_, "--crn": None, "--export": st.just("out/exp"),
                                                   "--all": None})],
        "report": lambda _data, p: ["report", "latest", "--store", p.study_store(), "--out", "out/rep"],
        "calibrate": lambda data, p: ["calibrate", "--observed", str(p.attacks / "observed.csv"), "--scenario",
                                      str(p.attacks / "scen" / "tiny-base.yaml"), "--days", data.draw(st.sampled_from(["20", "30"])),
                                      "-r", "1", "--out", "out/cal.csv", *_options(data, {"--seed": seed_})],
        "demo": lambda data, p: ["demo", "--examples", str(p.attacks / "examples"), "--store", "out/d.duckdb", "--out", "out/rep",
                                 "--workers", "1", "--replications", "1", *_options(data, {"--seed": seed_})],
        "export geojson": lambda data, p: ["export", "geojson", "--out", data.draw(st.sampled_from(["out/n.geojson", "out/x/n.json"])),
                                           "--dataset", tiny(p), *_options(data, {"--as-of": day})],
    }


VALID_SHARE = {"demo": 0.05, "calibrate": 0.25, "study": 0.25, "report": 0.25}  # heavier valid runs drawn less often


DRAWN: list[str] = [""]  # the kind of the last draw, "valid" or "attack" (benchmarks/fuzz_cli.py times them apart)


def _commands() -> dict[str, Builder]:
    """Per command: a valid draw (about half the cases; fewer for the heavy commands) or an attack draw."""
    attacks, valid = _attacks(), _valid()

    def draw(name: str, data: st.DataObject, p: Place) -> list[str]:
        # a uniform number from a drawn seed: Hypothesis's own floats favour 0.0, which made about half the draws of
        # study and two thirds of calibrate valid instead of the quarter VALID_SHARE states
        u = random.Random(data.draw(st.integers(0, 2**64 - 1))).random()
        DRAWN[0] = "valid" if u < VALID_SHARE.get(name, 0.5) else "attack"
        return (valid if DRAWN[0] == "valid" else attacks)[name](data, p)

    def either(name: str) -> Builder:
        return lambda data, p: draw(name, data, p)

    return {name: either(name) for name in attacks}


COMMANDS = _commands()
_CLICK: list[click.Command] = []  # the click group typer builds from ``app`` (built once: it is most of a case's time)


def click_app() -> click.Command:
    if not _CLICK:
        _CLICK.append(get_command(app))
    return _CLICK[0]


@dataclass
class Outcome:
    args: list[str]
    exit_code: int
    problem: str | None  # why the case fails the harness, None when it passes


def run_case(args: list[str], place: Place) -> Outcome:
    """Run ``silkway args`` in ``place.root`` (the working folder) and judge it."""
    before = os.getcwd()
    os.chdir(place.root)
    try:
        result = CliRunner().invoke(click_app(), args, catch_exceptions=True)
    finally:
        os.chdir(before)
    output = result.output
    problem = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problem = f"uncaught {type(result.exception).__name__}: {str(result.exception)[:300]}"
    elif result.exit_code not in (0, 1, 2):
        problem = f"exit code {result.exit_code}"
    elif "Traceback" in output:
        problem = "a traceback in the output"
    else:
        extra = sorted(p.name for p in place.root.iterdir() if p.name not in ("attacks", "out", PLANTED))
        if extra:
            problem = f"wrote outside the given paths: {extra}"
        elif PLANTED not in args and (place.root / PLANTED).read_text(encoding="utf-8") != PLANTED_TEXT:
            problem = f"changed {PLANTED}"  # (named as an output file, it may be replaced: the user asked for it)
        elif result.exit_code == 0:
            problem = answer_problem(args, result.stdout, place)
    return Outcome(args, result.exit_code, problem)


def _strict_json(text: str, what: str) -> str | None:
    """None when ``text`` is standards-compliant JSON whose numbers are all finite; else what is wrong."""
    def refuse(token: str) -> float:
        raise ValueError(f"non-standard JSON constant {token}")

    try:
        value = json.loads(text, parse_constant=refuse)
    except ValueError as exc:
        return f"{what} is not JSON: {str(exc)[:200]}"
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack += v.values()
        elif isinstance(v, list):
            stack += v
        elif isinstance(v, float) and not math.isfinite(v):
            return f"{what} holds a non-finite number"
    return None


def answer_problem(args: list[str], stdout: str, place: Place) -> str | None:
    """For a case that succeeded: its JSON answers (printed or written) parse and hold finite numbers, and what it
    wrote is under the output paths it was given. None when the answer is sane."""
    if "--json" in args or "--geojson" in args:
        if (bad := _strict_json(stdout, "the printed answer")) is not None:
            return bad
    written = [f for f in (place.root / "out").rglob("*") if f.is_file()]
    given = [Path(args[i + 1]) for i, a in enumerate(args[:-1]) if a in ("--out", "-o", "--store", "--export")]
    for f in written:
        rel = f.relative_to(place.root)
        if not any(rel == g or g in rel.parents for g in given):
            return f"wrote {rel}, not under the given outputs {[str(g) for g in given]}"
        if f.suffix in (".json", ".geojson") and (bad := _strict_json(f.read_text(encoding="utf-8"), str(rel))) is not None:
            return bad
        if f.name.startswith(".") and f.name.endswith(".tmp"):
            return f"left a temporary file {rel}"
    return None


def reset(place: Place) -> None:
    """Between cases: drop the outputs (the attack files stay)."""
    shutil.rmtree(place.root / "out", ignore_errors=True)
    (place.root / "out").mkdir()
    planted = place.root / PLANTED
    if planted.is_dir():
        shutil.rmtree(planted)
    planted.write_text(PLANTED_TEXT, encoding="utf-8")
