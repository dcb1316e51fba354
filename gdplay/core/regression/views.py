"""The pictures a regression run computes next to the trainer, in its training process: the cost surface
and its window, J(w), the fitted curves, the residuals. Each is a function of the trainer, which the tab
names in ``controller.set_view``; one that has nothing to show yet raises NotReady."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gdplay.core.regression.results import CostCurve, FitCurves, Surface
from gdplay.core.regression.sine import SineCost
from gdplay.core.trainer import NotReady, Status, frozen

if TYPE_CHECKING:
    from gdplay.core.regression.trainer import RegressionTrainer

SURFACE_SHAPE = (160, 160)
NO_POINTS = "Place some points first: click in the data plot, or pick a data set."


def surface_range(trainer: RegressionTrainer) -> tuple[tuple[float, float], ...] | None:
    """Per parameter, a window that holds the start, the optimum and the finite part of the paths."""
    if trainer.sums.n == 0:
        return None
    start = np.linalg.solve(trainer.basis.R, trainer.params.start())
    # a start whose cost overflows (1e308) is left out: the window could not hold it and the optimum too
    far = trainer.runs[0].status is Status.DIVERGED and trainer.runs[0].n_iter == 0
    pts = [] if far and trainer.optimum is not None else [start[None, :]]
    if trainer.optimum is not None:
        pts.append(trainer.optimum.theta[None, :])
    base = np.vstack(pts)
    lo, hi = base.min(axis=0), base.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * np.maximum(np.abs(hi), 1.0))
    p = len(start)
    with np.errstate(over="ignore", invalid="ignore"):
        return _grow_window(trainer, lo, hi, span, p)


def _grow_window(trainer: RegressionTrainer, lo: np.ndarray, hi: np.ndarray, span: np.ndarray, p: int) -> tuple:
    for run in trainer.runs:
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


def surface(trainer: RegressionTrainer, axes: tuple[int, int], i_range: tuple[float, float],
            j_range: tuple[float, float], shape: tuple[int, int] = SURFACE_SHAPE) -> Surface:
    """The cost over θ_i × θ_j (optimisation units) through the main run's other parameters."""
    if trainer.sums.n == 0:
        raise NotReady(NO_POINTS)
    q = trainer.q
    if isinstance(q, SineCost) or len(trainer.runs[0].theta) < 2:
        raise NotReady("This model has one weight: its cost is the curve J(w), not a surface.")
    i, j = axes
    theta = trainer.runs[0].theta
    key = (axes, tuple(i_range), tuple(j_range), tuple(shape), trainer._data_gen,
           tuple(np.delete(theta, [i, j])))
    hit = trainer._cache.get("surface")
    if hit is not None and hit[0] == key:
        return hit[1]
    vi = np.linspace(*i_range, shape[1])
    vj = np.linspace(*j_range, shape[0])
    trainer._view_version += 1
    with np.errstate(over="ignore", invalid="ignore"):
        grid = q.cost_grid(theta, i, j, vi, vj)
    s = Surface((i, j), (float(i_range[0]), float(i_range[1])), (float(j_range[0]), float(j_range[1])),
                frozen(grid), trainer._view_version)
    trainer._cache["surface"] = (key, s)
    return s


def cost_curve(trainer: RegressionTrainer, w_range: tuple[float, float], n: int = 400) -> CostCurve:
    """J(w) for the one-parameter model."""
    if trainer.sums.n == 0:
        raise NotReady(NO_POINTS)
    if len(trainer.runs[0].theta) != 1:
        raise NotReady("This model has more than one weight: its cost is a surface, not a curve J(w).")
    key = (tuple(w_range), n, trainer._data_gen)
    hit = trainer._cache.get("curve")
    if hit is not None and hit[0] == key:
        return hit[1]
    w = np.linspace(*w_range, n)
    q = trainer.q
    if isinstance(q, SineCost):
        z = q.curve(w)
    else:
        B = q.T[:, 0][None, :] * w[:, None] - q.e0[None, :]  # β̃ for each w
        z = np.maximum(np.einsum("ni,ij,nj->n", B, q.G, B) - 2 * B @ q.h + q.c, 0.0) * q.factor
    trainer._view_version += 1
    c = CostCurve(frozen(w), frozen(z), trainer._view_version)
    trainer._cache["curve"] = (key, c)
    return c


def fit_curves(trainer: RegressionTrainer, x_range: tuple[float, float], n: int = 200) -> FitCurves:
    """The runs' fitted curves and the least-squares curve over x, evaluated in the accurate basis."""
    if trainer.sums.n == 0:
        raise NotReady(NO_POINTS)
    xs = np.linspace(*x_range, n if trainer.params.model in ("poly", "sine") else 2)
    q = trainer.q
    if isinstance(q, SineCost):
        ys = np.array([q.predict(run.theta, xs) for run in trainer.runs])
        opt = q.predict(trainer.optimum.theta, xs) if trainer.optimum is not None else None
        trainer._view_version += 1
        return FitCurves(frozen(xs), frozen(ys), None if opt is None else frozen(opt), trainer._view_version)
    s = trainer.sums
    phi = np.vander((xs - s.x_ref) / s.s_ref, trainer.basis.D + 1, increasing=True)
    with np.errstate(over="ignore", invalid="ignore"):  # a run that diverged (or started at 1e308)
        ys = np.array([s.y_ref + phi @ q.residual_coef(run.theta) for run in trainer.runs])
    opt = s.y_ref + phi @ q.residual_coef(trainer.optimum.theta) if trainer.optimum is not None else None
    trainer._view_version += 1
    return FitCurves(frozen(xs), frozen(ys), None if opt is None else frozen(opt), trainer._view_version)


def residuals(trainer: RegressionTrainer) -> np.ndarray:
    """(x, y, fitted y) of every point for the main run, as rows."""
    s, q = trainer.sums, trainer.q
    if isinstance(q, SineCost):
        return frozen(np.column_stack([trainer.x, trainer.y, q.predict(trainer.runs[0].theta, trainer.x)]))
    phi = np.vander((trainer.x - s.x_ref) / s.s_ref, trainer.basis.D + 1, increasing=True)
    with np.errstate(over="ignore", invalid="ignore"):
        fitted = s.y_ref + phi @ q.residual_coef(trainer.runs[0].theta) if len(trainer.x) else np.empty(0)
    return frozen(np.column_stack([trainer.x, trainer.y, fitted]))
