"""Contour lines of a heatmap as one cached item: all levels in one path, drawn once into a pixmap and
blitted while other items (a path, a marker) move over it, instead of re-stroking every level per frame."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem


class ContourSet(QGraphicsPathItem):
    """Child of an ImageItem, so it shares the image's pixel-to-data transform (row-major data)."""

    def __init__(self, image: pg.ImageItem, pen: QPen | None = None) -> None:
        super().__init__()
        pen = QPen(pen if pen is not None else pg.mkPen((255, 255, 255, 110), width=1))
        pen.setCosmetic(True)  # the same width in pixels whatever the zoom
        self.setPen(pen)
        self.setParentItem(image)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_levels(self, z: np.ndarray | None, levels: Iterable[float]) -> None:
        path = QPainterPath()
        if z is not None:
            data = np.ascontiguousarray(z.T)  # isocurve wants (x, y) indexing
            for level in levels:
                for line in fn.isocurve(data, level, connected=True, extendToEdge=True):
                    path.moveTo(*line[0])
                    for p in line[1:]:
                        path.lineTo(*p)
        self.setPath(path)
