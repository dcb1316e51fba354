"""A label for a figure that changes with every frame ("step 12,345", "cost 0.0831")."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QLabel, QWidget


class ReadoutLabel(QLabel):
    """A QLabel whose size hints only grow: to the widest text it has shown, and from the start to that of
    ``room`` (texts as wide as the figure is likely to get). A QLabel's hint follows its text, and a changed hint lays
    out the panel around it again; the panel's width moves the splitter, and every plot beside it is resized
    and repainted: a whole-window repaint with every frame, 50-80 ms of a busy window's event loop. With a
    hint that holds still, a new figure repaints the label alone."""

    def __init__(self, text: str = "", room: str | tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._room = (room,) if isinstance(room, str) else tuple(room)
        self._hint = QSize(0, 0)
        self._minimum = QSize(0, 0)
        self._reserve()

    def _reserve(self) -> None:
        """The hints from the room's texts and the current one, in the current font."""
        current = self.text()
        self._hint = QSize(0, 0)
        self._minimum = QSize(0, 0)
        for wide in (*self._room, current):
            self.setText(wide)
            self.sizeHint()
            self.minimumSizeHint()

    def sizeHint(self) -> QSize:
        self._hint = self._hint.expandedTo(super().sizeHint())
        return self._hint

    def minimumSizeHint(self) -> QSize:
        self._minimum = self._minimum.expandedTo(super().minimumSizeHint())
        return self._minimum

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # a new font or style (lecture mode's larger text): the room is measured again in it
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._reserve()
