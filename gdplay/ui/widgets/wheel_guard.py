"""The mouse wheel scrolls a side panel; it changes a control only when that control has the focus.

Qt gives a spin box, combo box or slider every wheel turn over it, and with it the focus: scrolling a panel
with the pointer passing over the Cost box flips the cost and restarts the run. ``guard_wheel(panel)``
makes every such control in the panel take the focus only from a click or Tab (``Qt.StrongFocus``) and
installs one event filter on them that hands a wheel turn to the panel (which scrolls) unless the control
has the focus. One mechanism for every tab."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QComboBox, QWidget

WHEEL_CONTROLS = (QAbstractSpinBox, QComboBox, QAbstractSlider)


class WheelGuard(QObject):
    """An event filter: a wheel event to an unfocused control is ignored there, so Qt passes it on to the
    control's parents (the scroll area scrolls) instead of changing the value."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            event.ignore()
            return True  # not for this control; an ignored event goes on to its parent
        return False


def guard_wheel(panel: QWidget) -> WheelGuard:
    """Guard every spin box, combo box and slider inside ``panel`` (call once the panel is built; the
    guard is kept by the panel)."""
    # the panel's own guard (a child, so it lives as long as the panel), made on the first call
    guard = panel.findChild(WheelGuard, "", Qt.FindChildOption.FindDirectChildrenOnly)
    if guard is None:
        guard = WheelGuard(panel)
    for control in panel.findChildren(QWidget):
        if isinstance(control, WHEEL_CONTROLS):
            control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            control.removeEventFilter(guard)  # no double install when called again after a rebuild
            control.installEventFilter(guard)
    return guard
