"""The Regression tab: points you place, y = m·x + b fitted by gradient descent, the cost surface with
the path on it and the cost per iteration, all following the newest snapshot of a worker thread."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gdplay.bridge.controller import TrainingController
from gdplay.core.regression import RegressionParams, RegressionSnapshot, RegressionTrainer
from gdplay.core.trainer import Status
from gdplay.resources import load_xy
from gdplay.ui.plots.style import track_cursor
from gdplay.ui.regression.plots import CostView, DataView, SurfaceView
from gdplay.ui.widgets.log_slider import LogSlider
from gdplay.ui.widgets.playback import PlaybackBar


def _fmt(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else "–"


class RegressionTab(QWidget):
    """``statusMessage(str)`` carries cursor coordinates and notices to the main window's status bar."""

    statusMessage = Signal(str)
    title = "Regression"
    key = "regression"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.params = RegressionParams(learning_rate=1e-4, initial=(-1.0, 0.0), max_steps=2000)
        self.controller = TrainingController(RegressionTrainer(self.params), name="regression", parent=self)
        self.controller.set_params(self.params)
        self.snapshot: RegressionSnapshot | None = None

        self.data_view = DataView()
        self.surface_view = SurfaceView()
        self.cost_view = CostView()
        self.editor = self.data_view.editor

        self.playback = PlaybackBar()
        self.learning_rate = LogSlider(1e-6, 10.0, self.params.learning_rate, name="learning rate")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout = {k: QLabel("–") for k in ("m", "b", "cost", "grad", "optimum", "condition", "edge")}
        for label in self.readout.values():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._build_layout()
        self._connect()
        self.load_points(*load_xy("nedrich_data.csv"), description="Load the seed's data")
        self.data_view.fit_view()

    # -- layout ------------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        intro = QLabel("Fit y = m·x + b by batch gradient descent on the mean squared error. "
                       "Click the data plot to add a point, right-click to delete, drag to move.")
        intro.setWordWrap(True)

        train_box = QGroupBox("Training")
        train = QVBoxLayout(train_box)
        train.addWidget(self.playback)
        lr_row = QFormLayout()
        lr_row.addRow("Learning rate", self.learning_rate)
        train.addLayout(lr_row)

        read_box = QGroupBox("Readouts")
        form = QFormLayout(read_box)
        for key, text in (("m", "slope m"), ("b", "intercept b"), ("cost", "cost E"), ("grad", "‖∇E‖"),
                          ("optimum", "least squares"), ("condition", "condition number"),
                          ("edge", "divergence edge 2/λmax")):
            form.addRow(text, self.readout[key])

        data_box = QGroupBox("Data")
        data = QHBoxLayout(data_box)
        self.seed_button = QPushButton("Seed data")
        self.seed_button.setToolTip("Load the 100-point data set of the gradient-descent article")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.clear_button = QPushButton("Clear")
        for b in (self.seed_button, self.undo_button, self.redo_button, self.clear_button):
            data.addWidget(b)

        panel = QWidget()
        side = QVBoxLayout(panel)
        side.addWidget(intro)
        side.addWidget(train_box)
        side.addWidget(read_box)
        side.addWidget(data_box)
        side.addWidget(self.status_label)
        side.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(panel.minimumSizeHint().width() + 24)
        scroll.setMaximumWidth(480)

        plots = QWidget()
        grid = QGridLayout(plots)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.data_view.widget, 0, 0)
        grid.addWidget(self.surface_view.widget, 0, 1)
        grid.addWidget(self.cost_view.widget, 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)

        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(plots)
        splitter.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        c = self.controller
        c.snapshotReady.connect(self._on_controller_snapshot)
        c.failed.connect(self._on_controller_failed)
        c.runningChanged.connect(self.playback.set_running)
        self.playback.playToggled.connect(self.toggle_play)
        self.playback.stepRequested.connect(self.step_once)
        self.playback.resetRequested.connect(self.reset)
        self.playback.rateChanged.connect(c.set_rate)
        c.set_rate(self.playback.rate())
        self.learning_rate.valueChanged.connect(self._on_learning_rate_changed)
        self.learning_rate.rejected.connect(self.statusMessage)
        self.editor.pointsChanged.connect(self._on_points_changed)
        self.editor.undoChanged.connect(self._on_undo_changed)
        self.seed_button.clicked.connect(self._on_seed_clicked)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.clear_button.clicked.connect(self.editor.clear)
        track_cursor(self.data_view.widget, lambda x, y: f"x = {x:.4g}, y = {y:.4g}", self.statusMessage.emit)
        track_cursor(self.surface_view.widget, self._describe_surface_point, self.statusMessage.emit)
        track_cursor(self.cost_view.widget, lambda x, y: f"iteration {x:,.0f}, cost {10 ** y:.4g}",
                     self.statusMessage.emit)
        self._on_undo_changed()

    def _describe_surface_point(self, m: float, b: float) -> str:
        snap = self.snapshot
        text = f"m = {m:.4g}, b = {b:.4g}"
        s = snap.surface if snap is not None else None
        if s is not None:
            (m0, m1), (b0, b1) = s.m_range, s.b_range
            rows, cols = s.cost.shape
            j = round((m - m0) / (m1 - m0) * (cols - 1))
            i = round((b - b0) / (b1 - b0) * (rows - 1))
            if 0 <= i < rows and 0 <= j < cols:
                text += f", cost ≈ {s.cost[i, j]:.4g}"
        return text

    # -- commands (also bound to shortcuts by the main window) ---------------------------------------
    def toggle_play(self) -> None:
        if self.controller.running:
            self.controller.pause()
        else:
            if self.snapshot is not None and self.snapshot.status.finished \
                    and self.snapshot.status is not Status.INVALID:
                self.controller.reset()  # Play after the end starts over
            self.controller.play()

    def step_once(self) -> None:
        self.controller.step(1)

    def reset(self) -> None:
        self.controller.reset()

    def undo(self) -> None:
        self.editor.undo()

    def redo(self) -> None:
        self.editor.redo()

    def load_points(self, x: np.ndarray, y: np.ndarray, description: str = "Load points") -> None:
        self.editor.replace(np.column_stack([x, y]), None, description)

    def set_learning_rate(self, value: float) -> None:
        self.learning_rate.setValue(value)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        return self.controller.shutdown(timeout_ms)

    # -- handlers ------------------------------------------------------------------------------------
    @Slot(float)
    def _on_learning_rate_changed(self, value: float) -> None:
        self.params = replace(self.params, learning_rate=value)
        self.controller.set_params(self.params)

    @Slot()
    def _on_points_changed(self) -> None:
        pts = self.editor.points
        self.controller.set_data(pts.xy[:, 0].copy(), pts.xy[:, 1].copy(), version=pts.version)

    @Slot()
    def _on_undo_changed(self) -> None:
        u = self.editor.undo_stack
        self.undo_button.setEnabled(u.can_undo())
        self.redo_button.setEnabled(u.can_redo())
        self.undo_button.setToolTip(f"Undo {u.undo_text().lower()} (Ctrl+Z)" if u.can_undo() else "Nothing to undo")
        self.redo_button.setToolTip(f"Redo {u.redo_text().lower()} (Ctrl+Shift+Z)" if u.can_redo() else "")

    @Slot()
    def _on_seed_clicked(self) -> None:
        self.load_points(*load_xy("nedrich_data.csv"), description="Load the seed's data")
        self.data_view.fit_view()

    @Slot(str)
    def _on_controller_failed(self, message: str) -> None:
        self.status_label.setText(f"<b>Training stopped by an error:</b> {message}<br>"
                                  "Your points and settings are kept; press Reset to try again.")
        self.status_label.setStyleSheet("color: #b00020;")

    @Slot(object)
    def _on_controller_snapshot(self, snap: RegressionSnapshot) -> None:
        self.snapshot = snap
        self.playback.set_progress(snap.step, snap.cost)
        self.playback.set_enabled(snap.status is not Status.INVALID)
        r = self.readout
        r["m"].setText(_fmt(snap.m))
        r["b"].setText(_fmt(snap.b))
        r["cost"].setText(_fmt(snap.cost))
        r["grad"].setText(_fmt(math.hypot(*snap.gradient)))
        opt, curv = snap.optimum, snap.curvature
        r["optimum"].setText(f"m* = {opt.m:.5g}, b* = {opt.b:.5g}, E* = {opt.cost:.5g}" if opt else "–")
        r["condition"].setText(f"{curv.condition:.3g}" if curv else "–")
        r["edge"].setText(f"{curv.lr_edge:.3g}" if curv else "–")
        if curv and snap.learning_rate > curv.lr_edge:
            r["edge"].setText(f"{curv.lr_edge:.3g}  (the learning rate is past it: expect divergence)")
        self._show_status(snap)
        self.data_view.set_line(self.data_view.line, (snap.m, snap.b) if snap.n_points else None)
        self.data_view.set_line(self.data_view.reference, (opt.m, opt.b) if opt else None)
        self.surface_view.set_surface(snap.surface, opt.cost if opt else 0.0)
        if len(snap.history):
            self.surface_view.set_path(snap.history, self.params.initial, (snap.m, snap.b),
                                       (opt.m, opt.b) if opt else None)
        self.cost_view.update(snap)

    def _show_status(self, snap: RegressionSnapshot) -> None:
        if self.controller.error:
            return
        bad = snap.status in (Status.DIVERGED, Status.INVALID)
        self.status_label.setStyleSheet("color: #b00020;" if bad else "")
        self.status_label.setText(snap.message)
