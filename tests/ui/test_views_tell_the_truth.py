"""Views never contradict their text or show stale state (issue 12, §2): compact legends level with their
samples, colour words in the texts that are the colours drawn, both slider marks visible when they
coincide, ranges that follow the lesson, no stale hover preview, landscape and libsvm comparison marked
stale, a key for the decision map, readable messages and tick labels."""

import re

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPointF, QSettings
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from gdplay.core.trainer import Status
from gdplay.ui.main_window import MainWindow
from gdplay.ui.network.tab import NetworkTab
from gdplay.ui.plots.axis import Axis
from gdplay.ui.plots.style import CompactLegend, configure
from gdplay.ui.regression.presets import PRESETS
from gdplay.ui.regression.tab import RegressionTab
from gdplay.ui.svm.tab import SvmTab
from gdplay.ui.tab_base import readable
from gdplay.ui.widgets.log_slider import MarkedSlider

COLOUR_WORDS = ("red", "green", "blue", "orange", "brown", "yellow", "purple", "black", "grey", "pink")


def colour_name(c: QColor) -> str:
    h, s, v = c.hsvHueF() * 360, c.hsvSaturationF(), c.valueF()
    if s < 0.2:
        return "black" if v < 0.3 else ("grey" if v < 0.85 else "white")
    if h < 15 or h >= 345:
        return "brown" if (v < 0.6 and s < 0.55) else "red"
    if h < 45:
        return "brown" if v < 0.75 else "orange"
    if h < 70:
        return "yellow"
    if h < 170:
        return "green"
    if h < 260:
        return "blue"
    if h < 300:
        return "purple"
    return "pink"


def make(qtbot, cls, size=(1400, 860)):
    configure()
    t = cls()
    qtbot.addWidget(t)
    t.resize(*size)
    t.show()
    qtbot.waitExposed(t)
    return t


def wait_snapshot(qtbot, tab, predicate, timeout=10_000):
    qtbot.waitUntil(lambda: tab.controller.latest is not None
                    and tab.controller.latest.params_version == tab.controller.params_version
                    and predicate(tab.controller.latest), timeout=timeout)
    return tab.controller.latest


def drawn_colours(tab) -> dict[str, set[str]]:
    """Colour names of what is drawn: 'curve' (lines with data), 'mark' (markers, slider marks)."""
    out = {"curve": set(), "mark": set()}
    for w in tab.findChildren(pg.PlotWidget):
        if not w.isVisible():
            continue
        for item in w.getPlotItem().listDataItems():
            if not item.isVisible():
                continue
            x, _y = item.getData()
            if x is None or not len(x):
                continue
            pen = item.opts.get("pen")
            if pen is not None and pg.mkPen(pen).style() != pg.QtCore.Qt.PenStyle.NoPen:
                out["curve"].add(colour_name(pg.mkPen(pen).color()))
    for slider in tab.findChildren(MarkedSlider):
        out["mark"] |= {colour_name(c) for _p, c in slider.marks}
    return out


@pytest.mark.parametrize("preset", [p.key for p in PRESETS if any(w in p.description for w in COLOUR_WORDS)])
def test_every_colour_a_preset_text_names_is_the_colour_drawn(qtbot, preset):
    tab = make(qtbot, RegressionTab)
    try:
        tab.apply_preset(preset)
        tab.controller.set_rate(None)
        tab.controller.step(150)
        wait_snapshot(qtbot, tab, lambda s: s.step >= 60 or s.status.finished)
        qtbot.wait(300)
        text = next(p.description for p in PRESETS if p.key == preset)
        drawn = drawn_colours(tab)
        for word, thing in re.findall(r"\b(" + "|".join(COLOUR_WORDS) + r") (curve|mark|line)", text):
            kind = "mark" if thing == "mark" else "curve"
            assert word in drawn[kind], f"{preset}: the text says “{word} {thing}”; drawn: {drawn[kind]}"
    finally:
        tab.shutdown()


def test_both_slider_marks_stay_visible_when_they_coincide(qtbot):
    assert MarkedSlider.xs_apart([100.0, 100.0]) == [95.0, 105.0]
    assert MarkedSlider.xs_apart([100.0, 150.0]) == [100.0, 150.0]
    tab = make(qtbot, RegressionTab)
    try:
        tab.apply_preset("too-large")
        snap = wait_snapshot(qtbot, tab, lambda s: s.curvature is not None)
        slider = tab.learning_rate.slider
        assert len(slider.marks) == 2  # the red edge and the green best step, both drawn
        assert {colour_name(c) for _p, c in slider.marks} == {"red", "green"}
        assert snap.curvature.lr_edge == pytest.approx(snap.curvature.lr_best, rel=0.01)  # they coincide here
    finally:
        tab.shutdown()


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_legends_are_compact_on_a_background_and_cover_no_label(qtbot, size):
    tab = make(qtbot, RegressionTab, size)
    try:
        tab.apply_preset("batch-vs-sgd")
        tab.controller.set_rate(None)
        tab.controller.step(300)
        wait_snapshot(qtbot, tab, lambda s: s.step >= 300)
        qtbot.wait(300)
        legends = [i for w in tab.findChildren(pg.PlotWidget) for i in w.scene().items()
                   if isinstance(i, CompactLegend) and i.isVisible()]
        assert len(legends) >= 2
        for legend in legends:
            rows = sum(r.visible for r in legend.rows)
            line = legend.text.document().firstBlock().layout().lineAt(0).height() if rows else 0
            # every row one line high: sample and label share it; no stretching with the plot's height
            assert legend.rect().height() <= rows * line * 1.25 + 2 * legend.text.document().documentMargin() + 2
            assert legend.brush().color().alpha() > 200  # a background, so curves do not run through the text
            for r in legend.rows:
                if r.visible:
                    assert legend.html().count(f"<td>{r.text}</td>") == 1  # its sample in the same row
        cost = tab.cost_view
        texts = [i for i in cost.widget.scene().items() if isinstance(i, pg.TextItem) and i.isVisible()]
        assert not any(t.sceneBoundingRect().intersects(cost.legend.sceneBoundingRect()) for t in texts)
        assert "E* (least squares)" in cost.legend.html()  # named in the legend, not on the line
    finally:
        tab.shutdown()


def test_e_minus_e_star_is_drawn_for_every_compared_run_and_the_x_range_ends_at_the_limit(qtbot):
    tab = make(qtbot, RegressionTab)
    try:
        tab.apply_preset("optimizers")
        tab.controller.set_rate(None)
        tab.controller.step(200)
        snap = wait_snapshot(qtbot, tab, lambda s: s.step >= 200)
        qtbot.wait(300)
        excess = [tab.cost_view.excess, *tab.cost_view.excess_more]
        drawn = [e for e in excess if e.getData()[0] is not None and len(e.getData()[0])]
        assert len(drawn) == len(snap.runs) == 5
        tab.controller.play()
        qtbot.waitUntil(lambda: not tab.controller.running and tab.controller.latest.status.finished, timeout=20_000)
        qtbot.wait(300)
        (_x0, x1), _ = tab.cost_view.plot.getViewBox().viewRange()
        assert x1 <= tab.params.max_steps * 1.001  # a 1,500-step race on a 0-1,500 axis, not 0-3,000
    finally:
        tab.shutdown()


def test_scaled_data_draws_a_round_bowl_round(qtbot):
    tab = make(qtbot, RegressionTab)
    try:
        tab.apply_preset("seed-scaled")
        wait_snapshot(qtbot, tab, lambda s: s.scaled)
        qtbot.wait(200)
        assert tab.surface_view.plot.getViewBox().state["aspectLocked"] == 1.0
        tab.apply_preset("seed")
        wait_snapshot(qtbot, tab, lambda s: not s.scaled)
        qtbot.wait(200)
        assert tab.surface_view.plot.getViewBox().state["aspectLocked"] is False
    finally:
        tab.shutdown()


def test_a_diverging_one_weight_run_stays_in_view_with_an_off_scale_marker(qtbot):
    tab = make(qtbot, RegressionTab)
    try:
        tab.apply_preset("one-weight-diverges")
        tab.controller.set_rate(None)
        tab.controller.step(40)
        snap = wait_snapshot(qtbot, tab, lambda s: s.step >= 40)
        qtbot.wait(500)
        tab.on_snapshot(snap)
        view = tab.curve_view
        (w0, w1), (_j0, j1) = view.plot.getViewBox().viewRange()
        assert j1 < 1e4  # not 1e32: the first overshoots are in the picture
        w, _j = view.steps.getData()
        assert np.all((w >= w0 - 1e-9) & (w <= w1 + 1e-9))  # every iterate drawn in view
        assert len(view.off_scale.getData()[0]) > 0 and view.off_label.isVisible()
        assert "off scale" in view.off_label.textItem.toPlainText()
    finally:
        tab.shutdown()


def test_the_hover_preview_goes_when_the_pointer_leaves(qtbot):
    tab = make(qtbot, RegressionTab)
    try:
        wait_snapshot(qtbot, tab, lambda s: "surface" in tab.controller.views)
        w = tab.surface_view.widget
        vb = w.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        w.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF((x0 + x1) / 2, (y0 + y1) / 2)))
        assert len(tab.data_view.hover.getData()[0]) == 2
        QApplication.sendEvent(w.viewport(), QEvent(QEvent.Type.Leave))
        x, _y = tab.data_view.hover.getData()
        assert x is None or len(x) == 0
    finally:
        tab.shutdown()


def test_the_decision_map_has_a_key_and_test_points_can_be_hidden(qtbot):
    tab = make(qtbot, NetworkTab)
    try:
        keys = [lab.text() for lab in tab.findChildren(pg.QtWidgets.QLabel) if "held-out test point" in lab.text()]
        assert keys and "Fill" in keys[0] and "outline" in keys[0]
        wait_snapshot(qtbot, tab, lambda s: s.n_test > 0)
        n = tab.map_view.point_count
        n_test = int(tab._test_mask.sum())
        tab.panel.show_test.setChecked(False)
        assert tab.map_view.point_count == n - n_test
        tab.panel.show_test.setChecked(True)
        assert tab.map_view.point_count == n
    finally:
        tab.shutdown()


def test_the_landscape_is_marked_stale_once_the_settings_change(qtbot):
    tab = make(qtbot, NetworkTab)
    try:
        tab.controller.step(50)
        wait_snapshot(qtbot, tab, lambda s: s.step >= 50)
        qtbot.waitUntil(lambda: tab.landscape is not None and not tab._landscape_pending, timeout=10_000)
        assert "stale" not in tab.landscape_view.plot.titleLabel.text
        tab.controller.set_rate(20.0)
        tab.controller.play()  # running: a change is not recomputed at once (paused, it would be)
        qtbot.waitUntil(lambda: tab.controller.running, timeout=5000)
        tab.panel.activation.setCurrentIndex(tab.panel.activation.findData("relu"))
        qtbot.waitUntil(lambda: "stale" in tab.landscape_view.plot.titleLabel.text, timeout=5000)
        assert "Refresh" in tab.landscape_view.info.textItem.toPlainText()
    finally:
        tab.shutdown()


def test_the_libsvm_comparison_is_marked_stale_once_the_model_changes(qtbot):
    tab = make(qtbot, SvmTab)
    try:
        tab.controller.set_rate(None)
        tab.toggle_play()
        wait_snapshot(qtbot, tab, lambda s: s.status is Status.CONVERGED)
        tab.compare_box.button.click()
        qtbot.waitUntil(lambda: tab.comparison is not None, timeout=15_000)
        assert "Stale" not in tab.compare_box.table.text()
        tab.model.C.setValue(50.0)
        wait_snapshot(qtbot, tab, lambda s: s.params.C == 50.0)
        qtbot.waitUntil(lambda: "Stale" in tab.compare_box.table.text(), timeout=5000)
        x, _y = tab.decision.reference.getData()
        assert x is None or len(x) == 0  # libsvm's old boundary is gone
    finally:
        tab.shutdown()


def test_messages_and_ticks_read_cleanly():
    assert readable("gd: Stopped at the step limit (200000).; adam: Converged.") == \
        "gd: Stopped at the step limit (200,000); adam: Converged."
    assert readable("learning rate 0.00012345, 1e-10, step 2000.") == "learning rate 0.00012345, 1e-10, step 2,000."
    axis = Axis(orientation="left")
    labels = axis.tickStrings([0.028332743821901, 0.028332743821911], 1.0, 1e-14)
    assert all(len(t) <= 12 for t in labels)


def test_the_window_has_no_stale_hover_after_opening_a_session(qtbot, tmp_path):
    configure()
    w = MainWindow(settings=QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    try:
        tab = w.tab("regression")
        tab.data_view.set_hover_line((1.0, 2.0))
        tab.fit_points_view()  # what opening a session or importing points does
        x, _y = tab.data_view.hover.getData()
        assert x is None or len(x) == 0
    finally:
        w.close()


def test_a_legend_wider_than_its_plot_keeps_the_start_of_its_names_in_view(qtbot):
    """Lecture mode on a small window: a right-aligned legend wider than the plot was cut at the left
    ("* (least squares)"); it starts at the view's left edge instead."""
    tab = make(qtbot, RegressionTab)
    try:
        legend = tab.cost_view.legend
        legend.addItem(tab.cost_view.floor, "a very long name " * 12)
        qtbot.waitUntil(lambda: legend.isVisible(), timeout=2000)
        box = legend.view_box.boundingRect()
        assert legend.rect().width() > box.width()
        assert legend.pos().x() >= box.left() and legend.pos().y() >= box.top()
    finally:
        tab.shutdown()
