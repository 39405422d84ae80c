"""Numbers for people: thousands separators, no exponent, sensible decimals, p-values on one line."""

from __future__ import annotations

import math


def num(x: float, unit: str = "", signed: bool = False) -> str:
    """1,402,133 · 27.4 · 3.25 · 0.042; shares as percentages; '–' for a missing value (never '1.402e+06')."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    x = float(x)
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * x:{sign}.1f}%"
    a = abs(x)
    if a >= 100 or x == round(x):
        text = f"{x:{sign},.0f}"
    elif a >= 10:
        text = f"{x:{sign},.1f}"
    elif a >= 0.01:
        text = f"{x:{sign},.2f}"
    else:
        text = f"{x:{sign},.2g}"
    return text.replace("-0", "0") if text in ("-0", "-0.0", "-0.00") else text

def interval(low: float, high: float, unit: str = "", signed: bool = False) -> str:
    """'[a, b]' or '' when either bound is missing."""
    if any(v is None or math.isnan(v) for v in (low, high)):
        return ""
    return f"[{num(low, unit, signed)}, {num(high, unit, signed)}]"


def pvalue(p: float) -> str:
    """'p=0.042', 'p<0.001', '' when missing."""
    if p is None or math.isnan(p):
        return ""
    return "p<0.001" if p < 0.001 else f"p={p:.3f}" if p < 0.01 else f"p={p:.2f}"
