"""File > Export image: the whole tab as PNG (at 1x to 4x its on-screen resolution) or SVG. Each plot's
own context menu (right click > Export...) has pyqtgraph's exporters for one plot."""

from __future__ import annotations

import os

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

SCALES = (1.0, 2.0, 3.0, 4.0)


def save_widget_image(widget: QWidget, path: str, scale: float = 1.0) -> None:
    """Render ``widget`` to ``path``: SVG by its suffix, else PNG at ``scale`` times its size. Raises
    OSError if the file cannot be written."""
    size = widget.size()
    if path.lower().endswith(".svg"):
        gen = QSvgGenerator()
        gen.setFileName(path)
        gen.setSize(size)
        gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
        gen.setTitle(f"gdplay {getattr(widget, 'title', '')}")
        painter = QPainter(gen)
        widget.render(painter, QPoint(0, 0))
        ok = painter.end()
    else:
        image = QImage(QSize(round(size.width() * scale), round(size.height() * scale)),
                       QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        widget.render(painter, QPoint(0, 0))
        painter.end()
        ok = image.save(path, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide takes str only
    if not ok or not os.path.exists(path):
        raise OSError(f"could not write {path}")


class ImageExportDialog(QDialog):
    """Asks for a file and, for PNG, a resolution; ``write(path)`` then renders."""

    def __init__(self, parent: QWidget, tab: QWidget, folder: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.tab = tab
        self.path = os.path.join(folder, f"gdplay-{tab.key}.png")
        form = QFormLayout(self)
        row = QHBoxLayout()
        self.file = QLineEdit(self.path)
        self.file.setMinimumWidth(380)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        form.addRow("File", row)
        self.scale = QComboBox()
        w, h = tab.width(), tab.height()
        for s in SCALES:
            self.scale.addItem(f"{s:g}×  ({round(w * s)} × {round(h * s)} pixels)", s)
        self.scale.setCurrentIndex(1)
        form.addRow("PNG resolution", self.scale)
        form.addRow("", QLabel("An .svg name writes vector graphics (any resolution)."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export image", self.file.text(),
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.file.setText(path)

    def accept(self) -> None:
        self.path = self.file.text().strip()
        if not self.path.lower().endswith((".png", ".svg")):
            self.path += ".png"
        super().accept()

    def write(self, path: str) -> None:
        save_widget_image(self.tab, path, float(self.scale.currentData()))
