"""Column indices of the engine's state arrays (compile-time constants for the numba kernel)."""

# stations: integer columns
# S_COMMIT: trains dispatched on a route through the station that have not yet left it (adaptive choice)
S_SERVERS, S_DIST, S_BUSY, S_QHEAD, S_QTAIL, S_QLEN, S_RETRY, S_KIND, S_VLINK, S_SIDE, S_GREEN, S_SERVED, S_QMAX, \
    S_SERVED_ALL, S_RES, S_COMMIT = range(16)
S_NI = 16
# stations: float columns
SF_A, SF_B, SF_GATE_TRAIN, SF_GATE_TEU, SF_NEXT_GATE, SF_WAIT_SUM, SF_SERVICE_SUM, SF_MEAN, SF_DRAIN_H = range(9)
S_NF = 9
# station kinds / service distributions
KIND_SERVER, KIND_FLEET, KIND_TIMETABLE = 0, 1, 2
DIST_ZERO, DIST_DET, DIST_LOGNORMAL, DIST_EXP = 0, 1, 2, 3

# trains: integer / float columns
# T_PARTS: parts of the train sailing on vessels and not yet landed; TF_BOARDED: TEU of the train already boarded at
# the quay it is queued at (a train larger than a vessel's free deck sails in parts, docs/simulation.md)
T_ROUTE, T_POS, T_NEXT, T_GREEN, T_NCONT, T_PARTS = range(6)
T_NI = 6
TF_LOAD, TF_FORMED, TF_DEPART, TF_ARRIVE, TF_WAIT, TF_ENTER, TF_BOARDED = range(7)
T_NF = 7

# routes
# R_DIR: 0 = westbound (destination west of the origin), 1 = eastbound
R_LO, R_HI, R_FORM, R_GROUP, R_DIR = range(5)
R_NI = 5
RF_CAP_TEU, RF_SCHED_H, RF_PHASE_H, RF_BASE_H = range(4)
R_NF = 4

# vessels
# V_PART: the train of which the vessel carries a part (its other containers wait for the next sailing), or -1
V_LINK, V_SIDE, V_STATE, V_HEAD, V_TAIL, V_NEXT, V_CYCLE, V_PART = range(8)
V_NI = 8
VF_LOAD = 0
V_NF = 1

# vessel links
L_MODE, L_ST0, L_ST1, L_ACT0, L_ACT1, L_IDLEH0, L_IDLEH1, L_IDLET0, L_IDLET1, L_RES = range(10)
L_NI = 10
# LF_CAP / LF_CAP1: container TEU per sailing from side 0 (from_node) / side 1, after background wagons;
# LF_BG_T0 / LF_BG_T1: background cargo tonnes each sailing carries from side 0 / 1; LF_BG_T_MOVED: background
# tonnes sailed after warm-up; LF_SAILINGS: sailings after warm-up (both directions)
LF_CAP, LF_MU, LF_SIGMA, LF_TURN0, LF_TURN1, LF_MAXWAIT, LF_PERIOD, LF_FIRST, LF_TEU_MOVED, LF_CAP1, LF_BG_T0, LF_BG_T1, \
    LF_BG_T_MOVED, LF_SAILINGS = range(14)
L_NF = 14

# event kinds
EV_TICK, EV_ARRIVE, EV_END, EV_RETRY, EV_VREADY, EV_VDEADLINE, EV_VARRIVE, EV_SAIL, EV_SAMPLE = range(9)

# samples (W[SC] columns): time h, generated, delivered, in system (containers on trains), in system westbound / eastbound
SC_T, SC_GEN, SC_DELIV, SC_IN, SC_IN_WEST, SC_IN_EAST = range(6)
SC_N = 6

# counters
C_NTRAINS, C_GEN, C_DELIV, C_HSIZE, C_SEQ, C_EVENTS, C_SHIP, C_SAMPLE, C_GEN_TEU, C_DELIV_TEU, C_OLDEST = range(11)
C_N = 11

# indices into the work tuple W of the kernel
SI, SF, TI, TF, RI, RF, RST, VI, VF, LI, LF, CLP, CLS, CLE, CLC, HT, HI, CTR, RS, GP, GR, GB, GBT, PAR, SHT, SHR, SHG, SHTR, SHTEU, \
    SQ, SC = range(31)
W_N = 31
# parameters (W[PAR])
P_TEND, P_WARM, P_GSHARE, P_GFACTOR, P_FULL, P_REFRESH, P_SAMPLE, P_NSTREAM = range(8)
P_N = 8
