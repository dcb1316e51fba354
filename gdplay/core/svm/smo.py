"""The dual solver: SMO with libsvm's second-order working-set selection, its stopping rule and the warm
start after a change of C or the kernel (a mixin of SVMTrainer, which holds the state it reads)."""

from __future__ import annotations

import math

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.svm.objectives import relative_gap
from gdplay.core.svm.params import F32_MAX, TAU
from gdplay.core.trainer import Status


class DualSolver:
    """SMO on the dual; see the package's notes for the formulas."""

    def _warm_start(self, old_C: float, kernel_changed: bool) -> None:
        """Carry α over to a new C: α at the old bound C moves to the new bound (a point inside the margin
        stays there), free α are clipped to [0, C]; then Σα_i y_i = 0 is restored by taking the excess off
        the heavier class, from its free α first (scaling down keeps every α in [0, C])."""
        C = float(self.params.C)
        a, y = self.alpha_, self.y
        if C != old_C:
            a[a >= old_C * (1 - 1e-12)] = C
            np.minimum(a, C, out=a)
            excess = float(a @ y)  # > 0: the +1 class is too heavy
            if excess != 0.0:
                heavy = y > 0 if excess > 0 else y < 0
                excess = abs(excess)
                free = heavy & (a < C)
                free_sum = float(a[free].sum())
                if free_sum >= excess:
                    a[free] *= 1.0 - excess / free_sum
                else:
                    total = float(a[heavy].sum())
                    a[heavy] *= 1.0 - excess / total
        if kernel_changed:
            self._K = None
            self._build_kernel()
        if not np.isfinite(self._K).all():
            self.status = Status.INVALID
            self.message = self._overflow_message()
            return
        self._active_set(a, C)
        self._v = self.y - self._kernel_matvec(a * self.y)
        self._update_masks_all()
        self.status = Status.TRAINING if self.n_iter_ else Status.READY
        self._record_dual(self.n_iter_)  # the same step again: the history keeps this newest row

    def _active_set(self, a: np.ndarray, C: float, rounds: int = 40) -> None:
        """Polish a warm start with an active-set method: solve the free α exactly (``_newton_free``), then
        free the points that violate the optimality conditions most, and again, until none does beyond tol.
        A small change of C or the width moves only a few points across the margin, so this ends in a few
        small solves where SMO would take hundreds of pair updates to settle the free α."""
        y = self.y
        eps = 1e-12 * C
        tol = float(self.params.tol)
        free = (a > eps) & (a < C - eps)
        n = len(a)
        budget = 2e7 + 10.0 * n * n  # flops: past this (thousands of points, many moving) SMO is cheaper
        for _ in range(rounds):
            budget -= int(free.sum()) ** 3 / 3 + 2.0 * n * n
            if budget < 0 or not self._newton_free(a, C, free):
                return
            v = y - self._kernel_matvec(a * y)  # at the optimum, v is one value b on the free set
            up = ((y > 0) & (a < C)) | ((y < 0) & (a > 0))
            low = ((y > 0) & (a > 0)) | ((y < 0) & (a < C))
            if not up.any() or not low.any() or v[up].max() - v[low].min() <= tol:
                return
            b = float(np.median(v[free])) if free.any() else 0.5 * (v[up].max() + v[low].min())
            # how far each point outside the free set is on the wrong side of b
            wrong = np.where(~free & up, v - b, -np.inf)
            wrong = np.maximum(wrong, np.where(~free & low, b - v, -np.inf))
            # free the worst few at once: a large change moves many points across the margin
            worst = np.argsort(wrong)[::-1][: max(1, int(free.sum()) // 4)]
            worst = worst[wrong[worst] > tol / 2]
            if not len(worst):
                return
            free[worst] = True

    def _newton_free(self, a: np.ndarray, C: float, free: np.ndarray, rounds: int = 8) -> bool:
        """Solve for the free α exactly, assuming no α leaves its side (at 0, free, at C): a small C or
        kernel change moves few, so SMO then has little left to do. With Q = (y yᵀ)∘K the free α and the
        multiplier ν of Σ α_i y_i = 0 solve
            [Q_FF  y_F] [α_F]   [1 − Q_FB α_B]
            [y_Fᵀ   0 ] [ ν ] = [  −y_B·α_B  ]
        Both the current α and this solution satisfy the equality, so the dual objective rises along the
        segment between them: step as far as the box [0, C] allows; an α that reaches 0 or C leaves the
        free set and the system is solved again (an active-set method, a few rounds at most)."""
        y, X, kargs = self.y, self.X, self.params.kernel_args()
        eps = 1e-12 * C
        for _ in range(rounds):
            m = int(free.sum())
            if not 0 < m <= 2000:
                return False
            bound = ~free & (a > eps)
            yf = y[free]
            A = np.empty((m + 1, m + 1))
            # the blocks in float64 from the points: the float32 rows' rounding would make a singular Q_FF
            # (a linear kernel has rank d) look regular and its solution useless
            Xf = X[free]
            A[:m, :m] = K.kernel_matrix(Xf, Xf, **kargs) * np.outer(yf, yf)
            A[:m, m] = A[m, :m] = yf
            A[m, m] = 0.0
            rhs = np.empty(m + 1)
            rhs[:m] = 1.0 - yf * (K.kernel_matrix(Xf, X[bound], **kargs) @ (a[bound] * y[bound]))
            rhs[m] = -float(y[bound] @ a[bound])
            try:
                target = np.linalg.solve(A, rhs)[:m]
            except np.linalg.LinAlgError:  # duplicate points make Q_FF singular; SMO copes on its own
                return False
            if not np.isfinite(target).all():
                return False
            idx = np.flatnonzero(free)
            start = a[idx]
            d = target - start
            with np.errstate(divide="ignore", invalid="ignore"):  # the largest t in [0, 1] inside the box
                t_each = np.where(d > 0, (C - start) / d, np.where(d < 0, -start / d, np.inf))
            t = float(min(1.0, t_each.min()))
            a[idx] = np.clip(start + t * d, 0.0, C)
            if t >= 1.0:
                return True
            hit = idx[t_each <= t * (1 + 1e-12)]
            a[hit] = np.where(a[hit] > C / 2, C, 0.0)  # exactly on the bound it reached
            free[hit] = False
        return True

    def _build_kernel(self) -> None:
        p = self.params
        key = (p.kernel, p.gamma if p.kernel != "linear" else None,
               (p.degree, p.coef0) if p.kernel == "poly" else None)
        if self._K is not None and self._K_key == key:
            return
        with np.errstate(over="ignore", invalid="ignore"):  # γ = 1e308: an inf kernel, said by the callers
            full = K.kernel_matrix(self.X, self.X, **p.kernel_args())
        self._K_key = key
        self._kdiag = np.ascontiguousarray(np.diag(full))  # libsvm's QD: the diagonal in double
        # the rows in single precision, as libsvm keeps them (its Qfloat): the same pair updates, bit for bit,
        # as the article's libsvm run, and half the memory; float64 only where float32 would overflow
        with np.errstate(invalid="ignore"):
            fits = bool(np.isfinite(full).all() and np.abs(full).max(initial=0.0) < F32_MAX)
        self._K = full.astype(np.float32) if fits else full

    def _kernel_matvec(self, u: np.ndarray) -> np.ndarray:
        """K @ u in float64, a block of rows at a time (a float32 K times a float64 vector would first copy
        the whole matrix to float64)."""
        Kmat = self._K
        out = np.empty(Kmat.shape[0])
        for s in range(0, Kmat.shape[0], 1024):
            out[s:s + 1024] = Kmat[s:s + 1024].astype(np.float64) @ u
        return out

    # -- dual: SMO ----------------------------------------------------------------------------------------
    def _update_masks_all(self) -> None:
        a, y, C = self.alpha_, self.y, float(self.params.C)
        self._up = ((y > 0) & (a < C)) | ((y < 0) & (a > 0))  # α_t can move so that y_t α_t grows
        self._low = ((y > 0) & (a > 0)) | ((y < 0) & (a < C))

    def _step_dual(self, limit: int) -> int:
        Kmat, kd, y, a, v = self._K, self._kdiag, self.y, self.alpha_, self._v
        up, low = self._up, self._low
        C = float(self.params.C)
        tol = float(self.params.tol)
        hist = self.history_
        n0 = self.n_iter_
        inf = math.inf
        taken = 0
        while taken < limit:
            # i: the maximal violator in I_up; j: second-order choice in I_low (Fan, Chen & Lin 2005, WSS 2)
            vu = np.where(up, v, -inf)
            i = self._libsvm_tie(vu, int(vu.argmax()))
            gmax = vu[i]
            vl = np.where(low, v, inf)
            gmin = vl.min()
            self.kkt_violation_ = max(0.0, float(gmax - gmin))  # < 0 only means no pair violates at all
            # libsvm stops here; gdplay also asks the relative duality gap to be <= tol, since at a large C a
            # KKT error within tol can still cost C times as much in P (no violating pair left: optimal)
            if gmax - gmin <= tol and (gmax <= gmin or self._relative_gap() <= tol):
                self.n_iter_ = n0 + taken
                self._finish(Status.CONVERGED)
                break
            Ki = Kmat[i]
            bdiff = gmax - vl  # > 0 for candidates that violate with i
            curv = kd + kd[i]
            curv -= 2.0 * Ki
            np.maximum(curv, TAU, out=curv)
            gain = bdiff * bdiff
            gain /= curv
            gain = np.where(bdiff > 0, gain, -1.0)
            j = self._libsvm_tie(gain, int(gain.argmax()))
            yi, yj = y[i], y[j]
            ai, aj = a[i], a[j]
            # Newton step along the feasible direction, clipped to the box (libsvm's update, in v terms)
            quad = max(kd[i] + kd[j] - 2.0 * Ki[j], TAU)
            Gi, Gj = -yi * v[i], -yj * v[j]
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
            di, dj = ni - ai, nj - aj
            a[i], a[j] = ni, nj
            # v = y − K(α∘y): two kernel rows per step
            v -= (yi * di) * Ki + (yj * dj) * Kmat[j]
            for t, at, yt in ((i, ni, yi), (j, nj, yj)):
                up[t] = (at < C) if yt > 0 else (at > 0)
                low[t] = (at > 0) if yt > 0 else (at < C)
            taken += 1
            if hist.want(n0 + taken):
                if not self._record_dual(n0 + taken):
                    break
        self.n_iter_ = n0 + taken
        if self.status is not Status.DIVERGED:
            self._record_dual(self.n_iter_)
        return taken

    def _libsvm_tie(self, values: np.ndarray, first: int) -> int:
        """Of the rows where ``values`` takes its maximum (``first`` is numpy's pick, the lowest row), the one
        libsvm picks: the last in its order (its working-set loops keep a later row on equality). Ties are
        common in the first steps (all α = 0), and they decide which pair updates follow."""
        last = len(values) - 1 - int(values[::-1].argmax())
        if last == first:
            return first
        ties = np.flatnonzero(values == values[first])
        return int(ties[self._libsvm_pos[ties].argmax()])

    def _rho(self) -> float:
        """libsvm's ρ = −b: the mean of y_t G_t (= −v_t) over free α, else the middle of the feasible
        interval [max over I_low, min over I_up] of y_t G_t."""
        a, C, v = self.alpha_, float(self.params.C), self._v
        free = (a > 0) & (a < C)
        n_free = np.count_nonzero(free)
        if n_free:
            return -float(v[free].sum()) / n_free
        ub_set = self._up & ~free
        lb_set = self._low & ~free
        ub = -float(v[ub_set].max()) if ub_set.any() else math.inf
        lb = -float(v[lb_set].min()) if lb_set.any() else -math.inf
        if math.isinf(ub) and math.isinf(lb):
            return 0.0
        if math.isinf(ub):
            return lb
        if math.isinf(lb):
            return ub
        return (ub + lb) / 2

    def _dual_objectives(self) -> tuple[float, float, float, np.ndarray]:
        """(D, P, b, α∘y) from v in O(n): αᵀQα = Σα − (α∘y)·v, so D = ½(Σα + (α∘y)·v); the hinge of point t
        is max(0, 1 − y_t f_t) = max(0, y_t (v_t − b))."""
        a, y, v, C = self.alpha_, self.y, self._v, float(self.params.C)
        ay = a * y
        sa = float(a.sum())
        ay_v = float(ay @ v)
        b = -self._rho()
        dual = 0.5 * (sa + ay_v)
        hinge = v - b
        hinge *= y
        primal = 0.5 * (sa - ay_v) + C * float(np.maximum(hinge, 0.0, out=hinge).sum())
        return dual, primal, b, ay

    def _relative_gap(self) -> float:
        """(P − D) / max(1, |P|): the stopping rule's measure of how far from the optimum the run is."""
        dual, primal, _, _ = self._dual_objectives()
        return relative_gap(primal, dual)

    def _record_dual(self, step: int) -> bool:
        dual, primal, b, ay = self._dual_objectives()
        C = float(self.params.C)
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
            self.w_ = self.X.T @ ay
        w1, w2 = self._w12()
        self.history_.append(step, dual, primal, primal - dual, w1, w2, b)
        return True

    def _w12(self) -> tuple[float, float]:
        if self.params.kernel == "linear" and self.X.shape[1] == 2:
            return float(self.w_[0]), float(self.w_[1])
        return math.nan, math.nan
