"""The typed result of a run: DataFrames (not a DataFrame subclass), flat KPIs and a printable summary.

Times are in days from the start of the reported period (warm-up days are negative). KPIs cover the
reported period only (``0 ≤ t ≤ days``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

CASPIAN_COUNTRIES = frozenset({"KZ", "TM", "AZ"})
CARRY_OVER = ("delivered counts every container that arrived in the period, including those generated during the warm-up, "
              "so it can exceed generated")


@dataclass(frozen=True, eq=False)
class SimulationResult:
    shipments: pd.DataFrame  # one row per container
    trains: pd.DataFrame  # one row per train (or truck on road routes)
    facilities: pd.DataFrame  # queue length over time, long format: time_day, station_id, facility, kind, queue_trains
    stations: pd.DataFrame  # one row per station: trains served, waits (added delay), max queue
    conservation: pd.DataFrame  # time_day, generated, delivered, in_system (containers) at every sample
    vessel_links: pd.DataFrame  # link_id, timetable, fleet, max_wait_h, teu_moved, caspian
    days: float
    warmup_days: float
    seed: int
    tonnes_per_teu: float
    events: int
    info: dict = field(default_factory=dict)

    @cached_property
    def _kpis(self) -> dict[str, float]:
        k: dict[str, float] = {}
        sh = self.shipments
        created = sh[(sh.created_day >= 0) & (sh.created_day <= self.days)]
        delivered = sh[(sh.delivered_day >= 0) & (sh.delivered_day <= self.days)]
        k["generated_teu"] = float(created.teu.sum())
        k["delivered_teu"] = float(delivered.teu.sum())
        k["in_system_containers_end"] = float(self.conservation.in_system.iloc[-1]) if len(self.conservation) else 0.0
        if "booking" in sh:
            k.update(_booking_kpis(created))
            for d, g in delivered.groupby("direction", observed=True):
                k[f"delivered_teu_{d}"] = float(g.teu.sum())
        tr = self.trains
        k["trains_departed"] = float(((tr.departed_day >= 0) & (tr.departed_day <= self.days)).sum())
        k["trains_arrived"] = float(((tr.arrived_day >= 0) & (tr.arrived_day <= self.days)).sum())
        for node, n in self.border_trains().items():
            k[f"trains_border_{node}"] = float(n)
        for corridor, g in delivered.groupby("corridor"):
            k[f"throughput_teu_corridor_{corridor}"] = float(g.teu.sum())
        done = sh[(sh.created_day >= 0) & sh.delivered_day.notna() & (sh.delivered_day <= self.days)]
        for corridor, g in done.groupby("corridor"):
            k[f"transit_days_median_corridor_{corridor}"] = float(g.transit_days.median())
            k[f"transit_days_p90_corridor_{corridor}"] = float(g.transit_days.quantile(0.9))
        if len(done):
            k["transit_days_median"] = float(done.transit_days.median())
            k["transit_days_p90"] = float(done.transit_days.quantile(0.9))
        st = self.stations
        for fac, g in st[st.kind.isin(["handling", "customs", "quay"])].groupby("facility"):
            k[f"max_queue_trains_{_key(fac)}"] = float(g.max_queue_trains.max())
        for fac, g in st.groupby("facility"):  # every facility, quay and link: the report ranks bottlenecks by it
            k[f"added_delay_train_h_{_key(fac)}"] = float(g.added_delay_train_h.sum())
        vl = self.vessel_links[self.vessel_links.caspian] if len(self.vessel_links) else self.vessel_links
        teu = float(vl.teu_moved.sum()) if len(vl) else 0.0
        bg_t = float(vl.background_t_moved.sum()) if len(vl) and "background_t_moved" in vl else 0.0
        k["trans_caspian_teu"] = teu  # containers on ferries and feeders
        k["trans_caspian_container_t"] = teu * self.tonnes_per_teu
        k["trans_caspian_other_t"] = bg_t  # wagons of other cargo on the rail ferries (background.csv)
        k["trans_caspian_all_cargo_t"] = teu * self.tonnes_per_teu + bg_t
        k["trans_caspian_mt"] = k["trans_caspian_all_cargo_t"] / 1e6
        return k

    def booking_lines(self) -> list[str]:
        """Held at the origin, diverted, refused (booking at the origin; empty when the run did not book)."""
        k = self._kpis
        if "refused_teu" not in k:
            return []
        div = ", ".join(f"{key[len('diverted_teu_'):].replace('_to_', ' → ')} {v:,.0f}" for key, v in k.items()
                        if key.startswith("diverted_teu_") and "_to_" in key)
        per_dir = "; ".join(f"{d} {k.get(f'held_teu_{d}', 0):,.0f} TEU, {k.get(f'held_days_median_{d}', 0):.1f} / "
                            f"{k.get(f'held_days_p90_{d}', 0):.1f}" for d in ("westbound", "eastbound"))
        return [f"held at origin: {k['held_teu']:,.0f} TEU ({k['held_share']:.1%} of released cargo), held days median "
                f"{k['held_days_median']:.1f} / P90 {k['held_days_p90']:.1f} (held cargo)",
                f"  held per direction (days median / P90): {per_dir}",
                f"diverted: {k['diverted_teu']:,.0f} TEU" + (f" ({div})" if div else ""),
                f"refused: {k['refused_teu']:,.0f} TEU (westbound {k.get('refused_teu_westbound', 0):,.0f}, "
                f"eastbound {k.get('refused_teu_eastbound', 0):,.0f})"]

    def caspian_lines(self) -> list[str]:
        """The two trans-Caspian lines: containers (TEU) and all cargo (t), kept apart."""
        k = self._kpis
        return [f"trans-Caspian containers: {k['trans_caspian_teu']:,.0f} TEU ({k['trans_caspian_container_t'] / 1e6:.2f} Mt)",
                f"trans-Caspian all cargo:  {k['trans_caspian_all_cargo_t']:,.0f} t ({k['trans_caspian_mt']:.2f} Mt; "
                f"{k['trans_caspian_other_t'] / 1e6:.2f} Mt of it other cargo in ferry wagons)"]

    def kpis(self) -> dict[str, float]:
        """Flat KPI names with units in the name (stable across runs of the same network and demand)."""
        return dict(self._kpis)

    def border_trains(self) -> dict[str, int]:
        """Trains crossing each border node in the reported period (trains served by its border stations)."""
        st = self.stations[self.stations.facility_kind == "border"]
        return {str(n): int(g.trains.max()) for n, g in st.groupby("node_id")}

    def corridor_table(self) -> pd.DataFrame:
        k = self._kpis
        rows = []
        for c in sorted({c for c in self.shipments.corridor.unique()}):
            rows.append({"corridor": c, "throughput_teu": k.get(f"throughput_teu_corridor_{c}", 0.0),
                         "transit_days_median": k.get(f"transit_days_median_corridor_{c}", np.nan),
                         "transit_days_p90": k.get(f"transit_days_p90_corridor_{c}", np.nan)})
        return pd.DataFrame(rows)

    def bottlenecks(self, n: int = 8) -> pd.DataFrame:
        """Stations with the most added delay (train-hours waited in queue during the reported period)."""
        st = self.stations[self.stations.added_delay_train_h > 0]
        return st.sort_values("added_delay_train_h", ascending=False).head(n)[
            ["station_id", "kind", "trains", "mean_wait_h", "added_delay_train_h", "max_queue_trains"]]

    def __repr__(self) -> str:
        k = self._kpis
        return (f"SimulationResult({self.days:g} days +{self.warmup_days:g} warm-up, seed {self.seed}: generated "
                f"{k['generated_teu']:,.0f} TEU, delivered {k['delivered_teu']:,.0f} TEU, {k['trains_departed']:,.0f} trains; "
                f"tables shipments ({len(self.shipments):,} rows), trains ({len(self.trains):,}), stations ({len(self.stations):,}); "
                ".kpis(), .summary(), .bottlenecks())")

    def _repr_html_(self) -> str:
        import html

        k = self._kpis
        rows = [("generated", f"{k['generated_teu']:,.0f} TEU"), ("delivered", f"{k['delivered_teu']:,.0f} TEU"),
                ("transit median / P90", f"{k.get('transit_days_median', float('nan')):.1f} / {k.get('transit_days_p90', float('nan')):.1f} days"),
                ("trans-Caspian containers", f"{k['trans_caspian_teu']:,.0f} TEU"), ("trains departed", f"{k['trains_departed']:,.0f}")]
        body = "".join(f"<tr><th style='text-align:left'>{a}</th><td style='text-align:right'>{b}</td></tr>" for a, b in rows)
        top = self.bottlenecks(5)[["station_id", "trains", "mean_wait_h", "added_delay_train_h"]].round(1).to_html(index=False)
        return (f"<p><b>{html.escape(f'{self.days:g} days (+{self.warmup_days:g} warm-up), seed {self.seed}, {self.events:,} events')}"
                f"</b></p><table>{body}</table><p>Top bottlenecks by added delay</p>{top}<p style='color:#777'>{html.escape(CARRY_OVER)}</p>")

    def summary(self) -> str:
        k = self._kpis
        lines = [f"simulated {self.days:g} days (+{self.warmup_days:g} warm-up), seed {self.seed}, {self.events:,} events",
                 f"containers: generated {k['generated_teu']:,.0f} TEU, delivered {k['delivered_teu']:,.0f} TEU, "
                 f"{k['trains_departed']:,.0f} trains departed", f"  ({CARRY_OVER})", *self.booking_lines(), *self.caspian_lines(), "",
                 "Trains per border crossing:"]
        lines += [f"  {node:<22} {n:>8,}" for node, n in sorted(self.border_trains().items(), key=lambda x: -x[1])]
        lines += ["", "Corridors:               TEU delivered   transit days median / P90"]
        for r in self.corridor_table().itertuples():
            lines.append(f"  {r.corridor:<22} {r.throughput_teu:>13,.0f}   {r.transit_days_median:>6.1f} / {r.transit_days_p90:.1f}")
        lines += ["", "Top bottlenecks by added delay (train-hours waiting):"]
        for r in self.bottlenecks().itertuples():
            lines.append(f"  {r.station_id:<40} {r.added_delay_train_h:>10,.0f} h  mean {r.mean_wait_h:6.1f} h  max queue {r.max_queue_trains}")
        return "\n".join(lines)


def _booking_kpis(created: pd.DataFrame) -> dict[str, float]:
    """KPIs of booking at the origin over the containers ready in the reported period."""
    k: dict[str, float] = {}
    refused = created[created.booking == "refused"]
    diverted = created[created.booking == "diverted"]
    released = created[created.booking != "refused"]
    held = released[released.held_days > 1e-9]
    k["refused_teu"] = float(refused.teu.sum())
    k["diverted_teu"] = float(diverted.teu.sum())
    k["held_teu"] = float(held.teu.sum())
    k["held_share"] = float(len(held) / len(released)) if len(released) else 0.0
    k["held_days_median"] = float(held.held_days.median()) if len(held) else 0.0
    k["held_days_p90"] = float(held.held_days.quantile(0.9)) if len(held) else 0.0
    for (own, new), g in diverted.groupby(["own_corridor", "corridor"], observed=True):
        k[f"diverted_teu_{_key(own)}_to_{_key(new)}"] = float(g.teu.sum())
    for d in ("westbound", "eastbound"):
        held_d = held[held.direction == d]
        k[f"held_teu_{d}"] = float(held_d.teu.sum())
        k[f"held_days_median_{d}"] = float(held_d.held_days.median()) if len(held_d) else 0.0
        k[f"held_days_p90_{d}"] = float(held_d.held_days.quantile(0.9)) if len(held_d) else 0.0
        k[f"refused_teu_{d}"] = float(refused[refused.direction == d].teu.sum())
        k[f"diverted_teu_{d}"] = float(diverted[diverted.direction == d].teu.sum())
        k[f"generated_teu_{d}"] = float(created[created.direction == d].teu.sum())
    return k


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_")
