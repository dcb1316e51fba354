"""The Surfaces tab's views: the surface as a heatmap with contours, its known critical points, each run's
path with its start and current point, the basins map laid over it; f and ‖∇f‖ per iteration. Items are
built once and then only updated in place; one colour per run, as in the Regression tab."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from gdplay.core.surfaces import DIVERGED, NOT_SETTLED, BasinsMap, CriticalPoint, SurfaceGrid, SurfaceSnapshot
from gdplay.ui.plots.history import RunHistoryView
from gdplay.ui.plots.style import StickyRange, set_log_y
from gdplay.ui.plots.surface import SurfaceView as SurfacePlot
from gdplay.ui.plots.surface import pixel_rect, value_at
from gdplay.ui.plots.view_box import LazyMenuViewBox

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


class SurfaceView(SurfacePlot):
    """f over the visible window (log colours where they help), contours, the known critical points, the
    basins map (optional, translucent), each run's path, the start (white square, dragged to move it) and
    where each run is now. ``clicked(x, y)`` on a left click; ``startDragged(x, y, finished)`` while the start
    is dragged."""

    startDragged = Signal(float, float, bool)  # x, y, finished

    def __init__(self, parent: QObject | None = None) -> None:
        vb = StartDragViewBox()
        super().__init__("Surface f(x, y)", "x", "y", n_contours=N_CONTOURS, colorbar_label="f", view_box=vb,
                         path_width=2.0, head_size=13, head_outline=2, parent=parent)
        vb.view = self
        self._dragging = False
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
        self.legend.addItem(self.start, "start (click or drag)")
        self._grid_version = -1
        self._basins_version = -1
        self._kinds_shown: tuple[str, ...] = ()
        self._points: tuple[CriticalPoint, ...] | None = None
        self.log = False

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

    def set_grid(self, grid: SurfaceGrid | None, log: bool) -> None:
        if not isinstance(grid, SurfaceGrid):  # none yet, or a failure (the tab says why)
            self.heatmap.clear()
            self._grid_version = -1
            return
        if grid.version == self._grid_version and log == self.log:
            return
        self._grid_version = grid.version
        self.log = log
        f = grid.values
        ok = np.isfinite(f)
        if not ok.any():
            self.heatmap.clear()
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
        self.heatmap.set(np.where(ok, np.clip(z, lo, hi), np.nan), (lo, hi), grid.x_range, grid.y_range, label)

    def set_basins(self, basins: BasinsMap | None) -> None:
        if not isinstance(basins, BasinsMap):
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
        self.basins.setRect(pixel_rect(basins.x_range, basins.y_range, basins.labels.shape))

    def set_points(self, snap: SurfaceSnapshot) -> None:
        """The surface's known critical points by kind (a legend row for each kind shown)."""
        if snap.points == self._points:
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
        self.set_paths([(r.history[:, X], r.history[:, Y]) for r in snap.runs], snap.start)

    @staticmethod
    def value_at(grid: SurfaceGrid | None, x: float, y: float) -> float | None:
        if not isinstance(grid, SurfaceGrid):
            return None
        return value_at(grid.values, grid.x_range, grid.y_range, x, y)


class HistoryView(RunHistoryView):
    """A quantity per iteration, one curve per run; log scale (zeros drawn just below the smallest value)
    or linear (f itself, when it has no floor to measure from)."""

    def __init__(self, title: str, y_label: str, column: int, legend: bool) -> None:
        # bottom left: the curves fall from the top left to the bottom right
        super().__init__(title, y_label, column, (10, -10) if legend else None, width=1.5)
        self.log: bool | None = None
        self.range: StickyRange  # made by set_log
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

    def update(self, snap: SurfaceSnapshot, offset: float = 0.0, clip: tuple[float, float] | None = None) -> None:
        """Draw column − offset for every run; ``clip`` bounds the range the axis follows (f on a surface
        with no floor runs to −∞: the axis keeps to the values seen in the view)."""
        last, lo, hi = self.draw_runs(snap.runs, offset, log=bool(self.log))
        if clip is not None and np.isfinite(lo) and np.isfinite(hi):
            lo, hi = max(lo, clip[0]), min(hi, clip[1])
            hi = max(hi, lo + 1e-12)
        if np.isfinite(lo) and np.isfinite(hi) and (hi > 0 or not self.log):
            self.range.update(max(last, 1.0), lo, hi, settled=snap.status.finished)
