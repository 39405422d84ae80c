"""The kernel's state, defined in this one place: :class:`Work`, a named tuple of numpy arrays, with the dtype, shape
and units of every array and the meaning of every column.

numba compiles a ``typing.NamedTuple`` of arrays as a plain tuple, so ``W.si`` costs what ``W[0]`` did. A named
tuple (rather than a ``structref`` or ``jitclass``) because the state is only arrays, passes unchanged between Python
and compiled code, works with numba's on-disk cache, and ``W[L.SI]`` still works for code written against the index
constants below. Shapes name the counts of a run (``stations``, ``trains``…); :func:`check_work` checks every array
against them before the kernel runs. Units: times in hours (``h``) from the start of the run (warm-up included),
loads in TEU, background cargo in tonnes. Row indices into other arrays are int64; -1 means "none".
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, NamedTuple, get_type_hints

import numpy as np

# ---- column indices of the 2-D arrays -------------------------------------------------------------------------------

# stations (W.si int64, W.sf float64; one row per station: a server, a link's gate, or a quay of a vessel link)
# S_SERVERS parallel servers (0 = no server limit: only the gates space the trains); S_DIST the service-time
# distribution (DIST_*); S_BUSY servers busy; S_QHEAD / S_QTAIL first / last queued train (-1 when empty; the queue is
# a FIFO list linked through the trains' T_NEXT); S_QLEN trains queued; S_RETRY 1 while an EV_RETRY is pending;
# S_KIND (KIND_*); S_VLINK / S_SIDE the vessel link and side of a quay; S_GREEN 1 when green-channel trains get the
# shorter service; S_SERVED / S_SERVED_ALL trains whose service started after the warm-up / ever; S_QMAX longest
# queue (trains) after the warm-up; S_RES the station's closure resource (its own index; a quay's is its vessel
# link's, stations + link); S_COMMIT trains dispatched on a route through the station that have not yet left it
# (adaptive choice)
S_SERVERS, S_DIST, S_BUSY, S_QHEAD, S_QTAIL, S_QLEN, S_RETRY, S_KIND, S_VLINK, S_SIDE, S_GREEN, S_SERVED, S_QMAX, \
    S_SERVED_ALL, S_RES, S_COMMIT = range(16)
S_NI = 16
# SF_A / SF_B service-time parameters: DIST_DET A = h; DIST_LOGNORMAL A = mean of ln(h), B = its standard deviation;
# DIST_EXP A = mean h. SF_GATE_TRAIN h between two starts; SF_GATE_TEU h per TEU of the starting train (the tighter of
# the two spaces the starts); SF_NEXT_GATE h, earliest next start; SF_WAIT_SUM / SF_SERVICE_SUM h of queue wait /
# service of the trains served after the warm-up; SF_MEAN mean service h; SF_DRAIN_H h one queued train adds to the
# wait of a train joining the queue (plan.drain_h)
SF_A, SF_B, SF_GATE_TRAIN, SF_GATE_TEU, SF_NEXT_GATE, SF_WAIT_SUM, SF_SERVICE_SUM, SF_MEAN, SF_DRAIN_H = range(9)
S_NF = 9
# station kinds / service distributions
KIND_SERVER, KIND_FLEET, KIND_TIMETABLE = 0, 1, 2
DIST_ZERO, DIST_DET, DIST_LOGNORMAL, DIST_EXP = 0, 1, 2, 3

# trains (W.ti int64, W.tf float64; row = train in order of formation, W.ctr[C_NTRAINS] rows used)
# T_ROUTE route; T_POS position in W.rst of the station it is at (-1 while forming); T_NEXT next train in the same
# station queue or vessel load (-1 = last); T_GREEN 1 = green channel; T_NCONT containers; T_PARTS parts of the train
# sailing on vessels and not yet landed.
T_ROUTE, T_POS, T_NEXT, T_GREEN, T_NCONT, T_PARTS = range(6)
T_NI = 6
# TF_LOAD TEU; TF_FORMED / TF_DEPART / TF_ARRIVE h (-1 = not yet); TF_WAIT h of queue wait summed over its stations;
# TF_ENTER h it joined its current queue; TF_BOARDED TEU of the train already boarded at the quay it is queued at (a
# train larger than a vessel's free deck sails in parts, docs/simulation.md)
TF_LOAD, TF_FORMED, TF_DEPART, TF_ARRIVE, TF_WAIT, TF_ENTER, TF_BOARDED = range(7)
T_NF = 7

# routes (W.ri int64, W.rf float64; one row per route, the demand's flows first)
# R_LO / R_HI the route's stations are W.rst[R_LO:R_HI]; R_FORM the train forming at the origin (-1 = none); R_GROUP
# its origin-destination group (W.gp); R_DIR 0 = westbound (destination west of the origin), 1 = eastbound
R_LO, R_HI, R_FORM, R_GROUP, R_DIR = range(5)
R_NI = 5
# RF_CAP_TEU train size TEU; RF_SCHED_H h between scheduled departures; RF_PHASE_H h of the first; RF_BASE_H h of
# travel and mean service with no queue (adaptive choice)
RF_CAP_TEU, RF_SCHED_H, RF_PHASE_H, RF_BASE_H = range(4)
R_NF = 4

# vessels of fleet links (W.vi int64, W.vf float64; one row per vessel)
# V_LINK vessel link; V_SIDE side it is at or sails from (0 = the link's from_node); V_STATE 0 at a quay, 1 at sea;
# V_HEAD / V_TAIL whole trains aboard (linked through T_NEXT); V_NEXT next vessel in its side's idle queue; V_CYCLE
# counts loading turns (an EV_VDEADLINE of an older turn is stale); V_PART the train of which the vessel carries a part
# (its other containers wait for the next sailing), or -1
V_LINK, V_SIDE, V_STATE, V_HEAD, V_TAIL, V_NEXT, V_CYCLE, V_PART = range(8)
V_NI = 8
VF_LOAD = 0  # TEU aboard
V_NF = 1

# vessel links (W.li int64, W.lf float64; one row per ferry / feeder / short-sea link)
# L_MODE 1 = timetable, 0 = fleet; L_ST0 / L_ST1 the quay station of side 0 / 1 (-1 = none); L_ACT0 / L_ACT1 the vessel
# loading at side 0 / 1 (-1); L_IDLEH0 / L_IDLEH1, L_IDLET0 / L_IDLET1 head / tail of each side's idle vessels; L_RES
# the link's closure resource (stations + link)
L_MODE, L_ST0, L_ST1, L_ACT0, L_ACT1, L_IDLEH0, L_IDLEH1, L_IDLET0, L_IDLET1, L_RES = range(10)
L_NI = 10
# LF_CAP / LF_CAP1 container TEU per sailing from side 0 / side 1, after background wagons; LF_MU / LF_SIGMA mean and
# standard deviation of ln(sailing h); LF_TURN0 / LF_TURN1 h of turnaround after a sailing from side 0 / 1; LF_MAXWAIT
# h a fleet vessel waits to fill; LF_PERIOD h between timetabled sailings; LF_FIRST h of the first; LF_TEU_MOVED TEU
# sailed after warm-up; LF_BG_T0 / LF_BG_T1 background cargo t each sailing carries from side 0 / 1; LF_BG_T_MOVED
# background t sailed after warm-up; LF_SAILINGS sailings after warm-up (both directions)
LF_CAP, LF_MU, LF_SIGMA, LF_TURN0, LF_TURN1, LF_MAXWAIT, LF_PERIOD, LF_FIRST, LF_TEU_MOVED, LF_CAP1, LF_BG_T0, LF_BG_T1, \
    LF_BG_T_MOVED, LF_SAILINGS = range(14)
L_NF = 14

# event kinds (W.hi[:, 1]); (a, b) of each: TICK (route, 0), ARRIVE (train, 0) a part lands, END (train, station),
# RETRY (station, 0), VREADY (vessel, 0), VDEADLINE (vessel, cycle), VARRIVE (vessel, 0), SAIL (link, side), SAMPLE
EV_TICK, EV_ARRIVE, EV_END, EV_RETRY, EV_VREADY, EV_VDEADLINE, EV_VARRIVE, EV_SAIL, EV_SAMPLE = range(9)

# samples (W.sc columns): time h, containers generated, delivered, in system (on trains), in system westbound / eastbound
SC_T, SC_GEN, SC_DELIV, SC_IN, SC_IN_WEST, SC_IN_EAST = range(6)
SC_N = 6

# counters (W.ctr): C_NTRAINS trains formed; C_GEN / C_DELIV containers generated / delivered; C_HSIZE events in the
# heap; C_SEQ events ever scheduled (the heap's tie-break); C_EVENTS events processed; C_SHIP shipments released;
# C_SAMPLE samples taken; C_GEN_TEU / C_DELIV_TEU milli-TEU; C_OLDEST no train before it is still on its way;
# C_ERROR a capacity the kernel ran out of (ERR_*; it stops at once, engine.advance raises)
C_NTRAINS, C_GEN, C_DELIV, C_HSIZE, C_SEQ, C_EVENTS, C_SHIP, C_SAMPLE, C_GEN_TEU, C_DELIV_TEU, C_OLDEST, C_ERROR = range(12)
C_N = 12
ERR_NONE, ERR_TRAINS, ERR_HEAP, ERR_SAMPLES, ERR_VESSEL_PART = range(5)

# parameters (W.par): P_TEND h end of the run; P_WARM h end of the warm-up; P_GSHARE green-channel share; P_GFACTOR
# green-channel service factor; P_FULL share of a vessel's capacity at which it sails; P_REFRESH h an adaptive choice is
# kept; P_SAMPLE h between samples; P_NSTREAM random streams (the last one draws the green channel)
P_TEND, P_WARM, P_GSHARE, P_GFACTOR, P_FULL, P_REFRESH, P_SAMPLE, P_NSTREAM = range(8)
P_N = 8


# ---- the state ---------------------------------------------------------------------------------------------------------

class Shape(NamedTuple):
    """dtype and shape of one array of :class:`Work`. An axis is a column count or a count of the run, optionally
    ``+ 1``: ``stations``, ``vlinks``, ``resources`` (closure resources = stations + vlinks), ``trains`` (train slots,
    engine._max_trains), ``routes``, ``route_stops``, ``vessels``, ``windows`` (closure windows), ``heap`` (event
    slots), ``groups`` (origin-destination pairs), ``shipments``, ``samples``, ``streams`` (resources + 1)."""

    dtype: str
    axes: tuple[int | str, ...]


def _s(dtype: str, *axes: int | str) -> Shape:
    return Shape(dtype, axes)


class Work(NamedTuple):
    """The whole state of a run: built by engine.prepare, changed only by the kernel, read by collect."""

    si: Annotated[np.ndarray, _s("int64", "stations", S_NI)]  # stations, S_* columns
    sf: Annotated[np.ndarray, _s("float64", "stations", S_NF)]  # stations, SF_* columns
    ti: Annotated[np.ndarray, _s("int64", "trains", T_NI)]  # trains, T_* columns
    tf: Annotated[np.ndarray, _s("float64", "trains", T_NF)]  # trains, TF_* columns
    ri: Annotated[np.ndarray, _s("int64", "routes", R_NI)]  # routes, R_* columns
    rf: Annotated[np.ndarray, _s("float64", "routes", R_NF)]  # routes, RF_* columns
    rst: Annotated[np.ndarray, _s("int64", "route_stops")]  # the stations of every route in order, route after route
    vi: Annotated[np.ndarray, _s("int64", "vessels", V_NI)]  # fleet vessels, V_* columns
    vf: Annotated[np.ndarray, _s("float64", "vessels", V_NF)]  # fleet vessels, VF_LOAD
    li: Annotated[np.ndarray, _s("int64", "vlinks", L_NI)]  # vessel links, L_* columns
    lf: Annotated[np.ndarray, _s("float64", "vlinks", L_NF)]  # vessel links, LF_* columns
    clp: Annotated[np.ndarray, _s("int64", "resources+1")]  # closure windows of resource r: cls/cle[clp[r]:clp[r+1]]
    cls: Annotated[np.ndarray, _s("float64", "windows")]  # window start h, sorted and merged per resource
    cle: Annotated[np.ndarray, _s("float64", "windows")]  # window end h
    clc: Annotated[np.ndarray, _s("int64", "resources")]  # per resource, the first window not yet over (cursor)
    ht: Annotated[np.ndarray, _s("float64", "heap")]  # event heap: time h (slots [0, C_HSIZE) used)
    hi: Annotated[np.ndarray, _s("int64", "heap", 4)]  # event heap: (sequence, kind EV_*, a, b)
    ctr: Annotated[np.ndarray, _s("int64", C_N)]  # counters, C_* entries
    rs: Annotated[np.ndarray, _s("uint64", "streams", 4)]  # xoshiro256** state of each random stream (_rng)
    gp: Annotated[np.ndarray, _s("int64", "groups+1")]  # the routes of group g are gr[gp[g]:gp[g+1]]
    gr: Annotated[np.ndarray, _s("int64", "routes")]  # route indices grouped by origin-destination pair
    gb: Annotated[np.ndarray, _s("int64", "groups")]  # the route last chosen for each group (-1 = none yet)
    gbt: Annotated[np.ndarray, _s("float64", "groups")]  # h it was chosen
    par: Annotated[np.ndarray, _s("float64", P_N)]  # parameters, P_* entries
    sht: Annotated[np.ndarray, _s("float64", "shipments")]  # shipment (container) ready at its origin, h, sorted
    shr: Annotated[np.ndarray, _s("int64", "shipments")]  # its route (-1 = chosen on arrival, adaptive mode)
    shg: Annotated[np.ndarray, _s("int64", "shipments")]  # its origin-destination group
    shtr: Annotated[np.ndarray, _s("int64", "shipments")]  # the train it joined (-1 = not yet released)
    shteu: Annotated[np.ndarray, _s("float64", "shipments")]  # its TEU
    sq: Annotated[np.ndarray, _s("int32", "samples", "stations")]  # trains queued at each station at each sample
    sc: Annotated[np.ndarray, _s("float64", "samples", SC_N)]  # samples, SC_* columns

    def copy(self) -> Work:
        """A deep copy (a snapshot: run it on and the original is untouched)."""
        return Work(*(a.copy() for a in self))


# indices into W (for code written against ``W[L.SI]``; W.si is the same array)
SI, SF, TI, TF, RI, RF, RST, VI, VF, LI, LF, CLP, CLS, CLE, CLC, HT, HI, CTR, RS, GP, GR, GB, GBT, PAR, SHT, SHR, SHG, SHTR, SHTEU, \
    SQ, SC = range(31)
W_N = len(Work._fields)  # each constant is the position of the field of its name (tests/simulation/test_kernel_state.py)


# ---- the check at the boundary -----------------------------------------------------------------------------------------

def _axis(dim: int | str, counts: dict[str, int], n: int) -> int:
    """The length ``dim`` asks for; a count seen for the first time is taken from this axis."""
    if isinstance(dim, int):
        return dim
    name, _, plus = dim.partition("+")
    return counts.setdefault(name, n - int(plus or 0)) + int(plus or 0)


def _in(a: np.ndarray, lo: int, hi: int) -> bool:
    return not len(a) or (int(a.min()) >= lo and int(a.max()) < hi)


@cache
def _shapes() -> tuple[Shape, ...]:
    hints = get_type_hints(Work, include_extras=True)
    return tuple(hints[name].__metadata__[0] for name in Work._fields)


def check_work(W: Work, counts: dict[str, int] | None = None, *, indices: bool = True) -> dict[str, int]:
    """Check every array of ``W`` against :class:`Work` (dtype, shape, C order) and the counts of the run (given, or
    taken from the first array that has them), and with ``indices`` the indices the kernel follows without bounds
    checks (route stations, groups, closure pointers, the shipments' routes: arrays the kernel never writes, so one
    look before a run suffices; it scans the shipments, ~30 ms a simulated year). Returns the counts; raises
    SimulationError naming every array that does not fit."""
    from silkway.errors import SimulationError

    if not isinstance(W, Work):
        raise SimulationError(f"kernel state must be a _layout.Work, got {type(W).__name__}")
    counts = dict(counts or {})
    problems = []
    for name, a, spec in zip(Work._fields, W, _shapes(), strict=True):
        if not isinstance(a, np.ndarray):
            problems.append(f"W.{name} is a {type(a).__name__}, not a numpy array")
            continue
        if a.dtype != np.dtype(spec.dtype):
            problems.append(f"W.{name} has dtype {a.dtype}, expected {spec.dtype}")
        if a.ndim != len(spec.axes):
            problems.append(f"W.{name} has {a.ndim} dimension(s), expected {len(spec.axes)} {spec.axes}")
            continue
        want = tuple(_axis(d, counts, n) for d, n in zip(spec.axes, a.shape, strict=True))
        if a.shape != want:
            problems.append(f"W.{name} has shape {a.shape}, expected {want} = {spec.axes} with {counts}")
        if not a.flags.c_contiguous:
            problems.append(f"W.{name} is not C-contiguous")
    if not problems and indices:
        problems = _check_links(W, counts)
    if problems:
        raise SimulationError("kernel state does not match its layout (simulation/_layout.py, Work): " + "; ".join(problems))
    return counts


def _check_links(W: Work, c: dict[str, int]) -> list[str]:
    """The relations between counts and the indices stored in the arrays that the kernel follows."""
    checks = [
        (c["resources"] == c["stations"] + c["vlinks"], f"resources {c['resources']} != stations + vlinks"),
        (c["streams"] == c["resources"] + 1 == int(W.par[P_NSTREAM]), "streams != resources + 1 = par[P_NSTREAM]"),
        (_in(W.rst, 0, c["stations"]), "W.rst holds a station index out of range"),
        (_in(W.ri[:, R_LO], 0, c["route_stops"] + 1) and _in(W.ri[:, R_HI], 0, c["route_stops"] + 1)
         and bool(np.all(W.ri[:, R_LO] <= W.ri[:, R_HI])), "W.ri route bounds (R_LO, R_HI) out of W.rst"),
        (_in(W.ri[:, R_GROUP], 0, c["groups"]), "W.ri R_GROUP out of range"),
        (_in(W.gr, 0, c["routes"]) and int(W.gp[0]) == 0 and int(W.gp[-1]) == c["routes"] and bool(np.all(np.diff(W.gp) >= 0)),
         "W.gp / W.gr do not group the routes"),
        (int(W.clp[0]) == 0 and int(W.clp[-1]) == c["windows"] and bool(np.all(np.diff(W.clp) >= 0)),
         "W.clp does not point into the closure windows"),
        (_in(W.shr, -1, c["routes"]) and _in(W.shg, 0, c["groups"]), "a shipment's route or group is out of range"),
        (_in(W.si[:, S_RES], 0, c["resources"]), "a station's closure resource is out of range"),
        (_in(W.li[:, L_ST0], -1, c["stations"]) and _in(W.li[:, L_ST1], -1, c["stations"]), "a vessel link's quay is out of range"),
        (_in(W.vi[:, V_LINK], 0, c["vlinks"]), "a vessel's link is out of range"),
        (bool(np.all(W.sht[1:] >= W.sht[:-1])), "shipment times W.sht are not sorted"),
    ]
    return [msg for ok, msg in checks if not ok]
