"""The SVM tab's views. Items are built once and then only updated in place: a scatter is set only when
what it shows changed (the support set, the misclassified points), curves and the heatmap every frame."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from gdplay.core.svm import (
    ARTICLE_SIGMA2_ACCURACY,
    LIBSVM_C_SWEEP_N_SUPPORT,
    CostSurface,
    CSweepPoint,
    DecisionMap,
    SigmaSweepPoint,
    SVMSnapshot,
)
from gdplay.ui.network.plots import StyledPoints  # (one drawing call for thousands of points)
from gdplay.ui.plots.contours import IsoLines, isolines_xy
from gdplay.ui.plots.decision import BOUNDARY_PEN, MARGIN_PEN, DecisionView
from gdplay.ui.plots.style import PATH_PEN, StickyRange, add_legend, legend_sample, make_plot, set_log_y
from gdplay.ui.plots.surface import Heatmap

NEG_COLOR, POS_COLOR = "#c0392b", "#1f5fa8"  # class −1 red, class +1 blue (the heatmap's ends, darker)
MARGIN_SV_PEN = pg.mkPen("#111111", width=2)
BOUND_SV_PEN = pg.mkPen("#7b2cbf", width=2)
SLACK_PEN = pg.mkPen("#1b7a1b", width=2)
REFERENCE_BOUNDARY_PEN = pg.mkPen("#00a651", width=2, style=Qt.PenStyle.DotLine)
# a diverging map, lighter than the points so they stand out: f < 0 red, f = 0 white, f > 0 blue
DIVERGING = pg.ColorMap([0.0, 0.25, 0.5, 0.75, 1.0],
                        [(214, 96, 77), (244, 165, 130), (247, 247, 247), (146, 197, 222), (67, 147, 195)])
ARTICLE_COLOR = "#6b6b6b"  # the article's own numbers, drawn hollow next to gdplay's
SWEEP_COLORS = ("#000000", "#7b2cbf", "#e377c2", "#d62728", "#17becf", "#ff7f0e", "#8c564b", "#1f77b4")


MAX_LEVEL = 5.0  # colours saturate past |f| = 5, so the band between the margins keeps its contrast


def nice_level(x: float) -> float:
    """The colour scale's half-width: the 1-1.5-2-3-5 × 10^k number at or above x, between 1.5 (so the
    margins f = ±1 always sit inside the colours) and MAX_LEVEL."""
    x = min(max(float(x), 1.5), MAX_LEVEL)
    e = math.floor(math.log10(x))
    for m in (1.0, 1.5, 2.0, 3.0, 5.0, 10.0):
        if m * 10.0 ** e >= x:
            return m * 10.0 ** e
    return 10.0 ** (e + 1)


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return a is not None and b is not None and a.shape == b.shape and bool(np.array_equal(a, b))


class SvmDecisionView:
    """The input plane: f(x) as a signed heatmap, f = 0 solid and f = ±1 dashed, the points (held-out
    test points hollow), support vectors ringed (circle: on the margin, 0 < α < C; square: at the bound,
    α = C), misclassified points crossed, and for the linear kernel each violator's slack as a segment to
    its own margin."""

    def __init__(self) -> None:
        # our own scatter draws the points (train filled, test hollow); the editor's would not tell them apart
        self.view = DecisionView("Decision function f(x): f = 0 solid, f = ±1 dashed", n_classes=2,
                                 colors=(NEG_COLOR, POS_COLOR), colormap=DIVERGING, resolution=120,
                                 draw_points=False)
        self.widget, self.plot, self.editor = self.view.widget, self.view.plot, self.view.editor
        dark = pg.mkPen("#222222", width=1)
        # the points by editor label (class −1, +1, and the same held out: hollow), the rings and crosses, each
        # drawn in one call (ScatterPlotItem.setData costs ~4 µs a point: thousands of points lag the drag)
        self.points = StyledPoints([("o", dark, pg.mkBrush(NEG_COLOR)), ("o", dark, pg.mkBrush(POS_COLOR)),
                                    ("o", pg.mkPen(NEG_COLOR, width=2), pg.mkBrush(255, 255, 255, 200)),
                                    ("o", pg.mkPen(POS_COLOR, width=2), pg.mkBrush(255, 255, 255, 200))], size=8)
        self.margin_sv = StyledPoints([("o", MARGIN_SV_PEN, None)], size=17)
        self.bound_sv = StyledPoints([("s", BOUND_SV_PEN, None)], size=15)
        self.wrong = StyledPoints([("x", None, pg.mkBrush("#111111"))], size=9)
        self.slack = pg.PlotDataItem(pen=SLACK_PEN, connect="pairs")
        self.reference = pg.PlotDataItem(pen=REFERENCE_BOUNDARY_PEN, connect="finite")
        # f = 0 and f = ±1 as whole polylines in data coordinates, so the dashed margins dash evenly
        self.boundary = IsoLines(BOUNDARY_PEN)
        self.margins = IsoLines(MARGIN_PEN)
        for z, item in ((5, self.margins), (6, self.boundary), (9, self.slack), (10, self.points),
                        (11, self.margin_sv), (11, self.bound_sv),
                        (12, self.wrong), (13, self.reference)):
            item.setZValue(z)
            self.plot.addItem(item)
        # segments and contour lines turn back on themselves: pyqtgraph's thinning (by the view's width over the
        # mean x step) is for curves along x, and overflows on them (points of 1e150)
        for item in (self.slack, self.reference):
            item.setDownsampling(auto=False)
        self.colorbar = pg.ColorBarItem(colorMap=DIVERGING, interactive=False, width=12,
                                        values=(-1.5, 1.5))
        self.colorbar.setImageItem(self.view.image, insert_in=self.plot)
        self.colorbar.axis.setWidth(40)
        self.level = 1.5
        self._support: np.ndarray | None = None
        self._bound: np.ndarray | None = None
        self._wrong: np.ndarray | None = None
        self._snapshot_key: tuple | None = None

    # -- the points (on edits) ---------------------------------------------------------------------------
    def set_points(self, xy: np.ndarray, labels: np.ndarray) -> None:
        labels = np.asarray(labels)
        self.points.set_points(xy, np.where((labels >= 0) & (labels <= 3), labels, 0))

    # -- per snapshot ----------------------------------------------------------------------------------------
    def set_map(self, dmap: DecisionMap | None) -> None:
        if dmap is None:
            self.view.set_map(None, (0, 1), (0, 1), (-1, 1))
            self.boundary.set_levels(None, [])
            self.margins.set_levels(None, [])
            return
        values = dmap.values
        finite = values[np.isfinite(values)]
        if finite.size:
            level = nice_level(float(np.percentile(np.abs(finite), 98)))
            if level != self.level:
                self.level = level
                self.colorbar.setLevels((-level, level))
        self.view.set_map(values, dmap.x_range, dmap.y_range, (-self.level, self.level))
        if dmap.boundary is not None:  # traced in the training process
            self.boundary.set_polylines(dmap.boundary)
            self.margins.set_polylines(dmap.margins)
        else:
            self.boundary.set_levels(values, [0.0], dmap.x_range, dmap.y_range)
            self.margins.set_levels(values, [-1.0, 1.0], dmap.x_range, dmap.y_range)

    def set_snapshot(self, snap: SVMSnapshot) -> None:
        X = snap.X
        if snap.X.shape[1] != 2:
            return
        support = np.asarray(snap.support)
        margin = np.flatnonzero(snap.margin_mask)
        bound = np.flatnonzero(snap.bound_mask & np.isin(np.arange(snap.n_points), support))
        wrong = np.flatnonzero(snap.misclassified)
        key = (snap.data_version, id(X))
        new_data = key != self._snapshot_key
        self._snapshot_key = key
        if new_data or not _same(margin, self._support):
            self._support = margin
            self.margin_sv.set_points(X[margin], np.zeros(len(margin), dtype=np.intp))
        if new_data or not _same(bound, self._bound):
            self._bound = bound
            self.bound_sv.set_points(X[bound], np.zeros(len(bound), dtype=np.intp))
        if new_data or not _same(wrong, self._wrong):
            self._wrong = wrong
            self.wrong.set_points(X[wrong], np.zeros(len(wrong), dtype=np.intp))
        self.set_slack(snap)

    def set_slack(self, snap: SVMSnapshot) -> None:
        """Linear kernel: a segment from each point with y f < 1 to its own margin y f = 1, of length
        ξ/‖w‖ with slack ξ = 1 − y f (training rows only)."""
        w = snap.w
        if w is None or not np.isfinite(w).all() or float(w @ w) == 0.0:
            self.slack.setData([], [])
            return
        yf = snap.y_f
        rows = np.flatnonzero((yf < 1.0 - 1e-9) & ~snap.test_mask)
        if not len(rows):
            self.slack.setData([], [])
            return
        start = snap.X[rows]
        xi = 1.0 - yf[rows]
        end = start + (xi * snap.y[rows] / float(w @ w))[:, None] * w[None, :]
        seg = np.empty((2 * len(rows), 2))
        seg[0::2], seg[1::2] = start, end
        self.slack.setData(seg[:, 0], seg[:, 1])

    def clear_model(self) -> None:
        for item in (self.margin_sv, self.bound_sv, self.wrong):
            item.set_points(np.empty((0, 2)), np.empty(0, dtype=np.intp))
        self._support = self._bound = self._wrong = None
        self.slack.setData([], [])
        self.set_map(None)

    def set_reference(self, ref_map: DecisionMap | None) -> None:
        if ref_map is None:
            self.reference.setData([], [])
            return
        self.reference.setData(*isolines_xy(ref_map.values, 0.0, ref_map.x_range, ref_map.y_range))

    def fit_view(self, xy: np.ndarray) -> None:
        self.view.fit_view(xy)


class ObjectiveView:
    """Primal P and dual D per iteration (log scale): D rises, P falls, and they meet at the optimum."""

    def __init__(self) -> None:
        self.widget = make_plot("Objectives per iteration", "iteration", "value (log scale)", grid=False)
        self.plot = self.widget.getPlotItem()
        set_log_y(self.plot)
        legend = add_legend(self.plot, (-10, 10))
        self.primal = pg.PlotDataItem(pen=pg.mkPen("#d62728", width=1), name="primal P(w, b)")
        self.dual = pg.PlotDataItem(pen=pg.mkPen("#1f77b4", width=1), name="dual D(α)")
        self.plot.addItem(self.primal)
        self.plot.addItem(self.dual)
        legend.setParentItem(self.plot.getViewBox())
        self.range = StickyRange(self.plot, log_y=True, y_pad=0.5)  # C or σ dragged: values jump
        self._last_step = -1

    def update(self, snap: SVMSnapshot) -> None:
        h = snap.history
        if not len(h):
            self.primal.setData([], [])
            self.dual.setData([], [])
            return
        steps = h[:, 0]
        primal, dual = h[:, 2], h[:, 1]
        top = float(np.nanmax(primal)) if np.isfinite(primal).any() else 1.0
        floor = max(abs(float(primal[-1])) if math.isfinite(primal[-1]) else top, 1e-300) * 1e-3
        p = np.maximum(primal, floor)
        self.primal.setData(steps, p, connect="finite")
        if snap.params.solver == "primal":
            # the primal run's D is its lower bound D(α̂); 0 means it has none yet (α̂ = 0): not drawn
            dual = np.where(dual > 0, dual, np.nan)
        if np.isfinite(dual).any():
            d = np.maximum(dual, floor)
            self.dual.setData(steps, d, connect="finite")
            low = float(np.nanmin(d))
        else:
            self.dual.setData([], [])
            low = float(np.nanmin(p))
        if snap.step < self._last_step:
            self.range.reset()
        self._last_step = snap.step
        self.range.update(float(steps[-1]), low, float(np.nanmax(p)))


class GapView:
    """The duality gap P − D per iteration on a log scale: 0 at the optimum. The dashed line is the stopping
    rule's threshold tol·max(1, |P|): a run is "converged" only below it. The primal solver's D is the lower
    bound D(α̂) it certifies itself with."""

    def __init__(self) -> None:
        self.widget = make_plot("Gap P − D (- - stop)", "iteration", "gap (log scale)", grid=False)
        self.plot = self.widget.getPlotItem()
        set_log_y(self.plot)
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#2ca02c", width=1))
        self.plot.addItem(self.curve)
        self.threshold = pg.InfiniteLine(angle=0, pen=pg.mkPen("#555555", width=1, style=Qt.PenStyle.DashLine))
        self.threshold.setVisible(False)
        self.plot.addItem(self.threshold, ignoreBounds=True)
        self.note = pg.TextItem("", color="#555555", anchor=(0.5, 0.5))
        self.note.setParentItem(self.plot.getViewBox())
        self.range = StickyRange(self.plot, log_y=True, y_pad=0.5)  # C or σ dragged: values jump
        self._last_step = -1

    def update(self, snap: SVMSnapshot) -> None:
        h = snap.history
        gap = h[:, 3] if len(h) else np.empty(0)
        if not np.isfinite(gap).any():
            self.curve.setData([], [])
            self.threshold.setVisible(False)
            self._say("")
            return
        self._say("")
        g = np.maximum(gap, 1e-12)
        stop = snap.params.tol * max(1.0, abs(snap.primal_objective))
        if math.isfinite(stop) and stop > 0:
            self.threshold.setPos(math.log10(stop))
            self.threshold.setVisible(True)
        self.curve.setData(h[:, 0], g, connect="finite")
        if snap.step < self._last_step:
            self.range.reset()
        self._last_step = snap.step
        self.range.update(float(h[-1, 0]), float(np.nanmin(g)), float(np.nanmax(g)))

    def _say(self, text: str) -> None:
        self.note.setText(text)
        r = self.plot.getViewBox().boundingRect()
        self.note.setPos(r.center())


class HingeView:
    """max(0, 1 − z) with every point placed on it at z = y f(x): right of z = 1 no loss, between 0 and 1
    inside the margin, left of 0 misclassified. Support vectors ringed, test points hollow."""

    def __init__(self) -> None:
        self.widget = make_plot("Hinge loss max(0, 1 − z)", "z = y·f(x)", "loss", grid=False)
        self.plot = self.widget.getPlotItem()
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#333333", width=1.5))
        self.plot.addItem(self.curve)
        for x, text, anchor in ((0.0, "z=0 ", (1, 0.5)), (1.0, " no loss", (0, 0.5))):  # short: narrow plots
            line = pg.InfiniteLine(x, angle=90, pen=pg.mkPen("#888888", width=1, style=Qt.PenStyle.DashLine),
                                   label=text, labelOpts={"position": 0.93, "color": "#555555",
                                                          "anchors": [anchor, anchor]})
            self.plot.addItem(line)
        # the points in three styles (class −1, class +1, held out) and the support vectors' rings, each drawn
        # in one call: ScatterPlotItem.setData costs ~4 µs a point, 30 ms a frame on 5,000 points
        dark = pg.mkPen("#222222", width=1)
        self.points = StyledPoints([("o", dark, pg.mkBrush(NEG_COLOR)), ("o", dark, pg.mkBrush(POS_COLOR)),
                                    ("o", pg.mkPen("#555555", width=1.5), pg.mkBrush(255, 255, 255, 200))],
                                   size=7)
        self.sv = StyledPoints([("o", MARGIN_SV_PEN, None)], size=13)
        for item in (self.points, self.sv):
            self.plot.addItem(item)
        self.plot.disableAutoRange()
        self._range: tuple[float, float] | None = None

    def update(self, snap: SVMSnapshot) -> None:
        z = snap.y_f
        ok = np.isfinite(z)
        if not ok.any():
            for item in (self.points, self.sv):
                item.set_points(np.empty((0, 2)), np.empty(0, dtype=np.intp))
            self.curve.setData([], [])
            return
        loss = np.maximum(0.0, 1.0 - z)
        style = np.where(snap.test_mask, 2, np.where(snap.y > 0, 1, 0))  # non-finite z are left out
        self.points.set_points(np.column_stack([z, loss]), style)
        s = np.asarray(snap.support)
        self.sv.set_points(np.column_stack([z[s], loss[s]]), np.zeros(len(s), dtype=np.intp))
        lo = min(-1.5, float(np.percentile(z[ok], 2)))
        hi = max(3.0, float(np.percentile(z[ok], 98)))
        r = self._range
        if r is None or lo < r[0] or hi > r[1] or (r[1] - r[0]) > 4 * (hi - lo):
            pad = 0.15 * (hi - lo)
            self._range = (lo - pad, hi + pad)
            x0, x1 = self._range
            # the curve first: pyqtgraph thins a curve by the view's width over its point spacing, and with
            # the old 3-point curve under a view of 1e23 (points of 1e12) that ratio overflowed its reshape
            self.curve.setData([x0, 1.0, x1], [1.0 - x0, 0.0, 0.0])
            self.plot.setRange(xRange=self._range, yRange=(-0.1 * (1 - lo + pad), 1.1 * (1 - lo + pad)), padding=0)


class PrimalSurfaceView:
    """The primal objective over (w₁, w₂) at the current b, in log colours, with the path of w on it
    (linear kernel, 2-D data)."""

    def __init__(self) -> None:
        self.widget = make_plot("Primal cost P(w₁, w₂)", "w₁   (b held at its value)", "w₂", grid=False)
        self.plot = self.widget.getPlotItem()
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.heatmap = Heatmap(self.plot, n_contours=12)  # the shared image + contours (ui/plots/surface.py)
        self.path = pg.PlotDataItem(pen=PATH_PEN)
        self.current = pg.ScatterPlotItem(size=11, brush=pg.mkBrush("#d62728"), pen=pg.mkPen("w", width=1.5))
        for item in (self.path, self.current):
            item.setZValue(10)
            self.plot.addItem(item)
        # a path of at most a few thousand rows needs no thinning, and pyqtgraph's thins by the view's width over
        # the mean x step, which a path that turns back (or of points of 1e150) makes overflow
        self.path.setDownsampling(auto=False)
        self.note = pg.TextItem("", color="#333333", anchor=(0.5, 0.5))
        self.note.setParentItem(self.plot.getViewBox())
        self._version = -1

    def update(self, snap: SVMSnapshot, surface: CostSurface | None) -> None:
        if surface is None:
            if self._version != -2:
                self.heatmap.clear()
                self.path.setData([], [])
                self.current.setData(pos=np.empty((0, 2)))
                self._version = -2
            text = ("Linear kernel only:\nfor other kernels, w lives\nin a feature space."
                    if snap.status.value != "invalid" else "")
            self.note.setText(text)
            self.note.setPos(self.plot.getViewBox().boundingRect().center())
            return
        self.note.setText("")
        if surface.version != self._version:
            self._version = surface.version
            v = surface.values.astype(np.float64)
            z = np.log10(v - float(v.min()) + max(float(np.ptp(v)), 1e-300) * 1e-4)
            lo, hi = float(z.min()), float(z.max())
            if not hi > lo:
                hi = lo + 1.0
            self.heatmap.set(z, (lo, hi), surface.w1_range, surface.w2_range)  # values at pixel centres
            (a0, a1), (b0, b1) = surface.w1_range, surface.w2_range
            self.plot.getViewBox().setRange(xRange=(a0, a1), yRange=(b0, b1), padding=0)
        h = snap.history
        if len(h):
            self.path.setData(h[:, 4], h[:, 5], connect="finite")
        if snap.w is not None:
            self.current.setData([float(snap.w[0])], [float(snap.w[1])])


# -- sweeps --------------------------------------------------------------------------------------------------
class CSweepView:
    """Experiment 1's sweep: the boundary w·x + b = 0 for each C over the data, and #SV against log₁₀ C."""

    def __init__(self) -> None:
        self.lines_widget = make_plot("C sweep: boundaries w·x + b = 0 (linear kernel)", "x₁", "x₂")
        self.lines_plot = self.lines_widget.getPlotItem()
        self.lines_plot.setAspectLocked(True)
        # the key is a line of text under the plot: inside, eight rows covered the data at any size
        self.key = QLabel("")
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.data = pg.ScatterPlotItem(size=6, hoverable=False)
        self.lines_plot.addItem(self.data)
        self.lines = [pg.PlotDataItem(pen=pg.mkPen(c, width=2)) for c in SWEEP_COLORS]
        for item in self.lines:
            self.lines_plot.addItem(item)
        self.count_widget = make_plot("Number of support vectors vs log₁₀ C", "log₁₀ C", "support vectors")
        self.count_plot = self.count_widget.getPlotItem()
        self.count = pg.PlotDataItem(pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=8,
                                     symbolBrush="#1f77b4")
        self.count_plot.addItem(self.count)
        # the article's code (libsvm) on the article's points, as a reference: hollow diamonds
        count_legend = self.count_plot.addLegend(offset=(-5, 5), labelTextSize="8pt")
        self.count.opts["name"] = "gdplay"
        count_legend.addItem(self.count, "gdplay")
        self.article_count = pg.PlotDataItem(pen=None, symbol="d", symbolSize=13, symbolBrush=None,
                                             symbolPen=pg.mkPen(ARTICLE_COLOR, width=2))
        self.count_plot.addItem(self.article_count)
        count_legend.addItem(self.article_count, "article's code (libsvm), its points")
        self.labels: list[pg.TextItem] = []
        self.note = pg.TextItem("Press “Run C sweep” (left panel).", color="#555555", anchor=(0.5, 0.5))
        self.note.setParentItem(self.lines_plot.getViewBox())
        self.note.setPos(150, 100)

    def show(self, X: np.ndarray, y: np.ndarray, points: Sequence[CSweepPoint], article_data: bool = False) -> None:
        """``article_data``: the points are the article's experiment 1, so its code's counts apply."""
        self.note.setText("")
        ref = [(math.log10(c), n) for c, n in LIBSVM_C_SWEEP_N_SUPPORT.items()] if article_data else []
        self.article_count.setData([r[0] for r in ref], [r[1] for r in ref])
        dark = pg.mkPen("#222222", width=0.5)
        brushes = [pg.mkBrush(POS_COLOR if v > 0 else NEG_COLOR) for v in y]
        self.data.setData(pos=X, brush=brushes, pen=dark)
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * (hi - lo)
        (x0, y0), (x1, y1) = lo - pad, hi + pad
        rows = []
        for item, pt in zip(self.lines, points):
            xs, ys = _line_in_box(pt.w, pt.b, (x0, x1), (y0, y1))
            item.setData(xs, ys)
            glyphs, colour = legend_sample(item)
            rows.append(f"<span style='color:{colour}'><b>{glyphs}</b></span>&nbsp;C&nbsp;=&nbsp;{pt.C:g}:"
                        f"&nbsp;{pt.n_support}&nbsp;SVs")
        self.key.setText("<small>" + " &nbsp; ".join(rows) + "</small>")
        for item in self.lines[len(points):]:
            item.setData([], [])
        self.lines_plot.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        logc = np.log10([p.C for p in points])
        n = np.array([p.n_support for p in points], dtype=float)
        self.count.setData(logc, n)
        for t in self.labels:
            self.count_plot.removeItem(t)
        self.labels = []
        for xv, nv in zip(logc, n):
            t = pg.TextItem(f"{int(nv)}", color="#222222", anchor=(0.5, 1.2))
            t.setPos(xv, nv)
            self.count_plot.addItem(t)
            self.labels.append(t)
        self.count_plot.getViewBox().setRange(xRange=(logc.min() - 0.7, logc.max() + 0.7),
                                              yRange=(0, n.max() * 1.15 + 1), padding=0)


def _line_in_box(w: np.ndarray | None, b: float, xr: tuple[float, float], yr: tuple[float, float]
                 ) -> tuple[list[float], list[float]]:
    """The line w·x + b = 0 clipped to a box (empty if it misses the box or w is 0)."""
    if w is None or not np.isfinite(w).all() or float(np.abs(w).max()) == 0.0:
        return [], []
    w1, w2 = float(w[0]), float(w[1])
    pts = []
    if abs(w2) > 1e-300:
        for x in xr:
            y = -(w1 * x + b) / w2
            if yr[0] <= y <= yr[1]:
                pts.append((x, y))
    if abs(w1) > 1e-300:
        for y in yr:
            x = -(w2 * y + b) / w1
            if xr[0] <= x <= xr[1]:
                pts.append((x, y))
    if len(pts) < 2:
        return [], []
    pts.sort()
    return [pts[0][0], pts[-1][0]], [pts[0][1], pts[-1][1]]


class SigmaSweepView:
    """Experiment 2's sweep: train and test accuracy, and the number of support vectors, against σ²."""

    def __init__(self) -> None:
        self.acc_widget = make_plot("σ² sweep: accuracy vs σ² (RBF)", "σ² (log scale)", "accuracy (%)")
        self.acc_plot = self.acc_widget.getPlotItem()
        legend = add_legend(self.acc_plot, (-10, -10))
        self.train = pg.PlotDataItem(pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=8,
                                     symbolBrush="#1f77b4", name="train")
        self.test = pg.PlotDataItem(pen=pg.mkPen("#ff7f0e", width=2), symbol="s", symbolSize=8,
                                    symbolBrush="#ff7f0e", name="test")
        self.acc_plot.addItem(self.train)
        self.acc_plot.addItem(self.test)
        # the article's printed table (its points, γ = 1/σ², C = 1): hollow markers in the same shapes
        article = pg.mkPen(ARTICLE_COLOR, width=2)
        self.article_train = pg.PlotDataItem(pen=None, symbol="o", symbolSize=14, symbolBrush=None,
                                             symbolPen=article, name="article: train")
        self.article_test = pg.PlotDataItem(pen=None, symbol="s", symbolSize=14, symbolBrush=None,
                                            symbolPen=article, name="article: test")
        self.acc_plot.addItem(self.article_train)
        self.acc_plot.addItem(self.article_test)
        legend.setParentItem(self.acc_plot.getViewBox())
        self.count_widget = make_plot("Number of support vectors vs σ²", "σ² (log scale)", "support vectors")
        self.count_plot = self.count_widget.getPlotItem()
        self.count = pg.PlotDataItem(pen=pg.mkPen("#2ca02c", width=2), symbol="o", symbolSize=8,
                                     symbolBrush="#2ca02c")
        self.count_plot.addItem(self.count)
        self.labels: list[tuple[pg.PlotItem, pg.TextItem]] = []
        self.note = pg.TextItem("Press “Run σ² sweep” (left panel).", color="#555555", anchor=(0.5, 0.5))
        self.note.setParentItem(self.acc_plot.getViewBox())
        self.note.setPos(150, 100)

    def show(self, points: Sequence[SigmaSweepPoint], article_data: bool = False) -> None:
        """``article_data``: the points are the article's experiment 2 and γ = 1/σ², C = 1, as in its table."""
        self.note.setText("")
        s2 = np.array([p.sigma2 for p in points])
        table = ARTICLE_SIGMA2_ACCURACY if article_data else {}
        ref = [(math.log10(k), v) for k, v in table.items() if k in set(s2.tolist())]
        self.article_train.setData([r[0] for r in ref], [r[1][0] for r in ref])
        self.article_test.setData([r[0] for r in ref], [r[1][1] for r in ref])
        lx = np.log10(s2)  # a log axis by hand: ticks only at the swept values, labelled plainly
        ticks = [[(float(v), f"{s:g}") for v, s in zip(lx, s2)]]
        for plot in (self.acc_plot, self.count_plot):
            plot.getAxis("bottom").setTicks(ticks)
        train = np.array([p.train_accuracy for p in points]) * 100
        test = np.array([p.test_accuracy for p in points]) * 100
        n = np.array([p.n_support for p in points], dtype=float)
        self.train.setData(lx, train)
        if np.isfinite(test).any():
            self.test.setData(lx, test)
        else:
            self.test.setData([], [])
        self.count.setData(lx, n)
        for plot, t in self.labels:
            plot.removeItem(t)
        self.labels = []
        for xv, nv in zip(lx, n):
            t = pg.TextItem(f"{int(nv)}", color="#222222", anchor=(0.5, 1.2))
            t.setPos(xv, nv)
            self.count_plot.addItem(t)
            self.labels.append((self.count_plot, t))
        vals = np.concatenate([train, test[np.isfinite(test)]])
        self.acc_plot.getViewBox().setRange(xRange=(lx.min() - 0.2, lx.max() + 0.2),
                                            # room below the curves for the legend (4 rows with the article's)
                                            yRange=(max(0.0, vals.min() - (9 if ref else 3)),
                                                    min(100.0, vals.max() + 2) + 1),
                                            padding=0)
        self.count_plot.getViewBox().setRange(xRange=(lx.min() - 0.2, lx.max() + 0.2),
                                              yRange=(0, n.max() * 1.15 + 1), padding=0)
