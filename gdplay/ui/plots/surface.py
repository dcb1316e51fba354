"""A function of two variables drawn as a map: ``Heatmap`` (the picture in colour, its contour lines and an
optional colour bar) and ``SurfaceView`` (a plot of a heatmap with each run's path, the start, clicks and the
visible range), shared by the Regression tab's cost surface and the Surfaces tab. Items are built once and
then only updated in place; a picture is given as values on a grid whose first and last points are the edges
of its x and y ranges (numpy's linspace), so each value sits at the centre of its pixel."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QPen
from PySide6.QtWidgets import QGraphicsItem

from gdplay.ui.plots.contours import ContourSet
from gdplay.ui.plots.style import PATH_COLORS, make_plot, run_pen

MAX_PATH_DOTS = 300  # dots on a path beyond this are left off (the line keeps every recorded point)
Range = tuple[float, float]


def pixel_rect(x_range: Sequence[float], y_range: Sequence[float], shape: tuple[int, ...]) -> QRectF:
    """The rectangle an image of ``shape`` (rows: y) covers when its values sit at the centres of its pixels and
    the first and last of them on the edges of the ranges: half a pixel more on every side."""
    (x0, x1), (y0, y1) = x_range, y_range
    rows, cols = shape[0], shape[1]
    dx, dy = (x1 - x0) / max(cols - 1, 1), (y1 - y0) / max(rows - 1, 1)
    return QRectF(x0 - dx / 2, y0 - dy / 2, (x1 - x0) + dx, (y1 - y0) + dy)


def value_at(values: np.ndarray, x_range: Sequence[float], y_range: Sequence[float], x: float,
             y: float) -> float | None:
    """The grid value nearest to (x, y), or None outside the grid."""
    (x0, x1), (y0, y1) = x_range, y_range
    rows, cols = values.shape
    c = round((x - x0) / (x1 - x0) * (cols - 1)) if x1 > x0 else -1
    r = round((y - y0) / (y1 - y0) * (rows - 1)) if y1 > y0 else -1
    return float(values[r, c]) if 0 <= r < rows and 0 <= c < cols else None


class Heatmap:
    """A map in colour (viridis, levels fixed by the caller: no autoscaling each frame) with contour lines at
    evenly spaced levels between them, and a colour bar if ``colorbar_label`` is given. The image and the
    contours are cached as pixmaps, so paths moving over them do not redraw them."""

    def __init__(self, plot: pg.PlotItem, n_contours: int, colorbar_label: str | None = None,
                 contour_pen: QPen | None = None) -> None:
        self.plot = plot
        self.n_contours = n_contours
        self.image = pg.ImageItem()
        cmap = pg.colormap.get("viridis")
        self.image.setColorMap(cmap)
        self.image.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        plot.addItem(self.image)
        self.colorbar: pg.ColorBarItem | None = None
        if colorbar_label is not None:
            self.colorbar = pg.ColorBarItem(colorMap=cmap, interactive=False, width=12, label=colorbar_label)
            self.colorbar.setImageItem(self.image, insert_in=plot)
        self.contours = ContourSet(self.image, contour_pen)

    def set(self, z: np.ndarray, levels: Range, x_range: Sequence[float], y_range: Sequence[float],
            colorbar_label: str | None = None) -> None:
        """Show ``z`` (rows: y; NaN transparent) over x_range × y_range, coloured from levels[0] to levels[1]."""
        lo, hi = levels
        self.image.setImage(z, autoLevels=False, levels=(lo, hi))
        self.image.setRect(pixel_rect(x_range, y_range, z.shape))
        if self.colorbar is not None:
            if tuple(self.colorbar.levels()) != (lo, hi):  # setting the same levels still re-lays out its axis
                self.colorbar.setLevels((lo, hi))
            axis = self.colorbar.getAxis("left")  # ColorBarItem puts its label there
            if colorbar_label is not None and axis.labelText != colorbar_label:
                axis.setLabel(colorbar_label)
        self.contours.set_levels(z, np.linspace(lo, hi, self.n_contours + 2)[1:-1])

    def clear(self) -> None:
        self.image.clear()
        self.contours.set_levels(None, [])


class RangeDebounce(QObject):
    """Emits ``fired`` 120 ms after the last range change of a view box: time to ask for a new picture."""

    fired = Signal()

    def __init__(self, vb: pg.ViewBox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(120)
        self.timer.timeout.connect(self.fired)
        vb.sigRangeChanged.connect(self._on_range_changed)

    def _on_range_changed(self, *_args: object) -> None:
        self.timer.start()


class RunPaths:
    """Each run's path on a 2-D view (dotted while it has few points), in the run's colour, and where each
    run is now (its head: one item for all runs, drawn in one go). ``paths`` are the path items, one per
    run, made as runs appear."""

    def __init__(self, plot: pg.PlotItem, width: float | None = None, head_size: int = 12,
                 head_outline: float = 1.5) -> None:
        self.plot, self.width = plot, width
        self.paths: list[pg.PlotDataItem] = []
        self.heads = pg.ScatterPlotItem(size=head_size, pen=pg.mkPen("w", width=head_outline))
        self.heads.setZValue(21)
        plot.addItem(self.heads)
        self._brushes: list[QBrush] = []
        self._head_runs: list[int] = []  # the run of each head drawn
        self._drawn: list[tuple[Any, ...] | None] = []  # per path: what it shows (see _same_picture)

    def set(self, xys: Sequence[tuple[np.ndarray, np.ndarray]], ranges: tuple[Range, Range]) -> None:
        """One (xs, ys) per run, cut where it leaves the neighbourhood of ``ranges`` ((x0, x1), (y0, y1))."""
        while len(self.paths) < len(xys):
            k = len(self.paths)
            color = PATH_COLORS[k % len(PATH_COLORS)]
            pen = run_pen(k) if self.width is None else run_pen(k, self.width)
            path = pg.PlotDataItem(pen=pen, symbolBrush=color, symbolPen=None)
            path.setZValue(10)
            self.plot.addItem(path)
            self.paths.append(path)
            self._brushes.append(pg.mkBrush(color))
            self._drawn.append(None)
        pixel = self.plot.getViewBox().viewPixelSize()
        hx, hy, brushes, runs = [], [], [], []
        for k, path in enumerate(self.paths):
            xs, ys = drawable(*xys[k], ranges) if k < len(xys) else (np.empty(0), np.empty(0))
            if not len(xs):
                if self._drawn[k] is not None:
                    path.setData([], [])
                    self._drawn[k] = None
                continue
            dots = len(xs) <= MAX_PATH_DOTS  # every iterate a dot while there are few
            tx, ty = thin_to_pixels(xs, ys, pixel)
            picture = (tx, ty, pixel, dots)
            if not _same_picture(self._drawn[k], picture):  # a run creeping within a pixel: nothing to redo
                path.setData(tx, ty, symbol="o" if dots else None, symbolSize=4)
                self._drawn[k] = picture
            hx.append(xs[-1])
            hy.append(ys[-1])
            brushes.append(self._brushes[k])
            runs.append(k)
        self.heads.setData(hx, hy, brush=brushes)
        self._head_runs = runs

    def head(self, k: int) -> tuple[float, float] | None:
        """Where run k's head is drawn (None: not drawn)."""
        if k not in self._head_runs:
            return None
        xs, ys = self.heads.getData()
        i = self._head_runs.index(k)
        return float(xs[i]), float(ys[i])


def _same_picture(old: tuple[Any, ...] | None, new: tuple[Any, ...]) -> bool:
    """Two thinned paths (xs, ys, pixel size, dotted) that draw the same: the same points but the last,
    which has stayed in its pixel."""
    if old is None:
        return False
    ox, oy, opixel, odots = old
    nx, ny, pixel, dots = new
    if (opixel, odots) != (pixel, dots) or len(ox) != len(nx) or dots:
        return False  # (a dotted path has a dot for every iterate: each new one is drawn)
    px, py = pixel
    if not (px > 0 and py > 0):
        return False
    same_last = (math.floor(ox[-1] / px), math.floor(oy[-1] / py)) == (math.floor(nx[-1] / px),
                                                                        math.floor(ny[-1] / py))
    return same_last and np.array_equal(ox[:-1], nx[:-1]) and np.array_equal(oy[:-1], ny[:-1])


def drawable(xs: np.ndarray, ys: np.ndarray, ranges: tuple[Range, Range]) -> tuple[np.ndarray, np.ndarray]:
    """The path up to where it leaves the neighbourhood of the view: Qt drops a polyline whose coordinates
    run to 1e150, so a diverging path would vanish whole."""
    (x0, x1), (y0, y1) = ranges
    span = max(x1 - x0, y1 - y0, 1e-12)
    far = (np.abs(xs - (x0 + x1) / 2) > 1e4 * span) | (np.abs(ys - (y0 + y1) / 2) > 1e4 * span)
    far |= ~(np.isfinite(xs) & np.isfinite(ys))
    n = int(np.argmax(far)) if far.any() else len(xs)
    return xs[:n], ys[:n]


def thin_to_pixels(xs: np.ndarray, ys: np.ndarray, pixel: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The path without the points that stay in the pixel of the point before them: the same picture with
    fewer points to draw (a run that has settled takes thousands of steps within one pixel). The first and
    last points are always kept."""
    px, py = pixel
    if len(xs) < 3 or not (px > 0 and py > 0 and math.isfinite(px) and math.isfinite(py)):
        return xs, ys
    with np.errstate(invalid="ignore", over="ignore"):
        cx, cy = np.floor(xs / px), np.floor(ys / py)
    keep = np.empty(len(xs), dtype=bool)
    keep[0] = keep[-1] = True
    keep[1:-1] = (cx[1:-1] != cx[:-2]) | (cy[1:-1] != cy[:-2])
    return xs[keep], ys[keep]


class SurfaceView(QObject):
    """A heatmap of f(x, y) with contours (``heatmap``), each run's path and where it is now (``runs``), the
    start (a white square). ``clicked(x, y)`` on a left click in the plot; ``rangeChanged`` once the visible
    range has rested (ask for a picture of it); ``user_zoomed`` is set when the user pans or zooms."""

    clicked = Signal(float, float)

    def __init__(self, title: str, x_label: str, y_label: str, *, n_contours: int,
                 colorbar_label: str | None = None, view_box: pg.ViewBox | None = None,
                 path_width: float | None = None, head_size: int = 12, head_outline: float = 1.5,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widget = make_plot(title, x_label, y_label, view_box=view_box, grid=False)
        self.plot = self.widget.getPlotItem()
        self.heatmap = Heatmap(self.plot, n_contours, colorbar_label)
        self.image, self.colorbar, self.contours = self.heatmap.image, self.heatmap.colorbar, self.heatmap.contours
        self.start = pg.ScatterPlotItem(size=11, symbol="s", brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=1.5))
        self.start.setZValue(20)
        self.plot.addItem(self.start)
        self.runs = RunPaths(self.plot, width=path_width, head_size=head_size, head_outline=head_outline)
        self.paths = self.runs.paths  # the same list
        self.user_zoomed = False
        vb = self.plot.getViewBox()
        vb.sigRangeChangedManually.connect(self._on_manual_range)
        self.rangeChanged = RangeDebounce(vb, self).fired
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def _on_manual_range(self, *_args: object) -> None:
        self.user_zoomed = True

    def _on_scene_clicked(self, ev) -> None:
        vb = self.plot.getViewBox()
        if ev.button() == Qt.MouseButton.LeftButton and not ev.double() \
                and vb.sceneBoundingRect().contains(ev.scenePos()):
            p = vb.mapSceneToView(ev.scenePos())
            self.clicked.emit(p.x(), p.y())

    def ranges(self) -> tuple[Range, Range]:
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        return (float(x0), float(x1)), (float(y0), float(y1))

    def show_range(self, x_range: Sequence[float], y_range: Sequence[float]) -> None:
        """Show exactly x_range × y_range (the user's zoom is forgotten)."""
        self.plot.getViewBox().setRange(xRange=tuple(x_range), yRange=tuple(y_range), padding=0)
        self.user_zoomed = False

    def set_paths(self, xys: Sequence[tuple[np.ndarray, np.ndarray]], start: tuple[float, float]) -> None:
        """Each run's path (xs, ys) and the start they share."""
        self.runs.set(xys, self.ranges())
        self.start.setData([start[0]], [start[1]])
