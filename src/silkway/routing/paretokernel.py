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

The bags (the labels alive at a state and layer, which a new label is checked against) are kept apart from the labels,
each in one block of a pool, so a scan reads consecutive rows: bag[key] is the first row of the key's block (-1: none
yet); that row is a header (bi: [entries, k]) and the 2**k rows after it hold the entries, oldest first (scanned
newest first). An entry: bf = [t, c, e, debt t, debt c, debt e], bi = [transfers, mask 0, mask 1, label] (the label
as ~label once expanded). A full block moves to one twice as large; freed blocks are reused (a free list per k).
"""

from __future__ import annotations

import numpy as np

from silkway.routing import jit as nb
from silkway.routing.kernels import EPS, _next_departure, _pop, _push

SOURCES = ("paretokernel.py", "kernels.py")  # the files whose code the compiled kernel holds
# label integer columns (L_FLAGS: 1 alive, 2 expanded, i.e. its debts are fixed: children inherited them)
L_STATE, L_LAYER, L_ARC, L_PARENT, L_TR, L_M0, L_M1, L_FLAGS = range(8)
# bag entry integer columns (module docstring); a dropped entry's label is DEAD until the bag is compacted
B_TR, B_M0, B_M1, B_LABEL = range(4)
DEAD = -(1 << 62)
K0 = 2  # a new bag's block holds 2**K0 entries


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
def _grow_labels(lf, li, n):
    if n < lf.shape[0]:
        return lf, li
    lf2 = np.empty((2 * n, 6))
    li2 = np.empty((2 * n, 8), dtype=np.int64)
    lf2[:n] = lf[:n]
    li2[:n] = li[:n]
    return lf2, li2


@nb.njit(cache=True)
def _block(bf, bi, top, free, k):
    """A block of 2**k entries (plus its header row): a freed one, else one past ``top`` (the rows in use), the pool
    doubled when full; returns (bf, bi, top, its first row). A free block's header holds the next free block's row."""
    b = free[k]
    if b >= 0:
        free[k] = bi[b, 0]
        return bf, bi, top, b
    end = top + (1 << k) + 1
    if end > bi.shape[0]:
        m = max(2 * bi.shape[0], end)
        bf2 = np.empty((m, 6))
        bi2 = np.empty((m, 4), dtype=np.int64)
        bf2[:top] = bf[:top]
        bi2[:top] = bi[:top]
        bf, bi = bf2, bi2
    return bf, bi, end, top


@nb.njit(cache=True)
def _bag_add(bf, bi, top, free, bag, key, t, c, e, gt, gc, ge, tr, m0, m1, label):
    """Append label ``label`` (newest) to the bag of ``key``; returns (bf, bi, top)."""
    b = bag[key]
    if b < 0:
        bf, bi, top, b = _block(bf, bi, top, free, K0)
        bi[b, 0], bi[b, 1] = 0, K0
        bag[key] = b
    m, k = bi[b, 0], bi[b, 1]
    if m == 1 << k:
        bf, bi, top, b2 = _block(bf, bi, top, free, k + 1)
        for r in range(1, m + 1):
            for j in range(6):
                bf[b2 + r, j] = bf[b + r, j]
            for j in range(4):
                bi[b2 + r, j] = bi[b + r, j]
        bi[b2, 0], bi[b2, 1] = m, k + 1
        bi[b, 0] = free[k]
        free[k] = b
        bag[key] = b2
        b = b2
    r = b + 1 + m
    bf[r, 0], bf[r, 1], bf[r, 2], bf[r, 3], bf[r, 4], bf[r, 5] = t, c, e, gt, gc, ge
    bi[r, B_TR], bi[r, B_M0], bi[r, B_M1], bi[r, B_LABEL] = tr, m0, m1, label
    bi[b, 0] = m + 1
    return bf, bi, top


@nb.njit(cache=True, inline="always")
def _covers(bf, r, t, c, e, gt, gc, ge):
    """Bag entry ``r`` stands for a candidate (criteria t, c, e with debts gt, gc, ge): r's criteria minus its debts
    are no worse than the candidate's minus its debts (exact dominance when every debt is 0)."""
    return (bf[r, 0] - bf[r, 3] <= t - gt + EPS and bf[r, 1] - bf[r, 4] <= c - gc + EPS
            and bf[r, 2] - bf[r, 5] <= e - ge + EPS)


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
           fin_t, fin_c, fin_e, lb_t, lb_c, lb_e, lb_i, timed, depart, eps, max_front, max_labels, widen, max_eps, give_up, bag):
    """The Pareto label-setting; returns (label floats [t, c, e, debt t, debt c, debt e], label ints, finals [label,
    transfers], final criteria, why ε was switched on (0 never, 1 more than ``max_front`` routes, 2 more than
    ``max_labels`` labels; 3: the search gave up, no route found within ``give_up`` > 0 labels), number of labels, the ε
    in force at the end). Once ε is on, each time the labels pass
    ``widen`` (> 0), then twice, four times ``widen``…, ε doubles, up to ``max_eps``: every debt taken and every label
    dropped under a smaller ε obeys the larger one, so the guarantee holds with the ε returned (module docstring).
    ``lb_t``/``lb_c``/``lb_e``: the lower bounds, per via layer (rows of the 2-D arrays: :func:`silkway.routing.search.layered_bounds`),
    a state's in column ``lb_i[state]`` (:class:`silkway.routing.search.Bounds`).
    ``bag``: a caller's workspace of at least (states × layers) entries,
    all -1 on entry and again on return (the entries used are reset); the bags' pool is the kernel's own. ``timed``: per state, whether a timetabled arc
    can be reached from it (no time debt there). The ε rule is in the module docstring."""
    n_layers = via.shape[0] + 1
    last = n_layers - 1
    lf = np.empty((1024, 6))
    li = np.empty((1024, 8), dtype=np.int64)
    bf = np.empty((4096, 6))
    bi = np.empty((4096, 4), dtype=np.int64)
    top = 0
    free = np.full(64, -1, dtype=np.int64)
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
        lf, li = _grow_labels(lf, li, n)
        lf[n, 0], lf[n, 1], lf[n, 2], lf[n, 3], lf[n, 4], lf[n, 5] = start_t[k], start_c[k], start_e[k], 0.0, 0.0, 0.0
        li[n, L_STATE], li[n, L_LAYER], li[n, L_ARC], li[n, L_PARENT], li[n, L_TR] = s, layer0, -1, -1, 0
        li[n, L_M0], li[n, L_M1], li[n, L_FLAGS] = 0, 0, 1
        bf, bi, top = _bag_add(bf, bi, top, free, bag, s * n_layers + layer0, start_t[k], start_c[k], start_e[k],
                               0.0, 0.0, 0.0, 0, 0, 0, n)
        hk, hi, size = _push(hk, hi, size, start_t[k] + lb_t[layer0, lb_i[s]], start_c[k], start_e[k], n)
        n += 1
    widen_at = widen
    while size > 0:
        if nf == 0 and 0 < give_up < n:  # no route found within the budget: the caller searches without the rule
            why = 3
            break
        if why == 0 and eps > 0.0 and (nf > max_front or n > max_labels):
            why = 1 if nf > max_front else 2
            eps_now = eps
        if eps_now > 0.0 and 0 < widen_at < n and 2.0 * eps_now <= max_eps:
            eps_now *= 2.0
            share = eps_now / (1.0 + eps_now)
            widen_at *= 2
        i, size = _pop(hk, hi, size)
        if li[i, L_FLAGS] & 1 == 0:
            continue
        li[i, L_FLAGS] |= 2
        t, c, e, gt, gc, ge = lf[i, 0], lf[i, 1], lf[i, 2], lf[i, 3], lf[i, 4], lf[i, 5]
        s, layer, tr, m0, m1 = li[i, L_STATE], li[i, L_LAYER], li[i, L_TR], li[i, L_M0], li[i, L_M1]
        if eps > 0.0:  # mark it expanded in its bag (alive, so there), for the debts (ε may come on later)
            b = bag[s * n_layers + layer]
            r = b + bi[b, 0]
            while bi[r, B_LABEL] != i:
                r -= 1
            bi[r, B_LABEL] = ~i
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
        row = lb_i[s]
        if nf and _final_dominated(ff, fi, nf, t - gt + lb_t[layer, row], c - gc + lb_c[layer, row], e - ge + lb_e[layer, row], tr,
                                   use_tr, depart, eps_now):
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
            layer2 = layer
            if layer < last and s2 // spn == via[layer]:
                layer2 = layer + 1
            row2 = lb_i[s2]
            if lb_t[layer2, row2] == np.inf:
                continue
            t2 = t + pre[a]
            if period[a] != 0.0:
                t2 = _next_departure(t2, period[a], offset[a])
            t2 += post[a]
            c2, e2 = c + cost[a], e + co2e[a]
            if nf and _final_dominated(ff, fi, nf, t2 - gt + lb_t[layer2, row2], c2 - gc + lb_c[layer2, row2],
                                       e2 - ge + lb_e[layer2, row2], tr2, use_tr, depart, eps_now):
                continue
            key = s2 * n_layers + layer2
            # a label of the bag that stands for the new one (exactly, or by taking on debt while not yet expanded)
            dominated = False
            b = bag[key]
            if b >= 0:
                r = b + bi[b, 0]
                while r > b:
                    if ((not use_tr or bi[r, B_TR] <= tr2) and (bi[r, B_M0] & ~n0) == 0
                            and (bi[r, B_M1] & ~n1) == 0):
                        if _covers(bf, r, t2, c2, e2, gt, gc, ge):
                            dominated = True
                            break
                        if eps_now > 0.0 and bi[r, B_LABEL] >= 0:
                            dt, dc, de = _debt_to_absorb(bf[r, 0], bf[r, 1], bf[r, 2], bf[r, 3], bf[r, 4], bf[r, 5],
                                                         t2, c2, e2, gt, gc, ge, timed[s2], depart, share)
                            if dt >= 0.0:
                                x = bi[r, B_LABEL]
                                bf[r, 3], bf[r, 4], bf[r, 5] = dt, dc, de
                                lf[x, 3], lf[x, 4], lf[x, 5] = dt, dc, de
                                dominated = True
                                break
                    r -= 1
            if dominated:
                continue
            # drop the labels of the bag the new one stands for (newest first), then compact the bag (order kept)
            g2t, g2c, g2e = gt, gc, ge
            if b >= 0:
                low = 0
                r = b + bi[b, 0]
                while r > b:
                    if ((not use_tr or tr2 <= bi[r, B_TR]) and (n0 & ~bi[r, B_M0]) == 0
                            and (n1 & ~bi[r, B_M1]) == 0):
                        drop = False
                        if (t2 - g2t <= bf[r, 0] - bf[r, 3] + EPS and c2 - g2c <= bf[r, 1] - bf[r, 4] + EPS
                                and e2 - g2e <= bf[r, 2] - bf[r, 5] + EPS):
                            drop = True
                        elif eps_now > 0.0 and bi[r, B_LABEL] >= 0:
                            dt, dc, de = _debt_to_absorb(t2, c2, e2, g2t, g2c, g2e, bf[r, 0], bf[r, 1], bf[r, 2],
                                                         bf[r, 3], bf[r, 4], bf[r, 5], timed[s2], depart, share)
                            if dt >= 0.0:
                                g2t, g2c, g2e = dt, dc, de
                                drop = True
                        if drop:
                            x = bi[r, B_LABEL]
                            li[x if x >= 0 else ~x, L_FLAGS] &= ~1
                            bi[r, B_LABEL] = DEAD
                            low = r
                    r -= 1
                if low > 0:
                    w = low
                    for r in range(low + 1, b + bi[b, 0] + 1):
                        if bi[r, B_LABEL] != DEAD:
                            for j in range(6):
                                bf[w, j] = bf[r, j]
                            for j in range(4):
                                bi[w, j] = bi[r, j]
                            w += 1
                    bi[b, 0] = w - b - 1
            lf, li = _grow_labels(lf, li, n)
            lf[n, 0], lf[n, 1], lf[n, 2], lf[n, 3], lf[n, 4], lf[n, 5] = t2, c2, e2, g2t, g2c, g2e
            li[n, L_STATE], li[n, L_LAYER], li[n, L_ARC], li[n, L_PARENT], li[n, L_TR] = s2, layer2, a, i, tr2
            li[n, L_M0], li[n, L_M1], li[n, L_FLAGS] = n0, n1, 1
            bf, bi, top = _bag_add(bf, bi, top, free, bag, key, t2, c2, e2, g2t, g2c, g2e, tr2, n0, n1, n)
            hk, hi, size = _push(hk, hi, size, t2 + lb_t[layer2, row2], c2, e2, n)
            n += 1
    for x in range(n):
        bag[li[x, L_STATE] * n_layers + li[x, L_LAYER]] = -1
    return lf, li, fi[:nf].copy(), ff[:nf].copy(), why, n, eps_now
