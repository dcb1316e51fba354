"""Line regression: gradient vs finite differences, the seed's update rule, closed form, edge cases."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdplay.core.regression import (
    RegressionParams,
    RegressionTrainer,
    SufficientStats,
    closed_form,
    cost_surface,
    curvature,
    mse,
    mse_gradient,
)
from gdplay.core.trainer import Status, ValidationError


def seed_loop(x, y, m, b, lr, steps):
    """The seed article's step_gradient, verbatim in spirit: sums over points, both from the old m, b."""
    n = float(len(x))
    for _ in range(steps):
        b_grad = m_grad = 0.0
        for xi, yi in zip(x, y):
            b_grad += -(2 / n) * (yi - (m * xi + b))
            m_grad += -(2 / n) * xi * (yi - (m * xi + b))
        b, m = b - lr * b_grad, m - lr * m_grad
    return m, b


def test_gradient_matches_central_finite_differences(nedrich):
    stats = SufficientStats.from_points(*nedrich)
    for m, b in [(-1.0, 0.0), (1.3, 8.0), (2.5, -40.0)]:
        gm, gb = mse_gradient(stats, m, b)
        h = 1e-5
        fm = (mse(stats, m + h, b) - mse(stats, m - h, b)) / (2 * h)
        fb = (mse(stats, m, b + h) - mse(stats, m, b - h)) / (2 * h)
        assert gm == pytest.approx(fm, rel=1e-6)
        assert gb == pytest.approx(fb, rel=1e-6, abs=1e-6)


def test_cost_from_sums_equals_direct_mean(nedrich):
    x, y = nedrich
    stats = SufficientStats.from_points(x, y)
    for m, b in [(-1.0, 0.0), (1.32, 7.99)]:
        assert mse(stats, m, b) == pytest.approx(np.mean((y - (m * x + b)) ** 2), rel=1e-12)


def test_one_step_by_hand():
    # points (1, 2) and (3, 4) from m = 0, b = 0 at lr = 0.1:
    # dE/db = -(2/2)((2-0) + (4-0)) = -6; dE/dm = -(2/2)(1*2 + 3*4) = -14
    t = RegressionTrainer(RegressionParams(learning_rate=0.1, initial=(0.0, 0.0)))
    t.set_data(np.array([1.0, 3.0]), np.array([2.0, 4.0]))
    t.step(1)
    assert t.m == pytest.approx(1.4, abs=1e-15)
    assert t.b == pytest.approx(0.6, abs=1e-15)
    assert t.n_iter_ == 1


def test_matches_the_seed_loop_over_2000_steps(nedrich):
    x, y = nedrich
    t = RegressionTrainer(RegressionParams(learning_rate=1e-4, initial=(-1.0, 0.0), max_steps=2000))
    t.set_data(x, y)
    t.fit()
    m, b = seed_loop(x.tolist(), y.tolist(), -1.0, 0.0, 1e-4, 2000)
    assert t.status is Status.MAX_STEPS
    assert t.m == pytest.approx(m, rel=1e-9)
    assert t.b == pytest.approx(b, rel=1e-9)
    # the readers' puzzle: after 2000 steps the line is still far from least squares
    opt = closed_form(t.stats)
    assert opt.m == pytest.approx(1.3224310227553, rel=1e-9)
    assert opt.b == pytest.approx(7.9910209822703, rel=1e-9)
    assert abs(t.b - opt.b) > 7


def test_closed_form_matches_polyfit(nedrich):
    x, y = nedrich
    opt = closed_form(SufficientStats.from_points(x, y))
    m, b = np.polyfit(x, y, 1)
    assert (opt.m, opt.b) == pytest.approx((m, b), rel=1e-10)


def test_far_from_the_origin_the_sums_keep_their_accuracy():
    rng = np.random.default_rng(1)
    x = 1e9 + rng.uniform(0, 10, 200)
    y = 3.0 * (x - 1e9) + 5.0 + rng.normal(0, 0.1, 200)
    opt = closed_form(SufficientStats.from_points(x, y))
    assert opt.m == pytest.approx(3.0, rel=1e-3)
    # the intercept at x = 1e9 is what the data pin down
    assert opt.m * 1e9 + opt.b == pytest.approx(5.0, abs=0.1)


def test_curvature_edges_predict_divergence(nedrich):
    stats = SufficientStats.from_points(*nedrich)
    c = curvature(stats)
    assert c.lr_edge == pytest.approx(2 / c.lambda_max)
    assert c.condition > 1e4  # the long narrow valley
    for lr, expect in [(0.99 * c.lr_edge, Status.MAX_STEPS), (1.01 * c.lr_edge, Status.DIVERGED)]:
        t = RegressionTrainer(RegressionParams(learning_rate=lr, max_steps=200_000))
        t.set_data(*nedrich)
        t.fit()
        assert t.status is expect


def test_divergence_keeps_the_last_finite_parameters(nedrich):
    t = RegressionTrainer(RegressionParams(learning_rate=10.0, max_steps=10_000))
    t.set_data(*nedrich)
    t.fit()
    assert t.status is Status.DIVERGED
    assert math.isfinite(t.m) and math.isfinite(t.b) and math.isfinite(t.cost_)
    assert t.message == (
        f"Training diverged at step {t.n_iter_ + 1} (cost became inf); lower the learning rate (now 10).")
    assert t.step(10) == 0  # a diverged run takes no more steps


def test_empty_data_is_invalid_with_a_message():
    t = RegressionTrainer()
    t.set_data(np.array([]), np.array([]))
    assert t.status is Status.INVALID
    assert "No points yet" in t.message
    assert t.step(10) == 0
    assert t.snapshot().history.shape == (0, 4)


def test_all_x_equal_is_said_to_be_non_unique():
    x = np.full(7, 1.058483)  # std() of this is 2e-16, not 0: ptp catches it
    y = np.arange(7.0)
    t = RegressionTrainer(RegressionParams(learning_rate=0.1))
    t.set_data(x, y)
    opt = closed_form(t.stats)
    assert not opt.unique
    assert opt.m * 1.058483 + opt.b == pytest.approx(3.0)
    assert "not unique" in t.message
    t.fit()
    assert t.m * 1.058483 + t.b == pytest.approx(3.0, rel=1e-6)


def test_one_point_and_duplicates():
    t = RegressionTrainer(RegressionParams(learning_rate=0.1))
    t.set_data(np.array([2.0]), np.array([3.0]))
    t.fit()
    assert t.m * 2 + t.b == pytest.approx(3.0, rel=1e-6)
    t.set_data(np.array([1.0, 1.0, 2.0, 2.0]), np.array([1.0, 1.0, 3.0, 3.0]))
    assert closed_form(t.stats).m == pytest.approx(2.0)


def test_nan_points_are_refused():
    with pytest.raises(ValidationError, match="NaN or infinity"):
        SufficientStats.from_points(np.array([1.0, np.nan]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("lr", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValidationError, match="learning rate must be a positive finite number"):
        RegressionParams(learning_rate=lr).validate()


def test_surface_costs_the_same_for_any_number_of_points():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 1_000_000)
    y = 2 * x + 1 + rng.normal(0, 1, x.size)
    stats = SufficientStats.from_points(x, y)
    z = cost_surface(stats, (0, 4), (-2, 4), (50, 60))
    assert z.shape == (50, 60)
    m = np.linspace(0, 4, 60)[7]
    b = np.linspace(-2, 4, 50)[11]
    assert z[11, 7] == pytest.approx(np.mean((y - (m * x + b)) ** 2), rel=1e-9)


def test_live_learning_rate_keeps_the_iterate_and_structural_change_resets(nedrich):
    t = RegressionTrainer(RegressionParams(learning_rate=1e-4, max_steps=10**6))
    t.set_data(*nedrich)
    t.step(100)
    m, b = t.coef_
    t.set_params(RegressionParams(learning_rate=2e-4, max_steps=10**6), version=3)
    assert t.coef_ == (m, b) and t.n_iter_ == 100 and t.params_version == 3
    t.set_params(RegressionParams(learning_rate=2e-4, initial=(0.0, 0.0), max_steps=10**6))
    assert t.coef_ == (0.0, 0.0) and t.n_iter_ == 0


def test_sse_scales_cost_and_gradient_by_n(nedrich):
    a = RegressionTrainer(RegressionParams(learning_rate=1e-4, cost="mse"))
    b = RegressionTrainer(RegressionParams(learning_rate=1e-6, cost="sse"))
    a.set_data(*nedrich)
    b.set_data(*nedrich)
    assert b.cost_ == pytest.approx(100 * a.cost_)
    a.step(50)
    b.step(50)  # lr/N on the sum is the same walk as lr on the mean
    assert (b.m, b.b) == pytest.approx((a.m, a.b), rel=1e-9)


def test_convergence_tolerance_stops_the_run():
    t = RegressionTrainer(RegressionParams(learning_rate=0.05, max_steps=10**6, grad_tol=1e-8))
    t.set_data(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]))
    t.fit()
    assert t.status is Status.CONVERGED
    assert t.message.startswith("Converged at step ")
    assert (t.m, t.b) == pytest.approx((2.0, 1.0), abs=1e-6)


@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=2, max_size=30))
def test_closed_form_agrees_with_lstsq(points):
    xy = np.array(points)
    x, y = xy[:, 0], xy[:, 1]
    opt = closed_form(SufficientStats.from_points(x, y))
    if np.ptp(x) <= 1e-6 * max(1.0, np.abs(x).max()):
        return  # (near-)degenerate: covered by the all-x-equal test
    A = np.column_stack([x, np.ones_like(x)])
    (m, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    resid_ours = np.sum((y - (opt.m * x + opt.b)) ** 2)
    resid_ref = np.sum((y - (m * x + b)) ** 2)
    assert resid_ours <= resid_ref * (1 + 1e-6) + 1e-6 * np.sum(y**2)
