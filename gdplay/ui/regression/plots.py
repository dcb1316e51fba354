"""The Regression tab's views: the data with the fitted curves, the cost surface over two parameters (or
J(w) with tangents for the one-weight model), the cost per iteration and the distance to the optimum.
Items are built once and then only updated in place; one colour per run (compare mode)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt

from gdplay.core.regression import CostCurve, FitCurves, RegressionSnapshot, Surface
from gdplay.ui.plots.history import RunHistoryView
from gdplay.ui.plots.style import (
    CLASS_COLORS,
    PATH_COLORS,
    REFERENCE_PEN,
    StickyRange,
    add_legend,
    make_plot,
    run_pen,
    set_legend_row_visible,
    set_log_y,
)
from gdplay.ui.plots.surface import RangeDebounce, value_at
from gdplay.ui.plots.surface import SurfaceView as SurfacePlot
from gdplay.ui.widgets.point_editor import EditableViewBox, PointEditor

N_CONTOURS = 20
RESIDUAL_PEN = pg.mkPen((214, 39, 40, 150), width=1)
HOVER_PEN = pg.mkPen("#9467bd", width=1.5, style=Qt.PenStyle.DotLine)
TANGENT_PEN = pg.mkPen((255, 127, 14, 170), width=1)
# history columns (see RunSnapshot): step, cost, dist, avg10, avg100, avg1000, θ...
STEP, COST, DIST, AVG = 0, 1, 2, {10: 3, 100: 4, 1000: 5}
THETA = 6


def excess_pen(k: int) -> pg.QtGui.QPen:
    """E − E* of run k: dashed, in the run's colour."""
    return pg.mkPen(PATH_COLORS[k % len(PATH_COLORS)], width=1, style=Qt.PenStyle.DashLine)


def rename_legend_entry(legend, item, name: str) -> None:
    """Give a legend entry a new name (the best fit of a model that is not least squares, say)."""
    label = legend.getLabel(item)
    if label is not None:
        label.setText(name)  # redraws only when the name changes


class DataView(QObject):
    """Points you edit, the runs' fitted curves, the least-squares curve (dashed), residuals, a hover line."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widget = make_plot("Data and the fitted line", "x", "y", view_box=EditableViewBox())
        self.plot = self.widget.getPlotItem()
        self.editor = PointEditor(self.plot, n_classes=1, colors=(CLASS_COLORS[0],))
        self.reference = pg.PlotDataItem(pen=REFERENCE_PEN)
        self.residuals = pg.PlotDataItem(pen=RESIDUAL_PEN, connect="pairs")
        self.hover = pg.PlotDataItem(pen=HOVER_PEN)
        for item in (self.residuals, self.reference, self.hover):
            self.plot.addItem(item)
        self.curves: list[pg.PlotDataItem] = []
        self.legend = add_legend(self.plot, (10, 10))
        self.legend.addItem(self.reference, "least squares")
        self.rangeChanged = RangeDebounce(self.plot.getViewBox(), self).fired

    def x_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        return float(x0), float(x1)

    def set_fits(self, fits: FitCurves | None, labels: list[str], show_reference: bool) -> None:
        while len(self.curves) < len(labels):
            k = len(self.curves)
            item = pg.PlotDataItem(pen=run_pen(k, 2.0))
            item.setZValue(5)
            self.plot.addItem(item)
            self.curves.append(item)
            self.legend.addItem(item, labels[k])
        for k, item in enumerate(self.curves):
            if fits is None or k >= len(labels) or k >= len(fits.y):
                item.setData([], [])
                item.setVisible(k < len(labels))
            else:
                item.setVisible(True)
                item.setData(fits.x, fits.y[k])
                label = self.legend.getLabel(item)
                if label is not None and label.text != labels[k]:
                    label.setText(labels[k])
        for k in range(len(self.curves)):
            set_legend_row_visible(self.legend, self.curves[k], k < len(labels))
        if fits is not None and fits.optimum is not None and show_reference:
            self.reference.setData(fits.x, fits.optimum)
        else:
            self.reference.setData([], [])

    def set_residuals(self, rows: np.ndarray | None) -> None:
        if rows is None or not len(rows):
            self.residuals.setData([], [])
            return
        x = np.repeat(rows[:, 0], 2)
        y = np.column_stack([rows[:, 1], rows[:, 2]]).ravel()
        self.residuals.setData(x, y)

    def set_hover_line(self, mb: tuple[float, float] | None) -> None:
        if mb is None:
            self.hover.setData([], [])
            return
        x0, x1 = self.x_range()
        m, b = mb
        self.hover.setData([x0, x1], [m * x0 + b, m * x1 + b])

    def fit_view(self) -> None:
        xy = self.editor.points.xy
        if len(xy):
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            span = np.where(hi - lo > 0, hi - lo, np.maximum(np.abs(hi), 1.0))
            self.plot.getViewBox().setRange(xRange=(lo[0] - 0.1 * span[0], hi[0] + 0.1 * span[0]),
                                            yRange=(lo[1] - 0.1 * span[1], hi[1] + 0.1 * span[1]), padding=0)


class SurfaceView(SurfacePlot):
    """The cost over two parameters in log-scaled colours with contours, each run's path and position,
    the start (square) and the least-squares optimum (star). ``clicked(i_value, j_value)`` on a click."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("Cost surface", "m", "b", n_contours=N_CONTOURS, colorbar_label="log₁₀(E − E*)",
                         parent=parent)
        self.optimum = pg.ScatterPlotItem(size=18, symbol="star", brush=pg.mkBrush("#ffdd00"),
                                          pen=pg.mkPen("k", width=1))
        self.optimum.setZValue(20)
        self.plot.addItem(self.optimum)
        self._surface_version = -1
        self._labels: tuple[str, str] | None = None

    def set_axes(self, x_label: str, y_label: str) -> None:
        if (x_label, y_label) != self._labels:  # a label change re-lays out the plot
            self._labels = (x_label, y_label)
            self.plot.setLabel("bottom", x_label)
            self.plot.setLabel("left", y_label)

    def set_surface(self, surface: Surface | None, optimum_cost: float) -> None:
        if surface is None:
            self.heatmap.clear()
            self._surface_version = -1
            return
        if surface.version == self._surface_version:
            return
        self._surface_version = surface.version
        cost = surface.cost
        floor = min(float(cost.min()), optimum_cost)
        spread = max(float(cost.max()) - floor, 1e-300)
        z = np.log10(cost - floor + spread * 1e-7)  # log colours: the narrow valley floor stays visible
        # levels on quarter decades: a dragged point moves the surface a little, and the colour bar's
        # axis (and the contour levels) then stay put instead of being laid out again every frame
        lo, hi = math.floor(float(z.min()) * 4) / 4, math.ceil(float(z.max()) * 4) / 4
        if not hi > lo:
            hi = lo + 1.0
        self.heatmap.set(z, (lo, hi), surface.i_range, surface.j_range)

    def set_runs(self, snap: RegressionSnapshot, axes: tuple[int, int], start: np.ndarray) -> None:
        i, j = axes
        self.set_paths([(r.history[:, THETA + i], r.history[:, THETA + j]) for r in snap.runs],
                       (float(start[i]), float(start[j])))
        opt = snap.optimum
        self.optimum.setData(*(([opt.theta[i]], [opt.theta[j]]) if opt is not None else ([], [])))

    @staticmethod
    def cost_at(surface: Surface | None, x: float, y: float) -> float | None:
        return None if surface is None else value_at(surface.cost, surface.i_range, surface.j_range, x, y)


class CurveView(QObject):
    """For the one-weight model: J(w) as a curve, the tangent at each iterate, the steps, the optimum."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widget = make_plot("Cost J(w) with the tangent at each step", "w", "J(w)")
        self.plot = self.widget.getPlotItem()
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#1f77b4", width=2))
        self.tangents = pg.PlotDataItem(pen=TANGENT_PEN, connect="pairs")
        self.steps = pg.PlotDataItem(pen=run_pen(0), symbol="o", symbolSize=6, symbolBrush="k", symbolPen=None)
        self.head = pg.ScatterPlotItem(size=12, brush=pg.mkBrush(PATH_COLORS[0]), pen=pg.mkPen("w", width=1.5))
        self.optimum = pg.ScatterPlotItem(size=18, symbol="star", brush=pg.mkBrush("#ffdd00"),
                                          pen=pg.mkPen("k", width=1))
        # iterates beyond the view (a diverging run): drawn on its edge as arrows, with what they are
        self.off_scale = pg.ScatterPlotItem(size=14, brush=pg.mkBrush("#d62728"), pen=pg.mkPen("w", width=1))
        for item in (self.curve, self.tangents, self.steps, self.optimum, self.head, self.off_scale):
            self.plot.addItem(item)
        self.off_label = pg.TextItem("", anchor=(0, 0), color="#b00020", fill=pg.mkBrush(255, 255, 255, 220))
        self.off_label.setParentItem(self.plot.getViewBox())
        self.off_label.setPos(4, 4)
        self.off_label.hide()
        self._version = -1
        self.rangeChanged = RangeDebounce(self.plot.getViewBox(), self).fired

    def w_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        return float(x0), float(x1)

    def show_range(self, w_range: tuple[float, float], snap: RegressionSnapshot) -> None:
        """w over ``w_range`` (which holds the start, the optimum and the path, but not a diverging path's
        far end), J up to the highest iterate inside it: the overshoot stays in the picture, and iterates
        beyond are marked off scale on its edge (see set_steps)."""
        h = snap.history
        inside = h[(h[:, THETA] >= w_range[0]) & (h[:, THETA] <= w_range[1]), COST] if len(h) else np.empty(0)
        inside = inside[np.isfinite(inside)]
        top = float(inside.max()) if len(inside) else 1.0
        self.plot.getViewBox().setRange(xRange=w_range, yRange=(0.0, top * 1.15 or 1.0), padding=0)

    def set_curve(self, curve: CostCurve | None) -> None:
        if curve is None:
            self.curve.setData([], [])
            self._version = -1
        elif curve.version != self._version:
            self._version = curve.version
            self.curve.setData(curve.w, curve.cost)

    def set_steps(self, snap: RegressionSnapshot, max_tangents: int = 40) -> None:
        h = snap.history
        if not len(h) or h.shape[1] <= THETA + 1:
            return
        w, j, g = h[:, THETA], h[:, COST], h[:, THETA + 1]
        (vx0, vx1), (vy0, vy1) = self.plot.getViewBox().viewRange()
        off = ~((w >= vx0) & (w <= vx1) & (j <= vy1))  # nan and inf are off scale too
        cw = np.clip(np.nan_to_num(w, nan=vx1, posinf=vx1, neginf=vx0), vx0, vx1)
        cj = np.clip(np.nan_to_num(j, nan=vy1, posinf=vy1, neginf=vy0), vy0, vy1)
        self.steps.setData(cw, cj)  # an iterate off scale is drawn where it leaves the view
        self.head.setData([cw[-1]], [cj[-1]])
        if off.any():
            symbols = np.where(w > vx1, "t2", np.where(w < vx0, "t3", "t1"))[off].tolist()
            self.off_scale.setData(cw[off], cj[off], symbol=symbols)
            first = int(np.argmax(off))
            self.off_label.setText(f"▲ off scale from step {int(h[first, STEP]):,}\nnow w = {w[-1]:.3g}")
            self.off_label.show()
        else:
            self.off_scale.setData([], [])
            self.off_label.hide()
        # tangent at each of the first iterates: J(w_k) + J'(w_k)·(w - w_k) over a short stretch
        k = min(len(w), max_tangents)
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        half = 0.12 * (x1 - x0)
        xs = np.column_stack([w[:k] - half, w[:k] + half]).ravel()
        ys = np.column_stack([j[:k] - g[:k] * half, j[:k] + g[:k] * half]).ravel()
        self.tangents.setData(xs, ys)
        opt = snap.optimum
        self.optimum.setData(*(([opt.theta[0]], [opt.cost]) if opt is not None else ([], [])))


class HistoryView(RunHistoryView):
    """A quantity per iteration on a log scale, one curve per run, plus optional extra curves."""

    def __init__(self, title: str, y_label: str, column: int, legend: bool = True) -> None:
        # top right: the curves fall from the top left, and the bottom holds E* and the flat tails
        super().__init__(title, y_label, column, (-10, 10) if legend else None, width=1.0)
        set_log_y(self.plot)
        self.range = StickyRange(self.plot, log_y=True)
        self.x_cap: float | None = None  # the step limit: the x axis ends there

    def update(self, snap: RegressionSnapshot) -> tuple[float, float, float]:
        """Draw every run; returns (last step, lowest, highest) drawn, for the range."""
        return self.draw_runs(snap.runs)


class CostView(HistoryView):
    """Cost per iteration for each run; for the first run also E − E* (how far there is still to go: in a
    long valley E looks flat long before the fit is done) and, for stochastic runs, a moving average."""

    def __init__(self) -> None:
        super().__init__("Cost per iteration", "cost (log scale)", COST)
        assert self.legend is not None  # made with a legend
        self.excess = pg.PlotDataItem(pen=excess_pen(0))
        self.excess_more: list[pg.PlotDataItem] = []  # E − E* of the compared runs
        self.average = pg.PlotDataItem(pen=pg.mkPen("#d62728", width=2))
        # E* is named in the legend, not on its line: a label there ran into the legend in small plots
        self.floor = pg.InfiniteLine(angle=0, pen=REFERENCE_PEN)
        for item in (self.excess, self.average, self.floor):
            self.plot.addItem(item)
        self.legend.addItem(self.floor, "E* (least squares)")
        self.legend.addItem(self.excess, "E − E* (dashed, each run)")
        self.legend.addItem(self.average, "moving average (stochastic run)")
        self._average_of = -1  # the run whose colour the average has
        self.window = 100

    def update(self, snap: RegressionSnapshot) -> None:  # type: ignore[override]
        last, lo, hi = super().update(snap)
        h = snap.history
        opt = snap.optimum
        # E − E*, how far each run still has to go, dashed in the run's colour
        while len(self.excess_more) < len(snap.runs) - 1:
            item = pg.PlotDataItem(pen=excess_pen(len(self.excess_more) + 1))
            self.plot.addItem(item)
            self.excess_more.append(item)
        for k, item in enumerate([self.excess, *self.excess_more]):
            h = snap.runs[k].history if k < len(snap.runs) else np.empty((0, THETA))
            if len(h) and opt is not None:
                excess = np.maximum(h[:, COST] - opt.cost, max(opt.cost, 1.0) * 1e-16)
                ok = np.isfinite(excess)
                item.setData(h[ok, STEP], excess[ok])
                if ok.any():
                    lo = min(lo, float(excess[ok].min()))
            else:
                item.setData([], [])
        self._row_visible(self.excess, opt is not None)
        noisy_k = next((k for k, r in enumerate(snap.runs) if r.batch_size and len(r.history) > 1), None)
        noisy = snap.runs[noisy_k] if noisy_k is not None else None
        if noisy_k is not None and noisy is not None:
            if noisy_k != self._average_of:  # the average in a darker shade of its run's colour
                self._average_of = noisy_k
                color = pg.mkColor(PATH_COLORS[noisy_k % len(PATH_COLORS)]).darker(150)
                self.average.setPen(pg.mkPen(color, width=2.5))
            ha = noisy.history
            avg = ha[:, AVG[self.window]]
            ok = np.isfinite(avg)
            self.average.setData(ha[ok, STEP], np.maximum(avg[ok], 1e-300))
        else:
            self.average.setData([], [])
        self._row_visible(self.average, noisy is not None)
        if opt is not None and opt.cost > 0:
            self.floor.setValue(np.log10(opt.cost))
            self.floor.show()
        else:
            self.floor.hide()
        self._row_visible(self.floor, self.floor.isVisible())
        if np.isfinite(lo) and hi > 0:
            self.range.update(last, lo, hi, settled=snap.status.finished, x_cap=self.x_cap)


class DistanceView(HistoryView):
    """‖θ − θ*‖ per iteration: distance to the least-squares answer, in the units being optimised."""

    def __init__(self) -> None:
        super().__init__("Distance to the optimum", "‖θ − θ*‖ (log scale)", DIST, legend=False)

    def update(self, snap: RegressionSnapshot) -> None:  # type: ignore[override]
        last, lo, hi = super().update(snap)
        if np.isfinite(lo) and hi > 0:
            # a restarted run keeps the x range while it grows back (an edit restarts it): no axis churn
            self.range.update(last, lo, hi, settled=snap.status.finished, x_cap=self.x_cap)
