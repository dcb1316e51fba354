"""Contour lines drawn from gdplay.core.contours' vectorised marching squares. One level of a 120x180 map
takes about a millisecond (twenty at once, a few); pyqtgraph's ``isocurve`` walks the cells in Python and
takes ~25 ms, too slow for a boundary that moves every frame or a surface with twenty levels.

- ``iso_polylines`` (from the core): the lines as x, y and a connect array (arrayToQPath's form);
- ``IsoLines``: an item in data coordinates (add it to a PlotItem);
- ``ContourSet``: a child of an ImageItem, in its pixel coordinates, cached as a pixmap;
- ``isolines_xy``: x, y with NaN between pieces, for a PlotDataItem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from gdplay.core.contours import iso_polylines

__all__ = ["ContourSet", "IsoLines", "iso_polylines", "isolines_xy"]


def _path(z: np.ndarray | None, levels: Iterable[float], x_range: Sequence[float],
          y_range: Sequence[float], chain: bool) -> QPainterPath:
    levels = list(levels)
    if z is None or not levels:
        return QPainterPath()
    x, y, c = iso_polylines(z, levels, x_range, y_range, chain)  # every level in one pass
    return fn.arrayToQPath(x, y, connect=c) if len(x) else QPainterPath()


def _dashed(pen: QPen) -> bool:
    return pen.style() != Qt.PenStyle.SolidLine


def _cosmetic(pen: QPen | None) -> QPen:
    pen = QPen(pen if pen is not None else pg.mkPen((255, 255, 255, 110), width=1))
    pen.setCosmetic(True)  # the same width in pixels whatever the zoom
    return pen


class IsoLines(QGraphicsPathItem):
    """Level sets of a map, drawn in data coordinates (add to a PlotItem with ``addItem``)."""

    def __init__(self, pen: QPen) -> None:
        super().__init__()
        self.setPen(_cosmetic(pen))

    def set_levels(self, z: np.ndarray | None, levels: Sequence[float], x_range: Sequence[float] = (0, 1),
                   y_range: Sequence[float] = (0, 1)) -> None:
        self.setPath(_path(z, levels, x_range, y_range, _dashed(self.pen())))

    def set_polylines(self, lines: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> None:
        """Lines already traced (``iso_polylines``' x, y, connect), e.g. by the trainer's process."""
        x, y, c = lines if lines is not None else (np.empty(0), np.empty(0), np.empty(0, dtype=np.int32))
        self.setPath(fn.arrayToQPath(x, y, connect=c) if len(x) else QPainterPath())


class ContourSet(QGraphicsPathItem):
    """Contour lines of the array an ImageItem shows, as a child of it (so in its pixel coordinates: the
    value of pixel (r, c) sits at its centre, (c + 0.5, r + 0.5)); drawn once into a pixmap and blitted
    while other items move over it."""

    def __init__(self, image: pg.ImageItem, pen: QPen | None = None) -> None:
        super().__init__()
        self.setPen(_cosmetic(pen))
        self.setParentItem(image)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_levels(self, z: np.ndarray | None, levels: Iterable[float]) -> None:
        if z is None:
            self.setPath(QPainterPath())
            return
        rows, cols = z.shape
        self.setPath(_path(z, levels, (0.5, cols - 0.5), (0.5, rows - 0.5), _dashed(self.pen())))

    def set_boundaries(self, labels: np.ndarray, classes: Iterable[int]) -> None:
        """The edges between class regions of a label map: the 0.5 level of each class's indicator."""
        rows, cols = labels.shape
        paths = QPainterPath()
        for c in classes:
            paths.addPath(_path((labels == c).astype(np.float32), (0.5,), (0.5, cols - 0.5), (0.5, rows - 0.5),
                                _dashed(self.pen())))
        self.setPath(paths)


def isolines_xy(z: np.ndarray, level: float, x_range: Sequence[float], y_range: Sequence[float]
                ) -> tuple[np.ndarray, np.ndarray]:
    """The same lines as x, y arrays with NaN between pieces (for a PlotDataItem with connect='finite')."""
    x, y, c = iso_polylines(z, level, x_range, y_range)
    if not len(x):
        return x, y
    breaks = np.flatnonzero(c == 0)[:-1] + 1
    return np.insert(x, breaks, np.nan), np.insert(y, breaks, np.nan)

