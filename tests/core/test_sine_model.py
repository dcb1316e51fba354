"""The non-convex model y = sin(w·x): its cost and gradient against the formula and finite differences, J(w)
against the cost, the best w against a brute-force grid, and gradient descent stuck in a local minimum."""

import numpy as np
import pytest

from gdplay.core.regression import RegressionParams, RegressionTrainer, views
from gdplay.core.regression.sine import SineCost
from gdplay.core.trainer import Status, ValidationError


@pytest.fixture
def points():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 6, 25)
    return x, np.sin(2.0 * x) + rng.normal(0, 0.1, 25)


@pytest.mark.parametrize("sse", [False, True])
def test_cost_and_gradient_are_the_formula_and_its_derivative(points, sse):
    x, y = points
    q = SineCost(x, y, sse=sse)
    scale = len(x) if sse else 1.0
    for w in (-1.3, 0.6, 2.0, 5.5):
        assert q.cost(np.array([w])) == pytest.approx(scale * np.mean((y - np.sin(w * x)) ** 2), rel=1e-12)
        h = 1e-6
        fd = (q.cost(np.array([w + h])) - q.cost(np.array([w - h]))) / (2 * h)
        assert q.gradient(np.array([w]))[0] == pytest.approx(fd, rel=1e-6, abs=1e-9)
        fd2 = (q.gradient(np.array([w + h]))[0] - q.gradient(np.array([w - h]))[0]) / (2 * h)
        assert q.second_derivative(w) == pytest.approx(fd2, rel=1e-5, abs=1e-7)
    ws = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(q.curve(ws), [q.cost(np.array([w])) for w in ws], rtol=1e-12)
    g, c = q.batch(np.array([0.6]), x[:5], y[:5])
    assert c == pytest.approx(scale * np.mean((y[:5] - np.sin(0.6 * x[:5])) ** 2), rel=1e-12)
    assert g[0] == pytest.approx(SineCost(x[:5], y[:5]).gradient(np.array([0.6]))[0] * scale, rel=1e-12)


def test_the_best_w_is_the_lowest_of_a_brute_force_grid_and_a_true_minimum(points):
    q = SineCost(*points)
    (w,), unique = q.minimizer()
    grid = np.linspace(*q.window(), 200_001)
    assert q.cost(np.array([w])) <= q.curve(grid).min() + 1e-12
    assert abs(q.gradient(np.array([w]))[0]) < 1e-8 and q.second_derivative(w) > 0
    assert w == pytest.approx(2.0, abs=0.02) and unique


def test_gradient_descent_stops_in_the_dip_below_its_start(points):
    def run(w0):
        t = RegressionTrainer(RegressionParams(model="sine", learning_rate=0.02, initial=(w0,), max_steps=3000,
                                               grad_tol=1e-8))
        t.set_data(*points)
        t.fit()
        return t.snapshot()

    trapped, found = run(0.6), run(1.8)
    assert trapped.status is Status.CONVERGED and found.status is Status.CONVERGED
    assert trapped.theta[0] == pytest.approx(0.674, abs=0.01) and trapped.cost > 50 * found.cost
    assert found.theta[0] == pytest.approx(trapped.optimum.theta[0], abs=1e-6)  # the star: the global one
    # each history row pairs w_k with E'(w_k): the tangent drawn there touches J
    q = SineCost(*points)
    h = trapped.columns
    assert h.gradient is not None
    assert h.gradient[5] == pytest.approx(q.gradient(h.theta[5])[0], rel=1e-9)


def test_stochastic_updates_and_the_views_work_on_it(points):
    t = RegressionTrainer(RegressionParams(model="sine", learning_rate=0.01, initial=(1.8,), batch_size=1,
                                           max_steps=500))
    t.set_data(*points)
    t.fit()
    assert np.isfinite(t.snapshot().theta).all()
    curve = views.cost_curve(t, (0.0, 3.0), 31)
    assert curve.cost.argmin() == pytest.approx(20, abs=1)  # w = 2.0
    fit = views.fit_curves(t, (0.0, 6.0), 50)
    assert fit.y.shape[1] == 50 and fit.optimum is not None
    res = views.residuals(t)
    np.testing.assert_allclose(res[:, 2], np.sin(t.snapshot().theta[0] * points[0]))


def test_the_exact_line_search_is_refused_with_a_reason():
    with pytest.raises(ValidationError, match="exact line search needs a quadratic cost"):
        RegressionParams(model="sine", optimizer="exact").validate()
    with pytest.raises(ValidationError, match="exact line search needs a quadratic cost"):
        RegressionParams(model="sine", compare=("exact",)).validate()
