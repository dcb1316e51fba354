"""Saving and restoring an SVM trainer's learned state: exact round trips through JSON, exact continuation
of SMO (every kernel) and of the primal solver, and refusal of damaged or unfitting states."""

import dataclasses
import json
import math

import numpy as np
import pytest
from state_helpers import DELETE, assert_same, saved_state, set_at

from gdplay.core import datasets
from gdplay.core.state import encode_array
from gdplay.core.svm import SVMParams, SVMTabTrainer, SVMTrainer
from gdplay.core.svm import views as svm_views
from gdplay.core.trainer import Status, ValidationError

CAPACITY = 64  # small, so the history thins out (stride > 1) within a few hundred steps


@pytest.fixture(scope="module")
def data():
    """The seed's experiment 2 (overlapping classes, 10 % held out): SMO takes hundreds of steps on it."""
    X, y = datasets.make_gaussian_pair(150, variance=25, random_state=0)
    return X, np.where(y == 1, 1.0, -1.0), datasets.train_test_split(300, 0.1)


def trainer(data, cls=SVMTrainer, n=None, **kw) -> SVMTrainer:
    X, y, test = data
    t = cls(SVMParams(**kw), history_capacity=CAPACITY)
    t.set_data(X[:n], y[:n], test_mask=test[:n])
    return t


CONFIGS = {
    "dual linear": {"C": 10.0},
    "dual rbf": {"kernel": "rbf", "gamma": 0.04, "C": 10.0},
    "dual poly": {"kernel": "poly", "degree": 2, "gamma": 0.05, "C": 0.5},
    "primal constant": {"solver": "primal", "learning_rate": 1e-4},
    "primal invscaling": {"solver": "primal", "learning_rate": 1e-2, "lr_schedule": "invscaling"},
}


@pytest.mark.parametrize("cls", [SVMTrainer, SVMTabTrainer])
@pytest.mark.parametrize("kw", CONFIGS.values(), ids=CONFIGS.keys())
def test_round_trip_and_continuation_are_exact(data, kw, cls):
    a = trainer(data, **kw)
    a.step(150)
    b = trainer(data, cls, **kw)
    b.import_state(saved_state(a))
    assert_same(a.snapshot(), b.snapshot())
    assert b.history_.stride > 1
    for k in (1, 40, 300):
        assert a.step(k) == b.step(k)
        assert_same(a.snapshot(), b.snapshot())
    # a live change after the import warm-starts from the restored α (and v) on both
    a.set_params(a.with_params(C=2.0, learning_rate=5e-5, max_steps=5000))
    b.set_params(b.with_params(C=2.0, learning_rate=5e-5, max_steps=5000))
    a.fit()
    b.fit()
    assert b.status in (Status.CONVERGED, Status.MAX_STEPS)
    assert_same(a.snapshot(), b.snapshot())
    assert a.export_state() == b.export_state()


def test_converged_diverged_and_invalid_runs_round_trip(data):
    for kw in ({"kernel": "rbf", "gamma": 0.04}, {"solver": "primal", "learning_rate": 5.0, "lr_schedule": "constant"}):
        a = trainer(data, **kw)
        a.fit()
        b = trainer(data, **kw)
        b.import_state(saved_state(a))
        assert_same(a.snapshot(), b.snapshot())
        assert b.step(10) == 0
    assert a.status is Status.DIVERGED and b.snapshot().message.startswith("Training diverged at step")
    one_class, copy = SVMTrainer(history_capacity=CAPACITY), SVMTrainer(history_capacity=CAPACITY)
    for t in (one_class, copy):
        t.set_data(data[0][:20], np.ones(20))
    copy.import_state(saved_state(one_class))
    assert_same(one_class.snapshot(), copy.snapshot())
    assert copy.status is Status.INVALID and "greater than one" in copy.message


def test_reset_after_import_versions_and_views(data):
    X, y, test = data
    kw = {"kernel": "linear", "C": 10.0}
    a = trainer(data, **kw)
    a.step(120)
    b = SVMTabTrainer(SVMParams(**kw), history_capacity=CAPACITY)
    b.set_data(X, y, version=4, test_mask=test)
    b.set_params(SVMParams(**kw), version=9)  # as a session load does: params, data, then the state
    b.import_state(saved_state(a))
    s = b.snapshot()
    assert (s.params_version, s.data_version, s.step) == (9, 4, 120)
    assert svm_views.decision_map(b, (-20, 20), (-20, 20), (8, 8)).values.shape == (8, 8)
    assert svm_views.primal_surface(b, (8, 8)).b == a.intercept_
    b.reset()
    fresh = trainer(data, **kw)
    assert_same(dataclasses.replace(b.snapshot(), params_version=0, data_version=0), fresh.snapshot())
    b.fit()
    fresh.fit()
    assert b.status is Status.CONVERGED
    assert_same(dataclasses.replace(b.snapshot(), params_version=0, data_version=0), fresh.snapshot())


BAD = {
    "wrong kind": (set_at("kind", "regression"), "is a saved 'regression' state; expected 'svm'"),
    "wrong format": (set_at("format", 0), "has format version 0; this version of gdplay reads version 1"),
    "missing field": (set_at("v", DELETE), "has no 'v' field"),
    "not a number": (set_at("b", "0.5"), "'b' is '0.5'; expected float"),
    "nan b": (set_at("b", math.nan), "'b' is nan; expected a finite number"),
    "alphas for 40 points": (set_at("alpha", encode_array(np.zeros(40))),
                             r"α \(one per training point\) has shape 40; expected 270"),
    "w for 3 features": (set_at("w", encode_array(np.zeros(3))), r"w \(one per feature\) has shape 3; expected 2"),
    "damaged base64": (lambda s: s["alpha"].update(base64="not base64!"), "α .* is damaged"),
    "nan alpha": (set_at("alpha", encode_array(np.r_[np.nan, np.zeros(269)])), "contains NaN or infinity"),
    "alpha out of the box": (set_at("alpha", encode_array(np.full(270, 11.0))), r"leaves the box \[0, C = 10\]"),
    "ints for floats": (set_at("alpha", encode_array(np.zeros(270, dtype=int))),
                        "holds 'int64' values; expected float64"),
    "wrong status": (set_at("status", "done"), "'status' is 'done'"),
    "negative step": (set_at("step", -3), "'step' is -3"),
    "solver": (lambda s: s["structure"].update(solver="primal"),
               "was made with solver='primal'; the current setting is 'dual'"),
    "points": (set_at("n_train", 40), "is for 40 training points; the data has 270"),
    "scalars": (set_at("scalars", encode_array(np.zeros(3))), "scalars has shape 3; expected 4"),
    "history": (lambda s: s["history"].update(stride=0), "'stride' is 0; expected a power of two"),
    "history rows": (lambda s: s["history"].update(rows=encode_array(np.zeros((3, 6)))),
                     "history rows has shape 3×6; expected any×7"),
}


@pytest.mark.parametrize(("damage", "match"), BAD.values(), ids=BAD.keys())
def test_bad_states_are_refused_and_change_nothing(data, damage, match):
    a = trainer(data, C=10.0)
    a.step(200)
    state = saved_state(a)
    damage(state)
    t = trainer(data, C=10.0)
    t.step(30)
    before, snap = t.export_state(), t.snapshot()
    with pytest.raises(ValidationError, match=match):
        t.import_state(state)
    assert json.dumps(t.export_state()) == json.dumps(before)
    assert_same(t.snapshot(), snap)
    t.step(20)  # still trains from where it was
    assert t.n_iter_ == 50


def test_states_that_do_not_fit_the_data_are_refused(data):
    X, y, _ = data
    X, y = X[::6], y[::6]  # both classes in the first rows
    mask = np.zeros(44, dtype=bool)
    mask[::11] = True  # 40 training rows, 4 held out

    def fitting(X, y, test_mask=None, **kw) -> SVMTrainer:
        t = SVMTrainer(SVMParams(**kw), history_capacity=CAPACITY)
        t.set_data(X, y, test_mask=test_mask)
        return t

    forty = fitting(X[:44], y[:44], mask)
    forty.step(10)
    assert forty.status is Status.TRAINING
    state = saved_state(forty)
    with pytest.raises(ValidationError, match="is for 40 training points; the data has 50"):
        fitting(X[:50], y[:50]).import_state(state)
    # a trained run given to data that cannot be trained (one class, as many rows)
    one_class = fitting(X[:44], np.ones(44), mask)
    with pytest.raises(ValidationError, match="is a trained run, but the current data cannot be trained"):
        one_class.import_state(state)
    assert one_class.status is Status.INVALID
    with pytest.raises(ValidationError, match="was made with kernel='linear'; the current setting is 'rbf'"):
        fitting(X[:44], y[:44], mask, kernel="rbf").import_state(state)
    fitting(X[:44], y[:44], mask).import_state(state)  # the data it was made on takes it
