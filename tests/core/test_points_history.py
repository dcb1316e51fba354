"""Point edits and their inverses; the bounded history."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdplay.core.history import History
from gdplay.core.points import Add, Delete, Move, PointSet, Replace, UndoStack


def test_each_command_returns_its_inverse():
    p = PointSet()
    u = UndoStack(p)
    u.push(Add((1.0, 2.0), 1))
    u.push(Add((3.0, 4.0), 0))
    u.push(Move(0, (5.0, 6.0)))
    u.push(Delete(1))
    u.push(Replace(np.zeros((0, 2)), np.zeros(0), "Clear points"))
    assert len(p) == 0
    states = []
    while u.can_undo():
        u.undo()
        states.append(p.xy.tolist())
    assert states == [[[5.0, 6.0]], [[5.0, 6.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0]], []]
    while u.can_redo():
        u.redo()
    assert len(p) == 0
    u.undo()
    assert p.labels.tolist() == [1]


def test_bad_points_are_refused_and_nothing_changes():
    p = PointSet(np.array([[1.0, 1.0]]))
    with pytest.raises(ValueError, match="finite"):
        p.apply(Add((np.nan, 1.0)))
    with pytest.raises(IndexError):
        p.apply(Delete(5))
    assert p.xy.tolist() == [[1.0, 1.0]]


@given(st.lists(st.sampled_from(["add", "delete", "move", "undo", "redo", "clear"]), max_size=60))
def test_undo_everything_restores_the_start(ops):
    rng = np.random.default_rng(0)
    p = PointSet(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))
    u = UndoStack(p)
    start = (p.xy.copy(), p.labels.copy())
    for op in ops:
        if op == "add":
            u.push(Add(tuple(rng.normal(size=2)), int(rng.integers(2))))
        elif op == "delete" and len(p):
            u.push(Delete(int(rng.integers(len(p)))))
        elif op == "move" and len(p):
            u.push(Move(int(rng.integers(len(p))), tuple(rng.normal(size=2))))
        elif op == "undo":
            u.undo()
        elif op == "redo":
            u.redo()
        elif op == "clear":
            u.push(Replace(np.empty((0, 2)), np.empty(0), "Clear points"))
    while u.undo():
        pass
    assert np.array_equal(p.xy, start[0]) and np.array_equal(p.labels, start[1])


def test_history_is_bounded_and_spans_the_whole_run():
    h = History(("v",), capacity=8)
    for step in range(1000):
        h.append(step, float(step))
    rows = h.rows((1000, 1000.0))
    assert len(h) <= 8
    assert rows[0, 0] == 0 and rows[-1, 0] == 1000
    assert np.all(np.diff(rows[:, 0]) > 0)
    assert not rows.flags.writeable


def test_a_loaded_history_goes_on_as_the_one_it_was_saved_from():
    """History.load takes the rows and stride a run saved; appending to both afterwards gives the same
    rows: the same stride, the same count, the same thinning when full."""
    h = History(("v",), capacity=8)
    for step in range(37):
        h.append(step, float(step) ** 2)
    loaded = History.load(h.fields, h.rows(), h.stride, capacity=h.capacity)
    assert loaded.stride == h.stride > 1 and len(loaded) == len(h)
    np.testing.assert_array_equal(loaded.rows(), h.rows())
    for step in range(37, 200):
        h.append(step, -float(step))
        loaded.append(step, -float(step))
    np.testing.assert_array_equal(loaded.rows(), h.rows())
    assert loaded.columns == ("step", "v")


@pytest.mark.parametrize(("rows", "stride", "message"), [
    (np.array([[0.0, 1.0], [2.0, 1.0]]), 3, "power of two"),
    (np.array([[0.0, 1.0], [3.0, 1.0]]), 2, "bad steps"),
    (np.array([[4.0, 1.0], [2.0, 1.0]]), 2, "bad steps"),  # not increasing
    (np.array([[0.0, 1.0], [np.nan, 1.0]]), 1, "bad steps"),
    (np.zeros((9, 2)), 1, "at most 8"),
    (np.zeros((2, 3)), 1, "shape"),
])
def test_history_load_refuses_rows_append_could_not_have_made(rows, stride, message):
    with pytest.raises(ValueError, match=message):
        History.load(("v",), rows, stride, capacity=8)


def test_history_load_keeps_nan_and_inf_values():
    rows = np.array([[0.0, 1.0], [1.0, np.inf], [2.0, np.nan]])
    np.testing.assert_array_equal(History.load(("v",), rows).rows(), rows)
