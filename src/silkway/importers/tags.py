"""OSM rail tags → silkway link attributes (pure functions; docs/import.md lists the rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass

GAUGE_ALIASES = {1524: 1520}  # Finnish 1524 mm runs 1520 mm stock (and back): one network for routing
ELECTRIFIED_YES = {"contact_line", "rail", "yes", "4th_rail", "ground-level_power_supply", "ground_level_power_supply"}
SKIPPED_USAGE = {"tourism", "military", "test", "scientific"}
STATION_VALUES = {"station", "halt", "yard"}
_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*")
MPH_KMH = 1.609344


def gauge_mm(text: str | None, known: tuple[int, ...]) -> tuple[tuple[int, ...] | None, str | None]:
    """``gauge`` tag → the gauges silkway knows (``1435``, ``1520``, ``1435;1520``); (None, why) when it cannot."""
    if not text:
        return None, "no gauge tag"
    out = set()
    for part in text.split(";"):
        part = part.strip()
        if not part.isdigit():
            return None, f"gauge '{part[:20]}'"
        g = GAUGE_ALIASES.get(int(part), int(part))
        if g not in known:
            return None, f"gauge {int(part)} mm"
        out.add(g)
    return tuple(sorted(out)), None


def electrified(text: str | None) -> bool | None:
    if not text:
        return None
    if text == "no":
        return False
    return True if text in ELECTRIFIED_YES else None


def tracks(text: str | None) -> int | None:
    if text and text.strip().isdigit() and 1 <= int(text) <= 4:
        return int(text)
    return None


def maxspeed_kmh(text: str | None) -> float | None:
    """``maxspeed`` → km/h (``120``, ``75 mph``; the lowest of ``100;80``); None when absent or not a number."""
    if not text:
        return None
    speeds = []
    for part in text.split(";"):
        m = _NUMBER.fullmatch(part)
        if not m:
            return None
        value = float(m.group(1)) * (MPH_KMH if m.group(2) == "mph" else 1.0)
        if value > 0:
            speeds.append(value)
    return min(speeds) if speeds else None


def display_name(tags: dict[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """The English name when tagged, else ``name``; every other spelling as aliases (the route command finds them)."""
    names = [tags.get(k) for k in ("name:en", "name", "int_name")]
    names += [v for k, v in sorted(tags.items()) if k.startswith("name:") and k != "name:en"]
    seen: list[str] = []
    for n in names:
        if n and n.strip() and n.strip() not in seen:
            seen.append(n.strip().replace(";", ","))
    return (seen[0], tuple(seen[1:])) if seen else (None, ())


@dataclass(frozen=True)
class SpeedRules:
    """How a commercial speed comes out of a line speed (assumptions, written as A-import-* source rows)."""

    default_kmh: float = 80.0  # where a way has no usable maxspeed (a typical mainline freight limit)
    freight_cap_kmh: float = 100.0  # container block trains do not run faster, whatever the line allows
    commercial_share: float = 0.4  # commercial speed (stops, crossings, crew changes) / speed at the line's limit

    def hours(self, km: float, maxspeed_kmh: float | None) -> tuple[float, frozenset[str]]:
        """Commercial hours over ``km`` of a line signed ``maxspeed_kmh``, and what was assumed."""
        speed = min(maxspeed_kmh or self.default_kmh, self.freight_cap_kmh) * self.commercial_share
        return km / speed, frozenset({"speed_from_line"} | (set() if maxspeed_kmh else {"speed_default"}))


DEFAULT_SPEEDS = SpeedRules()
