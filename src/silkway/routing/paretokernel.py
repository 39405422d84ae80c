"""The Pareto label-setting of :mod:`silkway.routing.search`, compiled (numba, ``cache=True``) over the arrays of
:class:`~silkway.routing.stategraph.Arrays`.

Labels live in arrays, popped in order of (time + time bound, cost, CO2e, label number); a label whose criteria plus the
bounds are dominated by a route already found is dropped. With ``eps > 0``, once switched on (a label or route cap
passed), ε-dominance with debts: each label carries a debt per criterion (what it may be worse than the routes it
stands for); a label not yet expanded may take on another at its state by raising its debt, up to eps/(1 + eps) × its
own criteria; so every route of the exact Pareto set has a returned route within a factor (1 + eps) on each of time
since departure, cost and CO2e (the proof: docs/routing.md "Large networks"). No time debt at states from which a
timetabled arc can be reached (:func:`silkway.routing.kernels.reaches`).

The kernel calls the heap and the departure rule of :mod:`silkway.routing.kernels`, so numba's cache of it is stamped
with both files (:func:`silkway.routing.jit.stamped`): editing either recompiles it.
"""

from __future__ import annotations

import numpy as np

from silkway.routing import jit as nb
from silkway.routing.kernels import EPS, _next_departure, _pop, _push

SOURCES = ("paretokernel.py", "kernels.py")  # the files whose code the compiled kernel holds
# label integer columns
L_STATE, L_LAYER, L_ARC, L_PARENT, L_TR, L_M0, L_M1, L_NEXT = range(8)


@nb.njit(cache=True)
def _final_dominated(ff, fi, nf, t, c, e, tr, use_tr, depart, eps):
    """Whether a found route (rows of ``ff``: time, cost, CO2e; ``fi``: transfers) is no worse than (1 + eps) × the
    candidate's durations on every criterion."""
    f = 1.0 + eps
    for k in range(nf):
        if (ff[k, 0] - depart <= f * (t - depart) + EPS and ff[k, 1] <= f * c + EPS and ff[k, 2] <= f * e + EPS
                and (not use_tr or fi[k, 1] <= tr)):
            return True
    return False


@nb.njit(cache=True)
def _grow_labels(lf, li, flags, n):
    if n < lf.shape[0]:
        return lf, li, flags
    lf2 = np.empty((2 * n, 6))
    li2 = np.empty((2 * n, 8), dtype=np.int64)
    flags2 = np.zeros(2 * n, dtype=np.int8)
    lf2[:n] = lf[:n]
    li2[:n] = li[:n]
    flags2[:n] = flags[:n]
    return lf2, li2, flags2


@nb.njit(cache=True, inline="always")
def _covers(lf, x, t, c, e, gt, gc, ge):
    """Label ``x`` stands for a candidate (criteria t, c, e with debts gt, gc, ge): x's criteria minus its debts are
    no worse than the candidate's minus its debts (exact dominance when every debt is 0)."""
    return (lf[x, 0] - lf[x, 3] <= t - gt + EPS and lf[x, 1] - lf[x, 4] <= c - gc + EPS
            and lf[x, 2] - lf[x, 5] <= e - ge + EPS)


@nb.njit(cache=True, inline="always")
def _debt_to_absorb(xt, xc, xe, xgt, xgc, xge, t, c, e, gt, gc, ge, timed, depart, share):
    """The debts a label (criteria xt, xc, xe, debts xg*) would need to stand for a candidate (t, c, e, debts g*), or
    a negative time debt when that passes its allowance: ``share`` × its own time since departure, cost and CO2e (at
    most the whole of any route it leads to), and no time debt at a ``timed`` state (a timetabled arc lies ahead: a
    later arrival may miss a departure)."""
    nt = max(xgt, gt + xt - t)
    nc = max(xgc, gc + xc - c)
    ne = max(xge, ge + xe - e)
    if timed:
        if nt > EPS:
            return -1.0, 0.0, 0.0
        nt = 0.0
    if nt > share * (xt - depart) + EPS or nc > share * xc + EPS or ne > share * xe + EPS:
        return -1.0, 0.0, 0.0
    return nt, nc, ne


@nb.stamped(SOURCES, cache=True)
def pareto(indptr, arcs, head, pre, period, offset, post, cost, co2e, transfer, allowed,
           use_rules, enter0, enter1, leave0, leave1,
           start_s, start_t, start_c, start_e, layer0, via, dest, spn, n_platforms, cap, use_tr,
           fin_t, fin_c, fin_e, lb_t, lb_c, lb_e, lb_i, timed, depart, eps, max_front, max_labels, widen, max_eps, bag):
    """The Pareto label-setting; returns (label floats [t, c, e, debt t, debt c, debt e], label ints, finals [label,
    transfers], final criteria, why ε was switched on (0 never, 1 more than ``max_front`` routes, 2 more than
    ``max_labels`` labels), number of labels, the ε in force at the end). Once ε is on, each time the labels pass
    ``widen`` (> 0), then twice, four times ``widen``…, ε doubles, up to ``max_eps``: every debt taken and every label
    dropped under a smaller ε obeys the larger one, so the guarantee holds with the ε returned (module docstring).
    ``lb_t``/``lb_c``/``lb_e``: the lower bounds, a state's in row ``lb_i[state]`` (:class:`silkway.routing.search.Bounds`).
    ``bag``: a caller's workspace of at least (states × layers) entries,
    all -1 on entry and again on return (the entries used are reset). ``timed``: per state, whether a timetabled arc
    can be reached from it (no time debt there). The ε rule is in the module docstring."""
    n_layers = via.shape[0] + 1
    last = n_layers - 1
    lf = np.empty((1024, 6))
    li = np.empty((1024, 8), dtype=np.int64)
    flags = np.zeros(1024, dtype=np.int8)  # 1 alive, 2 expanded (its debts are fixed: children inherited them)
    hk = np.empty((1024, 3))
    hi = np.empty(1024, dtype=np.int64)
    ff = np.empty((16, 3))
    fi = np.empty((16, 2), dtype=np.int64)
    nf = 0
    size = 0
    n = 0
    eps_now = 0.0
    why = 0
    share = eps / (1.0 + eps)  # a debt of share × v keeps v <= (1 + eps) × the route it stands for
    for k in range(start_s.shape[0]):
        s = start_s[k]
        lf, li, flags = _grow_labels(lf, li, flags, n)
        lf[n, 0], lf[n, 1], lf[n, 2], lf[n, 3], lf[n, 4], lf[n, 5] = start_t[k], start_c[k], start_e[k], 0.0, 0.0, 0.0
        li[n, L_STATE], li[n, L_LAYER], li[n, L_ARC], li[n, L_PARENT], li[n, L_TR] = s, layer0, -1, -1, 0
        li[n, L_M0], li[n, L_M1] = 0, 0
        flags[n] = 1
        key = s * n_layers + layer0
        li[n, L_NEXT] = bag[key]
        bag[key] = n
        hk, hi, size = _push(hk, hi, size, start_t[k] + lb_t[lb_i[s]], start_c[k], start_e[k], n)
        n += 1
    widen_at = widen
    while size > 0:
        if why == 0 and eps > 0.0 and (nf > max_front or n > max_labels):
            why = 1 if nf > max_front else 2
            eps_now = eps
        if eps_now > 0.0 and 0 < widen_at < n and 2.0 * eps_now <= max_eps:
            eps_now *= 2.0
            share = eps_now / (1.0 + eps_now)
            widen_at *= 2
        i, size = _pop(hk, hi, size)
        if flags[i] & 1 == 0:
            continue
        flags[i] |= 2
        t, c, e, gt, gc, ge = lf[i, 0], lf[i, 1], lf[i, 2], lf[i, 3], lf[i, 4], lf[i, 5]
        s, layer, tr, m0, m1 = li[i, L_STATE], li[i, L_LAYER], li[i, L_TR], li[i, L_M0], li[i, L_M1]
        if s // spn == dest and layer == last:
            p = (s // 2) % n_platforms
            ft, fc, fe = t + fin_t[p], c + fin_c[p], e + fin_e[p]
            if not _final_dominated(ff, fi, nf, ft - gt, fc - gc, fe - ge, tr, use_tr, depart, eps_now):
                kept = 0
                for k in range(nf):
                    if not (ft <= ff[k, 0] + EPS and fc <= ff[k, 1] + EPS and fe <= ff[k, 2] + EPS and (not use_tr or tr <= fi[k, 1])):
                        ff[kept] = ff[k]
                        fi[kept] = fi[k]
                        kept += 1
                nf = kept
                if nf == ff.shape[0]:
                    ff2 = np.empty((2 * nf, 3))
                    fi2 = np.empty((2 * nf, 2), dtype=np.int64)
                    ff2[:nf] = ff
                    fi2[:nf] = fi
                    ff, fi = ff2, fi2
                ff[nf, 0], ff[nf, 1], ff[nf, 2] = ft, fc, fe
                fi[nf, 0], fi[nf, 1] = i, tr
                nf += 1
            continue
        if nf and _final_dominated(ff, fi, nf, t - gt + lb_t[lb_i[s]], c - gc + lb_c[lb_i[s]], e - ge + lb_e[lb_i[s]], tr, use_tr, depart, eps_now):
            continue
        for j in range(indptr[s], indptr[s + 1]):
            a = arcs[j]
            if not allowed[a]:
                continue
            n0, n1 = m0, m1
            if use_rules:
                if (m0 & enter0[a]) != 0 or (m1 & enter1[a]) != 0:
                    continue
                n0, n1 = m0 | leave0[a], m1 | leave1[a]
            tr2 = tr + transfer[a]
            if tr2 > cap:
                continue
            s2 = head[a]
            if lb_t[lb_i[s2]] == np.inf:
                continue
            t2 = t + pre[a]
            if period[a] != 0.0:
                t2 = _next_departure(t2, period[a], offset[a])
            t2 += post[a]
            c2, e2 = c + cost[a], e + co2e[a]
            if nf and _final_dominated(ff, fi, nf, t2 - gt + lb_t[lb_i[s2]], c2 - gc + lb_c[lb_i[s2]], e2 - ge + lb_e[lb_i[s2]], tr2, use_tr,
                                       depart, eps_now):
                continue
            layer2 = layer
            if layer < last and s2 // spn == via[layer]:
                layer2 = layer + 1
            key = s2 * n_layers + layer2
            # a label of the bag that stands for the new one (exactly, or by taking on debt while not yet expanded)
            dominated = False
            x = bag[key]
            while x >= 0:
                if (flags[x] & 1 and (not use_tr or li[x, L_TR] <= tr2) and (li[x, L_M0] & ~n0) == 0
                        and (li[x, L_M1] & ~n1) == 0):
                    if _covers(lf, x, t2, c2, e2, gt, gc, ge):
                        dominated = True
                        break
                    if eps_now > 0.0 and flags[x] & 2 == 0:
                        dt, dc, de = _debt_to_absorb(lf[x, 0], lf[x, 1], lf[x, 2], lf[x, 3], lf[x, 4], lf[x, 5],
                                                     t2, c2, e2, gt, gc, ge, timed[s2], depart, share)
                        if dt >= 0.0:
                            lf[x, 3], lf[x, 4], lf[x, 5] = dt, dc, de
                            dominated = True
                            break
                x = li[x, L_NEXT]
            if dominated:
                continue
            # drop the labels of the bag the new one stands for, and unlink dead ones
            g2t, g2c, g2e = gt, gc, ge
            prev = -1
            x = bag[key]
            while x >= 0:
                nxt = li[x, L_NEXT]
                if (flags[x] & 1 and (not use_tr or tr2 <= li[x, L_TR]) and (n0 & ~li[x, L_M0]) == 0
                        and (n1 & ~li[x, L_M1]) == 0):
                    if (t2 - g2t <= lf[x, 0] - lf[x, 3] + EPS and c2 - g2c <= lf[x, 1] - lf[x, 4] + EPS
                            and e2 - g2e <= lf[x, 2] - lf[x, 5] + EPS):
                        flags[x] &= ~1
                    elif eps_now > 0.0 and flags[x] & 2 == 0:
                        dt, dc, de = _debt_to_absorb(t2, c2, e2, g2t, g2c, g2e, lf[x, 0], lf[x, 1], lf[x, 2],
                                                     lf[x, 3], lf[x, 4], lf[x, 5], timed[s2], depart, share)
                        if dt >= 0.0:
                            g2t, g2c, g2e = dt, dc, de
                            flags[x] &= ~1
                if flags[x] & 1 == 0:
                    if prev < 0:
                        bag[key] = nxt
                    else:
                        li[prev, L_NEXT] = nxt
                else:
                    prev = x
                x = nxt
            lf, li, flags = _grow_labels(lf, li, flags, n)
            lf[n, 0], lf[n, 1], lf[n, 2], lf[n, 3], lf[n, 4], lf[n, 5] = t2, c2, e2, g2t, g2c, g2e
            li[n, L_STATE], li[n, L_LAYER], li[n, L_ARC], li[n, L_PARENT], li[n, L_TR] = s2, layer2, a, i, tr2
            li[n, L_M0], li[n, L_M1] = n0, n1
            flags[n] = 1
            li[n, L_NEXT] = bag[key]
            bag[key] = n
            hk, hi, size = _push(hk, hi, size, t2 + lb_t[lb_i[s2]], c2, e2, n)
            n += 1
    for x in range(n):
        bag[li[x, L_STATE] * n_layers + li[x, L_LAYER]] = -1
    return lf, li, fi[:nf].copy(), ff[:nf].copy(), why, n, eps_now
