"""The Surfaces tab with pytest-qt: presets, click to start, live learning rate, the basins map computed in
the training process and recomputed when the rate changes, typed formulas and their errors, tooltips and
the wheel guard, sessions (save, open, go on) and the example sessions."""

from dataclasses import replace

import numpy as np
import pytest
from mouse import click, drag, viewport_pos
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QWidget

from gdplay.core.surfaces import BasinsMap, SurfaceGrid, SurfaceParams, views
from gdplay.core.trainer import Status, ValidationError, export_state
from gdplay.ui.plots.style import configure
from gdplay.ui.surfaces.tab import SurfacesTab
from gdplay.ui.tab_base import TrainingTab


def make_tab(qtbot) -> SurfacesTab:
    configure()
    t = SurfacesTab()
    qtbot.addWidget(t)
    t.resize(1400, 860)
    t.show()
    qtbot.waitExposed(t)
    t.controller.set_rate(None)
    return t


@pytest.fixture
def tab(qtbot):
    t = make_tab(qtbot)
    yield t
    assert t.shutdown()


def finished(tab):
    s = tab.snapshot
    return s is not None and s.params_version == tab.controller.params_version and s.status.finished


def test_the_first_experiment_finds_a_minimum_and_says_which(qtbot, tab):
    tab.controller.play()
    qtbot.waitUntil(lambda: finished(tab), timeout=10000)
    snap = tab.snapshot
    assert snap.status is Status.CONVERGED
    assert tab.readout["nearest"].text().startswith("minimum A (3, 2)")
    assert "a minimum" in tab.readout["curvature"].text()
    assert "Converged" in tab.status_label.text()


def test_a_click_on_the_map_starts_there_and_lands_in_that_basin(qtbot, tab):
    click(qtbot, tab.surface_view.widget, -3.0, -2.5)
    qtbot.waitUntil(lambda: finished(tab), timeout=10000)
    x0, y0 = tab.params.initial
    px, _ = tab.surface_view.plot.getViewBox().viewPixelSize()
    assert abs(x0 + 3.0) < 3 * px and abs(y0 + 2.5) < 3 * px
    assert tab.readout["nearest"].text().startswith("minimum C")
    tab.undo()  # the start is this tab's undoable edit
    assert tab.params.initial == (-0.3, -0.6)
    tab.redo()
    assert tab.params.initial == (x0, y0)


def test_dragging_the_start_moves_it_and_a_drag_elsewhere_pans(qtbot, tab):
    w = tab.surface_view.widget
    x0, y0 = tab.params.initial
    path = [viewport_pos(w, x0, y0), viewport_pos(w, x0 + 0.5, y0 + 0.5), viewport_pos(w, 2.0, -1.0)]
    drag(w.viewport(), path)
    x1, y1 = tab.params.initial
    px, py = tab.surface_view.plot.getViewBox().viewPixelSize()
    assert abs(x1 - 2.0) < 3 * px and abs(y1 + 1.0) < 3 * py
    qtbot.waitUntil(lambda: finished(tab), timeout=10000)
    assert tab.snapshot.start == (x1, y1) and tab.readout["nearest"].text().startswith("minimum D")
    tab.undo()  # one drag, one undo
    assert tab.params.initial == (x0, y0)
    before = tab.surface_view.ranges()
    drag(w.viewport(), [viewport_pos(w, -4.0, 4.0), viewport_pos(w, -3.0, 3.0), viewport_pos(w, -2.0, 2.0)])
    assert tab.params.initial == (x0, y0) and tab.surface_view.ranges() != before  # panned


def test_the_learning_rate_is_live_and_the_basins_map_follows_it(qtbot, tab):
    tab.controls.show_basins.setChecked(True)
    qtbot.waitUntil(lambda: isinstance(tab.controller.views.get("basins"), BasinsMap), timeout=20000)
    b = tab.controller.views["basins"]
    assert b.labels.shape == (150, 150) and b.learning_rate == 0.01
    assert sum(b.counts[:4]) == 150 * 150  # every start finds one of the four minima
    assert "minimum A" in tab.controls.basins_legend.text()
    tab.controller.step(20)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step == 20, timeout=10000)
    tab.set_learning_rate(0.02)
    posted = []
    tab.controller.set_view = lambda name, method, *args: posted.append((name, args))  # what the tab asks for
    tab.set_learning_rate(0.019)
    assert ("basins", (*tab.surface_view.ranges(), 75)) in posted  # moving: a quarter of the starts
    del tab.controller.set_view
    tab.set_learning_rate(0.02)
    qtbot.waitUntil(lambda: getattr(tab.controller.views.get("basins"), "learning_rate", 0) == 0.02
                    and tab.controller.views["basins"].labels.shape == (150, 150), timeout=20000)  # at rest: all
    assert tab.snapshot.step >= 20  # the run went on: a live change
    b2 = tab.controller.views["basins"]
    assert b2.not_settled > 0  # past 2/λmax of minimum C: its starts bounce for ever
    assert "Past" in tab.controls.lr_hint.text()
    tab.controls.show_basins.setChecked(False)
    qtbot.waitUntil(lambda: "basins" not in tab.controller.views, timeout=10000)
    assert not tab.surface_view.basins.isVisible()


def test_a_typed_formula_is_used_and_a_bad_one_is_refused_in_a_sentence(qtbot, tab):
    c = tab.controls
    c.surface.setCurrentIndex(c.surface.findData("formula"))
    c.formula.setText("2x + y")
    c.apply_formula.click()
    assert "without an operator (write 2*x, not 2x) at character 2" in c.formula_note.text()
    assert tab.params.surface == "himmelblau"  # nothing changed
    c.formula.setText("(x**2 - 1)**2 + y**2")
    c.apply_formula.click()
    assert tab.params.surface == "formula" and tab.params.formula == "(x**2 - 1)**2 + y**2"
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.formula == "(x**2 - 1)**2 + y**2",
                    timeout=10000)
    kinds = sorted(p.kind for p in tab.snapshot.points)
    assert kinds == ["minimum", "minimum", "saddle"]
    c.formula.setText("log(x) + y**2")
    c.apply_formula.click()
    qtbot.waitUntil(lambda: "log of a negative number" in c.formula_note.text(), timeout=10000)


def test_presets_load_and_compare_runs_are_drawn(qtbot, tab):
    tab.apply_preset("banana", play=False)
    tab.controller.step(300)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step == 300 and len(tab.snapshot.runs) == 4,
                    timeout=10000)
    assert [r.label for r in tab.snapshot.runs] == ["gradient descent", "momentum", "Nesterov", "Adam"]
    assert sum(1 for p in tab.surface_view.paths if p.xData is not None and len(p.xData)) == 4
    from gdplay.ui.surfaces.presets import PRESETS

    for p in PRESETS:
        tab.apply_preset(p.key, play=False)
        assert tab.controls.preset.currentData() == p.key and tab.params == p.params
        assert tab.controls.show_basins.isChecked() == p.basins


def test_every_enabled_control_has_a_tooltip_and_ignores_the_wheel_unless_focused(qtbot, tab):
    missing = []
    for w in tab.controls.findChildren(QWidget):
        if isinstance(w, (QAbstractButton, QComboBox, QLineEdit)) or type(w).__name__ in (
                "QSpinBox", "QDoubleSpinBox", "QSlider", "MarkedSlider"):
            if w.isEnabled() and not w.toolTip() and not (w.parent() and w.parent().toolTip()):
                missing.append((type(w).__name__, getattr(w, "text", lambda: "")()))
    assert not missing
    combo = tab.controls.optimizer
    before = combo.currentIndex()
    ev = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, -120),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(combo, ev)
    assert combo.currentIndex() == before and combo.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_session_round_trip_goes_on_from_the_saved_run(qtbot, tab):
    tab.apply_preset("rastrigin", play=False)
    tab.controls.show_basins.setChecked(True)
    tab.controller.step(100)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step == 100, timeout=10000)
    replies = []
    tab.controller.request(export_state, on_reply=replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=10000)
    from gdplay.core import session as S

    doc = S.to_json(S.Session({"surfaces": tab.session_state(replies[0])}, "surfaces"))
    saved = tab.snapshot

    other = make_tab(qtbot)
    try:
        state = S.parse_session(S.parse_document(doc.encode()), {"surfaces": other.check_session}).tabs["surfaces"]
        other.apply_session(state)
        qtbot.waitUntil(lambda: not other.restore_pending and other.snapshot is not None
                        and other.snapshot.step == 100, timeout=10000)
        assert other.params == tab.params and other.controls.show_basins.isChecked()
        np.testing.assert_array_equal(other.snapshot.main.xy, saved.main.xy)
        other.controller.step(50)
        tab.controller.step(50)
        qtbot.waitUntil(lambda: other.snapshot.step == 150 and tab.snapshot.step == 150, timeout=10000)
        np.testing.assert_array_equal(other.snapshot.main.xy, tab.snapshot.main.xy)  # the same noise after
    finally:
        assert other.shutdown()
    bad = S.parse_document(doc.replace('"surface": "rastrigin"', '"surface": "nowhere"', 1).encode())
    with pytest.raises(S.SessionError, match="surface must be one of"):
        S.parse_session(bad, {"surfaces": tab.check_session})


def test_points_files_are_refused_and_history_exports(qtbot, tab, tmp_path):
    with pytest.raises(ValidationError, match="no data points"):
        tab.import_points_csv(str(tmp_path / "a.csv"))
    tab.controller.step(10)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step == 10, timeout=10000)
    assert tab.export_history_csv(str(tmp_path / "h.csv")) == 11
    assert (tmp_path / "h.csv").read_text().splitlines()[0] == "iteration,f,grad_norm,x,y"
    assert tab.model_summary()["surface"] == "himmelblau"


def test_refused_params_keep_the_old_ones(qtbot, tab):
    assert not tab.set_params(SurfaceParams(surface="himmelblau", learning_rate=-1.0))
    assert tab.params.learning_rate == 0.01 and "learning rate" in tab.status_label.text()


def test_the_step_limit_box_shows_the_runs_limit_and_play_goes_on_past_it(qtbot, tab):
    """The transport's step limit (shared by every tab) shows this tab's max_steps, and a typed limit applies."""
    assert tab.playback.limit.value() == tab.params.max_steps
    tab.playback.limit.setValue(40)
    assert tab.params.max_steps == 40
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.status is Status.MAX_STEPS
                    and tab.snapshot.step == 40, timeout=10_000)
    tab.toggle_play()  # Play after the limit goes on, the limit doubles
    qtbot.waitUntil(lambda: tab.params.max_steps == 80 and tab.playback.limit.value() == 80, timeout=5000)


def test_the_tab_keeps_the_training_tab_contract_and_names_its_views_as_functions(qtbot, tab):
    assert issubclass(SurfacesTab, TrainingTab)
    for name in TrainingTab.REQUIRED:
        assert getattr(SurfacesTab, name) is not getattr(TrainingTab, name)
    tab.controls.show_basins.setChecked(False)
    posted = []
    tab.controller.set_view = lambda name, view, *args: posted.append((name, view))
    tab.controls.show_basins.setChecked(True)
    del tab.controller.set_view
    assert ("grid", views.surface_grid) in posted and ("basins", views.basins_map) in posted
    qtbot.waitUntil(lambda: isinstance(tab.view("grid"), SurfaceGrid), timeout=10000)


def test_a_change_that_restarts_the_run_is_one_undo_that_brings_the_run_back(qtbot, tab):
    tab.controller.step(30)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step == 30, timeout=10000)
    before = tab.snapshot.main.xy.copy()
    c = tab.controls
    c.surface.setCurrentIndex(c.surface.findData("rosenbrock"))  # from the panel: edited({"surface": ...})
    assert tab.params.surface == "rosenbrock"
    qtbot.waitUntil(lambda: tab.snapshot.surface == "rosenbrock", timeout=10000)
    tab.undo()
    assert tab.params.surface == "himmelblau" and c.surface.currentData() == "himmelblau"
    # the run the change replaced comes back, 30 steps in, not a fresh one
    qtbot.waitUntil(lambda: not tab.restore_pending and tab.snapshot.surface == "himmelblau"
                    and tab.snapshot.step == 30, timeout=10000)
    np.testing.assert_array_equal(tab.snapshot.main.xy, before)
    tab.redo()
    assert tab.params.surface == "rosenbrock"


def test_the_snapshot_drawn_carries_its_own_params(qtbot, tab):
    """The readouts and the learning-rate marks come from the params a snapshot was computed with."""
    tab.controller.step(5)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step == 5, timeout=10000)
    snap = tab.snapshot
    assert snap.params == tab.params and snap.main.grad_norm > 1e-3
    # newer params (not sent): a gradient tolerance that would call this point critical must not be used
    tab.params = replace(tab.params, grad_tol=1e9)
    tab.on_snapshot(snap)
    assert "here the surface" in tab.readout["curvature"].text()
    assert tab.readout["step"].text() == "5"


def test_a_new_basins_legend_does_not_refit_the_panel(qtbot, tab):
    """A map comes every few frames while the rate is dragged: a wider legend table must not widen the side
    panel (which would resize every plot, a stall each time)."""
    panel = tab.controls
    before = panel.minimumSizeHint().width()
    panel.basins_legend.setText("<table><tr><td>" + "W" * 200 + "</td></tr></table>")
    QApplication.processEvents()  # the layout takes the label's new size
    assert panel.minimumSizeHint().width() == before
