"""What the SVM tab asks the training process for, as functions of the trainer (the seam names them:
``controller.set_view(name, views.decision_map, ...)`` with every snapshot, ``controller.request(views.sweep_C,
..., on_reply=...)`` once). Each returns a value or raises with a sentence: ``NotReady`` while there is nothing
to answer (no model yet, the points changed), which the runner sends back as a CallFailed without a traceback."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.contours import iso_polylines
from gdplay.core.datasets import seed_experiment
from gdplay.core.svm.objectives import linear_grid, primal_cost_surface
from gdplay.core.svm.params import SVMParams, data_problem
from gdplay.core.svm.reference import (
    SEED_C_VALUES,
    SEED_SIGMA2_VALUES,
    CSweepPoint,
    SigmaSweepPoint,
    SolutionDiff,
    article_experiment_of,
    compare_solutions,
    reference,
    sweep_C,
    sweep_sigma2,
)
from gdplay.core.svm.results import CostSurface, DecisionMap, SVMResult
from gdplay.core.svm.tab_trainer import SVMTabTrainer
from gdplay.core.trainer import NotReady, Status, ValidationError


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


def _model_or_not_ready(trainer: SVMTabTrainer) -> None:
    if trainer.status is Status.INVALID:
        raise NotReady(trainer.message or "No model yet: add points of both classes.")


def _ranges(x_range: tuple[float, float],
            y_range: tuple[float, float]) -> tuple[tuple[float, float], tuple[float, float]]:
    return (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1]))


# -- views, with every snapshot ----------------------------------------------------------------------------
MAP_BUDGET = 3e7  # multiply-adds for a decision map (~15 ms): past it the map is coarser, not slower


def map_shape(shape: tuple[int, int], n_support: int, kernel: str, budget: float = MAP_BUDGET) -> tuple[int, int]:
    """The grid a decision map is computed on: the requested one, or coarser (same aspect, at least 24 × 24)
    when thousands of support vectors would make it cost more than ``budget``. The RBF grid is one matrix
    product (ny·m·nx); other kernels evaluate K at each of ny·nx points for each of m support vectors."""
    ny, nx = int(shape[0]), int(shape[1])
    cost = ny * nx * max(n_support, 1) * (1 if kernel in ("rbf", "linear") else 8)
    if cost <= budget:
        return ny, nx
    scale = math.sqrt(budget / cost)
    return max(24, min(ny, round(ny * scale))), max(24, min(nx, round(nx * scale)))


def decision_map(trainer: SVMTabTrainer, x_range: tuple[float, float], y_range: tuple[float, float],
                 shape: tuple[int, int] = (120, 120), hurry: bool = False) -> DecisionMap:
    """f on a grid over the given range, from the support vectors, with the boundary and margins traced.
    ``hurry`` (C or the width being dragged): a quarter of the budget, so that thousands of support vectors
    give a coarser map, not fewer of them; the map after the drag is the full one."""
    _model_or_not_ready(trainer)
    if trainer.X.shape[1] != 2:
        raise NotReady(f"The decision map needs 2-D points; these have {trainer.X.shape[1]} coordinates.")
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        if trainer.params.kernel == "linear":
            values = linear_grid(trainer.w_, trainer.intercept_, x_range, y_range, shape)
        else:
            p = trainer.params
            sv = trainer.support_vectors_
            grid = map_shape(shape, len(sv), p.kernel, MAP_BUDGET / 4 if hurry else MAP_BUDGET)
            values = K.decision_grid(x_range, y_range, grid, sv,
                                     trainer.dual_coef_, trainer.intercept_, p.kernel, p.gamma, p.degree, p.coef0)
    xr, yr = _ranges(x_range, y_range)
    return DecisionMap(values, xr, yr, iso_polylines(values, 0.0, xr, yr, chain=False),
                       iso_polylines(values, (-1.0, 1.0), xr, yr, chain=True))


def primal_surface(trainer: SVMTabTrainer, shape: tuple[int, int] = (80, 80)) -> CostSurface:
    """P(w1, w2; b) at the current b, over a window that holds the path of w (linear kernel, 2-D data).
    Recomputed only when the window, C, the data or b (by more than 0.2 % of the window) change."""
    _model_or_not_ready(trainer)
    if trainer.params.kernel != "linear" or trainer.X.shape[1] != 2:
        raise NotReady("The primal cost surface over (w1, w2) is for the linear kernel on 2-D points.")
    h = trainer.history_.rows((trainer.n_iter_, math.nan, math.nan, math.nan, *trainer._w12_of(trainer.w_),
                               trainer.intercept_))
    path = h[:, 4:6] if len(h) else np.zeros((0, 2))
    w1r, w2r = surface_window(np.vstack([path, trainer.w_[None, :]]))
    b = float(trainer.intercept_)
    old = trainer.surface_cache
    key = (w1r, w2r, float(trainer.params.C), trainer.data_version, tuple(shape))
    if old is not None and trainer.surface_key == key and abs(old.b - b) <= 0.002 * (w1r[1] - w1r[0]):
        return old
    with np.errstate(over="ignore", invalid="ignore"):
        values = primal_cost_surface(trainer.X, trainer.y, float(trainer.params.C), b, w1r, w2r, shape)
    trainer.surface_version += 1
    trainer.surface_key = key
    # float32 halves what is sent, but holds at most 3.4e38: points of 1e20 and more keep float64, with
    # an overflow to inf drawn as the largest float (the surface's top)
    values = np.minimum(values, np.finfo(np.float64).max)
    small = float(np.abs(values).max(initial=0.0)) < 1e38
    trainer.surface_cache = CostSurface(values.astype(np.float32) if small else values, w1r, w2r, b,
                                        trainer.surface_version)
    return trainer.surface_cache


# -- requests, once ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """The current solution against libsvm's on the same training rows. Support indices are rows as given to
    ``set_data`` (train and held-out rows together); ``ref_map`` is libsvm's f over the requested grid."""

    params: SVMParams
    params_version: int
    data_version: int
    step: int
    status: str
    w_ours: np.ndarray | None
    w_ref: np.ndarray | None
    b_ours: float
    b_ref: float
    dual_ours: float
    dual_ref: float
    n_support_ours: int
    n_support_ref: int
    support_ref: np.ndarray
    only_ours: np.ndarray
    only_ref: np.ndarray
    diff: SolutionDiff
    ref_map: DecisionMap | None


def compare_with_libsvm(trainer: SVMTabTrainer, x_range: tuple[float, float] | None = None,
                        y_range: tuple[float, float] | None = None, shape: tuple[int, int] = (120, 120),
                        ref: SVMResult | None = None) -> Comparison:
    """Solve the same problem with scikit-learn's SVC (libsvm) (or take ``ref``, its solution on these training
    rows, solved elsewhere) and compare it with the current solution."""
    _model_or_not_ready(trainer)
    p = trainer.params
    try:
        if ref is None:
            ref = reference(trainer.X, trainer.y, replace(p, solver="dual"))
    except (ValidationError, ValueError) as exc:
        raise NotReady(f"libsvm could not solve this problem: {exc}") from None
    if len(ref.alpha) != len(trainer.y):
        raise NotReady("The points changed while libsvm was solving; compare again.")
    ours = trainer.result()
    diff = compare_solutions(ours, ref)
    rows = trainer.train_idx
    ref_map = None
    if x_range is not None and y_range is not None and trainer.X.shape[1] == 2:
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            values = K.decision_grid(x_range, y_range, shape, ref.support_vectors, ref.dual_coef, ref.intercept,
                                     p.kernel, p.gamma, p.degree, p.coef0)
        xr, yr = _ranges(x_range, y_range)
        ref_map = DecisionMap(values, xr, yr)
    return Comparison(
        params=p, params_version=trainer.params_version, data_version=trainer.data_version, step=trainer.n_iter_,
        status=trainer.status.value, w_ours=ours.coef, w_ref=ref.coef, b_ours=ours.intercept, b_ref=ref.intercept,
        dual_ours=ours.dual_objective, dual_ref=ref.dual_objective, n_support_ours=ours.n_support,
        n_support_ref=ref.n_support, support_ref=rows[ref.support], only_ours=rows[diff.only_in_a],
        only_ref=rows[diff.only_in_b], diff=diff, ref_map=ref_map)


@dataclass(frozen=True)
class CSweep:
    """Experiment 1's sweep on the training rows: a linear SVM for each C; ``article_data``: they are the
    article's own points (its numbers apply)."""

    points: list[CSweepPoint]
    X: np.ndarray
    y: np.ndarray
    data_version: int
    article_data: bool


@dataclass(frozen=True)
class SigmaSweep:
    """Experiment 2's sweep: an RBF SVM for each σ² (γ by ``convention``) at C, with train and test accuracy."""

    points: list[SigmaSweepPoint]
    C: float
    convention: str
    n_train: int
    n_test: int
    data_version: int
    article_data: bool


def _trainable(trainer: SVMTabTrainer) -> None:
    problem = data_problem(trainer.y)
    if problem:
        raise NotReady(problem)


def sweep_C_here(trainer: SVMTabTrainer, C_values: tuple[float, ...] = SEED_C_VALUES) -> CSweep:
    """Experiment 1's sweep on the current training rows: a linear SVM for each C."""
    _trainable(trainer)
    try:
        points = sweep_C(trainer.X, trainer.y, tuple(C_values), kernel="linear", tol=float(trainer.params.tol))
    except ValidationError as exc:
        raise NotReady(str(exc)) from None
    return CSweep(points, trainer.X, trainer.y, trainer.data_version,
                  article_experiment_of(trainer.X, trainer.y) == 1)


def sweep_sigma2_here(trainer: SVMTabTrainer, sigma2_values: tuple[float, ...] = SEED_SIGMA2_VALUES,
                      gamma_convention: str = "code", C: float | None = None) -> SigmaSweep:
    """Experiment 2's sweep on the current rows (train and held-out test): an RBF SVM for each σ²."""
    _trainable(trainer)
    test = trainer.test_mask
    C = float(trainer.params.C if C is None else C)
    try:
        points = sweep_sigma2(trainer.X, trainer.y, trainer.X_all[test], trainer.y_all[test], tuple(sigma2_values),
                              gamma_convention, C=C, tol=float(trainer.params.tol))
    except ValidationError as exc:
        raise NotReady(str(exc)) from None
    exp2 = seed_experiment(2)
    same = article_experiment_of(trainer.X, trainer.y) == 2 and np.array_equal(trainer.X_all[test], exp2.X[exp2.test])
    return SigmaSweep(points, C, gamma_convention, len(trainer.y), int(test.sum()), trainer.data_version, bool(same))
