"""Nothing a person does by accident loses work (issue 12, §1): the wheel scrolls the panels instead of
changing settings, a change that restarts the run is undoable with the run it replaced, Load sets up
paused, Play after the step limit goes on, a tab nobody opened does not train, and opening a session over
unsaved work offers Save / Discard / Cancel."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from gdplay.core.trainer import Status
from gdplay.ui.main_window import MainWindow
from gdplay.ui.network.tab import NetworkTab
from gdplay.ui.plots.style import configure
from gdplay.ui.regression.tab import RegressionTab
from gdplay.ui.svm.tab import SvmTab

TABS = {"regression": RegressionTab, "network": NetworkTab, "svm": SvmTab}


def make(qtbot, cls, size=(1280, 800)):
    configure()
    t = cls()
    qtbot.addWidget(t)
    t.resize(*size)
    t.show()
    qtbot.waitExposed(t)
    # the first snapshot fills the status line, which moves the controls under it: wait for it
    qtbot.waitUntil(lambda: t.controller.latest is not None, timeout=10_000)
    qtbot.wait(100)
    return t


@pytest.fixture(params=list(TABS))
def any_tab(request, qtbot):
    t = make(qtbot, TABS[request.param])
    yield t
    assert t.shutdown()
    gone(t)


def gone(widget):
    """Delete a closed window now: a wheel event for a new window could otherwise reach an old one at
    the same place on the offscreen screen."""
    widget.close()
    widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def wheel(widget, notches=-1):
    """A real (spontaneous) wheel turn over the middle of ``widget``, as a mouse gives it."""
    win = widget.window()
    pos = widget.mapTo(win, QPoint(widget.width() // 2, widget.height() // 2))
    QTest.wheelEvent(win.windowHandle(), QPointF(pos), QPoint(0, 120 * notches))
    QApplication.processEvents()


def value_of(control):
    return control.currentIndex() if isinstance(control, QComboBox) else control.value()


def side_panel(tab) -> QScrollArea:
    return next(s for s in tab.findChildren(QScrollArea) if s.widget() is not None and s.maximumWidth() < 1000)


def wait_snapshot(qtbot, tab, predicate, timeout=10_000):
    qtbot.waitUntil(lambda: tab.controller.latest is not None
                    and tab.controller.latest.params_version == tab.controller.params_version
                    and predicate(tab.controller.latest), timeout=timeout)
    return tab.controller.latest


# -- the mouse wheel --------------------------------------------------------------------------------------
def test_the_wheel_over_a_panel_control_scrolls_the_panel_and_changes_nothing(qtbot, any_tab):
    scroll = side_panel(any_tab)
    bar = scroll.verticalScrollBar()
    controls = [w for w in scroll.widget().findChildren(QWidget)
                if isinstance(w, (QComboBox, QAbstractSpinBox, QAbstractSlider)) and w.isVisible() and w.isEnabled()]
    assert len(controls) >= 6
    scrolled = 0
    for control in controls:
        control.clearFocus()
        scroll.ensureWidgetVisible(control, 20, 60)
        QApplication.processEvents()
        before, at = value_of(control), bar.value()
        wheel(control, -1 if at < bar.maximum() else 1)
        assert value_of(control) == before, (control.accessibleName() or control.toolTip() or control)
        scrolled += bar.value() != at
    assert scrolled >= len(controls) // 2  # the panel scrolled instead (except where it was at its end)


def test_a_focused_control_still_takes_the_wheel(qtbot):
    tab = make(qtbot, RegressionTab)
    combo = tab.controls.average
    side_panel(tab).ensureWidgetVisible(combo, 20, 60)
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    before = combo.currentIndex()
    wheel(combo, -1)
    assert combo.currentIndex() == before + 1
    assert tab.shutdown()


# -- settings on the undo stack, with the trained run -----------------------------------------------------
def test_undo_of_a_cost_change_brings_back_the_trained_run_and_redo_the_change(qtbot):
    tab = make(qtbot, RegressionTab)
    tab.controller.step(500)
    trained = wait_snapshot(qtbot, tab, lambda s: s.step == 500)
    tab.controls.cost.setCurrentIndex(tab.controls.cost.findData("sse"))
    assert tab.params.cost == "sse"
    wait_snapshot(qtbot, tab, lambda s: s.cost_name != trained.cost_name and s.step == 0)
    assert tab.controls.undo.isEnabled() and "cost" in tab.controls.undo.toolTip().lower()
    tab.undo()
    assert tab.params.cost == "mse" and tab.controls.cost.currentData() == "mse"
    back = wait_snapshot(qtbot, tab, lambda s: not tab.restore_pending and s.step == 500)
    assert back.cost == trained.cost and np.array_equal(back.theta, trained.theta)
    assert np.array_equal(back.main.history, trained.main.history, equal_nan=True)
    assert not tab.controller.running
    tab.redo()
    assert tab.params.cost == "sse"
    wait_snapshot(qtbot, tab, lambda s: s.cost_name != trained.cost_name and s.step == 0)
    tab.undo()
    wait_snapshot(qtbot, tab, lambda s: not tab.restore_pending and s.step == 500)
    assert tab.shutdown()


def test_undo_of_an_activation_change_brings_back_the_same_weights_and_step(qtbot):
    tab = make(qtbot, NetworkTab)
    tab.controller.step(300)
    trained = wait_snapshot(qtbot, tab, lambda s: s.step == 300)
    box = tab.panel.activation
    box.setCurrentIndex(box.findData("relu"))
    wait_snapshot(qtbot, tab, lambda s: tab.params.activation == "relu" and s.step == 0)
    tab.undo()
    assert tab.params.activation == "tanh" and box.currentData() == "tanh"
    back = wait_snapshot(qtbot, tab, lambda s: not tab.restore_pending and s.step == 300)
    assert all(np.array_equal(a, b) for a, b in zip(back.coefs, trained.coefs))
    assert back.cost == trained.cost
    tab.redo()
    assert tab.params.activation == "relu" and box.currentData() == "relu"
    assert tab.shutdown()


def test_undo_of_a_data_preset_brings_back_points_settings_and_run(qtbot):
    tab = make(qtbot, SvmTab)
    tab.toggle_play()
    trained = wait_snapshot(qtbot, tab, lambda s: s.status is Status.CONVERGED)
    points = tab.editor.points.xy.copy()
    tab.data_controls.select_preset("moons")
    tab.data_controls.seed.setValue(4)
    tab.data_controls.load_button.click()
    assert tab.params.kernel == "rbf" and len(tab.editor.points) != len(points)
    tab.undo()
    assert np.array_equal(tab.editor.points.xy, points) and tab.params.kernel == "linear"
    assert tab.data_controls.preset.currentData() == "exp1" and tab.data_controls.seed.value() == 0
    back = wait_snapshot(qtbot, tab, lambda s: not tab.restore_pending and s.step == trained.step
                         and s.data_version == tab.editor.points.version)
    assert back.status is Status.CONVERGED and np.array_equal(back.alpha, trained.alpha)
    assert tab.shutdown()


# -- transport --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(TABS))
def test_load_sets_the_experiment_up_paused(qtbot, name):
    tab = make(qtbot, TABS[name])
    load = {"regression": lambda: tab.controls.load_preset, "network": lambda: tab.panel.load_button,
            "svm": lambda: tab.data_controls.load_button}[name]()
    load.click()
    qtbot.wait(700)  # the network's data reload is debounced; training would be well under way by now
    snap = wait_snapshot(qtbot, tab, lambda s: s.data_version == tab.editor.points.version)
    assert snap.step == 0 and not tab.controller.running
    assert tab.playback.play_button.text() == "Play"
    assert tab.shutdown()


@pytest.mark.parametrize("name", list(TABS))
def test_play_after_the_step_limit_goes_on_and_only_reset_starts_over(qtbot, name):
    tab = make(qtbot, TABS[name])
    if name == "svm":
        tab.load_preset("exp2")  # SMO takes well over 20 pair updates here
    tab.playback.limit.setValue(20)
    tab.controller.set_rate(None)
    assert tab.params.max_steps == 20
    tab.playback.play_button.click()
    snap = wait_snapshot(qtbot, tab, lambda s: s.step == 20 and tab.limit_reached(s) and not tab.controller.running)
    tab.playback.play_button.click()
    assert tab.params.max_steps == 40 and tab.playback.limit.value() == 40
    snap = wait_snapshot(qtbot, tab, lambda s: s.step > 20)
    assert snap.step > 20  # a restart under the same limit would never pass 20
    qtbot.waitUntil(lambda: not tab.controller.running, timeout=10_000)
    tab.playback.reset_button.click()
    wait_snapshot(qtbot, tab, lambda s: s.step == 0)
    assert tab.shutdown()


def test_every_tab_has_an_editable_step_limit(qtbot, any_tab):
    limit = any_tab.playback.limit
    assert limit.isVisible() and limit.isEnabled() and limit.toolTip()
    limit.setValue(123_456)
    assert any_tab.params.max_steps == 123_456
    assert limit.text() == "123,456"


# -- the window -------------------------------------------------------------------------------------------
@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    configure()
    w = MainWindow(settings=QSettings(str(tmp_path / "gdplay.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    w.close()


def test_a_tab_nobody_opened_does_not_train(qtbot, window):
    window.select_tab("regression")
    network, svm = window.tab("network"), window.tab("svm")
    qtbot.wait(1500)
    for tab in (network, svm):
        snap = tab.controller.latest
        assert not tab.controller.running and (snap is None or snap.step == 0), tab.title


@pytest.mark.parametrize("answer", ["Save", "Discard", "Cancel"])
def test_open_session_over_unsaved_work_offers_save_discard_cancel(qtbot, window, tmp_path, monkeypatch, answer):
    tab = window.tab("regression")
    window.tabs  # noqa: B018 - every tab built
    window.document.start_watching()
    other = tmp_path / "other.gdplay.json"
    done = []
    window.save_session(str(other), then=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    window.document.path = None  # the work at hand is untitled: Save asks where
    tab.editor.replace(np.array([[1.0, 2.0], [2.0, 3.0]]), None, "two points")
    qtbot.waitUntil(window.isWindowModified, timeout=3000)
    asked = []
    button = getattr(QMessageBox.StandardButton, answer)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[3]) or button)
    mine = tmp_path / "mine.gdplay.json"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName", lambda *a, **k: (str(other), ""))
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(mine), ""))
    window._on_open()
    buttons = QMessageBox.StandardButton
    assert asked and asked[0] == buttons.Save | buttons.Discard | buttons.Cancel
    if answer == "Cancel":
        assert len(tab.editor.points) == 2 and window.isWindowModified() and not mine.exists()
        return
    qtbot.waitUntil(lambda: len(tab.editor.points) != 2, timeout=10_000)  # the other session is open
    assert window.document.path == str(other)
    assert mine.exists() == (answer == "Save")
