"""Bounds on every number a user can type, defined once: the CLI, scenario files, the Python API and the web app
all check against these (a value outside is a :class:`~silkway.errors.SilkwayError` naming it, never a traceback,
an allocation of hundreds of GB or a run of years).

The bounds are generous for real use and small enough that the work they allow finishes: ten simulated years,
a hundred times the 2023 trade, a million replications in all.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from silkway.errors import SilkwayError


@dataclass(frozen=True)
class Bound:
    """``lo <= value <= hi`` (``lo`` excluded when ``lo_open``), finite; integers when ``integer``."""

    name: str
    lo: float
    hi: float
    lo_open: bool = False
    integer: bool = False

    def check(self, value: object, what: str | None = None) -> None:
        """Raise a :class:`SilkwayError` naming ``what`` (default: the bound's name) unless ``value`` is inside."""
        label = what or self.name
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise SilkwayError(f"{label} must be a number (got {_short(value)})")
        if self.integer and not isinstance(value, numbers.Integral):
            raise SilkwayError(f"{label} must be a whole number (got {_short(value)})")
        if not isinstance(value, numbers.Integral) and not math.isfinite(value):
            raise SilkwayError(f"{label} must be a finite number (got {value})")
        v = cast(float, value)  # a real number (checked above); not float(): a huge int would overflow
        low_ok = v > self.lo if self.lo_open else v >= self.lo
        if not (low_ok and v <= self.hi):
            raise SilkwayError(f"{label} must be {self.describe()} (got {_short(value)})")

    def describe(self) -> str:
        lo, hi = (f"{int(x):,}" if float(x).is_integer() else f"{x:g}" for x in (self.lo, self.hi))
        return f"{'>' if self.lo_open else '>='} {lo} and <= {hi}"


def _short(value: object) -> str:
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else f"a {len(str(abs(value)))}-digit number"
    return text if len(text) <= 40 else text[:37] + "..."


DAYS = Bound("days", 0, 3660, lo_open=True)  # simulated days (ten years)
WARMUP_DAYS = Bound("warmup_days", 0, 365)
SCALE = Bound("scale", 0, 100)  # a demand multiplier (0 removes flows)
ROUTE_TEU = Bound("teu", 0, 100_000, lo_open=True)  # one shipment
FLOW_TEU_PER_WEEK = Bound("teu_per_week", 0, 1_000_000)  # one demand row
SEED = Bound("seed", 0, 2**63 - 1, integer=True)  # stored as a signed 64-bit integer
REPLICATIONS = Bound("replications", 1, 100_000, integer=True)
STUDY_RUNS = 1_000_000  # replications × scenarios of one study
WORKERS = Bound("workers", 1, 256, integer=True)
ALTERNATIVES = Bound("alternatives", 1, 20, integer=True)
MAX_TRANSFERS = Bound("max_transfers", 0, 50, integer=True)
NOWCAST_HORIZON_DAYS = Bound("horizon_days", 0, 120, lo_open=True)  # a nowcast's forecast horizon
NOWCAST_MEMBERS = Bound("members", 1, 1000, integer=True)  # ensemble members of one nowcast
#: The simulated volume of one run: TEU per week × simulated weeks (warm-up included). The 2023 demand over a year
#: is 1.4 million TEU; this allows 20 times that (a run of about 10 million containers).
SIM_TEU = 30_000_000
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def check_day(day: date, what: str = "date") -> date:
    """A date (departure, as-of) within :data:`FIRST_DAY`..:data:`LAST_DAY` (arrivals and periods stay representable)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise SilkwayError(f"{what} {day.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}")
    return day


def check_sim_volume(teu_per_week: float, days: float, warmup_days: float) -> None:
    """Refuse a run whose simulated volume exceeds :data:`SIM_TEU` (it would need gigabytes and hours)."""
    volume = teu_per_week * (days + warmup_days) / 7.0
    if not volume <= SIM_TEU:
        raise SilkwayError(f"the run would simulate {volume:,.0f} TEU ({teu_per_week:,.0f} TEU/week over {days + warmup_days:g} days); "
                           f"silkway simulates at most {SIM_TEU:,} TEU per run: lower the demand scale or the days")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)", re.ASCII | re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


def strict_float(text: str) -> float:
    """A number as written in a CSV cell: ASCII digits, one optional point and exponent; ``ValueError`` otherwise.

    Python's ``float`` also reads ``3_02``, ``٣٠٢`` and ``３０２`` as 302: a typo or a foreign digit must not become a
    figure silently. ``inf``/``nan`` parse (the caller refuses them as not finite, with that message)."""
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped):
        raise ValueError(f"not a number: {text[:40]!r}")
    return float(stripped)


def strict_int(text: str) -> int:
    """A whole number written with ASCII digits only (see :func:`strict_float`)."""
    stripped = text.strip()
    if not _INTEGER.fullmatch(stripped) or len(stripped) > 18:
        raise ValueError(f"not a whole number: {text[:40]!r}")
    return int(stripped)


FORMULA_PATTERN = r"[=@\t\r]|[-+][^\d\s.%]"  # at the start of a cell (also used by the column-wise CSV parser)
_FORMULA = re.compile(FORMULA_PATTERN)


def formula_problem(text: str) -> str | None:
    """Why a text cell would run as a spreadsheet formula (``=HYPERLINK(...)``, ``+cmd``, ``@SUM``, ``-x``), or None.

    silkway refuses such cells when it reads a table (a located error) instead of rewriting them: names, notes and
    ids it writes back out (exports, calibrated demand) then never start a formula (OWASP "CSV injection")."""
    if _FORMULA.match(text):
        return (f"starts with '{text[0]}' and would run as a formula in a spreadsheet; "
                "reword it (or put a letter or an apostrophe first)")
    return None
