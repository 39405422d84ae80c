"""Compare two scenarios: what their files say (resolved), and what they do to the network."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from silkway.network.model import Network
from silkway.scenarios.apply import apply_network, option_changes
from silkway.scenarios.model import Scenario


@dataclass(frozen=True)
class Change:
    path: str  # e.g. "customs.green_channel_share" or "link dostyk_aktogay.capacity_trains_day"
    a: Any
    b: Any

    def __str__(self) -> str:
        return f"{self.path}: {_fmt(self.a)} → {_fmt(self.b)}"


def diff_definitions(a: Scenario, b: Scenario) -> list[Change]:
    """Differences between the resolved scenario definitions (paths like ``links[0].scale``)."""
    fa = _flatten(a.model_dump(mode="json", exclude={"extends"}))
    fb = _flatten(b.model_dump(mode="json", exclude={"extends"}))
    return [Change(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)]


def diff_effects(a: Scenario, b: Scenario, net: Network) -> list[Change]:
    """Differences in the applied network (link and facility fields) and simulation options."""
    na, nb = apply_network(a, net), apply_network(b, net)
    out = _records("link", {lk.link_id: lk for lk in na.links}, {lk.link_id: lk for lk in nb.links})
    out += _records("facility", {f.facility_id: f for f in na.facilities}, {f.facility_id: f for f in nb.facilities})
    oa, ob = option_changes(a, na), option_changes(b, nb)
    for key in sorted(set(oa) | set(ob)):
        va, vb = _opt(oa.get(key)), _opt(ob.get(key))
        if va != vb:
            out.append(Change(f"option {key}", va, vb))
    return out


def _records(kind: str, ra: dict[str, Any], rb: dict[str, Any]) -> list[Change]:
    out = []
    for rid in sorted(set(ra) | set(rb)):
        x, y = ra.get(rid), rb.get(rid)
        if x is None or y is None:
            out.append(Change(f"{kind} {rid}", "absent" if x is None else "present", "absent" if y is None else "present"))
            continue
        for f in fields(x):
            if f.compare and f.name != "src" and getattr(x, f.name) != getattr(y, f.name):
                out.append(Change(f"{kind} {rid}.{f.name}", getattr(x, f.name), getattr(y, f.name)))
    return out


def _opt(v: Any) -> Any:
    if isinstance(v, tuple) and v and hasattr(v[0], "closure_id"):
        return [f"{c.target_kind} {c.target_id} day {c.start_day_of_year:g}+{c.duration_days:g}d" for c in v]
    return list(v) if isinstance(v, tuple) else v


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(d, list) and not d:
        pass  # an empty list says nothing; its absence is shown by the other side's items
    elif isinstance(d, list) and any(isinstance(x, (dict, list)) for x in d):
        for i, v in enumerate(d):
            out.update(_flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = d
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
