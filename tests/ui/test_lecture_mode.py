"""Lecture mode and text size (issue 12, §4): View > Lecture mode (F11) makes text at least 1.6 times larger,
plots with their lines, markers and legends too, full screen; Ctrl++ / Ctrl+- / Ctrl+0 scale text in any
mode; both are remembered; --screenshot honours --lecture; and at 1280x800 and 1920x1080, normal and
lecture, nothing in the panels or plots is clipped."""

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QScrollArea, QWidget

from gdplay.ui.main_window import LECTURE_ZOOM, TAB_KEYS, MainWindow
from gdplay.ui.plots.style import configure, zoom


def make_window(qtbot, path, size=(1280, 800)):
    configure()
    w = MainWindow(settings=QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path / "gdplay.ini")
    yield w
    w.set_lecture_mode(False, remember=False)
    w.close()


def action(window, text):
    return next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == text)


def point_size(widget: QWidget) -> float:
    return widget.font().pointSizeF()


def test_lecture_mode_is_in_the_view_menu_with_f11_and_scales_text_plots_and_lines(qtbot, window):
    tab = window.tab("regression")
    lecture = action(window, "&Lecture mode")
    assert lecture.shortcut() == QKeySequence("F11") and lecture.isCheckable()
    label = tab.status_label
    before = point_size(tab.controls.cost)
    plot = tab.cost_view.widget
    line_width = tab.data_view.reference.opts["pen"].widthF()
    lecture.trigger()
    assert window.lecture and window.isFullScreen() and window.zoom() == pytest.approx(LECTURE_ZOOM)
    assert point_size(tab.controls.cost) >= 1.6 * before - 0.01
    label.setText("a status line with a colour of its own")
    label.setStyleSheet("color: #b00020;")  # a style sheet of its own must not keep it small
    QApplication.processEvents()
    assert label.fontInfo().pointSizeF() >= 1.6 * before - 0.6
    assert plot.zoom == pytest.approx(LECTURE_ZOOM) and zoom() == pytest.approx(LECTURE_ZOOM)
    assert plot.transform().m11() == pytest.approx(LECTURE_ZOOM)  # title, axes and ticks drawn 1.6x
    qtbot.waitUntil(lambda: tab.data_view.reference.opts["pen"].widthF() >= 1.6 * line_width - 1e-9,
                    timeout=3000)  # lines thicker too
    lecture.trigger()
    assert not window.lecture and not window.isFullScreen() and window.zoom() == 1.0
    assert point_size(tab.controls.cost) == pytest.approx(before)
    qtbot.waitUntil(lambda: tab.data_view.reference.opts["pen"].widthF() == pytest.approx(line_width), timeout=3000)


def test_ctrl_plus_minus_zero_scale_text_in_any_mode_and_both_are_remembered(qtbot, tmp_path):
    path = tmp_path / "remember.ini"
    w = make_window(qtbot, path)
    base = point_size(w.menuBar())
    larger, smaller, normal = (action(w, t) for t in ("&Larger text", "&Smaller text", "&Normal size"))
    assert QKeySequence("Ctrl++") in larger.shortcuts() and smaller.shortcut() == QKeySequence("Ctrl+-")
    assert normal.shortcut() == QKeySequence("Ctrl+0")
    larger.trigger()
    larger.trigger()
    assert w.zoom() == pytest.approx(1.21) and point_size(w.menuBar()) == pytest.approx(base * 1.21, rel=0.01)
    smaller.trigger()
    assert w.zoom() == pytest.approx(1.1)
    w.set_lecture_mode(True, full_screen=False)
    assert w.zoom() == pytest.approx(1.1 * LECTURE_ZOOM)
    w.close()
    again = make_window(qtbot, path)
    try:
        assert again.lecture and again.text_zoom == pytest.approx(1.1)
        assert point_size(again.menuBar()) == pytest.approx(base * 1.1 * LECTURE_ZOOM, rel=0.01)
        action(again, "&Normal size").trigger()
        assert again.zoom() == pytest.approx(LECTURE_ZOOM)
    finally:
        again.set_lecture_mode(False)
        again.close()


def test_screenshot_honours_lecture(monkeypatch, tmp_path):
    from gdplay import app

    seen = []
    monkeypatch.setattr(app, "_screenshot", lambda _app, window, args: seen.append(window.zoom()) or 0)
    out = str(tmp_path / "x.png")
    assert app.main(["--screenshot", out, "--tab", "svm", "--lecture"]) == 0
    assert app.main(["--screenshot", out, "--tab", "svm"]) == 0
    assert seen == [pytest.approx(LECTURE_ZOOM), 1.0]


# -- nothing clipped ------------------------------------------------------------------------------------------
def clipped_in_panel(tab: QWidget) -> list[str]:
    """Panel widgets whose text does not fit: cut off at the panel's right edge, or squeezed below the width
    their text needs."""
    out = []
    for scroll in tab.findChildren(QScrollArea):
        panel = scroll.widget()
        if panel is None or scroll.horizontalScrollBarPolicy() != pg.QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
            continue
        if panel.__class__.__name__ == "ReflowGrid":
            continue
        view = scroll.viewport().rect()
        for w in panel.findChildren(QWidget):
            if not w.isVisibleTo(tab) or not isinstance(w, (QLabel, QAbstractButton, QComboBox)):
                continue
            if isinstance(w.parentWidget(), QComboBox):
                continue
            rect = QRect(w.mapTo(scroll.viewport(), QPoint(0, 0)), w.size())
            if rect.right() > view.right() + 1:
                out.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} runs past the panel")
            elif not (isinstance(w, QLabel) and w.wordWrap()) and w.width() + 1 < w.minimumSizeHint().width():
                out.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} squeezed")
    return out


def clipped_in_plots(tab: QWidget) -> list[str]:
    out = []
    for w in tab.findChildren(pg.PlotWidget):
        if not w.isVisibleTo(tab):
            continue
        p = w.getPlotItem()
        name = p.titleLabel.text
        if p.geometry().width() > w.viewport().width() / getattr(w, "zoom", 1.0) + 0.5:
            out.append(f"{name}: wider than its widget")
        title = p.titleLabel.item.boundingRect().width()
        if title > p.size().width() + 0.5:
            out.append(f"{name}: title {title:.0f} wide in {p.size().width():.0f}")
        for side in ("left", "bottom"):
            axis = p.getAxis(side)
            if not axis.isVisible() or not axis.label.isVisible():
                continue
            text = axis.label.boundingRect().width()
            length = axis.size().height() if side == "left" else axis.size().width()
            if text > length + 0.5:
                out.append(f"{name}: {side} axis label {axis.labelText!r} longer than its axis")
    return out


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_nothing_is_clipped(qtbot, tmp_path, size, lecture):
    w = make_window(qtbot, tmp_path / "clip.ini", size)
    try:
        w.set_lecture_mode(lecture, full_screen=False, remember=False)
        for key in TAB_KEYS:
            w.select_tab(key)
            tab = w.tab(key)
            qtbot.wait(300)  # layouts settle, reflow and titles wrap
            tab.controller.pause()
            qtbot.wait(200)  # the last snapshot's texts laid out
            problems = clipped_in_panel(tab) + clipped_in_plots(tab)
            assert not problems, f"{key} at {size}, lecture {lecture}:\n" + "\n".join(problems)
    finally:
        w.set_lecture_mode(False, full_screen=False, remember=False)
        w.close()
