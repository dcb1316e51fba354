"""The backprop lesson's worked example: one input, two sigmoid neurons in a chain, E = 1/2 (T - a2)², stepped
by hand. Every forward value, every partial derivative by the chain rule and the updated weights are shown
in a table, and the error per step in a small plot. The chain is tiny, so it is computed right here with
the core's ChainExample (microseconds per step); nothing waits on a worker."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gdplay.core.network import ChainExample, ChainParams, ChainSnapshot
from gdplay.ui.plots.style import StickyRange, make_plot

# (key in the step's values, symbol, how it is computed)
ROWS: tuple[tuple[str, str, str], ...] = (
    ("z1", "z₁", "w₁·x + b₁"),
    ("a1", "a₁", "σ(z₁)"),
    ("z2", "z₂", "w₂·a₁ + b₂"),
    ("a2", "a₂", "σ(z₂)"),
    ("E", "E", "½ (T − a₂)²"),
    ("dE_da2", "∂E/∂a₂", "−(T − a₂)"),
    ("da2_dz2", "∂a₂/∂z₂", "a₂ (1 − a₂)"),
    ("dE_dz2", "∂E/∂z₂", "∂E/∂a₂ · ∂a₂/∂z₂"),
    ("dE_dw2", "∂E/∂w₂", "∂E/∂z₂ · a₁  = −(T − a₂) a₂ (1 − a₂) a₁"),
    ("dE_db2", "∂E/∂b₂", "∂E/∂z₂ · 1"),
    ("dE_da1", "∂E/∂a₁", "∂E/∂z₂ · w₂"),
    ("da1_dz1", "∂a₁/∂z₁", "a₁ (1 − a₁)"),
    ("dE_dz1", "∂E/∂z₁", "∂E/∂a₁ · ∂a₁/∂z₁"),
    ("dE_dw1", "∂E/∂w₁", "∂E/∂z₁ · x"),
    ("dE_db1", "∂E/∂b₁", "∂E/∂z₁ · 1"),
    ("w1", "w₁ new", "w₁ − η · ∂E/∂w₁"),
    ("b1", "b₁ new", "b₁ − η · ∂E/∂b₁"),
    ("w2", "w₂ new", "w₂ − η · ∂E/∂w₂"),
    ("b2", "b₂ new", "b₂ − η · ∂E/∂b₂"),
)


def _fmt(v: float) -> str:
    return f"{v:.6f}" if abs(v) >= 1e-3 or v == 0 else f"{v:.6e}"


START_TIPS = {"x": "The input x fed to the first neuron", "T": "The target T the output a₂ should reach",
              "w1": "The first neuron's weight w₁ (z₁ = w₁x + b₁)", "b1": "The first neuron's bias b₁",
              "w2": "The second neuron's weight w₂ (z₂ = w₂a₁ + b₂)", "b2": "The second neuron's bias b₂",
              "learning_rate": "The learning rate η in w ← w − η·∂E/∂w"}


class WorkedExample(QWidget):
    """``closeRequested()`` asks the tab to go back to the network; ``statusMessage(str)`` for notices."""

    closeRequested = Signal()
    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.params = ChainParams()
        self.chain = ChainExample(self.params)
        self.snapshot: ChainSnapshot = self.chain.snapshot()
        self.timer = QTimer(self)
        self.timer.setInterval(100)  # 10 steps a second: slow enough to read the numbers change
        self.timer.timeout.connect(self._on_timer)

        intro = QLabel(
            "<b>Backpropagation by hand: the backprop lesson's two neurons.</b><br>"
            "One input x feeds two sigmoid neurons in a chain:<br>"
            "x → z₁ = w₁x + b₁ → a₁ = σ(z₁) → z₂ = w₂a₁ + b₂ → a₂ = σ(z₂),<br>"
            "error E = ½ (T − a₂)². Each <b>Step</b> runs the forward pass, the chain rule backwards and "
            "the update w ← w − η ∂E/∂w with learning rate η.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One forward pass, backpropagation and update (S)")
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Step ten times a second (Space)")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Back to the start values below, step 0 (R)")
        self.back_button = QPushButton("Back to the network")
        self.back_button.setToolTip("Leave the worked example for the network page (its training is kept)")
        buttons = QHBoxLayout()
        for b in (self.step_button, self.play_button, self.reset_button):
            buttons.addWidget(b)

        self.inputs: dict[str, QDoubleSpinBox] = {}
        start_box = QGroupBox("Start values (the lesson's)")
        form = QFormLayout(start_box)
        for key, label, lo, hi, step in (("x", "input x", -10, 10, 0.1), ("T", "target T", 0, 1, 0.05),
                                         ("w1", "w₁", -10, 10, 0.05), ("b1", "b₁", -10, 10, 0.05),
                                         ("w2", "w₂", -10, 10, 0.05), ("b2", "b₂", -10, 10, 0.05),
                                         ("learning_rate", "learning rate η", 0.001, 100, 0.1)):
            spin = QDoubleSpinBox()
            spin.setRange(lo, hi)
            spin.setDecimals(3)
            spin.setSingleStep(step)
            spin.setValue(getattr(self.params, key))
            spin.valueChanged.connect(self._on_start_changed)
            spin.setToolTip(START_TIPS[key] + " A change starts the example over.")
            self.inputs[key] = spin
            form.addRow(label, spin)
        self.seed_button = QPushButton("The lesson's numbers")
        self.seed_button.setToolTip("x = 0.1, T = 0.25, w₁ = 0.15, b₁ = 0.4, w₂ = 0.45, b₂ = 0.65, η = 0.4, "
                                    "as in the backprop lesson")
        form.addRow(self.seed_button)

        self.readout = QLabel()
        self.readout.setWordWrap(True)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        panel = QWidget()
        side = QVBoxLayout(panel)
        side.addWidget(intro)
        side.addLayout(buttons)
        side.addWidget(self.readout)
        side.addWidget(start_box)
        side.addStretch(1)
        side.addWidget(self.back_button)
        panel.setMinimumWidth(320)
        panel.setMaximumWidth(420)

        self.table = QTableWidget(len(ROWS), 3)
        self.table.setHorizontalHeaderLabels(["quantity", "by the chain rule", "value"])
        self.table.verticalHeader().setVisible(False)
        self.table.setCornerButtonEnabled(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self._values: list[QTableWidgetItem] = []
        for r, (_key, symbol, formula) in enumerate(ROWS):
            self.table.setItem(r, 0, QTableWidgetItem(symbol))
            self.table.setItem(r, 1, QTableWidgetItem(formula))
            item = QTableWidgetItem("–")
            item.setFont(mono)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, 2, item)
            self._values.append(item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumWidth(430)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setMinimumHeight(24 * len(ROWS) + 30)

        self.error_plot = make_plot("Error E per step", "step", "E = ½ (T − a₂)²", grid=True)
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=5,
                                     symbolBrush="#1f77b4", symbolPen=None)
        self.error_plot.getPlotItem().addItem(self.curve)
        self.error_plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.range = StickyRange(self.error_plot.getPlotItem())

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.error_plot)
        right.setStretchFactor(0, 5)
        right.setStretchFactor(1, 2)

        layout = QHBoxLayout(self)
        layout.addWidget(panel)
        layout.addWidget(right, 1)

        self.step_button.clicked.connect(self.step_once)
        self.play_button.clicked.connect(self.toggle_play)
        self.reset_button.clicked.connect(self.reset)
        self.back_button.clicked.connect(self.closeRequested)
        self.seed_button.clicked.connect(self._on_seed_clicked)
        self._show()

    # -- commands ----------------------------------------------------------------------------------
    def step_once(self) -> None:
        self.chain.step(1)
        self._show()

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.pause()
        else:
            self.timer.start()
            self.play_button.setText("Pause")

    def pause(self) -> None:
        self.timer.stop()
        self.play_button.setText("Play")

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def reset(self) -> None:
        self.chain.reset()
        self.range.reset()
        self._show()

    # -- handlers ------------------------------------------------------------------------------------
    @Slot()
    def _on_timer(self) -> None:
        if not self.chain.status.can_step:
            self.pause()
            return
        self.step_once()

    @Slot()
    def _on_start_changed(self) -> None:
        values: dict[str, Any] = {k: s.value() for k, s in self.inputs.items()}  # x, T, w1, ..., lr
        self.params = ChainParams(**values)
        try:
            self.chain.set_params(self.params)
        except ValueError as exc:
            self.statusMessage.emit(str(exc))
            return
        self.range.reset()
        self._show()

    @Slot()
    def _on_seed_clicked(self) -> None:
        seed = ChainParams()
        for k, s in self.inputs.items():
            s.blockSignals(True)
            s.setValue(getattr(seed, k))
            s.blockSignals(False)
        self._on_start_changed()

    def _show(self) -> None:
        snap = self.snapshot = self.chain.snapshot()
        last = snap.last_step
        for r, (key, _symbol, _formula) in enumerate(ROWS):
            self._values[r].setText(_fmt(last[key]) if key in last else "–")
        w = snap.weights
        if last:
            head = (f"<b>Step {snap.step}</b> used w₁ = {_fmt(last['w1_old'])}, b₁ = {_fmt(last['b1_old'])}, "
                    f"w₂ = {_fmt(last['w2_old'])}, b₂ = {_fmt(last['b2_old'])}.<br>")
        else:
            head = "<b>Step 0</b>: press Step for the first forward and backward pass.<br>"
        self.readout.setText(
            f"{head}Now: w₁ = {_fmt(w['w1'])}, b₁ = {_fmt(w['b1'])}, w₂ = {_fmt(w['w2'])}, "
            f"b₂ = {_fmt(w['b2'])}<br>error E = {snap.cost:.6g}"
            + (f"<br><span style='color:#b00020'>{snap.message}</span>" if snap.message else ""))
        h = snap.error_history
        self.curve.setData(h[:, 0], h[:, 1], symbol="o" if len(h) <= 200 else None)
        if len(h):
            self.range.update(max(float(h[-1, 0]), 5.0), float(h[:, 1].min()), float(h[:, 1].max()))

    def value(self, key: str) -> str:
        """The table's text for a quantity (tests and screenshots)."""
        for r, (k, _s, _f) in enumerate(ROWS):
            if k == key:
                return self._values[r].text()
        raise KeyError(key)
