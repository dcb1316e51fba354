"""The Regression tab's views: data with the current line, the cost surface over (m, b) with the path,
and the cost per iteration. Items are built once and then only updated in place."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem

from gdplay.core.regression import RegressionSnapshot, Surface
from gdplay.ui.plots.contours import ContourSet
from gdplay.ui.plots.style import (
    CLASS_COLORS,
    CURVE_PEN,
    LINE_PEN,
    PATH_PEN,
    REFERENCE_PEN,
    StickyRange,
    make_plot,
)
from gdplay.ui.widgets.point_editor import EditableViewBox, PointEditor

N_CONTOURS = 16
MAX_PATH_DOTS = 300  # dots on the path beyond this are thinned (the line keeps every recorded point)


class DataView:
    """Points you edit, the current line y = m·x + b and the least-squares line (dashed)."""

    def __init__(self) -> None:
        self.widget = make_plot("Data and the current line", "x", "y", view_box=EditableViewBox())
        self.plot = self.widget.getPlotItem()
        self.editor = PointEditor(self.plot, n_classes=1, colors=(CLASS_COLORS[0],))
        self.line = pg.PlotDataItem(pen=LINE_PEN, name="current line")
        self.reference = pg.PlotDataItem(pen=REFERENCE_PEN, name="least squares")
        self.plot.addItem(self.reference)
        self.plot.addItem(self.line)
        self.legend = self.plot.addLegend(offset=(10, 10))
        self.legend.addItem(self.line, "current line")
        self.legend.addItem(self.reference, "least squares")
        self._lines: dict[pg.PlotDataItem, tuple[float, float] | None] = {self.line: None, self.reference: None}
        self.plot.getViewBox().sigXRangeChanged.connect(self._on_view_x_range_changed)

    def set_line(self, item: pg.PlotDataItem, mb: tuple[float, float] | None) -> None:
        self._lines[item] = mb
        self._draw(item)

    def _draw(self, item: pg.PlotDataItem) -> None:
        mb = self._lines[item]
        if mb is None or not np.isfinite(mb).all():
            item.setData([], [])
            return
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        m, b = mb
        item.setData([x0, x1], [m * x0 + b, m * x1 + b])

    def _on_view_x_range_changed(self, *_args) -> None:
        for item in self._lines:
            self._draw(item)

    def fit_view(self) -> None:
        xy = self.editor.points.xy
        if len(xy):
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            span = np.maximum(hi - lo, 1.0)
            self.plot.getViewBox().setRange(xRange=(lo[0] - 0.1 * span[0], hi[0] + 0.1 * span[0]),
                                            yRange=(lo[1] - 0.1 * span[1], hi[1] + 0.1 * span[1]), padding=0)


class SurfaceView:
    """The cost over (m, b) in log-scaled colours with contours, the path, the start and the optimum."""

    def __init__(self) -> None:
        self.widget = make_plot("Cost surface E(m, b)", "slope m", "intercept b", grid=False)
        self.plot = self.widget.getPlotItem()
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, width=12,
                                        label="log₁₀(E − E*)")
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        # the heatmap and its contours change only with the data; cache both as pixmaps so the moving
        # path and markers over them cost a blit per frame, not a re-render
        self.image.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.contours = ContourSet(self.image)
        self.path = pg.PlotDataItem(pen=PATH_PEN, symbol="o", symbolSize=4, symbolBrush="k", symbolPen=None)
        self.start = pg.ScatterPlotItem(size=10, symbol="s", brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=1.5))
        self.current = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("#d62728"), pen=pg.mkPen("w", width=1.5))
        self.optimum = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush("#ffdd00"),
                                          pen=pg.mkPen("k", width=1))
        for item in (self.path, self.start, self.optimum, self.current):
            item.setZValue(10)
            self.plot.addItem(item)
        self._surface_version = -1

    def set_surface(self, surface: Surface | None, optimum_cost: float) -> None:
        if surface is None:
            self.image.clear()
            self.contours.set_levels(None, [])
            self._surface_version = -1
            return
        if surface.version == self._surface_version:
            return
        self._surface_version = surface.version
        cost = surface.cost
        floor = min(float(cost.min()), optimum_cost)
        spread = max(float(cost.max()) - floor, 1e-300)
        z = np.log10(cost - floor + spread * 1e-6)  # log colours: the narrow valley floor stays visible
        lo, hi = float(z.min()), float(z.max())
        if not hi > lo:
            hi = lo + 1.0
        self.image.setImage(z, autoLevels=False, levels=(lo, hi))
        (m0, m1), (b0, b1) = surface.m_range, surface.b_range
        self.image.setRect(QRectF(m0, b0, m1 - m0, b1 - b0))
        self.colorbar.setLevels((lo, hi))
        self.contours.set_levels(z, np.linspace(lo, hi, N_CONTOURS + 2)[1:-1])
        self.plot.getViewBox().setRange(xRange=(m0, m1), yRange=(b0, b1), padding=0)

    def set_path(self, history: np.ndarray, start: tuple[float, float], current: tuple[float, float],
                 optimum: tuple[float, float] | None) -> None:
        m, b = history[:, 1], history[:, 2]
        if len(m) > MAX_PATH_DOTS:
            self.path.setData(m, b, symbol=None)
        else:
            self.path.setData(m, b, symbol="o")
        self.start.setData([start[0]], [start[1]])
        self.current.setData([current[0]], [current[1]])
        self.optimum.setData(*(([optimum[0]], [optimum[1]]) if optimum else ([], [])))


class CostView:
    """Cost per iteration on a log scale, and the excess E − E* over the least-squares optimum: in a long
    narrow valley E looks flat long before the fit is done; E − E* shows how far there is still to go."""

    def __init__(self) -> None:
        self.widget = make_plot("Cost per iteration", "iteration", "cost (log scale)", grid=False)
        self.plot = self.widget.getPlotItem()
        self.plot.setLogMode(y=True)
        legend = self.plot.addLegend(offset=(-10, 10))
        self.curve = pg.PlotDataItem(pen=CURVE_PEN, name="cost E")
        self.excess = pg.PlotDataItem(pen=pg.mkPen("#ff7f0e", width=1), name="E − E* (gap to least squares)")
        self.floor = pg.InfiniteLine(angle=0, pen=REFERENCE_PEN, label="E* (least squares)",
                                     labelOpts={"position": 0.5, "color": "#555555"})
        self.plot.addItem(self.curve)
        self.plot.addItem(self.excess)
        self.plot.addItem(self.floor)
        legend.setParentItem(self.plot.getViewBox())
        self.range = StickyRange(self.plot, log_y=True)

    def update(self, snap: RegressionSnapshot) -> None:
        h = snap.history
        if not len(h):
            self.curve.setData([], [])
            self.excess.setData([], [])
            self.floor.hide()
            return
        tiny = 1e-300  # log axis: keep a perfect fit's 0 drawable
        cost = np.maximum(h[:, 3], tiny)
        self.curve.setData(h[:, 0], cost)
        low = float(cost.min())
        opt = snap.optimum
        if opt is not None:
            excess = np.maximum(h[:, 3] - opt.cost, max(opt.cost, 1.0) * 1e-16)
            self.excess.setData(h[:, 0], excess)
            low = min(low, float(excess.min()))
        if snap.step == 0:
            self.range.reset()
        self.range.update(float(h[-1, 0]), low, float(cost.max()))
        if opt is not None and opt.cost > 0:
            self.floor.setValue(np.log10(opt.cost))
            self.floor.show()
        else:
            self.floor.hide()
