"""A log-scale slider with an editable number beside it, for learning rates, C and kernel widths."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSlider, QStyle, QStyleOptionSlider, QWidget

TICKS = 1000  # slider positions across the whole range


class MarkedSlider(QSlider):
    """A slider that draws small coloured triangles at given positions (e.g. a divergence edge)."""

    def __init__(self) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.marks: list[tuple[int, QColor]] = []
        self.setMinimumHeight(26)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.marks:
            return
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        xs = [groove.left() + handle.width() / 2 + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(),
                                                                                  pos, span)
              for pos, _c in self.marks]
        for (_pos, color), x in zip(self.marks, self.xs_apart(xs)):
            y = self.height() - 1
            painter.setBrush(color)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPolygon(QPolygonF([QPointF(x, y - 7), QPointF(x - 5, y), QPointF(x + 5, y)]))
        painter.end()

    MARK_GAP = 10.0  # marks closer than this (pixels) are drawn side by side, so each stays visible

    @classmethod
    def xs_apart(cls, xs: list[float]) -> list[float]:
        """Mark positions, with marks that would cover each other moved apart around their middle: two marks
        at the same value (2/λmax and 2/(λmin+λmax) coincide for some data) show as two triangles."""
        out = list(xs)
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        k = 0
        while k < len(order):
            group = [order[k]]
            while k + len(group) < len(order) and xs[order[k + len(group)]] - xs[group[-1]] < cls.MARK_GAP:
                group.append(order[k + len(group)])
            if len(group) > 1:
                mid = sum(xs[i] for i in group) / len(group)
                for j, i in enumerate(group):
                    out[i] = mid + (j - (len(group) - 1) / 2) * cls.MARK_GAP
            k += len(group)
        return out


class LogSlider(QWidget):
    """``valueChanged(float)`` fires as the slider moves and when a typed value is accepted.

    A typed value outside ``[minimum, maximum]`` (or not a number) is refused: the box turns red, its
    tooltip says the allowed range, ``rejected(message)`` fires, and the previous value is kept.
    """

    valueChanged = Signal(float)
    rejected = Signal(str)

    def __init__(self, minimum: float, maximum: float, value: float, name: str = "value",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not (0 < minimum < maximum):
            raise ValueError(f"LogSlider needs 0 < minimum < maximum; got {minimum}, {maximum}")
        self.name = name
        self._tip = ""
        self._lo, self._hi = math.log10(minimum), math.log10(maximum)
        self.minimum, self.maximum = minimum, maximum
        self._value = float(value)
        self.slider = MarkedSlider()
        self.slider.setRange(0, TICKS)
        self.slider.setAccessibleName(name)
        self.edit = QLineEdit()
        self.edit.setMaximumWidth(90)
        self.edit.setAccessibleName(f"{name} value")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.edit)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.edit.editingFinished.connect(self._on_edit_finished)
        self.setValue(value, emit=False)

    def value(self) -> float:
        return self._value

    def setToolTip(self, text: str) -> None:
        """The slider and its number box say the same, the box adding its range."""
        self._tip = text
        super().setToolTip(text)
        self.slider.setToolTip(text)
        self._show_value()

    def set_marks(self, marks: list[tuple[float, str]]) -> None:
        """Triangles under the slider at these values (value, colour); values outside the range are skipped."""
        shown = [(self._position(v), QColor(c)) for v, c in marks
                 if math.isfinite(v) and self.minimum <= v <= self.maximum]
        if shown != self.slider.marks:
            self.slider.marks = shown
            self.slider.update()

    def _position(self, value: float) -> int:
        return round((math.log10(value) - self._lo) / (self._hi - self._lo) * TICKS)

    def setValue(self, value: float, emit: bool = True) -> bool:
        """Set the value; returns False (and changes nothing) when it is out of range."""
        message = self.check(value)
        if message:
            return False
        self._value = float(value)
        self.slider.blockSignals(True)
        self.slider.setValue(self._position(self._value))
        self.slider.blockSignals(False)
        self._show_value()
        if emit:
            self.valueChanged.emit(self._value)
        return True

    def check(self, value: float) -> str:
        """Empty if acceptable, else a sentence saying why not."""
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"The {self.name} must be a number; got {value!r}."
        if not (self.minimum <= value <= self.maximum):
            return f"The {self.name} must be between {self.minimum:g} and {self.maximum:g}; got {value:g}."
        return ""

    def _show_value(self) -> None:
        self.edit.setText(f"{self._value:.4g}")
        self.edit.setStyleSheet("")
        limits = f"Type a value from {self.minimum:g} to {self.maximum:g} (the slider is on a log scale)."
        self.edit.setToolTip(f"{self._tip}\n{limits}" if self._tip else f"{self.name}: {limits}")

    @Slot(int)
    def _on_slider_moved(self, position: int) -> None:
        value = 10 ** (self._lo + (self._hi - self._lo) * position / TICKS)
        # round to 3 significant digits so dragged values read cleanly (1e-4, 2.5e-4, ...)
        value = float(f"{value:.3g}")
        self._value = min(max(value, self.minimum), self.maximum)
        self._show_value()
        self.valueChanged.emit(self._value)

    @Slot()
    def _on_edit_finished(self) -> None:
        text = self.edit.text().strip()
        try:
            value = float(text)
        except ValueError:
            value = text  # type: ignore[assignment]
        message = self.check(value)
        if message:
            self.edit.setStyleSheet("QLineEdit { background: #ffd6d6; }")
            self.edit.setToolTip(message)
            self.rejected.emit(message)
            return
        if value != self._value:
            self.setValue(value)
        else:
            self._show_value()
