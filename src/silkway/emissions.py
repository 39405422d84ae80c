"""ISO 14083 / GLEC arithmetic: well-to-wheel CO2e of transport legs and hub operations. Pure functions.

The intensities (g CO2e per tonne-km, well-to-wheel) live in the dataset's ``emission_factors.csv`` with
their sources; the shipment mass comes from the ``tonnes_per_teu`` parameter and hub (transshipment)
emissions from ``transship_co2e_kg_per_teu``. Nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass

from silkway.errors import RoutingError
from silkway.network.model import Network


@dataclass(frozen=True, slots=True)
class Intensity:
    """A well-to-wheel intensity and the source ids it cites."""

    mode: str
    energy: str
    co2e_g_per_tkm: float
    sources: tuple[str, ...]


def shipment_tonnes(teu: float, tonnes_per_teu: float) -> float:
    """Gross cargo mass of a shipment, t."""
    return teu * tonnes_per_teu


def leg_co2e_kg(distance_km: float, tonnes: float, co2e_g_per_tkm: float) -> float:
    """ISO 14083 transport-chain element: t·km × intensity (g/t·km) → kg CO2e."""
    return distance_km * tonnes * co2e_g_per_tkm / 1000.0


def hub_co2e_kg(teu: float, transship_co2e_kg_per_teu: float) -> float:
    """One hub operation (lift, transshipment) for the shipment, kg CO2e."""
    return teu * transship_co2e_kg_per_teu


def intensity(net: Network, mode: str, energy: str) -> Intensity:
    """The dataset's WTW intensity for ``mode``/``energy``; RoutingError when the dataset lacks it."""
    ef = net.emission_factor(mode, energy)
    if ef is None:
        raise RoutingError(f"emission_factors.csv has no intensity for mode '{mode}' with energy '{energy}'")
    sources = tuple(s for _, ids in ef.src for s in ids)
    return Intensity(mode, energy, ef.co2e_g_per_tkm, sources)
