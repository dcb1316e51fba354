"""Layouts that reflow instead of clipping when text and plots grow (lecture mode, Ctrl++) or the window is
small: a plot grid that picks the widest of its arrangements that fits, inside a scroll area that scrolls
rather than squeezes, and a side panel as wide as its contents need.

``plot_area(arrangements)`` returns the scroll area; each arrangement is a list of cells
``(widget, row, column, row_span, column_span)`` plus row and column stretch factors (``Arrangement``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QFrame, QGridLayout, QLayout, QScrollArea, QStyle, QWidget

Cell = tuple[QWidget, int, int, int, int]
ROW_SHARE = 0.49  # an arrangement of more than two rows gives each at least this share of the visible height


@dataclass
class Arrangement:
    cells: list[Cell]
    row_stretch: dict[int, int] = field(default_factory=dict)
    column_stretch: dict[int, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return max(r + rs for _w, r, _c, rs, _cs in self.cells)

    @property
    def columns(self) -> int:
        return max(c + cs for _w, _r, c, _rs, cs in self.cells)

    def min_width(self, spacing: int) -> int:
        """The widest row's minimum: the widgets that cover it side by side."""
        rows = max(r + rs for _w, r, _c, rs, _cs in self.cells)
        widest = 0
        for row in range(rows):
            covering = [w for w, r, _c, rs, _cs in self.cells if r <= row < r + rs]
            width = sum(_min_size(w).width() for w in covering) + spacing * max(len(covering) - 1, 0)
            widest = max(widest, width)
        return widest


def _min_size(w: QWidget) -> QSize:
    return w.minimumSize().expandedTo(w.minimumSizeHint())


class ReflowGrid(QWidget):
    """Lays its widgets out by the first arrangement (widest first) whose minimum width fits; it never asks
    for more width than the narrowest one needs, so a scroll area around it scrolls down, not sideways."""

    def __init__(self, arrangements: list[Arrangement], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arrangements = sorted(arrangements, key=lambda a: -a.columns)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.current: Arrangement | None = None
        self._pending = False
        self._arrange(self.arrangements[0])

    def choose(self, width: int) -> Arrangement:
        spacing = self.grid.horizontalSpacing()
        for a in self.arrangements:
            if a.min_width(spacing) <= width:
                return a
        return self.arrangements[-1]

    def _arrange(self, a: Arrangement) -> None:
        if a is self.current:
            return
        for i in reversed(range(self.grid.count())):
            self.grid.takeAt(i)
        for i in range(self.grid.rowCount()):
            self.grid.setRowStretch(i, 0)
        for i in range(self.grid.columnCount()):
            self.grid.setColumnStretch(i, 0)
        for w, r, c, rs, cs in a.cells:
            self.grid.addWidget(w, r, c, rs, cs)
        for r, s in a.row_stretch.items():
            self.grid.setRowStretch(r, s)
        for c, s in a.column_stretch.items():
            self.grid.setColumnStretch(c, s)
        self.current = a
        self.updateGeometry()
        self._tell_scroll_area()

    def _tell_scroll_area(self) -> None:
        """The scroll area sizes its widget from our hints when it lays itself out: ask it to."""
        viewport = self.parentWidget()
        area = viewport.parentWidget() if viewport is not None else None
        if isinstance(area, QScrollArea):
            QApplication.postEvent(area, QEvent(QEvent.Type.LayoutRequest))

    def relayout(self) -> None:
        self._pending = False
        self._arrange(self.choose(self.width()))
        self._row_heights()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._row_heights()
        if self.choose(self.width()) is not self.current and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.relayout)  # not inside the resize: the layout is being set

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.FontChange) and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.relayout)  # the plots' minimum sizes changed (zoom)
        return super().event(event)

    def heightForWidth(self, width: int) -> int:
        """The least height at this width (a word-wrapped caption's height depends on it): the scroll area
        asks this, and scrolls down only when the plots cannot have their minimum."""
        return (self.grid.minimumHeightForWidth(width) if self.grid.hasHeightForWidth()
                else self.grid.minimumSize().height())

    def _row_heights(self) -> None:
        """In an arrangement of more than two rows, each row at least ROW_SHARE of the visible height: two
        in view at a time, the rest a scroll away (rather than all of them squeezed)."""
        rows = self.current.rows if self.current is not None else 1
        viewport = self.parentWidget()
        share = round(ROW_SHARE * viewport.height()) if rows > 2 and viewport is not None else 0
        changed = False
        for r in range(self.grid.rowCount()):
            want = share if r < rows else 0
            if self.grid.rowMinimumHeight(r) != want:
                self.grid.setRowMinimumHeight(r, want)
                changed = True
        if changed:
            self.updateGeometry()
            self._tell_scroll_area()

    def hasHeightForWidth(self) -> bool:
        return True

    def minimumSizeHint(self) -> QSize:
        narrowest = self.arrangements[-1].min_width(self.grid.horizontalSpacing())
        return QSize(narrowest, self.heightForWidth(max(self.width(), narrowest)))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint().expandedTo(QSize(400, 300))


class PlotArea(QScrollArea):
    """A frameless scroll area holding a tab's plots in a ReflowGrid (``grid``)."""

    def __init__(self, grid: ReflowGrid) -> None:
        super().__init__()
        self.grid = grid
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(grid)


def plot_area(arrangements: list[Arrangement]) -> PlotArea:
    """The tab's plots in a ReflowGrid, in a frameless scroll area (``.grid`` is the ReflowGrid)."""
    return PlotArea(ReflowGrid(arrangements))


class SidePanelFit(QObject):
    """Keeps a side panel's scroll area as wide as the panel needs (its minimum size hint grows with the
    text), never less than ``minimum`` and, while that is enough, at most ``maximum`` times the zoom."""

    def __init__(self, scroll: QScrollArea, minimum: int, maximum: int) -> None:
        super().__init__(scroll)
        self.scroll, self.minimum, self.maximum = scroll, minimum, maximum
        panel = scroll.widget()
        if panel is None:
            raise ValueError("fit_side_panel: put the panel in its scroll area first")
        panel.installEventFilter(self)
        self.fit()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.FontChange, QEvent.Type.StyleChange):
            QTimer.singleShot(0, self, self.fit)  # with self as context: never after self is gone
        return False

    def fit(self) -> None:
        from gdplay.ui.plots.style import zoom

        panel = self.scroll.widget()
        if panel is None:  # the panel was taken out of its scroll area: nothing to fit
            return
        bar = self.scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        need = panel.minimumSizeHint().width() + bar + 2 * self.scroll.frameWidth() + 2
        low = max(need, self.minimum)
        if self.scroll.minimumWidth() != low:
            self.scroll.setMinimumWidth(low)
        high = max(low, round(self.maximum * zoom()))
        if self.scroll.maximumWidth() != high:
            self.scroll.setMaximumWidth(high)


def fit_side_panel(scroll: QScrollArea, minimum: int, maximum: int) -> SidePanelFit:
    return SidePanelFit(scroll, minimum, maximum)
