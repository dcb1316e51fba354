"""The SVM tab's trainer: SVMTrainer plus the views the window asks for (decision map, boundary and margins,
cost surface) and the one-off requests (libsvm comparison, sweeps)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.contours import iso_polylines
from gdplay.core.datasets import seed_experiment
from gdplay.core.svm.objectives import linear_grid, primal_cost_surface
from gdplay.core.svm.params import SVMParams, data_problem
from gdplay.core.svm.reference import (
    SEED_C_VALUES,
    SEED_SIGMA2_VALUES,
    article_experiment_of,
    compare_solutions,
    reference,
    sweep_C,
    sweep_sigma2,
)
from gdplay.core.svm.results import CostSurface, DecisionMap, SVMResult
from gdplay.core.svm.trainer import SVMTrainer
from gdplay.core.trainer import Status, ValidationError


def _nice_ceil(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is >= x (x > 0)."""
    e = math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0 ** e >= x * (1 - 1e-12):
            return m * 10.0 ** e
    return 10.0 ** (e + 1)  # pragma: no cover


def surface_window(points: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square window over (w1, w2) that holds the given points and the origin, with its half-width a
    1-2-5 number and its centre on a grid of a quarter of that, so it moves only in jumps."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    pts = np.vstack([pts, np.zeros((1, 2))])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    half = _nice_ceil(max(float((hi - lo).max()) * 0.65, 1e-6))
    step = half / 4
    centre = np.round((lo + hi) / 2 / step) * step
    return ((centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half))


class SVMTabTrainer(SVMTrainer):
    """The SVM trainer plus what the tab asks of it between steps (``TrainingController.set_view`` and
    ``request``): the decision map, the primal cost surface, the libsvm comparison and the seed's sweeps.
    Failures of a request come back as ``{"error": message}`` instead of stopping the trainer."""

    def __init__(self, params: SVMParams | None = None, history_capacity: int = 4096) -> None:
        super().__init__(params, history_capacity)
        self._surface_key: tuple | None = None
        self._surface: CostSurface | None = None
        self._surface_version = 0

    # -- views, with every snapshot --------------------------------------------------------------------
    def decision_map(self, x_range: tuple[float, float], y_range: tuple[float, float],
                     shape: tuple[int, int] = (120, 120)) -> DecisionMap | None:
        """f on a grid over the given range, from the support vectors (None while there is no model)."""
        if self.status is Status.INVALID or self.X.shape[1] != 2:
            return None
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            if self.params.kernel == "linear":
                values = linear_grid(self.w_, self.intercept_, x_range, y_range, shape)
            else:
                p = self.params
                values = K.decision_grid(x_range, y_range, shape, self.support_vectors_, self.dual_coef_,
                                         self.intercept_, p.kernel, p.gamma, p.degree, p.coef0)
        xr, yr = (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1]))
        return DecisionMap(values, xr, yr, iso_polylines(values, 0.0, xr, yr, chain=False),
                           iso_polylines(values, (-1.0, 1.0), xr, yr, chain=True))

    def primal_surface(self, shape: tuple[int, int] = (80, 80)) -> CostSurface | None:
        """P(w1, w2; b) at the current b, over a window that holds the path of w (linear kernel, 2-D data).
        Recomputed only when the window, C, the data or b (by more than 0.2 % of the window) change."""
        if self.status is Status.INVALID or self.params.kernel != "linear" or self.X.shape[1] != 2:
            return None
        h = self.history_.rows((self.n_iter_, math.nan, math.nan, math.nan, *self._w12_of(self.w_),
                                self.intercept_))
        path = h[:, 4:6] if len(h) else np.zeros((0, 2))
        w1r, w2r = surface_window(np.vstack([path, self.w_[None, :]]))
        b = float(self.intercept_)
        old = self._surface
        key = (w1r, w2r, float(self.params.C), self.data_version, tuple(shape))
        if old is not None and self._surface_key == key and abs(old.b - b) <= 0.002 * (w1r[1] - w1r[0]):
            return old
        with np.errstate(over="ignore", invalid="ignore"):
            values = primal_cost_surface(self.X, self.y, float(self.params.C), b, w1r, w2r, shape)
        self._surface_version += 1
        self._surface_key = key
        # float32 halves what is sent, but holds at most 3.4e38: points of 1e20 and more keep float64, with
        # an overflow to inf drawn as the largest float (the surface's top)
        values = np.minimum(values, np.finfo(np.float64).max)
        small = float(np.abs(values).max(initial=0.0)) < 1e38
        self._surface = CostSurface(values.astype(np.float32) if small else values, w1r, w2r, b,
                                    self._surface_version)
        return self._surface

    # -- requests ------------------------------------------------------------------------------------------
    def compare_reference(self, x_range: tuple[float, float] | None = None,
                          y_range: tuple[float, float] | None = None,
                          shape: tuple[int, int] = (120, 120), ref: SVMResult | None = None) -> dict:
        """Solve the same problem with scikit-learn's SVC (libsvm) (or take ``ref``, its solution on these
        training rows, solved elsewhere) and compare it with the current solution. Support indices are rows as
        given to ``set_data`` (train and test rows together)."""
        try:
            if self.status is Status.INVALID:
                return {"error": self.message}
            p = self.params
            if ref is None:
                ref = reference(self.X, self.y, replace(p, solver="dual"))
            elif len(ref.alpha) != len(self.y):
                return {"error": "The points changed while libsvm was solving; compare again."}
            ours = self.result()
            diff = compare_solutions(ours, ref)
            rows = self.train_idx
            ref_map = None
            if x_range is not None and y_range is not None and self.X.shape[1] == 2:
                with np.errstate(under="ignore", over="ignore", invalid="ignore"):
                    values = K.decision_grid(x_range, y_range, shape, ref.support_vectors, ref.dual_coef,
                                             ref.intercept, p.kernel, p.gamma, p.degree, p.coef0)
                ref_map = DecisionMap(values, (float(x_range[0]), float(x_range[1])),
                                      (float(y_range[0]), float(y_range[1])))
            return {
                "error": "", "params": p, "params_version": self.params_version, "data_version": self.data_version,
                "step": self.n_iter_, "status": self.status.value,
                "w_ours": ours.coef, "w_ref": ref.coef, "b_ours": ours.intercept, "b_ref": ref.intercept,
                "dual_ours": ours.dual_objective, "dual_ref": ref.dual_objective,
                "n_support_ours": ours.n_support, "n_support_ref": ref.n_support,
                "support_ref": rows[ref.support], "only_ours": rows[diff.only_in_a], "only_ref": rows[diff.only_in_b],
                "diff": diff, "ref_map": ref_map,
            }
        except (ValidationError, ValueError) as exc:
            return {"error": str(exc)}

    def sweep_C_here(self, C_values: tuple[float, ...] = SEED_C_VALUES) -> dict:
        """Experiment 1's sweep on the current training rows: a linear SVM for each C."""
        try:
            problem = data_problem(self.y)
            if problem:
                return {"error": problem}
            points = sweep_C(self.X, self.y, tuple(C_values), kernel="linear", tol=float(self.params.tol))
            return {"error": "", "points": points, "X": self.X, "y": self.y, "data_version": self.data_version,
                    "article_data": article_experiment_of(self.X, self.y) == 1}
        except (ValidationError, ValueError) as exc:
            return {"error": str(exc)}

    def sweep_sigma2_here(self, sigma2_values: tuple[float, ...] = SEED_SIGMA2_VALUES,
                          gamma_convention: str = "code", C: float | None = None) -> dict:
        """Experiment 2's sweep on the current rows (train and held-out test): an RBF SVM for each σ²."""
        try:
            problem = data_problem(self.y)
            if problem:
                return {"error": problem}
            test = self.test_mask
            C = float(self.params.C if C is None else C)
            points = sweep_sigma2(self.X, self.y, self.X_all[test], self.y_all[test], tuple(sigma2_values),
                                  gamma_convention, C=C, tol=float(self.params.tol))
            exp2 = seed_experiment(2)
            same = article_experiment_of(self.X, self.y) == 2 and np.array_equal(self.X_all[test], exp2.X[exp2.test])
            return {"error": "", "points": points, "C": C, "convention": gamma_convention,
                    "n_train": len(self.y), "n_test": int(test.sum()), "data_version": self.data_version,
                    "article_data": bool(same)}
        except (ValidationError, ValueError) as exc:
            return {"error": str(exc)}
