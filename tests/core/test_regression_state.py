"""Saving and restoring a regression trainer's learned state: exact round trips through JSON, exact
continuation for every optimizer (seeded shuffles included), and refusal of damaged or unfitting states."""

import copy
import dataclasses

import numpy as np
import pytest
from state_helpers import DELETE, assert_same, saved_state, set_at

from gdplay.core.regression import RegressionParams, RegressionTrainer
from gdplay.core.state import encode_array
from gdplay.core.trainer import Status, ValidationError

CAPACITY = 64  # small, so the histories thin out (stride > 1) within a few hundred steps


def trainer(x, y, capacity=CAPACITY, **kw) -> RegressionTrainer:
    t = RegressionTrainer(RegressionParams(**kw), history_capacity=capacity)
    t.set_data(x, y)
    return t


CONFIGS = {
    "gd": {},  # the two-parameter fast path
    "gd stochastic": {"batch_size": 1, "learning_rate": 1e-5},
    "momentum": {"optimizer": "momentum", "learning_rate": 1e-5},
    "nesterov": {"optimizer": "nesterov", "learning_rate": 1e-5},
    "adagrad": {"optimizer": "adagrad", "learning_rate": 0.5},
    "rmsprop mini-batch": {"optimizer": "rmsprop", "batch_size": 7, "learning_rate": 0.05},
    "adam mini-batch": {"optimizer": "adam", "batch_size": 30, "learning_rate": 0.1},
    "exact line search": {"optimizer": "exact"},
    "armijo": {"optimizer": "armijo"},
    "slope stochastic": {"model": "slope", "batch_size": 1, "learning_rate": 1e-5},
    "poly scaled adam": {"model": "poly", "degree": 3, "scale": True, "optimizer": "adam", "learning_rate": 0.05},
    "compare": {"optimizer": "gd", "learning_rate": 1e-5,
                "compare": ("adam", "gd/1", "momentum/9", "armijo", "nesterov", "rmsprop/3")},
}


@pytest.mark.parametrize("kw", CONFIGS.values(), ids=CONFIGS.keys())
def test_round_trip_and_continuation_are_exact(nedrich, kw):
    x, y = nedrich
    a = trainer(x, y, max_steps=100_000, **kw)
    a.step(137)  # mid-epoch for the shuffled runs (100 points)
    b = trainer(x, y, max_steps=100_000, **kw)
    b.import_state(saved_state(a))
    assert_same(a.snapshot(), b.snapshot())
    assert all(run.history.stride > 1 for run in b.runs)
    for k in (1, 250, 900):
        assert a.step(k) == b.step(k)
        assert_same(a.snapshot(), b.snapshot())
    # a live change after the import goes on from the restored optimizer state on both
    lr = a.params.learning_rate / 2
    a.set_params(a.with_params(learning_rate=lr, beta1=0.8))
    b.set_params(b.with_params(learning_rate=lr, beta1=0.8))
    a.step(300)
    b.step(300)
    assert_same(a.snapshot(), b.snapshot())
    assert a.export_state() == b.export_state()


@pytest.mark.parametrize("kw", [{"learning_rate": 10.0}, {"learning_rate": 0.01, "batch_size": 1}],
                         ids=["gd", "stochastic"])
def test_diverged_runs_round_trip_with_their_non_finite_history(nedrich, kw):
    x, y = nedrich
    a = trainer(x, y, max_steps=10_000, **kw)
    a.fit()
    assert a.status is Status.DIVERGED
    assert not np.isfinite(a.snapshot().history).all()  # NaN averages (full batch) or inf ones (overflow)
    b = trainer(x, y, max_steps=10_000, **kw)
    b.import_state(saved_state(a))
    assert_same(a.snapshot(), b.snapshot())
    assert b.snapshot().message.startswith("Training diverged at step")
    assert b.step(10) == 0


def test_converged_and_step_limited_runs_round_trip(nedrich):
    x, y = nedrich
    kw = {"scale": True, "learning_rate": 0.1, "tol": 1e-12, "compare": ("adam",), "max_steps": 3000}
    a = trainer(x, y, **kw)
    a.fit()
    assert [r.status for r in a.runs] == [Status.CONVERGED, Status.MAX_STEPS]
    b = trainer(x, y, **kw)
    b.import_state(saved_state(a))
    assert_same(a.snapshot(), b.snapshot())
    assert b.step(10) == 0
    # raising the limit lets the step-limited run go on, the same way on both
    for t in (a, b):
        t.set_params(t.with_params(max_steps=4000))
        t.fit()
    assert_same(a.snapshot(), b.snapshot())


def test_reset_after_import_and_the_versions(nedrich):
    x, y = nedrich
    kw = {"optimizer": "adam", "batch_size": 10, "learning_rate": 0.1}
    a = trainer(x, y, **kw)
    a.step(55)
    b = RegressionTrainer(RegressionParams(**kw), history_capacity=CAPACITY)
    b.set_data(x, y, version=4)
    b.set_params(RegressionParams(**kw), version=9)  # as a session load does: params, data, then the state
    b.import_state(saved_state(a))
    s = b.snapshot()
    assert (s.params_version, s.data_version, s.step) == (9, 4, 55)
    b.reset()
    fresh = trainer(x, y, **kw)
    assert_same(dataclasses.replace(b.snapshot(), params_version=0, data_version=0), fresh.snapshot())
    b.step(70)
    fresh.step(70)  # after the reset the seeded shuffle starts over too
    assert_same(dataclasses.replace(b.snapshot(), params_version=0, data_version=0), fresh.snapshot())


def test_empty_data_round_trips_and_does_not_fit_data(nedrich):
    empty = trainer(np.array([]), np.array([]))
    state = saved_state(empty)
    other = trainer(np.array([]), np.array([]))
    other.import_state(state)
    assert_same(empty.snapshot(), other.snapshot())
    assert other.status is Status.INVALID
    with pytest.raises(ValidationError, match="is for 0 points; the data has 100"):
        trainer(*nedrich).import_state(state)


COMPARE = {"optimizer": "gd", "batch_size": 5, "learning_rate": 1e-5, "compare": ("adam", "armijo/0")}
BAD = {
    "wrong kind": (set_at(["kind"], "svm"), "is a saved 'svm' state; expected 'regression'"),
    "wrong format": (set_at(["format"], 2), "has format version 2; this version of gdplay reads version 1"),
    "missing field": (set_at(["runs", 0, "theta"], DELETE), r"run 0 \(gd\) has no 'theta' field"),
    "missing runs": (set_at(["runs"], DELETE), "has no 'runs' field"),
    "three coefficients": (set_at(["runs", 1, "theta"], encode_array(np.zeros(3))),
                           r"run 1 \(adam\) theta has shape 3; expected 2"),
    "damaged base64": (set_at(["runs", 0, "theta", "base64"], "AAAA*AAA"), "theta is damaged"),
    "short data": (set_at(["runs", 0, "theta", "base64"], "AAAAAAAAAAA="), r"theta is damaged: 8 bytes for 2 values"),
    "nan iterate": (set_at(["runs", 0, "theta"], encode_array(np.array([np.nan, 1.0]))), "contains NaN or infinity"),
    "wrong status": (set_at(["runs", 2, "status"], "asleep"), "'status' is 'asleep'; expected one of 'ready'"),
    "negative step": (set_at(["runs", 0, "step"], -1), "'step' is -1; expected a whole number >= 0"),
    "bool for an int": (set_at(["runs", 0, "step"], True), "'step' is True; expected int"),
    "not a shuffle": (set_at(["runs", 0, "order"], encode_array(np.zeros(100, dtype=int))), "is not a shuffle"),
    "shuffle too short": (set_at(["runs", 0, "order"], encode_array(np.arange(99))),
                          "order has shape 99; expected 100"),
    "bad alpha": (set_at(["runs", 2, "alpha"], 0.0), "'alpha' is 0.0; expected a positive finite number"),
    "other runs": (set_at(["runs", 1, "spec"], "momentum"), r"has the runs \['gd', 'momentum', 'armijo/0'\]"),
    "missing moment": (lambda s: s["runs"][1]["optimizer"]["moments"].pop(), "has 1 moment arrays; 'adam' keeps 2"),
    "moment shape": (set_at(["runs", 1, "optimizer", "moments", 1], encode_array(np.zeros((2, 1)))),
                     "moment 1 has shape 2×1; expected 2"),
    "history fields": (set_at(["runs", 0, "history", "fields"], ["cost"]), "history records \\['cost'\\]"),
    "history steps": (set_at(["runs", 0, "history", "rows"], encode_array(np.zeros((2, 8)))),
                      "history has bad steps"),
    "history stride": (set_at(["runs", 0, "history", "stride"], 3), "'stride' is 3; expected a power of two"),
    "history too long": (set_at(["runs", 0, "history", "rows"],
                                encode_array(np.c_[np.arange(65.0), np.zeros((65, 7))])),
                         "history has 65 rows; it can hold at most 64"),
    "damaged rng": (set_at(["runs", 0, "rng", "state", "state"], "x"), "random generator is damaged"),
    "unknown rng": (set_at(["runs", 1, "rng", "bit_generator"], "Lehmer"), "uses the random generator 'Lehmer'"),
    "model": (set_at(["structure", "model"], "poly"), "was made with model='poly'; the current setting is 'line'"),
    "points": (set_at(["n_points"], 40), "is for 40 points; the data has 100"),
    "not a dict": (lambda s: s.clear(), "has no 'kind' field"),
}


@pytest.mark.parametrize(("damage", "match"), BAD.values(), ids=BAD.keys())
def test_bad_states_are_refused_and_change_nothing(nedrich, damage, match):
    x, y = nedrich
    state = saved_state(_stepped(x, y, 137))
    damage(state)
    t = _stepped(x, y, 20)
    before, snap = t.export_state(), t.snapshot()
    with pytest.raises(ValidationError, match=match):
        t.import_state(state)
    assert t.export_state() == before
    assert_same(t.snapshot(), snap)


def _stepped(x, y, k: int) -> RegressionTrainer:
    t = trainer(x, y, **COMPARE)
    t.step(k)
    return t


def test_a_state_for_another_model_is_refused(nedrich):
    x, y = nedrich
    poly = trainer(x, y, model="poly", degree=2)
    poly.step(3)
    line = trainer(x, y)
    with pytest.raises(ValidationError, match="was made with model='poly'; the current setting is 'line'"):
        line.import_state(saved_state(poly))
    # the same number of parameters is not enough: the runs must be the ones the settings ask for
    adam = trainer(x, y, optimizer="adam")
    adam.step(3)
    with pytest.raises(ValidationError, match=r"has the runs \['adam'\]; the current settings run \['gd'\]"):
        line.import_state(saved_state(adam))
    state = copy.deepcopy(saved_state(adam))
    state["runs"] = []
    with pytest.raises(ValidationError, match=r"has the runs \[\]"):
        line.import_state(state)


def test_each_compared_stochastic_run_has_its_own_generator(nedrich):
    """Issue 11, section 5: a stochastic run's updates depend only on its seed, not on the runs compared with
    it nor on how its steps are chunked; a restored session goes on exactly as the run would have."""
    x, y = nedrich
    base = dict(learning_rate=1e-4, batch_size=1, seed=7, max_steps=10_000)
    alone = RegressionTrainer(RegressionParams(**base))
    alone.set_data(x, y)
    alone.step(300)
    both = RegressionTrainer(RegressionParams(**base, compare=("gd/5",)))
    both.set_data(x, y)
    for _ in range(30):
        both.step(7)  # other chunks, and a second stochastic run drawing from the same seed
    both.step(300 - 210)
    np.testing.assert_array_equal(both.runs[0].theta, alone.runs[0].theta)
    # a session saved at step 150 and restored gives the same next 150 steps
    a = RegressionTrainer(RegressionParams(**base, compare=("gd/5",)))
    a.set_data(x, y)
    a.step(150)
    b = RegressionTrainer(RegressionParams(**base, compare=("gd/5",)))
    b.set_data(x, y)
    b.import_state(saved_state(a))
    a.step(150)
    b.step(150)
    for ra, rb in zip(a.runs, b.runs):
        np.testing.assert_array_equal(ra.theta, rb.theta)
    np.testing.assert_array_equal(a.runs[0].theta, alone.runs[0].theta)


def test_moving_average_counts_only_per_update_costs(nedrich):
    """The first moving-average values average the stochastic updates' own costs, not the start's
    full-batch cost (which made the first w − 1 values up to 45 % off)."""
    x, y = nedrich
    t = RegressionTrainer(RegressionParams(learning_rate=1e-4, batch_size=1, seed=3, max_steps=100))
    t.set_data(x, y)
    sample_costs = []
    run = t.runs[0]
    for _ in range(12):
        t.step(1)
        sample_costs.append(run.ring[(run.ring_n - 1) % len(run.ring)])
    h = t.snapshot().history
    assert np.isnan(h[0, 3])  # step 0: no update yet, no average
    np.testing.assert_allclose(h[1:13, 3], [np.mean(sample_costs[max(0, k - 9): k + 1]) for k in range(12)])
