"""libsvm (scikit-learn's SVC, imported lazily) as the reference, the comparison of two solutions, and the seed
article's sweeps over C and σ² with the numbers it prints."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gdplay.core import kernels as K
from gdplay.core.datasets import seed_experiment
from gdplay.core.svm.objectives import hinge_sum
from gdplay.core.svm.params import SVMParams, _check_X, as_signed_labels, data_problem
from gdplay.core.svm.results import SVMResult
from gdplay.core.svm.trainer import SVMTrainer
from gdplay.core.trainer import Status, ValidationError, frozen


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
