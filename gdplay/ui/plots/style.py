"""Colours, pens and plot set-up shared by every view. Pens and brushes are built once and reused."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem

from gdplay.ui.plots.axis import LOG_TEXT_FILL, Axis
from gdplay.ui.plots.view_box import LazyMenuViewBox

CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")  # blue, orange, green, red
PATH_COLORS = ("#d62728", "#ff7f0e", "#9467bd", "#17becf", "#e377c2", "#8c564b", "#bcbd22", "#000000")  # runs
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
    w = pg.PlotWidget(viewBox=view_box if view_box is not None else LazyMenuViewBox(),
                      axisItems={name: Axis(orientation=name) for name in ("left", "bottom")})  # given = shown
    p = w.getPlotItem()
    _title_never_widens(p.titleLabel)
    p.setTitle(title, size="10pt")
    p.setLabel("bottom", x_label)
    p.setLabel("left", y_label)
    p.showGrid(x=grid, y=grid, alpha=GRID_ALPHA)
    for name in ("left", "bottom", "top", "right"):
        p.getAxis(name).enableAutoSIPrefix(False)  # "x (x0.001)" confuses more than it helps
        # at most two levels of tick text: a log axis spanning less than a decade would label every minor tick
        p.getAxis(name).setStyle(textFillLimits=[(0, 0.8), (2, 0.6)])
        # axes draw the grid across the whole plot, so every curve update repaints them; cache them as
        # pixmaps (redrawn only when the range changes) instead of replaying their drawing each frame
        p.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    # long curves: let pyqtgraph thin them (a curve's own setting is overridden by addItem)
    p.setDownsampling(auto=True, mode="peak")
    p.setClipToView(True)
    w.setMinimumSize(220, 180)
    return w


def _title_never_widens(label: pg.LabelItem) -> None:
    """pyqtgraph makes a title's width the plot's minimum width, so in a narrow plot a long title pushes
    the right axis out of sight. Keep its height as the minimum but not its width: the title may run over
    the axes' corners instead."""
    update_min = label.updateMin

    def update_height_only() -> None:
        update_min()
        label.setMinimumWidth(0)

    label.updateMin = update_height_only


def set_log_y(plot: pg.PlotItem) -> None:
    """A log y axis labelled 1-2-5 per decade as room allows (see Axis). pyqtgraph also puts the right axis
    in log mode; an axis of its own there (a second view box) stays linear."""
    plot.setLogMode(y=True)
    plot.getAxis("right").setLogMode(False)
    plot.getAxis("left").setStyle(textFillLimits=LOG_TEXT_FILL)


def track_cursor(widget: pg.PlotWidget, describe: Callable[[float, float], str], show: Callable[[str], None]) -> None:
    """Show the data coordinates under the mouse (as ``describe(x, y)`` words) through ``show``."""
    vb = widget.getPlotItem().getViewBox()

    def on_move(pos: QPointF) -> None:
        if vb.sceneBoundingRect().contains(pos):
            p = vb.mapSceneToView(pos)
            show(describe(p.x(), p.y()))

    widget.scene().sigMouseMoved.connect(on_move)
    widget._gdplay_cursor = on_move  # keep the closure alive as long as the widget


class StickyRange:
    """Auto-range that moves in jumps: the view grows with headroom only when data leave it (or shrink to
    a small part of it), so a growing curve does not re-layout its axes on every frame."""

    def __init__(self, plot: pg.PlotItem, headroom: float = 1.5, log_y: bool = False, y_pad: float = 0.0) -> None:
        """``y_pad``: extra room above and below, in the axis' units (decades on a log axis), for data that
        jump about (an objective while C is dragged): each re-layout of the axes costs a frame ~10 ms."""
        self.plot = plot
        self.headroom = headroom
        self.log_y = log_y
        self.y_pad = y_pad
        plot.disableAutoRange()
        self._range: tuple[float, float, float, float] | None = None

    def reset(self) -> None:
        self._range = None

    def update(self, x_max: float, y_min: float, y_max: float, x_min: float = 0.0, settled: bool = True) -> None:
        """Fit the data's extent. ``settled`` False (a run just restarted and still growing) keeps a longer
        x range instead of shrinking to the first few steps and growing back over the next frames."""
        import math

        if not all(math.isfinite(v) for v in (x_min, x_max, y_min, y_max)):
            return
        if self.log_y:
            y_min, y_max = math.log10(max(y_min, 1e-300)), math.log10(max(y_max, 1e-300))
        r = self._range
        x_span = max(x_max - x_min, 1.0)
        y_pad = max(y_max - y_min, 1e-12) * 0.08 + (0.1 if self.log_y else 0.0) + self.y_pad
        fits = r is not None and r[0] <= x_min and x_max <= r[1] and r[2] <= y_min and y_max <= r[3]
        tight = r is not None and ((x_max - x_min) >= (r[1] - r[0]) / (self.headroom * 4) or not settled) \
            and (y_max - y_min + 2 * y_pad) >= (r[3] - r[2]) / 8
        if fits and tight:
            return
        x1 = x_min + x_span * self.headroom
        if r is not None and not settled and x_max <= r[1]:
            x_min, x1 = r[0], r[1]  # only y moves
        self._range = (x_min, x1, y_min - y_pad, y_max + y_pad)
        self.plot.setRange(xRange=(x_min, x1), yRange=(y_min - y_pad, y_max + y_pad), padding=0)


def set_legend_row_visible(legend: pg.LegendItem | None, item: pg.GraphicsObject, visible: bool) -> None:
    """Show or hide the legend row of ``item`` (a run or curve that is not drawn just now)."""
    if legend is None:
        return
    for sample, label in legend.items:
        if sample.item is item:
            sample.setVisible(visible)
            label.setVisible(visible)
