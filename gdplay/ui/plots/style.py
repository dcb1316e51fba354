"""Colours, pens and plot set-up shared by every view: the plot widget (which zooms as a whole for lecture
mode and Ctrl++), compact legends, cursor read-outs and ranges. Pens and brushes are built once and reused.

Zoom: ``set_zoom(z)`` scales every plot. The view itself is scaled (title, axes, tick labels and margins
grow together, and the plot keeps its proportions); lines, markers and legends, which pyqtgraph draws at a
fixed size in pixels, are widened by ``_Thickener`` whenever the plot is drawn with a new zoom or new items.
"""

from __future__ import annotations

import html
import math
import time
import weakref
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen, QTransform
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsRectItem, QGraphicsTextItem

from gdplay.ui.plots.axis import LOG_TEXT_FILL, Axis
from gdplay.ui.plots.view_box import LazyMenuViewBox

CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")  # blue, orange, green, red
PATH_COLORS = ("#d62728", "#ff7f0e", "#9467bd", "#17becf", "#e377c2", "#8c564b", "#bcbd22", "#000000")  # runs
LINE_PEN = pg.mkPen("#d62728", width=2)
REFERENCE_PEN = pg.mkPen("#555555", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)
PATH_PEN = pg.mkPen("#000000", width=1.5)
CURVE_PEN = pg.mkPen("#1f77b4", width=1)
GRID_ALPHA = 0.25


def run_pen(k: int, width: float = 1.5) -> QPen:
    """Run k's line: one colour per run (compare mode), the same in every plot."""
    return pg.mkPen(PATH_COLORS[k % len(PATH_COLORS)], width=width)


PLOT_MIN_SIZE = (200, 140)  # at zoom 1; a zoomed plot's minimum grows with it
_ZOOM = 1.0
_PLOTS: weakref.WeakSet = weakref.WeakSet()


def configure() -> None:
    """Process-wide pyqtgraph options; call once before any plot is built."""
    pg.setConfigOptions(imageAxisOrder="row-major", background="w", foreground="#222222", antialias=False)


def zoom() -> float:
    return _ZOOM


def set_zoom(value: float) -> None:
    """Scale every plot, now and to come, by ``value`` (1: as designed)."""
    global _ZOOM
    _ZOOM = float(value)
    for w in list(_PLOTS):
        if shiboken6.isValid(w):
            w.set_zoom(_ZOOM)
        else:  # its window is gone, the Python wrapper not yet
            _PLOTS.discard(w)


class PlotWidget(pg.PlotWidget):
    """pyqtgraph's PlotWidget that draws its scene ``zoom`` times larger: the scene is laid out for
    (width, height) / zoom and the view scales it up, so text, axes and margins grow together."""

    def __init__(self, *args, **kwargs) -> None:
        self.zoom = 1.0
        self.last_paint_s = 0.0  # how long the last paint took (plots.paced.PacedDraw paces redraws by it)
        super().__init__(*args, **kwargs)
        self._thick = _Thickener(self)
        _PLOTS.add(self)
        self.set_zoom(_ZOOM)

    def set_zoom(self, value: float) -> None:
        self.zoom = float(value)
        self.setMinimumSize(round(PLOT_MIN_SIZE[0] * self.zoom), round(PLOT_MIN_SIZE[1] * self.zoom))
        self._apply_zoom()
        self._thick.request()

    def _apply_zoom(self) -> None:
        if self.closed:
            return
        z = self.zoom
        if z == 1.0:
            self.autoPixelRange = True
            pg.GraphicsView.resizeEvent(self, None)
        else:
            rect = QRectF(0, 0, max(self.width(), 1) / z, max(self.height(), 1) / z)
            pg.GraphicsView.setRange(self, rect, padding=0, disableAutoPixel=True)

    def resizeEvent(self, ev) -> None:
        if self.zoom == 1.0:
            super().resizeEvent(ev)
        else:
            self._apply_zoom()

    def updateMatrix(self, propagate: bool = True) -> None:
        if self.zoom == 1.0 or self.autoPixelRange:
            super().updateMatrix(propagate)
            return
        self.setSceneRect(self.range)  # exactly zoom x (fitInView would leave a margin of 2 pixels)
        self.setTransform(QTransform.fromScale(self.zoom, self.zoom))  # (pyqtgraph's scale() is another thing)
        self.sigDeviceRangeChanged.emit(self, self.range)

    def paintEvent(self, ev) -> None:
        t0 = time.perf_counter()
        self._thick.check()
        super().paintEvent(ev)
        self.last_paint_s = time.perf_counter() - t0


class _Thickener:
    """Lines, markers and legend text that pyqtgraph draws at a fixed pixel size, widened to the plot's
    zoom. Each item remembers the width it was given (its base) and the width set here, so a pen the plot
    code sets later becomes the new base. Checked before a paint, at most a few times a second."""

    INTERVAL_MS = 300

    def __init__(self, widget: PlotWidget) -> None:
        self.widget = weakref.ref(widget)
        self.key: tuple | None = None
        self.ever_zoomed = False
        self.due = True
        self._timer = QTimer(widget)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._allow)
        self._waiting = False

    def request(self) -> None:
        self.due = True
        w = self.widget()
        if w is not None:
            w.viewport().update()

    def _allow(self) -> None:
        self._waiting = False
        self.due = True

    def check(self) -> None:
        w = self.widget()
        if w is None:
            return
        if not self.due:
            if not self._waiting:  # items added since: look again in a moment
                self._waiting = True
                self._timer.start(self.INTERVAL_MS)
            return
        self.due = False
        z = w.zoom
        if z == 1.0 and not self.ever_zoomed:
            return  # as designed: nothing to do
        self.ever_zoomed = True
        items = w.scene().items()
        key = (z, len(items))
        if key == self.key and z == 1.0:
            return  # back to 1 and put back already
        self.key = key
        for item in items:
            _thicken(item, z)


def _scaled_pen(pen, owner, z: float) -> QPen | None:
    """``pen`` widened to zoom ``z`` from the width the plot code gave it, or None if it is right already."""
    if pen is None:
        return None
    pen = pg.mkPen(pen)
    if pen.style() == Qt.PenStyle.NoPen:
        return None
    width = pen.widthF()
    base, applied = getattr(owner, "_gd_pen", None), getattr(owner, "_gd_pen_applied", None)
    if base is None or applied is None or abs(width - applied) > 1e-9:
        base = width  # new to us, or the plot code set another pen since
    want = max(base, 1.0) * z if z != 1.0 else base
    owner._gd_pen, owner._gd_pen_applied = base, want
    if abs(want - width) < 1e-9:
        return None
    pen = QPen(pen)
    pen.setWidthF(want)
    return pen


def _scaled_size(size, owner, z: float):
    if not isinstance(size, (int, float)):
        return None
    base, applied = getattr(owner, "_gd_size", None), getattr(owner, "_gd_size_applied", None)
    if base is None or applied is None or size != applied:
        base = size
    want = base * z
    owner._gd_size, owner._gd_size_applied = base, want
    return None if want == size else want


def _thicken(item, z: float) -> None:
    if isinstance(item, pg.PlotDataItem):  # it hands its pen and symbol size to its curve and scatter
        pen = _scaled_pen(item.opts.get("pen"), item, z)
        size = _scaled_size(item.opts.get("symbolSize"), item, z) if item.opts.get("symbol") else None
        if pen is not None:
            item.opts["pen"] = pen
        if size is not None:
            item.opts["symbolSize"] = size
        if pen is not None or size is not None:
            item.updateItems(styleUpdate=True)
    elif isinstance(item.parentItem(), pg.PlotDataItem):
        return
    elif isinstance(item, pg.PlotCurveItem):
        pen = _scaled_pen(item.opts["pen"], item, z)
        if pen is not None:
            item.setPen(pen)
    elif isinstance(item, pg.ScatterPlotItem):
        size = _scaled_size(item.opts.get("size"), item, z)
        if size is not None and item.opts.get("pxMode", True):
            item.setSize(size)
    elif isinstance(item, pg.InfiniteLine):
        pen = _scaled_pen(item.pen, item, z)
        if pen is not None:
            item.setPen(pen)


def make_plot(title: str, x_label: str, y_label: str, view_box: pg.ViewBox | None = None,
              grid: bool = True) -> pg.PlotWidget:
    """A plot with our look. ``grid=False`` for plots whose range moves every frame (a growing cost
    curve): the grid is drawn by the axes, and re-rendering it each frame costs ~10 ms."""
    w = PlotWidget(viewBox=view_box if view_box is not None else LazyMenuViewBox(),
                   axisItems={name: Axis(orientation=name) for name in ("left", "bottom")})  # given = shown
    p = w.getPlotItem()
    _title_never_widens(p.titleLabel)
    p.setTitle(title, size="10pt")
    set_title = p.setTitle

    def set_title_and_wrap(*args, **kwargs) -> None:
        set_title(*args, **kwargs)
        _wrap_title(p)

    p.setTitle = set_title_and_wrap  # a new title is wrapped as well

    def fit_texts(*_args) -> None:
        _wrap_title(p)
        _fit_axis_labels(p)

    p.getViewBox().sigResized.connect(fit_texts)
    p.setLabel("bottom", x_label, **{"font-size": f"{AXIS_LABEL_PT}pt"})
    p.setLabel("left", y_label, **{"font-size": f"{AXIS_LABEL_PT}pt"})
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
    return w


def _title_never_widens(label: pg.LabelItem) -> None:
    """pyqtgraph makes a title's width the plot's minimum width, so in a narrow plot a long title pushes
    the right axis out of sight. Keep its height as the minimum but not its width: the title may run over
    the axes' corners instead (and wraps, see _wrap_title, when even that is too narrow)."""
    update_min = label.updateMin

    def update_height_only() -> None:
        update_min()
        label.setMinimumWidth(0)

    label.updateMin = update_height_only


AXIS_LABEL_PT = 9.0  # axis labels' size, as designed; a label longer than its axis shrinks (to 0.6 of it at most)


def _fit_axis_labels(plot: pg.PlotItem) -> None:
    """An axis label longer than its axis (a small plot) is set smaller until it fits, down to 0.6 of its size."""
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        if not axis.isVisible() or not axis.label.isVisible() or not axis.labelText:
            continue
        length = axis.size().height() if side == "left" else axis.size().width()
        margin = 2 * axis.label.document().documentMargin()
        font = QFont(axis.label.font())
        font.setPointSizeF(AXIS_LABEL_PT)
        text = QFontMetricsF(font).horizontalAdvance(axis.label.toPlainText())  # at full size
        room = length - margin - 4
        want = AXIS_LABEL_PT
        if text > room > 0:
            want = max(AXIS_LABEL_PT * room / text * 0.98, AXIS_LABEL_PT * 0.6)
        if abs(_label_pt(axis) - want) > 0.05:
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix,
                          **{**axis.labelStyle, "font-size": f"{want:.1f}pt"})


def _label_pt(axis: pg.AxisItem) -> float:
    size = axis.labelStyle.get("font-size", "")
    return float(size[:-2]) if size.endswith("pt") else AXIS_LABEL_PT


def _wrap_title(plot: pg.PlotItem) -> None:
    """A title wider than its plot (large text, a narrow plot) wraps onto a second line instead of being
    cut at both ends; the title row grows to hold it."""
    label = plot.titleLabel
    if not label.isVisible() or not label.text:
        return
    item = label.item
    item.setTextWidth(-1)
    natural = item.boundingRect().width()
    room = plot.size().width() - 4
    if natural > room > 20:
        item.setTextWidth(room)
    height = item.boundingRect().height()
    row = max(30.0, height + 4)
    if abs(plot.layout.rowMinimumHeight(0) - row) > 0.5 or abs(label.maximumHeight() - row) > 0.5:
        label.setMaximumHeight(row)
        plot.layout.setRowFixedHeight(0, row)
    item.setPos((plot.size().width() - item.boundingRect().width()) / 2 - label.pos().x(), item.pos().y())


def set_log_y(plot: pg.PlotItem) -> None:
    """A log y axis labelled 1-2-5 per decade as room allows (see Axis). pyqtgraph also puts the right axis
    in log mode; an axis of its own there (a second view box) stays linear."""
    plot.setLogMode(y=True)
    plot.getAxis("right").setLogMode(False)
    plot.getAxis("left").setStyle(textFillLimits=LOG_TEXT_FILL)


class _LeaveWatch(QObject):
    def __init__(self, widget, leave: Callable[[], None]) -> None:
        super().__init__(widget)
        self.leave = leave

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Leave:
            self.leave()
        return False


def track_cursor(widget: pg.PlotWidget, describe: Callable[[float, float], str], show: Callable[[str], None],
                 leave: Callable[[], None] | None = None) -> None:
    """Show the data coordinates under the mouse (as ``describe(x, y)`` words) through ``show``; ``leave()``
    when the pointer leaves the plot's data area (a hover preview must not stay behind)."""
    vb = widget.getPlotItem().getViewBox()
    inside = [False]

    def on_move(pos: QPointF) -> None:
        if vb.sceneBoundingRect().contains(pos):
            inside[0] = True
            p = vb.mapSceneToView(pos)
            show(describe(p.x(), p.y()))
        elif inside[0]:
            inside[0] = False
            if leave is not None:
                leave()

    def on_leave() -> None:
        inside[0] = False
        if leave is not None:
            leave()

    widget.scene().sigMouseMoved.connect(on_move)
    widget._gdplay_cursor = on_move  # keep the closure alive as long as the widget
    if leave is not None:
        widget.viewport().installEventFilter(_LeaveWatch(widget, on_leave))


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

    def update(self, x_max: float, y_min: float, y_max: float, x_min: float = 0.0, settled: bool = True,
               x_cap: float | None = None) -> None:
        """Fit the data's extent. ``settled`` False (a run just restarted and still growing) keeps a longer
        x range instead of shrinking to the first few steps and growing back over the next frames.
        ``x_cap``: the x range never reaches past this (a run's step limit: the axis ends where it will)."""

        if not all(math.isfinite(v) for v in (x_min, x_max, y_min, y_max)):
            return
        if self.log_y:
            y_min, y_max = math.log10(max(y_min, 1e-300)), math.log10(max(y_max, 1e-300))
        r = self._range
        x_span = max(x_max - x_min, 1.0)
        y_pad = max(y_max - y_min, 1e-12) * 0.08 + (0.1 if self.log_y else 0.0) + self.y_pad
        fits = r is not None and r[0] <= x_min and x_max <= r[1] and r[2] <= y_min and y_max <= r[3] \
            and (x_cap is None or r[1] <= max(x_cap, x_max))
        tight = r is not None and ((x_max - x_min) >= (r[1] - r[0]) / (self.headroom * 4) or not settled) \
            and (y_max - y_min + 2 * y_pad) >= (r[3] - r[2]) / 8
        if fits and tight:
            return
        x1 = x_min + x_span * self.headroom
        if x_cap is not None and x_max <= x_cap:
            x1 = min(x1, x_cap)
        if r is not None and not settled and x_max <= r[1] and (x_cap is None or r[1] <= x_cap):
            x_min, x1 = r[0], r[1]  # only y moves
        self._range = (x_min, x1, y_min - y_pad, y_max + y_pad)
        self.plot.setRange(xRange=(x_min, x1), yRange=(y_min - y_pad, y_max + y_pad), padding=0)


def set_legend_row_visible(legend, item: pg.GraphicsObject, visible: bool) -> None:
    """Show or hide the legend row of ``item`` (a run or curve that is not drawn just now)."""
    if legend is None:
        return
    for sample, label in legend.items:
        if sample.item is item:
            sample.setVisible(visible)
            label.setVisible(visible)


# -- legends ------------------------------------------------------------------------------------------------
_DASHES = {Qt.PenStyle.SolidLine: "━━", Qt.PenStyle.DashLine: "╺╸╺╸", Qt.PenStyle.DotLine: "┅┅",
           Qt.PenStyle.DashDotLine: "╺·╸", Qt.PenStyle.DashDotDotLine: "╺··╸"}
_SYMBOLS = {"o": "●", "s": "■", "t": "▼", "t1": "▲", "t2": "▶", "t3": "◀", "d": "◆", "+": "+", "x": "✕",
            "star": "★", "p": "⬟", "h": "⬢"}


def _hex(color) -> str:
    return pg.mkColor(color).name()


def legend_sample(item) -> tuple[str, str]:
    """(glyphs, colour) that stand for ``item``'s line and marker in a legend: the colour actually drawn."""
    pen = brush = symbol = None
    if isinstance(item, pg.PlotDataItem):
        pen = item.opts.get("pen")
        symbol = item.opts.get("symbol")
        brush = item.opts.get("symbolBrush")
    elif isinstance(item, pg.PlotCurveItem):
        pen = item.opts.get("pen")
    elif isinstance(item, pg.ScatterPlotItem):
        symbol, brush = item.opts.get("symbol", "o"), item.opts.get("brush")
    elif isinstance(item, pg.InfiniteLine):
        pen = item.pen
    pen = pg.mkPen(pen) if pen is not None else None
    line = "" if pen is None or pen.style() == Qt.PenStyle.NoPen else _DASHES.get(pen.style(), "━━")
    mark = _SYMBOLS.get(symbol, "●") if isinstance(symbol, str) else ""
    if pen is not None and line:
        colour = _hex(pen.color())
    else:
        colour = _hex(pg.mkBrush(brush).color()) if brush is not None else "#222222"
    if line and mark:
        return line[0] + mark + line[-1], colour
    return line or mark or "■", colour


class _LegendRow:
    """One row: ``item`` and its ``text``; also stands in for pyqtgraph's (sample, label) pair."""

    def __init__(self, legend: CompactLegend, item, text: str) -> None:
        self.legend, self.item, self.text, self.visible = legend, item, text, True

    def setText(self, text: str, **_opts) -> None:
        if text != self.text:
            self.text = text
            self.legend.refresh()

    def setVisible(self, visible: bool) -> None:
        if visible != self.visible:
            self.visible = visible
            self.legend.refresh()


class CompactLegend(QGraphicsRectItem):
    """A legend in one block of text on a light background: each row a sample in the colour and dash of
    the pen actually drawn, level with its label, rows as tall as the text. It sits in a corner of the view
    box (``offset`` as pyqtgraph's: x < 0 from the right, y < 0 from the bottom) and does not take clicks.
    API as pyqtgraph's LegendItem where the plots use it: addItem, removeItem, clear, getLabel, items."""

    MOVE_MS = 700  # how often it looks for the corner with the least data under it

    def __init__(self, view_box: pg.ViewBox, offset: tuple[float, float] = (10, 10), size_pt: float = 8.0,
                 avoid_data: bool = True) -> None:
        super().__init__(view_box)
        self.view_box, self.offset, self.size_pt = view_box, offset, size_pt
        self.margin = (abs(offset[0]), abs(offset[1]))
        self._timer = QTimer()
        self._timer.setInterval(self.MOVE_MS)
        self._timer.timeout.connect(self._avoid_data)
        if avoid_data:
            self._timer.start()
        self.rows: list[_LegendRow] = []
        self.setZValue(1000)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setBrush(QBrush(QColor(255, 255, 255, 225)))
        pen = QPen(QColor("#b0b0b0"))
        pen.setCosmetic(True)
        self.setPen(pen)
        self.text = QGraphicsTextItem(self)
        self.text.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.text.document().setDocumentMargin(3)
        view_box.sigResized.connect(self._place)
        self.refresh()

    # pyqtgraph's LegendItem API, as used by the plots
    @property
    def items(self) -> list[tuple[_LegendRow, _LegendRow]]:
        return [(r, r) for r in self.rows]

    def addItem(self, item, name: str) -> None:
        self.rows.append(_LegendRow(self, item, name))
        self.refresh()

    def removeItem(self, item) -> None:
        self.rows = [r for r in self.rows if r.item is not item]
        self.refresh()

    def clear(self) -> None:
        self.rows = []
        self.refresh()

    def getLabel(self, item) -> _LegendRow | None:
        return next((r for r in self.rows if r.item is item), None)

    def setParentItem(self, parent) -> None:
        if parent is not self.parentItem():
            super().setParentItem(parent)
        self._place()

    # drawing
    def html(self) -> str:
        rows = []
        for r in self.rows:
            if not r.visible:
                continue
            glyphs, colour = legend_sample(r.item)
            rows.append(f"<tr><td style='color:{colour}; padding-right:4px'><b>{glyphs}</b></td>"
                        f"<td>{html.escape(r.text)}</td></tr>")
        return f"<table cellspacing='0' cellpadding='0'>{''.join(rows)}</table>"

    def refresh(self) -> None:
        shown = any(r.visible for r in self.rows)
        self.setVisible(shown)
        if not shown:
            return
        font = QFont(QApplication.font())
        font.setPointSizeF(self.size_pt)
        self.text.setFont(font)
        self.text.setDefaultTextColor(QColor("#222222"))
        self.text.setHtml(self.html())
        self.setRect(self.text.boundingRect())
        self._place()

    def _corner_pos(self, offset: tuple[float, float]) -> QPointF:
        box = self.view_box.boundingRect()
        r = self.rect()
        x, y = offset
        px = box.left() + x if x >= 0 else box.right() + x - r.width()
        py = box.top() + y if y >= 0 else box.bottom() + y - r.height()
        # wider (or taller) than a small plot's view: keep its start in view, where the names begin
        return QPointF(max(px, box.left()), max(py, box.top()))

    def _place(self, *_args) -> None:
        self.setPos(self._corner_pos(self.offset))

    def _covered(self, offset: tuple[float, float], xs: np.ndarray, ys: np.ndarray) -> int:
        """How many data points the legend would cover in this corner."""
        rect = self.rect().translated(self._corner_pos(offset))
        r = self.view_box.mapRectToView(rect)
        return int(((xs >= r.left()) & (xs <= r.right()) & (ys >= r.top()) & (ys <= r.bottom())).sum())

    def _avoid_data(self) -> None:
        """Move to the corner with the least data under it (curves, points), if it is clearly better: a
        legend must not hide what the plot is for. It stays put while nothing is drawn."""
        if not shiboken6.isValid(self) or not shiboken6.isValid(self.view_box):
            self._timer.stop()  # its plot is gone
            return
        if not self.isVisible() or not self.view_box.isVisible():
            return
        xs, ys = [], []
        for item in self.view_box.addedItems:
            if not isinstance(item, (pg.PlotDataItem, pg.ScatterPlotItem)) or not item.isVisible():
                continue
            x, y = item.getData()
            if x is not None and len(x):
                xs.append(np.asarray(x, dtype=float)[::max(1, len(x) // 400)])
                ys.append(np.asarray(y, dtype=float)[::max(1, len(y) // 400)])
        if not xs:
            return
        x, y = np.concatenate(xs), np.concatenate(ys)
        mx, my = self.margin
        corners = [(-mx, my), (mx, my), (-mx, -my), (mx, -my)]
        here = self._covered(self.offset, x, y)
        if here == 0:
            return
        best = min(corners, key=lambda c: self._covered(c, x, y))
        if self._covered(best, x, y) < 0.5 * here:
            self.offset = best
            self._place()


def add_legend(plot: pg.PlotItem, offset: tuple[float, float] = (10, 10), size_pt: float = 8.0,
               avoid_data: bool = True) -> CompactLegend:
    """A compact legend in a corner of ``plot``'s view box (see CompactLegend); items added to the plot with a
    ``name`` get a row, as with pyqtgraph's addLegend."""
    plot.legend = CompactLegend(plot.getViewBox(), offset, size_pt, avoid_data)
    return plot.legend
