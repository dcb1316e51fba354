"""The network: backprop against finite differences, the seed's worked example, training, vanishing
gradients, symmetry, numerical stability, divergence, live parameters, snapshots and pictures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdplay.core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, activation_curve, sigmoid, softmax
from gdplay.core.datasets import make_blobs, make_moons, make_xor
from gdplay.core.network import (
    CHAIN_EXAMPLE,
    MLP,
    ChainExample,
    ChainParams,
    NetworkParams,
    NetworkTrainer,
    chain_error,
    chain_example_step,
    encode_targets,
    gradient_check,
    make_features,
    views,
)
from gdplay.core.trainer import NotReady, Status, Trainer, ValidationError, diverged_message


def _trainer(X=None, y=None, **params) -> NetworkTrainer:
    if X is None:
        X, y = make_xor(200)
    t = NetworkTrainer(NetworkParams(**params))
    t.set_data(X, y)
    return t


# -- backprop against central finite differences ---------------------------------------------------------

def _problem(n_classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = make_features(rng.uniform(-2, 2, (12, 2)), ("x1", "x2", "x1*x2"))
    y = np.arange(12) % n_classes
    return X, encode_targets(y, n_classes)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("loss", ["mse", "xent"])
@pytest.mark.parametrize("activation", [a for a in HIDDEN_ACTIVATIONS if a != "step"])
def test_backprop_matches_finite_differences(activation, loss, l2, n_classes):
    X, T = _problem(n_classes)
    net = MLP((3, 4, 3, 1 if n_classes == 2 else n_classes), activation, loss, l2, leaky_slope=0.1)
    theta = net.init_params("uniform", np.random.default_rng(1)) * 2.0
    theta[net.n_weights:] = np.random.default_rng(2).uniform(-0.5, 0.5, net.n_params - net.n_weights)
    assert gradient_check(net, X, T, theta=theta) < 1e-5


@pytest.mark.parametrize("n_classes", [2, 3])
def test_binary_step_passes_no_gradient_to_hidden_layers(n_classes):
    X, T = _problem(n_classes)
    net = MLP((3, 4, 3, 1 if n_classes == 2 else n_classes), "step", "xent")
    theta = net.init_params("xavier", np.random.default_rng(1))
    _, grad = net.gradient(theta, X, T)
    hidden = np.concatenate([grad[net.weight_slices[0]], grad[net.weight_slices[1]],
                             grad[net.bias_slices[0]], grad[net.bias_slices[1]]])
    assert np.all(hidden == 0.0)
    assert np.linalg.norm(grad[net.weight_slices[2]]) > 0  # the output layer still learns
    assert gradient_check(net, X, T, theta=theta) < 1e-5  # finite differences agree: flat almost everywhere


def test_gradient_check_on_a_trainer_uses_its_weights_and_rows():
    t = _trainer(*make_blobs(60, 3), hidden=(5,), activation="sigmoid", l2=0.01)
    t.step(20)
    assert gradient_check(t) < 1e-5


def test_no_hidden_layer_is_logistic_regression():
    t = _trainer(*make_blobs(100, 2), hidden=(), learning_rate=0.5)
    assert t.net_.layer_sizes == (2, 1)
    t.step(300)
    assert t.snapshot().train_accuracy > 0.95
    assert gradient_check(t) < 1e-5


# -- the seed's worked example ------------------------------------------------------------------------------

def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_chain_example_by_hand():
    out = chain_example_step()
    x, T, lr = 0.1, 0.25, 0.4
    z1 = 0.1 * 0.15 + 0.4  # 0.415
    a1 = _sig(z1)  # 0.60229
    z2 = 0.45 * a1 + 0.65  # 0.92103
    a2 = _sig(z2)  # 0.71525
    E = 0.5 * (T - a2) ** 2  # 0.10823
    dE_dw2 = -(T - a2) * a2 * (1 - a2) * a1  # the seed's formula
    dE_db2 = -(T - a2) * a2 * (1 - a2)
    dE_dw1 = -(T - a2) * a2 * (1 - a2) * 0.45 * a1 * (1 - a1) * x
    dE_db1 = -(T - a2) * a2 * (1 - a2) * 0.45 * a1 * (1 - a1)
    expected = {
        "z1": 0.415, "a1": a1, "z2": z2, "a2": a2, "E": E,
        "dE_da2": -(T - a2), "da2_dz2": a2 * (1 - a2), "dE_dz2": dE_db2,
        "dE_dw2": dE_dw2, "dE_db2": dE_db2, "dE_da1": dE_db2 * 0.45, "dE_dz1": dE_db1,
        "dE_dw1": dE_dw1, "dE_db1": dE_db1,
        "w1": 0.15 - lr * dE_dw1, "b1": 0.4 - lr * dE_db1, "w2": 0.45 - lr * dE_dw2, "b2": 0.65 - lr * dE_db2,
    }
    for key, value in expected.items():
        assert out[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
    # the numbers a person reads off, to 5 digits
    assert (round(out["a1"], 5), round(out["a2"], 5), round(out["E"], 5)) == (0.60229, 0.71525, 0.10823)
    assert round(out["dE_dw2"], 5) == 0.05707 and round(out["w2"], 5) == 0.42717


def test_chain_example_agrees_with_the_general_backprop():
    out = chain_example_step()
    net = MLP((1, 1, 1), "sigmoid", "mse")
    theta = np.array([0.15, 0.45, 0.4, 0.65])  # W1, W2, then b1, b2
    loss, grad = net.gradient(theta, np.array([[0.1]]), np.array([[0.25]]))
    assert loss == pytest.approx(out["E"], rel=1e-12)
    assert grad == pytest.approx([out["dE_dw1"], out["dE_dw2"], out["dE_db1"], out["dE_db2"]], rel=1e-9)


def test_chain_example_trainer_records_a_falling_error():
    chain = ChainExample()
    assert isinstance(chain, Trainer)
    assert chain.step(3) == 3
    state = dict(CHAIN_EXAMPLE)
    for _ in range(3):
        state.update({k: v for k, v in chain_example_step(state).items() if k in ("w1", "b1", "w2", "b2")})
    snap = chain.snapshot()
    assert dict(snap.weights) == {k: state[k] for k in ("w1", "b1", "w2", "b2")}
    assert snap.cost == pytest.approx(chain_error(state))
    chain.step(200)
    err = chain.snapshot().error_history[:, 1]
    assert np.all(np.diff(err) < 0) and err[-1] < 1e-3
    chain.set_params(ChainParams(learning_rate=0.1), version=1)  # live: keeps the weights
    assert chain.n_iter_ == 203
    chain.set_params(ChainParams(w1=0.3), version=2)  # structural: restarts
    assert chain.n_iter_ == 0 and chain.state_["w1"] == 0.3


# -- training behaviour -------------------------------------------------------------------------------------

def test_xor_with_one_tanh_hidden_layer():
    t = _trainer(hidden=(8,), activation="tanh", learning_rate=0.3, max_steps=3000)
    t.fit()
    snap = t.snapshot()
    assert snap.status is Status.MAX_STEPS and snap.step == 3000
    assert snap.train_accuracy >= 0.97
    assert snap.metrics[-1, 1] < snap.metrics[0, 1] / 5  # the training loss fell


def test_three_classes_use_a_softmax_output():
    X, y = make_blobs(150, 3)
    t = _trainer(X, y, hidden=(6,), optimizer="adam", learning_rate=0.05, batch_size=16, max_steps=400)
    assert t.net_.layer_sizes == (2, 6, 3) and t.net_.softmax_output
    t.fit()
    assert t.snapshot().train_accuracy > 0.9
    proba = t.predict_proba(X[:5])
    assert proba.shape == (5, 3) and np.allclose(proba.sum(axis=1), 1.0)


def test_deep_sigmoid_gradients_vanish_but_relu_ones_do_not():
    X, y = make_moons(200)
    sig = _trainer(X, y, hidden=(8,) * 5, activation="sigmoid", init="xavier").snapshot().grad_norms
    relu = _trainer(X, y, hidden=(8,) * 5, activation="relu", init="he").snapshot().grad_norms
    assert len(sig) == 6
    assert sig[0] / sig[-1] < 1e-2  # orders of magnitude below the last layer's
    assert relu[0] / relu[-1] > 0.1
    assert list(sig) == sorted(sig)  # shrinking layer by layer going back


def test_zero_init_never_breaks_the_symmetry():
    X, y = make_moons(120)
    keep = (y == 0) | (np.arange(120) < 40)  # unbalanced, or the output gradient averages to 0
    t = _trainer(X[keep], y[keep], hidden=(4, 3), activation="sigmoid", init="zeros", learning_rate=0.5)
    t.step(300)
    for W in t.coefs_[:-1]:
        assert np.allclose(W, W[:, :1], rtol=0, atol=1e-12)  # every unit (column) is the same
        assert np.abs(W).min() > 1e-2  # and yet the weights did move
    assert "symmetry never breaks" in t.snapshot().message


def test_zero_gradient_is_reported_not_hung():
    t = _trainer(hidden=(4,), activation="tanh", init="zeros")
    assert t.step(50) == 50
    snap = t.snapshot()
    assert snap.zero_gradient and snap.zero_gradient_layers == (1, 2)
    assert "The gradient is zero" in snap.message
    step = _trainer(hidden=(4, 4), activation="step")
    assert step.step(20) == 20
    snap = step.snapshot()
    assert snap.zero_gradient_layers == (1, 2) and "binary step" in snap.message
    assert snap.flat_fractions == (1.0, 1.0) and snap.flat_kind == "zero-slope"


def test_dead_relu_units_are_counted():
    t = _trainer(hidden=(4,), activation="relu", init="he")
    t.intercepts_[0][:2] = -1e3  # two units with z < 0 for every point
    t._cache = None
    assert t.snapshot().flat_fractions == (0.5,)
    assert t.snapshot().flat_kind == "dead"


def test_saturated_units_are_counted():
    t = _trainer(hidden=(6,), activation="tanh", init="uniform")
    t.coefs_[0][...] *= 1e3  # |z| huge: tanh flat at ±1
    t._cache = None
    assert t.snapshot().flat_fractions[0] > 0.9


def test_stable_softmax_and_cross_entropy_at_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    T = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    net = MLP((2, 3), "tanh", "xent")
    loss = net.loss_from_logits(z, T)
    assert loss == pytest.approx(math.log(2) / 2)
    assert np.allclose(softmax(z), [[1, 0, 0], [0, 0.5, 0.5]])
    zb = np.array([[1e4], [-1e4], [1e4]])
    Tb = np.array([[1.0], [0.0], [0.0]])
    assert MLP((2, 1), "tanh", "xent").loss_from_logits(zb, Tb) == pytest.approx(1e4 / 3)
    assert np.array_equal(sigmoid(np.array([-1e4, 0.0, 1e4])), [0.0, 0.5, 1.0])
    # the hot path too, through a whole network whose weights make logits of ~1e4
    X, _ = _problem(3)
    for k, Tk in ((3, _problem(3)[1]), (1, _problem(2)[1])):
        net = MLP((3, k), "tanh", "xent")
        theta = np.full(net.n_params, 3e3)
        loss, grad = net.gradient(theta, X, Tk)
        assert math.isfinite(loss) and np.isfinite(grad).all()


def test_divergence_keeps_the_last_finite_weights_and_says_so():
    t = _trainer(*make_moons(200), hidden=(8,), activation="relu", learning_rate=1e10, max_steps=1000)
    t.fit()
    snap = t.snapshot()
    assert snap.status is Status.DIVERGED
    assert snap.message.startswith("Training diverged at step ")
    assert "lower the learning rate (now 1e+10)" in snap.message
    assert all(np.isfinite(W).all() for W in snap.coefs) and np.isfinite(t.theta_).all()
    assert t.step(10) == 0
    assert diverged_message(3, "loss", math.nan, 1e10) in diverged_message(3, "loss", math.nan, 1e10)


def test_live_learning_rate_keeps_the_weights_and_structure_resets():
    t = _trainer(hidden=(8,), learning_rate=0.1)
    t.step(50)
    theta = t.theta_.copy()
    t.set_params(t.with_params(learning_rate=0.01, l2=0.001, batch_size=20, optimizer="momentum"), version=3)
    assert t.n_iter_ == 50 and np.array_equal(t.theta_, theta)
    assert t.optimizer_.name == "momentum" and t.optimizer_.learning_rate == 0.01
    assert t.snapshot().params_version == 3 and t.snapshot().learning_rate == 0.01
    assert t.step(10) == 10
    t.set_params(t.with_params(learning_rate=0.5))
    assert t.optimizer_.learning_rate == 0.5
    t.set_params(t.with_params(hidden=(4,)))
    assert t.n_iter_ == 0 and t.net_.layer_sizes == (2, 4, 1)


def test_step_limit_and_raising_it():
    t = _trainer(hidden=(3,), max_steps=30)
    t.fit()
    assert t.status is Status.MAX_STEPS and t.n_iter_ == 30
    t.set_params(t.with_params(max_steps=40))
    assert t.status.can_step and t.step(100) == 10


def test_snapshot_arrays_are_read_only():
    t = _trainer(hidden=(4,))
    t.step(25)
    snap = t.snapshot()
    arrays = [*snap.coefs, *snap.intercepts, snap.loss_history, snap.metrics, snap.layer_stats]
    dmap = views.decision_map(t, (-4, 4), (-4, 4), (10, 12))
    arrays += [dmap.probability, dmap.label]
    for a in arrays:
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[...] = 0
    assert isinstance(t, Trainer)


def test_snapshot_fields_after_some_steps():
    X, y = make_xor(220)
    mask = np.zeros(220, bool)
    mask[:20] = True
    t = NetworkTrainer(NetworkParams(hidden=(8,), learning_rate=0.3))
    t.set_data(X, y, version=7, test_mask=mask)
    t.step(105)
    snap = t.snapshot()
    assert (snap.n_train, snap.n_test, snap.data_version, snap.step) == (200, 20, 7, 105)
    assert snap.layer_sizes == (2, 8, 1) and snap.classes == (0, 1)
    assert snap.loss_history.shape == (105, 2) and snap.loss_history[-1, 0] == 104
    assert snap.metrics.shape == (12, 5) and list(snap.metrics[:, 0]) == [*range(0, 110, 10)[:11], 105]
    assert snap.layer_stat_fields == ("grad_norm_1", "grad_norm_2", "flat_1")
    assert snap.layer_stats.shape == (12, 4)
    assert math.isfinite(snap.test_loss) and 0 <= snap.test_accuracy <= 1
    assert snap.cost == snap.train_loss == snap.metrics[-1, 1]


def test_mini_batches_count_epochs_and_stay_deterministic():
    a = _trainer(hidden=(5,), batch_size=1, seed=3, optimizer="nesterov", learning_rate=0.05)
    b = _trainer(hidden=(5,), batch_size=1, seed=3, optimizer="nesterov", learning_rate=0.05)
    c = _trainer(hidden=(5,), batch_size=1, seed=4, optimizer="nesterov", learning_rate=0.05)
    for t in (a, b, c):
        t.step(450)
    assert np.array_equal(a.theta_, b.theta_) and not np.array_equal(a.theta_, c.theta_)
    assert a.snapshot().epoch == 2 and a.snapshot().batch_size == 1
    full = _trainer(hidden=(5,))
    full.step(7)
    assert full.snapshot().epoch == 7


def test_invalid_data_is_a_status_with_a_message():
    t = NetworkTrainer()
    assert t.status is Status.INVALID and "No training points yet" in t.message
    assert t.step(5) == 0
    snap = t.snapshot()
    assert snap.status is Status.INVALID and math.isnan(snap.cost) and snap.coefs == ()
    t.set_data(np.zeros((5, 2)), np.ones(5, int))
    assert t.status is Status.INVALID
    assert t.message.startswith("The number of classes has to be greater than one; got 1 class.")
    assert "second class" in t.message
    t.set_data(np.zeros((2, 2)), np.array([0, 1]), test_mask=np.array([True, True]))
    assert t.status is Status.INVALID and "held out" in t.message
    with pytest.raises(NotReady, match=r"^Every point is held out"):
        views.decision_map(t, (0, 1), (0, 1))
    with pytest.raises(ValidationError, match="There is no network to evaluate: Every point is held out"):
        t.predict_proba(np.zeros((1, 2)))


@pytest.mark.parametrize(("args", "labels", "match"), [
    (np.zeros((3, 3)), np.zeros(3), r"X must have shape \(n, 2\); got \(3, 3\)"),
    (np.zeros((3, 2)), np.zeros(2), "labels must have shape"),
    (np.array([[0, np.nan]]), np.zeros(1), "NaN or infinity"),
    (np.zeros((2, 2)), np.array([0.5, 1.0]), "Labels must be integers; got 0.5"),
])
def test_bad_data_raises(args, labels, match):
    with pytest.raises(ValidationError, match=match):
        NetworkTrainer().set_data(args, labels)


@pytest.mark.parametrize(("changes", "match"), [
    ({"hidden": (8,) * 7}, "The number of hidden layers must be between 0 and 6; got 7"),
    ({"hidden": (8, 0)}, r"Each hidden layer must have between 1 and 32 units; got \(8, 0\)"),
    ({"hidden": (33,)}, "between 1 and 32"),
    ({"activation": "softmax"}, "The activation must be one of sigmoid, tanh, relu, leaky_relu, linear, step"),
    ({"loss": "hinge"}, "The loss must be one of mse, xent; got 'hinge'"),
    ({"init": "ones"}, "The init must be one of zeros, uniform, xavier, he"),
    ({"optimizer": "lbfgs"}, "The optimizer must be one of gd, momentum"),
    ({"learning_rate": -1.0}, "learning rate must be a positive finite number; got -1.0"),
    ({"momentum": 1.5}, r"momentum must be in \[0, 1\)"),
    ({"batch_size": -1}, "The batch size must be an integer >= 0"),
    ({"l2": -0.1}, "l2 penalty"),
    ({"features": ()}, "Pick at least one input feature"),
    ({"features": ("x1", "x3")}, "Unknown feature 'x3'"),
    ({"features": ("x1", "x1")}, "Each feature may appear once"),
    ({"max_steps": 0}, "step limit"),
    ({"seed": -1}, "seed"),
    ({"leaky_slope": 1.0}, "leaky ReLU slope"),
])
def test_params_validation_messages(changes, match):
    with pytest.raises(ValidationError, match=match):
        NetworkParams(**changes).validate()


def test_extra_features_make_xor_linear():
    # x1*x2 alone separates XOR: no hidden layer needed
    t = _trainer(hidden=(), features=("x1*x2",), learning_rate=0.1, max_steps=300)
    t.fit()
    assert t.snapshot().train_accuracy > 0.97 and t.net_.layer_sizes == (1, 1)


# -- pictures ---------------------------------------------------------------------------------------------------

def test_decision_map_is_row_major_and_matches_predict_proba():
    X, y = make_blobs(120, 3)
    t = _trainer(X, y, hidden=(6,), learning_rate=0.3)
    t.step(100)
    dmap = views.decision_map(t, (-3.0, 3.0), (-2.0, 4.0), (5, 7))
    assert dmap.probability.shape == (5, 7) and dmap.probability.dtype == np.float32
    i, j = 1, 5
    xy = np.array([[np.linspace(-3, 3, 7)[j], np.linspace(-2, 4, 5)[i]]])
    proba = t.predict_proba(xy)[0]
    assert dmap.label[i, j] == proba.argmax()
    assert dmap.probability[i, j] == pytest.approx(proba.max(), abs=1e-5)
    two = _trainer(hidden=(4,))
    two.step(50)
    m = views.decision_map(two, (-3, 3), (-3, 3), (9, 9))
    p = two.predict_proba(np.array([[1.5, -3.0]]))[0, 1]  # y = -3 is row 0, x = 1.5 is column 6
    assert m.probability[0, 6] == pytest.approx(p, abs=1e-5) and m.label[0, 6] == int(p >= 0.5)


def test_neuron_maps_have_one_image_per_unit():
    t = _trainer(hidden=(5, 3), activation="relu", init="he")
    maps = views.neuron_maps(t, (-3, 3), (-3, 3), size=24)
    assert [a.shape for a in maps.layers] == [(5, 24, 24), (3, 24, 24), (1, 24, 24)]
    assert maps.levels[-1] == (0.0, 1.0) and all(lo < hi for lo, hi in maps.levels)


@pytest.mark.parametrize("method", ["random", "pca"])
def test_loss_landscape_passes_through_the_current_weights(method):
    t = _trainer(hidden=(6,), learning_rate=0.3)
    t.step(400)
    land = views.loss_landscape(t, method, shape=(31, 31))
    assert land.loss.shape == (31, 31) and land.method == method
    assert land.loss[15, 15] == pytest.approx(t.snapshot().train_loss, rel=1e-9)
    assert np.allclose(land.path[-1], 0.0, atol=1e-9) and land.path_steps[-1] == 400
    assert land.path_loss[-1] == pytest.approx(t.snapshot().train_loss, rel=1e-9)
    assert land.path.shape == (len(land.path_steps), 2)
    if method == "pca":
        assert 0.5 < land.explained[0] <= 1.0 and land.message == ""
        assert np.all(np.abs(land.path).max(axis=0) <= [land.alphas[-1], land.betas[-1]])
    # the same seed gives the same slice
    assert np.array_equal(land.loss, views.loss_landscape(t, method, shape=(31, 31)).loss)


def test_pca_landscape_falls_back_before_any_step():
    land = views.loss_landscape(_trainer(hidden=(3,)), "pca", shape=(5, 5))
    assert land.method == "random" and "too short" in land.message


def test_activation_curves():
    for name in ACTIVATIONS:
        curve = activation_curve(name, (-5, 5), 101)
        assert curve.value.shape == curve.derivative.shape == (101,)
        assert not curve.value.flags.writeable
    sig = activation_curve("sigmoid")
    assert sig.derivative.max() == pytest.approx(0.25) and sig.range_text == "(0, 1)"
    assert np.all(activation_curve("step").derivative == 0)
    leaky = activation_curve("leaky_relu", leaky_slope=0.2)
    assert set(np.unique(leaky.derivative)) == {0.2, 1.0}
    assert np.allclose(activation_curve("softmax").value, sigmoid(activation_curve("softmax").z))


@pytest.mark.parametrize(("view", "args"), [
    ("decision_map", ((0, 1), (0, 1), (4, 4))), ("neuron_maps", ((0, 1), (0, 1), 4)), ("loss_landscape", ()),
    ("check_gradient", ()), ("predicted_class", (np.zeros((3, 2)),)),
    ("reference_gradient_flow", ("relu", "he", 10)),
])
def test_every_view_says_why_there_is_no_picture_without_a_network(view, args):
    t = NetworkTrainer()
    t.set_data(np.zeros((3, 2)), np.zeros(3, dtype=int))  # one class: no network
    with pytest.raises(NotReady, match=r"^The number of classes has to be greater than one"):
        getattr(views, view)(t, *args)


def test_the_views_answer_once_there_is_a_network():
    from gdplay.core.network import GradientCheck

    X, y = make_xor(40)
    t = NetworkTrainer()
    t.set_data(X, y)
    t.step(5)
    assert views.decision_map(t, (0, 1), (0, 1), (4, 5)).probability.shape == (4, 5)
    assert (views.predicted_class(t, X) == t.predict_proba(X).argmax(axis=1)).all()
    check = views.check_gradient(t)
    assert isinstance(check, GradientCheck) and check.max_relative_error < 1e-5 and check.step == 5


def test_loss_landscape_after_divergence_uses_only_finite_weights():
    from gdplay.core.datasets import make_xor
    from gdplay.core.network import NetworkParams, NetworkTrainer
    from gdplay.core.trainer import Status

    t = NetworkTrainer(NetworkParams(hidden=(8, 8), activation="linear", learning_rate=10.0))
    t.set_data(*make_xor(100))
    t.step(1000)
    assert t.status is Status.DIVERGED
    land = views.loss_landscape(t, "pca", (5, 5))
    assert np.isfinite(land.path).all()


def test_backward_gain_bound_is_the_spectral_norm_over_4_for_sigmoid():
    """The factor a gradient can grow by going back through a sigmoid layer is max σ' · ‖W‖₂ = ‖W‖/4."""
    from gdplay.core.network import backward_gain_bounds

    rng = np.random.default_rng(3)
    coefs = [rng.normal(size=(2, 8)), rng.normal(size=(8, 8)), rng.normal(size=(8, 1))]
    got = backward_gain_bounds(coefs, "sigmoid")
    want = [np.linalg.svd(W, compute_uv=False)[0] / 4 for W in coefs[1:]]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(backward_gain_bounds(coefs, "relu"), [4 * v for v in want], rtol=1e-12)
    # and the bound holds: one backward step through layer 2 never grows δ by more than it
    z = rng.normal(size=(50, 8))
    s = 1 / (1 + np.exp(-z))
    delta = rng.normal(size=(50, 8))
    back = (delta @ coefs[1].T) * (s * (1 - s))
    assert (np.linalg.norm(back, axis=1) <= got[0] * np.linalg.norm(delta, axis=1) + 1e-12).all()


def test_reference_gradient_flow_trains_the_other_activation():
    from gdplay.core import datasets
    from gdplay.core.network import NetworkParams, NetworkTrainer

    X, y = datasets.make_xor(200, 0.25, 0)
    t = NetworkTrainer(NetworkParams(hidden=(8, 8, 8, 8, 8), activation="sigmoid", init="xavier", loss="mse",
                                     optimizer="gd", learning_rate=0.1))
    t.set_data(X, y)
    ref = views.reference_gradient_flow(t, "relu", "he", 300)
    assert ref.activation == "relu" and ref.steps == 300
    assert ref.rows.shape[1] == 1 + 6 and ref.rows[0, 0] == 0 and ref.rows[-1, 0] == 300
    assert t.n_iter_ == 0  # the trainer itself did not move
    sig = t.snapshot().grad_norms
    assert ref.rows[0, 1] / ref.rows[0, -1] > 100 * (sig[0] / sig[-1])  # ReLU's gradient reaches layer 1


@pytest.mark.parametrize(("batch", "steps", "epochs"), [(0, 5, 5), (4, 2, 0), (4, 3, 1), (4, 7, 2), (1, 10, 1)])
def test_one_epoch_definition_in_both_trainers(batch, steps, epochs):
    """An epoch is a completed pass over the training points, in the network and the regression trainer
    alike: full batch, every step; mini-batch, when the pass's last (possibly short) batch is taken."""
    from gdplay.core.network import NetworkParams, NetworkTrainer
    from gdplay.core.regression import RegressionParams, RegressionTrainer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 2))
    net = NetworkTrainer(NetworkParams(hidden=(3,), batch_size=batch))
    net.set_data(X, (X[:, 0] > 0).astype(int))
    net.step(steps)
    reg = RegressionTrainer(RegressionParams(batch_size=batch, learning_rate=1e-3))
    reg.set_data(X[:, 0], X[:, 1])
    reg.step(steps)
    assert net.snapshot().epoch == epochs
    assert reg.snapshot().runs[0].epoch == epochs


def test_binary_step_hidden_layers_get_no_gradient_but_the_output_layer_learns():
    """What the README says of the binary step: no gradient reaches the hidden layers, yet the output layer
    learns (XOR accuracy rises above where it starts, far from a trained network's)."""
    from gdplay.core import datasets
    from gdplay.core.network import NetworkParams, NetworkTrainer

    X, y = datasets.make_xor(200, 0.25, 0)
    t = NetworkTrainer(NetworkParams(hidden=(8,), activation="step", max_steps=3000))
    t.set_data(X, y)
    start = t.snapshot().train_accuracy
    while t.status.can_step and t.step(1000):
        pass
    s = t.snapshot()
    assert s.grad_norms[0] == 0.0 and s.grad_norms[-1] > 0.0
    assert s.train_accuracy >= start + 0.1 and 0.6 <= s.train_accuracy <= 0.9


@pytest.mark.parametrize("batch_size", [0, 16])
def test_snapshots_between_steps_change_no_number_and_cost_no_extra_pass_in_full_batch(batch_size):
    """A snapshot evaluates the full training set at the current weights; in full batch the next step takes
    that pass instead of making it again. The run must be bit for bit the run without snapshots, also when
    a live change (l2, the learning rate) comes between a snapshot and the next step."""
    def run(with_snapshots: bool):
        t = _trainer(hidden=(5, 3), batch_size=batch_size, l2=1e-3, seed=2)
        passes = []
        original = t.net_.loss_and_grad
        t.net_.loss_and_grad = lambda *a, **k: passes.append(1) or original(*a, **k)
        snaps = []
        for i in range(12):
            t.step(3)
            if with_snapshots:
                snaps.append(t.snapshot())
            if i == 5:
                t.set_params(t.with_params(l2=0.05, learning_rate=0.2))
        return t, len(passes), snaps

    a, passes_a, snaps = run(True)
    b, passes_b, _ = run(False)
    assert np.array_equal(a.theta_, b.theta_)
    assert np.array_equal(a.loss_history_.rows(), b.loss_history_.rows())
    assert np.array_equal(a.metrics_.rows(), b.metrics_.rows(), equal_nan=True)  # no test rows: nan
    assert np.array_equal(a.layer_stats_.rows(), b.layer_stats_.rows())
    # the snapshot's loss is the loss at the weights it shows (a step later, the same pass is the history's)
    assert snaps[-1].cost == b.snapshot().cost == pytest.approx(b.net_.gradient(b.theta_, b._Ftr, b._Ttr)[0])
    if batch_size == 0:
        # 12 snapshot passes, 10 of them taken by the next step: not the last one (no step after it) nor the
        # one before the l2 change (the loss at those weights changed)
        assert passes_a == passes_b + 2
    else:
        assert passes_a == passes_b + 12  # mini-batches: the full-set pass is the snapshot's own


def test_a_landscape_of_a_big_network_is_coarser_and_then_sampled_within_its_work_bound():
    t = _trainer(hidden=(16, 16), seed=1)
    t.step(30)
    full = views.loss_landscape(t, "random", (21, 21), max_work=math.inf)
    assert full.loss.shape == (21, 21) and full.message == ""
    assert views.loss_landscape(t, "random", (21, 21)).loss.tobytes() == full.loss.tobytes()  # small: as asked
    # the centre of the grid is the current weights: the loss there is the training loss (all rows)
    assert full.loss[10, 10] == pytest.approx(t.snapshot().train_loss, rel=1e-9)
    per_loss = 200 * t.net_.n_weights
    coarse = views.loss_landscape(t, "random", (21, 21), max_work=(15 * 15 + len(full.path_steps)) * per_loss)
    assert coarse.loss.shape == (15, 15) and "15×15 grid, to keep" in coarse.message
    sampled = views.loss_landscape(t, "random", (21, 21),
                                   max_work=(15 * 15 + len(full.path_steps)) * t.net_.n_weights * 80)
    assert sampled.loss.shape == (15, 15) and "over 80 of the 200 training points" in sampled.message
    assert np.isfinite(sampled.loss).all() and sampled.loss[7, 7] != full.loss[10, 10]  # a sample's loss


def test_a_gradient_check_of_a_big_network_checks_a_spread_of_parameters_on_a_sample_of_points():
    t = _trainer(hidden=(16, 16), seed=1)
    t.step(30)
    full = views.check_gradient(t, max_work=math.inf)
    assert (full.n_params, full.n_total, full.n_sampled_rows) == (t.net_.n_params, t.net_.n_params, 0)
    part = views.check_gradient(t, max_work=2 * 100 * t.net_.n_weights * 50)
    assert part.n_params < part.n_total == t.net_.n_params and part.n_sampled_rows < 200
    assert part.max_relative_error < 1e-5 and full.max_relative_error < 1e-5
    # the spread's errors are those of the same parameters in the full check (same rows: all of them)
    X, T = t._Ftr, t._Ttr
    some = np.array([0, 5, t.net_.n_params - 1])
    assert gradient_check(t, X, T, indices=some) <= gradient_check(t, X, T) + 1e-15


def test_a_gradient_check_catches_a_wrong_gradient_in_the_parameters_it_checks():
    t = _trainer(hidden=(3,), seed=1)
    t.step(5)
    net = t.net_
    original = net.gradient

    def wrong(theta, X, T):
        loss, g = original(theta, X, T)
        g[-1] *= 1.5  # the output bias's derivative off by half
        return loss, g

    net.gradient = wrong
    assert gradient_check(t) > 0.1
    assert gradient_check(t, indices=[net.n_params - 1]) > 0.1
    assert gradient_check(t, indices=[0, 1]) < 1e-5


def test_every_param_is_live_or_restarts_the_run_and_the_trainer_keeps_the_weights_for_live_ones():
    from dataclasses import fields

    names = {f.name for f in fields(NetworkParams)}
    assert set(NetworkParams.LIVE) | set(NetworkParams.STRUCTURAL) == names
    assert not set(NetworkParams.LIVE) & set(NetworkParams.STRUCTURAL)
    t = _trainer(hidden=(3,))
    t.step(5)
    theta = t.theta_.copy()
    live = {"learning_rate": 0.2, "l2": 0.01, "batch_size": 8, "optimizer": "adam", "beta1": 0.8,
            "max_steps": 50}
    assert set(live) <= set(NetworkParams.LIVE)
    t.set_params(t.with_params(**live))
    assert t.n_iter_ == 5 and np.array_equal(t.theta_, theta)  # kept
    t.set_params(t.with_params(seed=3))
    assert t.n_iter_ == 0  # restarted


@pytest.mark.parametrize("name", ["xor", "blobs", "circles", "moons", "spiral", "gaussian_pair"])
def test_each_data_set_by_name_gives_its_points_and_classes(name):
    from gdplay.core.network import DATASETS, make_dataset

    assert name in DATASETS
    xy, y = make_dataset(name, 120, 0.1, 3, n_classes=3)
    k = 3 if name in ("blobs", "spiral") else 2
    assert xy.shape == (120, 2) and set(np.unique(y).tolist()) == set(range(k))
    again, _ = make_dataset(name, 120, 0.1, 3, n_classes=3)
    assert np.array_equal(xy, again)  # seeded
    with pytest.raises(KeyError):
        make_dataset("nonsense", 10, 0.1, 0)


def test_the_held_out_split_is_seeded_sized_and_stable_as_points_are_added():
    from gdplay.core.network import held_out_mask

    m = held_out_mask(200, 0.2, 0)
    assert m.dtype == bool and m.sum() == 40
    assert np.array_equal(m, held_out_mask(200, 0.2, 0)) and not np.array_equal(m, held_out_mask(200, 0.2, 1))
    assert (held_out_mask(201, 0.2, 0)[:200] != m).sum() <= 2  # one more point moves at most one membership
    assert not held_out_mask(5, 0.0, 0).any() and held_out_mask(0, 0.5, 0).shape == (0,)
    assert held_out_mask(10, 1.0, 3).all()
