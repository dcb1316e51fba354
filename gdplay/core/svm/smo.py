"""The dual solver: SMO with libsvm's second-order working-set selection, its stopping rule, a kernel-row cache,
shrinking (a mixin of SVMTrainer, which holds the state it reads; the warm start after a change of C or the
kernel is warm_start.py's).

The solver keeps its arrays in its own order, libsvm's order reversed (libsvm's working-set loops keep the last
of equal candidates in its order, numpy's argmax the first: reversed, they pick the same point, and ties decide
which pair updates follow in the first steps, where all α = 0). ``alpha_`` and ``_v`` give them in training-row
order. Kernel rows come from ``kernels.KernelRows`` (computed when first needed, kept in an LRU cache of bounded
memory), so the n × n matrix is never built."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.svm.objectives import relative_gap
from gdplay.core.svm.params import CACHE_BYTES, TAU
from gdplay.core.svm.warm_start import WarmStart
from gdplay.core.trainer import Status

SHRINK_EVERY = 1000  # steps between shrinkings, at most (libsvm: min(n, 1000))
RECORD_POINTS = 1000  # a history row per step up to this many points, then every 2^k >= n/1000 steps


class DualSolver(WarmStart):
    """SMO on the dual; see the package's notes for the formulas."""

    kkt_violation_: float
    # the solver's own, in its order: storage index s holds training row _perm[s]
    _perm: np.ndarray
    _inv: np.ndarray
    _a: np.ndarray
    _vs: np.ndarray
    _ys: np.ndarray
    _Xs: np.ndarray
    _ay: np.ndarray
    _freef: np.ndarray  # 1.0 where 0 < α_t < C
    _n_free: int
    _active: np.ndarray | None  # the points SMO still selects from (shrinking), in its order; None: all
    _unshrunk: bool
    _shrink_counter: int
    _rows: K.KernelRows | None

    # -- the state in training-row order -------------------------------------------------------------------
    @property
    def alpha_(self) -> np.ndarray:
        """α, one per training row (a copy)."""
        return self._a[self._inv]

    @alpha_.setter
    def alpha_(self, a: np.ndarray) -> None:
        self._a = np.array(a, dtype=np.float64)[self._perm]
        self._ay = self._a * self._ys

    @property
    def _v(self) -> np.ndarray:
        """v = y − K(α∘y) = −y∘G, one per training row (a copy)."""
        return self._vs[self._inv]

    @_v.setter
    def _v(self, v: np.ndarray) -> None:
        self._vs = np.array(v, dtype=np.float64)[self._perm]

    def _set_order(self) -> None:
        """The solver's order: libsvm's (for ±1 labels the +1 rows, then the −1 rows, each in row order, as its
        svm_group_classes puts them), reversed."""
        order = np.r_[np.flatnonzero(self.y > 0), np.flatnonzero(self.y <= 0)][::-1]
        self._perm = np.ascontiguousarray(order, dtype=np.intp)
        self._inv = np.empty_like(self._perm)
        self._inv[self._perm] = np.arange(len(self._perm))
        self._ys = self.y[self._perm].copy()
        self._Xs = np.ascontiguousarray(self.X[self._perm])
        self._rows = None
        self._base_rows: dict[str, OrderedDict[int, np.ndarray]] = {}  # per base, for these points
        n = len(self._perm)
        self._a = np.zeros(n)
        self._ay = np.zeros(n)
        self._vs = self._ys.copy()

    def _kernel_rows(self) -> K.KernelRows:
        """The row cache for the current kernel: kept while the kernel's key (the parameters it reads) is the
        same, rebuilt when one of them changes."""
        p = self.params
        key = K.kernel_key(p.kernel, p.gamma, p.degree, p.coef0)
        if self._rows is None or self._rows.key != key:
            # a new width (γ, c₀, d) keeps nothing of the old rows but their base, x·y or ‖x − y‖² (and α)
            base = self._base_rows.setdefault(K.KERNEL_SPECS[p.kernel].base, OrderedDict())
            spare = self._rows.release() if self._rows is not None else None  # its memory, for the new rows
            self._rows = K.KernelRows(self._Xs, p.kernel, p.gamma, p.degree, p.coef0, CACHE_BYTES, TAU, base,
                                      spare)
        return self._rows

    def _kernel_times(self, u: np.ndarray) -> np.ndarray:
        """K @ u in training-row order, from the kernel rows (cached, or computed and kept for SMO)."""
        return self._kernel_rows().times(u[self._perm])[self._inv]

    # -- dual: SMO ----------------------------------------------------------------------------------------
    def _update_masks_all(self) -> None:
        """After α changed from outside the solver (reset, warm start, a loaded state): the free set, α∘y, and
        every point active again."""
        a, y, C = self._a, self._ys, float(self.params.C)
        free = (a > 0) & (a < C)
        self._freef = free.astype(np.float64)
        self._n_free = int(free.sum())
        self._ay = a * y
        self._active = None
        self._unshrunk = False
        self._shrink_counter = min(len(a), SHRINK_EVERY) + 1

    def _up_low(self, a: np.ndarray, y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
        """I_up: α_t can move so that y_t α_t grows; I_low: so that it shrinks."""
        up = ((y > 0) & (a < C)) | ((y < 0) & (a > 0))
        low = ((y > 0) & (a > 0)) | ((y < 0) & (a < C))
        return up, low

    def _selection_rows(self, act: np.ndarray | None, W: np.ndarray) -> np.ndarray:
        """(2, m) over the active points: v on I_up (−inf elsewhere), v on I_low (+inf elsewhere). Kept up to
        date with v, so a step finds i and the KKT violation with an argmax and an argmin. With every point
        active they are W[1:] (W[0] is v)."""
        up, low = self._up_low(self._a, self._ys, float(self.params.C))
        v = self._vs
        if act is not None:
            up, low, v = up[act], low[act], v[act]
            S = np.empty((2, len(v)))
        else:
            S = W[1:]
        S[0] = np.where(up, v, -np.inf)
        S[1] = np.where(low, v, np.inf)
        return S

    def _shrink(self, act: np.ndarray | None, gmax: float, gmin: float) -> np.ndarray | None:
        """libsvm's shrinking: a point at a bound that is on the safe side of every violating pair (only in
        I_up with v_t < min over I_low, or only in I_low with v_t > max over I_up) is left out of the selection
        until the end; the first time the violation is within 10 tol, every point comes back once. v stays
        exact for every point (the history and the snapshot need it), so coming back costs nothing."""
        n = len(self._a)
        if not self._unshrunk and gmax - gmin <= 10.0 * float(self.params.tol):
            self._unshrunk = True
            act = None
        up, low = self._up_low(self._a, self._ys, float(self.params.C))
        v = self._vs
        keep = ~((up & ~low & (v < gmin)) | (low & ~up & (v > gmax)))
        if act is not None:
            inside = np.zeros(n, dtype=bool)
            inside[act] = True
            keep &= inside
        kept = np.flatnonzero(keep)
        return None if len(kept) == n else kept

    def _step_dual(self, limit: int) -> int:
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # once, not per kernel row
            return self._smo(limit)

    def _smo(self, limit: int) -> int:
        rows = self._kernel_rows()
        a, v, y, ay, freef = self._a, self._vs, self._ys, self._ay, self._freef
        n = len(a)
        C = float(self.params.C)
        tol = float(self.params.tol)
        hist = self.history_
        n0 = self.n_iter_
        ninf, pinf = -math.inf, math.inf
        gain, t1, t2, taken_buf = (np.empty(n) for _ in range(4))
        subtract, maximum, multiply, divide, dot = np.subtract, np.maximum, np.multiply, np.divide, np.dot
        rec = _Recorder(self, n)
        Vbuf, Mbuf, AYbuf, size, kr = rec.V, rec.M, rec.AY, rec.size, 0
        sum_a = float(np.add.reduce(a))  # Σα, kept up to date with each pair update
        # v and the two selection rows in one array, so that one subtraction updates all three
        W = np.empty((3, n))
        W[0] = v
        self._vs = v = W[0]
        act: np.ndarray | None = self._active
        S = self._selection_rows(act, W)
        up_v, low_v = S[0], S[1]
        m = len(up_v)
        g = gain[:m]
        counter = self._shrink_counter
        every_row = rows.every_row()  # a few hundred points: all rows at hand, no cache bookkeeping
        kkt = self.kkt_violation_
        taken = 0
        while taken < limit:
            counter -= 1
            if counter == 0:
                counter = min(n, SHRINK_EVERY)
                act = self._shrink(act, S[0].max(), S[1].min())
                S = self._selection_rows(act, W)
                up_v, low_v = S[0], S[1]
                m = len(up_v)
                g = gain[:m]
            # i: the maximal violator in I_up; j: second-order choice in I_low (Fan, Chen & Lin 2005, WSS 2)
            ia = int(up_v.argmax())
            gmax = up_v.item(ia)
            gmin = low_v.item(int(low_v.argmin()))
            kkt = gmax - gmin
            if kkt <= tol:
                if act is not None:  # optimal on the active points: look at them all (libsvm's unshrink)
                    act = None
                    S = self._selection_rows(act, W)
                    up_v, low_v = S[0], S[1]
                    m = len(up_v)
                    g = gain[:m]
                    continue
                # libsvm stops here; gdplay also asks the relative duality gap to be <= tol, since at a large C
                # a KKT error within tol can still cost C times as much in P (no violating pair left: optimal)
                if gmax <= gmin or self._relative_gap() <= tol:
                    self.n_iter_ = n0 + taken
                    self._finish(Status.CONVERGED)
                    break
            if act is None:
                i = ia
                Ki, curv = every_row[i] if every_row is not None else rows.row(i)
            else:
                i = int(act.item(ia))
                Ki, curv_i = rows.row(i)
                curv = curv_i.take(act, out=taken_buf[:m])
            # the gain of each j: (gmax − v_j)² / (K_ii + K_jj − 2K_ij) where j violates with i, else 0
            subtract(gmax, low_v, out=g)
            maximum(g, 0.0, out=g)
            multiply(g, g, out=g)
            divide(g, curv, out=g)
            ja = int(g.argmax())
            j = ja if act is None else int(act.item(ja))
            yi, yj = y.item(i), y.item(j)
            ai, aj = a.item(i), a.item(j)
            # Newton step along the feasible direction, clipped to the box (libsvm's update, in v terms)
            quad = curv.item(ja)
            Gi, Gj = -yi * gmax, -yj * v.item(j)
            if yi != yj:
                delta = (-Gi - Gj) / quad
                diff = ai - aj
                ni, nj = ai + delta, aj + delta
                if diff > 0:
                    if nj < 0:
                        nj, ni = 0.0, diff
                elif ni < 0:
                    ni, nj = 0.0, -diff
                if diff > 0:
                    if ni > C:
                        ni, nj = C, C - diff
                elif nj > C:
                    nj, ni = C, C + diff
            else:
                delta = (Gi - Gj) / quad
                total = ai + aj
                ni, nj = ai - delta, aj + delta
                if total > C:
                    if ni > C:
                        ni, nj = C, total - C
                elif nj < 0:
                    nj, ni = 0.0, total
                if total > C:
                    if nj > C:
                        nj, ni = C, total - C
                elif ni < 0:
                    ni, nj = 0.0, total
            a[i] = ni
            a[j] = nj
            ay[i] = ni * yi
            ay[j] = nj * yj
            sum_a += (ni - ai) + (nj - aj)
            # v = y − K(α∘y): two kernel rows per step, and the selection rows with it
            Kj = every_row[j][0] if every_row is not None else rows.row(j)[0]
            multiply(Ki, yi * (ni - ai), out=t1)
            multiply(Kj, yj * (nj - aj), out=t2)
            t1 += t2
            if act is None:
                W -= t1
            else:
                v -= t1
                S -= t1.take(act, out=taken_buf[:m])
            # I_up, I_low and the free set change only at i and j
            vi = v.item(i)
            if yi > 0:
                up_v[ia] = vi if ni < C else ninf
                low_v[ia] = vi if ni > 0 else pinf
            else:
                up_v[ia] = vi if ni > 0 else ninf
                low_v[ia] = vi if ni < C else pinf
            vj = v.item(j)
            if yj > 0:
                up_v[ja] = vj if nj < C else ninf
                low_v[ja] = vj if nj > 0 else pinf
            else:
                up_v[ja] = vj if nj > 0 else ninf
                low_v[ja] = vj if nj < C else pinf
            fi = 1.0 if 0.0 < ni < C else 0.0
            if fi != freef.item(i):
                freef[i] = fi
                self._n_free += 1 if fi else -1
            fj = 1.0 if 0.0 < nj < C else 0.0
            if fj != freef.item(j):
                freef[j] = fj
                self._n_free += 1 if fj else -1
            taken += 1
            step = n0 + taken
            if hist.want(step):
                # D and b now, P (its hinge sum, O(n)) for a batch of steps at once
                ay_v = dot(ay, v)
                n_free = self._n_free
                if n_free:
                    b = dot(freef, v) / n_free
                elif act is None:  # no α free: the middle of [max over I_up, min over I_low] of v (−ρ)
                    b = -(-up_v.item(int(up_v.argmax())) + -low_v.item(int(low_v.argmin()))) / 2
                else:
                    b = -self._rho()
                dual = 0.5 * (sum_a + ay_v)
                if not math.isfinite(dual):
                    rec.flush(kr)
                    self._record_dual(step)  # says where it became inf or NaN
                    kr = 0
                    break
                Vbuf[kr] = v
                if AYbuf is not None:
                    AYbuf[kr] = ay
                row = Mbuf[kr]
                row[0], row[1], row[2], row[3] = step, dual, 0.5 * (sum_a - ay_v), b
                kr += 1
                if kr == size:
                    kr = 0
                    if not rec.flush(size):
                        break
        rec.flush(kr)
        self.kkt_violation_ = max(0.0, kkt)  # < 0 only means no pair violates at all
        self._active, self._shrink_counter = act, counter
        self.n_iter_ = n0 + taken
        if self.status is not Status.DIVERGED:
            self._record_dual(self.n_iter_)
        return taken

    def _rho(self) -> float:
        """libsvm's ρ = −b: the mean of y_t G_t (= −v_t) over free α, else the middle of the feasible
        interval [max over I_low, min over I_up] of y_t G_t."""
        v = self._vs
        if self._n_free:
            return -float(np.dot(self._freef, v)) / self._n_free
        ub_set, lb_set = self._up_low(self._a, self._ys, float(self.params.C))  # no α is free: all at a bound
        ub = -float(v[ub_set].max()) if ub_set.any() else math.inf
        lb = -float(v[lb_set].min()) if lb_set.any() else -math.inf
        if math.isinf(ub) and math.isinf(lb):
            return 0.0
        if math.isinf(ub):
            return lb
        if math.isinf(lb):
            return ub
        return (ub + lb) / 2

    def _dual_objectives(self) -> tuple[float, float, float]:
        """(D, P, b) from v in O(n): αᵀQα = Σα − (α∘y)·v, so D = ½(Σα + (α∘y)·v); the hinge of point t
        is max(0, 1 − y_t f_t) = max(0, y_t (v_t − b))."""
        a, y, v, C = self._a, self._ys, self._vs, float(self.params.C)
        sa = float(np.add.reduce(a))
        ay_v = float(np.dot(self._ay, v))
        b = -self._rho()
        dual = 0.5 * (sa + ay_v)
        hinge = v - b
        hinge *= y
        primal = 0.5 * (sa - ay_v) + C * float(np.add.reduce(np.maximum(hinge, 0.0, out=hinge)))
        return dual, primal, b

    def _relative_gap(self) -> float:
        """(P − D) / max(1, |P|): the stopping rule's measure of how far from the optimum the run is."""
        dual, primal, _ = self._dual_objectives()
        return relative_gap(primal, dual)

    def _record_dual(self, step: int) -> bool:
        C = float(self.params.C)
        if self._rows is not None and self._rows.overflowed:
            self.status = Status.INVALID
            self.message = self._overflow_message()
            return False
        dual, primal, b = self._dual_objectives()
        if not (math.isfinite(dual) and math.isfinite(primal)):
            self.status = Status.DIVERGED
            bad = dual if not math.isfinite(dual) else primal
            what = "inf" if math.isinf(bad) else "nan"
            self.message = (f"Training stopped at step {step}: the objective became {what}. "
                            f"Lower C (now {C:g}) or gamma.")
            return False
        self.intercept_ = b
        self.dual_, self.primal_ = dual, primal
        if self.params.kernel == "linear":
            self.w_ = self._Xs.T @ self._ay
        w1, w2 = self._w12()
        self.history_.append(step, dual, primal, primal - dual, w1, w2, b)
        return True

    def _w12(self) -> tuple[float, float]:
        if self.params.kernel == "linear" and self.X.shape[1] == 2:
            return float(self.w_[0]), float(self.w_[1])
        return math.nan, math.nan


class _Recorder:
    """History rows of a run of SMO steps, (step, D, P, P − D, w1, w2, b): D and b are O(1) per step given
    (α∘y)·v and ρ, but P needs the hinge sum over every point, Σ max(0, y_t (v_t − b)); a row per step while
    the history is short would cost as much as the step. So the loop copies v (and α∘y for w) into ``V``
    (``AY``) and (step, D, ½αᵀQα, b) into ``M``, and ``flush`` sums the hinges of the batch as one array."""

    def __init__(self, solver: DualSolver, n: int) -> None:
        self.solver = solver
        self.C = float(solver.params.C)
        self.size = size = max(1, min(32, 8192 // max(n, 1)))  # the batch in ~64 kB: in cache
        self.V = np.empty((size, n))
        self.M = np.empty((size, 4))
        linear = solver.params.kernel == "linear" and solver.X.shape[1] == 2
        self.AY = np.empty((size, n)) if linear else None

    def flush(self, k: int) -> bool:
        """Append the first k rows; False if a P is not finite (then ``_record_dual`` says where)."""
        if not k:
            return True
        solver = self.solver
        M = self.M[:k]
        bs = M[:, 3]
        H = self.V[:k] - bs[:, None]
        H *= solver._ys
        np.maximum(H, 0.0, out=H)
        out = np.empty((k, 7))  # step, D, P, P − D, w1, w2, b
        out[:, 0] = M[:, 0]
        out[:, 1] = M[:, 1]
        primals = out[:, 2]
        np.add(M[:, 2], self.C * H.sum(axis=1), out=primals)
        np.subtract(primals, M[:, 1], out=out[:, 3])
        if self.AY is not None:
            out[:, 4:6] = self.AY[:k] @ solver._Xs
        else:
            out[:, 4:6] = math.nan
        out[:, 6] = bs
        solver.history_.extend(out)
        if not np.isfinite(primals).all():
            solver._record_dual(int(M[-1, 0]))  # says where it became inf or NaN
            return False
        return True
