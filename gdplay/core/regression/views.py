"""The pictures a regression run computes next to the trainer: the cost surface and its window, J(w), the
fitted curves, the residuals (a mixin of RegressionTrainer)."""

from __future__ import annotations

import numpy as np

from gdplay.core.regression.results import CostCurve, FitCurves, Surface
from gdplay.core.trainer import Status, frozen


class Pictures:
    """The views of RegressionTrainer."""

    SURFACE_SHAPE = (160, 160)

    # -- pictures --------------------------------------------------------------------------------------
    def surface_range(self) -> tuple[tuple[float, float], ...] | None:
        """Per parameter, a window that holds the start, the optimum and the finite part of the paths."""
        if self.sums.n == 0:
            return None
        start = np.linalg.solve(self.basis.R, self.params.start())
        # a start whose cost overflows (1e308) is left out: the window could not hold it and the optimum too
        far = self.runs[0].status is Status.DIVERGED and self.runs[0].n_iter == 0
        pts = [] if far and self.optimum is not None else [start[None, :]]
        if self.optimum is not None:
            pts.append(self.optimum.theta[None, :])
        base = np.vstack(pts)
        lo, hi = base.min(axis=0), base.max(axis=0)
        span = np.maximum(hi - lo, 1e-3 * np.maximum(np.abs(hi), 1.0))
        p = len(start)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._grow_window(lo, hi, span, p)

    def _grow_window(self, lo: np.ndarray, hi: np.ndarray, span: np.ndarray, p: int) -> tuple:
        for run in self.runs:
            path = run.history.rows()[:, 6: 6 + p]
            ok = path[np.isfinite(path).all(axis=1)]
            if len(ok):
                # grow to hold the path, but not without bound: a diverging path would squash the picture
                lo = np.maximum(np.minimum(lo, ok.min(axis=0)), lo - 4 * span)
                hi = np.minimum(np.maximum(hi, ok.max(axis=0)), hi + 4 * span)
        span = np.maximum(hi - lo, span)
        pad = 0.15 * span
        big = np.finfo(np.float64).max / 4  # a window of a path near 1e308 stays finite, and so does its width
        return tuple((float(np.clip(a - d, -big, big)), float(np.clip(b + d, -big, big)))
                     for a, b, d in zip(lo, hi, pad))

    def surface(self, axes: tuple[int, int], i_range: tuple[float, float], j_range: tuple[float, float],
                shape: tuple[int, int] = SURFACE_SHAPE) -> Surface | None:
        """The cost over θ_i × θ_j (optimisation units) through the main run's other parameters."""
        if self.sums.n == 0 or len(self.runs[0].theta) < 2:
            return None
        i, j = axes
        theta = self.runs[0].theta
        key = (axes, tuple(i_range), tuple(j_range), tuple(shape), self._data_gen,
               tuple(np.delete(theta, [i, j])))
        hit = self._cache.get("surface")
        if hit is not None and hit[0] == key:
            return hit[1]
        vi = np.linspace(*i_range, shape[1])
        vj = np.linspace(*j_range, shape[0])
        self._view_version += 1
        with np.errstate(over="ignore", invalid="ignore"):
            grid = self.q.cost_grid(theta, i, j, vi, vj)
        s = Surface((i, j), tuple(i_range), tuple(j_range), frozen(grid), self._view_version)
        self._cache["surface"] = (key, s)
        return s

    def cost_curve(self, w_range: tuple[float, float], n: int = 400) -> CostCurve | None:
        """J(w) for the one-parameter model."""
        if self.sums.n == 0 or len(self.runs[0].theta) != 1:
            return None
        key = (tuple(w_range), n, self._data_gen)
        hit = self._cache.get("curve")
        if hit is not None and hit[0] == key:
            return hit[1]
        w = np.linspace(*w_range, n)
        q = self.q
        if self.params.model == "sine":
            z = q.curve(w)
        else:
            B = q.T[:, 0][None, :] * w[:, None] - q.e0[None, :]  # β̃ for each w
            z = np.maximum(np.einsum("ni,ij,nj->n", B, q.G, B) - 2 * B @ q.h + q.c, 0.0) * q.factor
        self._view_version += 1
        c = CostCurve(frozen(w), frozen(z), self._view_version)
        self._cache["curve"] = (key, c)
        return c

    def fit_curves(self, x_range: tuple[float, float], n: int = 200) -> FitCurves | None:
        """The runs' fitted curves and the least-squares curve over x, evaluated in the accurate basis."""
        if self.sums.n == 0:
            return None
        xs = np.linspace(*x_range, n if self.params.model in ("poly", "sine") else 2)
        if self.params.model == "sine":
            ys = np.array([self.q.predict(run.theta, xs) for run in self.runs])
            opt = self.q.predict(self.optimum.theta, xs) if self.optimum is not None else None
            self._view_version += 1
            return FitCurves(frozen(xs), frozen(ys), None if opt is None else frozen(opt), self._view_version)
        s = self.sums
        phi = np.vander((xs - s.x_ref) / s.s_ref, self.basis.D + 1, increasing=True)
        with np.errstate(over="ignore", invalid="ignore"):  # a run that diverged (or started at 1e308)
            ys = np.array([s.y_ref + phi @ self.q.residual_coef(run.theta) for run in self.runs])
        opt = s.y_ref + phi @ self.q.residual_coef(self.optimum.theta) if self.optimum is not None else None
        self._view_version += 1
        return FitCurves(frozen(xs), frozen(ys), None if opt is None else frozen(opt), self._view_version)

    def residuals(self) -> np.ndarray:
        """(x, y, fitted y) of every point for the main run, as rows."""
        s = self.sums
        if self.params.model == "sine":
            return frozen(np.column_stack([self.x, self.y, self.q.predict(self.runs[0].theta, self.x)]))
        phi = np.vander((self.x - s.x_ref) / s.s_ref, self.basis.D + 1, increasing=True)
        with np.errstate(over="ignore", invalid="ignore"):
            fitted = s.y_ref + phi @ self.q.residual_coef(self.runs[0].theta) if len(self.x) else np.empty(0)
        return frozen(np.column_stack([self.x, self.y, fitted]))
