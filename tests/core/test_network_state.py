"""Saving and restoring a network run (and the worked example): a round trip through real JSON gives back
the same snapshot and pictures, training goes on bit-identically, and a bad state is refused whole."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from state_helpers import DELETE, assert_same, damage_base64, saved_state, set_at, through_json

from gdplay.core.datasets import make_blobs, make_moons, make_xor
from gdplay.core.network import ChainExample, ChainParams, NetworkParams, NetworkTrainer, views
from gdplay.core.state import encode_array
from gdplay.core.trainer import Status, ValidationError


def _data(kind: str = "xor", n: int = 120, test_every: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    X, y = {"xor": make_xor, "moons": make_moons, "blobs3": lambda n: make_blobs(n, 3)}[kind](n)
    return X, y, (np.arange(len(X)) % test_every == 0) if test_every else None


def _new(data, eval_every: int = 10, history_capacity: int = 4096, **params) -> NetworkTrainer:
    X, y, mask = data
    t = NetworkTrainer(NetworkParams(**params), history_capacity=history_capacity, eval_every=eval_every)
    t.set_data(X, y, test_mask=mask)
    return t


def _restored(t: NetworkTrainer, data, **kwargs) -> NetworkTrainer:
    """A fresh trainer with the same params and data, given t's state after a trip through JSON."""
    X, y, mask = data
    r = NetworkTrainer(t.params, **kwargs)
    r.set_data(X, y, test_mask=mask)
    r.import_state(saved_state(t))
    return r


# -- round trip and continuation ------------------------------------------------------------------------

CASES = {
    # name: (data, trainer kwargs, steps before saving) - step counts end mid-epoch for mini-batches
    "full batch, gd": (("xor", 120, 0), dict(hidden=(8,), learning_rate=0.3), 57),
    "mini-batch, momentum, 2 hidden, test split": (
        ("moons", 120, 4), dict(hidden=(6, 5), optimizer="momentum", batch_size=16, learning_rate=0.05), 83),
    "one sample, adam, no hidden": (("xor", 60, 0), dict(hidden=(), optimizer="adam", batch_size=1,
                                                          learning_rate=0.01, features=("x1", "x2", "x1*x2")), 71),
    "3 classes, softmax, adam, mse, test split": (
        ("blobs3", 90, 3), dict(hidden=(5, 4, 3), optimizer="adam", batch_size=7, loss="mse", l2=0.01,
                                learning_rate=0.02), 64),
    "nesterov, every buffer thinned": (  # small histories, a record every step: every buffer has thinned
        ("moons", 80, 5), dict(hidden=(4,), optimizer="nesterov", batch_size=9, learning_rate=0.05,
                               eval_every=1, history_capacity=16), 301),
    "rmsprop, relu": (("xor", 100, 0), dict(hidden=(8,), activation="relu", optimizer="rmsprop", batch_size=25,
                                            learning_rate=0.01), 42),
    "adagrad, sigmoid": (("xor", 100, 10), dict(hidden=(4, 4), activation="sigmoid", optimizer="adagrad",
                                                learning_rate=0.1), 33),
}


def _case(name: str) -> tuple[tuple, dict, dict, int]:
    data_args, kwargs, steps = CASES[name]
    kwargs = dict(kwargs)
    setup = {k: kwargs.pop(k) for k in ("eval_every", "history_capacity") if k in kwargs}
    return _data(*data_args), setup, kwargs, steps


@pytest.mark.parametrize("name", CASES)
def test_round_trip_through_json_gives_the_same_snapshot_and_training_goes_on_identically(name):
    data, setup, params, steps = _case(name)
    t = _new(data, **setup, **params)
    assert t.step(steps) == steps
    r = _restored(t, data, **setup)
    assert_same(t.snapshot(), r.snapshot())
    assert r.snapshot().step == steps and r.status is Status.TRAINING
    if name.startswith("nesterov"):  # the thinned buffers really were thinned, and survived
        assert t.loss_history_.stride > 1 and t.trajectory_.stride > 1
        assert (r.loss_history_.stride, r.trajectory_.stride) == (t.loss_history_.stride, t.trajectory_.stride)
    for more in (1, 37, 120):  # past epoch ends, record steps and thinning
        assert t.step(more) == r.step(more) == more
        assert_same(t.snapshot(), r.snapshot())
        assert t.theta_.tobytes() == r.theta_.tobytes()
    assert_same(t.export_state(), r.export_state())  # optimizer moments, generator, trajectory too


def test_a_restored_mini_batch_run_draws_the_same_batches():
    """The generator's position and the current epoch's order matter: without them the runs part."""
    data, _, params, steps = _case("mini-batch, momentum, 2 hidden, test split")
    t = _new(data, **params)
    t.step(steps)
    state = saved_state(t)
    other = _new(data, **params)
    other.step(1)  # a generator in another place
    state["batches"]["rng"] = other.export_state()["batches"]["rng"]
    r = _new(data, **params)
    r.import_state(state)
    t.step(20)
    r.step(20)
    assert t.theta_.tobytes() != r.theta_.tobytes()


def test_before_the_first_step_and_after_a_reset():
    data = _data()
    t = _new(data, optimizer="adam")
    r = _restored(t, data)
    assert_same(t.snapshot(), r.snapshot())
    assert r.status is Status.READY and r.optimizer_.t == 0
    t.step(5)
    r.step(5)
    assert_same(t.snapshot(), r.snapshot())


def test_stopped_at_the_step_limit_stays_stopped_and_a_raised_limit_goes_on():
    data = _data()
    t = _new(data, max_steps=40, batch_size=10)
    t.fit()
    r = _restored(t, data)
    assert r.status is Status.MAX_STEPS and r.message == t.message and r.step(5) == 0
    for trainer in (t, r):
        trainer.set_params(trainer.with_params(max_steps=90))
        trainer.step(100)
    assert_same(t.snapshot(), r.snapshot())


@pytest.mark.parametrize("params, why", [
    (dict(hidden=(8, 8), activation="linear", learning_rate=10.0), "loss"),
    (dict(hidden=(4,), optimizer="adam", learning_rate=1e308), "weights"),
])
def test_a_diverged_run_round_trips_with_its_nan_and_inf(params, why):
    data = _data("xor", 200)
    t = _new(data, eval_every=1, **params)
    t.fit()
    assert t.status is Status.DIVERGED and f"({why} became" in t.message
    assert np.isnan(t.metrics_.rows()).any()  # no test split: test loss and accuracy are NaN
    if why == "loss":
        assert np.isinf(t.layer_stats_.rows()).any()  # gradient norms overflowed before the loss did
    else:
        assert not np.isfinite(t.optimizer_._state[0][-1]).all()  # the update that blew up the weights
    r = _restored(t, data, eval_every=1)
    assert_same(t.snapshot(), r.snapshot())
    assert r.status is Status.DIVERGED and r.message == t.message and r.step(10) == 0
    assert_same(t.export_state(), r.export_state())
    assert_same(views.loss_landscape(t, "pca", (5, 5)), views.loss_landscape(r, "pca", (5, 5)))


def test_no_network_round_trips_as_nothing_learned():
    data = (np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([1, 1]), None)
    t = _new(data)
    assert t.status is Status.INVALID
    state = saved_state(t)
    assert state == {"kind": "network", "format": 1, "layer_sizes": []}
    r = _new(data)
    r.import_state(state)
    assert_same(t.snapshot(), r.snapshot())
    with pytest.raises(ValidationError, match=r"is for layers 2-4-1; the current settings and data make no network"):
        r.import_state(through_json(_new(_data()).export_state()))


@pytest.mark.parametrize("name", ["nesterov, every buffer thinned", "3 classes, softmax, adam, mse, test split"])
def test_views_of_the_restored_trainer_equal_the_original_ones(name):
    data, setup, params, steps = _case(name)
    t = _new(data, **setup, **params)
    t.step(steps)
    r = _restored(t, data, **setup)
    for method, args in (("decision_map", ((-2, 2), (-1.5, 2), (20, 30))), ("neuron_maps", ((-2, 2), (-2, 2), 8)),
                         ("loss_landscape", ("pca", (9, 7))), ("loss_landscape", ("random", (7, 9), 1.0, 3)),
                         ("predicted_class", (data[0],)), ("check_gradient", ())):
        view = getattr(views, method)
        assert_same(view(t, *args), view(r, *args), method)
    assert_same(t.predict_proba(data[0]), r.predict_proba(data[0]), "predict_proba")
    assert views.loss_landscape(t, "pca", (5, 5)).method == "pca"  # the trajectory made real principal directions


# -- refusals: a clear sentence, and the trainer as it was -----------------------------------------------------

def _tamper_weights(shape):
    def tamper(s):
        s["weights"][0] = encode_array(np.zeros(shape))
    return tamper


def _nan_weight(s):
    s["weights"][1] = encode_array(np.full((6, 5), np.nan))


# the shared damages (tests/state_helpers.py) in this file's order: the value first, then the path
def _drop(*keys):
    return set_at(keys, DELETE)


def _set(value, *keys):
    return set_at(keys, value)


def _damage(*keys):
    return damage_base64(keys)


def _order_of_zeros(s):
    s["batches"]["order"]["base64"] = encode_array(np.zeros(90, dtype=np.int64))["base64"]


REFUSALS = {
    "wrong kind": (_set("regression", "kind"), r"is a saved 'regression' state; expected 'network'"),
    "wrong format": (_set(2, "format"), r"has format version 2; this version of gdplay reads version 1"),
    "kind not text": (_set(["network"], "kind"), r"'kind' is \['network'\]; expected str"),
    "missing field": (_drop("optimizer"), r"The network state has no 'optimizer' field"),
    "missing nested field": (_drop("batches", "rng"), r"batch order has no 'rng' field"),
    "missing history": (_drop("layer_stats"), r"has no 'layer_stats' field"),
    "weights of the wrong shape": (_tamper_weights((2, 5)), r"W_1 has shape 2×5; expected 2×6"),
    "weights of the wrong dimensions": (_tamper_weights((12,)), r"W_1 has shape 12; expected 2×6"),
    "a layer too many": (lambda s: s["biases"].append(s["biases"][-1]), r"has 4 biases; expected 3"),
    "damaged base64": (_damage("biases", 2), r"b_3 is damaged \(its data is not valid base64\)"),
    "NaN in the weights": (_nan_weight, r"W_2 contains NaN or infinity"),
    "bad status": (_set("flying", "status"), r"'status' is 'flying'; expected one of 'ready', 'training'"),
    "invalid status": (_set("invalid", "status"), r"'status' is 'invalid'"),
    "negative step": (_set(-3, "step"), r"'step' is -3; expected a whole number >= 0"),
    "step as text": (_set("12", "step"), r"'step' is '12'; expected int"),
    "message not text": (_set(None, "message"), r"'message' is None; expected str"),
    "other optimizer": (_set("gd", "optimizer", "name"), r"optimizer is 'gd'; the settings say 'adam'"),
    "optimizer arrays missing": (_set(None, "optimizer", "arrays"), r"has taken 40 steps but no state arrays"),
    "optimizer array short": (lambda s: s["optimizer"]["arrays"].pop(), r"has 2 state arrays; adam keeps 3"),
    "damaged optimizer array": (_damage("optimizer", "arrays", 1), r"optimizer array 2 is damaged"),
    "other generator": (_set("Xorshift", "batches", "rng", "bit_generator"), r"random generator 'Xorshift'"),
    "damaged generator": (_set("many", "batches", "rng", "state"), r"random generator is damaged"),
    "order not a shuffle": (_order_of_zeros, r"batch order is not a shuffle of the 90 training points"),
    "history of other fields": (_set(["step", "loss"], "metrics", "fields"), r"metrics records \['step', 'loss'\]"),
    "damaged trajectory (checked last)": (_damage("trajectory", "thetas"), r"trajectory weights is damaged"),
    "trajectory stride": (_set(3, "trajectory", "stride"), r"trajectory: 'stride' is 3; expected a power of two"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_bad_state_is_refused_with_a_sentence_and_changes_nothing(name):
    tamper, match = REFUSALS[name]
    data = _data("blobs3", 120, 4)  # 90 training points
    params = dict(hidden=(6, 5), optimizer="adam", batch_size=16, learning_rate=0.05)
    saved = _new(data, **params)
    saved.step(40)
    state = saved_state(saved)
    tamper(state)
    t = _new(data, **params)
    t.step(17)  # something learned that must survive the refusal
    before, snap = t.export_state(), t.snapshot()
    with pytest.raises(ValidationError, match=match):
        t.import_state(state)
    assert_same(before, t.export_state())
    assert_same(snap, t.snapshot())
    t.step(3)  # and it still trains


@pytest.mark.parametrize("obj, match", [
    (None, r"The network state is not an object with named fields"),
    (["network", 1], r"The network state is not an object with named fields"),
    ({}, r"The network state has no 'kind' field"),
])
def test_something_that_is_not_a_state_is_refused(obj, match):
    t = _new(_data())
    with pytest.raises(ValidationError, match=match):
        t.import_state(obj)


@pytest.mark.parametrize("hidden, data_args, match", [
    ((4,), ("xor", 120, 0), r"is for layers 2-8-8-1; the current settings and data make 2-4-1"),
    ((8, 8), ("blobs3", 120, 0), r"is for layers 2-8-8-1; the current settings and data make 2-8-8-3"),
    ((8, 8), ("xor", 120, 4), r"trained on 120 points with 0 held out; the current data has 90 with 30 held out"),
])
def test_a_state_for_another_architecture_or_data_is_refused(hidden, data_args, match):
    saved = _new(_data("xor", 120, 0), hidden=(8, 8))
    saved.step(30)
    t = _new(_data(*data_args), hidden=hidden)
    t.step(5)
    before = t.export_state()
    with pytest.raises(ValidationError, match=match):
        t.import_state(saved_state(saved))
    assert_same(before, t.export_state())


def test_a_state_recorded_at_another_spacing_is_refused():
    saved = _new(_data(), eval_every=5)
    saved.step(12)
    with pytest.raises(ValidationError, match=r"recorded metrics every 5 steps; this trainer every 10"):
        _new(_data()).import_state(saved_state(saved))


# -- the worked example ------------------------------------------------------------------------------------

def _chain_restored(c: ChainExample) -> ChainExample:
    r = ChainExample(c.params, history_capacity=c.error_history_.capacity)
    r.import_state(saved_state(c))
    return r


@pytest.mark.parametrize("steps", [0, 1, 23, 300])
def test_the_worked_example_round_trips_and_goes_on_identically(steps):
    c = ChainExample(ChainParams(learning_rate=2.0, max_steps=300), history_capacity=64)
    c.step(steps)
    r = _chain_restored(c)
    assert_same(c.snapshot(), r.snapshot())
    for more in (1, 50, 300):
        assert c.step(more) == r.step(more)
        assert_same(c.snapshot(), r.snapshot())
    assert r.status is Status.MAX_STEPS and r.error_history_.stride > 1


def test_a_diverged_worked_example_round_trips():
    c = ChainExample(ChainParams(w1=0.0, b1=0.0, w2=100.0, b2=-50.0, T=0.0, learning_rate=1e-3))
    c.step(5)
    c.set_params(replace(c.params, learning_rate=1e308))  # live: the weights are kept
    c.fit()
    assert c.status is Status.DIVERGED and c.n_iter_ == 5 and c.last_step_
    r = _chain_restored(c)
    assert_same(c.snapshot(), r.snapshot())
    assert r.step(1) == 0


@pytest.mark.parametrize("tamper, match", [
    (_set("network", "kind"), r"is a saved 'network' state; expected 'chain'"),
    (_set(0, "format"), r"has format version 0"),
    (_drop("weights", "b2"), r"weights has no 'b2' field"),
    (_set(1e400, "weights", "w1"), r"weights contain NaN or infinity"),
    (_set(True, "weights", "w2"), r"'w2' is True; expected float"),
    (_set(encode_array(np.zeros(3)), "last_step"), r"last step has shape 3; expected 26"),
    (_damage("error_history", "rows"), r"error history rows is damaged"),
])
def test_a_bad_worked_example_state_is_refused_and_changes_nothing(tamper, match):
    saved = ChainExample()
    saved.step(10)
    state = saved_state(saved)
    tamper(state)
    c = ChainExample()
    c.step(4)
    before, snap = c.export_state(), c.snapshot()
    with pytest.raises(ValidationError, match=match):
        c.import_state(state)
    assert_same(before, c.export_state())
    assert_same(snap, c.snapshot())
