"""The primal and dual objectives, the duality gap, and the primal cost over (w1, w2)."""

from __future__ import annotations

import numpy as np

from gdplay.core.svm.params import CERTIFICATE_EPS
from gdplay.core.trainer import ValidationError


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
