"""Extreme data and settings stay honest: no RuntimeWarning leaks, overflow is a sentence with the state kept
finite where it was, and the SVM's plots get finite numbers."""

import warnings

import numpy as np
import pytest

from gdplay.core.regression import RegressionParams, RegressionTrainer
from gdplay.core.svm import SVMParams, SVMTabTrainer
from gdplay.core.trainer import Status


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("initial", [(1e308, 1e308), (1e200, 0.0), (1e154, 1.0)])
@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_a_start_point_whose_cost_overflows_is_a_sentence(initial, optimizer):
    t = RegressionTrainer(RegressionParams(initial=initial, optimizer=optimizer, compare=("momentum",)))
    t.set_data(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 5.0]))
    s = t.snapshot()
    assert s.status is Status.DIVERGED and "The cost at the start point is" in s.message
    assert "choose a start nearer the points" in s.message
    assert t.step(10) == 0
    t.fit_curves((0.0, 4.0))
    t.cost_curve((-1.0, 1.0)) if len(s.main.coef) == 1 else t.surface((0, 1), (-1.0, 1.0), (-1.0, 1.0))


def test_a_far_start_with_a_finite_cost_diverges_with_the_last_finite_state():
    t = RegressionTrainer(RegressionParams(initial=(1e150, 0.0), learning_rate=0.5))
    t.set_data(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 5.0]))
    t.fit()
    s = t.snapshot()
    assert s.status is Status.DIVERGED and "diverged" in s.message
    assert np.isfinite(s.main.coef).all() and np.isfinite(s.cost)


def overlapping(scale: float, n: int = 60):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([1, 1], 1, (n, 2)), rng.normal([-1, -1], 1, (n, 2))]) * scale
    return X, np.r_[np.ones(n), -np.ones(n)]


@pytest.mark.parametrize("kernel", ["rbf", "poly"])
def test_gamma_1e308_is_a_sentence_not_a_warning(kernel):
    X, y = overlapping(1.0)
    t = SVMTabTrainer(SVMParams(kernel=kernel, gamma=1e308))
    t.set_data(X, y)
    t.fit()
    s = t.snapshot()
    if kernel == "poly":
        assert s.status is Status.INVALID and "overflows" in s.message
    t.decision_map((-3.0, 3.0), (-3.0, 3.0), (20, 20))


@pytest.mark.parametrize("scale", [1e12, 1e150])
def test_the_primal_surface_of_huge_points_is_finite(scale):
    X, y = overlapping(scale)
    t = SVMTabTrainer(SVMParams(kernel="linear", solver="primal"))
    t.set_data(X, y)
    t.step(50)
    surface = t.primal_surface((20, 20))
    assert np.isfinite(surface.values).all()
    t.decision_map((-3 * scale, 3 * scale), (-3 * scale, 3 * scale), (20, 20))
