"""The network drawn as a graph: every unit as a small picture of its output over the input plane, every
weight as a line whose width is |w| and whose colour is its sign. Hovering a unit or a line tells its value.

Cheap to update: the unit pictures are pixmaps replaced in place, and all the lines are drawn by one item
as a dozen pre-built paths (one per width/sign bucket, built with ``arrayToQPath(connect="pairs")``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QToolTip,
)

from gdplay.core.network import NeuronMaps, make_features
from gdplay.ui.network.controls import FEATURE_LABELS

UNIT = 1.0  # a unit's picture is UNIT x UNIT scene units
DX = 3.4  # distance between layers
DY = 1.3  # distance between units of a layer
WIDTH_BUCKETS = 6
POSITIVE = QColor("#d62728")
NEGATIVE = QColor("#1f77b4")


def _lut() -> np.ndarray:
    # blue (negative / low) - white - red (positive / high), as RGBA bytes for QImage.Format_RGBA8888
    cmap = pg.ColorMap([0.0, 0.5, 1.0], [(31, 119, 180), (250, 250, 250), (214, 39, 40)])
    return cmap.getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)


LUT = _lut()


def colourise(values: np.ndarray, levels: tuple[float, float]) -> QPixmap:
    """A (size, size) map (row 0 = the bottom of the plane) as a pixmap through the blue-white-red LUT."""
    lo, hi = levels
    values = np.asarray(values, dtype=np.float64)
    if not (np.isfinite(lo) and np.isfinite(hi)):  # weights blown up: colour by what is finite
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = (np.nan_to_num(values, nan=lo, posinf=hi, neginf=lo) - lo) * (255.0 / span)
    idx = np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)
    rgba = np.ascontiguousarray(LUT[idx[::-1]])  # QImage rows run top-down
    h, w = idx.shape
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image.copy())


class EdgesItem(QGraphicsItem):
    """All weights as lines: per bucket (sign x width) one QPainterPath."""

    def __init__(self) -> None:
        super().__init__()
        self._paths: list[tuple[QPen, QPainterPath]] = []
        self._rect = QRectF()
        self.setZValue(-1)

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_edges(self, segments: np.ndarray, weights: np.ndarray, rect: QRectF) -> None:
        """segments (m, 2, 2) in scene coordinates, weights (m,)."""
        self.prepareGeometryChange()
        self._rect = rect
        self._paths = []
        if len(weights):
            mag = np.abs(weights)
            top = float(mag.max()) or 1.0
            bucket = np.minimum((mag / top * WIDTH_BUCKETS).astype(int), WIDTH_BUCKETS - 1)
            for sign, colour in ((1, POSITIVE), (-1, NEGATIVE)):
                for b in range(WIDTH_BUCKETS):
                    sel = (bucket == b) & ((weights >= 0) if sign > 0 else (weights < 0))
                    if not sel.any():
                        continue
                    flat = segments[sel].reshape(-1, 2)
                    c = QColor(colour)
                    c.setAlpha(int(70 + 185 * (b + 1) / WIDTH_BUCKETS))
                    pen = QPen(c)
                    pen.setWidthF(0.4 + 3.6 * (b + 0.5) / WIDTH_BUCKETS)
                    pen.setCosmetic(True)
                    self._paths.append((pen, pg.arrayToQPath(flat[:, 0], flat[:, 1], connect="pairs")))
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for pen, path in self._paths:
            painter.setPen(pen)
            painter.drawPath(path)


class NetworkDiagram(QGraphicsView):
    """``hovered(text)`` describes the unit or weight under the mouse (for the status bar)."""

    hovered = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setBackgroundBrush(QColor("white"))
        self.setMinimumSize(220, 180)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.edges = EdgesItem()
        self.scene().addItem(self.edges)
        self.sizes: tuple[int, ...] = ()
        self.features: tuple[str, ...] = ()
        self.units: list[list[QGraphicsPixmapItem]] = []
        self.centres: list[np.ndarray] = []  # per layer (n, 2) unit centres
        self._frames: list[QGraphicsRectItem] = []
        self._labels: list[QGraphicsSimpleTextItem] = []
        self._layer_labels: list[tuple[QGraphicsSimpleTextItem, str, str]] = []  # (item, long, short) per layer
        self._tags: list[tuple[QGraphicsSimpleTextItem, float, float]] = []  # input names, by unit centre
        self._content = QRectF()
        self._segments = np.empty((0, 2, 2))
        self._edge_ids: list[tuple[int, int, int]] = []  # (weight layer, from unit, to unit) per segment
        self._weights = np.empty(0)
        self._coefs: Sequence[np.ndarray] = ()
        self._intercepts: Sequence[np.ndarray] = ()
        self._input_key: tuple | None = None
        title = QGraphicsSimpleTextItem("Network")
        title.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._empty = title
        self.scene().addItem(title)

    # -- structure (only when the architecture changes) ------------------------------------------------
    def set_structure(self, sizes: tuple[int, ...], features: tuple[str, ...]) -> None:
        if (sizes, features) == (self.sizes, self.features):
            return
        self.sizes, self.features = sizes, features
        scene = self.scene()
        for row in self.units:
            for item in row:
                scene.removeItem(item)
        for item in (*self._frames, *self._labels):
            scene.removeItem(item)
        self.units, self.centres, self._frames, self._labels = [], [], [], []
        self._layer_labels, self._tags = [], []
        self._input_key = None
        self._empty.setVisible(not sizes)
        if not sizes:
            self._segments = np.empty((0, 2, 2))
            self._edge_ids = []
            self.edges.set_edges(self._segments, np.empty(0), QRectF())
            return
        frame_pen = QPen(QColor("#555555"))
        frame_pen.setCosmetic(True)
        for li, n in enumerate(sizes):
            ys = (np.arange(n) - (n - 1) / 2) * DY
            centres = np.column_stack([np.full(n, li * DX), ys])
            self.centres.append(centres)
            row = []
            for cx, cy in centres:
                item = QGraphicsPixmapItem()
                item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
                item.setPos(cx - UNIT / 2, cy - UNIT / 2)
                scene.addItem(item)
                row.append(item)
                frame = QGraphicsRectItem(cx - UNIT / 2, cy - UNIT / 2, UNIT, UNIT)
                frame.setPen(frame_pen)
                frame.setZValue(1)
                scene.addItem(frame)
                self._frames.append(frame)
            self.units.append(row)
            # a long and a short name: _place_labels takes the short ones when the long would touch
            if li == 0:
                names = ("inputs", "in")
            elif li == len(sizes) - 1:
                names = ("output", "out")
            else:
                names = (f"hidden {li}", f"h{li}")
            if li == 0:
                for u, (cx, cy) in enumerate(centres):
                    name = FEATURE_LABELS.get(features[u], features[u]) if u < len(features) else f"x{u + 1}"
                    tag = self._text(name)
                    self._tags.append((tag, float(cx), float(cy)))
            label = self._text(names[0])
            self._layer_labels.append((label, *names))
        segs, ids = [], []
        for li in range(len(sizes) - 1):
            a, b = self.centres[li], self.centres[li + 1]
            for i in range(len(a)):
                for j in range(len(b)):
                    segs.append(((a[i, 0] + UNIT / 2, a[i, 1]), (b[j, 0] - UNIT / 2, b[j, 1])))
                    ids.append((li, i, j))
        self._segments = np.array(segs, dtype=np.float64).reshape(-1, 2, 2)
        self._edge_ids = ids
        allc = np.vstack(self.centres)
        rect = QRectF(float(allc[:, 0].min()) - UNIT, float(allc[:, 1].min()) - UNIT,
                      float(np.ptp(allc[:, 0])) + 2 * UNIT, float(np.ptp(allc[:, 1])) + 2 * UNIT)
        self.edges.set_edges(self._segments, np.zeros(len(ids)), rect)
        self._content = QRectF(float(allc[:, 0].min()) - UNIT / 2, float(allc[:, 1].min()) - UNIT / 2,
                               float(np.ptp(allc[:, 0])) + UNIT, float(np.ptp(allc[:, 1])) + UNIT)
        self._fit()

    def _text(self, text: str) -> QGraphicsSimpleTextItem:
        """A label drawn at the window's text size whatever the diagram's scale."""
        item = QGraphicsSimpleTextItem(text)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        item.setBrush(QColor("#333333"))
        item.setFont(self.font())
        self.scene().addItem(item)
        self._labels.append(item)
        return item

    def _fit(self) -> None:
        """Fit the units to the view with room, in pixels, for the labels around them; then place them."""
        r = self._content
        if not (r.isValid() and self.sizes):
            return
        fm = QFontMetricsF(self.font())
        tag_w = max((fm.horizontalAdvance(t.text()) for t, _x, _y in self._tags), default=0.0)
        head_w = max((fm.horizontalAdvance(long) for _i, long, _s in self._layer_labels), default=0.0)
        for _ in range(2):  # margins in pixels depend on the scale they set: twice is close enough
            k = max(self.transform().m11(), 1e-6)
            left = max((tag_w + 6) / k, head_w / 2 / k - UNIT / 2, 0.2)
            right = max(head_w / 2 / k - UNIT / 2, 0.2)
            self.scene().setSceneRect(r.adjusted(-left, -(fm.height() + 6) / k, right, 0.2))
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._place_labels(fm)

    def _place_labels(self, fm: QFontMetricsF) -> None:
        k = max(self.transform().m11(), 1e-6)
        gap = DX * k  # pixels between two layers' centres
        short = any(fm.horizontalAdvance(long) + 8 > gap for _i, long, _s in self._layer_labels)
        top = self._content.top()
        for li, (item, long, brief) in enumerate(self._layer_labels):
            item.setFont(self.font())
            item.setText(brief if short else long)
            w = fm.horizontalAdvance(item.text())
            item.setPos(li * DX - w / 2 / k, top - (fm.height() + 3) / k)  # centred over its column
        for item, cx, cy in self._tags:
            item.setFont(self.font())
            w = fm.horizontalAdvance(item.text())
            item.setPos(cx - UNIT / 2 - (w + 4) / k, cy - fm.height() / 2 / k)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # lecture mode, Ctrl++
            self._fit()

    # -- values (at most ~10 times a second) ---------------------------------------------------------------
    def set_inputs(self, x_range: tuple[float, float], y_range: tuple[float, float], size: int) -> None:
        """Pictures of the input features over the plane (they change only with the range)."""
        key = (tuple(x_range), tuple(y_range), size, self.features)
        if key == self._input_key or not self.units:
            return
        self._input_key = key
        xs, ys = np.linspace(*x_range, size), np.linspace(*y_range, size)
        pts = np.column_stack([np.tile(xs, size), np.repeat(ys, size)])
        F = make_features(pts, self.features)
        for i, item in enumerate(self.units[0]):
            v = F[:, i].reshape(size, size)
            lo, hi = float(v.min()), float(v.max())
            m = max(abs(lo), abs(hi)) or 1.0
            item.setPixmap(colourise(v, (-m, m)))
            item.setScale(UNIT / size)

    def set_values(self, coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray],
                   maps: NeuronMaps | None) -> None:
        self._coefs, self._intercepts = coefs, intercepts
        if not self.units or len(coefs) != len(self.sizes) - 1:
            return
        if maps is not None and len(maps.layers) == len(self.units) - 1:
            size = maps.layers[0].shape[-1] if maps.layers else 24
            self.set_inputs(maps.x_range, maps.y_range, size)
            for li, (layer, levels) in enumerate(zip(maps.layers, maps.levels)):
                row = self.units[li + 1]
                if layer.shape[0] != len(row):
                    continue
                for u, item in enumerate(row):
                    item.setPixmap(colourise(layer[u], levels))
                    item.setScale(UNIT / layer.shape[-1])
        weights = np.concatenate([np.asarray(W).ravel() for W in coefs]) if coefs else np.empty(0)
        if len(weights) == len(self._segments):
            self._weights = weights
            self.edges.set_edges(self._segments, weights, self.edges.boundingRect())

    # -- hover ----------------------------------------------------------------------------------------------
    def describe(self, p: QPointF) -> str:
        x, y = p.x(), p.y()
        for li, c in enumerate(self.centres):
            hit = np.flatnonzero((np.abs(c[:, 0] - x) <= UNIT / 2) & (np.abs(c[:, 1] - y) <= UNIT / 2))
            if len(hit):
                u = int(hit[0])
                if li == 0:
                    name = self.features[u] if u < len(self.features) else f"x{u + 1}"
                    return f"input {u + 1}: {name} (its value over the plane)"
                b = self._intercepts[li - 1][u] if len(self._intercepts) >= li else float("nan")
                where = "output" if li == len(self.sizes) - 1 else f"hidden layer {li}"
                return f"{where}, unit {u + 1}: bias b = {b:.4g} (picture: the unit's output over the plane)"
        if not len(self._segments) or len(self._weights) != len(self._segments):
            return ""
        s = self._segments
        a, b = s[:, 0], s[:, 1]
        d = b - a
        t = np.clip(((x - a[:, 0]) * d[:, 0] + (y - a[:, 1]) * d[:, 1]) / np.maximum((d * d).sum(1), 1e-12), 0, 1)
        px, py = a[:, 0] + t * d[:, 0], a[:, 1] + t * d[:, 1]
        dist = np.hypot(px - x, py - y)
        k = int(dist.argmin())
        tol = 6.0 / max(self.transform().m11(), 1e-6)  # 6 pixels in scene units
        if dist[k] > tol:
            return ""
        li, i, j = self._edge_ids[k]
        src = "input" if li == 0 else f"hidden {li}"
        dst = "output" if li == len(self.sizes) - 2 else f"hidden {li + 1}"
        return (f"weight W{li + 1}[{i + 1}, {j + 1}] from {src} unit {i + 1} to {dst} unit {j + 1} "
                f"= {self._weights[k]:.4g}")

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        text = self.describe(self.mapToScene(event.position().toPoint()))
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
            self.hovered.emit(text)
        else:
            QToolTip.hideText()
