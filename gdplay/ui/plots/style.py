"""Colours, pens and plot set-up shared by every view. Pens and brushes are built once and reused."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem

CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")  # blue, orange, green, red
PATH_COLORS = ("#000000", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
LINE_PEN = pg.mkPen("#d62728", width=2)
REFERENCE_PEN = pg.mkPen("#555555", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)
PATH_PEN = pg.mkPen("#000000", width=1.5)
CURVE_PEN = pg.mkPen("#1f77b4", width=1)
GRID_ALPHA = 0.25


def configure() -> None:
    """Process-wide pyqtgraph options; call once before any plot is built."""
    pg.setConfigOptions(imageAxisOrder="row-major", background="w", foreground="#222222", antialias=False)


def make_plot(title: str, x_label: str, y_label: str, view_box: pg.ViewBox | None = None,
              grid: bool = True) -> pg.PlotWidget:
    """A plot with our look. ``grid=False`` for plots whose range moves every frame (a growing cost
    curve): the grid is drawn by the axes, and re-rendering it each frame costs ~10 ms."""
    w = pg.PlotWidget(viewBox=view_box) if view_box is not None else pg.PlotWidget()
    p = w.getPlotItem()
    p.setTitle(title, size="10pt")
    p.setLabel("bottom", x_label)
    p.setLabel("left", y_label)
    p.showGrid(x=grid, y=grid, alpha=GRID_ALPHA)
    for name in ("left", "bottom", "top", "right"):
        # axes draw the grid across the whole plot, so every curve update repaints them; cache them as
        # pixmaps (redrawn only when the range changes) instead of replaying their drawing each frame
        p.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    # long curves: let pyqtgraph thin them (a curve's own setting is overridden by addItem)
    p.setDownsampling(auto=True, mode="peak")
    p.setClipToView(True)
    w.setMinimumSize(220, 180)
    return w


def track_cursor(widget: pg.PlotWidget, describe: Callable[[float, float], str], show: Callable[[str], None]) -> None:
    """Show the data coordinates under the mouse (as ``describe(x, y)`` words) through ``show``."""
    vb = widget.getPlotItem().getViewBox()

    def on_move(pos: QPointF) -> None:
        if vb.sceneBoundingRect().contains(pos):
            p = vb.mapSceneToView(pos)
            show(describe(p.x(), p.y()))

    widget.scene().sigMouseMoved.connect(on_move)
    widget._gdplay_cursor = on_move  # keep the closure alive as long as the widget
