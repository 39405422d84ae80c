"""The light coercion of command-line values (``silkway.cli._coerce``) gives what typer's pydantic adapters give: the
same value of the same type, or the same error message, on well-formed and malformed values alike."""

from __future__ import annotations

import struct
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer.core
from typer import _coercion
from typer.models import ArgumentInfo, OptionInfo

from silkway.cli import _coerce
from silkway.vocabulary import Objective

assert _coerce.install()  # on the typer the project pins; other typers are left unchanged (test_unknown_typer_...)
LIGHT = typer.core.build_runtime_param
TYPER = LIGHT.typer_build

NUMBERS = ["3", "-3", "0", "-0", "007", "+3", " 3", "3 ", "1e3", "1.5", "-1.5", "0.1", ".5", "5.", "1_000", "inf", "nan",
           "abc", "", "123456789012345678", "1234567890123456789", "99999999999999999999", "1.000000000000001",
           "3.14159265358979", "0.30000000000000004", "12345678901234.5", "-0.000000000000001", "٣", 3, -2, 0, 10**20,
           3.0, -0.5, True, False, b"3"]
CASES = [
    (int, OptionInfo(), NUMBERS), (float, OptionInfo(), NUMBERS),
    (int, OptionInfo(min=0), ["3", "-3"]),  # bounded: typer's adapter
    (str, OptionInfo(), ["Xian", "", "Xi'an", "ü", 3, b"x"]), (str, ArgumentInfo(), ["Duisburg"]),
    (bool, OptionInfo(), [True, False, "true", "0", "", 1]),
    (Objective, OptionInfo(case_sensitive=False), ["time", "TIME", "Cost", "p90", "co2e", "fast", "", Objective.P90, 2]),
    (Objective, OptionInfo(), ["time", "TIME", "cost"]),
    (Path, OptionInfo(), ["x", "a/b", "", "/nonexistent/waits.csv", Path("y"), "nul\0"]),
    (Path, OptionInfo(exists=True), ["/nonexistent/waits.csv", "/tmp", "x\0"]),
    (Path, OptionInfo(exists=True, dir_okay=False), ["/tmp"]), (Path, OptionInfo(exists=True, file_okay=False), [__file__]),
    (list[str], OptionInfo(), [("RU", "ferry"), ["a"], (), "KZ", ("a", 3)]),
    (list[int], OptionInfo(), [("1", "2"), ("1", "x"), ("1", "2.5")]),
]


def _outcome(build, annotation, info, value):
    descriptor = _coercion.resolve_type_descriptor(annotation, info)
    runtime = build(descriptor)
    multi = annotation in (list[str], list[int])
    param = SimpleNamespace(multiple=multi, nargs=1, name="p")
    try:
        out = runtime.coerce(value, param=param, ctx=None)
    except typer.BadParameter as exc:
        return ("error", exc.message)
    if isinstance(out, float):
        return ("float", struct.pack("<d", out))
    return (type(out), [(type(v), v) for v in out] if isinstance(out, list) else out)


@pytest.mark.parametrize(("annotation", "info", "values"), CASES, ids=lambda x: getattr(x, "__name__", None) or str(x)[:20])
def test_light_coercion_is_typers(annotation, info, values):
    for value in values:
        assert _outcome(LIGHT, annotation, info, value) == _outcome(TYPER, annotation, info, value), (annotation, value)


def test_the_light_path_decides_the_plain_values():
    """It is not the adapter answering every time: plain values never reach pydantic."""
    def fast(annotation, info, value):
        descriptor = _coercion.resolve_type_descriptor(annotation, info)
        f = _coerce._fast(descriptor, __import__("typer._param_types", fromlist=["x"]))
        return f is not None and f(value, None, None) is not _coerce.MISS

    assert all(fast(int, OptionInfo(), v) for v in ("3", "-3", "0", 3))
    assert all(fast(float, OptionInfo(), v) for v in ("1.5", "2", 1.0, 2))
    assert fast(Objective, OptionInfo(case_sensitive=False), "TIME") and fast(Path, OptionInfo(), "x")
    assert fast(list[str], OptionInfo(), ("a", "b")) and fast(bool, OptionInfo(), True)
    assert not any(fast(float, OptionInfo(), v) for v in ("1e3", " 1", "inf", "abc"))
    assert not fast(int, OptionInfo(min=0), "3")  # bounds: typer's adapter


def test_unknown_typer_is_left_unchanged(monkeypatch):
    from typer import _param_types

    monkeypatch.setattr(typer.core, "build_runtime_param", TYPER)
    monkeypatch.delattr(_param_types, "coerce_cli_path")
    assert _coerce.install() is False and typer.core.build_runtime_param is TYPER


def test_route_runs_without_pydantic_and_errors_read_as_typers():
    import subprocess
    import sys

    code = ("import sys, io, contextlib\nsys.argv = ['silkway', 'route', 'Xian', 'Duisburg', '--teu', '2', '--objective', "
            "'COST', '--max-transfers', '3', '--avoid', 'RU,ferry']\nfrom silkway.cli import main\nbuf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n    try:\n        main()\n    except SystemExit:\n        pass\nprint('pydantic' in sys.modules, 'Xi\\'an → Duisburg, 2 TEU, best by cost' in buf.getvalue())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
    bad = subprocess.run([sys.executable, "-m", "silkway", "route", "Xian", "Duisburg", "--teu", "abc"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "Invalid value for '--teu': Input should be a valid number" in bad.stderr
