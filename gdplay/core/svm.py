"""Support vector machines: the soft-margin classifier trained two ways, plus the sweeps of the seed article.

Primal (linear kernel only), minimised by (sub)gradient descent:

    P(w, b) = ½‖w‖² + C Σ_i max(0, 1 − y_i (w·x_i + b))

Dual, solved by SMO as in libsvm (Fan, Chen & Lin 2005, second-order working-set selection); with
Q_ij = y_i y_j K(x_i, x_j):

    maximise D(α) = Σ α_i − ½ αᵀQα   subject to 0 <= α_i <= C,  Σ α_i y_i = 0

and f(x) = Σ α_i y_i K(x_i, x) + b. libsvm reports obj = −D. The duality gap P − D >= 0 is 0 at the optimum.

The solver keeps v = −y∘∇(½αᵀQα − Σα) (libsvm's −y_t G_t), updated with two kernel rows per step, so a step
costs O(n) and y_t f(x_t) = 1 − y_t v_t + y_t b comes for free. It stops when the maximal KKT violation
max_{I_up} v − min_{I_low} v <= tol (libsvm's stopping rule, tol = 1e-3 as libsvm's default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from gdplay.core import kernels as K
from gdplay.core import state as saved
from gdplay.core.contours import iso_polylines
from gdplay.core.datasets import seed_experiment
from gdplay.core.history import History
from gdplay.core.state import StateError
from gdplay.core.trainer import Snapshot, Status, ValidationError, diverged_message, frozen

SOLVERS = ("dual", "primal")
LR_SCHEDULES = ("pegasos", "constant", "invscaling")
CERTIFICATE_EPS = 1e-2  # primal: points with |y f − 1| <= this count as on the margin when building α̂
CERTIFICATE_EVERY = 10  # primal: steps between duality-gap checks (each costs O(n d))
MAX_DUAL_POINTS = 5000  # the dual solver keeps the full kernel matrix, float32 as libsvm (5000² · 4 B = 100 MB)
TAU = 1e-12  # libsvm's floor for a non-positive curvature a_ij (duplicate points)
F32_MAX = float(np.finfo(np.float32).max)
ALPHA_RTOL = 1e-6  # α within this fraction of C below C counts as at the bound (α = 0 is exact)
HISTORY_FIELDS = ("dual", "primal", "gap", "w1", "w2", "b")
STATE_FORMAT = 1
STATE_SCALARS = ("dual", "primal", "kkt_violation", "learning_rate")  # may be NaN: saved as one array


# -- parameters ------------------------------------------------------------------------------------------
def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _shown(value: object) -> str:
    return f"{value:g}" if _is_number(value) else repr(value)


def _positive(name: str, value: object) -> None:
    if not (_is_number(value) and math.isfinite(value) and value > 0):
        raise ValidationError(f"{name} must be > 0; got {_shown(value)}.")


@dataclass(frozen=True)
class SVMParams:
    """Hyperparameters of an SVM run.

    Live (apply between steps, warm-started from the current α or w): ``C``, ``gamma``, ``coef0``,
    ``learning_rate``, ``lr_schedule``, ``power_t``, ``max_steps``, ``tol``.
    Structural (restart the run): ``kernel``, ``solver``, ``degree``.

    Primal learning rate at step t (counted from 0): ``pegasos`` (the default): η / (1 + η t), which starts at
    η and becomes 1/t, the 1/(λt) rule of Pegasos for the strong convexity λ = 1 of ½‖w‖² (it converges for
    every C, ever more slowly as C grows); ``constant``: η; ``invscaling``: η / (1 + t)^power_t.

    ``tol`` ends a run when the optimum is reached: the relative duality gap (P − D) / max(1, |P|) <= tol and,
    for the dual solver, also the maximal KKT violation <= tol (libsvm's own rule).
    """

    kernel: str = "linear"
    C: float = 1.0
    gamma: float = 0.5  # RBF and poly; the seed's experiment 2 uses γ = 1/σ² = 0.04
    degree: int = 3
    coef0: float = 1.0
    solver: str = "dual"
    learning_rate: float = 1e-3  # primal only
    lr_schedule: str = "pegasos"
    power_t: float = 0.5
    max_steps: int = 1_000_000
    tol: float = 1e-3

    def validate(self) -> SVMParams:
        if self.kernel not in K.KERNELS:
            raise ValidationError(f"kernel must be one of {', '.join(map(repr, K.KERNELS))}; got {self.kernel!r}.")
        if self.solver not in SOLVERS:
            raise ValidationError(f"solver must be one of {', '.join(map(repr, SOLVERS))}; got {self.solver!r}.")
        _positive("C", self.C)
        if self.kernel != "linear":
            _positive("gamma", self.gamma)
        if not (_is_number(self.degree) and int(self.degree) == self.degree and 1 <= self.degree <= 20):
            raise ValidationError(f"degree must be an integer in [1, 20]; got {self.degree!r}.")
        if not (_is_number(self.coef0) and math.isfinite(self.coef0)):
            raise ValidationError(f"coef0 must be a finite number; got {self.coef0!r}.")
        _positive("learning_rate", self.learning_rate)
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValidationError(
                f"lr_schedule must be one of {', '.join(map(repr, LR_SCHEDULES))}; got {self.lr_schedule!r}."
            )
        if not (_is_number(self.power_t) and 0 <= self.power_t <= 1):
            raise ValidationError(f"power_t must be in [0, 1]; got {self.power_t!r}.")
        if not (_is_number(self.max_steps) and int(self.max_steps) == self.max_steps and self.max_steps >= 1):
            raise ValidationError(f"max_steps must be an integer >= 1; got {self.max_steps!r}.")
        _positive("tol", self.tol)
        if self.solver == "primal" and self.kernel != "linear":
            raise ValidationError(
                f"The primal solver works on the linear kernel only; got kernel={self.kernel!r}. "
                "Use solver='dual' for the polynomial and RBF kernels."
            )
        return self

    def kernel_args(self) -> dict:
        return {"kernel": self.kernel, "gamma": float(self.gamma), "degree": int(self.degree),
                "coef0": float(self.coef0)}

    def learning_rate_at(self, t: int) -> float:
        if self.lr_schedule == "constant":
            return float(self.learning_rate)
        if self.lr_schedule == "pegasos":
            eta = float(self.learning_rate)
            return eta / (1.0 + eta * t)
        return float(self.learning_rate) / (1.0 + t) ** self.power_t


STRUCTURAL = ("kernel", "solver", "degree")


# -- data --------------------------------------------------------------------------------------------------
def as_signed_labels(y: np.ndarray) -> np.ndarray:
    """Labels as ±1 floats: accepts {−1, +1} or {0, 1} (0 -> −1)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValidationError(f"y must be a 1-D array of labels; got shape {y.shape}.")
    if y.size == 0:
        return np.empty(0)
    yf = y.astype(np.float64)
    values = set(np.unique(yf).tolist())
    if values <= {-1.0, 1.0}:
        return yf
    if values <= {0.0, 1.0}:
        return np.where(yf > 0, 1.0, -1.0)
    shown = sorted(values)[:5]
    raise ValidationError(f"Labels must be +1/-1 or 0/1; got values {shown}.")


def _check_X(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and X.size == 0:
        X = X.reshape(0, 2)
    if X.ndim != 2:
        raise ValidationError(f"X must be a 2-D array (n_samples, n_features); got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValidationError("The points contain NaN or infinity; every coordinate must be a finite number.")
    return X


def data_problem(y: np.ndarray) -> str:
    """Why training data cannot be trained on, or "" if they can (y are ±1 labels)."""
    if len(y) == 0:
        return "No training points yet. Add points of both classes to train an SVM."
    n_classes = len(np.unique(y))
    if n_classes < 2:
        return ("The number of classes has to be greater than one; got 1 class. "
                "Add points of both classes to train an SVM.")
    return ""


def scale_note(X: np.ndarray, params: SVMParams) -> str:
    """Why a linear or polynomial run may stop far from the optimum on points of an extreme scale, or "".
    Their kernel grows with the coordinates (x·y), so C weighs the hinge loss as C·K would on points of size
    about 1: on points of 1e12 a C of 1 is a nearly hard margin, which SMO (and libsvm) approach very slowly
    when the classes overlap (1e6 steps left it at 20 % accuracy where the same points divided by 1e12 fit
    in 100 steps). The RBF kernel stays in [0, 1]; γ sets its scale."""
    X = np.asarray(X, dtype=np.float64)
    if params.kernel == "rbf" or not X.size or not np.isfinite(X).all():
        return ""
    size = float(np.abs(X).max())
    with np.errstate(over="ignore"):
        k = float(np.max(np.einsum("ij,ij->i", X, X)))
        if params.kernel == "poly":
            k = float((params.gamma * k + abs(params.coef0)) ** params.degree)
        weight = float(params.C) * k
    if not weight > 1e6:
        return ""
    return (f"The points reach {size:.1e}, so the kernel values reach {k:.1e} and C = {params.C:g} acts as a "
            f"C of about {weight:.0e} would on points of size 1: a nearly hard margin, which the solver (and "
            f"libsvm) approach very slowly. Divide the coordinates by about {size:.0e}, or lower C to about "
            f"{params.C / k:.0e}.")


# -- results and snapshots ---------------------------------------------------------------------------------
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


def linear_grid(w: np.ndarray, b: float, x_range: tuple[float, float], y_range: tuple[float, float],
                shape: tuple[int, int] = (200, 200)) -> np.ndarray:
    xs = np.linspace(x_range[0], x_range[1], int(shape[1]))
    ys = np.linspace(y_range[0], y_range[1], int(shape[0]))
    return ((w[1] * ys)[:, None] + (w[0] * xs)[None, :] + b).astype(np.float32)


def relative_gap(primal: float, dual: float) -> float:
    """(P − D) / max(1, |P|), the stopping rule's measure: 0 at the optimum (P = D), ≥ 0 otherwise."""
    return (primal - dual) / max(1.0, abs(primal))


def dual_certificate(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, C: float,
                     eps: float = CERTIFICATE_EPS) -> tuple[float, np.ndarray]:
    """A feasible α̂ built from a primal (w, b), and D(α̂) <= D* = P*: a lower bound that certifies how far
    P(w, b) is from the optimum. α̂ = C where y f < 1 − eps, 0 where y f > 1 + eps, and on the margin the α
    that best rebuild w = Σ α y x with Σ α y = 0 (least squares), clipped to [0, C]; Σ α̂ y = 0 is then
    restored by scaling the heavier class down."""
    m = y * (X @ w + b)
    a = np.where(m < 1.0 - eps, C, 0.0)
    on = np.abs(m - 1.0) <= eps
    if on.any():
        A = np.vstack([(X[on] * y[on, None]).T, y[on][None, :]])
        rhs = np.r_[w - X.T @ (a * y), -float(a @ y)]
        a_on = np.linalg.lstsq(A, rhs, rcond=None)[0]
        a[on] = np.clip(a_on, 0.0, C)
    excess = float(a @ y)
    if excess != 0.0:
        heavy = y > 0 if excess > 0 else y < 0
        total = float(a[heavy].sum())
        if total > 0:
            a[heavy] *= max(0.0, 1.0 - abs(excess) / total)
    u = X.T @ (a * y)
    dual = float(a.sum() - 0.5 * (u @ u))
    if not dual > 0.0:  # α = 0 is feasible too, with D = 0: never report a worse bound than that
        return 0.0, np.zeros_like(a)
    return dual, a


def hinge_sum(margins: np.ndarray) -> float:
    """Σ max(0, 1 − y f)."""
    return float(np.maximum(0.0, 1.0 - margins).sum())


def primal_objective(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, C: float) -> float:
    """½‖w‖² + C Σ max(0, 1 − y (w·x + b))."""
    return 0.5 * float(w @ w) + C * hinge_sum(y * (X @ w + b))


def primal_cost_surface(X: np.ndarray, y: np.ndarray, C: float, b: float, w1_range: tuple[float, float],
                        w2_range: tuple[float, float], shape: tuple[int, int] = (120, 120),
                        chunk: int = 256) -> np.ndarray:
    """P(w1, w2, b) on a grid, rows = w2, columns = w1 (2-D data), in chunks of points to bound memory."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValidationError(f"The cost surface over (w1, w2) needs 2-D data; got shape {X.shape}.")
    w1 = np.linspace(w1_range[0], w1_range[1], int(shape[1]))
    w2 = np.linspace(w2_range[0], w2_range[1], int(shape[0]))
    cost = 0.5 * (w2[:, None] ** 2 + w1[None, :] ** 2)
    hinge = np.zeros_like(cost)
    for s in range(0, len(X), chunk):
        xs, ys = X[s:s + chunk], y[s:s + chunk]
        # margins m[k, i, j] = y_k (w1_j x_k1 + w2_i x_k2 + b)
        m = (xs[:, 1:2] * w2[None, :])[:, :, None] + (xs[:, 0:1] * w1[None, :])[:, None, :] + b
        m *= ys[:, None, None]
        np.subtract(1.0, m, out=m)
        np.maximum(m, 0.0, out=m)
        hinge += m.sum(axis=0)
    return cost + C * hinge


# -- the trainer -------------------------------------------------------------------------------------------
class SVMTrainer:
    """A soft-margin SVM trained step by step. One dual step is one SMO pair update; one primal step is one
    full-batch subgradient step.

    Learned state: ``alpha_``, ``support_``, ``support_vectors_``, ``dual_coef_``, ``intercept_`` (b),
    ``coef_`` (w, linear kernel only), ``n_iter_``, ``history_``.
    """

    def __init__(self, params: SVMParams | None = None, history_capacity: int = 4096) -> None:
        self.params = (params or SVMParams()).validate()
        self.params_version = 0
        self.data_version = 0
        self.history_ = History(HISTORY_FIELDS, capacity=history_capacity)
        self._set_arrays(np.empty((0, 2)), np.empty(0), np.zeros(0, dtype=bool))
        self.reset()

    # -- data and params -------------------------------------------------------------------------------
    def _set_arrays(self, X: np.ndarray, y: np.ndarray, test_mask: np.ndarray) -> None:
        self.X_all = frozen(X)
        self.y_all = frozen(y)
        self.test_mask = frozen(test_mask)
        self.train_idx = np.flatnonzero(~test_mask)
        self.X = frozen(X[self.train_idx])
        self.y = frozen(y[self.train_idx])
        self._K: np.ndarray | None = None
        self._K_key: tuple | None = None
        # where each training row stands in libsvm's own order: classes grouped by first occurrence, with a
        # -1/+1 pair swapped so that +1 comes first (libsvm's svm_group_classes): for ±1 labels the +1 rows,
        # then the -1 rows, each in row order. SMO breaks ties by this order, as libsvm does.
        order = np.r_[np.flatnonzero(self.y > 0), np.flatnonzero(self.y <= 0)]
        self._libsvm_pos = np.empty(len(order), dtype=np.intp)
        self._libsvm_pos[order] = np.arange(len(order))

    def set_data(self, X: np.ndarray, y: np.ndarray, version: int = 0, test_mask: np.ndarray | None = None) -> None:
        """New points (labels ±1 or 0/1; rows with ``test_mask`` True are held out). The run restarts."""
        X = _check_X(X)
        y = as_signed_labels(y)
        if len(X) != len(y):
            raise ValidationError(f"X and y must have the same number of rows; got {len(X)} and {len(y)}.")
        if test_mask is None:
            test_mask = np.zeros(len(y), dtype=bool)
        test_mask = np.asarray(test_mask, dtype=bool)
        if test_mask.shape != y.shape:
            raise ValidationError(f"test_mask must have one entry per row; got shape {test_mask.shape}.")
        self._set_arrays(X, y, test_mask)
        self.data_version = version
        self.reset()

    def set_params(self, params: SVMParams, version: int = 0) -> None:
        """Structural changes (kernel, solver, degree) restart; C, γ, coef0 and the step size keep the
        current α (or w, b) and go on from there."""
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if any(getattr(old, f) != getattr(params, f) for f in STRUCTURAL):
            self.reset()
            return
        if self.status is Status.INVALID and not self._problem():
            self.reset()
            return
        if self.status is Status.INVALID:
            return
        if self.status is Status.DIVERGED and params != old:
            self.reset()  # the last finite state is usually far out; start again with the new settings
            return
        if params.solver == "dual":
            kernel_changed = (params.kernel != "linear" and old.gamma != params.gamma) or (
                params.kernel == "poly" and old.coef0 != params.coef0)
            if kernel_changed or params.C != old.C:
                with np.errstate(under="ignore"):
                    self._warm_start(old.C, kernel_changed)
        restart = params != old and self.status in (Status.CONVERGED, Status.MAX_STEPS)
        if restart and self.n_iter_ < params.max_steps:
            self.status = Status.TRAINING
            self.message = ""

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

    def _overflow_message(self) -> str:
        p = self.params
        return (f"The {p.kernel} kernel overflows on these points (gamma={p.gamma:g}, degree={p.degree}); "
                "lower gamma or the degree.")

    def _problem(self) -> str:
        return data_problem(self.y)

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

    # -- the protocol -----------------------------------------------------------------------------------
    def reset(self) -> None:
        with np.errstate(under="ignore"):
            self._reset()

    def _reset(self) -> None:
        p = self.params
        n, d = self.X.shape
        self.n_iter_ = 0
        self.history_.clear()
        self.message = ""
        self.alpha_ = np.zeros(n)
        self.intercept_ = 0.0
        self.w_ = np.zeros(d)
        self._v = self.y.copy()  # −y∘G with G = Qα − 1 = −1 at α = 0
        self.kkt_violation_ = math.nan
        self.learning_rate_ = math.nan
        self._alpha_hat = np.zeros(n)  # primal: α rebuilt from (w, b)
        self._primal_gap = math.inf
        problem = self._problem()
        if not problem and p.solver == "dual" and n > MAX_DUAL_POINTS:
            problem = (f"The dual solver keeps the full kernel matrix, so it takes at most {MAX_DUAL_POINTS} "
                       f"training points; got {n}. Use the linear kernel with the primal solver.")
        if problem:
            self.status = Status.INVALID
            self.message = problem
            self.dual_ = self.primal_ = math.nan
            return
        self.status = Status.READY
        if p.solver == "dual":
            self._build_kernel()
            if not np.isfinite(self._K).all():
                self.status = Status.INVALID
                self.message = self._overflow_message()
                self.dual_ = self.primal_ = math.nan
                return
            self._update_masks_all()
            self._record_dual(0)
        else:
            self._K = None
            self.learning_rate_ = p.learning_rate_at(0)
            self._record_primal(0)

    def step(self, k: int) -> int:
        """Take up to ``k`` steps; returns how many were taken."""
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        limit = min(int(k), int(self.params.max_steps) - self.n_iter_)
        if limit <= 0:
            self._finish(Status.MAX_STEPS)
            return 0
        with np.errstate(under="ignore"):  # RBF rows of far-apart points are ~1e-300: harmless
            taken = self._step_dual(limit) if self.params.solver == "dual" else self._step_primal(limit)
        if self.status is Status.TRAINING and self.n_iter_ >= self.params.max_steps:
            self._finish(Status.MAX_STEPS)
        return taken

    def fit(self) -> SVMTrainer:
        while self.status.can_step:
            if self.step(100_000) == 0:
                break
        return self

    def _finish(self, status: Status) -> None:
        self.status = status
        tol = self.params.tol
        dual = self.params.solver == "dual"
        if status is Status.CONVERGED:
            what = "max KKT violation and " if dual else ""
            self.message = (f"Converged at step {self.n_iter_}: the optimum within tol ({what}relative duality gap "
                            f"(P − D)/max(1, |P|) <= {tol:g}).")
        elif status is Status.MAX_STEPS:
            gap = self._relative_gap() if dual else self._primal_gap
            self.message = f"Stopped at the step limit ({self.params.max_steps:,})"
            if math.isfinite(gap) and gap > tol:
                self.message += (f" before the optimum: the relative duality gap is {gap:.3g} > tol = {tol:g}."
                                 + ("" if dual else " Subgradient steps slow down as C grows; the dual solver "
                                    "reaches the optimum."))
            else:
                self.message += "."

    # -- sessions ----------------------------------------------------------------------------------------
    def export_state(self) -> dict:
        """What the run learned since the last reset (not the params or the data: saved apart), JSON-able.
        Both solvers save α, v, w and b (the unused ones are cheap); v is saved, not recomputed from α,
        because SMO updates it step by step and a rebuilt one would differ in the last bits."""
        return {
            "kind": "svm", "format": STATE_FORMAT, "structure": {k: getattr(self.params, k) for k in STRUCTURAL},
            "n_train": len(self.y), "status": self.status.value, "message": self.message, "step": self.n_iter_,
            "alpha": saved.encode_array(self.alpha_), "v": saved.encode_array(self._v),
            "w": saved.encode_array(self.w_), "b": float(self.intercept_),
            "scalars": saved.encode_array(np.array([self.dual_, self.primal_, self.kkt_violation_,
                                                    self.learning_rate_])),
            "history": saved.encode_history(self.history_),
        }

    def import_state(self, state: dict) -> None:
        """Go on from ``export_state``'s result, made with the params and data this trainer has now. Everything
        is checked first (StateError, with the field named); on an error the trainer is unchanged."""
        what = "The saved SVM state"
        saved.check_header(state, "svm", STATE_FORMAT, what)
        saved.check_structure(state, self.params, STRUCTURAL, what)
        n, d = self.X.shape
        n_saved = saved.field(state, "n_train", what, int)
        if n_saved != n:
            raise StateError(f"{what} is for {n_saved} training points; the data has {n}.")
        status = saved.decode_status(state, what)
        message = saved.field(state, "message", what, str)
        step = saved.field(state, "step", what, int)
        if step < 0:
            raise StateError(f"{what}: 'step' is {step}; expected a whole number >= 0.")

        def array(key: str, name: str, **checks) -> np.ndarray:
            return saved.decode_array(saved.field(state, key, what, dict), f"{what}'s {name}", **checks)

        alpha = array("alpha", "α (one per training point)", shape=(n,), finite=True)
        C = float(self.params.C)
        if not ((alpha >= 0) & (alpha <= C)).all():
            raise StateError(f"{what}'s α leaves the box [0, C = {C:g}] of the current settings.")
        v = array("v", "v (one per training point)", shape=(n,))  # may overflow in a diverged run
        w = array("w", "w (one per feature)", shape=(d,), finite=True)
        b = saved.field(state, "b", what, float)
        if not math.isfinite(b):
            raise StateError(f"{what}: 'b' is {b!r}; expected a finite number.")
        scalars = array("scalars", "scalars", shape=(len(STATE_SCALARS),))
        history = saved.decode_history(saved.field(state, "history", what, dict), f"{what}'s history",
                                       HISTORY_FIELDS, self.history_.capacity)
        if status is not Status.INVALID:
            problem = self._problem() or ("too many points for the dual solver" if self.params.solver == "dual"
                                          and n > MAX_DUAL_POINTS else "")
            if problem:
                raise StateError(f"{what} is a trained run, but the current data cannot be trained: {problem}")
            if self.params.solver == "dual":
                self._build_kernel()  # a cache of X and the params: building it changes no state
                if not np.isfinite(self._K).all():
                    raise StateError(f"{what} is a trained run, but {self._overflow_message()}")
        # everything is checked: adopt it
        self.status, self.message, self.n_iter_ = status, message, step
        self.alpha_, self._v, self.w_, self.intercept_ = alpha, v, w, b
        self.dual_, self.primal_, self.kkt_violation_, self.learning_rate_ = map(float, scalars)
        self.history_ = history
        self._update_masks_all()  # I_up and I_low follow from α, y and C
        self._alpha_hat, self._primal_gap = np.zeros(n), math.inf
        if self.params.solver == "primal" and status is not Status.INVALID and math.isfinite(self.primal_):
            self._certify(self.w_, self.intercept_, self.primal_)  # α̂ follows from w and b

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

    # -- primal: subgradient descent ------------------------------------------------------------------------
    def _step_primal(self, limit: int) -> int:
        X, y, p = self.X, self.y, self.params
        C, tol = float(p.C), float(p.tol)
        w, b = self.w_.copy(), self.intercept_
        hist = self.history_
        n0 = self.n_iter_
        taken = 0
        with np.errstate(over="ignore", invalid="ignore"):
            while taken < limit:
                t = n0 + taken
                lr = p.learning_rate_at(t)
                viol = y * (X @ w + b) < 1.0
                # ∂P/∂w = w − C Σ_{y f < 1} y x,  ∂P/∂b = −C Σ_{y f < 1} y
                yv = y[viol]
                gw = w - C * (yv @ X[viol])
                gb = -C * float(yv.sum())
                g2 = float(gw @ gw) + gb * gb
                new_w = w - lr * gw
                new_b = b - lr * gb
                record = hist.want(t + 1)
                check = record or (t + 1) % CERTIFICATE_EVERY == 0
                # the objective when it is recorded or checked, else ‖w‖² + |b| as a cheap overflow check
                obj = primal_objective(new_w, new_b, X, y, C) if check else float(new_w @ new_w) + abs(new_b)
                if not (math.isfinite(g2) and math.isfinite(obj)):
                    # keep the last finite (w, b); a step size past 2 makes ½‖w‖² oscillate and grow
                    self.status = Status.DIVERGED
                    self.message = diverged_message(t + 1, "primal objective", math.inf if math.isinf(obj)
                                                    or math.isinf(g2) else math.nan, lr)
                    break
                w, b = new_w, new_b
                taken += 1
                if check:
                    # a subgradient step is not monotone and its subgradient never vanishes at a kink: stop
                    # on the duality gap against the lower bound D(α̂) <= P*, i.e. when P is near optimal
                    dual = self._certify(w, b, obj)
                    if record:
                        hist.append(t + 1, dual, obj, obj - dual, *self._w12_of(w), b)
                    if self._primal_gap <= tol:
                        self.n_iter_ = t + 1
                        self.w_, self.intercept_ = w, b
                        self._finish(Status.CONVERGED)
                        break
        self.w_, self.intercept_ = w, b
        self.n_iter_ = n0 + taken
        self.primal_ = primal_objective(w, b, X, y, C)
        self._certify(w, b, self.primal_)
        self.learning_rate_ = p.learning_rate_at(self.n_iter_)
        return taken

    def _certify(self, w: np.ndarray, b: float, primal: float) -> float:
        """The primal run's lower bound D(α̂) and its relative gap (``dual_certificate``)."""
        with np.errstate(over="ignore", invalid="ignore"):
            dual, self._alpha_hat = dual_certificate(w, b, self.X, self.y, float(self.params.C))
        self.dual_ = dual
        self._primal_gap = relative_gap(primal, dual) if math.isfinite(primal) and math.isfinite(dual) else math.inf
        return dual

    def _w12_of(self, w: np.ndarray) -> tuple[float, float]:
        return (float(w[0]), float(w[1])) if len(w) == 2 else (math.nan, math.nan)

    def _record_primal(self, step: int) -> None:
        self.primal_ = primal_objective(self.w_, self.intercept_, self.X, self.y, float(self.params.C))
        dual = self._certify(self.w_, self.intercept_, self.primal_)
        self.history_.append(step, dual, self.primal_, self.primal_ - dual, *self._w12_of(self.w_), self.intercept_)

    # -- learned state ------------------------------------------------------------------------------------
    def _train_yf(self) -> np.ndarray:
        if len(self.y) == 0:
            return np.empty(0)
        if self.params.solver == "dual":
            return 1.0 - self.y * self._v + self.y * self.intercept_
        return self.y * (self.X @ self.w_ + self.intercept_)

    @property
    def support_(self) -> np.ndarray:
        """Training-row indices of the support vectors: α > 0 (dual); α̂ > 0 (primal: ``dual_certificate``)."""
        if self.params.solver == "dual":
            return np.flatnonzero(self.alpha_ > 0)
        return np.flatnonzero(self._alpha_hat > 0)

    @property
    def support_vectors_(self) -> np.ndarray:
        return self.X[self.support_]

    @property
    def dual_coef_(self) -> np.ndarray:
        s = self.support_
        return self.alpha_[s] * self.y[s]

    @property
    def coef_(self) -> np.ndarray | None:
        return self.w_.copy() if self.params.kernel == "linear" else None

    def decision_function(self, Xq: np.ndarray) -> np.ndarray:
        Xq = np.asarray(Xq, dtype=np.float64)
        if self.params.kernel == "linear":
            return Xq @ self.w_ + self.intercept_
        return K.kernel_sum(Xq, self.support_vectors_, self.dual_coef_, self.intercept_,
                            **self.params.kernel_args())

    def predict(self, Xq: np.ndarray) -> np.ndarray:
        return np.where(self.decision_function(Xq) >= 0, 1.0, -1.0)

    def result(self) -> SVMResult:
        s = self.support_
        dual = self.params.solver == "dual"
        return SVMResult(
            alpha=frozen(self.alpha_ if dual else np.full(len(self.y), np.nan)),
            support=frozen(s), support_vectors=frozen(self.X[s]),
            dual_coef=frozen(self.alpha_[s] * self.y[s] if dual else np.full(len(s), np.nan)),
            intercept=float(self.intercept_), coef=None if self.coef_ is None else frozen(self.coef_),
            n_support=len(s), dual_objective=float(self.dual_), primal_objective=float(self.primal_),
            y_f=frozen(self._train_yf()), n_iter=self.n_iter_,
        )

    # -- snapshot ---------------------------------------------------------------------------------------
    def snapshot(self) -> SVMSnapshot:
        with np.errstate(under="ignore"):
            return self._snapshot()

    def _snapshot(self) -> SVMSnapshot:
        p = self.params
        n_all = len(self.y_all)
        dual = p.solver == "dual"
        valid = self.status is not Status.INVALID
        yf_all = np.full(n_all, np.nan)
        alpha_all = np.zeros(n_all) if dual else np.full(n_all, np.nan)
        margin = np.zeros(n_all, dtype=bool)
        bound = np.zeros(n_all, dtype=bool)
        support = np.empty(0, dtype=np.intp)
        sv = np.empty((0, self.X_all.shape[1]))
        dual_coef = np.empty(0)
        w = None
        if valid:
            yf_train = self._train_yf()
            yf_all[self.train_idx] = yf_train
            test = np.flatnonzero(self.test_mask)
            if len(test):
                yf_all[test] = self.y_all[test] * self.decision_function(self.X_all[test])
            s = self.support_
            support = self.train_idx[s]
            sv = self.X[s]
            C = float(p.C)
            if dual:
                alpha_all[self.train_idx] = self.alpha_
                dual_coef = self.alpha_[s] * self.y[s]
                at_bound = self.alpha_ >= C * (1 - ALPHA_RTOL)
                margin[self.train_idx] = (self.alpha_ > 0) & ~at_bound
                bound[self.train_idx] = at_bound
            else:  # from α̂, the multipliers rebuilt from w
                at_bound = self._alpha_hat >= C * (1 - ALPHA_RTOL)
                margin[self.train_idx] = (self._alpha_hat > 0) & ~at_bound
                bound[self.train_idx] = at_bound
            if p.kernel == "linear":
                w = frozen(self.w_)
        train = ~self.test_mask
        wrong = yf_all <= 0
        train_acc = float(np.mean(~wrong[train])) if valid and train.any() else math.nan
        test_acc = float(np.mean(~wrong[self.test_mask])) if valid and self.test_mask.any() else math.nan
        norm_w = float(np.sqrt(w @ w)) if w is not None else math.nan
        width = 2.0 / norm_w if w is not None and norm_w > 0 else math.nan
        if valid:
            tail = (self.n_iter_, self.dual_, self.primal_, self.primal_ - self.dual_,
                    *(self._w12() if dual else self._w12_of(self.w_)), self.intercept_)
            history = self.history_.rows(tail)
        else:
            history = frozen(np.empty((0, 1 + len(HISTORY_FIELDS))))
        cost = self.dual_ if dual else self.primal_
        return SVMSnapshot(
            step=self.n_iter_, params_version=self.params_version, status=self.status, message=self.message,
            cost=float(cost), params=p, data_version=self.data_version, n_points=n_all,
            X=self.X_all, y=self.y_all, test_mask=self.test_mask,
            alpha=frozen(alpha_all), support=frozen(support), support_vectors=frozen(sv),
            dual_coef=frozen(dual_coef), margin_mask=frozen(margin), bound_mask=frozen(bound),
            w=w, b=float(self.intercept_) if valid else math.nan, margin_width=width, y_f=frozen(yf_all),
            misclassified=frozen(wrong & valid), train_accuracy=train_acc, test_accuracy=test_acc,
            n_support=len(support), dual_objective=float(self.dual_), primal_objective=float(self.primal_),
            duality_gap=float(self.primal_ - self.dual_), kkt_violation=float(self.kkt_violation_),
            learning_rate=float(self.learning_rate_), history=history,
        )

    def with_params(self, **changes) -> SVMParams:
        return replace(self.params, **changes)


# -- scikit-learn reference --------------------------------------------------------------------------------
def reference(X: np.ndarray, y: np.ndarray, params: SVMParams) -> SVMResult:
    """The same problem solved by scikit-learn's SVC (libsvm), γ passed through exactly, tol = params.tol."""
    from sklearn.svm import SVC  # lazy: importing scikit-learn takes about a second

    params = params.validate()
    X = _check_X(X)
    y = as_signed_labels(y)
    problem = data_problem(y)
    if problem:
        raise ValidationError(problem)
    clf = SVC(kernel=params.kernel, C=float(params.C), gamma=float(params.gamma), degree=int(params.degree),
              coef0=float(params.coef0), tol=float(params.tol), max_iter=-1)
    clf.fit(X, y)
    support = np.asarray(clf.support_, dtype=np.intp)
    order = np.argsort(support)
    support = support[order]
    dual_coef = np.asarray(clf.dual_coef_[0], dtype=np.float64)[order]
    sv = X[support]
    b = float(clf.intercept_[0])
    alpha = np.zeros(len(y))
    alpha[support] = dual_coef * y[support]
    Ksv = K.kernel_matrix(sv, sv, **params.kernel_args())
    quad = float(dual_coef @ Ksv @ dual_coef)
    y_f = y * K.kernel_sum(X, sv, dual_coef, b, **params.kernel_args())
    coef = dual_coef @ sv if params.kernel == "linear" else None
    return SVMResult(
        alpha=frozen(alpha), support=frozen(support), support_vectors=frozen(sv), dual_coef=frozen(dual_coef),
        intercept=b, coef=None if coef is None else frozen(coef), n_support=len(support),
        dual_objective=float(alpha.sum() - 0.5 * quad),
        primal_objective=0.5 * quad + float(params.C) * hinge_sum(y_f),
        y_f=frozen(y_f), n_iter=int(np.sum(clf.n_iter_)),
    )


@dataclass(frozen=True)
class SolutionDiff:
    """How far two solutions are apart; ``only_in_a`` / ``only_in_b`` are support indices in one only."""

    w_abs: float  # ‖w_a − w_b‖ (NaN for non-linear kernels)
    w_rel: float  # ‖w_a − w_b‖ / ‖w_b‖
    b_abs: float
    dual_rel: float  # |D_a − D_b| / |D_b|
    only_in_a: np.ndarray
    only_in_b: np.ndarray

    @property
    def support_symmetric_difference(self) -> np.ndarray:
        return np.union1d(self.only_in_a, self.only_in_b)


def compare_solutions(a: SVMResult, b: SVMResult) -> SolutionDiff:
    """Compare a solution (e.g. ``trainer.result()``) with another (e.g. ``reference(...)``)."""
    if a.coef is not None and b.coef is not None:
        w_abs = float(np.linalg.norm(a.coef - b.coef))
        nb = float(np.linalg.norm(b.coef))
        w_rel = w_abs / nb if nb > 0 else (0.0 if w_abs == 0 else math.inf)
    else:
        w_abs = w_rel = math.nan
    dual_rel = abs(a.dual_objective - b.dual_objective) / max(abs(b.dual_objective), 1e-300)
    return SolutionDiff(
        w_abs=w_abs, w_rel=w_rel, b_abs=abs(a.intercept - b.intercept), dual_rel=dual_rel,
        only_in_a=np.setdiff1d(a.support, b.support), only_in_b=np.setdiff1d(b.support, a.support),
    )


# -- the seed's sweeps ---------------------------------------------------------------------------------------
class CSweepPoint(NamedTuple):
    C: float
    n_support: int
    w: np.ndarray | None
    b: float


class SigmaSweepPoint(NamedTuple):
    sigma2: float
    gamma: float
    n_support: int
    train_accuracy: float
    test_accuracy: float


def _fit_or_raise(trainer: SVMTrainer) -> SVMTrainer:
    trainer.fit()
    if trainer.status in (Status.INVALID, Status.DIVERGED):
        raise ValidationError(trainer.message)
    return trainer


def sweep_C(X: np.ndarray, y: np.ndarray,
            C_values: tuple[float, ...] = (1e-5, 1e-3, 1, 10, 100, 1e3, 1e5, 1e7),
            kernel: str = "linear", gamma: float = 0.5, degree: int = 3, coef0: float = 1.0,
            tol: float = 1e-3, max_steps: int = 1_000_000) -> list[CSweepPoint]:
    """Experiment 1: fit the dual for each C from α = 0, as the article's loop calls libsvm afresh for each C
    (a warm start stops at a different point within tol, and the article's numbers are libsvm's stopping
    points); the kernel matrix is built once."""
    trainer = SVMTrainer(SVMParams(kernel=kernel, C=float(C_values[0]), gamma=gamma, degree=degree, coef0=coef0,
                                   tol=tol, max_steps=max_steps))
    trainer.set_data(X, y)
    out = []
    for i, C in enumerate(C_values):
        if i:
            trainer.params = trainer.with_params(C=float(C)).validate()
            trainer.reset()
        _fit_or_raise(trainer)
        out.append(CSweepPoint(float(C), len(trainer.support_), trainer.coef_, float(trainer.intercept_)))
    return out


def sweep_sigma2(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
                 sigma2_values: tuple[float, ...] = (1, 2, 4, 8, 32, 128), gamma_convention: str = "code",
                 C: float = 1.0, tol: float = 1e-3, max_steps: int = 1_000_000) -> list[SigmaSweepPoint]:
    """Experiment 2: an RBF SVM for each σ², with γ = 1/σ² (the seed's code) or 1/(2σ²) (its formula), each
    fitted from α = 0 as the article's loop does."""
    X_train, X_test = _check_X(X_train), _check_X(X_test)
    X = np.vstack([X_train, X_test]) if len(X_test) else X_train
    y = np.concatenate([as_signed_labels(y_train), as_signed_labels(y_test)])
    test_mask = np.r_[np.zeros(len(X_train), dtype=bool), np.ones(len(X_test), dtype=bool)]
    gammas = [K.gamma_from_sigma2(s2, gamma_convention) for s2 in sigma2_values]
    trainer = SVMTrainer(SVMParams(kernel="rbf", C=C, gamma=gammas[0], tol=tol, max_steps=max_steps))
    trainer.set_data(X, y, test_mask=test_mask)
    out = []
    for i, (s2, g) in enumerate(zip(sigma2_values, gammas)):
        if i:
            trainer.params = trainer.with_params(gamma=g).validate()
            trainer.reset()
        _fit_or_raise(trainer)
        snap = trainer.snapshot()
        out.append(SigmaSweepPoint(float(s2), g, snap.n_support, snap.train_accuracy, snap.test_accuracy))
    return out


# -- what the article (seed 003) prints, on its own data (``datasets.seed_experiment``) ------------------------
class ArticleExperiment1(NamedTuple):
    """Experiment 1 at C = 1 (libsvm ``-s 0 -t 0``), as printed: w, b = −ρ, libsvm's obj = −D and ρ, and
    the support vectors (0-based rows of the article's X; it prints their number, nSV = 3)."""

    w: tuple[float, float] = (0.36172799, 0.22875099)
    b: float = -0.22133232278883996
    obj: float = -0.091576
    rho: float = 0.221332
    support: tuple[int, ...] = (42, 60, 66)
    n_iter: int = 10


ARTICLE_EXP1 = ArticleExperiment1()
# the C sweep's support-vector counts: the article plots them and prints none; these are libsvm's (3.37,
# the article's code run on its data), which also gives the printed w and b at C = 1 to the last digit
LIBSVM_C_SWEEP_N_SUPPORT = dict(zip((1e-5, 1e-3, 1.0, 10.0, 100.0, 1e3, 1e5, 1e7), (100, 35, 3, 3, 3, 3, 3, 3)))
# experiment 2 at γ = 0.04 (σ² = 25), C = 1: train / test accuracy in per cent, as printed (3 decimals)
ARTICLE_EXP2_ACCURACY = (93.704, 90.000)
# the σ² table (γ = 1/σ², C = 1): σ² -> (train %, test %), as printed (4 decimals)
ARTICLE_SIGMA2_ACCURACY = {1.0: (97.4074, 86.6667), 2.0: (96.2963, 86.6667), 4.0: (95.1852, 90.0),
                           8.0: (94.4444, 93.3333), 32.0: (93.7037, 90.0), 128.0: (93.3333, 90.0)}


def article_experiment_of(X_train: np.ndarray, y_train: np.ndarray) -> int | None:
    """1 or 2 if these training rows are exactly the article's experiment's (in its order), else None: only
    then are its printed numbers the ones to expect."""
    for number in (1, 2):
        exp = seed_experiment(number)
        train = ~exp.test
        if X_train.shape == exp.X[train].shape and np.array_equal(X_train, exp.X[train]) \
                and np.array_equal(y_train, exp.y[train]):
            return number
    return None


# -- what the SVM tab asks the trainer for (views and requests run in the training process) -------------
SEED_C_VALUES = (1e-5, 1e-3, 1.0, 10.0, 100.0, 1e3, 1e5, 1e7)
SEED_SIGMA2_VALUES = (1.0, 2.0, 4.0, 8.0, 32.0, 128.0)


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
                ref_map = DecisionMap(values, tuple(map(float, x_range)), tuple(map(float, y_range)))
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
