"""The Regression tab with pytest-qt: clicks on the plot's viewport, undo, live learning rate."""

import numpy as np
import pytest
from mouse import click
from PySide6.QtCore import Qt

from gdplay.core.points import Add
from gdplay.core.trainer import Status
from gdplay.ui.plots.style import configure
from gdplay.ui.regression.tab import RegressionTab


@pytest.fixture
def tab(qtbot):
    configure()
    t = RegressionTab()
    qtbot.addWidget(t)
    t.resize(1300, 800)
    t.show()
    qtbot.waitExposed(t)
    yield t
    assert t.shutdown()








def test_click_adds_a_point_at_the_data_coordinates_and_undo_removes_it(qtbot, tab):
    w = tab.data_view.widget
    n = len(tab.editor.points)
    (x0, x1), (y0, y1) = w.getPlotItem().getViewBox().viewRange()
    x, y = x0 + 0.3 * (x1 - x0), y0 + 0.8 * (y1 - y0)
    click(qtbot, w, x, y)
    assert len(tab.editor.points) == n + 1
    px, py = tab.data_view.plot.getViewBox().viewPixelSize()
    assert tab.editor.points.xy[-1, 0] == pytest.approx(x, abs=2 * px)
    assert tab.editor.points.xy[-1, 1] == pytest.approx(y, abs=2 * py)
    # the worker re-fits on the new data
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.n_points == n + 1, timeout=3000)
    tab.undo()
    assert len(tab.editor.points) == n
    qtbot.waitUntil(lambda: tab.snapshot.n_points == n, timeout=3000)
    tab.redo()
    assert len(tab.editor.points) == n + 1


def test_right_click_deletes_the_nearest_point(qtbot, tab):
    tab.load_points(np.array([1.0, 5.0, 9.0]), np.array([1.0, 5.0, 9.0]))
    tab.data_view.fit_view()
    qtbot.wait(20)
    click(qtbot, tab.data_view.widget, 5.0, 5.0, Qt.MouseButton.RightButton)
    assert tab.editor.points.xy.tolist() == [[1.0, 1.0], [9.0, 9.0]]
    click(qtbot, tab.data_view.widget, 1.0, 1.0, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier)
    assert tab.editor.points.xy.tolist() == [[9.0, 9.0]]
    tab.undo()
    tab.undo()
    assert len(tab.editor.points) == 3


def test_learning_rate_change_while_training_is_applied_live(qtbot, tab):
    tab.params = tab.params.__class__(learning_rate=1e-4, max_steps=10**9)
    tab.controller.set_params(tab.params)
    tab.controller.play()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step > 50, timeout=3000)
    tab.learning_rate.setValue(2e-4)
    qtbot.waitUntil(lambda: tab.snapshot.learning_rate == 2e-4, timeout=2000)
    assert tab.snapshot.status is Status.TRAINING


def test_typed_learning_rate_out_of_range_is_refused(qtbot, tab):
    messages = []
    tab.learning_rate.rejected.connect(messages.append)
    tab.learning_rate.edit.setText("50")
    tab.learning_rate.edit.editingFinished.emit()
    assert tab.learning_rate.value() == 1e-4
    assert messages == ["The learning rate must be between 1e-06 and 10; got 50."]


def test_divergence_is_reported_and_points_survive(qtbot, tab):
    n = len(tab.editor.points)
    tab.learning_rate.setValue(1e-3)
    tab.controller.set_rate(None)
    tab.controller.play()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.status is Status.DIVERGED, timeout=3000)
    assert "Training diverged at step" in tab.status_label.text()
    assert "lower the learning rate (now 0.001)" in tab.status_label.text()
    assert np.isfinite([tab.snapshot.m, tab.snapshot.b]).all()
    assert len(tab.editor.points) == n


def test_clear_disables_training_with_a_message_and_is_undoable(qtbot, tab):
    tab.editor.clear()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.status is Status.INVALID, timeout=3000)
    assert "No points yet" in tab.status_label.text()
    assert not tab.playback.play_button.isEnabled()
    tab.undo()
    assert len(tab.editor.points) == 100


def wait_snapshot(qtbot, tab, predicate, timeout=4000):
    qtbot.waitUntil(lambda: tab.snapshot is not None and predicate(tab.snapshot), timeout=timeout)


def test_every_preset_loads_and_runs(qtbot, tab):
    from gdplay.ui.regression.presets import PRESETS

    for p in PRESETS:
        tab.apply_preset(p.key, play=False)
        tab.controller.step(5)
        try:
            wait_snapshot(qtbot, tab, lambda s, p=p: s.step == 5 and s.model == p.params.model
                          and len(s.runs) == len(p.params.runs()))
        except Exception:
            s = tab.snapshot
            raise AssertionError(f"{p.key}: step {s.step}, model {s.model}, runs {len(s.runs)}, {s.message}") from None
        assert tab.controls.preset.currentData() == p.key
        assert tab.params == p.params


def test_compare_mode_draws_one_path_and_curve_per_run(qtbot, tab):
    tab.apply_preset("optimizers", play=False)
    tab.controller.step(20)
    wait_snapshot(qtbot, tab, lambda s: s.step == 20 and "fit" in tab.controller.views)
    qtbot.waitUntil(lambda: len(tab.controller.views["fit"].y) == 5, timeout=3000)
    tab.on_snapshot(tab.snapshot)
    labels = [r.label for r in tab.snapshot.runs]
    assert labels == ["gradient descent", "momentum", "Nesterov (look-ahead θ + μv)", "Adam", "exact line search"]
    drawn = [0 if p.getData()[0] is None else len(p.getData()[0]) for p in tab.surface_view.paths[:5]]
    assert all(n > 1 for n in drawn)
    assert sum(c.isVisible() for c in tab.data_view.curves) == 5


def test_clicking_the_surface_sets_the_start_and_restarts(qtbot, tab):
    wait_snapshot(qtbot, tab, lambda s: "surface" in tab.controller.views)
    w = tab.surface_view.widget
    (x0, x1), (y0, y1) = w.getPlotItem().getViewBox().viewRange()
    a, b = x0 + 0.25 * (x1 - x0), y0 + 0.75 * (y1 - y0)
    click(qtbot, w, a, b)
    assert tab.params.initial[0] == pytest.approx(a, abs=(x1 - x0) / 100)
    assert tab.params.initial[1] == pytest.approx(b, abs=(y1 - y0) / 100)
    # the restarted run's first row starts at the clicked point (a snapshot between runs may have no rows yet)
    wait_snapshot(qtbot, tab, lambda s: len(s.runs[0].history) > 0
                  and s.runs[0].columns.theta[0, 0] == pytest.approx(tab.params.initial[0]))


def test_one_weight_model_shows_j_of_w(qtbot, tab):
    tab.apply_preset("one-weight", play=False)
    tab.controller.step(10)
    wait_snapshot(qtbot, tab, lambda s: s.step == 10 and s.model == "slope")
    qtbot.waitUntil(lambda: "curve" in tab.controller.views, timeout=3000)
    tab.on_snapshot(tab.snapshot)
    assert tab.surface_stack.currentWidget() is tab.curve_view.widget
    w, j = tab.curve_view.steps.getData()
    assert len(w) == 11 and w[0] == pytest.approx(0.2)
    assert np.all(np.diff(j) < 0)  # the cost falls every step at this rate


def test_stochastic_step_is_one_epoch(qtbot, tab):
    tab.controls.batch.setCurrentIndex(1)  # stochastic
    assert tab.params.batch_size == 1
    wait_snapshot(qtbot, tab, lambda s: s.batch_size == 1)
    tab.step_once()
    wait_snapshot(qtbot, tab, lambda s: s.step == len(tab.editor.points))


def test_switching_models_keeps_the_points_and_restarts(qtbot, tab):
    n = len(tab.editor.points)
    tab.controls.model.setCurrentIndex(tab.controls.model.findData("poly"))
    wait_snapshot(qtbot, tab, lambda s: s.model == "poly" and s.degree == 2)
    assert len(tab.editor.points) == n and tab.snapshot.names == ("c2", "c1", "c0")
    tab.controls.degree.setValue(4)
    wait_snapshot(qtbot, tab, lambda s: s.degree == 4 and len(s.names) == 5)


def test_line_search_turns_off_batching(qtbot, tab):
    tab.controls.batch.setCurrentIndex(1)
    tab.controls.optimizer.setCurrentIndex(tab.controls.optimizer.findData("exact"))
    assert tab.params.optimizer == "exact" and tab.params.batch_size == 0
    assert tab.controls.batch.currentIndex() == 0


def test_rmsprop_shows_and_uses_its_own_decay(qtbot, tab):
    """Issue 11, section 5: picking RMSProp shows β₂ = 0.9 (its documented default) and trains with it."""
    c = tab.controls
    c.optimizer.setCurrentIndex(c.optimizer.findData("rmsprop"))
    assert c.hyper["beta2"].value() == pytest.approx(0.9)
    assert tab.params.optimizer == "rmsprop" and tab.params.beta2 in (None, 0.9)


def test_the_sine_model_shows_a_local_minimum_on_the_users_points(qtbot, tab):
    """Issue 16: a model not linear in its weight, fitted to the tab's points, in the one-weight view."""
    tab.apply_preset("local-minima", play=False)
    tab.controller.set_rate(None)
    tab.toggle_play()
    wait_snapshot(qtbot, tab, lambda s: s.model == "sine" and s.status is Status.CONVERGED, timeout=10_000)
    snap = tab.snapshot
    assert tab.surface_stack.currentIndex() == 1  # J(w) as a curve, with the tangents
    assert snap.theta[0] == pytest.approx(0.674, abs=0.01)  # stuck in the dip below the start
    assert snap.optimum.theta[0] == pytest.approx(2.0, abs=0.02) and snap.cost > 50 * snap.optimum.cost
    assert tab.data_view.legend.getLabel(tab.data_view.reference).text == "best w (fine grid)"
    assert tab.data_view.plot.titleLabel.text == "Data and the curve y = sin(w·x)"
    # the user's own points: a new one refits the same model
    n = snap.n_points
    tab.editor.push(Add((1.0, 0.9), 0))
    wait_snapshot(qtbot, tab, lambda s: s.n_points == n + 1 and s.model == "sine")
