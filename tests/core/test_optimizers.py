"""Update rules: two steps against hand computation, convergence on a quadratic, live hyperparameters,
reset, the regression tab's 2-vector, and error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdplay.core.optimizers import OPTIMIZERS, descend, make_optimizer
from gdplay.core.regression import RegressionParams, RegressionTrainer
from gdplay.core.trainer import ValidationError

P0, G1, G2, LR = 1.0, 0.5, -0.2, 0.1  # start, the two gradients fed in, learning rate

# the two iterates (p1, p2), worked out by hand from the rules in the module docstring
HAND = {
    "gd": (1 - 0.1 * 0.5, 0.95 + 0.1 * 0.2),
    # v1 = 0.5, p1 = 1 - 0.05;  v2 = 0.9·0.5 - 0.2 = 0.25, p2 = 0.95 - 0.025
    "momentum": (0.95, 0.925),
    # v1 = 0.5, p1 = 1 - 0.1·(0.5 + 0.9·0.5);  v2 = 0.25, p2 = 0.905 - 0.1·(-0.2 + 0.9·0.25)
    "nesterov": (0.905, 0.9025),
    # G1 = 0.25, p1 = 1 - 0.1·0.5/0.5;  G2 = 0.29, p2 = 0.9 + 0.1·0.2/√0.29
    "adagrad": (0.9, 0.9 + 0.02 / math.sqrt(0.29)),
    # s1 = 0.1·0.25 = 0.025;  s2 = 0.9·0.025 + 0.1·0.04 = 0.0265
    "rmsprop": (1 - 0.05 / math.sqrt(0.025), 1 - 0.05 / math.sqrt(0.025) + 0.02 / math.sqrt(0.0265)),
    # m1 = 0.05, s1 = 0.00025 -> m̂ = 0.5, ŝ = 0.25, p1 = 0.9
    # m2 = 0.045 - 0.02 = 0.025, s2 = 0.999·0.00025 + 0.001·0.04 = 0.00028975
    "adam": (0.9, 0.9 - 0.1 * (0.025 / (1 - 0.9**2)) / math.sqrt(0.00028975 / (1 - 0.999**2))),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_two_steps_match_hand_computation(name):
    opt = make_optimizer(name, LR)
    p = np.array([P0])
    opt.update([p], [np.array([G1])])
    assert p[0] == pytest.approx(HAND[name][0], rel=1e-7)
    opt.update([p], [np.array([G2])])
    assert p[0] == pytest.approx(HAND[name][1], rel=1e-7)


def test_all_names_have_a_hand_computation():
    assert set(HAND) == set(OPTIMIZERS)


LRS = {"gd": 0.15, "momentum": 0.05, "nesterov": 0.05, "adagrad": 1.0, "rmsprop": 0.01, "adam": 0.05}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_converges_on_an_ill_conditioned_quadratic(name):
    # E(p) = 1/2 pᵀ A p - bᵀ p with condition number 10; minimum at A⁻¹ b
    A = np.diag([1.0, 10.0])
    b = np.array([1.0, -2.0])
    path = descend(make_optimizer(name, LRS[name]), lambda p: A @ p - b, (3.0, 3.0), 3000)
    assert np.allclose(path[-1], np.linalg.solve(A, b), atol=2e-2)
    energy = 0.5 * np.einsum("ni,ij,nj->n", path, A, path) - path @ b
    assert energy[-1] < energy[0]


def test_update_is_in_place_over_several_arrays():
    W, c = np.ones((2, 3)), np.zeros(3)
    W_id, c_id = id(W), id(c)
    opt = make_optimizer("adam", 0.1)
    opt.update([W, c], [np.ones((2, 3)), -np.ones(3)])
    assert id(W) == W_id and id(c) == c_id
    assert np.allclose(W, 0.9) and np.allclose(c, 0.1)


def test_learning_rate_and_hyperparameters_are_live():
    opt = make_optimizer("momentum", 0.1, momentum=0.5)
    p = np.array([0.0])
    opt.step(p, np.array([1.0]))  # v = 1, p = -0.1
    opt.learning_rate = 1.0
    opt.momentum = 0.0
    opt.step(p, np.array([1.0]))  # v = 0·1 + 1, p = -0.1 - 1
    assert p[0] == pytest.approx(-1.1)


def test_reset_clears_state():
    opt = make_optimizer("momentum", 0.1)
    p = np.array([0.0])
    opt.step(p, np.array([1.0]))
    opt.reset()
    q = np.array([0.0])
    opt.step(q, np.array([1.0]))
    assert q[0] == pytest.approx(-0.1) and opt.t == 1


def test_plain_gd_reproduces_the_regression_trainer():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 50)
    y = 1.5 * x + 1 + rng.normal(0, 1, 50)
    lr = 1e-3
    trainer = RegressionTrainer(RegressionParams(learning_rate=lr, initial=(-1.0, 0.0), max_steps=100))
    trainer.set_data(x, y)
    trainer.fit()
    path = descend(make_optimizer("gd", lr), trainer.q.gradient, (-1.0, 0.0), 100)
    hist = trainer.snapshot().history  # rows: step, cost, dist, 3 averages, m, b
    np.testing.assert_allclose(path, hist[:, 6:8], rtol=1e-12)


def test_descend_stops_when_the_path_overflows():
    path = descend(make_optimizer("gd", 10.0), lambda p: 1e300 * p, (1.0, 1.0), 50)
    assert len(path) < 51 and not np.isfinite(path[-1]).all()


def test_unknown_name_lists_the_names():
    with pytest.raises(ValidationError, match="gd, momentum, nesterov, adagrad, rmsprop, adam; got 'sgd'"):
        make_optimizer("sgd", 0.1)


@pytest.mark.parametrize(("lr", "hyper", "match"), [
    (0.0, {}, "learning rate must be a positive finite number; got 0.0"),
    (math.inf, {}, "learning rate"),
    (0.1, {"momentum": 1.0}, r"momentum must be in \[0, 1\); got 1.0"),
    (0.1, {"beta2": -0.1}, "beta2"),
    (0.1, {"epsilon": 0.0}, "epsilon must be a positive"),
    (0.1, {"rho": 0.9}, "Unknown optimizer hyperparameter 'rho'"),
])
def test_bad_hyperparameters(lr, hyper, match):
    with pytest.raises(ValidationError, match=match):
        make_optimizer("adam", lr, **hyper)


def test_rmsprop_and_adam_defaults():
    assert make_optimizer("rmsprop", 0.1).beta2 == 0.9
    assert make_optimizer("adam", 0.1).hyperparameters() == {
        "learning_rate": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


def test_rmsprop_decay_has_one_default_everywhere():
    """RMSProp's decay is 0.9 (Hinton's lecture value, as documented) in the regression and network trainers
    and on the command line; Adam keeps β₂ = 0.999, also when both are compared in one run."""
    import argparse

    from gdplay.commands import fit_regression
    from gdplay.core.network import NetworkParams, NetworkTrainer
    from gdplay.core.regression import RegressionParams, RegressionTrainer

    t = RegressionTrainer(RegressionParams(optimizer="rmsprop", compare=("adam",)))
    t.set_data(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 2.5]))
    assert t.runs[0].opt.beta2 == 0.9 and t.runs[1].opt.beta2 == 0.999
    net = NetworkTrainer(NetworkParams(optimizer="rmsprop"))
    net.set_data(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))
    assert net.optimizer_.beta2 == 0.9
    parser = argparse.ArgumentParser()
    fit_regression.add_arguments(parser)
    assert parser.parse_args(["--data", "x.csv"]).beta2 is None  # the optimizer's own default


def test_every_list_of_optimizers_is_derived_from_the_one_spec():
    """An optimizer is one SPECS entry (plus its class, for an update rule): the rule names, line searches,
    labels, hyperparameter defaults, the regression and fit choices and the live fields all follow it."""
    from gdplay.core import optimizers as O
    from gdplay.core.regression import OPTIMIZER_LABELS, REGRESSION_OPTIMIZERS, RegressionParams

    assert O.OPTIMIZERS + O.LINE_SEARCHES == tuple(O.SPECS) == REGRESSION_OPTIMIZERS
    assert set(O.LINE_SEARCHES) == {"exact", "armijo"}
    for name, spec in O.SPECS.items():
        assert OPTIMIZER_LABELS[name] == spec.label and spec.rule
        assert set(spec.hyperparameters) <= set(O.HYPERPARAMETER_SPECS)
        if not spec.line_search:
            opt = O.make_optimizer(name, 0.1)
            assert opt.hyperparameters() == {"learning_rate": 0.1, **spec.hyperparameters}  # its defaults
    assert set(O.LIVE_HYPERPARAMETERS) <= set(RegressionParams.LIVE)
    assert O.HYPERPARAMETERS["rmsprop"] == {"beta2": 0.9, "epsilon": 1e-8}


@pytest.mark.parametrize("name", ["rmsprop", "adam", "adagrad"])
def test_a_hyperparameter_given_is_the_one_used(name):
    """ε (and β₂) given to a rule replace its defaults: one step of p -= lr·g/(√s + ε) shows which ε."""
    opt = make_optimizer(name, 0.1, epsilon=0.5, beta2=0.5)
    assert (opt.epsilon, opt.beta2) == (0.5, 0.5)
    p = np.array([1.0])
    opt.step(p, np.array([1.0]))
    s = {"rmsprop": 0.5, "adam": 1.0, "adagrad": 1.0}[name]  # the first step's (bias-corrected) mean of g²
    assert p[0] == pytest.approx(1.0 - 0.1 * 1.0 / (math.sqrt(s) + 0.5))


@pytest.mark.parametrize("value", [False, True])
def test_a_bool_is_no_hyperparameter(value):
    with pytest.raises(ValidationError, match="momentum must be in"):
        make_optimizer("momentum", 0.1, momentum=value)
