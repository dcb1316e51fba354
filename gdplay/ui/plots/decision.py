"""The input plane of a classifier: a heatmap of a score over (x1, x2) (a class probability, or an SVM's
decision function), contour lines at chosen levels (the boundary, the margins), and the points you edit.

The map is computed next to the trainer (see TrainingController.set_view) over the range this view
asks for: ``grid()`` gives the current visible range and resolution, and ``rangeChanged`` fires
(debounced) when the user pans or zooms, so the tab can ask for a new map."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsItem

from gdplay.ui.plots.contours import ContourSet
from gdplay.ui.plots.style import CLASS_COLORS, make_plot
from gdplay.ui.widgets.point_editor import EditableViewBox, PointEditor

BOUNDARY_PEN = pg.mkPen("#111111", width=2.5)
# blue (negative / class 0) through white to orange-red (positive / class 1), like the class colours
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [(31, 119, 180), (247, 247, 247), (214, 96, 39)])
MARGIN_PEN = pg.mkPen("#111111", width=1.5, style=Qt.PenStyle.DashLine)


class DecisionView(QObject):
    """``rangeChanged()`` fires 150 ms after the user stops panning or zooming."""

    rangeChanged = Signal()

    def __init__(self, title: str, n_classes: int = 2, colors: Sequence[str] = CLASS_COLORS,
                 colormap: str | pg.ColorMap | None = None, resolution: int = 100, draw_points: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widget = make_plot(title, "x₁", "x₂", view_box=EditableViewBox(), grid=False)
        self.plot = self.widget.getPlotItem()
        self.plot.setAspectLocked(True)
        self.resolution = resolution
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        self.image.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if colormap is None:
            cmap = DIVERGING
        elif isinstance(colormap, str):
            cmap = pg.colormap.get(colormap)  # pyqtgraph's own maps: no matplotlib needed
        else:
            cmap = colormap
        self.image.setColorMap(cmap)
        self.image.setOpacity(0.75)
        self.plot.addItem(self.image)
        self.lines: dict[str, ContourSet] = {}
        # draw_points=False: the tab draws the points itself (e.g. outline = true class, fill = predicted)
        self.editor = PointEditor(self.plot, n_classes=n_classes, colors=colors, draw=draw_points)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.rangeChanged)
        self.plot.getViewBox().sigRangeChanged.connect(self._on_view_range_changed)

    def _on_view_range_changed(self, *_args) -> None:
        self._debounce.start()

    def grid(self) -> tuple[tuple[float, float], tuple[float, float], tuple[int, int]]:
        """(x_range, y_range, (rows, cols)) for the visible area, about ``resolution`` cells across."""
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        aspect = (y1 - y0) / max(x1 - x0, 1e-12)
        cols = self.resolution
        rows = int(np.clip(round(cols * aspect), 10, 4 * cols))
        return (x0, x1), (y0, y1), (rows, cols)

    def set_map(self, values: np.ndarray | None, x_range: tuple[float, float], y_range: tuple[float, float],
                levels: tuple[float, float]) -> None:
        """Show ``values`` (rows = y, row-major) over the given ranges with fixed colour levels."""
        if values is None or not np.isfinite(values).any():
            self.image.clear()
            return
        self.image.setImage(np.asarray(values, dtype=np.float32), autoLevels=False, levels=levels)
        (x0, x1), (y0, y1) = x_range, y_range
        rows, cols = values.shape
        # cell centres sit on the grid points: widen the rect by half a cell each side
        dx, dy = (x1 - x0) / max(cols - 1, 1), (y1 - y0) / max(rows - 1, 1)
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, (x1 - x0) + dx, (y1 - y0) + dy))

    def set_lines(self, name: str, values: np.ndarray | None, levels: Sequence[float], pen=BOUNDARY_PEN) -> None:
        """Contour lines of ``values`` (the array last given to set_map) at ``levels``, drawn with ``pen``."""
        if name not in self.lines:
            self.lines[name] = ContourSet(self.image, pen)
        self.lines[name].set_levels(values, levels)

    def fit_view(self, xy: np.ndarray, margin: float = 0.15) -> None:
        if len(xy):
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            span = np.maximum(hi - lo, 1.0)
            self.plot.getViewBox().setRange(xRange=(lo[0] - margin * span[0], hi[0] + margin * span[0]),
                                            yRange=(lo[1] - margin * span[1], hi[1] + margin * span[1]),
                                            padding=0)
