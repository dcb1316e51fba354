"""The Surfaces tab's views: the surface as a heatmap with contours, its known critical points, each run's
path with its start and current point, the basins map laid over it; f and ‖∇f‖ per iteration. Items are
built once and then only updated in place; one colour per run, as in the Regression tab."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from gdplay.core.surfaces import DIVERGED, NOT_SETTLED, BasinsMap, SurfaceGrid, SurfaceSnapshot
from gdplay.ui.plots.contours import ContourSet
from gdplay.ui.plots.style import StickyRange, make_plot, set_legend_row_visible, set_log_y
from gdplay.ui.plots.view_box import LazyMenuViewBox
from gdplay.ui.regression.plots import RunPaths, _Debounced, run_pen

N_CONTOURS = 18
START_PICK_PX = 8  # a drag that starts this close to the start marker moves it
# history columns (see SurfaceRun): step, f, ‖∇f‖, x, y, σ
STEP, COST, GRAD, X, Y, SIGMA = range(6)
# basins: one colour per critical point (a qualitative palette, light enough to read the paths over),
# dark grey for diverged, white for not settled
BASIN_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94")
DIVERGED_COLOR, NOT_SETTLED_COLOR = "#303030", "#ffffff"
KIND_SYMBOL = {"minimum": ("star", "#ffdd00", 17), "saddle": ("x", "#ffffff", 13), "maximum": ("t1", "#ff6060", 12),
               "flat": ("d", "#ffffff", 12)}


def basin_color(label: int) -> str:
    if label == DIVERGED:
        return DIVERGED_COLOR
    if label == NOT_SETTLED:
        return NOT_SETTLED_COLOR
    return BASIN_COLORS[label % len(BASIN_COLORS)]


def basins_rgba(labels: np.ndarray, alpha: int = 120) -> np.ndarray:
    """The label map as an RGBA image (rows = y)."""
    top = int(labels.max(initial=0)) + 1
    lut = np.zeros((top + 2, 4), dtype=np.uint8)  # index label + 2: -2 -> 0, -1 -> 1, k -> k + 2
    for label in range(-2, top):
        c = pg.mkColor(basin_color(label))
        # diverged and not settled nearly opaque: they must read as dark grey and white, not as a tint
        lut[label + 2] = (c.red(), c.green(), c.blue(), alpha if label >= 0 else 215)
    return lut[labels + 2]


class StartDragViewBox(LazyMenuViewBox):
    """A ViewBox that lets the start marker be dragged (a drag elsewhere pans, as usual)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view: SurfaceView | None = None

    def mouseDragEvent(self, ev, axis=None) -> None:
        view = self.view
        if view is not None and ev.button() == Qt.MouseButton.LeftButton and view.drag_start(ev):
            return
        super().mouseDragEvent(ev, axis)


class SurfaceView(QObject):
    """f over the visible window (log colours where they help), contours, the known critical points, the
    basins map (optional, translucent), each run's path, the start (white square) and where each run is now.
    ``clicked(x, y)`` on a left click."""

    clicked = Signal(float, float)
    startDragged = Signal(float, float, bool)  # x, y, finished

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        vb = StartDragViewBox()
        vb.view = self
        self.widget = make_plot("Surface f(x, y)", "x", "y", view_box=vb, grid=False)
        self.plot = self.widget.getPlotItem()
        self._dragging = False
        self.image = pg.ImageItem()
        cmap = pg.colormap.get("viridis")
        self.image.setColorMap(cmap)
        self.image.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=cmap, interactive=False, width=12, label="f")
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.contours = ContourSet(self.image)
        self.basins = pg.ImageItem()
        self.basins.setZValue(2)
        self.basins.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.basins)
        self.legend = self.plot.addLegend(offset=(-6, 6), brush=pg.mkBrush(255, 255, 255, 200))
        self.marks: dict[str, pg.ScatterPlotItem] = {}
        for kind, (symbol, color, size) in KIND_SYMBOL.items():
            item = pg.ScatterPlotItem(size=size, symbol=symbol, brush=pg.mkBrush(color), pen=pg.mkPen("k", width=1))
            item.setZValue(15)
            self.plot.addItem(item)
            self.marks[kind] = item
        self.start = pg.ScatterPlotItem(size=11, symbol="s", brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=1.5))
        self.start.setZValue(20)
        self.plot.addItem(self.start)
        self.legend.addItem(self.start, "start (click or drag)")
        self.runs = RunPaths(self.plot, width=2.0, head_size=13, head_outline=2)
        self.paths, self.heads = self.runs.paths, self.runs.heads  # the same lists
        self._grid_version = -1
        self._basins_version = -1
        self._kinds_shown: tuple = ()
        self.log = False
        self.user_zoomed = False
        self.plot.getViewBox().sigRangeChangedManually.connect(self._on_manual_range)
        self.rangeChanged = _Debounced(self.plot.getViewBox(), self).fired
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def drag_start(self, ev) -> bool:
        """A left drag that begins on the start marker moves it: ``startDragged`` on every move."""
        vb = self.plot.getViewBox()
        if ev.isStart():
            xs, ys = self.start.getData()
            if not len(xs):
                return False
            marker = vb.mapViewToScene(pg.Point(float(xs[0]), float(ys[0])))
            press = ev.buttonDownScenePos()
            if (marker - press).manhattanLength() > 2 * START_PICK_PX:
                return False
            self._dragging = True
        if not self._dragging:
            return False
        ev.accept()
        p = vb.mapSceneToView(ev.scenePos())
        self.start.setData([p.x()], [p.y()])
        if ev.isFinish():
            self._dragging = False
        self.startDragged.emit(p.x(), p.y(), ev.isFinish())
        return True

    def _on_manual_range(self, *_args) -> None:
        self.user_zoomed = True

    def _on_scene_clicked(self, ev) -> None:
        vb = self.plot.getViewBox()
        if ev.button() == Qt.MouseButton.LeftButton and not ev.double() \
                and vb.sceneBoundingRect().contains(ev.scenePos()):
            p = vb.mapSceneToView(ev.scenePos())
            self.clicked.emit(p.x(), p.y())

    def ranges(self) -> tuple[tuple[float, float], tuple[float, float]]:
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        return (float(x0), float(x1)), (float(y0), float(y1))

    def show_range(self, window) -> None:
        (x0, x1), (y0, y1) = window
        self.plot.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.user_zoomed = False

    def set_grid(self, grid: SurfaceGrid | None, log: bool) -> None:
        if grid is None or not hasattr(grid, "values"):
            self.image.clear()
            self.contours.set_levels(None, [])
            self._grid_version = -1
            return
        if grid.version == self._grid_version and log == self.log:
            return
        self._grid_version = grid.version
        self.log = log
        f = grid.values
        ok = np.isfinite(f)
        if not ok.any():
            self.image.clear()
            self.contours.set_levels(None, [])
            return
        lo_f = float(f[ok].min())
        if log:
            spread = max(float(f[ok].max()) - lo_f, 1e-300)
            z = np.log10(np.where(ok, f, lo_f) - lo_f + spread * 1e-6)
            lo, hi = math.floor(float(z.min()) * 4) / 4, math.ceil(float(z.max()) * 4) / 4
            label = f"log₁₀(f − {lo_f:.3g}), f − lowest in view" if lo_f else "log₁₀ f"
        else:
            # a robust linear range: a few extreme corners (x·y³ at the window's edge) would wash out the rest
            lo, hi = (float(v) for v in np.percentile(f[ok], (0, 98)))
            z = np.where(ok, f, lo)
            label = "f"
        if not hi > lo:
            hi = lo + 1.0
        # undefined points (a typed formula outside its domain) stay NaN: pyqtgraph leaves them transparent
        self.image.setImage(np.where(ok, np.clip(z, lo, hi), np.nan), autoLevels=False, levels=(lo, hi))
        (x0, x1), (y0, y1) = grid.x_range, grid.y_range
        rows, cols = f.shape
        dx, dy = (x1 - x0) / max(cols - 1, 1), (y1 - y0) / max(rows - 1, 1)
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, (x1 - x0) + dx, (y1 - y0) + dy))
        if tuple(self.colorbar.levels()) != (lo, hi):
            self.colorbar.setLevels((lo, hi))
        axis = self.colorbar.getAxis("left")  # ColorBarItem puts its label there
        if axis.labelText != label:
            axis.setLabel(label)
        self.contours.set_levels(np.where(ok, z, np.nan), np.linspace(lo, hi, N_CONTOURS + 2)[1:-1])

    def set_basins(self, basins: BasinsMap | None) -> None:
        if basins is None or not hasattr(basins, "labels"):
            if self._basins_version != -1:
                self.basins.clear()
                self._basins_version = -1
            self.basins.setVisible(False)
            return
        self.basins.setVisible(True)
        if basins.version == self._basins_version:
            return
        self._basins_version = basins.version
        self.basins.setImage(basins_rgba(basins.labels), autoLevels=False)
        (x0, x1), (y0, y1) = basins.x_range, basins.y_range
        n = basins.labels.shape[0]
        dx, dy = (x1 - x0) / max(n - 1, 1), (y1 - y0) / max(n - 1, 1)
        self.basins.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, (x1 - x0) + dx, (y1 - y0) + dy))

    def set_points(self, snap: SurfaceSnapshot) -> None:
        """The surface's known critical points by kind (a legend row for each kind shown)."""
        if snap.points == getattr(self, "_points", None):
            return
        self._points = snap.points
        kinds = []
        for kind, item in self.marks.items():
            pts = [p for p in snap.points if p.kind == kind]
            item.setData([p.x for p in pts], [p.y for p in pts])
            if pts:
                kinds.append(kind)
        if tuple(kinds) != self._kinds_shown:
            self._kinds_shown = tuple(kinds)
            words = {"minimum": "known minimum", "saddle": "saddle point", "maximum": "maximum",
                     "flat": "flat critical point"}
            for item in self.marks.values():
                self.legend.removeItem(item)
            for kind in kinds:
                self.legend.addItem(self.marks[kind], words[kind])

    def set_runs(self, snap: SurfaceSnapshot) -> None:
        self.runs.set([(r.history[:, X], r.history[:, Y]) for r in snap.runs], self.ranges())
        self.start.setData([snap.start[0]], [snap.start[1]])


    def value_at(self, grid: SurfaceGrid | None, x: float, y: float) -> float | None:
        if grid is None or not hasattr(grid, "values"):
            return None
        (x0, x1), (y0, y1) = grid.x_range, grid.y_range
        rows, cols = grid.values.shape
        c = round((x - x0) / (x1 - x0) * (cols - 1)) if x1 > x0 else -1
        r = round((y - y0) / (y1 - y0) * (rows - 1)) if y1 > y0 else -1
        return float(grid.values[r, c]) if 0 <= r < rows and 0 <= c < cols else None


class HistoryView:
    """A quantity per iteration, one curve per run; log scale (zeros drawn just below the smallest value)
    or linear (f itself, when it has no floor to measure from)."""

    def __init__(self, title: str, y_label: str, column: int, legend: bool) -> None:
        self.widget = make_plot(title, "iteration", y_label, grid=False)
        self.plot = self.widget.getPlotItem()
        self.column = column
        # bottom left: the curves fall from the top left to the bottom right
        self.legend = self.plot.addLegend(offset=(10, -10), brush=pg.mkBrush(255, 255, 255, 200)) if legend else None
        self.curves: list[pg.PlotDataItem] = []
        self.log = None
        self.range: StickyRange | None = None
        self.set_log(True)

    def set_log(self, log: bool) -> None:
        if log == self.log:
            return
        self.log = log
        if log:
            set_log_y(self.plot)
        else:
            self.plot.setLogMode(y=False)
        self.range = StickyRange(self.plot, log_y=log)

    def _curve(self, k: int, label: str) -> pg.PlotDataItem:
        while len(self.curves) <= k:
            n = len(self.curves)
            item = pg.PlotDataItem(pen=run_pen(n, 1.5))
            self.plot.addItem(item)
            self.curves.append(item)
            if self.legend is not None:
                self.legend.addItem(item, label)
        return self.curves[k]

    def update(self, snap: SurfaceSnapshot, offset: float = 0.0, clip: tuple[float, float] | None = None) -> None:
        """Draw column − offset for every run; ``clip`` bounds the range the axis follows (f on a surface
        with no floor runs to −∞: the axis keeps to the values seen in the view)."""
        lo, hi, last = np.inf, -np.inf, 0.0
        for k, run in enumerate(snap.runs):
            item = self._curve(k, run.label)
            h = run.history
            if not len(h):
                item.setData([], [])
                continue
            y = h[:, self.column] - offset
            if self.log:
                positive = y[np.isfinite(y) & (y > 0)]
                y = np.maximum(y, float(positive.min()) * 1e-2 if len(positive) else 1e-300)
            ok = np.isfinite(y)
            item.setData(h[ok, STEP], y[ok])
            if ok.any():
                lo, hi = min(lo, float(y[ok].min())), max(hi, float(y[ok].max()))
                last = max(last, float(h[-1, STEP]))
            if self.legend is not None:
                label = self.legend.getLabel(item)
                if label is not None and label.text != run.label:
                    label.setText(run.label)
        for k in range(len(snap.runs), len(self.curves)):
            self.curves[k].setData([], [])
        for k, item in enumerate(self.curves):
            set_legend_row_visible(self.legend, item, k < len(snap.runs))
        if clip is not None and np.isfinite(lo) and np.isfinite(hi):
            lo, hi = max(lo, clip[0]), min(hi, clip[1])
            hi = max(hi, lo + 1e-12)
        if np.isfinite(lo) and np.isfinite(hi) and (hi > 0 or not self.log):
            self.range.update(max(last, 1.0), lo, hi, settled=snap.status.finished)
