"""The main window: tabs, menus, the status bar's cursor coordinates, remembered settings."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSettings
from PySide6.QtGui import QImage

from gdplay.ui.main_window import TAB_KEYS, MainWindow
from gdplay.ui.plots.style import configure


@pytest.fixture
def window(qtbot, tmp_path):
    configure()
    settings = QSettings(str(tmp_path / "gdplay.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_title_tabs_and_menus(window):
    assert window.windowTitle() == "untitled[*] — gdplay" and not window.isWindowModified()
    assert [window.tab_widget.tabText(i) for i in range(3)] == ["Regression", "Neural network", "SVM"]
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&Train", "&View", "&Help"]
    file_items = {a.text(): a.isEnabled() for a in window.menuBar().actions()[0].menu().actions() if a.text()}
    assert all(file_items.values())  # every File item works: sessions, CSV, exports, quit
    assert {"&Open session…", "&Save session", "&Import points (CSV)…", "Export &image…", "&Quit"} <= set(file_items)


def test_status_bar_shows_data_coordinates_under_the_cursor(qtbot, window):
    tab = window.tab("regression")
    w = tab.data_view.widget
    vb = w.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    scene_pos = vb.mapViewToScene(QPointF(x, y))
    w.scene().sigMouseMoved.emit(scene_pos)
    text = window.statusBar().currentMessage()
    assert text.startswith(f"x = {x:.4g}, y = {y:.4g}")


def test_last_tab_and_geometry_are_remembered(qtbot, tmp_path):
    configure()
    path = str(tmp_path / "remember.ini")
    w = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1111, 777)
    w.select_tab("svm")
    w.close()
    again = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    try:
        assert TAB_KEYS[again.tab_widget.currentIndex()] == "svm"
        # offscreen's screen is ~800 px wide, so Qt clamps a restored size: check what was saved
        saved = QSettings(path, QSettings.Format.IniFormat).value("window/geometry")
        probe = MainWindow(settings=QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(probe)
        assert probe.restoreGeometry(saved)
        assert abs(probe.height() - 777) <= 10  # within the window frame's allowance
        probe.close()
    finally:
        again.close()


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), dtype=np.uint32,
                         count=image.width() * image.height()).reshape(image.height(), image.width()).copy()


def test_export_image_writes_the_current_tab(qtbot, window, tmp_path):
    """File > Export image writes the tab on screen (not the whole window, not another tab) at the scale
    asked: the file is the tab's size times the scale, and at 1x it is the picture the tab itself draws."""
    window.select_tab("svm")
    tab = window.current_tab()
    qtbot.waitUntil(lambda: tab.controller.latest is not None, timeout=5000)
    assert window.save_tab_image(str(tmp_path / "2x.png"), 2.0)
    big = QImage(str(tmp_path / "2x.png"))
    assert (big.width(), big.height()) == (2 * tab.width(), 2 * tab.height())
    assert window.save_tab_image(str(tmp_path / "1x.png"))
    shot = _pixels(QImage(str(tmp_path / "1x.png")))
    assert shot.shape == (tab.height(), tab.width()) != (window.height(), window.width())
    assert (shot == _pixels(tab.grab().toImage())).mean() > 0.98  # the same picture (a caret may blink)
    other = window.tab("regression")
    other.resize(tab.size())
    assert (shot == _pixels(other.grab().toImage())).mean() < 0.9  # ... and not another tab's (~50-65 % alike)


@pytest.mark.parametrize("size", [(1400, 860), (1100, 700)])
def test_every_plot_fits_inside_its_widget(qtbot, window, size):
    """A plot whose content is wider than its widget loses its right axis off the edge (a long title used
    to set the minimum width): at the default size and a small one, every visible plot fits."""
    import pyqtgraph as pg

    window.resize(*size)
    for key in ("regression", "network", "svm"):
        window.select_tab(key)
        tab = window.tab(key)
        qtbot.wait(150)
        plots = [w for w in tab.findChildren(pg.PlotWidget) if w.isVisible()]
        assert len(plots) >= 4
        for w in plots:
            item = w.getPlotItem().geometry()
            assert item.width() <= w.viewport().width() + 0.5, (key, w.getPlotItem().titleLabel.text)
            assert item.height() <= w.viewport().height() + 0.5, (key, w.getPlotItem().titleLabel.text)


def test_a_message_from_a_tab_not_on_screen_says_which_tab_it_is_about(qtbot, window):
    window.select_tab("regression")
    window.tab("regression").statusMessage.emit("about the line")
    assert window.statusBar().currentMessage() == "about the line"
    window.tab("network").statusMessage.emit("about the network")
    assert window.statusBar().currentMessage() == "Neural network tab: about the network"


def test_the_first_window_fits_the_screen(window):
    """No saved geometry: 1400 x 860, or the screen's room where that is less (a 1366 x 768 laptop; the
    offscreen test screen is smaller still), never a window reaching past the screen."""
    room = window.screen().availableGeometry()
    assert window.width() == min(1400, room.width()) and window.height() == min(860, room.height())
