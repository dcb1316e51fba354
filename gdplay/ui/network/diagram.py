"""The network drawn as a graph: every unit as a small picture of its output over the input plane, every
weight as a line whose width is |w| and whose colour is its sign. Hovering a unit or a line tells its value.

Cheap to update at every size the controls allow (6 hidden layers of 32 units: 193 pictures, 5,376 weights):
each layer's pictures are one pixmap (an atlas, coloured in one vectorised lookup) drawn by one item; the
lines are one item with a dozen pre-built paths (one per width/sign bucket, ``arrayToQPath(connect="pairs")``),
of at most MAX_EDGES_DRAWN lines: a big network shows its strongest weights and says so, and is drawn
without antialiasing. Every weight can still be hovered."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QLabel,
    QToolTip,
)

from gdplay.core.network import NeuronMaps, make_features
from gdplay.ui.network.controls import FEATURE_LABELS

UNIT = 1.0  # a unit's picture is UNIT x UNIT scene units
DX = 3.4  # distance between layers
DY = 1.3  # distance between units of a layer
WIDTH_BUCKETS = 6
MAX_EDGES_DRAWN = 320  # beyond this many lines, only the strongest of each weight layer are drawn
ANTIALIAS_EDGES = 150  # antialiased wide lines cost ~20-80 µs each on the raster engine: small networks only
MAP_SIZE = 24  # a unit's picture, in grid points across
COARSE_MAP_SIZE = 12  # ... in a network with more than COARSE_UNITS units (a quarter of the work to compute)
COARSE_UNITS = 64


def map_size(layer_sizes: Sequence[int]) -> int:
    """How fine the unit pictures of a network with these layer sizes are computed."""
    return COARSE_MAP_SIZE if sum(layer_sizes[1:]) > COARSE_UNITS else MAP_SIZE


def strongest(coefs: Sequence[np.ndarray], budget: int = MAX_EDGES_DRAWN) -> np.ndarray:
    """A mask over all weights (flattened layer after layer) of those to draw: all of them if there are at
    most ``budget``, else in each layer its share of the budget, strongest |w| first (at least 8 each)."""
    sizes = [int(np.size(W)) for W in coefs]
    total = sum(sizes)
    keep = np.ones(total, dtype=bool)
    if total <= budget:
        return keep
    start = 0
    for W, m in zip(coefs, sizes):
        k = min(m, max(8, round(budget * m / total)))
        mag = np.abs(np.nan_to_num(np.asarray(W, dtype=np.float64).ravel()))
        part = keep[start : start + m]
        part[:] = False
        part[np.argpartition(-mag, k - 1)[:k] if k < m else slice(None)] = True
        start += m
    return keep
POSITIVE = QColor("#d62728")
NEGATIVE = QColor("#1f77b4")


def _lut() -> np.ndarray:
    # blue (negative / low) - white - red (positive / high), as RGBA bytes for QImage.Format_RGBA8888
    cmap = pg.ColorMap([0.0, 0.5, 1.0], [(31, 119, 180), (250, 250, 250), (214, 39, 40)])
    return cmap.getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)


LUT = _lut()


def _indices(values: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """LUT indices 0..255 of ``values`` within ``levels`` (non-finite levels: the finite values' range)."""
    lo, hi = levels
    values = np.asarray(values, dtype=np.float32)
    if not (np.isfinite(lo) and np.isfinite(hi)):  # weights blown up: colour by what is finite
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = (values - np.float32(lo)) * np.float32(255.0 / span)
    # NaN goes to the low end (as nan_to_num(nan=lo) did), +inf to the top, -inf to the bottom
    scaled = np.where(np.isnan(scaled), 0.0, scaled)
    return np.clip(scaled, 0, 255).astype(np.uint8)


def colourise(values: np.ndarray, levels: tuple[float, float]) -> QPixmap:
    """A (size, size) map (row 0 = the bottom of the plane) as a pixmap through the blue-white-red LUT."""
    idx = _indices(values, levels)
    rgba = np.ascontiguousarray(LUT[idx[::-1]])  # QImage rows run top-down
    h, w = idx.shape
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image.copy())


def atlas(maps: np.ndarray, levels: tuple[float, float] | Sequence[tuple[float, float]]) -> QPixmap:
    """(units, size, size) maps as one pixmap of ``units`` tiles stacked downwards; ``levels`` one range for
    all or one per unit."""
    maps = np.asarray(maps)
    n, h, w = maps.shape
    if isinstance(levels[0], (tuple, list)):
        idx = np.stack([_indices(m, lv) for m, lv in zip(maps, levels)  # type: ignore[arg-type]
                        ]) if n else np.zeros((0, h, w), np.uint8)
    else:
        idx = _indices(maps, levels)  # type: ignore[arg-type]
    rgba = np.ascontiguousarray(LUT[idx[:, ::-1]].reshape(n * h, w, 4))  # each tile's rows top-down
    image = QImage(rgba.data, w, max(n * h, 1), 4 * w, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image.copy())


class UnitsItem(QGraphicsItem):
    """One layer's unit pictures and frames: tile u of the atlas pixmap is drawn in the unit square at
    ``centres[u]``."""

    def __init__(self, centres: np.ndarray, frame_pen: QPen) -> None:
        super().__init__()
        self._targets = [QRectF(cx - UNIT / 2, cy - UNIT / 2, UNIT, UNIT) for cx, cy in centres]
        self._pen = frame_pen
        self._pixmap: QPixmap | None = None
        self._tile = 0
        top, bottom = float(centres[:, 1].min()), float(centres[:, 1].max())
        x = float(centres[0, 0])
        self._rect = QRectF(x - UNIT / 2 - 0.05, top - UNIT / 2 - 0.05, UNIT + 0.1, bottom - top + UNIT + 0.1)
        self.setZValue(1)

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_pixmap(self, pixmap: QPixmap | None, tile: int) -> None:
        self._pixmap, self._tile = pixmap, tile
        self.update()

    @property
    def drawn(self) -> bool:
        return self._pixmap is not None

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._pixmap is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            t = self._tile
            w = self._pixmap.width()
            for u, target in enumerate(self._targets):
                painter.drawPixmap(target, self._pixmap, QRectF(0, u * t, w, t))
        painter.setPen(self._pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRects(self._targets)


class EdgesItem(QGraphicsItem):
    """All weights as lines: per bucket (sign x width) one QPainterPath."""

    def __init__(self) -> None:
        super().__init__()
        self._paths: list[tuple[QPen, QPainterPath]] = []
        self._rect = QRectF()
        self.antialias = True
        self.setZValue(-1)
        # repaints for other reasons (hover, a unit picture) reuse the lines drawn last
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_edges(self, segments: np.ndarray, weights: np.ndarray, rect: QRectF, top: float | None = None
                  ) -> None:
        """segments (m, 2, 2) in scene coordinates, weights (m,); widths relative to ``top`` (default: the
        largest |w| given)."""
        if rect != self._rect:
            self.prepareGeometryChange()
        self._rect = rect
        self.antialias = len(weights) <= ANTIALIAS_EDGES
        self._paths = []
        if len(weights):
            mag = np.abs(weights)
            top = (top if top is not None and math.isfinite(top) else float(np.nanmax(mag))) or 1.0
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
                    widest = 3.6 if self.antialias else 1.6  # many lines: thinner, or they bury the units
                    pen.setWidthF(0.4 + widest * (b + 0.5) / WIDTH_BUCKETS)
                    pen.setCosmetic(True)
                    self._paths.append((pen, pg.arrayToQPath(flat[:, 0], flat[:, 1], connect="pairs")))
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, self.antialias)
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
        self.columns: list[UnitsItem] = []  # one per layer: its units' pictures and frames
        self.centres: list[np.ndarray] = []  # per layer (n, 2) unit centres
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
        self.edges_drawn = 0  # how many weights the lines show (all, or the strongest MAX_EDGES_DRAWN)
        self.map_size = 0  # grid points across the unit pictures last drawn (0: none yet)
        title = QGraphicsSimpleTextItem("Network")
        title.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._empty = title
        self.scene().addItem(title)
        # what a big network's drawing leaves out, said on it (a label over the view: readable at any scale)
        self.note = QLabel("", self.viewport())
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a5a00; background: rgba(255, 255, 255, 215); font-size: 8pt;")
        self.note.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.note.hide()

    # -- structure (only when the architecture changes) ------------------------------------------------
    def set_structure(self, sizes: tuple[int, ...], features: tuple[str, ...]) -> None:
        if (sizes, features) == (self.sizes, self.features):
            return
        self.sizes, self.features = sizes, features
        scene = self.scene()
        for item in (*self.columns, *self._labels):
            scene.removeItem(item)
        self.columns, self.centres, self._labels = [], [], []
        self._layer_labels, self._tags = [], []
        self._input_key = None
        self.map_size = 0
        self.edges_drawn = 0
        self._weights = np.empty(0)
        self._empty.setVisible(not sizes)
        self.note.setText("")
        self.note.hide()
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
            column = UnitsItem(centres, frame_pen)
            scene.addItem(column)
            self.columns.append(column)
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
        # every segment, layer after layer, from unit i to unit j in the order of W.ravel() (W: in x out)
        segs: list[np.ndarray] = []
        ids: list[tuple[int, int, int]] = []
        for li in range(len(sizes) - 1):
            a, b = self.centres[li], self.centres[li + 1]
            ii, jj = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
            i, j = ii.ravel(), jj.ravel()
            seg = np.empty((len(i), 2, 2))
            seg[:, 0, 0], seg[:, 0, 1] = a[i, 0] + UNIT / 2, a[i, 1]
            seg[:, 1, 0], seg[:, 1, 1] = b[j, 0] - UNIT / 2, b[j, 1]
            segs.append(seg)
            ids.extend(zip([li] * len(i), i.tolist(), j.tolist()))
        self._segments = np.concatenate(segs) if segs else np.empty((0, 2, 2))
        self._edge_ids = ids
        allc = np.vstack(self.centres)
        rect = QRectF(float(allc[:, 0].min()) - UNIT, float(allc[:, 1].min()) - UNIT,
                      float(np.ptp(allc[:, 0])) + 2 * UNIT, float(np.ptp(allc[:, 1])) + 2 * UNIT)
        self.edges.set_edges(self._segments[:0], np.zeros(0), rect)
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
        for _ in range(12):  # margins in pixels depend on the scale they set: until the scale settles
            k = max(self.transform().m11(), 1e-6)
            left = max((tag_w + 6) / k, head_w / 2 / k - UNIT / 2, 0.2)
            right = max(head_w / 2 / k - UNIT / 2, 0.2)
            self.scene().setSceneRect(r.adjusted(-left, -(fm.height() + 6) / k, right, 0.2))
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
            if abs(self.transform().m11() - k) <= 0.005 * k:
                break
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
        self._place_note()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # lecture mode, Ctrl++
            self._fit()

    def _place_note(self) -> None:
        vp = self.viewport()
        self.note.setFixedWidth(max(vp.width() - 8, 40))
        self.note.adjustSize()
        self.note.move(4, vp.height() - self.note.height() - 2)

    def _show_note(self) -> None:
        parts = []
        if self.edges_drawn < len(self._segments):
            parts.append(f"Lines: the strongest {self.edges_drawn:,} of {len(self._segments):,} weights.")
        if 0 < self.map_size < MAP_SIZE:
            parts.append(f"Pictures at {self.map_size}×{self.map_size} (coarser for a network this size).")
        self.note.setText(" ".join(parts))
        self.note.setVisible(bool(parts))
        self._place_note()

    # -- values (at most ~10 times a second) ---------------------------------------------------------------
    def set_inputs(self, x_range: tuple[float, float], y_range: tuple[float, float], size: int) -> None:
        """Pictures of the input features over the plane (they change only with the range)."""
        key = (tuple(x_range), tuple(y_range), size, self.features)
        if key == self._input_key or not self.columns:
            return
        self._input_key = key
        xs, ys = np.linspace(*x_range, size), np.linspace(*y_range, size)
        pts = np.column_stack([np.tile(xs, size), np.repeat(ys, size)])
        F = make_features(pts, self.features)
        n = self.sizes[0]
        maps = F[:, :n].T.reshape(n, size, size)
        m = np.maximum(np.abs(maps).max(axis=(1, 2)), 1e-300)  # each feature symmetric about 0
        m[~np.isfinite(m) | (m <= 1e-300)] = 1.0
        self.columns[0].set_pixmap(atlas(maps, [(-float(v), float(v)) for v in m]), size)

    def set_maps(self, maps: NeuronMaps | None) -> None:
        """The unit pictures (each layer's as one atlas); maps for another architecture are ignored."""
        if maps is None or not self.columns or len(maps.layers) != len(self.columns) - 1:
            return
        if any(layer.shape[0] != self.sizes[li + 1] for li, layer in enumerate(maps.layers)):
            return
        size = maps.layers[0].shape[-1] if maps.layers else MAP_SIZE
        self.set_inputs(maps.x_range, maps.y_range, size)
        for li, (layer, levels) in enumerate(zip(maps.layers, maps.levels)):
            self.columns[li + 1].set_pixmap(atlas(layer, levels), layer.shape[-1])
        if size != self.map_size:
            self.map_size = size
            self._show_note()

    def set_values(self, coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray],
                   maps: NeuronMaps | None = None) -> None:
        self._coefs, self._intercepts = coefs, intercepts
        if not self.columns or len(coefs) != len(self.sizes) - 1:
            return
        self.set_maps(maps)
        weights = np.concatenate([np.asarray(W).ravel() for W in coefs]) if coefs else np.empty(0)
        if len(weights) == len(self._segments):
            self._weights = weights
            keep = strongest(coefs)
            drawn = int(keep.sum())
            top = float(np.nanmax(np.abs(weights))) if len(weights) else 0.0
            # the widths stay relative to the strongest weight of all, drawn or not
            self.edges.set_edges(self._segments[keep], weights[keep], self.edges.boundingRect(), top)
            if drawn != self.edges_drawn:
                self.edges_drawn = drawn
                self._show_note()

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
