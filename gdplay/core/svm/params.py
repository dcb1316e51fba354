"""The SVM's hyperparameters (``SVMParams``), the solver constants, and the checks of its data."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.trainer import ValidationError

SOLVERS = ("dual", "primal")
LR_SCHEDULES = ("pegasos", "constant", "invscaling")
CERTIFICATE_EPS = 1e-2  # primal: points with |y f − 1| <= this count as on the margin when building α̂
CERTIFICATE_EVERY = 10  # primal: steps between duality-gap checks (each costs O(n d))
MAX_DUAL_POINTS = 20_000  # each SMO step scans every point: past this a fit takes minutes (the primal does not)
CACHE_BYTES = 200 * 2**20  # the kernel-row cache, as scikit-learn gives libsvm (cache_size=200 MB)
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
    if not (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0):
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

    # the fields that apply to the running run (warm start); the others restart it (core/trainer's convention)
    LIVE: ClassVar[tuple[str, ...]] = ("C", "gamma", "coef0", "learning_rate", "lr_schedule", "power_t",
                                       "max_steps", "tol")

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
        if self.kernel not in K.KERNEL_SPECS:
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


STRUCTURAL = tuple(f.name for f in fields(SVMParams) if f.name not in SVMParams.LIVE)  # kernel, solver, degree


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
