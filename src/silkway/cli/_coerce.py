"""Command-line values coerced without pydantic when typer's own rule is plain, so a command does not import pydantic.

typer 0.29 coerces every parameter through a pydantic ``TypeAdapter`` built on first use: importing pydantic's schema
machinery and building the adapters is ≈ 0.15 s of CPU, a sixth of ``silkway route`` (benchmarks/RESULTS.md, "Issue 16,
session 8"), to turn ``"3"`` into 3. :func:`install` gives typer's parameters a coercion that handles the common cases
itself, exactly as typer's adapters would, and hands everything else to typer's own adapter, built then:

* ``str``: a str, as it is; ``bool``: a bool; ``int``: an int (not a bool), or a str of plain decimal digits
  (``-?(0|[1-9][0-9]{0,17})``); ``float``: a float, an int, or a plain decimal str (``-?digits[.digits]``, at most 15
  significant digits each side) — both by Python's ``int``/``float``, correctly rounded like pydantic's parser;
* an Enum choice: typer's own ``coerce_cli_choice`` (pydantic only wraps it);
* a ``Path``: a non-empty str without NUL made into the path type, then typer's own ``coerce_cli_path`` checks;
* ``list[...]`` of those: each item so.

Any other value (``"1e3"``, ``" 3"``, ``"abc"``, an unknown choice…) and any other parameter (bounds, clamps, dates,
tuples, literals, custom parsers, files) goes to typer's pydantic adapter, so its results and its error messages are
typer's (``tests/unit/test_cli_coerce.py`` compares both on many values). Installed only on the typer whose internals
it knows (``typer.core.build_runtime_param``, ``typer._coercion.RuntimeParam``); any other typer runs unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

MISS = object()  # the value is not one this module decides: typer's adapter does
_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?")
Fast = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> the coerced value or MISS


def install() -> bool:
    """Give typer's parameters the light coercion; False (nothing changed) on a typer without these internals."""
    try:
        import typer.core
        from typer import _coercion, _param_types
    except ImportError:
        return False
    original = getattr(typer.core, "build_runtime_param", None)
    if getattr(original, "silkway_light", False):
        return True
    needed = (getattr(_coercion, "RuntimeParam", None), getattr(_param_types, "coerce_cli_choice", None),
              getattr(_param_types, "coerce_cli_path", None), getattr(_param_types, "routes_to_path", None))
    if original is None or any(n is None for n in needed):
        return False
    light_param = _light_class(_coercion.RuntimeParam)

    def build(descriptor: Any) -> Any:
        fast = _fast(descriptor, _param_types)
        if fast is None:
            return original(descriptor)
        return light_param(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, fast=fast,
                           fallback=lambda: original(descriptor))

    build.silkway_light = True  # type: ignore[attr-defined]
    build.typer_build = original  # type: ignore[attr-defined]
    typer.core.build_runtime_param = build
    return True


def _light_class(base: type) -> type:
    @dataclass(frozen=True)
    class LightRuntimeParam(base):
        """typer's RuntimeParam (its None and multi-value handling) with :func:`_fast` first, typer's adapter after."""

        fast: Fast = lambda _v, _p, _c: MISS
        fallback: Callable[[], Any] = lambda: None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            out = self.fast(value, param, ctx)
            if out is MISS:
                return self.fallback()._coerce_value(value, param=param, ctx=ctx)
            return out

    return LightRuntimeParam


def _fast(descriptor: Any, pt: Any) -> Fast | None:
    """The light coercion of a parameter, None when its kind is not one this module handles."""
    if descriptor.file_annotation is not None:
        return None
    annotation, info = descriptor.annotation, descriptor.parameter_info
    if getattr(info, "parser", None) is not None:
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        each = _leaf(item, info, pt)
        if each is None:
            return None
        item_fast = each

        def as_list(value: Any, param: Any, ctx: Any) -> Any:
            items = value if isinstance(value, (list, tuple)) else [value]
            out = [item_fast(v, param, ctx) for v in items]
            return MISS if any(v is MISS for v in out) else out

        return as_list
    return _leaf(annotation, info, pt)


def _leaf(annotation: Any, info: Any, pt: Any) -> Fast | None:
    if annotation is str:
        return lambda v, _p, _c: v if type(v) is str else MISS
    if annotation is bool:
        return lambda v, _p, _c: v if type(v) is bool else MISS
    if annotation in (int, float):
        if getattr(info, "min", None) is not None or getattr(info, "max", None) is not None or getattr(info, "clamp", False):
            return None
        return _int if annotation is int else _float
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices, case_sensitive = tuple(annotation), info.case_sensitive

        def choice(v: Any, _p: Any, c: Any) -> Any:
            try:
                return pt.coerce_cli_choice(v, choices=choices, case_sensitive=case_sensitive, ctx=c)
            except ValueError:  # typer's adapter words the error
                return MISS

        return choice
    if isinstance(annotation, type) and issubclass(annotation, Path) and pt.routes_to_path(annotation, info):
        path_type = getattr(info, "path_type", None) or annotation
        if not (isinstance(path_type, type) and issubclass(path_type, Path)):
            return None

        def path(v: Any, p: Any, c: Any) -> Any:
            if isinstance(v, path_type):
                value = v
            elif type(v) is str and v and "\0" not in v:
                value = path_type(v)
            else:
                return MISS
            return pt.coerce_cli_path(value, info, path_type=path_type, param=p, ctx=c)

        return path
    return None


def _int(v: Any, _p: Any, _c: Any) -> Any:
    if type(v) is int:
        return v
    return int(v) if type(v) is str and _INT.fullmatch(v) else MISS


def _float(v: Any, _p: Any, _c: Any) -> Any:
    if type(v) is float:
        return v
    if type(v) is int:
        return float(v)
    return float(v) if type(v) is str and _FLOAT.fullmatch(v) else MISS
