"""A tab whose trainer has not been built yet: says so plainly instead of pretending."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PendingTab(QWidget):
    statusMessage = Signal(str)

    def __init__(self, key: str, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key, self.title = key, title
        self.controller = None
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)

    def toggle_play(self) -> None: ...
    def step_once(self) -> None: ...
    def reset(self) -> None: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
