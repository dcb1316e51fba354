"""Play/pause, step, reset, speed and step-limit controls, with the iteration counter and current cost."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QStyle, QVBoxLayout, QWidget

from gdplay.ui.widgets.readout_label import ReadoutLabel

SPEEDS_PER_DECADE = 4
SLOWEST, FASTEST = 1.0, 1e5  # steps per second; the slider's last notch is "full speed"
MAX_LIMIT = 1_000_000_000  # a spin box holds 32-bit integers


class PlaybackBar(QWidget):
    """Signals: ``playToggled()``, ``stepRequested()``, ``resetRequested()``, ``rateChanged(object)`` with
    steps per second or None for full speed, ``limitChanged(int)`` with the step limit typed or stepped."""

    playToggled = Signal()
    stepRequested = Signal()
    resetRequested = Signal()
    rateChanged = Signal(object)
    limitChanged = Signal(int)

    def __init__(self, step_unit: str = "step", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self._icon_play = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._icon_pause = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)
        self.play_button = QPushButton(self._icon_play, "Play")
        self.play_button.setToolTip("Play: train from where the run is; Pause: stop and keep it (Space). "
                                    "A run that reached its step limit goes on, and the limit doubles.")
        self.step_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Step")
        self.step_button.setToolTip(f"Take one {step_unit} and pause (S)")
        self.reset_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward), "Reset")
        self.reset_button.setToolTip("Start the run over from its start point, step 0 (R). The only button "
                                     "that throws the training away.")
        self.speed = QSlider(Qt.Orientation.Horizontal)
        decades = math.log10(FASTEST / SLOWEST)
        self.speed.setRange(0, round(decades * SPEEDS_PER_DECADE) + 1)
        self.speed.setToolTip("How fast training runs: steps per second, from slow motion (1 a second) to "
                              "full speed (the last notch)")
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(80)
        self.limit = QSpinBox()
        self.limit.setRange(1, MAX_LIMIT)
        self.limit.setGroupSeparatorShown(True)
        self.limit.setKeyboardTracking(False)  # typing 20000 is one change, not five
        self.limit.setAccessibleName("step limit")
        self.limit.setToolTip("Step limit: training stops after this many steps. Play then goes on and "
                              "doubles it; Reset starts over.")
        # room for the figures they show: a label that grows with its text would lay the window out again
        self.iteration_label = ReadoutLabel("step 0", room="step 10,000,000")
        # six significant digits are widest as 0.000123457, 1.23457e-05 or -1.23457e+06
        self.cost_label = ReadoutLabel("cost –", room=("cost 0.000123457", "cost 1.23457e-05", "cost -1.23457e+06"))
        for label in (self.iteration_label, self.cost_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QHBoxLayout()
        for b in (self.play_button, self.step_button, self.reset_button):
            buttons.addWidget(b)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)
        readout = QHBoxLayout()
        readout.addWidget(self.iteration_label)
        limit_label = QLabel("of at most")
        limit_label.setBuddy(self.limit)
        readout.addWidget(limit_label)
        readout.addWidget(self.limit)
        readout.addStretch(1)
        readout.addWidget(self.cost_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(speed_row)
        layout.addLayout(readout)

        self.play_button.clicked.connect(self.playToggled)
        self.step_button.clicked.connect(self.stepRequested)
        self.reset_button.clicked.connect(self.resetRequested)
        self.speed.valueChanged.connect(self._on_speed_changed)
        self.limit.valueChanged.connect(self.limitChanged)
        self.set_rate(300.0, emit=False)

    def rate(self) -> float | None:
        pos = self.speed.value()
        if pos >= self.speed.maximum():
            return None
        return float(f"{SLOWEST * 10 ** (pos / SPEEDS_PER_DECADE):.2g}")

    def set_rate(self, rate: float | None, emit: bool = True) -> None:
        if rate is None:
            pos = self.speed.maximum()
        else:
            pos = round(math.log10(max(rate, SLOWEST) / SLOWEST) * SPEEDS_PER_DECADE)
            pos = min(pos, self.speed.maximum() - 1)
        self.speed.blockSignals(True)
        self.speed.setValue(pos)
        self.speed.blockSignals(False)
        self._show_rate()
        if emit:
            self.rateChanged.emit(self.rate())

    def _show_rate(self) -> None:
        r = self.rate()
        self.speed_label.setText("full speed" if r is None else f"{r:g} steps/s")

    @Slot(int)
    def _on_speed_changed(self, _pos: int) -> None:
        self._show_rate()
        self.rateChanged.emit(self.rate())

    def set_limit(self, steps: int) -> None:
        """Show the step limit (without emitting ``limitChanged``)."""
        self.limit.blockSignals(True)
        self.limit.setValue(int(min(max(steps, 1), MAX_LIMIT)))
        self.limit.blockSignals(False)

    def set_running(self, running: bool) -> None:
        self.play_button.setText("Pause" if running else "Play")
        self.play_button.setIcon(self._icon_pause if running else self._icon_play)

    def set_progress(self, step: int, cost: float) -> None:
        self.iteration_label.setText(f"step {step:,}")
        self.cost_label.setText(f"cost {cost:.6g}" if math.isfinite(cost) else "cost –")

    def set_enabled(self, can_train: bool) -> None:
        self.play_button.setEnabled(can_train)
        self.step_button.setEnabled(can_train)
