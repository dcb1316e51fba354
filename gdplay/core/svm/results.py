"""What an SVM run hands out: the fitted result, the snapshot the window draws, and its pictures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.svm.objectives import linear_grid, primal_cost_surface
from gdplay.core.svm.params import HISTORY_FIELDS, SVMParams
from gdplay.core.trainer import Snapshot


@dataclass(frozen=True, kw_only=True)
class SVMResult:
    """A solution, indexed by training rows: the trainer's and scikit-learn's have the same fields."""

    alpha: np.ndarray
    support: np.ndarray  # indices into the training rows
    support_vectors: np.ndarray
    dual_coef: np.ndarray  # α_s y_s for the support vectors
    intercept: float  # b
    coef: np.ndarray | None  # w, linear kernel only
    n_support: int
    dual_objective: float  # D(α) = Σα − ½αᵀQα (libsvm prints obj = −D)
    primal_objective: float
    y_f: np.ndarray  # y_i f(x_i) on the training rows
    n_iter: int


@dataclass(frozen=True, kw_only=True)
class SVMSnapshot(Snapshot):
    """What the SVM tab draws. Per-point arrays have one entry per row given to ``set_data`` (train and
    test rows alike); ``support`` holds row indices. ``cost`` is the dual objective D(α) for the dual
    solver and the primal objective P(w, b) for the primal solver.

    ``history`` rows are (step, dual, primal, gap, w1, w2, b) (``HISTORY_FIELDS`` after step); entries
    that do not apply are NaN (dual and gap for the primal solver, w1 and w2 for non-linear kernels).
    """

    params: SVMParams
    data_version: int
    n_points: int
    X: np.ndarray  # all rows, read-only, shared between snapshots
    y: np.ndarray  # ±1
    test_mask: np.ndarray
    alpha: np.ndarray  # NaN for the primal solver
    support: np.ndarray
    support_vectors: np.ndarray
    dual_coef: np.ndarray
    margin_mask: np.ndarray  # 0 < α < C: on the margin, y f = 1
    bound_mask: np.ndarray  # α = C: inside the margin or misclassified
    w: np.ndarray | None
    b: float
    margin_width: float  # 2/‖w‖, linear kernel; NaN otherwise
    y_f: np.ndarray  # y f(x) for every row (the hinge-loss plot: loss = max(0, 1 − y f))
    misclassified: np.ndarray
    train_accuracy: float
    test_accuracy: float  # NaN without test rows
    n_support: int
    dual_objective: float
    primal_objective: float
    duality_gap: float
    kkt_violation: float  # max_{I_up} v − min_{I_low} v; the dual solver stops when <= tol
    learning_rate: float  # the current primal step size (NaN for the dual solver)
    history: np.ndarray
    extra: dict = field(default_factory=dict)

    def history_column(self, name: str) -> np.ndarray:
        """One column of ``history`` by name: 'step' or one of HISTORY_FIELDS."""
        return self.history[:, 0 if name == "step" else 1 + HISTORY_FIELDS.index(name)]

    def decision_grid(self, x_range: tuple[float, float], y_range: tuple[float, float],
                      shape: tuple[int, int] = (200, 200)) -> np.ndarray:
        """f on a grid, float32, row-major (row = y), from the support vectors only."""
        if self.w is not None:
            # the primal solver has w but no support-vector expansion
            return linear_grid(self.w, self.b, x_range, y_range, shape)
        p = self.params
        return K.decision_grid(x_range, y_range, shape, self.support_vectors, self.dual_coef, self.b,
                               p.kernel, p.gamma, p.degree, p.coef0)

    def decision_function(self, Xq: np.ndarray) -> np.ndarray:
        Xq = np.asarray(Xq, dtype=np.float64)
        if self.w is not None:
            return Xq @ self.w + self.b
        return K.kernel_sum(Xq, self.support_vectors, self.dual_coef, self.b, **self.params.kernel_args())

    def cost_surface(self, w1_range: tuple[float, float], w2_range: tuple[float, float],
                     shape: tuple[int, int] = (120, 120)) -> np.ndarray:
        """The primal objective over (w1, w2) at the current b (training rows, 2-D linear data)."""
        train = ~self.test_mask
        return primal_cost_surface(self.X[train], self.y[train], self.params.C, self.b, w1_range, w2_range,
                                   shape)


class DecisionMap(NamedTuple):
    """f over a grid of the input plane: ``values`` float32, rows = x2, columns = x1; with the boundary
    f = 0 and the margins f = ±1 traced here (``iso_polylines`` form, the margins chained for a dashed
    pen), next to the map, so the window only draws them."""

    values: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    boundary: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    margins: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


class CostSurface(NamedTuple):
    """P(w1, w2; b) at a fixed b over a grid (rows = w2, columns = w1), float32; ``version`` changes only
    when the values do, so a view can skip an unchanged surface."""

    values: np.ndarray
    w1_range: tuple[float, float]
    w2_range: tuple[float, float]
    b: float
    version: int
