"""The Neural network tab's views: the decision map with the points, loss and accuracy per iteration, the
gradient flow per layer with the saturated/dead share, the activation function, and the loss landscape.
Items are built once and then only updated in place (setData / setImage / setOpts)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions as fn
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from pyqtgraph.Qt import internals as Qt_internals
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem

from gdplay.core.activations import activation_curve
from gdplay.core.network import (
    DecisionMap,
    GradientFlowReference,
    LossLandscape,
    NetworkSnapshot,
    backward_gain_bounds,
)
from gdplay.ui.plots.contours import ContourSet
from gdplay.ui.plots.decision import DecisionView
from gdplay.ui.plots.style import CLASS_COLORS, StickyRange, add_legend, make_plot, set_log_y
from gdplay.ui.plots.surface import Heatmap

TRAIN_COLOR = "#1f77b4"
TEST_COLOR = "#d62728"
BATCH_COLOR = "#b8b8b8"
BOUNDARY_PEN = pg.mkPen("#111111", width=2.5)
MAP_STRENGTH = 0.6  # the surest map colour is 60 % of the class colour: points (100 %) stay visible
LOG_FLOOR = 1e-16  # a gradient norm of exactly 0 is drawn here on the log axis


def _rgb(color: str) -> np.ndarray:
    c = pg.mkColor(color)
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float32)


CLASS_RGB = np.stack([_rgb(c) for c in CLASS_COLORS])
WHITE = np.array([255.0, 255.0, 255.0], dtype=np.float32)


def finite_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Only the rows where both are finite: a scatter of all-NaN points makes pyqtgraph warn on paint."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def layer_colors(n: int) -> list[str]:
    """Early layers dark purple, late layers yellow (plasma): the order reads at a glance."""
    cmap = pg.colormap.get("plasma")
    return [cmap.map(0.05 + 0.8 * i / max(n - 1, 1), mode="qcolor").name() for i in range(n)]


# -- decision map ------------------------------------------------------------------------------------------

class StyledPoints(pg.GraphicsObject):
    """Points in a few fixed styles (symbol, pen, brush), all drawn in one ``drawPixmapFragments`` call from
    an atlas of the styles rendered once. ``set_points`` is vectorised: new predictions for 5,000 points
    cost a fraction of a millisecond, where ScatterPlotItem.setData spends ~4 µs a point in Python."""

    def __init__(self, styles: Sequence[tuple[str, object, object]], size: float = 9.0) -> None:
        super().__init__()
        self._styles = [(symbol, pg.mkPen(pen), pg.mkBrush(brush)) for symbol, pen, brush in styles]
        self._size = float(size)
        self._xy = np.empty((0, 2))
        self._style = np.empty(0, dtype=np.intp)
        self._data_rect = QRectF()
        self._atlas: QPixmap | None = None
        self._dpr = 0.0
        self._side = 0
        self._frags = Qt_internals.PrimitiveArray(QPainter.PixmapFragment, 10)

    def __len__(self) -> int:
        return len(self._xy)

    def set_points(self, xy: np.ndarray, style: np.ndarray) -> None:
        """Positions (n, 2) in data coordinates and each point's index into the styles."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        keep = np.isfinite(xy).all(axis=1)
        self._xy, self._style = xy[keep], np.asarray(style, dtype=np.intp)[keep]
        rect = QRectF()
        if len(self._xy):
            (x0, y0), (x1, y1) = self._xy.min(axis=0), self._xy.max(axis=0)
            rect = QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0))
        if rect != self._data_rect:
            self.prepareGeometryChange()
            self._data_rect = rect
        self.update()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        if not len(self._xy):
            return None, None
        col = self._xy[:, ax]
        return float(col.min()), float(col.max())

    def pixelPadding(self) -> float:
        return self._size

    def boundingRect(self) -> QRectF:
        if not len(self._xy):
            return QRectF()
        pw, ph = self.pixelWidth(), self.pixelHeight()
        pad_x, pad_y = self._size * (pw or 0.0), self._size * (ph or 0.0)
        return self._data_rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the padding is in pixels

    def _build_atlas(self, dpr: float) -> None:
        pen_px = max((math.ceil(pen.widthF()) for _s, pen, _b in self._styles), default=1)
        side = math.ceil(dpr * (self._size + pen_px)) + 1
        image = QImage(side * max(len(self._styles), 1), side, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            for k, (symbol, pen, brush) in enumerate(self._styles):
                tile = renderSymbol(symbol, self._size, pen, brush, dpr=dpr)
                tile.setDevicePixelRatio(1.0)  # the atlas is in device pixels (fragments scale by 1/dpr)
                painter.drawImage(k * side + (side - tile.width()) // 2, (side - tile.height()) // 2, tile)
        finally:
            painter.end()
        self._atlas, self._dpr, self._side = QPixmap.fromImage(image), dpr, side

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not len(self._xy):
            return
        dpr = widget.devicePixelRatioF() if widget is not None else 1.0
        if self._atlas is None or dpr != self._dpr:
            self._build_atlas(dpr)
        pts = fn.transformCoordinates(painter.transform(), self._xy.T)
        pts = np.clip(pts, -2**30, 2**30)
        painter.resetTransform()
        n, side = pts.shape[1], self._side
        self._frags.resize(n)
        frags = self._frags.ndarray()
        frags[:, 0] = pts[0]
        frags[:, 1] = pts[1]
        frags[:, 2] = self._style * side  # source rect in the atlas (device pixels)
        frags[:, 3] = 0
        frags[:, 4] = side
        frags[:, 5] = side
        frags[:, 6:10] = [1 / dpr, 1 / dpr, 0.0, 1.0]
        painter.drawPixmapFragments(*self._frags.drawargs(), self._atlas)  # type: ignore[call-arg]  # (array, count)



class DecisionMapView:
    """The input plane: the predicted class in its colour, paler where the network is less sure, the
    boundary in black; points with outline = true class and fill = predicted class, test points square."""

    def __init__(self) -> None:
        # (the colours are made here from the class colours; the colormap argument is only a placeholder)
        # draw_points=False: the points are drawn here (outline = truth, fill = prediction)
        self.view = DecisionView("Decision map", n_classes=4, colors=CLASS_COLORS, draw_points=False,
                                 colormap=pg.ColorMap([0.0, 1.0], [(255, 255, 255), (0, 0, 0)]))
        self.widget, self.plot, self.editor = self.view.widget, self.view.plot, self.view.editor
        self.image = self.view.image
        self.image.setLookupTable(None)
        self.image.setOpacity(1.0)
        self.boundary = ContourSet(self.image, BOUNDARY_PEN)
        # outlines a shade darker than the fills, so a point stands out on a map of its own colour
        k = len(CLASS_COLORS)
        pens = [pg.mkPen(pg.mkColor(c).darker(170), width=2.0) for c in CLASS_COLORS]
        plain_pen = pg.mkPen("#222222", width=1)
        # style code: ((true class * k + fill class) * 2 + test) for points with predictions, then the same
        # without them (plain outline, fill = true class); test points square
        styles = [("s" if test else "o", pens[true], CLASS_COLORS[fill])
                  for true in range(k) for fill in range(k) for test in (0, 1)]
        styles += [("s" if test else "o", plain_pen, CLASS_COLORS[fill])
                   for true in range(k) for fill in range(k) for test in (0, 1)]
        self.points = StyledPoints(styles, size=9)
        self.points.setZValue(10)
        self.plot.addItem(self.points)
        self.discretise = False
        self._points_key: tuple | None = None
        self.set_classes(())

    def set_classes(self, classes: tuple[int, ...]) -> None:
        if len(classes) == 2:
            title = f"Decision map: P(class {classes[1] + 1}); boundary at 0.5"
        elif len(classes) > 2:
            title = "Decision map: most likely class (paler = less sure)"
        else:
            title = "Decision map"
        self.plot.setTitle(title, size="10pt")

    def set_map(self, dm: DecisionMap | None) -> None:
        if dm is None:
            self.image.clear()
            self.boundary.set_levels(None, ())
            return
        k = len(dm.classes)
        p = np.nan_to_num(np.asarray(dm.probability, dtype=np.float32), nan=1.0 / max(k, 2))  # nan: diverged weights
        label = np.asarray(dm.label)
        colours = CLASS_RGB[np.asarray(dm.classes, dtype=np.intp) % len(CLASS_RGB)][label]  # (h, w, 3)
        if self.discretise:
            strength = np.full(p.shape, MAP_STRENGTH, dtype=np.float32)
        elif k == 2:
            strength = np.abs(2.0 * p - 1.0) * MAP_STRENGTH
        else:
            strength = np.clip((p - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0) * MAP_STRENGTH
        rgb = WHITE + (colours - WHITE) * strength[..., None]
        self.image.setImage(rgb.astype(np.uint8), autoLevels=False, levels=(0, 255))
        (x0, x1), (y0, y1) = dm.x_range, dm.y_range
        rows, cols = p.shape
        dx, dy = (x1 - x0) / max(cols - 1, 1), (y1 - y0) / max(rows - 1, 1)
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, (x1 - x0) + dx, (y1 - y0) + dy))
        if k == 2:
            self.boundary.set_levels(p, (0.5,))
        else:
            self.boundary.set_boundaries(label, range(k))  # the edges between class regions

    def set_points(self, xy: np.ndarray, labels: np.ndarray, test_mask: np.ndarray,
                   predicted: np.ndarray | None) -> None:
        """Redraws only when something changed, and then each style group in one call."""
        key = (xy.tobytes(), labels.tobytes(), test_mask.tobytes(), None if predicted is None else predicted.tobytes())
        if key == self._points_key:
            return
        self._points_key = key
        k = len(CLASS_COLORS)
        lab = np.asarray(labels, dtype=np.int64) % k
        fill = lab if predicted is None else np.asarray(predicted, dtype=np.int64) % k
        code = (lab * k + fill) * 2 + np.asarray(test_mask, dtype=np.int64) + (2 * k * k if predicted is None else 0)
        self.points.set_points(xy, code)

    @property
    def point_count(self) -> int:
        """How many points are drawn."""
        return len(self.points)


# -- loss and accuracy -----------------------------------------------------------------------------------

class LossView:
    """Training and test loss per iteration on a log scale; the noisy batch loss in grey under mini-batches."""

    def __init__(self) -> None:
        self.widget = make_plot("Loss per iteration", "iteration", "loss (log)", grid=False)
        self.plot = self.widget.getPlotItem()
        set_log_y(self.plot)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        legend = add_legend(self.plot, (-8, 8))
        self.batch = pg.PlotDataItem(pen=pg.mkPen(BATCH_COLOR, width=1))
        self.train = pg.PlotDataItem(pen=pg.mkPen(TRAIN_COLOR, width=1.5))
        self.test = pg.PlotDataItem(pen=pg.mkPen(TEST_COLOR, width=1.5))
        for item in (self.batch, self.train, self.test):
            self.plot.addItem(item)
        legend.addItem(self.train, "train")
        legend.addItem(self.test, "test")
        legend.addItem(self.batch, "batch")
        legend.setParentItem(self.plot.getViewBox())
        self.range = StickyRange(self.plot, log_y=True)
        self._step = -1

    def update(self, snap: NetworkSnapshot) -> None:
        m = snap.metrics
        if not len(m):
            for item in (self.batch, self.train, self.test):
                item.setData([], [])
            self.range.reset()
            return
        steps = m[:, 0]
        train = np.maximum(m[:, 1], LOG_FLOOR)
        self.train.setData(steps, train)
        low, high = float(np.nanmin(train)), float(np.nanmax(train))
        if snap.n_test:
            test = np.maximum(m[:, 2], LOG_FLOOR)
            self.test.setData(steps, test)
            low, high = min(low, float(np.nanmin(test))), max(high, float(np.nanmax(test)))
        else:
            self.test.setData([], [])
        h = snap.loss_history
        if snap.batch_size < snap.n_train and len(h):
            self.batch.setData(h[:, 0], np.maximum(h[:, 1], LOG_FLOOR))
        else:
            self.batch.setData([], [])
        if snap.step < self._step or snap.step == 0:
            self.range.reset()
        self._step = snap.step
        self.range.update(float(steps[-1]), low, high)


class AccuracyView:
    def __init__(self) -> None:
        self.widget = make_plot("Accuracy", "iteration", "share correct", grid=False)
        self.plot = self.widget.getPlotItem()
        legend = add_legend(self.plot, (-8, -8))
        self.train = pg.PlotDataItem(pen=pg.mkPen(TRAIN_COLOR, width=1.5))
        self.test = pg.PlotDataItem(pen=pg.mkPen(TEST_COLOR, width=1.5))
        for item, name in ((self.train, "train"), (self.test, "test")):
            self.plot.addItem(item)
            legend.addItem(item, name)
        legend.setParentItem(self.plot.getViewBox())
        self.range = StickyRange(self.plot)
        self._step = -1

    def update(self, snap: NetworkSnapshot) -> None:
        m = snap.metrics
        if not len(m):
            self.train.setData([], [])
            self.test.setData([], [])
            return
        self.train.setData(m[:, 0], m[:, 3])
        self.test.setData(*((m[:, 0], m[:, 4]) if snap.n_test else ([], [])))
        if snap.step < self._step or snap.step == 0:
            self.range.reset()
        self._step = snap.step
        self.range.update(float(m[-1, 0]), 0.0, 1.0)


# -- gradient flow ---------------------------------------------------------------------------------------

RATIO_HELP = (
    "The ratio ‖∂E/∂W₁‖ / ‖∂E/∂W_out‖ compares the gradient reaching the first weight layer with the output "
    "layer's. Far below 1: the gradient vanishes on its way back, because each sigmoid layer passes on at most "
    "‖W‖/4 of it (σ' <= 1/4). It is read at step 0 (marked ○ on the curves) and now. It can rise later without "
    "anything being cured: once the output saturates (the network predicts one constant), σ' there is near 0 "
    "too, so the output layer's own gradient shrinks and the ratio compares two small numbers. The dashed "
    "curves are the same network trained with the other activation (sigmoid ↔ ReLU), for comparison."
)


class GradientFlowView:
    """‖∂E/∂W_l‖ per weight layer over iterations (log scale): with a deep sigmoid network the early
    layers' curves sit orders of magnitude below the last layer's (the vanishing gradient). Step 0 is
    marked; another run (``set_reference``: the same network with the other activation) is drawn dashed;
    the readout gives the layer-1/output ratio now and at step 0, and the true per-layer bound."""

    MAX_LAYERS = 7

    def __init__(self) -> None:
        self.widget = make_plot("Gradient flow: ‖∂E/∂W‖ per layer", "iteration", "‖∂E/∂W‖ (log)", grid=False)
        self.widget.setToolTip(RATIO_HELP)
        self.plot = self.widget.getPlotItem()
        set_log_y(self.plot)
        self.legend = add_legend(self.plot, (-8, 66))  # below the ratio readout (top left, four lines)
        self.legend.setParentItem(self.plot.getViewBox())
        self.curves = [pg.PlotDataItem(pen=pg.mkPen("#000000", width=1.5)) for _ in range(self.MAX_LAYERS)]
        for c in self.curves:
            self.plot.addItem(c)
        # the other activation's run: its layer 1 and output layer, dashed (drawn under this run's)
        self.ref_first = pg.PlotDataItem(pen=pg.mkPen("#777777", width=1.5, style=Qt.PenStyle.DashLine))
        self.ref_last = pg.PlotDataItem(pen=pg.mkPen("#777777", width=1.5, style=Qt.PenStyle.DotLine))
        for c in (self.ref_first, self.ref_last):
            c.setZValue(-1)
            self.plot.addItem(c)
        self.reference: GradientFlowReference | None = None
        # step 0: a ring on each layer's curve
        self.start = pg.PlotDataItem(pen=None, symbol="o", symbolSize=10, symbolBrush=None,
                                     symbolPen=pg.mkPen("#222222", width=1.5))
        self.plot.addItem(self.start)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.ratio = pg.TextItem("", color="#333333", anchor=(0, 0), fill=pg.mkBrush(255, 255, 255, 210))
        self.ratio.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # its filled box: ~2 ms a paint
        self.ratio.setParentItem(self.plot.getViewBox())
        self.range = StickyRange(self.plot, log_y=True)
        self._layers = -1
        self._step = -1
        self.ratio_text = ""

    def _set_layers(self, n: int) -> None:
        self._layers = n
        self.legend.clear()  # only when the architecture changes, not per frame
        colors = layer_colors(n)
        for i, c in enumerate(self.curves):
            if i < n:
                c.setPen(pg.mkPen(colors[i], width=1.5))
                if i == 0 or i == n - 1:  # the layers between shade from one to the other
                    self.legend.addItem(c, "layer 1" if i == 0 else "output")
                c.show()
            else:
                c.setData([], [])
                c.hide()
        self.legend.addItem(self.start, "step 0")
        if self.reference is not None and len(self.reference.rows) and self.reference.rows.shape[1] == n + 1:
            name = "ReLU" if self.reference.activation == "relu" else self.reference.activation
            self.legend.addItem(self.ref_first, f"{name}: layer 1")
            self.legend.addItem(self.ref_last, f"{name}: output")
        else:
            self.reference = None
            self.ref_first.setData([], [])
            self.ref_last.setData([], [])
        self.range.reset()

    def set_reference(self, reference: GradientFlowReference | None) -> None:
        """Draw another run's layer-1 and output-layer norms dashed (None: none). Kept until the
        architecture changes."""
        self.reference = reference
        if reference is None or not len(reference.rows):
            self.ref_first.setData([], [])
            self.ref_last.setData([], [])
        else:
            rows = reference.rows
            steps = rows[:, 0]
            self.ref_first.setData(steps, np.maximum(rows[:, 1], LOG_FLOOR))
            self.ref_last.setData(steps, np.maximum(rows[:, -1], LOG_FLOOR))
        n, self._layers = self._layers, -1  # the legend again, with or without the reference
        if n > 0:
            self._set_layers(n)

    def update(self, snap: NetworkSnapshot) -> None:
        L = len(snap.layer_sizes) - 1 if snap.layer_sizes else 0
        if L != self._layers:
            self._set_layers(L)
        rows = snap.layer_stats
        if L <= 0 or not len(rows):
            for c in self.curves:
                c.setData([], [])
            self.start.setData([], [])
            self.ratio.setText("")
            self.ratio_text = ""
            return
        steps = rows[:, 0]
        norms = np.maximum(rows[:, 1 : 1 + L], LOG_FLOOR)
        for i in range(L):
            self.curves[i].setData(steps, norms[:, i])
        at_start = rows[0, 0] == 0  # thinning keeps step 0
        if at_start:
            self.start.setData(np.zeros(L), norms[0])
        else:
            self.start.setData([], [])
        if snap.step < self._step or snap.step == 0:
            self.range.reset()
        self._step = snap.step
        lo, hi = float(norms.min()), float(norms.max())
        if self.reference is not None and len(self.reference.rows):
            ref = self.reference.rows
            ref = ref[ref[:, 0] <= max(float(steps[-1]), 1.0)]
            if len(ref):
                vals = np.maximum(ref[:, [1, -1]], LOG_FLOOR)
                lo, hi = min(lo, float(vals.min())), max(hi, float(vals.max()))
        self.range.update(float(steps[-1]), lo, hi)
        text = self._ratio_text(snap, norms[0] if at_start else None)
        if text != self.ratio_text:  # laying out a text item costs more than the curves
            self.ratio_text = text
            self.ratio.setText(text)
            self.ratio.setPos(2, 2)

    @staticmethod
    def _ratio_text(snap: NetworkSnapshot, start: np.ndarray | None) -> str:
        g = snap.grad_norms
        L = len(g)
        if L <= 1 or not g[-1] > 0:
            return ""
        now = g[0] / g[-1]
        first = None
        if start is not None and start[-1] > 0:
            first = float(start[0] / start[-1])
        text = "layer 1 / output:"
        if first is not None:
            text += f"\n  {first:.2g} at step 0"
        text += f"\n  {now:.2g} now"
        if first is not None and now > 10 * first and snap.activation == "sigmoid":
            text += " (output saturated)"
        bounds = backward_gain_bounds(snap.coefs, snap.activation) if snap.activation == "sigmoid" else ()
        if bounds:  # (a spectral norm per layer: only where it is shown)
            text += "\nper layer ≤ ‖W‖/4: " + " ".join(f"{b:.1f}" for b in bounds)
        return text


class LayerProfileView:
    """Per layer, now: ‖∂E/∂W_l‖ against depth (log, left axis; dashed: at step 0), and as bars the share of
    each hidden layer's units that are flat: saturated (sigmoid/tanh: slope under 10 % of its maximum) or
    dead (ReLU: z <= 0 for every training point) (right axis, 0 to 1). A deep sigmoid network's line falls
    steeply towards layer 1; with ReLU it stays level."""

    def __init__(self) -> None:
        self.widget = make_plot("Per layer: ‖∂E/∂W‖ and flat units", "layer (1: nearest the input)",
                                "‖∂E/∂W‖ (log)", grid=False)
        self.plot = self.widget.getPlotItem()
        set_log_y(self.plot)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        # bars on a second view box sharing x, with their own 0..1 axis on the right
        self.bar_box = pg.ViewBox(enableMenu=False)  # behind the plot's own view, which takes the clicks
        self.plot.showAxis("right")
        self.plot.scene().addItem(self.bar_box)
        self.plot.getAxis("right").linkToView(self.bar_box)
        self.plot.getAxis("right").setLabel("share of units flat", color="#9467bd")
        self.plot.getAxis("right").setWidth(46)  # room for "0.5" and the label: the narrow plot squeezed it out
        self.bar_box.setXLink(self.plot)
        self.bar_box.setYRange(0, 1.05, padding=0)
        self.bar_box.setMouseEnabled(x=False, y=False)
        self.bar_box.setZValue(-5)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.5, brush=pg.mkBrush(148, 103, 189, 110), pen=None)
        self.bar_box.addItem(self.bars)
        self.plot.getViewBox().sigResized.connect(self._sync)
        self.start = pg.PlotDataItem(pen=pg.mkPen("#888888", width=1.5, style=Qt.PenStyle.DashLine),
                                     symbol="o", symbolSize=5, symbolBrush="#888888", symbolPen=None)
        self.now = pg.PlotDataItem(pen=pg.mkPen("#222222", width=2), symbol="o", symbolSize=7,
                                   symbolBrush="#222222", symbolPen=None)
        for item in (self.start, self.now):
            self.plot.addItem(item)
        legend = add_legend(self.plot, (6, 4))
        legend.addItem(self.now, "now")
        legend.addItem(self.start, "at step 0")
        self._start: tuple[float, ...] = ()
        self._key: tuple | None = None
        self._yrange: tuple[float, float] | None = None
        self._layers: tuple[int, str] = (-1, "")  # (weight layers, flat kind) the axes are for
        self._sync()

    def _sync(self, *_args) -> None:
        self.bar_box.setGeometry(self.plot.getViewBox().sceneBoundingRect())

    def update(self, snap: NetworkSnapshot) -> None:
        g = snap.grad_norms
        L = len(g)
        rows = snap.layer_stats
        # the first recorded row is step 0 (thinning keeps it): the gradients the run started with
        self._start = tuple(rows[0, 1 : 1 + L]) if len(rows) and rows[0, 0] == 0 and rows.shape[1] > L else ()
        key = (tuple(g), self._start, tuple(snap.flat_fractions), snap.flat_kind)
        if key == self._key:
            return
        self._key = key
        x = np.arange(1, L + 1)
        self.now.setData(*finite_xy(x, np.maximum(np.asarray(g, dtype=float), LOG_FLOOR)))
        if len(self._start) == L and L:
            self.start.setData(*finite_xy(x, np.maximum(np.asarray(self._start, dtype=float), LOG_FLOOR)))
        else:
            self.start.setData([], [])
        f = np.nan_to_num(np.asarray(snap.flat_fractions, dtype=float))
        self.bars.setOpts(x=np.arange(1, len(f) + 1), height=f, width=0.5)
        if (L, snap.flat_kind) != self._layers:  # axes only when the architecture changes
            self._layers = (L, snap.flat_kind)
            self._yrange = None
            # short: the axis is as tall as a small plot (saturated: slope < 10 % of its maximum; dead: z <= 0
            # for every training point; see the class docstring)
            label = {"saturated": "saturated", "dead": "dead", "zero-slope": "zero slope"}.get(snap.flat_kind,
                                                                                             "flat")
            self.plot.getAxis("right").setLabel(f"share {label}", color="#9467bd")
            self.plot.setXRange(0.5, max(L, 1) + 0.5, padding=0)
            self.plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(1, L + 1)]])
        vals = [v for v in (*g, *self._start) if v > 0 and math.isfinite(v)]
        if vals:
            lo, hi = math.log10(min(vals)), math.log10(max(vals))
            r = self._yrange
            # sticky: move the axis only when the values leave it or fill less than a third of it
            if r is None or lo < r[0] or hi > r[1] or (hi - lo) < (r[1] - r[0]) / 3 - 1.0:
                mid, half = (lo + hi) / 2, max((hi - lo) / 2, 1.0) + 0.5
                self._yrange = (mid - half, mid + half + 0.3 * half)  # top: room for the legend
                self.plot.setYRange(*self._yrange, padding=0)


# -- activation function -----------------------------------------------------------------------------------

class ActivationView:
    def __init__(self) -> None:
        self.widget = make_plot("Activation", "z", "", grid=True)
        self.plot = self.widget.getPlotItem()
        self.value = pg.PlotDataItem(pen=pg.mkPen("#1f77b4", width=2))
        self.slope = pg.PlotDataItem(pen=pg.mkPen("#ff7f0e", width=2, style=Qt.PenStyle.DashLine))
        for item in (self.value, self.slope):
            self.plot.addItem(item)
        # every activation here is flat or low on the left: the formulas fit in the top-left corner
        self.formula = pg.TextItem("", anchor=(0, 0), fill=pg.mkBrush(255, 255, 255, 200))
        self.formula.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # its filled box: ~2 ms a paint
        self.formula.setParentItem(self.plot.getViewBox())
        self.formula.setPos(2, 2)
        self.plot.setMouseEnabled(x=False, y=False)
        self._key: tuple | None = None

    def set_activation(self, name: str, leaky_slope: float) -> None:
        key = (name, leaky_slope)
        if key == self._key:
            return
        self._key = key
        c = activation_curve(name, (-5.0, 5.0), 401, leaky_slope)
        self.value.setData(c.z, c.value)
        self.slope.setData(c.z, c.derivative)
        label = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "step": "binary step"}.get(name, name)
        self.plot.setTitle(f"{label}: <span style='color:#1f77b4'>f(z)</span> and "
                           f"<span style='color:#ff7f0e'>f′(z)</span>", size="9pt")
        self.formula.setHtml(f"<span style='font-size:8pt; color:#222'>{html.escape(c.formula)}<br>"
                             f"{html.escape(c.derivative_formula)}</span>")
        lo = min(float(c.value.min()), float(c.derivative.min()), -0.1)
        hi = max(float(c.value.max()), float(c.derivative.max()), 1.1)
        hi = min(hi, 5.2)
        self.plot.setRange(xRange=(-5, 5), yRange=(lo, hi + 0.5 * (hi - lo)), padding=0.03)  # room for the text


# -- loss landscape ----------------------------------------------------------------------------------------

class LandscapeView:
    """E on a 2-D slice through the current weights (log colours), contours, the projected path."""

    N_LEVELS = 12

    def __init__(self) -> None:
        self.widget = make_plot("Loss landscape", "α (direction 1)", "β (direction 2)", grid=False)
        self.plot = self.widget.getPlotItem()
        for name in ("left", "bottom"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.heatmap = Heatmap(self.plot, self.N_LEVELS, contour_pen=pg.mkPen((255, 255, 255, 120), width=1))
        self.image, self.contours = self.heatmap.image, self.heatmap.contours
        self.path = pg.PlotDataItem(pen=pg.mkPen("#ffffff", width=2), symbol="o", symbolSize=3,
                                    symbolBrush="w", symbolPen=None)
        self.start = pg.ScatterPlotItem(size=10, symbol="s", brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=1.5))
        self.current = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("#d62728"), pen=pg.mkPen("w", width=1.5))
        for item in (self.path, self.start, self.current):
            item.setZValue(10)
            self.plot.addItem(item)
        self.info = pg.TextItem("", anchor=(0, 0), fill=pg.mkBrush(255, 255, 255, 200), color="#222222")
        self.info.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # its filled box: ~2 ms a paint
        self.info.setParentItem(self.plot.getViewBox())
        self.info.setPos(2, 2)
        self.landscape: LossLandscape | None = None
        self.info.setText(self.EMPTY)

    EMPTY = "Not computed yet:\npress Refresh landscape,\nor tick 'every 3 s'."

    def _show_title(self, stale: bool) -> None:
        at = f", step {self._step:,}" if self._step is not None else ""
        self.plot.setTitle(f"Loss landscape{at}{' (stale)' if stale else ''}", size="10pt")
        note = "\nStale: settings or data changed\nsince; press Refresh landscape." if stale else ""
        self.info.setText(f"log₁₀ E; path from ■ to ●\n{self._what}{note}")

    def set_stale(self, stale: bool) -> None:
        """Say that the picture is of a run the settings or data have since replaced."""
        if self.landscape is not None and stale != self.stale:
            self.stale = stale
            self._show_title(stale)

    stale = False
    _step: int | None = None
    _what = ""

    def set_landscape(self, land: LossLandscape | None, step: int | None = None) -> None:
        self.landscape = land
        self.stale = False
        if land is None:
            self.heatmap.clear()
            for item in (self.path, self.start, self.current):
                item.setData([], [])
            self.info.setText(self.EMPTY)
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log10(np.maximum(np.nan_to_num(land.loss, nan=np.inf, posinf=np.nan), 1e-12))
        finite = np.isfinite(z)
        if not finite.any():
            self.image.clear()
            self.info.setText("The loss is not finite\non this slice: did\ntraining diverge?")
            return
        lo, hi = float(z[finite].min()), float(np.percentile(z[finite], 98))
        hi = hi if hi > lo else lo + 1.0
        z = np.where(finite, np.minimum(z, hi), hi)
        a, b = land.alphas, land.betas
        self.heatmap.set(z.astype(np.float32), (lo, hi), (a[0], a[-1]), (b[0], b[-1]))
        path = land.path[np.isfinite(land.path).all(axis=1)]
        self.path.setData(path[:, 0], path[:, 1], symbol="o" if len(path) < 200 else None)
        self.start.setData(path[:1, 0], path[:1, 1])
        self.current.setData(path[-1:, 0], path[-1:, 1])
        if land.method == "pca" and all(math.isfinite(e) for e in land.explained):
            what = f"PCA: {land.explained[0]:.0%} + {land.explained[1]:.0%} of the path"
        else:
            what = "random directions"
        if land.method == "pca" and what == "random directions":
            what = "random directions (the path is\ntoo short or straight for PCA)"
        if "big network" in land.message:  # a coarser grid, perhaps a sample of the points (said briefly)
            h, w = land.loss.shape
            sample = re.search(r"over ([\d,]+) of the ([\d,]+) training points", land.message)
            what += f"\nbig network: {h}×{w} grid" + (f",\n{sample[1]} of {sample[2]} points" if sample else "")
        self._step, self._what = step, what
        self._show_title(stale=False)
        self.plot.getViewBox().setRange(xRange=(a[0], a[-1]), yRange=(b[0], b[-1]), padding=0)
