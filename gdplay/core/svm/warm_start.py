"""The dual solver's warm start after a change of C or the kernel: α carried over to the new box, then polished
by an active-set method (exact solves of the free α) before SMO takes over. A mixin of DualSolver."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.svm.solver_state import SolverState
from gdplay.core.trainer import Status

FULL_POLISH = 600  # up to this many points the warm start's polish computes the float64 matrix once


class WarmStart(SolverState):
    """What a change of C or the kernel does to a trained α (see DualSolver for the state it reads)."""

    alpha_: np.ndarray
    _v: np.ndarray
    _kernel_rows: Callable[[], K.KernelRows]
    _kernel_times: Callable[[np.ndarray], np.ndarray]
    _update_masks_all: Callable[[], None]
    _record_dual: Callable[[int], bool]

    def _warm_start(self, old_C: float, kernel_changed: bool) -> bool:
        """Carry α over to a new C: α at the old bound C moves to the new bound (a point inside the margin
        stays there), free α are clipped to [0, C]; then Σα_i y_i = 0 is restored by taking the excess off
        the heavier class, from its free α first (scaling down keeps every α in [0, C]). A new kernel keeps α
        (a feasible start) but none of the kernel rows. False if the new kernel overflows (the run is then
        INVALID, with its message)."""
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
        rows = self._kernel_rows()  # a new one if the kernel changed
        if kernel_changed or not rows.finite:
            if not rows.finite:
                self.status = Status.INVALID
                self.message = self._overflow_message()
                return False
        v = self._active_set(a, C)
        self.alpha_ = a
        self._v = v if v is not None else self.y - self._kernel_times(a * self.y)
        self._update_masks_all()
        self.status = Status.TRAINING if self.n_iter_ else Status.READY
        self._record_dual(self.n_iter_)  # the same step again: the history keeps this newest row
        return True

    def _active_set(self, a: np.ndarray, C: float, rounds: int = 40) -> np.ndarray | None:
        """Polish a warm start with an active-set method: solve the free α exactly (``_newton_free``), then
        free the points that violate the optimality conditions most, and again, until none does beyond tol.
        A small change of C or the width moves only a few points across the margin, so this ends in a few
        small solves where SMO would take hundreds of pair updates to settle the free α. Its cost is bounded
        (kernel values computed): past that, on thousands of points, SMO takes over and the window sees its
        intermediate boundaries instead of waiting. Returns v = y − K(α∘y) if the last thing it did was to
        compute it for α as they are (None: compute it again)."""
        y = self.y
        eps = 1e-12 * C
        tol = float(self.params.tol)
        free = (a > eps) & (a < C - eps)
        n = len(a)
        budget = 1.5e6  # kernel values (~10 ms): a drag wants the new setting's first boundary soon
        # a few hundred points: the float64 matrix once (cheaper than its blocks computed again each round)
        full = K.kernel_matrix(self.X, self.X, **self.params.kernel_args()) if n <= FULL_POLISH else None
        for _ in range(rounds):
            m, nnz = int(free.sum()), int(np.count_nonzero(a))
            budget -= m * m + m * nnz + n * nnz
            if budget < 0 or not self._newton_free(a, C, free, full):
                return None
            v = y - self._kernel_times(a * y)  # at the optimum, v is one value b on the free set
            up = ((y > 0) & (a < C)) | ((y < 0) & (a > 0))
            low = ((y > 0) & (a > 0)) | ((y < 0) & (a < C))
            if not up.any() or not low.any() or v[up].max() - v[low].min() <= tol:
                return v
            b = float(np.median(v[free])) if free.any() else 0.5 * (v[up].max() + v[low].min())
            # how far each point outside the free set is on the wrong side of b
            wrong = np.where(~free & up, v - b, -np.inf)
            wrong = np.maximum(wrong, np.where(~free & low, b - v, -np.inf))
            # free the worst few at once: a large change moves many points across the margin
            worst = np.argsort(wrong)[::-1][: max(1, int(free.sum()) // 4)]
            worst = worst[wrong[worst] > tol / 2]
            if not len(worst):
                return v
            free[worst] = True
        return None

    def _newton_free(self, a: np.ndarray, C: float, free: np.ndarray, full: np.ndarray | None = None,
                     rounds: int = 8) -> bool:
        """Solve for the free α exactly, assuming no α leaves its side (at 0, free, at C): a small C or
        kernel change moves few, so SMO then has little left to do. With Q = (y yᵀ)∘K the free α and the
        multiplier ν of Σ α_i y_i = 0 solve
            [Q_FF  y_F] [α_F]   [1 − Q_FB α_B]
            [y_Fᵀ   0 ] [ ν ] = [  −y_B·α_B  ]
        Both the current α and this solution satisfy the equality, so the dual objective rises along the
        segment between them: step as far as the box [0, C] allows; an α that reaches 0 or C leaves the
        free set and the system is solved again (an active-set method, a few rounds at most). ``full``: the
        kernel matrix in float64, if at hand (else its blocks are computed from the points)."""
        y, X, kargs = self.y, self.X, self.params.kernel_args()
        eps = 1e-12 * C
        for _ in range(rounds):
            m = int(free.sum())
            if not 0 < m <= 2000:
                return False
            bound = ~free & (a > eps)
            yf = y[free]
            A = np.empty((m + 1, m + 1))
            # the blocks in float64 from the points: float32 rounding would make a singular Q_FF (a linear
            # kernel has rank d) look regular and its solution useless
            if full is not None:
                fi, bi = np.flatnonzero(free), np.flatnonzero(bound)
                K_ff, K_fb = full[np.ix_(fi, fi)], full[np.ix_(fi, bi)]
            else:
                Xf = X[free]
                K_ff, K_fb = K.kernel_matrix(Xf, Xf, **kargs), K.kernel_matrix(Xf, X[bound], **kargs)
            A[:m, :m] = K_ff * np.outer(yf, yf)
            A[:m, m] = A[m, :m] = yf
            A[m, m] = 0.0
            rhs = np.empty(m + 1)
            rhs[:m] = 1.0 - yf * (K_fb @ (a[bound] * y[bound]))
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
