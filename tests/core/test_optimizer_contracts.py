"""What the update rules promise beyond their formulas on ordinary gradients (survivors of a mutation run on
optimizers.py): ε keeps a tiny gradient's step finite, state follows a change of shape, integer starts,
silent divergence, the hyperparameter checks and the defaults each rule reports."""

import numpy as np
import pytest

from gdplay.core.optimizers import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    RMSProp,
    check_hyperparameters,
    descend,
    make_optimizer,
)
from gdplay.core.trainer import ValidationError


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam"])
def test_epsilon_is_added_to_the_root_so_a_gradient_of_epsilon_takes_half_a_step(name):
    """First step with g = ε: AdaGrad lr·g/(|g| + ε), Adam lr·m̂/(√ŝ + ε) = lr·g/(|g| + ε), both lr/2;
    RMSProp lr·g/(√(1−ρ)|g| + ε)."""
    eps, lr = 1e-8, 0.1
    opt = make_optimizer(name, lr, epsilon=eps)
    p = np.zeros(1)
    opt.step(p, np.array([eps]))
    root = np.sqrt(1 - opt.beta2) * eps if name == "rmsprop" else eps
    assert p[0] == pytest.approx(-lr * eps / (root + eps), rel=1e-12)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_follows_a_change_in_the_parameters_shape(name):
    opt = make_optimizer(name, 0.1)
    opt.update([np.ones(2)], [np.ones(2)])
    p = np.ones(3)
    opt.update([p], [np.ones(3)])  # e.g. a polynomial of higher degree: no shape error, a fresh state
    assert np.isfinite(p).all() and (p < 1).all()


def test_descend_starts_from_integers_and_returns_floats():
    path = descend(make_optimizer("gd", 0.25), lambda p: 2 * p, [2, -4], 3)
    np.testing.assert_allclose(path, [[2, -4], [1, -2], [0.5, -1], [0.25, -0.5]])
    assert path.dtype == np.float64


def test_descend_stops_quietly_where_the_parameters_overflow():
    with np.errstate(all="raise"):  # the caller's strict settings: descend handles its own overflow
        path = descend(make_optimizer("gd", 10.0), lambda p: 2 * p, [1.0], 2000)
    assert len(path) < 2001 and not np.isfinite(path[-1]).all() and np.isfinite(path[:-1]).all()


@pytest.mark.parametrize("bad", [True, 0, -0.1, float("inf"), float("nan"), "0.1"])
def test_a_learning_rate_must_be_a_positive_finite_number(bad):
    with pytest.raises(ValidationError, match="The learning rate must be a positive finite number"):
        check_hyperparameters(bad)


@pytest.mark.parametrize("name", ["momentum", "beta1", "beta2"])
def test_decays_are_in_zero_to_one_including_zero(name):
    check_hyperparameters(0.1, **{name: 0.0})  # no momentum at all is allowed
    for bad in (1.0, -0.1, True):
        with pytest.raises(ValidationError, match=f"{name} must be in \\[0, 1\\); got {bad!r}"):
            check_hyperparameters(0.1, **{name: bad})


@pytest.mark.parametrize("bad", [0.0, True, float("inf")])
def test_epsilon_must_be_positive_and_finite(bad):
    with pytest.raises(ValidationError, match="epsilon must be a positive finite number"):
        check_hyperparameters(0.1, epsilon=bad)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_rule_reports_the_hyperparameters_it_reads_with_their_defaults(name):
    opt = make_optimizer(name, 0.05)
    assert opt.hyperparameters() == {"learning_rate": 0.05, **HYPERPARAMETERS[name]}
    args = ", ".join(f"{k}={v!r}" for k, v in opt.hyperparameters().items())
    assert repr(opt) == f"{type(opt).__name__}({args})"


def test_rmsprop_built_directly_decays_at_hintons_0_9():
    assert RMSProp(0.01).hyperparameters() == {"learning_rate": 0.01, "beta2": 0.9, "epsilon": 1e-8}


def test_unknown_names_are_one_sentence():
    with pytest.raises(ValidationError, match="The optimizer must be one of gd, momentum"):
        make_optimizer("sgd++", 0.1)
    with pytest.raises(ValidationError, match="Unknown optimizer hyperparameter 'rho'; allowed: momentum, beta1"):
        make_optimizer("rmsprop", 0.1, rho=0.9)
