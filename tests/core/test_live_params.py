"""Live parameters really are live: a new learning rate scales the very next step of every optimizer (the
state carries on), and a new SVM kernel parameter rebuilds the cached kernel matrix (both survived a
mutation run: removing either left every test green)."""

from dataclasses import replace

import numpy as np
import pytest

from gdplay.core.optimizers import OPTIMIZERS
from gdplay.core.regression import RegressionParams, RegressionTrainer
from gdplay.core.svm import SVMParams, SVMTrainer


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_a_new_learning_rate_scales_the_next_step_and_keeps_the_optimizers_state(nedrich, optimizer):
    p = RegressionParams(optimizer=optimizer, learning_rate=1e-4, max_steps=100)
    changed, kept = RegressionTrainer(p), RegressionTrainer(p)
    for t in (changed, kept):
        t.set_data(*nedrich)
        t.step(5)
    changed.set_params(replace(p, learning_rate=3e-4), 1)
    before = kept.snapshot().theta.copy()
    np.testing.assert_array_equal(changed.snapshot().theta, before)  # live: no restart
    changed.step(1)
    kept.step(1)
    # every rule's step is lr times something that depends only on the state and the gradient
    np.testing.assert_allclose(changed.snapshot().theta - before, 3 * (kept.snapshot().theta - before),
                               rtol=1e-9)


def blobs():
    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(-1.0, 1.0, (30, 2)), rng.normal(1.0, 1.0, (30, 2))])
    return X, np.repeat([-1, 1], 30)


@pytest.mark.parametrize("change", [{"coef0": 3.0}, {"gamma": 0.2}])
def test_a_live_kernel_parameter_gives_the_model_trained_with_it_from_scratch(change):
    X, y = blobs()
    base = SVMParams(kernel="poly", degree=2, gamma=0.5, coef0=1.0, C=1.0, tol=1e-6, max_steps=200_000)
    live = SVMTrainer(base)
    live.set_data(X, y)
    live.fit()
    live.set_params(replace(base, **change), 1)
    live.fit()
    fresh = SVMTrainer(replace(base, **change))
    fresh.set_data(X, y)
    fresh.fit()
    grid = np.array([[a, b] for a in np.linspace(-3, 3, 7) for b in np.linspace(-3, 3, 7)])
    np.testing.assert_allclose(live.decision_function(grid), fresh.decision_function(grid), rtol=1e-3, atol=1e-3)


def test_after_a_kernel_overflow_a_smaller_coef0_trains():
    """(γ x·y + c₀)^d with c₀ = 1e40, d = 10 overflows: the run is refused with a sentence. Lowering c₀
    must rebuild the kernel (the cache key holds c₀), not keep the overflowed one."""
    X, y = blobs()
    bad = SVMParams(kernel="poly", degree=10, gamma=0.5, coef0=1e40)
    t = SVMTrainer(bad)
    t.set_data(X, y)
    assert t.status.value == "invalid" and "overflow" in t.message.lower()
    t.set_params(replace(bad, coef0=1.0), 1)
    t.fit()
    assert t.status.value == "converged"


def test_a_live_change_that_overflows_a_converged_run_stops_it_with_a_sentence():
    """From a converged run, a c₀ the kernel overflows with: refused (INVALID, with why), not resumed as if
    training went on."""
    X, y = blobs()
    t = SVMTrainer(SVMParams(kernel="poly", degree=10, gamma=0.5, coef0=1.0))
    t.set_data(X, y)
    assert t.fit().status.value == "converged"
    t.set_params(replace(t.params, coef0=1e40), 1)
    assert t.status.value == "invalid" and "overflow" in t.message.lower()
