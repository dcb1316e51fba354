"""Regression core: gradients vs finite differences, the seed's update rule, closed forms, optimizers,
stochastic updates, line searches, scaling, edits, and the edge cases."""

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gdplay.core.least_squares import PowerSums, Quadratic, make_basis, scaling_for
from gdplay.core.points import Add, Delete, Insert, Move
from gdplay.core.regression import REGRESSION_OPTIMIZERS, RegressionParams, RegressionTrainer, views
from gdplay.core.trainer import Status, ValidationError


def seed_loop(x, y, m, b, lr, steps):
    """The seed article's step_gradient: sums over points, both updates from the old m, b."""
    n = float(len(x))
    for _ in range(steps):
        b_grad = m_grad = 0.0
        for xi, yi in zip(x, y):
            b_grad += -(2 / n) * (yi - (m * xi + b))
            m_grad += -(2 / n) * xi * (yi - (m * xi + b))
        b, m = b - lr * b_grad, m - lr * m_grad
    return m, b


def trainer(x, y, **kw):
    t = RegressionTrainer(RegressionParams(**kw))
    t.set_data(x, y)
    return t


@pytest.mark.parametrize(("model", "degree", "scaled"), [("slope", 2, False), ("slope", 2, True), ("line", 2, False),
                                                         ("line", 2, True), ("poly", 3, False), ("poly", 5, True)])
@pytest.mark.parametrize("cost", ["mse", "sse"])
def test_gradient_matches_central_finite_differences(nedrich, model, degree, scaled, cost):
    x, y = nedrich
    sums = PowerSums.from_points(x, y)
    q = Quadratic(sums, make_basis(model, degree, sums, scaled, scaling_for(model, x)), sse=cost == "sse")
    rng = np.random.default_rng(1)
    for _ in range(3):
        theta = rng.normal(size=q.T.shape[1]) * (1e-3 if model == "poly" and not scaled else 1.0)
        g = q.gradient(theta)
        h = 1e-6 * max(1.0, float(np.abs(theta).max()))
        fd = np.array([(q.cost(theta + h * e) - q.cost(theta - h * e)) / (2 * h) for e in np.eye(len(theta))])
        assert g == pytest.approx(fd, rel=1e-4, abs=1e-6 * np.abs(g).max())


def test_cost_from_sums_equals_direct_mean(nedrich):
    x, y = nedrich
    t = trainer(x, y, model="poly", degree=3, initial=(1e-4, -2e-3, 0.5, 3.0))
    c3, c2, c1, c0 = t.coef_
    assert t.cost_ == pytest.approx(np.mean((y - (c3 * x**3 + c2 * x**2 + c1 * x + c0)) ** 2), rel=1e-10)


def test_one_step_by_hand():
    # points (1, 2) and (3, 4) from m = 0, b = 0 at lr = 0.1:
    # dE/db = -(2/2)((2-0) + (4-0)) = -6; dE/dm = -(2/2)(1*2 + 3*4) = -14
    t = trainer(np.array([1.0, 3.0]), np.array([2.0, 4.0]), learning_rate=0.1, initial=(0.0, 0.0))
    t.step(1)
    assert t.m == pytest.approx(1.4, abs=1e-14)
    assert t.b == pytest.approx(0.6, abs=1e-14)
    assert t.n_iter_ == 1


@pytest.mark.parametrize("batch_size", [0, 100])
def test_matches_the_seed_loop_over_2000_steps(nedrich, batch_size):
    """batch 0: the gradient from the sums (float fast path); batch N: from the points, in shuffled order."""
    x, y = nedrich
    t = trainer(x, y, learning_rate=1e-4, initial=(-1.0, 0.0), max_steps=2000, batch_size=batch_size)
    t.fit()
    m, b = seed_loop(x.tolist(), y.tolist(), -1.0, 0.0, 1e-4, 2000)
    assert t.m == pytest.approx(m, rel=1e-9)
    assert t.b == pytest.approx(b, rel=1e-9)


def test_the_readers_puzzle_and_its_fixes(nedrich):
    x, y = nedrich
    t = trainer(x, y, learning_rate=1e-4, max_steps=2000)
    t.fit()
    opt = t.optimum
    assert opt.coef == pytest.approx(np.polyfit(x, y, 1), rel=1e-10)
    assert abs(t.b - opt.b) > 7  # after 2000 steps the intercept has hardly moved: a long narrow valley
    assert t.curvature.condition > 1e4
    # the fixes: scaling makes the bowl round; an exact line search needs few steps
    scaled = trainer(x, y, learning_rate=0.5, max_steps=2000, scale=True, grad_tol=1e-8)
    scaled.fit()
    assert scaled.status is Status.CONVERGED and scaled.n_iter_ < 100
    assert scaled.coef_ == pytest.approx(opt.coef, rel=1e-6)
    assert scaled.curvature.condition < 10


@pytest.mark.parametrize("name", REGRESSION_OPTIMIZERS)
def test_every_optimizer_reaches_least_squares_on_a_round_bowl(nedrich, name):
    x, y = nedrich
    lr = {"adagrad": 3.0, "rmsprop": 0.01, "adam": 0.1}.get(name, 0.1)
    t = trainer(x, y, optimizer=name, learning_rate=lr, scale=True, max_steps=20_000, grad_tol=1e-6)
    t.fit()
    # RMSProp at a constant rate ends in a small cycle about the optimum (its decay 0.9 follows each step's
    # gradient closely: g/√s stays near ±1, so the steps stay near the rate)
    rel = 1e-2 if name == "rmsprop" else 1e-3
    assert t.coef_ == pytest.approx(t.optimum.coef, rel=rel), t.snapshot().message


def test_exact_line_search_steps_to_the_minimum_along_the_gradient(nedrich):
    x, y = nedrich
    t = trainer(x, y, optimizer="exact", max_steps=1)
    g = t.q.gradient(t.theta_.copy())
    t.step(1)
    g_new = t.q.gradient(t.theta_)
    assert abs(g @ g_new) <= 1e-9 * (g @ g)  # the new gradient is orthogonal to the search direction


def test_armijo_always_decreases_the_cost(nedrich):
    x, y = nedrich
    t = trainer(x, y, optimizer="armijo", max_steps=300)
    t.fit()
    costs = t.snapshot().columns.cost
    assert np.all(np.diff(costs) <= 0)


def test_stochastic_updates_use_one_point_and_are_seeded(nedrich):
    x, y = nedrich
    a = trainer(x, y, batch_size=1, learning_rate=1e-4, max_steps=500, seed=3)
    b = trainer(x, y, batch_size=1, learning_rate=1e-4, max_steps=500, seed=3)
    c = trainer(x, y, batch_size=1, learning_rate=1e-4, max_steps=500, seed=4)
    for t in (a, b, c):
        t.fit()
    assert np.array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)
    assert a.runs[0].epoch == 5  # 500 updates over 100 points: 5 completed passes
    h = a.snapshot().history
    assert np.isfinite(h[-1, 3:6]).all()  # moving averages of the sample cost


def test_one_stochastic_step_by_hand():
    x, y = np.array([1.0, 3.0]), np.array([2.0, 4.0])
    t = trainer(x, y, batch_size=1, learning_rate=0.1, initial=(0.0, 0.0), seed=0)
    from gdplay.core.regression import run_generator

    i = run_generator(0, "gd", 1).permutation(2)[0]
    t.step(1)
    # one point: dE/dm = -2 x (y - 0), dE/db = -2 (y - 0)
    assert (t.m, t.b) == pytest.approx((0.1 * 2 * x[i] * y[i], 0.1 * 2 * y[i]))


def test_compare_mode_runs_each_optimizer_from_the_same_start(nedrich):
    x, y = nedrich
    t = trainer(x, y, optimizer="gd", compare=("momentum", "adam"), learning_rate=1e-4, max_steps=50)
    t.fit()
    snap = t.snapshot()
    assert [r.optimizer for r in snap.runs] == ["gd", "momentum", "adam"]
    for r in snap.runs:
        assert r.step == 50 and tuple(r.columns.theta[0]) == (-1.0, 0.0)
    assert len({tuple(r.coef) for r in snap.runs}) == 3


def test_slope_model_one_weight_example():
    # 002: z = 2x, start w0 = 0.2, lr = 0.4 on J = Σ (z - w x)²: converges when the x are small
    x = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    t = trainer(x, 2 * x, model="slope", cost="sse", initial=(0.2,), learning_rate=0.4, max_steps=200)
    t.fit()
    assert t.coef_[0] == pytest.approx(2.0, rel=1e-6)
    h = t.snapshot().columns
    steps = np.abs(np.diff(h.theta[:, 0]))
    assert np.all(np.diff(steps[:20]) < 0)  # steps shrink as the slope flattens
    assert h.gradient is not None and h.gradient[0] == pytest.approx(-2 * np.sum(x * (2 * x - 0.2 * x)))  # dJ/dw at w0
    big = trainer(3 * x, 6 * x, model="slope", cost="sse", initial=(0.2,), learning_rate=0.4, max_steps=5000)
    big.fit()
    assert big.status is Status.DIVERGED  # the same rate on larger x: 2/λ is exceeded


def test_polynomial_fit_matches_polyfit(nedrich):
    x, y = nedrich
    t = trainer(x, y, model="poly", degree=3, initial=None, scale=True, max_steps=50_000, grad_tol=1e-9)
    t.set_params(RegressionParams(model="poly", degree=3, initial=None, scale=True, max_steps=50_000, grad_tol=1e-9,
                                  learning_rate=t.curvature.lr_best))
    t.fit()
    assert t.optimum.coef == pytest.approx(np.polyfit(x, y, 3), rel=1e-8)
    assert t.coef_ == pytest.approx(np.polyfit(x, y, 3), rel=1e-4)


def test_far_from_the_origin_the_sums_keep_their_accuracy():
    rng = np.random.default_rng(1)
    u = rng.uniform(0, 10, 200)
    x = 1e9 + u
    y = 3.0 * u + 5.0 + 2e8 + rng.normal(0, 0.1, 200)
    t = trainer(x, y)
    m, b = np.polyfit(u, y, 1)
    assert t.optimum.unique
    assert t.optimum.m == pytest.approx(m, rel=1e-6)
    assert t.optimum.m * 1e9 + t.optimum.b == pytest.approx(b, rel=1e-9)  # the line at x = 1e9


def test_point_edits_update_the_sums_like_a_rebuild(nedrich):
    x, y = nedrich
    t = trainer(x, y)
    t.edit(Add((30.0, 70.0)))
    t.edit(Delete(3))
    t.edit(Insert(3, (float(x[3]), float(y[3]))))
    t.edit(Delete(3))
    t.edit(Move(10, (55.0, 60.0)))
    xs, ys = np.append(x, 30.0), np.append(y, 70.0)
    xs, ys = np.delete(xs, 3), np.delete(ys, 3)
    xs[10], ys[10] = 55.0, 60.0
    ref = trainer(xs, ys)
    assert t.optimum.coef == pytest.approx(ref.optimum.coef, rel=1e-10)
    assert t.cost_ == pytest.approx(ref.cost_, rel=1e-10)


def test_curvature_edges_predict_divergence(nedrich):
    x, y = nedrich
    c = trainer(x, y).curvature
    assert c.lr_edge == pytest.approx(2 / c.lambda_max)
    for lr, expect in [(0.99 * c.lr_edge, Status.MAX_STEPS), (1.01 * c.lr_edge, Status.DIVERGED)]:
        t = trainer(x, y, learning_rate=lr, max_steps=200_000)
        t.fit()
        assert t.status is expect


def test_divergence_keeps_the_last_finite_parameters(nedrich):
    t = trainer(*nedrich, learning_rate=10.0, max_steps=10_000)
    t.fit()
    assert t.status is Status.DIVERGED
    assert np.isfinite(t.coef_).all() and math.isfinite(t.cost_)
    msg = t.snapshot().message
    assert msg == f"Training diverged at step {t.n_iter_ + 1} (cost became inf); lower the learning rate (now 10)."
    assert t.step(10) == 0


def test_empty_data_is_invalid_with_a_message():
    t = trainer(np.array([]), np.array([]))
    assert t.status is Status.INVALID
    assert "No points yet" in t.snapshot().message
    assert t.step(10) == 0


def test_all_x_equal_is_said_to_be_non_unique():
    x = np.full(7, 1.058483)  # std() of this is 2e-16, not 0: ptp catches it
    y = np.arange(7.0)
    t = trainer(x, y, learning_rate=0.1, max_steps=5000)
    assert not t.optimum.unique
    assert t.optimum.m * 1.058483 + t.optimum.b == pytest.approx(3.0)
    assert "not unique" in t.snapshot().message
    t.fit()
    assert t.m * 1.058483 + t.b == pytest.approx(3.0, rel=1e-6)


def test_one_point_and_duplicates():
    t = trainer(np.array([2.0]), np.array([3.0]), learning_rate=0.1, max_steps=5000)
    t.fit()
    assert t.m * 2 + t.b == pytest.approx(3.0, rel=1e-6)
    t.set_data(np.array([1.0, 1.0, 2.0, 2.0]), np.array([1.0, 1.0, 3.0, 3.0]))
    assert t.optimum.m == pytest.approx(2.0)


def test_nan_points_are_refused_with_the_point_named():
    with pytest.raises(ValidationError, match=r"Point 2 is \(nan, 2.0\); every coordinate must be a finite"):
        trainer(np.array([1.0, np.nan]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("lr", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValidationError, match="learning rate must be a positive finite number"):
        RegressionParams(learning_rate=lr).validate()


@pytest.mark.parametrize(("kw", "match"), [({"model": "cubic"}, "model must be one of"),
                                           ({"model": "poly", "degree": 9}, "degree must be 2 to 6"),
                                           ({"optimizer": "sgdx"}, "optimizer must be one of"),
                                           ({"batch_size": -1}, "batch size"),
                                           ({"optimizer": "exact", "batch_size": 1}, "full-batch")])
def test_bad_params_are_refused(kw, match):
    with pytest.raises(ValidationError, match=match):
        RegressionParams(**kw).validate()


def test_surface_costs_the_same_for_any_number_of_points():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 1_000_000)
    y = 2 * x + 1 + rng.normal(0, 1, x.size)
    t = trainer(x, y)
    s = views.surface(t, (0, 1), (0, 4), (-2, 4), (50, 60))
    assert s.cost.shape == (50, 60)
    m = np.linspace(0, 4, 60)[7]
    b = np.linspace(-2, 4, 50)[11]
    assert s.cost[11, 7] == pytest.approx(np.mean((y - (m * x + b)) ** 2), rel=1e-9)
    assert views.surface(t, (0, 1), (0, 4), (-2, 4), (50, 60)) is s  # cached until something changes


def test_live_learning_rate_keeps_the_iterate_and_structural_change_resets(nedrich):
    t = trainer(*nedrich, learning_rate=1e-4, max_steps=10**6)
    t.step(100)
    coef = t.coef_.copy()
    t.set_params(RegressionParams(learning_rate=2e-4, max_steps=10**6), version=3)
    assert np.array_equal(t.coef_, coef) and t.n_iter_ == 100 and t.params_version == 3
    t.set_params(RegressionParams(learning_rate=2e-4, initial=(0.0, 0.0), max_steps=10**6))
    assert tuple(t.coef_) == (0.0, 0.0) and t.n_iter_ == 0


def test_sse_scales_cost_and_gradient_by_n(nedrich):
    a = trainer(*nedrich, learning_rate=1e-4)
    b = trainer(*nedrich, learning_rate=1e-6, cost="sse")
    assert b.cost_ == pytest.approx(100 * a.cost_)
    a.step(50)
    b.step(50)  # lr/N on the sum is the same walk as lr on the mean
    assert b.coef_ == pytest.approx(a.coef_, rel=1e-9)


def test_convergence_tolerances_stop_the_run():
    x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])
    t = trainer(x, y, learning_rate=0.05, max_steps=10**6, grad_tol=1e-8)
    t.fit()
    assert t.status is Status.CONVERGED and t.snapshot().message.startswith("Converged at step ")
    assert (t.m, t.b) == pytest.approx((2.0, 1.0), abs=1e-6)
    t = trainer(x, y, learning_rate=0.05, max_steps=10**6, tol=1e-12)
    t.fit()
    assert t.status is Status.CONVERGED


@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=2, max_size=30))
@example([(0.0, 0.0), (2.825874020095082e-150, 37889.0)])  # slope ~1e154: its distance once overflowed
def test_closed_form_agrees_with_lstsq(points):
    xy = np.array(points)
    x, y = xy[:, 0], xy[:, 1]
    t = trainer(x, y)
    if np.ptp(x) <= 1e-6 * max(1.0, np.abs(x).max()):
        return  # (near-)degenerate: covered by the all-x-equal test
    A = np.column_stack([x, np.ones_like(x)])
    (m, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    ours = np.sum((y - (t.optimum.m * x + t.optimum.b)) ** 2)
    ref = np.sum((y - (m * x + b)) ** 2)
    assert ours <= ref * (1 + 1e-6) + 1e-6 * np.sum((y - y.mean()) ** 2) + 1e-9


def test_batch_against_stochastic_side_by_side(nedrich):
    x, y = nedrich
    t = trainer(x, y, scale=True, learning_rate=0.01, compare=("gd/1",), max_steps=300)
    t.fit()
    snap = t.snapshot()
    assert [r.label for r in snap.runs] == ["gradient descent", "gradient descent, stochastic"]
    assert [r.batch_size for r in snap.runs] == [0, 1]
    batch, sgd = snap.runs
    assert np.isnan(batch.columns.average(10)[1:]).all() and np.isfinite(sgd.columns.average(10)[1:]).all()
    assert sgd.epoch == 3 and batch.epoch == 300  # completed passes (300 updates of 1 of 100 points)


def test_surface_stays_accurate_around_a_diverged_run(nedrich):
    x, y = nedrich
    t = trainer(x, y, learning_rate=5e-4, max_steps=5000)
    t.fit()
    assert t.status is Status.DIVERGED and abs(t.m) > 1e100
    s = views.surface(t, (0, 1), (-1.0, 3.0), (-5.0, 10.0), (20, 30))
    m, b = np.linspace(-1, 3, 30)[4], np.linspace(-5, 10, 20)[7]
    assert s.cost[7, 4] == pytest.approx(np.mean((y - (m * x + b)) ** 2), rel=1e-9)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "adam", "exact"])
def test_history_pairs_each_iterate_with_the_gradient_at_it(optimizer):
    """The one-weight lesson (002) draws the tangent at w_k from the row's gradient: it must be J'(w_k),
    not the gradient of the step that led to w_k (at w = 0.992 that was −1.98 where J'(w) = −1.109)."""
    x = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    y = 2.0 * x
    t = RegressionTrainer(RegressionParams(model="slope", cost="sse", learning_rate=0.4, initial=(0.2,),
                                           optimizer=optimizer, max_steps=30))
    t.set_data(x, y)
    t.fit()
    h = t.snapshot().columns
    w, g = h.theta[:, 0], h.gradient
    np.testing.assert_allclose(g, -2.0 * ((y[None, :] - w[:, None] * x[None, :]) * x).sum(axis=1),
                               rtol=1e-9, atol=1e-12)


def test_nesterov_path_is_labelled_as_the_look_ahead_point():
    """What is drawn for Nesterov is θ + μv, whose first step is (1 + μ) times plain GD's: the legend says so."""
    from gdplay.core.regression import run_label

    assert "look-ahead" in run_label("nesterov")
    x = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    first = {}
    for name in ("gd", "nesterov"):
        t = RegressionTrainer(RegressionParams(model="slope", cost="sse", learning_rate=0.4, initial=(0.2,),
                                               optimizer=name, momentum=0.9, max_steps=5))
        t.set_data(x, 2 * x)
        t.step(1)
        first[name] = t.snapshot().columns.theta[1, 0] - 0.2
    assert first["nesterov"] == pytest.approx(1.9 * first["gd"])


@pytest.mark.parametrize(("model", "optimizer"), [("slope", "gd"), ("line", "momentum"), ("poly", "adam")])
def test_history_columns_by_name_hold_what_they_say(nedrich, model, optimizer):
    """Each named column means what its name says, for every model (a slope's extra gradient column
    shifts nothing): cost is E(θ) of the same row's θ, dist is ‖θ - θ*‖, theta starts at the start."""
    x, y = nedrich
    t = trainer(x, y, model=model, degree=3, optimizer=optimizer, scale=True, learning_rate=0.01, max_steps=40,
                initial=None)
    t.fit()
    snap = t.snapshot()
    h = snap.columns
    p = len(snap.names)
    assert h.theta.shape == (len(h), p) and len(h) == 41
    np.testing.assert_array_equal(h.step, np.arange(41))
    np.testing.assert_array_equal(h.theta[0], np.zeros(p))  # initial=None: every parameter starts at 0
    np.testing.assert_array_equal(h.theta[-1], snap.theta)
    np.testing.assert_allclose(h.cost, [t.q.cost(th) for th in h.theta], rtol=1e-9)
    np.testing.assert_allclose(h.dist, np.linalg.norm(h.theta - snap.optimum.theta, axis=1), rtol=1e-9)
    assert np.isnan(h.average(100)).all()  # full batch: no per-update sample costs to average
    if model == "slope":
        np.testing.assert_allclose(h.gradient, [t.q.gradient(th)[0] for th in h.theta], rtol=1e-9)
    else:
        assert h.gradient is None
    # raw units: the coefficients each row's θ stands for (the last row's are the run's coef)
    np.testing.assert_allclose(snap.raw_theta()[-1], snap.coef, rtol=1e-12)
