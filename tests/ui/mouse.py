"""Mouse helpers for pyqtgraph plots. Events go to the plot's viewport: QTest clicks on the PlotWidget
itself do not reach the graphics scene."""

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def viewport_pos(widget, x: float, y: float) -> QPoint:
    """Where data point (x, y) of a PlotWidget is, in its viewport's pixels."""
    vb = widget.getPlotItem().getViewBox()
    return widget.mapFromScene(vb.mapViewToScene(QPointF(x, y)))


def click(qtbot, widget, x, y, button=Qt.MouseButton.LeftButton, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.mouseClick(widget.viewport(), button, modifier, viewport_pos(widget, x, y))


def drag(widget, points, button=Qt.MouseButton.LeftButton):
    """Press, move through ``points`` (viewport pixels), release. QTest's mouseMove carries no button
    state, so the events are sent directly, as pyqtgraph's own tests do."""

    def send(kind, p, button_, buttons):
        p = QPointF(p)
        ev = QMouseEvent(kind, p, QPointF(widget.mapToGlobal(p.toPoint())), button_, buttons,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, ev)

    send(QEvent.Type.MouseButtonPress, points[0], button, button)
    for p in points[1:]:
        send(QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, button)
    send(QEvent.Type.MouseButtonRelease, points[-1], button, Qt.MouseButton.NoButton)
