"""Tick labels of a zoomed plot (lecture mode) never overlap: pyqtgraph measured the axis in device pixels,
zoom times longer than the scene text it spaced against it."""

import itertools

import pytest
from PySide6.QtGui import QPainter, QPixmap

from gdplay.ui.plots.style import configure, set_zoom
from gdplay.ui.regression.tab import RegressionTab


@pytest.mark.parametrize("zoom", [1.0, 1.6, 2.5])
def test_tick_labels_of_a_small_zoomed_plot_do_not_overlap(qtbot, zoom):
    configure()
    set_zoom(zoom)
    tab = RegressionTab()
    try:
        qtbot.addWidget(tab)
        tab.resize(700, 600)  # the cost surface gets a narrow plot
        tab.show()
        qtbot.waitExposed(tab)
        # the surface as drawn for the problem (under spawn the first snapshot can take a second)
        qtbot.waitUntil(lambda: tab.snapshot is not None, timeout=15_000)
        qtbot.wait(200)
        axis = tab.surface_view.widget.getPlotItem().getAxis("bottom")
        pix = QPixmap(10, 10)
        painter = QPainter(pix)
        painter.setFont(axis.style["tickFont"] or tab.font())
        try:
            _axis, _ticks, texts = axis.generateDrawSpecs(painter)
        finally:
            painter.end()
        rects = sorted((r for r, _flags, _text in texts), key=lambda r: r.left())
        assert len(rects) >= 2
        assert all(a.right() <= b.left() for a, b in itertools.pairwise(rects)), [t for _r, _f, t in texts]
    finally:
        set_zoom(1.0)
        tab.shutdown()
