"""The Regression tab with pytest-qt: clicks on the plot's viewport, undo, live learning rate."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

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


def viewport_pos(widget, x: float, y: float) -> QPoint:
    vb = widget.getPlotItem().getViewBox()
    scene = vb.mapViewToScene(QPointF(x, y))
    return widget.mapFromScene(scene)


def click(qtbot, widget, x, y, button=Qt.MouseButton.LeftButton, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.mouseClick(widget.viewport(), button, modifier, viewport_pos(widget, x, y))


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
