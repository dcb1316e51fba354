"""Shared widgets: the log slider's mapping and refusals, the point editor's drag."""

import pytest
from mouse import drag
from PySide6.QtCore import QPointF

from gdplay.ui.widgets.log_slider import LogSlider


def test_log_slider_maps_positions_logarithmically(qtbot):
    s = LogSlider(1e-6, 10.0, 1e-3, name="learning rate")
    qtbot.addWidget(s)
    seen = []
    s.valueChanged.connect(seen.append)
    s.slider.setValue(0)
    s.slider.setValue(s.slider.maximum())
    s.slider.setValue(s.slider.maximum() // 2)  # middle of 1e-6..10 in log space: ~3.2e-3
    assert seen[0] == pytest.approx(1e-6)
    assert seen[1] == pytest.approx(10.0)
    assert seen[2] == pytest.approx(10 ** -2.5, rel=0.01)


@pytest.mark.parametrize("text", ["0", "-1", "abc", "nan", "1e9"])
def test_log_slider_refuses_bad_typed_values(qtbot, text):
    s = LogSlider(1e-6, 10.0, 1e-3, name="learning rate")
    qtbot.addWidget(s)
    rejected = []
    s.rejected.connect(rejected.append)
    s.edit.setText(text)
    s.edit.editingFinished.emit()
    assert s.value() == 1e-3
    assert rejected
    assert "between 1e-06 and 10" in rejected[0] or "must be a number" in rejected[0]


def test_log_slider_accepts_typed_value(qtbot):
    s = LogSlider(1e-6, 10.0, 1e-3)
    qtbot.addWidget(s)
    with qtbot.waitSignal(s.valueChanged) as blocker:
        s.edit.setText("0.25")
        s.edit.editingFinished.emit()
    assert blocker.args == [0.25]





def test_drag_moves_a_point_and_one_undo_puts_it_back(qtbot):
    import numpy as np

    from gdplay.ui.plots.style import configure, make_plot
    from gdplay.ui.widgets.point_editor import EditableViewBox, PointEditor

    configure()
    w = make_plot("t", "x", "y", view_box=EditableViewBox())
    qtbot.addWidget(w)
    w.resize(400, 400)
    w.show()
    qtbot.waitExposed(w)
    editor = PointEditor(w.getPlotItem())
    editor.replace(np.array([[5.0, 5.0]]))
    vb = w.getPlotItem().getViewBox()
    vb.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    qtbot.wait(10)

    def at(x, y):
        return w.mapFromScene(vb.mapViewToScene(QPointF(x, y)))

    drag(w.viewport(), [at(5 + 2 * t, 5 - 3 * t) for t in np.linspace(0, 1, 8)])
    px, py = vb.viewPixelSize()
    assert editor.points.xy[0] == pytest.approx([7, 2], abs=3 * max(px, py))
    assert vb.viewRange()[0] == pytest.approx([0, 10])  # the view did not pan
    editor.undo()
    assert editor.points.xy.tolist() == [[5.0, 5.0]]


def test_a_plot_builds_its_menu_at_the_first_right_click_with_pyqtgraphs_view_options(qtbot):
    from mouse import drag, viewport_pos
    from PySide6.QtCore import Qt

    from gdplay.ui.plots.style import configure, make_plot

    configure()
    w = make_plot("t", "x", "y")
    qtbot.addWidget(w)
    w.resize(320, 240)
    w.show()
    vb = w.getPlotItem().getViewBox()
    assert vb.menuEnabled() and vb.menu is None  # nothing built until asked
    drag(w.viewport(), [viewport_pos(w, 0.5, 0.5)], Qt.MouseButton.RightButton)  # a right click
    qtbot.waitUntil(lambda: vb.menu is not None and vb.menu.isVisible(), timeout=2000)
    texts = [a.text() for a in vb.menu.actions()]
    assert "View All" in texts and "Mouse Mode" in texts
    vb.menu.close()
    vb.setMenuEnabled(False)
    assert vb.menu is None and vb.getContextMenus(None) == []


def _log_axis_labels(qtbot, lo, hi):
    import numpy as np

    from gdplay.ui.plots.style import configure, make_plot, set_log_y

    configure()
    w = make_plot("t", "x", "y", grid=False)
    qtbot.addWidget(w)
    set_log_y(w.getPlotItem())
    w.getPlotItem().plot(np.arange(50.0), np.geomspace(lo, hi, 50))
    w.resize(380, 360)
    w.show()
    qtbot.waitExposed(w)
    axis = w.getPlotItem().getAxis("left")
    axis.picture = None
    w.grab()  # paints: the axis works out its labels
    from PySide6.QtGui import QImage, QPainter

    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        texts = [spec[2] for spec in axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()
    return texts


def test_a_log_axis_labels_decades_then_2_and_5_but_not_every_minor_tick(qtbot):
    # pyqtgraph labelled all of 0.003 0.004 ... 0.09 0.1 0.2 here, a column of crowded numbers
    assert sorted(_log_axis_labels(qtbot, 0.003, 0.2), key=float) == ["0.005", "0.01", "0.02", "0.05", "0.1", "0.2"]
    # within one decade there is room for the rest
    assert {"0.03", "0.04", "0.05", "0.06", "0.07"} <= set(_log_axis_labels(qtbot, 0.021, 0.079))


def test_a_throttle_calls_at_once_when_due_and_once_more_for_the_last_request(qtbot):
    from gdplay.ui.throttle import Throttle

    calls = []
    t = Throttle(50, lambda: calls.append(len(calls)))
    t.request()
    assert calls == [0]  # due: at once
    for _ in range(5):
        t.request()  # within the interval: folded into one trailing call
    assert calls == [0]
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=1000)
    qtbot.wait(120)
    assert calls == [0, 1]  # and no more without requests
